-- A park's people as ranges in id order on PostgreSQL too: the page of a
-- park's list (people?park_id, the park alone) reads each park column's
-- entries for each party status up to the page's limit and merges them
-- (page.Query.Union), as SQLite has since 0160. PostgreSQL had one index
-- of the park columns after the status (people_party_parks), which holds
-- no range in id order: it walked the zone's people in id order from the
-- primary key testing each against the park (4,582 rows for a page of 51
-- members on the zone database; 1.95 ms against 0.58 ms with these, an
-- index-only read of at most 51 entries each). people_party_parks stays
-- for the COUNT of a park with other filters.
-- dialect: postgres
CREATE INDEX people_enterprise_park ON people(zone_id, enterprise_park_id, party_status, id);
CREATE INDEX people_org_park ON people(zone_id, org_park_id, party_status, id);
-- dialect: all
