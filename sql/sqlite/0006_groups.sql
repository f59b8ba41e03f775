-- 0006: service groups (the 项城 model): one group per village, town and
-- county, plus ad-hoc ones; their members with a role in the group; and the
-- duty rota of each group. Times are seconds since the epoch (UTC); days
-- are yyyymmdd in China time; duty hours are minutes after midnight, China
-- time.
CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('county', 'town', 'village', 'adhoc')),
    region_code TEXT NOT NULL REFERENCES regions(code),
    county      TEXT GENERATED ALWAYS AS
        (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) VIRTUAL,
    name        TEXT NOT NULL CHECK (length(name) > 0),
    join_code   TEXT NOT NULL UNIQUE,
    approval    INTEGER NOT NULL DEFAULT 0 CHECK (approval IN (0, 1)),
    duty_start  INTEGER NOT NULL DEFAULT 480 CHECK (duty_start BETWEEN 0 AND 1439),
    duty_end    INTEGER NOT NULL DEFAULT 1200 CHECK (duty_end BETWEEN 1 AND 1440),
    created_at  INTEGER NOT NULL,
    CHECK (duty_start < duty_end)
);
-- one standing group per region; ad-hoc groups as many as wanted
CREATE UNIQUE INDEX groups_one_per_region ON groups(region_code) WHERE kind <> 'adhoc';
CREATE INDEX groups_by_region ON groups(region_code, id);

CREATE TABLE group_members (
    group_id  INTEGER NOT NULL REFERENCES groups(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    role      TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'key_person', 'resident')),
    function  TEXT NOT NULL DEFAULT '',
    state     TEXT NOT NULL CHECK (state IN ('active', 'pending', 'left')),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members(user_id);

-- the weekly rotation: who is on duty on each weekday (0 Monday .. 6 Sunday)
CREATE TABLE duty_rota (
    group_id INTEGER NOT NULL REFERENCES groups(id),
    weekday  INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    user_id  INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_id, weekday)
);

-- explicit changes of one day's duty
CREATE TABLE duty_overrides (
    group_id INTEGER NOT NULL REFERENCES groups(id),
    day      INTEGER NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES users(id),
    reason   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (group_id, day)
);

-- leave: the person is not on duty from first_day to last_day (inclusive)
CREATE TABLE duty_leave (
    id        INTEGER PRIMARY KEY,
    group_id  INTEGER NOT NULL REFERENCES groups(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    first_day INTEGER NOT NULL,
    last_day  INTEGER NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    CHECK (first_day <= last_day)
);
CREATE INDEX duty_leave_by_group ON duty_leave(group_id, last_day);
