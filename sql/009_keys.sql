-- 009: key management. A user is revoked, never deleted (events name their
-- actors for good); a revoked user's key is refused at the next
-- connection. The database itself keeps one active admin at least.

ALTER TABLE app_user
    ADD COLUMN revoked_at timestamptz,
    ADD COLUMN revoked_by text REFERENCES app_user (name),
    ADD CHECK ((revoked_at IS NULL) = (revoked_by IS NULL));

-- Raised when a change would leave no active admin, though there was one.
CREATE FUNCTION keep_an_admin() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- only the removal of an admin can leave none
    IF TG_TABLE_NAME = 'app_user'
       AND NOT EXISTS (SELECT 1 FROM user_role WHERE user_name = OLD.name AND role = 'admin') THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM app_user u JOIN user_role r ON r.user_name = u.name
                    WHERE r.role = 'admin' AND u.revoked_at IS NULL) THEN
        RAISE EXCEPTION 'the last active admin cannot be removed'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'keep_an_admin';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER keep_an_admin_on_revoke AFTER UPDATE OF revoked_at ON app_user
    FOR EACH ROW
    WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION keep_an_admin();

CREATE TRIGGER keep_an_admin_on_role AFTER DELETE ON user_role
    FOR EACH ROW WHEN (OLD.role = 'admin')
    EXECUTE FUNCTION keep_an_admin();
