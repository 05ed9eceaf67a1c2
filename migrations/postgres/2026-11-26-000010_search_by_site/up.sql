-- Search lexemes carry their site (`s3whai` is `hai` in site 3), so a search reads only its
-- site's postings instead of every site's postings of common syllables ANDed with a lexeme
-- naming the site. The lexemes are made by the application (`crate::db::backend`), so the
-- index is rebuilt there: the row in `search_rebuild` asks for it, and the rebuild deletes it
-- in the same transaction.
TRUNCATE article_search;
CREATE TABLE search_rebuild (reason TEXT NOT NULL);
INSERT INTO search_rebuild (reason) VALUES ('search tokens carry their site (migration 10)');
