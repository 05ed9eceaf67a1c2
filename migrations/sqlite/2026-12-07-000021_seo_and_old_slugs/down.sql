ALTER TABLE article_revisions DROP COLUMN cover_image_alt;
ALTER TABLE articles DROP COLUMN cover_image_alt;
DROP TABLE old_slugs;
DROP TABLE seo;
