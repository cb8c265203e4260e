-- The scope predicate's subtree, of one kind of node (access.ByNodeOf): a
-- park's service staff list their park's requests, attached by their
-- service point. "point_id IN (SELECT id FROM scope_nodes WHERE path >= …
-- AND path < …)" listed the park's 203 nodes, and the list then searched
-- service_requests_point_status once for each (366 µs for the ids of a
-- page on the zone database, 208 µs for its count). The kind first: the
-- park's two points, from the index alone (84 µs and 26 µs).
CREATE INDEX scope_nodes_kind_path ON scope_nodes(kind, path, id);
