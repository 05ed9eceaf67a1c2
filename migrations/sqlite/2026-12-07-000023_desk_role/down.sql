DELETE FROM memberships WHERE role = 'desk';
CREATE TABLE memberships_old (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('editor', 'author')),
    PRIMARY KEY (user_id, site_id)
);
INSERT INTO memberships_old (user_id, site_id, role) SELECT user_id, site_id, role FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_old RENAME TO memberships;
