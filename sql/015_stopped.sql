-- 015: an approved escalation whose work is stopped before delivery. Its
-- own migration: a value added to an enum cannot be used in the transaction
-- that adds it, and 016 uses it.
ALTER TYPE escalation_state ADD VALUE 'stopped';
