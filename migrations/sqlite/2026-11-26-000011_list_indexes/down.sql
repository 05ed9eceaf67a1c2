DROP INDEX uploads_by_site;
DROP INDEX media_kind_newest;
DROP INDEX dossiers_status_received;
DROP INDEX articles_site_changed_any;
DROP INDEX articles_site_changed;
DROP INDEX articles_scheduled;
