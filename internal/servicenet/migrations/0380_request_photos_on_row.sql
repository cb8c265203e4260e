-- A request's photo ids on its row, separated by U+001F as requests.go's
-- scanFull reads them, kept by triggers on the photos in the same
-- transaction, like its timeline (migration 0270). Every get and every
-- row of a list carried them from a correlated subquery, one search of
-- service_request_photos' index per request even when, as for most, it
-- has none: a tenth of a page's statement (the staff's submitted
-- requests on the zone database, 270 → 245 µs alone). Photos are only
-- ever added; one deleted or changed by hand packs its request's ids anew.
ALTER TABLE service_requests ADD COLUMN photo_ids TEXT NOT NULL DEFAULT '';

-- dialect: sqlite
UPDATE service_requests SET photo_ids = COALESCE((SELECT string_agg(p.id, char(31)) FROM service_request_photos p WHERE p.request_id = service_requests.id), '')
    WHERE id IN (SELECT request_id FROM service_request_photos);
CREATE TRIGGER request_photos_insert AFTER INSERT ON service_request_photos BEGIN
    UPDATE service_requests SET photo_ids = CASE WHEN photo_ids = '' THEN '' ELSE photo_ids || char(31) END || NEW.id
        WHERE id = NEW.request_id;
END;
CREATE TRIGGER request_photos_delete AFTER DELETE ON service_request_photos BEGIN
    UPDATE service_requests SET photo_ids = COALESCE((SELECT string_agg(p.id, char(31)) FROM service_request_photos p WHERE p.request_id = service_requests.id), '')
        WHERE id = OLD.request_id;
END;
CREATE TRIGGER request_photos_update AFTER UPDATE OF id, request_id ON service_request_photos BEGIN
    UPDATE service_requests SET photo_ids = COALESCE((SELECT string_agg(p.id, char(31)) FROM service_request_photos p WHERE p.request_id = service_requests.id), '')
        WHERE id IN (OLD.request_id, NEW.request_id);
END;
-- dialect: postgres
UPDATE service_requests SET photo_ids = COALESCE((SELECT string_agg(p.id, chr(31)) FROM service_request_photos p WHERE p.request_id = service_requests.id), '')
    WHERE id IN (SELECT request_id FROM service_request_photos);
CREATE FUNCTION request_photos() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE service_requests SET photo_ids = CASE WHEN photo_ids = '' THEN '' ELSE photo_ids || chr(31) END || NEW.id
            WHERE id = NEW.request_id;
        RETURN NULL;
    END IF;
    UPDATE service_requests SET photo_ids = COALESCE((SELECT string_agg(p.id, chr(31)) FROM service_request_photos p WHERE p.request_id = service_requests.id), '')
        WHERE id = OLD.request_id;
    IF TG_OP = 'UPDATE' AND NEW.request_id <> OLD.request_id THEN
        UPDATE service_requests SET photo_ids = COALESCE((SELECT string_agg(p.id, chr(31)) FROM service_request_photos p WHERE p.request_id = service_requests.id), '')
            WHERE id = NEW.request_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER request_photos AFTER INSERT OR DELETE OR UPDATE OF id, request_id ON service_request_photos
    FOR EACH ROW EXECUTE FUNCTION request_photos();
-- dialect: all
