DROP TABLE disclosure_documents;
DROP TABLE disclosures;
