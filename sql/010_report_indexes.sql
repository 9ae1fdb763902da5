-- 010: the report's queue is the first escalations of a quarter in a state,
-- in id order: an index in that order finds them without sorting them all.
CREATE INDEX escalation_quarter_state_id ON escalation (quarter, state, id);
DROP INDEX escalation_quarter_state;
