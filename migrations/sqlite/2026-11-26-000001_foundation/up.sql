CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES categories (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (site_id, slug)
);
CREATE INDEX categories_parent ON categories (parent_id);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES categories (id),
    title TEXT NOT NULL,
    slug TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    body_html TEXT NOT NULL DEFAULT '',
    cover_image_url TEXT,
    author_name TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'review', 'published', 'trashed')),
    published_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (site_id, slug)
);
CREATE INDEX articles_site_published ON articles (site_id, status, published_at DESC, id DESC);
CREATE INDEX articles_category_published ON articles (category_id, status, published_at, id);

CREATE TABLE article_related (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    related_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, related_id),
    CHECK (article_id <> related_id)
);

-- Folded (diacritic-free, lower-case) text of each article; rowid = articles.id. `site` holds
-- one token naming the site, so a search looks only at that site's articles. Contentless: the
-- text is in articles already.
CREATE VIRTUAL TABLE article_search USING fts5 (
    title, summary, body, site,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
