-- Party members of a zone (is_member, about one person in eight), with
-- the columns the park and organisation filters test, so counting the
-- members of a park reads this index alone rather than 100,000 rows.
CREATE INDEX people_party ON people(zone_id, party_status, enterprise_id, org_id);
