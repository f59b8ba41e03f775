-- 0020: the smart patrol's inbox (src/patrol/judge.c, patrol.c). Messages
-- are judged as they are posted: a resident's question goes straight onto
-- the watch list, a cadre's reply takes what it answers off it, and only
-- the messages the sweep must still look at (emergency and complaint words,
-- judged true; or not judged, false) wait here, so a sweep reads a few rows
-- instead of every message. The messages posted before this version that
-- no sweep has read yet wait unjudged (the sweep judges them whole).
CREATE TABLE patrol_inbox (
    message_id BIGINT PRIMARY KEY,
    judged     BOOLEAN NOT NULL
);
INSERT INTO patrol_inbox(message_id, judged)
SELECT id, false FROM messages
WHERE id > coalesce((SELECT mark FROM patrol_marks WHERE kind = 'messages'), 0)
  AND kind <> 'broadcast';
