ALTER TABLE media_items DROP COLUMN transcript;
ALTER TABLE photos DROP COLUMN alt;
