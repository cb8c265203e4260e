-- enterprises?park_id (the list's predicate is the caller's zones and the
-- park): the count read every enterprise of the zone (SQLite, through
-- enterprises_industry) or the park's rows (PostgreSQL, a bitmap heap
-- scan); with zone_id after park_id both engines count from the index
-- alone and read the page in id order.
CREATE INDEX enterprises_park_zone ON enterprises(park_id, zone_id, id);
