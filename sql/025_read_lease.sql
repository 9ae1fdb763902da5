-- 025: the read lease. An escd that holds this advisory lock, alone and on
-- the session that writes, answers the reads it remembers without asking
-- the database each time whether they still stand (server/endpoint.c).
-- They stand because nothing that moves the event head or the users
-- version commits meanwhile: every change to the counter takes the lock
-- shared, in its transaction, and so waits until the holder gives the
-- lease up, which it does as soon as it sees someone waiting. escd's own
-- writers take it shared before the counter's row (one holding the row
-- and waiting here would deadlock with the holder's next batch); this
-- trigger is the database's word for writers by hand, and for a bug.

CREATE FUNCTION esc_read_lease_wait() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(6648675, 1);
    RETURN NULL;                -- a statement trigger's result is not used
END $$;

-- BEFORE the statement: the lock before the row, as escd takes them
CREATE TRIGGER event_counter_lease BEFORE UPDATE OR DELETE OR TRUNCATE ON event_counter
    FOR EACH STATEMENT EXECUTE FUNCTION esc_read_lease_wait();
