-- 012: a merge remembers what it interrupted, so that ending it gives the
-- duplicate back as it was; and the history of an escalation finds the
-- merges into it by index, not by reading the whole event log.

-- The state (and, for a returned one, the reason) the duplicate was merged
-- from. Unmerging, or the target leaving the live states (withdrawn,
-- declined), restores both; the sizing stays with the escalation all along.
ALTER TABLE merge ADD COLUMN from_state escalation_state,
                  ADD COLUMN from_reason text;

-- Merges made before this migration: the state comes from the duplicate's
-- own last event before its merge event (every escalation event records the
-- state it left; the merge event and the merge row share the transaction's
-- timestamp). Without such an event: 'sized' when it has a sizing, else
-- 'filed'. 'sized' needs the sizing to be there still.
WITH before AS (
    SELECT m.id, e.sizing_id IS NOT NULL AS has_sizing,
           (SELECT p.data FROM event p
             WHERE p.escalation_id = m.escalation_id
               AND p.seq < (SELECT max(me.seq) FROM event me
                             WHERE me.escalation_id = m.escalation_id
                               AND me.type = 'escalation.merged'
                               AND me.at = m.merged_at)
             ORDER BY p.seq DESC LIMIT 1) AS data
      FROM merge m JOIN escalation e ON e.id = m.escalation_id),
chosen AS (
    SELECT id, data,
           CASE WHEN data->>'state' IN ('filed', 'returned') THEN data->>'state'
                WHEN has_sizing THEN 'sized'
                ELSE 'filed' END AS state
      FROM before)
UPDATE merge m
   SET from_state = c.state::escalation_state,
       from_reason = CASE WHEN c.state = 'returned' THEN c.data->>'reason' END
  FROM chosen c
 WHERE c.id = m.id;

-- A merge starts only from a live state that is not yet decided.
ALTER TABLE merge ALTER COLUMN from_state SET NOT NULL,
                  ADD CONSTRAINT merge_from_undecided
                      CHECK (from_state IN ('filed', 'sized', 'returned'));

-- The merges into an escalation, as store_history asks for them: the
-- expression and the predicate match its query exactly, so the planner
-- ORs this index with event_escalation instead of scanning the log.
CREATE INDEX event_merge_into ON event (((data->>'into')::bigint))
    WHERE type IN ('escalation.merged', 'escalation.unmerged');
