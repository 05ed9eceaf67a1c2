-- How many articles each category of each site holds in each status, kept by triggers in the
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

CREATE TRIGGER article_counts_insert AFTER INSERT ON articles
BEGIN
    INSERT INTO article_counts (site_id, category_id, status, n)
    VALUES (NEW.site_id, NEW.category_id, NEW.status, 1)
    ON CONFLICT (site_id, category_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER article_counts_delete AFTER DELETE ON articles
BEGIN
    UPDATE article_counts SET n = n - 1
    WHERE site_id = OLD.site_id AND category_id = OLD.category_id AND status = OLD.status;
END;

CREATE TRIGGER article_counts_update AFTER UPDATE OF site_id, category_id, status ON articles
WHEN OLD.site_id <> NEW.site_id OR OLD.category_id <> NEW.category_id OR OLD.status <> NEW.status
BEGIN
    UPDATE article_counts SET n = n - 1
    WHERE site_id = OLD.site_id AND category_id = OLD.category_id AND status = OLD.status;
    INSERT INTO article_counts (site_id, category_id, status, n)
    VALUES (NEW.site_id, NEW.category_id, NEW.status, 1)
    ON CONFLICT (site_id, category_id, status) DO UPDATE SET n = n + 1;
END;
