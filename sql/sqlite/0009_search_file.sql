-- 0009: the search index of messages moves to a file of its own
-- ("<database>.search", src/store/sqlite_index.c), filled by a thread of its
-- own from the committed messages, so that storing a message no longer
-- waits for its terms to be indexed. The index there is rebuilt from the
-- messages; the copy in this file is no longer used.
DROP TABLE messages_fts;
