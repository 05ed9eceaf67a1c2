-- The rest of a ward portal's page beside its news: website links, the photo library and
-- media items.

-- "Liên kết website": links to other sites, grouped. Groups show in the order of their first
-- link; links within a group by `position`.
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX links_by_site ON links (site_id, position, id);

-- "Thư viện ảnh": albums of photos, newest first by the date they show.
CREATE TABLE albums (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (site_id, slug)
);
CREATE INDEX albums_newest ON albums (site_id, published_at, id);

-- A photo of an album: an image (an upload of the site, or an image elsewhere) and its
-- caption, in `position` order. The first is the album's cover.
CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    album_id BIGINT NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    upload_id BIGINT REFERENCES uploads (id),
    image_url TEXT NOT NULL,
    thumbnail_url TEXT NOT NULL,
    medium_url TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    caption TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX photos_by_album ON photos (album_id, position, id);

-- Media items: a song or a video, uploaded (`file_url`) or embedded from another site
-- (`embed_url`), exactly one of the two.
CREATE TABLE media_items (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('video', 'audio')),
    upload_id BIGINT REFERENCES uploads (id),
    file_url TEXT,
    content_type TEXT,
    embed_url TEXT,
    thumbnail_url TEXT,
    duration_seconds INTEGER,
    published_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((file_url IS NULL) <> (embed_url IS NULL)),
    UNIQUE (site_id, slug)
);
CREATE INDEX media_newest ON media_items (site_id, published_at, id);
