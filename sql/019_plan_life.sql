-- 019: the plan's life ("at the end of the quarter, we wonder why so few
-- planned roadmap items were shipped"):
--   * a quarter's plan is committed once: the roadmap items planned at that
--     moment are its baseline, frozen with their hours (plan_baseline);
--     items of the quarter outside it were added after the commit;
--   * a roadmap item is done, with the hours it took, or moved into a later
--     quarter with its waiting customers, remembering every quarter it was
--     pushed from (roadmap_move).

ALTER TABLE quarter
    ADD COLUMN plan_committed_at timestamptz,
    ADD COLUMN plan_committed_by text REFERENCES app_user (name),
    ADD CONSTRAINT quarter_plan_committed_by
        CHECK ((plan_committed_at IS NULL) = (plan_committed_by IS NULL));

-- The plan the executives agreed: each item planned at the commit, with the
-- hours it was planned at then. Written once; the app role may not change it.
CREATE TABLE plan_baseline (
    quarter         text NOT NULL REFERENCES quarter (name),
    roadmap_item_id bigint NOT NULL REFERENCES roadmap_item (id),
    hours           integer NOT NULL CHECK (hours > 0),
    PRIMARY KEY (quarter, roadmap_item_id)
);

ALTER TABLE roadmap_item
    ADD COLUMN actual_hours integer CHECK (actual_hours > 0),
    ADD COLUMN done_by text REFERENCES app_user (name),
    ADD COLUMN done_at timestamptz,
    ADD CONSTRAINT roadmap_item_done
        CHECK ((state = 'done') = (done_at IS NOT NULL)
               AND (actual_hours IS NULL OR state = 'done'));

-- Every move of an item into a later quarter, once from each quarter.
CREATE TABLE roadmap_move (
    roadmap_item_id bigint NOT NULL REFERENCES roadmap_item (id),
    from_quarter    text NOT NULL REFERENCES quarter (name),
    to_quarter      text NOT NULL REFERENCES quarter (name),
    moved_by        text NOT NULL REFERENCES app_user (name),
    moved_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (roadmap_item_id, from_quarter),
    CHECK (to_quarter > from_quarter)
);

-- An item carried into a later quarter may be postponed there again, by
-- another escalation: one postponement per item and escalation.
ALTER TABLE postponement
    DROP CONSTRAINT postponement_pkey,
    ADD PRIMARY KEY (roadmap_item_id, escalation_id);

-- quarter_view as 018 left it, with the time of the plan's commit.
CREATE OR REPLACE VIEW quarter_view AS
SELECT q.name, q.starts_on::text AS starts_on, q.ends_on::text AS ends_on,
       q.capacity_hours, q.budget_pct, q.tokens, q.max_token_hours,
       q.hourly_cost, q.state::text AS state,
       (SELECT count(*) FROM token_spend t WHERE t.quarter = q.name) AS tokens_spent,
       (SELECT coalesce(sum(coalesce(dl.actual_hours, st.actual_hours, s.hours)), 0)
          FROM escalation e
          JOIN sizing s ON s.id = e.sizing_id
          LEFT JOIN delivery dl ON dl.escalation_id = e.id
          LEFT JOIN stoppage st ON st.escalation_id = e.id
         WHERE e.quarter = q.name
           AND e.state IN ('approved', 'delivered', 'closed', 'stopped'))
       + (SELECT coalesce(sum(sp.hours), 0) FROM support sp WHERE sp.quarter = q.name)
         AS committed_hours,
       (SELECT coalesce(sum(r.hours), 0) FROM roadmap_item r
         WHERE r.quarter = q.name AND r.state = 'planned') AS planned_hours,
       (SELECT coalesce(sum(sp.hours), 0) FROM support sp
         WHERE sp.quarter = q.name) AS support_hours,
       to_char(q.plan_committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
         AS plan_committed_at
  FROM quarter q;

-- escd's privileges, as 018 listed them, and the plan's life.
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
          LEFT JOIN (VALUES
              -- relation            what escd run may do to it
              ('app_user',           'SELECT, INSERT, UPDATE'),  -- added, revoked, re-keyed
              ('user_role',          'SELECT, INSERT'),
              ('quarter',            'SELECT, INSERT, UPDATE'),  -- opened, closed, committed
              ('account',            'SELECT, INSERT, UPDATE'),  -- an import, account set
              ('roadmap_item',       'SELECT, INSERT, UPDATE'),  -- postponed, set, done, moved
              ('roadmap_waiting',    'SELECT, INSERT, DELETE'),  -- roadmap set replaces them
              ('escalation',         'SELECT, INSERT, UPDATE'),  -- its state moves
              ('escalation_account', 'SELECT, INSERT, DELETE'),  -- an edit replaces them
              ('sizing',             'SELECT, INSERT'),
              ('displacement',       'SELECT, INSERT'),
              ('token_spend',        'SELECT, INSERT'),          -- a spend is never undone
              ('override',           'SELECT, INSERT'),
              ('postponement',       'SELECT, INSERT'),
              ('merge',              'SELECT, INSERT, UPDATE'),  -- an unmerge stamps the row
              ('delivery',           'SELECT, INSERT, UPDATE'),  -- its hours corrected
              ('outcome',            'SELECT, INSERT, UPDATE'),  -- corrected
              ('stoppage',           'SELECT, INSERT, UPDATE'),  -- its hours corrected
              ('support',            'SELECT, INSERT'),          -- support of a one-off
              ('plan_baseline',      'SELECT, INSERT'),          -- frozen at commit
              ('roadmap_move',       'SELECT, INSERT'),          -- every quarter pushed from
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
              ('merge_id_seq',        'USAGE'),
              ('support_id_seq',      'USAGE')
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

