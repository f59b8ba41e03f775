-- 0029: the queue of bulk ingest (src/groups/ingest.c, docs/api.md
-- "Bridge ingest"). A bridge that asks for it (Prefer: respond-async) has
-- its call taken in one commit: the keys recorded in ingest_keys as before,
-- the checked messages of the new keys kept together as one row here. A
-- loader stores them as messages afterwards, deleting the row in the same
-- commit, so a message is stored exactly once, crash or not.
CREATE TABLE ingest_calls (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,   -- when it was taken
    messages  INTEGER NOT NULL,   -- how many the body holds
    body      BLOB NOT NULL,      -- the messages, encoded by src/groups/ingest.c
    error     TEXT                -- why it could not be loaded; NULL while pending
);
-- ingest_keys.message_id: a queued key has no message yet, and nothing
-- read the column (the keys are looked up by key alone).
ALTER TABLE ingest_keys DROP COLUMN message_id;
