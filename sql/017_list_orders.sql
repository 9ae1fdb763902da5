-- 017: what esc list in other orders, esc list --account, esc account
-- show and esc roadmap show read, each by an index, so that none of them
-- reads a whole table as it grows (store_escalation.c and store_plan.c say
-- which query uses which).

-- A page of a quarter's escalations in another order than the id's starts
-- after the last one of the page before (the pair: its key, its id), found
-- by an index in that order. The expressions are those of the queries: a
-- missing deal value sorts as -1 (last, going down), a missing needed-by
-- date as infinity (last, going up).
CREATE INDEX escalation_quarter_deal ON escalation (quarter, (coalesce(deal_value, -1)) DESC, id);
CREATE INDEX escalation_quarter_needed_by
    ON escalation (quarter, (coalesce(needed_by, 'infinity'::date)), id);
CREATE INDEX escalation_quarter_filed ON escalation (quarter, filed_at DESC, id);
-- By the filing account's ARR: the accounts by ARR, and each one's
-- escalations of the quarter by 011's (account_id, quarter, id).
CREATE INDEX account_arr ON account (arr);

-- An account's escalations where it is one of the others that need the
-- same (esc list --account, esc account show), and the roadmap items it
-- waits for: both tables' keys start with the other side.
CREATE INDEX escalation_account_account ON escalation_account (account_id, escalation_id);
CREATE INDEX roadmap_waiting_account ON roadmap_waiting (account_id, roadmap_item_id);

-- A roadmap item's own events (planned, corrected, done, moved: 019 adds
-- the last two): the expression and the predicate match
-- store_roadmap_history's query, as 012's event_merge_into does
-- store_history's.
CREATE INDEX event_roadmap_item ON event (((data->>'roadmap_item')::bigint))
    WHERE type IN ('roadmap.added', 'roadmap.changed', 'roadmap.done', 'roadmap.moved');
