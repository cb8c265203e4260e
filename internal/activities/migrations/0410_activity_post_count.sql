-- How many posts an activity has, kept on its row by triggers on the
-- posts in the same transaction: a page of activities asks for the posts
-- of those that have some, and none at all when no activity of the page
-- has one (most activities have no posts). The statement reading the
-- posts of a page of 50 by their activities' ids was an eighth of
-- activities?status's CPU on the zone database, where no activity has a
-- post (docs/scaling.md, stop 31).
ALTER TABLE activities ADD COLUMN post_count BIGINT NOT NULL DEFAULT 0;
UPDATE activities SET post_count = (SELECT COUNT(*) FROM activity_posts p WHERE p.activity_id = activities.id)
    WHERE id IN (SELECT activity_id FROM activity_posts);

-- dialect: sqlite
CREATE TRIGGER activity_post_count_insert AFTER INSERT ON activity_posts BEGIN
    UPDATE activities SET post_count = post_count + 1 WHERE id = NEW.activity_id;
END;
CREATE TRIGGER activity_post_count_delete AFTER DELETE ON activity_posts BEGIN
    UPDATE activities SET post_count = post_count - 1 WHERE id = OLD.activity_id;
END;
CREATE TRIGGER activity_post_count_update AFTER UPDATE OF activity_id ON activity_posts
WHEN OLD.activity_id IS NOT NEW.activity_id BEGIN
    UPDATE activities SET post_count = post_count - 1 WHERE id = OLD.activity_id;
    UPDATE activities SET post_count = post_count + 1 WHERE id = NEW.activity_id;
END;
-- dialect: postgres
CREATE FUNCTION activity_post_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.activity_id = NEW.activity_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE activities SET post_count = post_count - 1 WHERE id = OLD.activity_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE activities SET post_count = post_count + 1 WHERE id = NEW.activity_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER activity_post_count AFTER INSERT OR DELETE OR UPDATE OF activity_id ON activity_posts
    FOR EACH ROW EXECUTE FUNCTION activity_post_count();
-- dialect: all
