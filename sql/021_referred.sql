-- 021: an escalation referred to a services partner (022). Its own
-- migration: a value added to an enum cannot be used in the transaction
-- that adds it.
ALTER TYPE escalation_state ADD VALUE 'referred';
