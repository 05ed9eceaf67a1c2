-- The ward's officials (Decree 224/2026 Art. 9.1.c: leaders with their duties; Law on Access
-- to Information Art. 17.1.m, 19.1.đ: the officials who answer information requests, with
-- their contacts). Listed by `position`, then id.
CREATE TABLE officials (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    duties TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    photo_url TEXT NOT NULL,
    photo_alt TEXT NOT NULL,
    leader BOOLEAN NOT NULL,
    information_contact BOOLEAN NOT NULL,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX officials_by_site ON officials (site_id, position, id);
