-- A station's name is unique within its park: two stations of one park
-- under the same name could not be told apart on screen or in reports.
CREATE UNIQUE INDEX stations_park_name ON stations(park_id, name);
