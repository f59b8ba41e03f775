-- 0013: what a county configures for its cases (src/cases/case_settings.h):
-- the limits of the demand clocks, the warning share and the default duty
-- hours, one row per setting a county changed (a setting without a row is
-- the built-in default); the category tree a county imported (a county
-- without rows runs on the built-in tree of src/cases/categories.c); and a
-- version per county that every change of either bumps, so that a process
-- can keep a county's settings in memory and check with one indexed read
-- whether they are still current. Values are kept as written ("3m", "7wd",
-- "80%", "08:00-20:00"); src/cases decides what they mean. Times are
-- seconds since the epoch (UTC).
CREATE TABLE case_settings (
    county TEXT NOT NULL CHECK (length(county) = 6),
    name   TEXT NOT NULL CHECK (length(name) > 0),
    value  TEXT NOT NULL CHECK (length(value) > 0),
    set_by TEXT NOT NULL, -- the actor: "cli:root", "user:12"
    set_at INTEGER NOT NULL,
    PRIMARY KEY (county, name)
) WITHOUT ROWID;

-- a county's category tree, replaced whole by each import; sort is the
-- order of the file (parents before their children)
CREATE TABLE case_categories (
    county  TEXT NOT NULL CHECK (length(county) = 6),
    code    TEXT NOT NULL CHECK (length(code) > 0),
    parent  TEXT NOT NULL DEFAULT '', -- '' for a top category
    name    TEXT NOT NULL CHECK (length(name) > 0),
    urgency TEXT NOT NULL CHECK (urgency IN ('emergency', 'utilities', 'general', 'complex')),
    sort    INTEGER NOT NULL,
    active  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    PRIMARY KEY (county, code)
) WITHOUT ROWID;

-- +1 with every change of a county's settings or categories; no row: 0
CREATE TABLE case_settings_versions (
    county  TEXT PRIMARY KEY CHECK (length(county) = 6),
    version INTEGER NOT NULL CHECK (version >= 1)
) WITHOUT ROWID;
