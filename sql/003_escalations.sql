-- 003: escalations, their sizings and the decisions taken on them.

CREATE TYPE escalation_state AS ENUM (
    'filed', 'sized', 'returned', 'declined', 'withdrawn',
    'merged', 'approved', 'delivered', 'closed');

CREATE TABLE escalation (
    id           bigserial PRIMARY KEY,
    quarter      text NOT NULL REFERENCES quarter (name),
    account_id   bigint NOT NULL REFERENCES account (id),
    filer        text NOT NULL REFERENCES app_user (name),
    title        text NOT NULL CHECK (length(btrim(title)) > 0),
    problem      text NOT NULL CHECK (length(btrim(problem)) > 0),
    solution     text,
    deal_value   bigint CHECK (deal_value >= 0),
    needed_by    date,
    state        escalation_state NOT NULL DEFAULT 'filed',
    state_reason text,              -- why it was returned or declined
    sizing_id    bigint,            -- the current sizing; see below
    filed_at     timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- a state past sizing always has the sizing it was decided on
    CHECK (sizing_id IS NOT NULL
           OR state NOT IN ('sized', 'approved', 'delivered', 'closed'))
);
CREATE INDEX escalation_quarter_state ON escalation (quarter, state);

-- The other customers who need the same thing.
CREATE TABLE escalation_account (
    escalation_id bigint NOT NULL REFERENCES escalation (id),
    account_id    bigint NOT NULL REFERENCES account (id),
    PRIMARY KEY (escalation_id, account_id)
);

CREATE TABLE sizing (
    id            bigserial PRIMARY KEY,
    escalation_id bigint NOT NULL REFERENCES escalation (id),
    sized_by      text NOT NULL REFERENCES app_user (name),
    hours         integer NOT NULL CHECK (hours > 0),
    viable        boolean NOT NULL,
    note          text,
    sized_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (escalation_id, id)
);

-- An escalation's current sizing must be one of its own.
ALTER TABLE escalation ADD FOREIGN KEY (id, sizing_id)
    REFERENCES sizing (escalation_id, id);

-- The planned work a sizing says would fall out of plan.
CREATE TABLE displacement (
    sizing_id       bigint NOT NULL REFERENCES sizing (id),
    roadmap_item_id bigint NOT NULL REFERENCES roadmap_item (id),
    PRIMARY KEY (sizing_id, roadmap_item_id)
);

-- The quarter's tokens. The composite foreign key copies the quarter's
-- token count into each row so the CHECK can cap token_no by it: with the
-- primary key, at most `tokens` spends per quarter, whatever the C code does.
CREATE TABLE token_spend (
    quarter       text NOT NULL,
    token_no      integer NOT NULL,
    tokens        integer NOT NULL,
    escalation_id bigint NOT NULL UNIQUE REFERENCES escalation (id),
    spent_by      text NOT NULL REFERENCES app_user (name),
    note          text,
    spent_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (quarter, token_no),
    FOREIGN KEY (quarter, tokens) REFERENCES quarter (name, tokens),
    CHECK (token_no BETWEEN 1 AND tokens)
);

CREATE TABLE override (
    escalation_id bigint PRIMARY KEY REFERENCES escalation (id),
    overridden_by text NOT NULL REFERENCES app_user (name),
    reason        text NOT NULL CHECK (length(btrim(reason)) > 0),
    overridden_at timestamptz NOT NULL DEFAULT now()
);

-- Roadmap items an approval took out of plan. An item is postponed once.
CREATE TABLE postponement (
    roadmap_item_id bigint PRIMARY KEY REFERENCES roadmap_item (id),
    escalation_id   bigint NOT NULL REFERENCES escalation (id),
    postponed_at    timestamptz NOT NULL DEFAULT now()
);

-- A duplicate folded into another escalation; unmerging stamps the row.
CREATE TABLE merge (
    id            bigserial PRIMARY KEY,
    escalation_id bigint NOT NULL REFERENCES escalation (id),
    into_id       bigint NOT NULL REFERENCES escalation (id),
    merged_by     text NOT NULL REFERENCES app_user (name),
    merged_at     timestamptz NOT NULL DEFAULT now(),
    unmerged_by   text REFERENCES app_user (name),
    unmerged_at   timestamptz,
    CHECK (escalation_id <> into_id),
    CHECK ((unmerged_by IS NULL) = (unmerged_at IS NULL))
);
CREATE UNIQUE INDEX merge_active ON merge (escalation_id) WHERE unmerged_at IS NULL;
CREATE INDEX merge_into ON merge (into_id) WHERE unmerged_at IS NULL;

CREATE TABLE delivery (
    escalation_id bigint PRIMARY KEY REFERENCES escalation (id),
    actual_hours  integer NOT NULL CHECK (actual_hours > 0),
    delivered_by  text NOT NULL REFERENCES app_user (name),
    delivered_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE deal_result AS ENUM ('won', 'lost');

CREATE TABLE outcome (
    escalation_id bigint PRIMARY KEY REFERENCES escalation (id),
    deal          deal_result NOT NULL,
    adopters      integer CHECK (adopters >= 0),
    recorded_by   text NOT NULL REFERENCES app_user (name),
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
