DROP TABLE dossier_events;
DROP TABLE dossiers;
DROP TABLE procedures;
DROP TABLE holidays;
DROP TABLE desks;
