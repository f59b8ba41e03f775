-- 0021: the entitlement pipeline of 免申即享 (src/entitle, docs/entitle.md).
-- A run evaluates a programme's policies over the exchange's latest data;
-- each person a policy grants for a period gets one entitlement, which moves
-- through notice (公示), objection, consent (意愿确认), grant and revocation.
-- Every change of state writes its event in the same transaction: the
-- events are the timeline and the feed the notifications read (outbox).
-- person_name and phone are personal data: masked in lists, reads audited.
CREATE TABLE entitlement_runs (
    id          INTEGER PRIMARY KEY,
    programme   TEXT NOT NULL,
    at_day      INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL DEFAULT 0,
    persons     INTEGER NOT NULL DEFAULT 0,
    granted_new INTEGER NOT NULL DEFAULT 0,
    revoked     INTEGER NOT NULL DEFAULT 0,
    unknown     INTEGER NOT NULL DEFAULT 0,
    held        INTEGER NOT NULL DEFAULT 0,
    out_of_region INTEGER NOT NULL DEFAULT 0,
    actor       TEXT NOT NULL,
    data_seq    INTEGER NOT NULL DEFAULT 0 -- the highest exchange batch id it read
);
CREATE INDEX entitlement_runs_of ON entitlement_runs(programme, id);
CREATE TABLE entitlements (
    id             INTEGER PRIMARY KEY,
    programme      TEXT NOT NULL,
    policy         TEXT NOT NULL,
    benefit        TEXT NOT NULL,
    person_key     TEXT NOT NULL,
    person_name    TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    region         TEXT NOT NULL,
    period         INTEGER NOT NULL,
    amount         INTEGER NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('in_notice', 'objected', 'awaiting_consent',
                       'granted', 'declined', 'refused', 'held', 'revoked')),
    version        INTEGER NOT NULL DEFAULT 1,
    notice_until   INTEGER NOT NULL DEFAULT 0,
    consent_until  INTEGER NOT NULL DEFAULT 0,
    effective_from INTEGER NOT NULL,
    effective_to   INTEGER NOT NULL DEFAULT 0,
    reason         TEXT NOT NULL DEFAULT '',
    explanation    TEXT NOT NULL DEFAULT '',
    appeal_case    INTEGER NOT NULL DEFAULT 0,
    run            INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (programme, policy, person_key, period)
);
CREATE INDEX entitlements_by_state ON entitlements(programme, state, id);
CREATE INDEX entitlements_by_region ON entitlements(region, id);
CREATE INDEX entitlements_by_person ON entitlements(programme, person_key);
CREATE TABLE entitlement_events (
    id          INTEGER PRIMARY KEY,
    entitlement INTEGER NOT NULL REFERENCES entitlements(id),
    kind        TEXT NOT NULL CHECK (kind IN ('notice.started', 'objection.filed',
                    'objection.upheld', 'objection.dismissed', 'consent.asked', 'consent.given',
                    'consent.refused', 'granted', 'held', 'revoked', 'appealed')),
    from_state  TEXT NOT NULL DEFAULT '',
    to_state    TEXT NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX entitlement_events_of ON entitlement_events(entitlement, id);
