-- Back to one token naming the site beside site-less words. The index is left empty: the
-- previous version has no rebuild, so its searches find each article again once it is saved.
DROP TABLE search_rebuild;
DROP TABLE article_search;
CREATE VIRTUAL TABLE article_search USING fts5 (
    title, summary, body, site,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
