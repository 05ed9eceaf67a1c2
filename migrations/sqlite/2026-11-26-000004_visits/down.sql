DROP TABLE visit_salts;
DROP TABLE article_view_days;
DROP TABLE visitors_online;
DROP TABLE visitor_days;
DROP TABLE visit_days;
ALTER TABLE sites DROP COLUMN visits_imported;
