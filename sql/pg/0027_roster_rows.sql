-- 0027: fewer index entries for each household and account a roster makes
-- (bench/RESULTS-messages.md, "The rosters, 2026-11-30"). Nothing a user
-- sees changes.
--
-- households_by_region (0002): no query reads it. Households are read by
-- id only (PS_HOUSEHOLD_GET; a user names their household), and a region is
-- never deleted nor its code changed (the registry inserts and updates
-- regions by code), so no foreign-key check ever looks for a region's
-- households.
DROP INDEX households_by_region;

-- users_id_number_key was a UNIQUE constraint: its index held an entry for
-- every account, NULL for those without an ID number (most of a roster's).
-- The same uniqueness is a unique index over the accounts that have one
-- (two NULLs never conflicted), under the constraint's name, which a
-- violation still reports (pg_accounts.c names the field from it).
ALTER TABLE users DROP CONSTRAINT users_id_number_key;
CREATE UNIQUE INDEX users_id_number_key ON users(id_number) WHERE id_number IS NOT NULL;
