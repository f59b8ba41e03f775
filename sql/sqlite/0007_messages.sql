-- 0007: messages in service groups, their full-text index, policy
-- broadcasts with their delivery to each group below, images, and the keys
-- of bulk-ingested messages (idempotency). Nothing here is ever deleted:
-- a recalled or hidden message keeps its text, only its state changes, and
-- its history is in the audit log (信息留痕).
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    group_id      INTEGER NOT NULL REFERENCES groups(id),
    county        TEXT NOT NULL,
    author_id     INTEGER REFERENCES users(id),
    author_name   TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('text', 'image', 'broadcast')),
    body          TEXT NOT NULL,
    reply_to      INTEGER,
    mentions      TEXT NOT NULL DEFAULT '',
    attachment    TEXT NOT NULL DEFAULT '',
    broadcast_id  INTEGER,
    state         TEXT NOT NULL DEFAULT 'visible'
                  CHECK (state IN ('visible', 'recalled', 'hidden')),
    state_reason  TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT 'app' CHECK (source IN ('app', 'bridge')),
    at            INTEGER NOT NULL
);
CREATE INDEX messages_by_group ON messages(group_id, id);
CREATE INDEX messages_by_county ON messages(county, id);

-- the search index: terms from src/core/terms.c through the "bianmin"
-- tokenizer; contentless (the text is in messages), rowid = message id
CREATE VIRTUAL TABLE messages_fts USING fts5(body, content = '', tokenize = 'bianmin');

CREATE TABLE broadcasts (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES groups(id),
    author_id   INTEGER NOT NULL REFERENCES users(id),
    body        TEXT NOT NULL,
    at          INTEGER NOT NULL
);

CREATE TABLE broadcast_deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
    group_id     INTEGER NOT NULL REFERENCES groups(id),
    message_id   INTEGER NOT NULL,
    PRIMARY KEY (broadcast_id, group_id)
);

-- images on disk (data_dir/images), named by their SHA-256
CREATE TABLE attachments (
    sha256      TEXT NOT NULL,
    group_id    INTEGER NOT NULL REFERENCES groups(id),
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    uploader    INTEGER NOT NULL REFERENCES users(id),
    at          INTEGER NOT NULL,
    PRIMARY KEY (sha256, group_id) -- sent to a group: the same photo may go to many
);

-- a bridge's idempotency keys: a message seen once is never stored twice
CREATE TABLE ingest_keys (
    key        TEXT PRIMARY KEY,
    message_id INTEGER NOT NULL,
    at         INTEGER NOT NULL
);
