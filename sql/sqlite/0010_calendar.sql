-- 0010: the working-day calendar's admin imports: Chinese public holidays
-- and make-up workdays (调休) of years the binary does not carry (its own
-- are in data/calendar/), or corrections of them (`bianmin calendar
-- import`). One row per day; a later import of a day replaces it. Days are
-- yyyymmdd (China time); what a kind means is src/core/calendar.h's to say.
CREATE TABLE calendar_days (
    day         INTEGER PRIMARY KEY CHECK (day BETWEEN 20000101 AND 20991231),
    kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name        TEXT NOT NULL CHECK (length(name) > 0),
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL
);
