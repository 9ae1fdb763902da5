-- 006: the database ties every approval to one means and one quarter, and
-- keeps the event log append-only.
--
-- escalation.approved_via names how an escalation was approved; a token
-- spend or an override may only exist for an escalation approved that way
-- (the composite foreign keys), so no escalation is approved by both, and a
-- token is spent only on an escalation of its own quarter.

ALTER TABLE escalation ADD COLUMN approved_via text
    CHECK (approved_via IN ('token', 'override'));
UPDATE escalation e SET approved_via = CASE
    WHEN EXISTS (SELECT 1 FROM token_spend t WHERE t.escalation_id = e.id) THEN 'token'
    WHEN EXISTS (SELECT 1 FROM override o WHERE o.escalation_id = e.id) THEN 'override' END;
ALTER TABLE escalation
    ADD CONSTRAINT escalation_approved_has_means
        CHECK (approved_via IS NOT NULL OR state NOT IN ('approved', 'delivered', 'closed')),
    ADD UNIQUE (id, approved_via),
    ADD UNIQUE (id, quarter);

ALTER TABLE token_spend
    ADD COLUMN via text NOT NULL DEFAULT 'token' CHECK (via = 'token'),
    ADD FOREIGN KEY (escalation_id, via) REFERENCES escalation (id, approved_via),
    ADD FOREIGN KEY (escalation_id, quarter) REFERENCES escalation (id, quarter);

ALTER TABLE override
    ADD COLUMN via text NOT NULL DEFAULT 'override' CHECK (via = 'override'),
    ADD FOREIGN KEY (escalation_id, via) REFERENCES escalation (id, approved_via);

-- Events are the record: nothing rewrites or removes one.
CREATE FUNCTION event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER event_no_update_or_delete BEFORE UPDATE OR DELETE ON event
    FOR EACH ROW EXECUTE FUNCTION event_is_append_only();
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event
    FOR EACH STATEMENT EXECUTE FUNCTION event_is_append_only();
