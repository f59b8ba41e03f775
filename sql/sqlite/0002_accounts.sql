-- 0002: accounts, households, roles bound to regions, sessions, API keys,
-- login throttling, invitations, and the hash-chained audit trail.
-- Times are seconds since the epoch (UTC) unless named *_text.

CREATE TABLE households (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    address     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX households_by_region ON households(region_code);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL UNIQUE,
    id_number     TEXT UNIQUE,
    region_code   TEXT NOT NULL REFERENCES regions(code),
    household_id  INTEGER REFERENCES households(id),
    password_hash TEXT,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX users_by_region ON users(region_code, id);
CREATE INDEX users_by_household ON users(household_id);

CREATE TABLE role_grants (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    role        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, role, region_code)
) WITHOUT ROWID;

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    key_hash    BLOB NOT NULL UNIQUE,
    role        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE TABLE login_failures (
    subject TEXT NOT NULL,   -- "account:<hash of phone>", "address:<ip>", "invite:<ip>"
    at      INTEGER NOT NULL
);
CREATE INDEX login_failures_by_subject ON login_failures(subject, at);

CREATE TABLE invites (
    code_hash    BLOB PRIMARY KEY,
    region_code  TEXT NOT NULL REFERENCES regions(code),
    household_id INTEGER REFERENCES households(id),
    created_by   INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_by      INTEGER REFERENCES users(id),
    used_at      INTEGER
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    region    TEXT NOT NULL,
    summary   TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL
);
CREATE INDEX audit_by_object ON audit_log(object, id);
