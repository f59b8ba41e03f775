-- 0018: the data-sharing exchange (src/exchange, docs/exchange.md): member
-- agencies and their Ed25519 public keys (a rotated key is kept, retired, to
-- verify the batches it signed), datasets with their schema and sharing
-- class, the batches providers upload (stored once per provider and batch id,
-- each row as a JSON object), subscriptions of consumers to chosen fields,
-- and every push attempt with its HTTP status. No secret key is stored here.
CREATE TABLE exchange_members (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    region      TEXT NOT NULL,
    api_key_id  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE INDEX exchange_members_by_key ON exchange_members(api_key_id);
CREATE TABLE exchange_member_keys (
    id          INTEGER PRIMARY KEY,
    member      TEXT NOT NULL REFERENCES exchange_members(code),
    public_key  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX exchange_member_keys_of ON exchange_member_keys(member, retired_at);
CREATE TABLE exchange_datasets (
    code        TEXT PRIMARY KEY,
    provider    TEXT NOT NULL REFERENCES exchange_members(code),
    name        TEXT NOT NULL,
    sharing     TEXT NOT NULL CHECK (sharing IN ('unconditional', 'conditional', 'none')),
    schema      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE exchange_batches (
    id          INTEGER PRIMARY KEY,
    dataset     TEXT NOT NULL REFERENCES exchange_datasets(code),
    provider    TEXT NOT NULL,
    batch_id    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    signature   TEXT NOT NULL,
    key_id      INTEGER NOT NULL,
    nrows       INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    resent      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (provider, batch_id)
);
CREATE INDEX exchange_batches_of ON exchange_batches(dataset, id);
CREATE TABLE exchange_rows (
    batch       INTEGER NOT NULL REFERENCES exchange_batches(id),
    line        INTEGER NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (batch, line)
);
CREATE TABLE exchange_subscriptions (
    id          INTEGER PRIMARY KEY,
    consumer    TEXT NOT NULL REFERENCES exchange_members(code),
    dataset     TEXT NOT NULL REFERENCES exchange_datasets(code),
    fields      TEXT NOT NULL,
    endpoint    TEXT NOT NULL DEFAULT '',
    day         INTEGER NOT NULL DEFAULT 0,
    minute      INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'active', 'ended')),
    approved_by TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    pushed_upto INTEGER NOT NULL DEFAULT 0,
    failures    INTEGER NOT NULL DEFAULT 0,
    due_at      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX exchange_subscriptions_due ON exchange_subscriptions(state, due_at);
CREATE TABLE exchange_attempts (
    id           INTEGER PRIMARY KEY,
    subscription INTEGER NOT NULL REFERENCES exchange_subscriptions(id),
    at           INTEGER NOT NULL,
    status       INTEGER NOT NULL,
    upto         INTEGER NOT NULL,
    nrows        INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    next_at      INTEGER NOT NULL
);
CREATE INDEX exchange_attempts_of ON exchange_attempts(subscription, id);
