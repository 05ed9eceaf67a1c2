CREATE TABLE article_revisions (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    category_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    slug TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_html TEXT NOT NULL,
    cover_image_url TEXT,
    author_name TEXT,
    status TEXT NOT NULL,
    published_at TIMESTAMP
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, id);
INSERT INTO article_revisions (id, article_id, user_id, action, created_at, category_id, title, slug, summary,
                               body_html, cover_image_url, author_name, status, published_at)
SELECT id, target_id, user_id, action, created_at, json_extract(content, '$.category_id'),
       json_extract(content, '$.title'), json_extract(content, '$.slug'), json_extract(content, '$.summary'),
       json_extract(content, '$.body_html'), json_extract(content, '$.cover_image_url'),
       json_extract(content, '$.author_name'), json_extract(content, '$.status'),
       replace(json_extract(content, '$.published_at'), 'T', ' ')
FROM revisions WHERE kind = 'article' ORDER BY id;
ALTER TABLE pages DROP COLUMN version;
DROP TABLE revisions;
