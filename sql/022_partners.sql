-- 022: services partners ("Partner your product company with a
-- professional services company ... toss that work to folks who want
-- it"): an escalation filed, sized or returned may be referred to a
-- partner, a final state; its problem leaves the roadmap's demand.

CREATE TABLE partner (
    id       bigserial PRIMARY KEY,
    name     text NOT NULL CHECK (length(btrim(name)) > 0),
    added_by text NOT NULL REFERENCES app_user (name),
    added_at timestamptz NOT NULL DEFAULT now()
);
-- one partner per name, in any case
CREATE UNIQUE INDEX partner_name ON partner (lower(name));

-- The referral of an escalation: once, to one partner.
CREATE TABLE referral (
    escalation_id bigint PRIMARY KEY REFERENCES escalation (id),
    partner_id    bigint NOT NULL REFERENCES partner (id),
    note          text CHECK (length(btrim(note)) > 0),
    referred_by   text NOT NULL REFERENCES app_user (name),
    referred_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_partner ON referral (partner_id);

-- escalation_view as 016 left it, with the claimed hours and the support so
-- far (018) and the partner it was referred to.
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
       coalesce(dl.actual_hours, st.actual_hours) AS actual_hours,
       oc.deal::text AS deal, oc.adopters,
       needs.also_needed_by, needs.customers, needs.renewal_arr,
       t.note AS spend_note, e.refile_question, e.refile_answer,
       e.claimed_hours,
       (SELECT coalesce(sum(sp.hours), 0) FROM support sp
         WHERE sp.escalation_id = e.id) AS support_hours,
       pt.name AS partner, rf.note AS referral_note
  FROM escalation e
  JOIN account a ON a.id = e.account_id
  LEFT JOIN sizing s ON s.id = e.sizing_id
  LEFT JOIN token_spend t ON t.escalation_id = e.id
  LEFT JOIN override o ON o.escalation_id = e.id
  LEFT JOIN merge m ON m.escalation_id = e.id AND m.unmerged_at IS NULL
  LEFT JOIN delivery dl ON dl.escalation_id = e.id
  LEFT JOIN stoppage st ON st.escalation_id = e.id
  LEFT JOIN outcome oc ON oc.escalation_id = e.id
  LEFT JOIN referral rf ON rf.escalation_id = e.id
  LEFT JOIN partner pt ON pt.id = rf.partner_id
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

-- what escd run may do to them (app_grant, 018)
INSERT INTO app_grant (relname, privileges) VALUES
    ('partner', 'SELECT, INSERT'),                     -- services partners
    ('referral', 'SELECT, INSERT'),                    -- a referral is final
    ('partner_id_seq', 'USAGE');
