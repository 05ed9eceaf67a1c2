DROP TABLE cache_versions;
