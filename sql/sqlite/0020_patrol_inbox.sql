-- 0020: the smart patrol's inbox (src/patrol/judge.c, patrol.c). Messages
-- are judged as they are posted: a resident's question goes straight onto
-- the watch list, a cadre's reply takes what it answers off it, and only
-- the messages the sweep must still look at (emergency and complaint words,
-- judged = 1; or not judged, judged = 0) wait here, so a sweep reads a few
-- rows instead of every message. The messages posted before this version
-- that no sweep has read yet wait unjudged (the sweep judges them whole).
CREATE TABLE patrol_inbox (
    message_id INTEGER PRIMARY KEY,
    judged     INTEGER NOT NULL CHECK (judged IN (0, 1))
);
INSERT INTO patrol_inbox(message_id, judged)
SELECT id, 0 FROM messages
WHERE id > coalesce((SELECT mark FROM patrol_marks WHERE kind = 'messages'), 0)
  AND kind <> 'broadcast';
