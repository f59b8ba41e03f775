-- 0005: every row that belongs to a region carries its county code (the
-- first 6 digits of a code of county level or below, '' above), computed
-- by the database from the row's region code so it never disagrees with it;
-- and the audit log, large and append-only, becomes partitioned by month
-- like events (0004), keeping every entry and its place in the chain.
ALTER TABLE households ADD COLUMN county TEXT COLLATE "C" GENERATED ALWAYS AS
    (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) STORED;
ALTER TABLE users ADD COLUMN county TEXT COLLATE "C" GENERATED ALWAYS AS
    (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) STORED;
ALTER TABLE role_grants ADD COLUMN county TEXT COLLATE "C" GENERATED ALWAYS AS
    (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) STORED;
ALTER TABLE api_keys ADD COLUMN county TEXT COLLATE "C" GENERATED ALWAYS AS
    (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) STORED;
ALTER TABLE invites ADD COLUMN county TEXT COLLATE "C" GENERATED ALWAYS AS
    (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) STORED;
CREATE INDEX users_by_county ON users(county);
CREATE INDEX households_by_county ON households(county);

-- The partitioned audit log. Its key is (id, at): a partitioned table's
-- key must hold the partition column. Ids stay unique because they are
-- handed out under the chain's advisory lock (pg_audit.c).
ALTER TABLE audit_log RENAME TO audit_log_unpartitioned;
ALTER INDEX audit_by_object RENAME TO audit_unpartitioned_by_object;
ALTER TABLE audit_log_unpartitioned RENAME CONSTRAINT audit_log_pkey TO audit_unpartitioned_pkey;
CREATE TABLE audit_log (
    id        BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT COLLATE "C" NOT NULL,
    region    TEXT COLLATE "C" NOT NULL,
    summary   TEXT NOT NULL,
    prev_hash BYTEA NOT NULL,
    hash      BYTEA NOT NULL,
    county    TEXT COLLATE "C" GENERATED ALWAYS AS
        (CASE WHEN length(region) >= 6 THEN substr(region, 1, 6) ELSE '' END) STORED,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE INDEX audit_by_object ON audit_log(object, id);
CREATE INDEX audit_by_county ON audit_log(county, id);
CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;

-- a partition for every month from the oldest entry to two months ahead
SELECT bianmin_month_partitions('audit_log', s.oldest,
           ((extract(year FROM now()) - extract(year FROM to_timestamp(s.oldest))) * 12
            + extract(month FROM now()) - extract(month FROM to_timestamp(s.oldest)))::integer
           + 2)
FROM (SELECT coalesce(min(at), extract(epoch FROM now())::bigint) AS oldest
      FROM audit_log_unpartitioned) s;

INSERT INTO audit_log(id, at, actor, action, object, region, summary, prev_hash, hash)
    SELECT id, at, actor, action, object, region, summary, prev_hash, hash
    FROM audit_log_unpartitioned ORDER BY id;
DROP TABLE audit_log_unpartitioned;
