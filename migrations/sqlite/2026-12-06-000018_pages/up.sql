-- A site's static pages, in a tree ("Giới thiệu" → "Lịch sử", "Cơ cấu tổ chức"...; Decree
-- 224/2026 Art. 9.1.c): each read at the path of its slugs. Draft or published; a publication
-- time to come schedules it. Slugs are unique among siblings (checked under the site's lock).
CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES pages (id),
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL,
    published_at TIMESTAMP,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX pages_by_site ON pages (site_id, parent_id, position, id);
