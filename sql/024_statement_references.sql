-- 024: what a filing names, checked once per statement instead of once per
-- row. A filing writes an escalation, an event and a request log entry;
-- their seven foreign keys each ran a query of their own per row, about a
-- quarter of the database's time when filings come in batches (escd files
-- a batch in one statement per table). The same rules now hold through
-- triggers:
--
-- * a statement that inserts escalations, events or request log entries
--   is refused, as a whole, if one of its rows names a user, quarter,
--   account or escalation that does not exist (one query per statement);
--   an update that changes what a row names is checked the same way;
-- * a user, quarter, account or escalation that such rows name may not be
--   deleted, truncated, nor have its key changed. Deleting one first takes
--   SHARE locks on the naming tables (escalation, event, request_log, the
--   order escd writes them in): it waits for the writers in flight and
--   holds off new ones, so the check that follows sees every row that
--   names it. Such a change is rare and by hand; escd_app may not delete
--   these rows at all.
--
-- Every other foreign key stays as it was.

ALTER TABLE escalation DROP CONSTRAINT escalation_account_id_fkey,
                       DROP CONSTRAINT escalation_filer_fkey,
                       DROP CONSTRAINT escalation_quarter_fkey;
ALTER TABLE event DROP CONSTRAINT event_actor_fkey,
                  DROP CONSTRAINT event_quarter_fkey,
                  DROP CONSTRAINT event_escalation_id_fkey;
ALTER TABLE request_log DROP CONSTRAINT request_log_user_name_fkey;

-- The refusal when rows name what does not exist: WHAT (e.g. "user 'x'")
-- was named by a row of TG_TABLE_NAME.
CREATE FUNCTION esc_refuse_missing(what text, tab text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE foreign_key_violation USING
        MESSAGE = format('insert or update on table "%s" violates its references: %s does not exist',
                         tab, what);
END $$;

-- The rows a statement inserted (transition table named) that name what
-- does not exist: escalations their account, filer and quarter; events
-- their actor, and quarter and escalation when given; request log entries
-- their user. One query per statement, its plan kept per table.
CREATE FUNCTION esc_inserted_names() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    IF TG_TABLE_NAME = 'escalation' THEN
        SELECT CASE WHEN a.id IS NULL THEN format('account %s', n.account_id)
                    WHEN u.name IS NULL THEN format('user %L', n.filer)
                    ELSE format('quarter %L', n.quarter) END
          INTO missing
          FROM named n
          LEFT JOIN account a ON a.id = n.account_id
          LEFT JOIN app_user u ON u.name = n.filer
          LEFT JOIN quarter q ON q.name = n.quarter
         WHERE a.id IS NULL OR u.name IS NULL OR q.name IS NULL
         LIMIT 1;
    ELSIF TG_TABLE_NAME = 'event' THEN
        SELECT CASE WHEN u.name IS NULL THEN format('user %L', n.actor)
                    WHEN n.quarter IS NOT NULL AND q.name IS NULL
                    THEN format('quarter %L', n.quarter)
                    ELSE format('escalation %s', n.escalation_id) END
          INTO missing
          FROM named n
          LEFT JOIN app_user u ON u.name = n.actor
          LEFT JOIN quarter q ON q.name = n.quarter
          LEFT JOIN escalation e ON e.id = n.escalation_id
         WHERE u.name IS NULL OR (n.quarter IS NOT NULL AND q.name IS NULL)
            OR (n.escalation_id IS NOT NULL AND e.id IS NULL)
         LIMIT 1;
    ELSE                        -- request_log
        SELECT format('user %L', n.user_name) INTO missing
          FROM named n LEFT JOIN app_user u ON u.name = n.user_name
         WHERE u.name IS NULL
         LIMIT 1;
    END IF;
    IF FOUND THEN
        PERFORM esc_refuse_missing(missing, TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER escalation_names AFTER INSERT ON escalation
    REFERENCING NEW TABLE AS named FOR EACH STATEMENT EXECUTE FUNCTION esc_inserted_names();
CREATE TRIGGER event_names AFTER INSERT ON event
    REFERENCING NEW TABLE AS named FOR EACH STATEMENT EXECUTE FUNCTION esc_inserted_names();
CREATE TRIGGER request_log_names AFTER INSERT ON request_log
    REFERENCING NEW TABLE AS named FOR EACH STATEMENT EXECUTE FUNCTION esc_inserted_names();

-- An update that changes what a row names (rare: an escalation moved to
-- another quarter, or to another account); TG_ARGV holds triples: the
-- column, the table it names and that table's key.
CREATE FUNCTION esc_names_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    found boolean;
BEGIN
    FOR i IN 0 .. TG_NARGS - 1 BY 3 LOOP
        EXECUTE format('SELECT ($1).%1$I IS NULL OR EXISTS (SELECT FROM %2$I WHERE %3$I = ($1).%1$I)',
                       TG_ARGV[i], TG_ARGV[i + 1], TG_ARGV[i + 2])
            INTO found USING NEW;
        IF NOT found THEN
            PERFORM esc_refuse_missing(format('%s %s', TG_ARGV[i + 1], to_jsonb(NEW) ->> TG_ARGV[i]),
                                       TG_TABLE_NAME);
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER escalation_names_changed AFTER UPDATE OF account_id, filer, quarter ON escalation
    FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id
                       OR OLD.filer IS DISTINCT FROM NEW.filer
                       OR OLD.quarter IS DISTINCT FROM NEW.quarter)
    EXECUTE FUNCTION esc_names_exist('account_id', 'account', 'id', 'filer', 'app_user', 'name',
                                     'quarter', 'quarter', 'name');
CREATE TRIGGER request_log_names_changed AFTER UPDATE OF user_name ON request_log
    FOR EACH ROW WHEN (OLD.user_name IS DISTINCT FROM NEW.user_name)
    EXECUTE FUNCTION esc_names_exist('user_name', 'app_user', 'name');

-- The other side: a row named by others going, or changing its key.
-- TG_ARGV: the key column, then pairs of a naming table and its column.
-- Run as the schema's owner: the locks need rights escd_app does not have.
-- BEFORE a DELETE or TRUNCATE statement: the locks. AFTER a DELETE
-- statement (gone: the rows deleted), BEFORE a TRUNCATE, BEFORE a row's
-- key changes: the check.
CREATE FUNCTION esc_still_named() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public AS $$
DECLARE
    tables text := '';
    named text;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        -- the check must see the rows others committed while it waited
        RAISE object_in_use USING MESSAGE = format(
            'rows of %s that others may name are deleted or re-keyed only in a READ COMMITTED transaction',
            TG_TABLE_NAME);
    END IF;
    FOR i IN 1 .. TG_NARGS - 1 BY 2 LOOP
        tables := tables || CASE WHEN i > 1 THEN ', ' ELSE '' END || quote_ident(TG_ARGV[i]);
    END LOOP;
    IF TG_WHEN = 'BEFORE' THEN
        -- the event lock first, as every escd batch that writes takes it
        -- first: the change waits for the batch in flight and never
        -- deadlocks with one; then the tables, for writers by hand
        PERFORM FROM event_counter FOR UPDATE;
        EXECUTE 'LOCK TABLE ' || tables || ' IN SHARE MODE';
        IF TG_OP = 'DELETE' THEN
            RETURN NULL;        -- the check comes after the statement
        END IF;
    END IF;
    FOR i IN 1 .. TG_NARGS - 1 BY 2 LOOP
        IF TG_OP = 'TRUNCATE' THEN
            EXECUTE format('SELECT %L FROM %I LIMIT 1', 'rows of ' || TG_TABLE_NAME, TG_ARGV[i])
                INTO named;
        ELSIF TG_OP = 'DELETE' THEN
            EXECUTE format('SELECT %4$L || '' '' || g.%1$I FROM gone g WHERE EXISTS (SELECT FROM %2$I r WHERE r.%3$I = g.%1$I) LIMIT 1',
                           TG_ARGV[0], TG_ARGV[i], TG_ARGV[i + 1], TG_TABLE_NAME) INTO named;
        ELSE
            EXECUTE format('SELECT %4$L || '' '' || ($1).%1$I WHERE EXISTS (SELECT FROM %2$I r WHERE r.%3$I = ($1).%1$I)',
                           TG_ARGV[0], TG_ARGV[i], TG_ARGV[i + 1], TG_TABLE_NAME) INTO named USING OLD;
        END IF;
        IF named IS NOT NULL THEN
            RAISE foreign_key_violation USING MESSAGE = format(
                '%s on table "%s" violates its references: table "%s" still names %s',
                lower(TG_OP), TG_TABLE_NAME, TG_ARGV[i], named);
        END IF;
    END LOOP;
    RETURN CASE WHEN TG_LEVEL = 'ROW' THEN NEW END;
END $$;

DO $$
DECLARE
    -- each named table, its key, and who names it (in the order escd writes)
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
            ('app_user', 'name', '''escalation'', ''filer'', ''event'', ''actor'', ''request_log'', ''user_name'''),
            ('quarter', 'name', '''escalation'', ''quarter'', ''event'', ''quarter'''),
            ('account', 'id', '''escalation'', ''account_id'''),
            ('escalation', 'id', '''event'', ''escalation_id''')) v (tab, key, naming)
    LOOP
        EXECUTE format('CREATE TRIGGER %1$s_named_before_delete BEFORE DELETE ON %1$I FOR EACH STATEMENT '
                       'EXECUTE FUNCTION esc_still_named(%2$L, %3$s)', t.tab, t.key, t.naming);
        EXECUTE format('CREATE TRIGGER %1$s_named_after_delete AFTER DELETE ON %1$I REFERENCING OLD TABLE AS gone '
                       'FOR EACH STATEMENT EXECUTE FUNCTION esc_still_named(%2$L, %3$s)', t.tab, t.key, t.naming);
        EXECUTE format('CREATE TRIGGER %1$s_named_truncate BEFORE TRUNCATE ON %1$I FOR EACH STATEMENT '
                       'EXECUTE FUNCTION esc_still_named(%2$L, %3$s)', t.tab, t.key, t.naming);
        EXECUTE format('CREATE TRIGGER %1$s_named_rekey BEFORE UPDATE OF %2$I ON %1$I FOR EACH ROW '
                       'WHEN (OLD.%2$I IS DISTINCT FROM NEW.%2$I) '
                       'EXECUTE FUNCTION esc_still_named(%2$L, %3$s)', t.tab, t.key, t.naming);
    END LOOP;
END $$;
