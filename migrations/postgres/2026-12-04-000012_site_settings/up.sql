-- A site's contacts and what frames its pages (Law on Access to Information Art. 17.1.m,
-- Decree 224/2026 Art. 9.1.c): address, phone, fax, email, logo, banner, footer text and the
-- frontend's public base URL.
ALTER TABLE sites ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN fax TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN logo_url TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN banner_url TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN footer_text TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN base_url TEXT NOT NULL DEFAULT '';
