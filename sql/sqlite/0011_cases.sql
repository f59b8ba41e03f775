-- 0011: cases (demands first, other case types later) as the case engine
-- (src/cases) leaves them: the case row, its clocks and its timeline.
-- A change is optimistic: it names the version it was computed from and
-- the store refuses it when the row has moved on (src/store/sqlite_cases.c).
-- next_check is when the sweep must look at a case again (0: never); its
-- partial index keeps the sweep to the cases whose clocks need a look.
-- Nothing here is ever deleted: a closed or merged case keeps its row and
-- its timeline. Times are seconds since the epoch (UTC); ids of people,
-- groups and messages are 0 when none.
CREATE TABLE cases (
    id                INTEGER PRIMARY KEY,
    type              TEXT NOT NULL CHECK (length(type) > 0),
    version           INTEGER NOT NULL CHECK (version >= 1),
    state             TEXT NOT NULL CHECK (length(state) > 0),
    level             INTEGER NOT NULL DEFAULT 0,
    region            TEXT NOT NULL REFERENCES regions(code),
    county            TEXT GENERATED ALWAYS AS
        (CASE WHEN length(region) >= 6 THEN substr(region, 1, 6) ELSE '' END) VIRTUAL,
    group_id          INTEGER NOT NULL DEFAULT 0,
    category          TEXT NOT NULL,
    urgency           TEXT NOT NULL
                      CHECK (urgency IN ('emergency', 'utilities', 'general', 'complex')),
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    lat               REAL NOT NULL DEFAULT 0,
    lon               REAL NOT NULL DEFAULT 0,
    located           INTEGER NOT NULL DEFAULT 0 CHECK (located IN (0, 1)),
    contact_name      TEXT NOT NULL DEFAULT '',
    contact_phone     TEXT NOT NULL DEFAULT '',
    resident_id       INTEGER NOT NULL DEFAULT 0,
    source            TEXT NOT NULL CHECK (source IN ('app', 'message', 'open311')),
    source_message_id INTEGER NOT NULL DEFAULT 0,
    assignee_user     INTEGER NOT NULL DEFAULT 0,
    assignee_group    INTEGER NOT NULL DEFAULT 0,
    unit              TEXT NOT NULL DEFAULT '',
    first_receiver    INTEGER NOT NULL DEFAULT 0,
    returns           INTEGER NOT NULL DEFAULT 0,
    whistles          INTEGER NOT NULL DEFAULT 0,
    transfers         INTEGER NOT NULL DEFAULT 0,
    reopens           INTEGER NOT NULL DEFAULT 0,
    escalations       INTEGER NOT NULL DEFAULT 0,
    merged_into       INTEGER NOT NULL DEFAULT 0,
    rating            TEXT NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    closed_at         INTEGER NOT NULL DEFAULT 0,
    next_check        INTEGER NOT NULL DEFAULT 0
);
-- the sweep: only the cases with a clock to look at
CREATE INDEX cases_due ON cases(next_check) WHERE next_check > 0;
-- listings within a region or a county, newest first
CREATE INDEX cases_by_region ON cases(region, id);
CREATE INDEX cases_by_county ON cases(county, id);
-- a resident's own cases
CREATE INDEX cases_by_resident ON cases(resident_id, id);
-- duplicate suggestions: recent cases of a category in a region
CREATE INDEX cases_by_category ON cases(region, category, created_at);

-- the clocks of a case, replaced whole with every change of the case
CREATE TABLE case_clocks (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    name    TEXT NOT NULL CHECK (length(name) > 0),
    status  TEXT NOT NULL CHECK (length(status) > 0),
    started INTEGER NOT NULL DEFAULT 0,
    used    INTEGER NOT NULL DEFAULT 0,
    warn_at INTEGER NOT NULL DEFAULT 0,
    due     INTEGER NOT NULL DEFAULT 0,
    warned  INTEGER NOT NULL DEFAULT 0 CHECK (warned IN (0, 1)),
    stopped INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (case_id, name)
) WITHOUT ROWID;

-- the timeline of a case (信息留痕): one line per step, appended only
CREATE TABLE case_events (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    at         INTEGER NOT NULL,
    actor      INTEGER NOT NULL DEFAULT 0, -- a user id, 0: the system (the sweep)
    action     TEXT NOT NULL CHECK (length(action) > 0),
    from_state TEXT NOT NULL DEFAULT '',   -- '' for the opening
    to_state   TEXT NOT NULL,
    clock      TEXT NOT NULL DEFAULT '',
    level      INTEGER NOT NULL DEFAULT 0,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_by_case ON case_events(case_id, id);
