ALTER TABLE articles DROP COLUMN cover_image_alt;
DROP TABLE old_slugs;
DROP TABLE seo;
