-- 0026: cheaper writes of a roster's accounts and households and of
-- messages (bench/RESULTS-messages.md, "Rosters and ingest, 2026-11-30").
-- Nothing a user sees changes. users_by_county and households_by_county (0005): no
-- query reads either (users are found by id, phone, household and region
-- range, households by id), yet every account and household a roster makes
-- paid an insert into each. A county's users are a range of users_by_region
-- (region_code >= county AND region_code < county || ':'). (SQLite's 0026
-- also rebuilds group_members for its CHECKs; PostgreSQL checks an IN list
-- without a temporary index and has no rowid, so there is nothing to do
-- for that table here.)
DROP INDEX users_by_county;
DROP INDEX households_by_county;

-- messages_by_county (0007): no query reads it (messages are read by id, by
-- group, by group and time, by reply, and searched by terms with the scope
-- in the query), yet each message stored or ingested paid an insert into it.
DROP INDEX messages_by_county;
