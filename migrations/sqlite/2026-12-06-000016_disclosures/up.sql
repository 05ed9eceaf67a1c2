-- The register of what the ward disclosed (Law on Access to Information Art. 19.1.g; Law on
-- Grassroots Democracy Art. 11-13): each item's kind among those of Art. 11, the period it
-- covers, when and how it was posted, and the documents attached.
CREATE TABLE disclosures (
    id INTEGER PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    posted_on DATE NOT NULL,
    posted_until DATE,
    form TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX disclosures_newest ON disclosures (site_id, posted_on, id);

CREATE TABLE disclosure_documents (
    disclosure_id BIGINT NOT NULL REFERENCES disclosures (id) ON DELETE CASCADE,
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (disclosure_id, document_id)
);
CREATE INDEX disclosure_documents_by_document ON disclosure_documents (document_id);
