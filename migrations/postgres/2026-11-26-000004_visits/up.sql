-- The total carried over from a site's old portal, added to every total.
ALTER TABLE sites ADD COLUMN visits_imported BIGINT NOT NULL DEFAULT 0;

-- Page views per site and local day; bots apart.
CREATE TABLE visit_days (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    page_views BIGINT NOT NULL DEFAULT 0,
    bot_views BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, day)
);

-- One row per unique visitor per site and day: a hash of address and user agent keyed with
-- that day's salt. Addresses are never stored.
CREATE TABLE visitor_days (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    visitor TEXT NOT NULL,
    PRIMARY KEY (site_id, day, visitor)
);

-- When each visitor (hashed as above) was last seen, for "online now".
CREATE TABLE visitors_online (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visitor TEXT NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    PRIMARY KEY (site_id, visitor)
);
CREATE INDEX visitors_online_seen ON visitors_online (site_id, last_seen);

-- Views per article and local day.
CREATE TABLE article_view_days (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, day)
);
CREATE INDEX article_view_days_site_day ON article_view_days (site_id, day);

-- A random salt per day for the visitor hashes; old ones are deleted, so old hashes cannot
-- be linked to anyone.
CREATE TABLE visit_salts (
    day DATE PRIMARY KEY,
    salt TEXT NOT NULL
);
