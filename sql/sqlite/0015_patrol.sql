-- 0015: the smart patrol (智能巡群, src/patrol/patrol.c): how far each kind
-- of finding has read, the residents' questions it watches until a cadre
-- answers or their acknowledgement window ends, and the alerts it raises to
-- the supervising level. An alert is stored once per kind and object.
CREATE TABLE patrol_marks (
    kind  TEXT PRIMARY KEY,
    mark  INTEGER NOT NULL
);

CREATE TABLE patrol_watch (
    message_id INTEGER PRIMARY KEY,
    group_id   INTEGER NOT NULL REFERENCES groups(id),
    at         INTEGER NOT NULL,
    due        INTEGER NOT NULL
);
CREATE INDEX patrol_watch_by_due ON patrol_watch(due);

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    object          TEXT NOT NULL,
    region          TEXT NOT NULL,
    supervisor      TEXT NOT NULL,
    group_id        INTEGER NOT NULL DEFAULT 0,
    severity        INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 3),
    summary         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'acknowledged', 'closed')),
    found_at        INTEGER NOT NULL,
    acknowledged_at INTEGER NOT NULL DEFAULT 0,
    acknowledged_by INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, object)
);
CREATE INDEX alerts_by_supervisor ON alerts(supervisor, id);
