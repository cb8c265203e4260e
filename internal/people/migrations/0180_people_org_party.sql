-- An organisation's members by party status, with the dates the
-- out-of-contact warning tests: an organisation's get and the warnings
-- report count its full and probationary members and those out of contact
-- from this index alone, instead of reading each member's row (three
-- passes over rows scattered through the table; people_org orders by id
-- and holds neither column).
CREATE INDEX people_org_party ON people(org_id, party_status, last_contact_on, joined_on);
