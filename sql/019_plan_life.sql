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

-- what escd run may do to them (app_grant, 018)
INSERT INTO app_grant (relname, privileges) VALUES
    ('plan_baseline', 'SELECT, INSERT'),               -- frozen at commit
    ('roadmap_move', 'SELECT, INSERT');                -- every quarter pushed from
