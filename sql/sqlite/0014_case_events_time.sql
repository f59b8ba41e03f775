-- 0014: the timeline lines of all cases by time, for what changed in a
-- window (Open311's servicerequestupdates, src/store/sqlite_cases.c): the
-- read walks this index through the window, oldest first, and stops at its
-- limit, instead of reading the timeline of every case of a region. The
-- rowid (the line's id) follows the time in the index, so lines of the same
-- second come in the order they were written.
CREATE INDEX case_events_by_time ON case_events(at);
