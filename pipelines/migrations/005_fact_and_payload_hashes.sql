-- A row's content hash covers its fields (the facts oad keeps of it), so the same facts hash
-- alike whichever way they came, by an import or a crawl; its raw payload, as published, is
-- hashed apart. Both are DuckDB hash() values, kept as numbers (cheaper to write and compare
-- than their text). A crawl or import records the dataset it read, the channel its rows came
-- by. The next store opened for writing rehashes every row (pipelines/hashes.py).
-- `records` is made again (its hash column was stored with ZSTD, which numbers do not take),
-- with its columns in the same order.

CREATE TABLE records_before_005 AS SELECT * FROM records;
DROP TABLE records;
CREATE TABLE records (
    source               VARCHAR NOT NULL,
    source_id            VARCHAR NOT NULL USING COMPRESSION zstd,
    name                 VARCHAR NOT NULL USING COMPRESSION zstd,
    kind                 VARCHAR NOT NULL,   -- 'company', 'person' or 'unknown'
    alt_names            VARCHAR[],
    jurisdiction         VARCHAR,
    registration_number  VARCHAR USING COMPRESSION zstd,
    incorporation_date   DATE,
    birth_date           VARCHAR,            -- 'YYYY-MM' or 'YYYY-MM-DD', as precise as published
    nationality          VARCHAR,
    country_of_residence VARCHAR,
    address              VARCHAR USING COMPRESSION zstd,
    source_url           VARCHAR,
    content_hash         UBIGINT NOT NULL,   -- of the fields
    first_seen           TIMESTAMP NOT NULL,
    last_seen            TIMESTAMP NOT NULL,
    removed_at           TIMESTAMP,
    crawl_id             BIGINT NOT NULL,
    raw                  JSON USING COMPRESSION zstd,
    payload_hash         UBIGINT             -- of the raw payload
    -- (source, source_id) is unique: kept so by the merge, not by an index, which would
    -- make bulk loads several times slower.
);
INSERT INTO records
SELECT source, source_id, name, kind, alt_names, jurisdiction, registration_number,
       incorporation_date, birth_date, nationality, country_of_residence, address, source_url,
       0, first_seen, last_seen, removed_at, crawl_id, raw, NULL
FROM records_before_005;
DROP TABLE records_before_005;

ALTER TABLE relationships ALTER COLUMN content_hash SET DATA TYPE UBIGINT USING 0;
ALTER TABLE assets ALTER COLUMN content_hash SET DATA TYPE UBIGINT USING 0;
ALTER TABLE relationships ADD COLUMN payload_hash UBIGINT;
ALTER TABLE assets ADD COLUMN payload_hash UBIGINT;
ALTER TABLE crawls ADD COLUMN dataset VARCHAR;
DELETE FROM hash_probe;
