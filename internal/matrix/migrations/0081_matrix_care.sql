-- Talent and employee-care items (mentoring pairs, project teams,
-- mutual-aid disbursements, childcare classes) count in the matrix too:
-- each is tagged with its function and added where it is organised.
ALTER TABLE matrix_facts ADD COLUMN care_items BIGINT NOT NULL DEFAULT 0;
