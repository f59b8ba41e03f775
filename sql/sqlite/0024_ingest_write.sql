-- 0024: cheaper writes of a message, for bulk ingest (bench/RESULTS-messages.md,
-- fourth round). Nothing a user sees changes.
--
-- messages: its CHECKs on kind and state said `IN (a, b, c)`; SQLite (3.40)
-- checks a list of three or more against a temporary B-tree it builds
-- again for every INSERT, which was a tenth of the writer's time during an
-- ingest. The same constraints are written as comparisons. SQLite cannot
-- change a CHECK in place, so the table is rebuilt as 0022 rebuilds cases
-- (sqlite.org/lang_altertable.html, "making other kinds of table schema
-- changes"): every row is copied as it is, under the same id (the search
-- index, patrol_inbox, patrol_watch and broadcast_deliveries keep pointing
-- at the same messages), and the indexes of 0007 and 0017 are made again.
CREATE TABLE messages_new (
    id            INTEGER PRIMARY KEY,
    group_id      INTEGER NOT NULL REFERENCES groups(id),
    county        TEXT NOT NULL,
    author_id     INTEGER REFERENCES users(id),
    author_name   TEXT NOT NULL,
    kind          TEXT NOT NULL
                  CHECK (kind = 'text' OR kind = 'image' OR kind = 'broadcast'),
    body          TEXT NOT NULL,
    reply_to      INTEGER,
    mentions      TEXT NOT NULL DEFAULT '',
    attachment    TEXT NOT NULL DEFAULT '',
    broadcast_id  INTEGER,
    state         TEXT NOT NULL DEFAULT 'visible'
                  CHECK (state = 'visible' OR state = 'recalled' OR state = 'hidden'),
    state_reason  TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT 'app' CHECK (source = 'app' OR source = 'bridge'),
    at            INTEGER NOT NULL
);
INSERT INTO messages_new (id, group_id, county, author_id, author_name, kind, body, reply_to,
    mentions, attachment, broadcast_id, state, state_reason, source, at)
    SELECT id, group_id, county, author_id, author_name, kind, body, reply_to, mentions,
    attachment, broadcast_id, state, state_reason, source, at
    FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_by_group ON messages(group_id, id);
CREATE INDEX messages_by_county ON messages(county, id);
CREATE INDEX messages_by_group_at ON messages(group_id, at);
CREATE INDEX messages_by_reply ON messages(reply_to) WHERE reply_to IS NOT NULL;

-- ingest_keys: looked up by key only, so the key is the table's own
-- B-tree (WITHOUT ROWID) instead of a rowid table plus a unique index on
-- the key: one B-tree insert less for each ingested message.
CREATE TABLE ingest_keys_new (
    key        TEXT PRIMARY KEY,
    message_id INTEGER NOT NULL,
    at         INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO ingest_keys_new (key, message_id, at) SELECT key, message_id, at FROM ingest_keys;
DROP TABLE ingest_keys;
ALTER TABLE ingest_keys_new RENAME TO ingest_keys;

-- events_by_at: only the hourly prune (job purge) read it ("at < cutoff"),
-- yet every event paid an insert into it (a sixth of an ingested message's
-- cost in the writer). Ids grow with time, so the prune now deletes the
-- events older than the cutoff that come before the first one stamped
-- between the cutoff and now (src/store/sqlite_sql.c, STMT_EVENTS_PRUNE),
-- walking the table in id order and stopping there.
DROP INDEX events_by_at;
