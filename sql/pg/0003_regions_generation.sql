-- 0003: a counter that every change of the divisions registry bumps, so
-- that servers can cache region answers and see at once when they are stale
-- (even when another process, such as `bianmin import`, made the change).
CREATE TABLE regions_meta (
    generation BIGINT NOT NULL
);
INSERT INTO regions_meta(generation) VALUES (1);
