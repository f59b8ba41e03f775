-- bench/messages_rows.sql - messages written straight into a SQLite demo
-- database for the search benchmark (bench/messages.sh, phase search with
-- BENCH_SEARCH_LOAD=rows), bypassing the API: 10 M messages through the
-- ingest API take ~20 minutes on the bench machine and measure ingest, not
-- search. The rows are those the bridge ingest writes (source 'bridge', no
-- author account), without their idempotency keys and events, which a search
-- never reads. Parameters (sqlite3 -cmd ".parameter set ..."): @n messages,
-- @texts the path of a JSON array of texts; the demo county's village
-- groups in turn, text k*7919 mod the number of texts (as messages_gen.py
-- ingest does), one second per 100 messages from 2026-11-28 (China time).
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
CREATE TEMP TABLE t(i INTEGER PRIMARY KEY, body TEXT NOT NULL);
INSERT INTO t(i, body) SELECT key, value FROM json_each(readfile(@texts));
CREATE TEMP TABLE v(i INTEGER PRIMARY KEY, gid INTEGER NOT NULL, county TEXT NOT NULL);
INSERT INTO v(i, gid, county) SELECT row_number() OVER (ORDER BY id) - 1, id, county
  FROM groups WHERE kind = 'village' AND region_code LIKE '990101%';
BEGIN;
WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k + 1 < @n)
INSERT INTO messages(id, group_id, county, author_id, author_name, kind, body, source, at)
SELECT (SELECT coalesce(max(id), 0) FROM messages) + 1 + k, v.gid, v.county, NULL, '老李（微信）',
       'text', t.body, 'bridge', 1795795200 + k / 100
  FROM s JOIN v ON v.i = k % (SELECT count(*) FROM v)
         JOIN t ON t.i = (k * 7919) % (SELECT count(*) FROM t);
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
