-- What search engines and link previews read (issue 17): a title, a description, an image, a
-- canonical URL and noindex, for an article, a page or a category. One row per thing that
-- overrides a default (the title, the summary, the cover, the frontend's own URL); none for
-- the rest. The sitemap leaves out what says noindex.
CREATE TABLE seo (
    kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    image_url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    noindex BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, target_id)
);
CREATE INDEX seo_by_site ON seo (site_id, kind, noindex);

-- The slugs an article or a category had before it was renamed: its old address answers 301
-- to the new one. A slug in use by another live article or category wins over an old one.
CREATE TABLE old_slugs (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    slug TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (site_id, kind, slug)
);

-- The cover's text alternative (Circular 26/2020/TT-BTTTT Art. 5).
ALTER TABLE articles ADD COLUMN cover_image_alt TEXT NOT NULL DEFAULT '';
-- The body stays the last column of an article (see migration 7).
ALTER TABLE articles ADD COLUMN body_last TEXT NOT NULL DEFAULT '';
UPDATE articles SET body_last = body_html;
ALTER TABLE articles DROP COLUMN body_html;
ALTER TABLE articles RENAME COLUMN body_last TO body_html;
