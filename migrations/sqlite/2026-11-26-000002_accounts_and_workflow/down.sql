DROP TABLE audit_log;
DROP TABLE article_revisions;
ALTER TABLE articles DROP COLUMN version;
ALTER TABLE articles DROP COLUMN created_by;
DROP TABLE refresh_tokens;
DROP TABLE memberships;
DROP TABLE users;
