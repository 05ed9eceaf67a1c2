-- A site's menus by location (header, footer): items in order and nested, each pointing at a
-- category, page, article, procedure, document or URL, resolved when read.
CREATE TABLE menu_items (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    location TEXT NOT NULL,
    parent_id BIGINT REFERENCES menu_items (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX menu_items_by_site ON menu_items (site_id, location, position, id);
