-- Open311 clients poll one service's requests (service_code, usually with
-- a date window or status=open): through service_requests_created that
-- read the rows of every service in the window — 25,115 rows for the 90
-- default days of the zone-scale database, to answer the 391 open requests
-- of one service. By service first, only that service's window is read.
-- The console's service_code filter uses it too.
CREATE INDEX service_requests_service ON service_requests(zone_id, service_code, created_at, id);
