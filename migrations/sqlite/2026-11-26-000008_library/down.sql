DROP TABLE media_items;
DROP TABLE photos;
DROP TABLE albums;
DROP TABLE links;
