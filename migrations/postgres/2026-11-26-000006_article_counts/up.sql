-- How many articles each category of each site holds in each status, kept by a trigger in the
-- same transaction as the change. A list's total reads these few rows instead of counting
-- thousands of articles on every request.
CREATE TABLE article_counts (
    site_id BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (site_id, category_id, status)
);

INSERT INTO article_counts (site_id, category_id, status, n)
SELECT site_id, category_id, status, COUNT(*) FROM articles GROUP BY site_id, category_id, status;

CREATE FUNCTION article_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE article_counts SET n = n - 1
        WHERE site_id = OLD.site_id AND category_id = OLD.category_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO article_counts (site_id, category_id, status, n)
        VALUES (NEW.site_id, NEW.category_id, NEW.status, 1)
        ON CONFLICT (site_id, category_id, status) DO UPDATE SET n = article_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER article_counts_insert_delete AFTER INSERT OR DELETE ON articles
FOR EACH ROW EXECUTE FUNCTION article_counts_keep();

CREATE TRIGGER article_counts_update AFTER UPDATE OF site_id, category_id, status ON articles
FOR EACH ROW
WHEN (OLD.site_id <> NEW.site_id OR OLD.category_id <> NEW.category_id OR OLD.status <> NEW.status)
EXECUTE FUNCTION article_counts_keep();
