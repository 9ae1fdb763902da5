-- 020: the incentives ("Sales teams get 100% quota relief on standard
-- product, and 20% relief (or maybe minus 50%!) on the actual cost of
-- one-offs"): each quarter's two rates, and the team a seller belongs to,
-- for the report's quota credit per filer and per team.

ALTER TABLE quarter
    ADD COLUMN relief_standard_pct integer NOT NULL DEFAULT 100
        CHECK (relief_standard_pct BETWEEN 0 AND 100),
    ADD COLUMN relief_oneoff_pct integer NOT NULL DEFAULT 20
        CHECK (relief_oneoff_pct BETWEEN -100 AND 100);

ALTER TABLE app_user ADD COLUMN team text CHECK (length(btrim(team)) > 0);

-- quarter_view as 016 left it, with what 018 to 020 added: a one-off's
-- hours on the one basis (actual once delivered or stopped, sized before)
-- plus the support spent in the quarter (018), the time of the plan's
-- commit (019) and the relief rates.
CREATE OR REPLACE VIEW quarter_view AS
SELECT q.name, q.starts_on::text AS starts_on, q.ends_on::text AS ends_on,
       q.capacity_hours, q.budget_pct, q.tokens, q.max_token_hours,
       q.hourly_cost, q.state::text AS state,
       (SELECT count(*) FROM token_spend t WHERE t.quarter = q.name) AS tokens_spent,
       (SELECT coalesce(sum(coalesce(dl.actual_hours, st.actual_hours, s.hours)), 0)
          FROM escalation e
          JOIN sizing s ON s.id = e.sizing_id
          LEFT JOIN delivery dl ON dl.escalation_id = e.id
          LEFT JOIN stoppage st ON st.escalation_id = e.id
         WHERE e.quarter = q.name
           AND e.state IN ('approved', 'delivered', 'closed', 'stopped'))
       + (SELECT coalesce(sum(sp.hours), 0) FROM support sp WHERE sp.quarter = q.name)
         AS committed_hours,
       (SELECT coalesce(sum(r.hours), 0) FROM roadmap_item r
         WHERE r.quarter = q.name AND r.state = 'planned') AS planned_hours,
       (SELECT coalesce(sum(sp.hours), 0) FROM support sp
         WHERE sp.quarter = q.name) AS support_hours,
       to_char(q.plan_committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
         AS plan_committed_at,
       q.relief_standard_pct, q.relief_oneoff_pct
  FROM quarter q;

