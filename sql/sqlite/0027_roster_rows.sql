-- 0027: fewer index entries for each household and account a roster makes
-- (bench/RESULTS-messages.md, "The rosters, 2026-11-30"). Nothing a user
-- sees changes.
--
-- households_by_region (0002): no query reads it. Households are read by
-- id only (STMT_HOUSEHOLD_GET; a user names their household), and a region
-- is never deleted nor its code changed (the registry inserts and updates
-- regions by code), so no foreign-key check ever looks for a region's
-- households. Every household paid an insert into it, in the middle of the
-- index (at its region): a tenth of the pages a roster wrote.
DROP INDEX households_by_region;

-- users.id_number was a UNIQUE column: its index held an entry for every
-- account, NULL for those without an ID number (most of a roster's, and
-- every account made without one). The same uniqueness is a unique index
-- over the accounts that have one: two NULLs never conflicted. SQLite
-- cannot drop a column's UNIQUE in place, so the table is rebuilt (as 0024
-- and 0026 rebuild theirs; migrations run with foreign keys off and check
-- every reference before committing): every row copied as it is, in id
-- order, with the generated county column of 0005 and the indexes of 0002.
-- A taken ID number is still refused as "UNIQUE constraint failed:
-- users.id_number" (sqlite_accounts.c names the field from it).
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL UNIQUE,
    id_number     TEXT,
    region_code   TEXT NOT NULL REFERENCES regions(code),
    household_id  INTEGER REFERENCES households(id),
    password_hash TEXT,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    county        TEXT GENERATED ALWAYS AS
        (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) VIRTUAL
);
INSERT INTO users_new (id, name, phone, id_number, region_code, household_id, password_hash,
                       must_change_password, disabled, created_at, version)
    SELECT id, name, phone, id_number, region_code, household_id, password_hash,
           must_change_password, disabled, created_at, version FROM users ORDER BY id;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_by_region ON users(region_code, id);
CREATE INDEX users_by_household ON users(household_id);
CREATE UNIQUE INDEX users_id_number_key ON users(id_number) WHERE id_number IS NOT NULL;
