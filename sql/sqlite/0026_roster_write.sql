-- 0026: cheaper writes of a roster's members, accounts and households, and
-- of messages (bench/RESULTS-messages.md, "Rosters and ingest, 2026-11-30").
-- Nothing a user sees changes.
--
-- group_members: its CHECKs on role and state said `IN (...)`; SQLite (3.40)
-- checks a list of three or more against a temporary B-tree it fills again
-- for every row written (two per member of a roster), as 0024 found for
-- messages. The same constraints are written as comparisons. And the table
-- is read only through its key (group_id, user_id) and its index by user,
-- never by rowid: WITHOUT ROWID makes the key the table itself, one B-tree
-- instead of a rowid table plus the key's unique index. SQLite cannot
-- change either in place, so the table is rebuilt (as 0024 rebuilds
-- messages): every row copied as it is, in key order (so that each insert
-- appends to the new B-tree), the index by user made again. No table
-- refers to group_members.
CREATE TABLE group_members_new (
    group_id  INTEGER NOT NULL REFERENCES groups(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    role      TEXT NOT NULL
              CHECK (role = 'owner' OR role = 'admin' OR role = 'key_person' OR role = 'resident'),
    function  TEXT NOT NULL DEFAULT '',
    state     TEXT NOT NULL CHECK (state = 'active' OR state = 'pending' OR state = 'left'),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
INSERT INTO group_members_new (group_id, user_id, role, function, state, joined_at)
    SELECT group_id, user_id, role, function, state, joined_at FROM group_members
    ORDER BY group_id, user_id;
DROP TABLE group_members;
ALTER TABLE group_members_new RENAME TO group_members;
CREATE INDEX group_members_by_user ON group_members(user_id);

-- users_by_county and households_by_county (0005): no query reads either
-- (grep src/store: users are found by id, phone, household and region range,
-- households by id), yet every account and household a roster makes paid
-- an insert into each, with the generated column computed for it. A
-- county's users are a range of users_by_region (region_code >= county
-- AND region_code < county || ':'), the way STMT_USER_LIST reads a region.
DROP INDEX users_by_county;
DROP INDEX households_by_county;

-- messages_by_county (0007, made again by 0024): no query reads it either
-- (messages are read by id, by group, by group and time, by reply, and
-- searched through the index in <db>.search, whose scope is in the match),
-- yet each message stored or ingested paid an insert into it.
DROP INDEX messages_by_county;
