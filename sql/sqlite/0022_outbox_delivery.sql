-- 0022: delivery tasks (src/cases/delivery.h) as cases beside demands, and
-- the outbox of notifications to persons (src/entitle/outbox.h,
-- docs/outbox.md).
--
-- The cases table's CHECKs on urgency and source were written for demands:
-- a delivery task has no urgency class (its column holds the task's limit,
-- as "10wd") and comes from an entitlement. SQLite cannot change a CHECK in
-- place, so the table is rebuilt as sqlite.org/lang_altertable.html says
-- ("making other kinds of table schema changes"): the migration runner
-- turns foreign keys off for the migration and runs PRAGMA
-- foreign_key_check before it commits (src/store/sqlite.c), so case_clocks,
-- case_events and case_photos keep pointing at the same ids. Every row is
-- copied as it is; the indexes of 0011, 0012 and 0017 are made again.
CREATE TABLE cases_new (
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
                      CHECK (type <> 'demand' OR
                             urgency IN ('emergency', 'utilities', 'general', 'complex')),
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    lat               REAL NOT NULL DEFAULT 0,
    lon               REAL NOT NULL DEFAULT 0,
    located           INTEGER NOT NULL DEFAULT 0 CHECK (located IN (0, 1)),
    contact_name      TEXT NOT NULL DEFAULT '',
    contact_phone     TEXT NOT NULL DEFAULT '',
    resident_id       INTEGER NOT NULL DEFAULT 0,
    source            TEXT NOT NULL
                      CHECK (source IN ('app', 'message', 'open311', 'entitlement')),
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
INSERT INTO cases_new (id, type, version, state, level, region, group_id, category, urgency, title,
    description, address, lat, lon, located, contact_name, contact_phone, resident_id, source,
    source_message_id, assignee_user, assignee_group, unit, first_receiver, returns, whistles,
    transfers, reopens, escalations, merged_into, rating, created_at, updated_at, closed_at,
    next_check)
    SELECT id, type, version, state, level, region, group_id, category, urgency, title,
    description, address, lat, lon, located, contact_name, contact_phone, resident_id, source,
    source_message_id, assignee_user, assignee_group, unit, first_receiver, returns, whistles,
    transfers, reopens, escalations, merged_into, rating, created_at, updated_at, closed_at,
    next_check
    FROM cases;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_due ON cases(next_check) WHERE next_check > 0;
CREATE INDEX cases_by_region ON cases(region, id);
CREATE INDEX cases_by_county ON cases(county, id);
CREATE INDEX cases_by_resident ON cases(resident_id, id);
CREATE INDEX cases_by_category ON cases(region, category, created_at);
CREATE UNIQUE INDEX cases_by_source_message ON cases(source_message_id)
    WHERE source_message_id > 0;
CREATE INDEX cases_by_region_created ON cases(region, created_at);

-- which entitlement a delivery task serves: one task per entitlement, so
-- dispatching the same grant twice opens one (src/entitle/dispatch.c)
CREATE TABLE deliveries (
    case_id     INTEGER PRIMARY KEY REFERENCES cases(id),
    entitlement INTEGER NOT NULL UNIQUE,
    programme   TEXT NOT NULL CHECK (length(programme) > 0)
);

-- the notifications to persons, one per entitlement event at most (the
-- event's template rendered; an event without a template sends nothing).
-- state: pending (to send at next_at) → sent | failed (gave up after the
-- last attempt) | kept (no gateway is configured: the outbox is the record).
-- The phone number is personal data: listings mask it (docs/security.md).
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    event       INTEGER NOT NULL UNIQUE,  -- entitlement_events.id
    entitlement INTEGER NOT NULL,
    programme   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (length(kind) > 0),
    region      TEXT NOT NULL,            -- the person's, for scope
    phone       TEXT NOT NULL,
    text        TEXT NOT NULL CHECK (length(text) > 0),
    text_masked TEXT NOT NULL,            -- text with the name masked: what listings show
    state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'kept')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL DEFAULT 0,
    status      INTEGER NOT NULL DEFAULT 0, -- HTTP status of the last attempt, 0: no answer
    detail      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER NOT NULL DEFAULT 0
);
-- the sender reads only what is due
CREATE INDEX outbox_due ON outbox(next_at) WHERE state = 'pending';
CREATE INDEX outbox_by_region ON outbox(region, id);

-- how far the dispatcher has read entitlement_events (one row)
CREATE TABLE entitle_dispatch (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    last_event INTEGER NOT NULL
);
INSERT INTO entitle_dispatch(id, last_event) VALUES (1, 0);
