-- Documents attached to filings (licences, certificates, floor plans): the bytes live in the content-addressed
-- file store (storage.dir, named by SHA-256, outside the web root); the database keeps what they are and who
-- attached them to which filing.
CREATE TABLE documents (
  sha256     CHAR(64)    NOT NULL PRIMARY KEY,
  media_type VARCHAR(64) NOT NULL,
  size_bytes BIGINT      NOT NULL,
  created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE filing_documents (
  filing_id   BIGINT       NOT NULL,
  sha256      CHAR(64)     NOT NULL,
  name        VARCHAR(255) NOT NULL,
  uploaded_by BIGINT       NOT NULL,
  uploaded_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (filing_id, sha256),
  CONSTRAINT fk_filing_documents_filing FOREIGN KEY (filing_id) REFERENCES filings (id),
  CONSTRAINT fk_filing_documents_document FOREIGN KEY (sha256) REFERENCES documents (sha256),
  CONSTRAINT fk_filing_documents_user FOREIGN KEY (uploaded_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
