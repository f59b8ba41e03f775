-- 0023: 一件事 bundles (src/bundles, docs/bundles.md): one life event of one
-- person (disability certification, birth, retirement) that started several
-- services at once. A bundle keeps the person (personal data: masked in
-- listings, revealed only with a reason and audited) and its region; each
-- service is copied from the event's definition when the bundle starts, so a
-- later edit of data/bundles/ changes no bundle already running. A task
-- service is done by a unit within working days (due_at from the working-day
-- calendar); an entitlement service stores no state of its own: it is read
-- from the person's entitlement of its programme (table entitlements).
CREATE TABLE bundles (
    id          INTEGER PRIMARY KEY,
    event       TEXT NOT NULL,
    name        TEXT NOT NULL,
    person_key  TEXT NOT NULL,
    person_name TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    region      TEXT NOT NULL REFERENCES regions(code),
    started_at  INTEGER NOT NULL,
    started_by  TEXT NOT NULL,
    UNIQUE (event, person_key)
);
CREATE INDEX bundles_by_region ON bundles(region, id);
CREATE TABLE bundle_services (
    bundle      INTEGER NOT NULL REFERENCES bundles(id),
    seq         INTEGER NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('task', 'entitlement')),
    unit        TEXT NOT NULL DEFAULT '',
    programme   TEXT NOT NULL DEFAULT '',
    days        INTEGER NOT NULL DEFAULT 0,
    due_at      INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL CHECK (state IN ('todo', 'done', 'refused', 'follows')),
    note        TEXT NOT NULL DEFAULT '',
    marked_at   INTEGER NOT NULL DEFAULT 0,
    marked_by   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (bundle, code),
    UNIQUE (bundle, seq)
);
-- a bundle's entitlement services find the person's entitlements by ID
-- number compared upper-case (the exchange's data may give a lower-case x)
CREATE INDEX entitlements_by_person_upper ON entitlements(programme, upper(person_key));
