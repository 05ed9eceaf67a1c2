-- The leaders' work calendar (lịch công tác; Decree 43/2011 Art. 10.1.c): each entry's time,
-- place, who chairs, who attends and what it is about. Times in UTC; weeks are the site's.
CREATE TABLE calendar_entries (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP,
    place TEXT NOT NULL,
    chair TEXT NOT NULL,
    attendees TEXT NOT NULL,
    content TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX calendar_entries_by_time ON calendar_entries (site_id, starts_at, id);
