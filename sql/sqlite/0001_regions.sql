-- 0001: the divisions registry (GB/T 2260 and NBS statistical codes).
-- A region's parent is the prefix of its code one level up; the level is
-- 0 province, 1 city, 2 county, 3 town, 4 village.
CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    parent_code TEXT REFERENCES regions(code),
    level       INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    name        TEXT NOT NULL CHECK (length(name) > 0),
    updated_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX regions_by_parent ON regions(parent_code, code);
CREATE INDEX regions_by_name ON regions(name);
