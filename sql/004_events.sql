-- 004: the event log (the feed's source) and the request log (idempotency).

-- Every change, numbered without gaps in commit order: a writer takes the
-- counter row's lock before its first change and holds it to commit, so
-- sequence numbers are handed out in the order transactions commit.
CREATE TABLE event_counter (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_seq  bigint NOT NULL CHECK (last_seq >= 0)
);
INSERT INTO event_counter VALUES (true, 0);

CREATE TABLE event (
    seq           bigint PRIMARY KEY CHECK (seq > 0),
    type          text NOT NULL,
    actor         text NOT NULL REFERENCES app_user (name),
    quarter       text REFERENCES quarter (name),
    escalation_id bigint REFERENCES escalation (id),
    account       text,
    at            timestamptz NOT NULL DEFAULT now(),
    data          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX event_escalation ON event (escalation_id) WHERE escalation_id IS NOT NULL;

-- The first answer to each state-changing request, returned to a retry.
CREATE TABLE request_log (
    request_id  text PRIMARY KEY,
    user_name   text NOT NULL REFERENCES app_user (name),
    request     bytea NOT NULL,
    reply       bytea NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
