-- 0004: live events and scheduled jobs.
--
-- events: an append-only log of what clients watching a topic ("user:12",
-- later "group:7") should hear about. Ids only grow (AUTOINCREMENT: never
-- reused, even after pruning), so a client resumes with the last id it saw.
-- Every event carries the county code of the region it belongs to ('' when
-- none), like every regional row.
CREATE TABLE events (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     INTEGER NOT NULL,
    county TEXT NOT NULL DEFAULT '',
    topic  TEXT NOT NULL,
    kind   TEXT NOT NULL,
    data   TEXT NOT NULL,
    -- the object the event tells of ("message:12", '' none): when that
    -- object is withdrawn (a recalled message), its events are rewritten
    subject TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_by_topic ON events(topic, id);
CREATE INDEX events_by_subject ON events(subject) WHERE subject <> '';
CREATE INDEX events_by_at ON events(at);

-- jobs: the last time slot (named by its start time) of each scheduled job
-- that some node claimed.
-- A node runs a job for a slot only if its UPDATE moves last_slot forward,
-- so one slot is run once however many nodes try.
CREATE TABLE jobs (
    name      TEXT PRIMARY KEY,
    last_slot INTEGER NOT NULL
);

-- job_runs: one row per run, for operators (GET /api/v1/jobs).
CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    slot        INTEGER NOT NULL,
    node        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    outcome     TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed')),
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_by_name ON job_runs(name, id);
