-- 023: a version of who holds which key with which roles, beside the event
-- head: escd remembers identities between requests and asks again only when
-- this number moved (the statement that takes the sequence lock, or opens a
-- read batch, returns it). A trigger keeps it, so that no change to users,
-- through escd or by hand, can leave an escd trusting a key that went.

ALTER TABLE event_counter ADD COLUMN users_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION esc_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE event_counter SET users_version = users_version + 1;
    RETURN NULL;                -- a statement trigger's result is not used
END $$;

-- BEFORE the statement: the counter's row is locked before any user's row,
-- in the order escd takes them (a change by hand waits, never deadlocks)
CREATE TRIGGER app_user_changed BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON app_user
    FOR EACH STATEMENT EXECUTE FUNCTION esc_users_changed();
CREATE TRIGGER user_role_changed BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_role
    FOR EACH STATEMENT EXECUTE FUNCTION esc_users_changed();
