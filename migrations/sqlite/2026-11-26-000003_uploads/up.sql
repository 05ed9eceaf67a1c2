-- Uploaded files. The file itself lives on disk under its content hash; a row per site.
CREATE TABLE uploads (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    original_name TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    thumbnail_name TEXT,
    medium_name TEXT,
    created_by BIGINT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (site_id, sha256)
);
