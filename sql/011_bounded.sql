-- 011: what a hostile user could make escd hold, write or scan.
--
-- The request log kept every state-changing request's bytes (up to 1 MiB
-- each, refusals included) for good. Idempotency needs only a digest of the
-- request and the reply: the bytes go, a SHA-256 stays, and escd prunes
-- entries past their retention (the index on at). Request ids are now a
-- user's own: two users may use the same id without meeting.
ALTER TABLE request_log ADD COLUMN request_digest bytea;
UPDATE request_log SET request_digest = sha256(request);
ALTER TABLE request_log
    ALTER COLUMN request_digest SET NOT NULL,
    ADD CHECK (length(request_digest) = 32),
    DROP COLUMN request,
    DROP CONSTRAINT request_log_pkey,
    ADD PRIMARY KEY (user_name, request_id);
CREATE INDEX request_log_at ON request_log (at);

-- A quarter's escalations are read a page at a time, in id order, whole or
-- by account: indexes in that order find a page without reading the rest.
CREATE INDEX escalation_quarter_id ON escalation (quarter, id);
CREATE INDEX escalation_account_quarter_id ON escalation (account_id, quarter, id);

-- escalation_view summed the accounts that need an escalation with a hash
-- join over every account, once per row read (the planner could not tell
-- the family of merges is small). Each account is now looked up by key.
CREATE OR REPLACE VIEW escalation_view AS
SELECT e.id, e.quarter, a.name AS account, e.filer, e.title, e.problem,
       e.solution, e.deal_value, e.needed_by::text AS needed_by,
       e.state::text AS state, e.state_reason,
       to_char(e.filed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS filed_at,
       s.hours, s.viable, s.sized_by, s.note AS sizing_note,
       (SELECT string_agg(d.roadmap_item_id::text, ',' ORDER BY d.roadmap_item_id)
          FROM displacement d WHERE d.sizing_id = e.sizing_id) AS displaces,
       CASE WHEN t.escalation_id IS NOT NULL THEN 'token'
            WHEN o.escalation_id IS NOT NULL THEN 'override' END AS approved_via,
       t.token_no,
       coalesce(t.spent_by, o.overridden_by) AS approved_by,
       o.reason AS override_reason,
       m.into_id AS merged_into,
       (SELECT string_agg(m2.escalation_id::text, ',' ORDER BY m2.escalation_id)
          FROM merge m2 WHERE m2.into_id = e.id AND m2.unmerged_at IS NULL) AS merged,
       (SELECT string_agg(p.roadmap_item_id::text, ',' ORDER BY p.roadmap_item_id)
          FROM postponement p WHERE p.escalation_id = e.id) AS postponed,
       dl.actual_hours, oc.deal::text AS deal, oc.adopters,
       needs.also_needed_by, needs.customers, needs.renewal_arr
  FROM escalation e
  JOIN account a ON a.id = e.account_id
  LEFT JOIN sizing s ON s.id = e.sizing_id
  LEFT JOIN token_spend t ON t.escalation_id = e.id
  LEFT JOIN override o ON o.escalation_id = e.id
  LEFT JOIN merge m ON m.escalation_id = e.id AND m.unmerged_at IS NULL
  LEFT JOIN delivery dl ON dl.escalation_id = e.id
  LEFT JOIN outcome oc ON oc.escalation_id = e.id
  -- the customers who need it: its own account, the others named at filing,
  -- and those of every duplicate merged into it (recursively), each once
  CROSS JOIN LATERAL (
      WITH RECURSIVE family (id) AS (
          SELECT e.id
          UNION
          SELECT mm.escalation_id FROM merge mm JOIN family f ON mm.into_id = f.id
           WHERE mm.unmerged_at IS NULL),
      needing (account_id) AS (
          SELECT x.account_id
            FROM family f CROSS JOIN LATERAL
                 (SELECT account_id FROM escalation WHERE id = f.id OFFSET 0) x
          UNION
          SELECT ea.account_id
            FROM family f CROSS JOIN LATERAL
                 (SELECT account_id FROM escalation_account WHERE escalation_id = f.id
                  OFFSET 0) ea)
      SELECT string_agg(na.name, E'\x1f' ORDER BY na.name)
                 FILTER (WHERE na.id <> e.account_id) AS also_needed_by,
             count(*) AS customers,
             sum(na.arr) AS renewal_arr
        FROM needing n CROSS JOIN LATERAL
             (SELECT id, name, arr FROM account WHERE id = n.account_id OFFSET 0) na
  ) needs;
