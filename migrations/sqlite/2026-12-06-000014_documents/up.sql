-- Legal and administrative documents (văn bản; Law on Access to Information Art. 19.1.a):
-- kind, number and symbol, issuer, signer, dates, field, summary (trích yếu), what each
-- replaces, and the files. `*_key` columns hold the folded text filters compare;
-- `search_text` the folded words of number, summary, issuer, signer and field.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    number_key TEXT NOT NULL,
    issuer TEXT NOT NULL,
    issuer_key TEXT NOT NULL,
    signer TEXT NOT NULL,
    issued_on DATE NOT NULL,
    issued_year INTEGER NOT NULL,
    effective_on DATE,
    expires_on DATE,
    field TEXT NOT NULL,
    field_key TEXT NOT NULL,
    summary TEXT NOT NULL,
    replaces_id BIGINT REFERENCES documents (id) ON DELETE SET NULL,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The same number from the same issuer in the same year is one document.
CREATE UNIQUE INDEX documents_number ON documents (site_id, issuer_key, issued_year, number_key);
CREATE INDEX documents_newest ON documents (site_id, issued_on, id);
CREATE INDEX documents_replaces ON documents (replaces_id);

-- A document's files (PDF, Word, scans) among the site's uploads, in order.
CREATE TABLE document_files (
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    upload_id BIGINT NOT NULL REFERENCES uploads (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (document_id, upload_id)
);
