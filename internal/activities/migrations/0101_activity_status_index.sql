-- Activities by status in start order (the published ones people sign up
-- for, among a zone's 20,000): the page is read in order and the COUNT is
-- answered from the index.
CREATE INDEX activities_status ON activities(zone_id, status, starts_at, id);
