DROP TABLE article_search;
DROP TABLE article_related;
DROP TABLE articles;
DROP TABLE categories;
DROP TABLE sites;
