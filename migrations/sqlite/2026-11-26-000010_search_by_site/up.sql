-- Search tokens carry their site (`s3whai` is `hai` in site 3), so a search reads only its
-- site's postings and ranks against its site's counts, instead of every site's postings of
-- common syllables ANDed with a token naming the site. The tokens are made by the
-- application (`crate::db::backend`), so the index is rebuilt there: the row in
-- `search_rebuild` asks for it, and the rebuild deletes it in the same transaction.
DROP TABLE article_search;
CREATE VIRTUAL TABLE article_search USING fts5 (
    title, summary, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE search_rebuild (reason TEXT NOT NULL);
INSERT INTO search_rebuild (reason) VALUES ('search tokens carry their site (migration 10)');
