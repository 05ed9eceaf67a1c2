-- The body becomes the last column of an article. A body of a few kilobytes spills out of its
-- row's first page; SQLite then reads the spilled pages to reach any column after it, so lists
-- (which never show the body) paid a second page per row for the status and dates. Column
-- order means nothing to PostgreSQL; both backends keep the same order all the same.
ALTER TABLE articles ADD COLUMN body_last TEXT NOT NULL DEFAULT '';
UPDATE articles SET body_last = body_html;
ALTER TABLE articles DROP COLUMN body_html;
ALTER TABLE articles RENAME COLUMN body_last TO body_html;
