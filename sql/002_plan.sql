-- 002: quarters, customer accounts and the planned roadmap.

CREATE TYPE quarter_state AS ENUM ('open', 'closed');

CREATE TABLE quarter (
    name            text PRIMARY KEY CHECK (name ~ '^[0-9]{4}Q[1-4]$'),
    starts_on       date NOT NULL,
    ends_on         date NOT NULL CHECK (ends_on >= starts_on),
    capacity_hours  integer NOT NULL CHECK (capacity_hours > 0),
    budget_pct      integer NOT NULL DEFAULT 10 CHECK (budget_pct BETWEEN 0 AND 100),
    tokens          integer NOT NULL DEFAULT 1 CHECK (tokens >= 0),
    max_token_hours integer NOT NULL DEFAULT 80 CHECK (max_token_hours > 0),
    hourly_cost     integer NOT NULL DEFAULT 150 CHECK (hourly_cost >= 0),
    state           quarter_state NOT NULL DEFAULT 'open',
    opened_by       text NOT NULL REFERENCES app_user (name),
    opened_at       timestamptz NOT NULL DEFAULT now(),
    -- the target of token_spend's foreign key, which caps spends at tokens
    UNIQUE (name, tokens)
);

CREATE TABLE account (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) > 0),
    arr         bigint NOT NULL CHECK (arr >= 0),
    renewal_on  date,
    created_by  text NOT NULL REFERENCES app_user (name),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE roadmap_category AS ENUM ('feature', 'ility', 'maintenance', 'discovery');
CREATE TYPE roadmap_state AS ENUM ('planned', 'postponed', 'done');

CREATE TABLE roadmap_item (
    id          bigserial PRIMARY KEY,
    quarter     text NOT NULL REFERENCES quarter (name),
    title       text NOT NULL CHECK (length(btrim(title)) > 0),
    category    roadmap_category NOT NULL,
    hours       integer NOT NULL CHECK (hours > 0),
    state       roadmap_state NOT NULL DEFAULT 'planned',
    created_by  text NOT NULL REFERENCES app_user (name),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX roadmap_item_quarter ON roadmap_item (quarter);

-- The customers waiting for a planned item: named when it is postponed.
CREATE TABLE roadmap_waiting (
    roadmap_item_id bigint NOT NULL REFERENCES roadmap_item (id),
    account_id      bigint NOT NULL REFERENCES account (id),
    PRIMARY KEY (roadmap_item_id, account_id)
);
