-- The one-stop desk ("Bộ phận một cửa"; since 1 July 2025 the ward's "Trung tâm Phục vụ hành
-- chính công"): its office, its catalogue of procedures, the dossiers citizens file and the
-- holidays their deadlines skip.

-- One desk per site. `hours` is a JSON list of sessions: [{"weekdays": [1,2,3,4,5],
-- "opens": "07:00", "closes": "11:30"}, ...] (1 = Monday). `unit_code` begins every dossier
-- code (Thông tư 01/2018/TT-VPCP, Điều 19).
CREATE TABLE desks (
    site_id BIGINT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    hours TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Days off for every desk of the deployment (public holidays and the days given back for them).
CREATE TABLE holidays (
    day DATE PRIMARY KEY,
    name TEXT NOT NULL
);

-- The procedures a desk handles (codes of the national procedure database). `documents` is a
-- JSON list of strings; `fee_vnd` is null when the province sets the fee.
CREATE TABLE procedures (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    processing_days INTEGER NOT NULL,
    fee_vnd BIGINT,
    fee_note TEXT NOT NULL,
    online_level TEXT NOT NULL CHECK (online_level IN ('toan_trinh', 'mot_phan', 'truc_tiep')),
    documents TEXT NOT NULL,
    search_text TEXT NOT NULL,
    UNIQUE (site_id, code)
);
CREATE INDEX procedures_by_field ON procedures (site_id, field, code);

-- A dossier filed at the desk. `status` is the national code (1-10); times are UTC.
-- `lookup_key`, printed on the receipt beside the code, lets the citizen look it up.
CREATE TABLE dossiers (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    lookup_key TEXT NOT NULL,
    procedure_id BIGINT NOT NULL REFERENCES procedures (id),
    applicant_name TEXT NOT NULL,
    applicant_phone TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('truc_tiep', 'truc_tuyen', 'buu_chinh')),
    status INTEGER NOT NULL,
    received_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    returned_at TIMESTAMP,
    created_by BIGINT,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (site_id, code)
);
CREATE INDEX dossiers_received ON dossiers (site_id, received_at);
CREATE INDEX dossiers_open ON dossiers (site_id, status, due_at);

-- Every status a dossier took, with the note shown to the citizen.
CREATE TABLE dossier_events (
    id INTEGER PRIMARY KEY,
    dossier_id BIGINT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    status INTEGER NOT NULL,
    note TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    user_id BIGINT
);
CREATE INDEX dossier_events_by_dossier ON dossier_events (dossier_id, id);
