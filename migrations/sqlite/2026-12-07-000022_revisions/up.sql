-- Every saved state of an article or a page (documents may follow), kept as JSON of its
-- content fields so that one table and one piece of code serve every kind. And the version a
-- page's writers send back in If-Match.
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

-- Articles' revisions move in, their ids kept (a restore names one by id), their content as
-- the JSON articles::revisions::ArticleContent reads; their own table goes.
INSERT INTO revisions (id, kind, target_id, site_id, user_id, action, created_at, content)
SELECT r.id, 'article', r.article_id, a.site_id, r.user_id, r.action, r.created_at,
       json_object('category_id', r.category_id, 'title', r.title, 'slug', r.slug,
                   'summary', r.summary, 'body_html', r.body_html,
                   'cover_image_url', r.cover_image_url, 'cover_image_alt', '',
                   'author_name', r.author_name, 'status', r.status,
                   'published_at', replace(r.published_at, ' ', 'T'))
FROM article_revisions r JOIN articles a ON a.id = r.article_id
ORDER BY r.id;
DROP TABLE article_revisions;
