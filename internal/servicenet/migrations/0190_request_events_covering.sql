-- A request's timeline from its index alone: every get and list carries
-- each request's timeline (API.md's `timeline`), and the index on
-- (request_id, at, id) held none of an event's other fields, so each event
-- was then read from the table — a closed request's six events six reads
-- scattered through 1.3 million rows, 300 for a list of 50. The index now
-- holds them (a plain composite index: SQLite has no INCLUDE).
DROP INDEX service_request_events_request;
CREATE INDEX service_request_events_request ON service_request_events(request_id, at, id, actor_id, action, note);
