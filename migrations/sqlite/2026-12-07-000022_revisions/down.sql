ALTER TABLE pages DROP COLUMN version;
DROP TABLE revisions;
