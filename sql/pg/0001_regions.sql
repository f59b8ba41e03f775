-- 0001: the divisions registry (GB/T 2260 and NBS statistical codes), on
-- PostgreSQL. A region's parent is the prefix of its code one level up; the
-- level is 0 province, 1 city, 2 county, 3 town, 4 village.
-- Codes and names compare byte by byte (COLLATE "C", as SQLite's BINARY):
-- the subtree query `code >= $1 AND code < $1 || ':'` is then a range scan
-- of the primary key, and listings come out in the same order as on SQLite.
CREATE TABLE regions (
    code        TEXT COLLATE "C" PRIMARY KEY,
    parent_code TEXT COLLATE "C" REFERENCES regions(code),
    level       INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    name        TEXT COLLATE "C" NOT NULL CHECK (length(name) > 0),
    updated_at  TEXT NOT NULL
);

CREATE INDEX regions_by_parent ON regions(parent_code, code);
CREATE INDEX regions_by_name ON regions(name);
