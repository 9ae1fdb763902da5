-- 014: the role escd serves as. Migrations run as the owner of the schema;
-- `escd run` connects as a login role that owns nothing and holds only the
-- privileges below, so the append-only event log, the constraints and the
-- triggers bind escd too: it cannot alter, drop or truncate a table, create
-- one, or rewrite what it may only append. `escd init` and `escd migrate`
-- create that role (--app-user, default escd_app) and call esc_grant_app.
--
-- esc_grant_app is the one place that lists escd's privileges. A migration
-- that adds a table, view or sequence replaces this function (CREATE OR
-- REPLACE) with the new relation listed; until then esc_grant_app refuses to
-- run, naming it, so no relation is left without a decision.

CREATE FUNCTION esc_grant_app(app name) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    -- the schema of escd's tables: where this migration put schema_migration
    ns CONSTANT oid := (SELECT relnamespace FROM pg_class
                         WHERE oid = 'schema_migration'::regclass);
    rel record;
BEGIN
    FOR rel IN
        SELECT c.oid::regclass AS name, c.relkind, g.privileges
          FROM pg_class c
          LEFT JOIN (VALUES
              -- relation            what escd run may do to it
              ('app_user',           'SELECT, INSERT, UPDATE'),  -- added, revoked, re-keyed
              ('user_role',          'SELECT, INSERT'),
              ('quarter',            'SELECT, INSERT, UPDATE'),  -- opened, closed
              ('account',            'SELECT, INSERT, UPDATE'),  -- an import updates ARR, renewal
              ('roadmap_item',       'SELECT, INSERT, UPDATE'),  -- postponed
              ('roadmap_waiting',    'SELECT, INSERT'),
              ('escalation',         'SELECT, INSERT, UPDATE'),  -- its state moves
              ('escalation_account', 'SELECT, INSERT'),
              ('sizing',             'SELECT, INSERT'),
              ('displacement',       'SELECT, INSERT'),
              ('token_spend',        'SELECT, INSERT'),          -- a spend is never undone
              ('override',           'SELECT, INSERT'),
              ('postponement',       'SELECT, INSERT'),
              ('merge',              'SELECT, INSERT, UPDATE'),  -- an unmerge stamps the row
              ('delivery',           'SELECT, INSERT'),
              ('outcome',            'SELECT, INSERT'),
              ('event_counter',      'SELECT, UPDATE'),          -- the sequence lock
              ('event',              'SELECT, INSERT'),          -- append-only
              ('request_log',        'SELECT, INSERT, DELETE'),  -- old answers are pruned
              ('schema_migration',   'SELECT'),                  -- are migrations pending?
              ('escalation_view',    'SELECT'),
              ('quarter_view',       'SELECT'),
              -- the sequences behind bigserial ids: nextval
              ('account_id_seq',      'USAGE'),
              ('roadmap_item_id_seq', 'USAGE'),
              ('escalation_id_seq',   'USAGE'),
              ('sizing_id_seq',       'USAGE'),
              ('merge_id_seq',        'USAGE')
          ) g (relname, privileges) ON g.relname = c.relname
         WHERE c.relnamespace = ns
           AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           -- an extension's objects are the extension's business
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                              AND d.deptype = 'e')
         ORDER BY c.relname
    LOOP
        IF rel.privileges IS NULL THEN
            RAISE EXCEPTION 'esc_grant_app lists no privileges for %: a migration that adds a relation must list it there', rel.name
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        -- revoke first, so a privilege dropped from the list goes
        EXECUTE format('REVOKE ALL ON %s %s FROM %I',
                       CASE rel.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, rel.name, app);
        EXECUTE format('GRANT %s ON %s %s TO %I', rel.privileges,
                       CASE rel.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, rel.name, app);
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

-- Only the owner grants.
REVOKE EXECUTE ON FUNCTION esc_grant_app(name) FROM PUBLIC;
