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

-- No article may change between the first count and the trigger taking over (nodes still
-- serving during a rolling deploy): writers wait until this migration commits.
LOCK TABLE articles IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO article_counts (site_id, category_id, status, n)
SELECT site_id, category_id, status, COUNT(*) FROM articles GROUP BY site_id, category_id, status;

-- A move touches two rows of counts; they are always taken in key order, so that a publish
-- and an unpublish in one category at the same moment cannot deadlock.
CREATE FUNCTION article_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE'
        AND (NEW.site_id, NEW.category_id, NEW.status) < (OLD.site_id, OLD.category_id, OLD.status)) THEN
        INSERT INTO article_counts (site_id, category_id, status, n)
        VALUES (NEW.site_id, NEW.category_id, NEW.status, 1)
        ON CONFLICT (site_id, category_id, status) DO UPDATE SET n = article_counts.n + 1;
        IF TG_OP = 'INSERT' THEN
            RETURN NULL;
        END IF;
    END IF;
    UPDATE article_counts SET n = n - 1
    WHERE site_id = OLD.site_id AND category_id = OLD.category_id AND status = OLD.status;
    IF TG_OP = 'UPDATE'
        AND (NEW.site_id, NEW.category_id, NEW.status) > (OLD.site_id, OLD.category_id, OLD.status) THEN
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
