-- Records imports hash their raw payloads with DuckDB's hash() rather than md5, which cost a
-- large import several times as much. hash() may differ from one DuckDB version to another, so
-- the store keeps hash() of a fixed text here: an import that finds another value, or none (the
-- first import after this migration, over records hashed with md5), first rehashes the imported
-- records from their stored payloads (pipelines/record_hashes.py).
CREATE TABLE hash_probe (probe UBIGINT NOT NULL);
