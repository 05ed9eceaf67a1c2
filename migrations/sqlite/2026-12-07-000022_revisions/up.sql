-- Every saved state of a page (issue 17; documents may follow), kept as JSON of its content
-- fields so that one table and one piece of code serve every kind (articles keep theirs in
-- article_revisions). And the version a page's writers send back in If-Match.
CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    content TEXT NOT NULL
);
CREATE INDEX revisions_of ON revisions (kind, target_id, id);
ALTER TABLE pages ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
