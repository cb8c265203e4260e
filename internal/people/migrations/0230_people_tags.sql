-- A person's tags, as a column of the row: sorted, joined by the unit
-- separator (U+001F, which valid.Name refuses in a tag), '' for none. The
-- row was read with a subquery over person_tags for every person shown —
-- one more B-tree descent per person of a get and of each list's 50 rows,
-- a fifth of a person's statement alone (docs/scaling.md, "What each row
-- shows, on the row"). person_tags stays the tags' record, and the tag
-- filter reads it.
--
-- Triggers on person_tags keep the column, whoever writes the tags (the
-- people domain, the generator's bulk load), as migration 0210 keeps the
-- names.
ALTER TABLE people ADD COLUMN tags TEXT NOT NULL DEFAULT '';

-- dialect: sqlite
UPDATE people SET tags = COALESCE((SELECT string_agg(t.tag, char(31) ORDER BY t.tag) FROM person_tags t WHERE t.person_id = people.id), '')
WHERE id IN (SELECT person_id FROM person_tags);
CREATE TRIGGER person_tags_row_insert AFTER INSERT ON person_tags BEGIN
    UPDATE people SET tags = COALESCE((SELECT string_agg(t.tag, char(31) ORDER BY t.tag) FROM person_tags t WHERE t.person_id = NEW.person_id), '')
    WHERE id = NEW.person_id;
END;
CREATE TRIGGER person_tags_row_delete AFTER DELETE ON person_tags BEGIN
    UPDATE people SET tags = COALESCE((SELECT string_agg(t.tag, char(31) ORDER BY t.tag) FROM person_tags t WHERE t.person_id = OLD.person_id), '')
    WHERE id = OLD.person_id;
END;
CREATE TRIGGER person_tags_row_update AFTER UPDATE ON person_tags BEGIN
    UPDATE people SET tags = COALESCE((SELECT string_agg(t.tag, char(31) ORDER BY t.tag) FROM person_tags t WHERE t.person_id = people.id), '')
    WHERE id IN (OLD.person_id, NEW.person_id);
END;
-- dialect: postgres
UPDATE people SET tags = COALESCE((SELECT string_agg(t.tag, chr(31) ORDER BY t.tag) FROM person_tags t WHERE t.person_id = people.id), '')
WHERE id IN (SELECT person_id FROM person_tags);
CREATE FUNCTION person_tags_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE people SET tags = COALESCE((SELECT string_agg(t.tag, chr(31) ORDER BY t.tag) FROM person_tags t WHERE t.person_id = OLD.person_id), '')
        WHERE id = OLD.person_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE people SET tags = COALESCE((SELECT string_agg(t.tag, chr(31) ORDER BY t.tag) FROM person_tags t WHERE t.person_id = NEW.person_id), '')
        WHERE id = NEW.person_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER person_tags_row AFTER INSERT OR UPDATE OR DELETE ON person_tags
    FOR EACH ROW EXECUTE FUNCTION person_tags_row();
-- dialect: all
