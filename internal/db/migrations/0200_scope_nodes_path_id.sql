-- The scope predicate's subtree, from the index alone: a list of a park's
-- rows attached by node ("point_id IN (SELECT id FROM scope_nodes WHERE
-- path >= … AND path < …)") read each of the park's 200-odd nodes from
-- the table for its id, on every page and every count — the most part of
-- a service staff's count of their park's submitted requests. The index
-- now holds the id.
DROP INDEX scope_nodes_path;
CREATE INDEX scope_nodes_path ON scope_nodes(path, id);
