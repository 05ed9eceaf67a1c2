-- An index for every list's filter and order that had none.

-- The cache's look for scheduled articles whose time has come, every 250 ms on every node:
-- without it, a walk of all the published articles of every site (13 ms on 100,000 articles).
CREATE INDEX articles_scheduled ON articles (status, published_at, site_id);
-- Staff lists: one status, or all of them, last changed first.
CREATE INDEX articles_site_changed ON articles (site_id, status, updated_at, id);
CREATE INDEX articles_site_changed_any ON articles (site_id, updated_at, id);
-- Dossiers of one status, newest received first.
CREATE INDEX dossiers_status_received ON dossiers (site_id, status, received_at, id);
-- Media of one kind, newest first.
CREATE INDEX media_kind_newest ON media_items (site_id, kind, published_at, id);
-- A site's uploads, newest first.
CREATE INDEX uploads_by_site ON uploads (site_id, id);
