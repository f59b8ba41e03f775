-- 0028: one index entry fewer for each message from a bridge (bulk ingest,
-- bench/RESULTS-messages.md, "Bulk ingest, 2026-11-30"), as sql/sqlite/0028
-- explains: messages_by_group_at (0017) is read only by the valid
-- interactions of the statistics (PS_STATS_TALK), which count messages whose
-- author is a member of the group, never a bridge's (author_id NULL).
-- Nothing a user sees changes.
DROP INDEX messages_by_group_at;
CREATE INDEX messages_by_group_at ON messages(group_id, at) WHERE author_id IS NOT NULL;
