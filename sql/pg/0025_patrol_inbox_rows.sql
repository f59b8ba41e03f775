-- 0025: the patrol's inbox holds what the sweep reads of a message (its
-- group, author, kind, reply, time and text), written with the message,
-- so that a sweep reads this one narrow table in id order instead of a
-- random page of messages per row (bench/RESULTS-patrol.md); the author's
-- role is still looked up at the sweep (docs/patrol.md). A message's text
-- never changes after it is posted (only its state does, which the sweep
-- of the inbox does not read). The rows waiting now get their copies
-- here; judged keeps its meaning (0020).
ALTER TABLE patrol_inbox
    ADD COLUMN group_id    BIGINT,
    ADD COLUMN author_id   BIGINT, -- 0: someone outside bianmin
    ADD COLUMN author_name TEXT,
    ADD COLUMN kind        TEXT,
    ADD COLUMN reply_to    BIGINT, -- 0: none
    ADD COLUMN at          BIGINT,
    ADD COLUMN body        TEXT;
UPDATE patrol_inbox i
SET group_id = m.group_id, author_id = coalesce(m.author_id, 0), author_name = m.author_name,
    kind = m.kind, reply_to = coalesce(m.reply_to, 0), at = m.at, body = m.body
FROM messages m WHERE m.id = i.message_id;
DELETE FROM patrol_inbox WHERE body IS NULL;
ALTER TABLE patrol_inbox
    ALTER COLUMN group_id SET NOT NULL,
    ALTER COLUMN author_id SET NOT NULL,
    ALTER COLUMN author_name SET NOT NULL,
    ALTER COLUMN kind SET NOT NULL,
    ALTER COLUMN reply_to SET NOT NULL,
    ALTER COLUMN at SET NOT NULL,
    ALTER COLUMN body SET NOT NULL;
