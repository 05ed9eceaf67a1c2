-- A desk officer (issue 18): receives dossiers and moves them on, edits nothing else. SQLite
-- changes a CHECK only by building the table again.
CREATE TABLE memberships_new (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('editor', 'author', 'desk')),
    PRIMARY KEY (user_id, site_id)
);
INSERT INTO memberships_new (user_id, site_id, role) SELECT user_id, site_id, role FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;
