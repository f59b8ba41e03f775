-- 0016: 督办 (src/patrol/supervise.c): reminders (催办) a supervisor issues on
-- an alert or a demand, each with its deadline in working days; the
-- supervised acknowledge it; the check settles it as resolved (its item was
-- resolved or closed by the deadline) or lists it in the 通报 of the month
-- its deadline fell in, which the supervised acknowledge too. A supervision
-- is its own notice: the notice's id is the reminder's.
CREATE TABLE supervisions (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('alert', 'case')),
    item_id         INTEGER NOT NULL,
    region          TEXT NOT NULL,
    group_id        INTEGER NOT NULL DEFAULT 0,
    note            TEXT NOT NULL,
    days            INTEGER NOT NULL CHECK (days BETWEEN 1 AND 30),
    issued_by       INTEGER NOT NULL,
    issued_at       INTEGER NOT NULL,
    deadline        INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'resolved', 'noticed')),
    acknowledged_at INTEGER NOT NULL DEFAULT 0,
    acknowledged_by INTEGER NOT NULL DEFAULT 0,
    settled_at      INTEGER NOT NULL DEFAULT 0,
    period          TEXT NOT NULL DEFAULT '',
    notice_ack_at   INTEGER NOT NULL DEFAULT 0,
    notice_ack_by   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX supervisions_open ON supervisions(state, deadline);
CREATE INDEX supervisions_by_period ON supervisions(period, region);
-- when and by whom an alert was closed (its supervisor closes it when it is
-- dealt with)
ALTER TABLE alerts ADD COLUMN closed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN closed_by INTEGER NOT NULL DEFAULT 0;
