-- 007: the decision feed. Each event carries a sentence for people (chat
-- integrations post it as is). The feed itself needs no table: it is the
-- event log, read by sequence number, and NOTIFY esc_event wakes every escd
-- when a transaction that wrote events commits.
ALTER TABLE event ADD COLUMN summary text;
