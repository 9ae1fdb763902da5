-- 018: what a one-off really cost ("probably only ten lines of code"; "we'll
-- have to support that forever"):
--   * the hours sales claimed when filing (claimed_hours), beside the hours
--     product sized and the hours delivery took;
--   * support: maintenance spent on a delivered one-off in its own or any
--     later quarter, counted as one-off work in the quarter it is spent;
--   * one basis for a one-off's hours everywhere: its actual hours once
--     delivered or stopped, its sized hours before (quarter_view's
--     committed_hours, which the budget check reads, and the report).
-- The views that show them are restated once, in 020 (quarter_view) and
-- 022 (escalation_view), with what the migrations up to them add.

ALTER TABLE escalation ADD COLUMN claimed_hours integer CHECK (claimed_hours > 0);

CREATE TABLE support (
    id            bigserial PRIMARY KEY,
    escalation_id bigint NOT NULL REFERENCES escalation (id),
    quarter       text NOT NULL REFERENCES quarter (name),
    hours         integer NOT NULL CHECK (hours > 0),
    note          text CHECK (length(btrim(note)) > 0),
    recorded_by   text NOT NULL REFERENCES app_user (name),
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_quarter ON support (quarter);
CREATE INDEX support_escalation ON support (escalation_id);

-- escd's privileges as data, from here on: a migration that adds a
-- relation adds its row to app_grant (what escd run may do to it; '' for
-- nothing), and esc_grant_app, which escd migrate runs after the
-- migrations, grants what the table says. The list is 016's, with support.
CREATE TABLE app_grant (
    relname    name PRIMARY KEY,
    privileges text NOT NULL
);
INSERT INTO app_grant (relname, privileges) VALUES
    ('app_user', 'SELECT, INSERT, UPDATE'),          -- added, revoked, re-keyed
    ('user_role', 'SELECT, INSERT'),
    ('quarter', 'SELECT, INSERT, UPDATE'),           -- opened, closed
    ('account', 'SELECT, INSERT, UPDATE'),           -- an import, account set
    ('roadmap_item', 'SELECT, INSERT, UPDATE'),      -- postponed, roadmap set
    ('roadmap_waiting', 'SELECT, INSERT, DELETE'),   -- roadmap set replaces them
    ('escalation', 'SELECT, INSERT, UPDATE'),        -- its state moves
    ('escalation_account', 'SELECT, INSERT, DELETE'), -- an edit replaces them
    ('sizing', 'SELECT, INSERT'),
    ('displacement', 'SELECT, INSERT'),
    ('token_spend', 'SELECT, INSERT'),               -- a spend is never undone
    ('override', 'SELECT, INSERT'),
    ('postponement', 'SELECT, INSERT'),
    ('merge', 'SELECT, INSERT, UPDATE'),             -- an unmerge stamps the row
    ('delivery', 'SELECT, INSERT, UPDATE'),          -- its hours corrected
    ('outcome', 'SELECT, INSERT, UPDATE'),           -- corrected
    ('stoppage', 'SELECT, INSERT, UPDATE'),          -- its hours corrected
    ('support', 'SELECT, INSERT'),                   -- support of a one-off
    ('event_counter', 'SELECT, UPDATE'),             -- the sequence lock
    ('event', 'SELECT, INSERT'),                     -- append-only
    ('request_log', 'SELECT, INSERT, DELETE'),       -- old answers are pruned
    ('schema_migration', 'SELECT'),                  -- are migrations pending?
    ('escalation_view', 'SELECT'),
    ('quarter_view', 'SELECT'),
    ('account_id_seq', 'USAGE'),
    ('roadmap_item_id_seq', 'USAGE'),
    ('escalation_id_seq', 'USAGE'),
    ('sizing_id_seq', 'USAGE'),
    ('merge_id_seq', 'USAGE'),
    ('support_id_seq', 'USAGE');
INSERT INTO app_grant (relname, privileges) VALUES
    ('app_grant', '');                                 -- escd run reads none of it

CREATE OR REPLACE FUNCTION esc_grant_app(app name) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    -- the schema of escd's tables: where this migration put schema_migration
    ns CONSTANT oid := (SELECT relnamespace FROM pg_class
                         WHERE oid = 'schema_migration'::regclass);
    rel record;
BEGIN
    FOR rel IN
        SELECT c.oid::regclass AS name, c.relkind, g.privileges
          FROM pg_class c
          LEFT JOIN app_grant g ON g.relname = c.relname
         WHERE c.relnamespace = ns
           AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           -- an extension's objects are the extension's business
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                              AND d.deptype = 'e')
         ORDER BY c.relname
    LOOP
        IF rel.privileges IS NULL THEN
            RAISE EXCEPTION 'esc_grant_app lists no privileges for %: a migration that adds a relation must add its row to app_grant', rel.name
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        -- revoke first, so a privilege dropped from the list goes
        EXECUTE format('REVOKE ALL ON %s %s FROM %I',
                       CASE rel.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, rel.name, app);
        IF rel.privileges <> '' THEN
            EXECUTE format('GRANT %s ON %s %s TO %I', rel.privileges,
                           CASE rel.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, rel.name, app);
        END IF;
    END LOOP;

    -- What PostgreSQL grants everyone by default and escd needs no more
    -- than anyone: no temporary tables, no new objects in the schema
    -- (PostgreSQL 15 no longer grants CREATE there; older clusters did).
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM %I', current_database(), app);
    EXECUTE format('REVOKE CREATE ON SCHEMA %s FROM PUBLIC', ns::regnamespace);
    EXECUTE format('REVOKE CREATE ON SCHEMA %s FROM %I', ns::regnamespace, app);
    -- what escd does need, granted to it by name rather than left to PUBLIC
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), app);
    EXECUTE format('GRANT USAGE ON SCHEMA %s TO %I', ns::regnamespace, app);
END
$$;

