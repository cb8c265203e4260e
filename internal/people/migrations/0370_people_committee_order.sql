-- A park committee's people in id order from an index. A committee is
-- the organisation whose subtree is large (a park's party members: 1,137
-- people on the zone database, in 172 organisations); people?org_id
-- read them from people_org_path, in path order, and sorted them by id
-- for every page: 225 µs for a page's ids, against 25 µs from this index,
-- which holds the first 112 bytes of each member's organisation's path —
-- the length of the path of an organisation at depth 3 (zone, park,
-- committee: "/" and three 36-character ids, each followed by "/"). For
-- an organisation whose path is that long, "the organisation's path
-- begins the member's" is an equality on the expression
-- (people.underOrg).
-- dialect: sqlite
CREATE INDEX people_org_committee ON people(substr(org_path, 1, 112), id);
-- dialect: postgres
-- With org_path itself, which the statements name (inside the expression):
-- without it PostgreSQL reads every entry's row from the heap, an index
-- scan rather than an index-only one — for a count, the committee's 1,137
-- rows.
CREATE INDEX people_org_committee ON people(substr(org_path, 1, 112), id) INCLUDE (org_path);
