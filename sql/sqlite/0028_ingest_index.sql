-- 0028: one index entry fewer for each message from a bridge (bulk ingest,
-- bench/RESULTS-messages.md, "Bulk ingest, 2026-11-30"). Nothing a user
-- sees changes.
--
-- messages_by_group_at (0017) is read by one query only, the valid
-- interactions of the statistics (STMT_STATS_TALK, docs/patrol.md
-- "Statistics"), which counts the messages of residents who are members of
-- the group: a message whose author is a member, never one from a bridge,
-- whose author is a name from another platform (author_id NULL). Those were
-- most of the index and its costliest entries: each message lands in the
-- middle of it (at its group), so a commit of a thousand messages over
-- hundreds of groups dirtied a page per group. The index now holds the
-- messages with an author here; the query says author_id IS NOT NULL, what
-- the index needs (SQLite would also infer it from the query's join).
DROP INDEX messages_by_group_at;
CREATE INDEX messages_by_group_at ON messages(group_id, at) WHERE author_id IS NOT NULL;
