-- A counter per site (0: not under a site) bumped by every write, so every node's response
-- cache learns of writes made through the others.
CREATE TABLE cache_versions (
    site_id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
