-- An activity's and a post's registered and waitlisted sign-ups, kept as
-- counts on their rows by triggers, so that a sign-up (which decides on
-- them while holding the activity's lock) and every listing read them in
-- one row instead of counting the sign-ups (a count that grew with the
-- activity: at 2,000 sign-ups it was most of a sign-up's time). Triggers,
-- not the store's code, keep them, so that every writer of sign-ups —
-- `tongxin gen` included — keeps them right.
ALTER TABLE activities ADD COLUMN registered_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE activities ADD COLUMN waitlisted_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE activity_posts ADD COLUMN registered_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE activity_posts ADD COLUMN waitlisted_count BIGINT NOT NULL DEFAULT 0;
UPDATE activities SET
    registered_count = (SELECT COUNT(*) FROM activity_signups s WHERE s.activity_id = activities.id AND s.status = 'registered'),
    waitlisted_count = (SELECT COUNT(*) FROM activity_signups s WHERE s.activity_id = activities.id AND s.status = 'waitlisted');
UPDATE activity_posts SET
    registered_count = (SELECT COUNT(*) FROM activity_signups s WHERE s.post_id = activity_posts.id AND s.status = 'registered'),
    waitlisted_count = (SELECT COUNT(*) FROM activity_signups s WHERE s.post_id = activity_posts.id AND s.status = 'waitlisted');

-- dialect: sqlite
CREATE TRIGGER activity_signups_count_insert AFTER INSERT ON activity_signups BEGIN
    UPDATE activities SET registered_count = registered_count + (NEW.status = 'registered'),
        waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted') WHERE id = NEW.activity_id;
    UPDATE activity_posts SET registered_count = registered_count + (NEW.status = 'registered'),
        waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted') WHERE id = NEW.post_id;
END;
CREATE TRIGGER activity_signups_count_delete AFTER DELETE ON activity_signups BEGIN
    UPDATE activities SET registered_count = registered_count - (OLD.status = 'registered'),
        waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted') WHERE id = OLD.activity_id;
    UPDATE activity_posts SET registered_count = registered_count - (OLD.status = 'registered'),
        waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted') WHERE id = OLD.post_id;
END;
CREATE TRIGGER activity_signups_count_update AFTER UPDATE OF status, post_id, activity_id ON activity_signups BEGIN
    UPDATE activities SET registered_count = registered_count - (OLD.status = 'registered'),
        waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted') WHERE id = OLD.activity_id;
    UPDATE activity_posts SET registered_count = registered_count - (OLD.status = 'registered'),
        waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted') WHERE id = OLD.post_id;
    UPDATE activities SET registered_count = registered_count + (NEW.status = 'registered'),
        waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted') WHERE id = NEW.activity_id;
    UPDATE activity_posts SET registered_count = registered_count + (NEW.status = 'registered'),
        waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted') WHERE id = NEW.post_id;
END;
-- dialect: postgres
CREATE FUNCTION activity_signups_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE activities SET registered_count = registered_count - (OLD.status = 'registered')::int,
            waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted')::int WHERE id = OLD.activity_id;
        IF OLD.post_id IS NOT NULL THEN
            UPDATE activity_posts SET registered_count = registered_count - (OLD.status = 'registered')::int,
                waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted')::int WHERE id = OLD.post_id;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE activities SET registered_count = registered_count + (NEW.status = 'registered')::int,
            waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted')::int WHERE id = NEW.activity_id;
        IF NEW.post_id IS NOT NULL THEN
            UPDATE activity_posts SET registered_count = registered_count + (NEW.status = 'registered')::int,
                waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted')::int WHERE id = NEW.post_id;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER activity_signups_count AFTER INSERT OR DELETE OR UPDATE OF status, post_id, activity_id ON activity_signups
    FOR EACH ROW EXECUTE FUNCTION activity_signups_count();
-- dialect: all
