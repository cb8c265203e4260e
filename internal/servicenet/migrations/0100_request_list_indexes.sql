-- Lists of service requests at zone scale (300,000 a zone): newest first
-- within a status — zone-wide, in a park, or at the points a member of
-- staff covers (their scope is a list of point ids) — and Open311's window
-- of recent requests. Each index ends with created_at, id so the page is
-- read in order and the status filter's COUNT is answered from the index
-- (the park's carries zone_id too: a zone administrator's scope adds it).
CREATE INDEX service_requests_status ON service_requests(zone_id, status, created_at, id);
CREATE INDEX service_requests_park_status ON service_requests(park_id, status, zone_id, created_at, id);
CREATE INDEX service_requests_point_status ON service_requests(point_id, status, created_at, id);
CREATE INDEX service_requests_created ON service_requests(zone_id, created_at, id);
