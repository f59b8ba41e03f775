-- 0012: photos of cases, and one case per group message.
--
-- A photo's bytes are a file on disk outside the database, named by their
-- SHA-256 (src/groups/images.c, shared with the images of messages); this
-- table says which case shows which photo, of what type and size, added by
-- whom and when. A case has at most a few (the store checks the number in
-- the transaction that adds one); the same bytes twice on one case are one
-- photo. Nothing here is ever deleted.
CREATE TABLE case_photos (
    id       INTEGER PRIMARY KEY, -- the order they were added in
    case_id  INTEGER NOT NULL REFERENCES cases(id),
    sha256   TEXT NOT NULL CHECK (length(sha256) = 64),
    mime     TEXT NOT NULL CHECK (length(mime) > 0),
    size     INTEGER NOT NULL CHECK (size > 0),
    added_by INTEGER NOT NULL,  -- a user id
    added_at INTEGER NOT NULL,
    UNIQUE (case_id, sha256)
);
-- a group message becomes at most one case: raising it twice, even in a
-- race between two cadres, stores one (0 means no message)
-- A database from before this rule may hold a message raised twice: the
-- oldest demand keeps the link, each later one is unlinked with a line in
-- its timeline that names the message, so nothing is lost.
INSERT INTO case_events(case_id, at, actor, action, from_state, to_state, clock, level, detail)
    SELECT c.id, CAST(strftime('%s', 'now') AS INTEGER), 0, 'note', c.state, c.state, '', c.level,
           'raised from group message ' || c.source_message_id ||
           ', as demand ' || (SELECT min(o.id) FROM cases o
                              WHERE o.source_message_id = c.source_message_id) ||
           ' was before it: that one keeps the link'
    FROM cases c
    WHERE c.source_message_id > 0
      AND c.id > (SELECT min(o.id) FROM cases o WHERE o.source_message_id = c.source_message_id);
UPDATE cases SET source_message_id = 0
    WHERE source_message_id > 0
      AND id > (SELECT min(o.id) FROM cases o WHERE o.source_message_id = cases.source_message_id);
CREATE UNIQUE INDEX cases_by_source_message ON cases(source_message_id)
    WHERE source_message_id > 0;
