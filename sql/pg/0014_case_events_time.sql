-- 0014 (PostgreSQL): the timeline lines of all cases by time, for what
-- changed in a window (Open311's servicerequestupdates,
-- src/store/pg_cases.c): the read walks this index through the window in
-- (at, id) order and stops at its limit, instead of reading the timeline
-- of every case of a region.
CREATE INDEX case_events_by_time ON case_events(at, id);
