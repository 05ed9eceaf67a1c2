DROP TABLE document_files;
DROP TABLE documents;
