-- Staff accounts. Emails are stored lower-case; passwords as argon2id PHC strings.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

-- A user's role on one site. Admins need none: they act on every site.
CREATE TABLE memberships (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('editor', 'author')),
    PRIMARY KEY (user_id, site_id)
);

-- Opaque refresh tokens, stored as SHA-256 hashes. Each sign-in starts a family; every
-- refresh uses one token and issues the next of its family.
CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

-- Who wrote an article, and a counter bumped by every save (the article's ETag for writers).
ALTER TABLE articles ADD COLUMN created_by BIGINT;
ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Every saved state of every article.
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

-- Every write: who, what, when, from which address. Kept when the user is deleted.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    user_id BIGINT,
    user_email TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    site_id BIGINT,
    client_ip TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at, id);
