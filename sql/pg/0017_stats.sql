-- 0017: indexes for the statistics of demands (src/patrol/stats.c,
-- docs/patrol.md "Statistics"): the demands of a region raised in a period,
-- the messages of a group posted in a period, and the replies to a message
-- (a resident's message counts as a valid interaction when a cadre replied).
CREATE INDEX cases_by_region_created ON cases(region, created_at);
CREATE INDEX messages_by_group_at ON messages(group_id, at);
CREATE INDEX messages_by_reply ON messages(reply_to) WHERE reply_to IS NOT NULL;
