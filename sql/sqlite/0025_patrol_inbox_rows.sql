-- 0025: the patrol's inbox holds what the sweep reads of a message (its
-- group, author, kind, reply, time and text), written with the message,
-- so that a sweep reads this one narrow table in id order instead of a
-- random page of messages per row (bench/RESULTS-patrol.md); the author's
-- role is still looked up at the sweep (docs/patrol.md). A message's text
-- never changes after it is posted (only its state does, which the sweep
-- of the inbox does not read). The rows waiting now get their copies
-- here; judged keeps its meaning (0020).
CREATE TABLE patrol_inbox_rows (
    message_id  INTEGER PRIMARY KEY,
    judged      INTEGER NOT NULL CHECK (judged IN (0, 1)),
    group_id    INTEGER NOT NULL,
    author_id   INTEGER NOT NULL, -- 0: someone outside bianmin
    author_name TEXT NOT NULL,
    kind        TEXT NOT NULL,
    reply_to    INTEGER NOT NULL, -- 0: none
    at          INTEGER NOT NULL,
    body        TEXT NOT NULL
);
INSERT INTO patrol_inbox_rows
SELECT i.message_id, i.judged, m.group_id, coalesce(m.author_id, 0), m.author_name, m.kind,
       coalesce(m.reply_to, 0), m.at, m.body
FROM patrol_inbox i JOIN messages m ON m.id = i.message_id;
DROP TABLE patrol_inbox;
ALTER TABLE patrol_inbox_rows RENAME TO patrol_inbox;
