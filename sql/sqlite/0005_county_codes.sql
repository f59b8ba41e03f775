-- 0005: every row that belongs to a region carries its county code (the
-- first 6 digits of a code of county level or below, '' above), so that a
-- deployment can later be split or partitioned by county. The column is
-- computed from the row's region code by the database itself, so it can
-- never disagree with it. (SQLite adds generated columns as VIRTUAL;
-- PostgreSQL stores them: sql/pg/0005.)
ALTER TABLE households ADD COLUMN county TEXT GENERATED ALWAYS AS
    (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) VIRTUAL;
ALTER TABLE users ADD COLUMN county TEXT GENERATED ALWAYS AS
    (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) VIRTUAL;
ALTER TABLE role_grants ADD COLUMN county TEXT GENERATED ALWAYS AS
    (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) VIRTUAL;
ALTER TABLE api_keys ADD COLUMN county TEXT GENERATED ALWAYS AS
    (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) VIRTUAL;
ALTER TABLE invites ADD COLUMN county TEXT GENERATED ALWAYS AS
    (CASE WHEN length(region_code) >= 6 THEN substr(region_code, 1, 6) ELSE '' END) VIRTUAL;
ALTER TABLE audit_log ADD COLUMN county TEXT GENERATED ALWAYS AS
    (CASE WHEN length(region) >= 6 THEN substr(region, 1, 6) ELSE '' END) VIRTUAL;

CREATE INDEX users_by_county ON users(county);
CREATE INDEX households_by_county ON households(county);
CREATE INDEX audit_by_county ON audit_log(county, id);
