-- q counts its matches over the whole zone: with (zone_id, search_key) in
-- one index the count reads the index alone instead of every row (at zone
-- scale on SQLite, 45 ms instead of 600 ms and more).
CREATE INDEX people_search ON people(zone_id, search_key);
