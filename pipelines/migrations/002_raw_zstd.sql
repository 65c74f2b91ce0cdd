-- Raw payloads are long JSON texts (every column of a published row, keys repeated on each row).
-- DuckDB's default string compression (dictionary/FSST) spends most of a bulk load's write time
-- analysing them; ZSTD writes them several times faster and stores them about as small.
-- `raw` is the last column of each table, so re-adding it keeps the column order.

ALTER TABLE records RENAME COLUMN raw TO raw_before_002;
ALTER TABLE records ADD COLUMN raw JSON USING COMPRESSION zstd;
UPDATE records SET raw = raw_before_002;
ALTER TABLE records DROP COLUMN raw_before_002;

ALTER TABLE relationships RENAME COLUMN raw TO raw_before_002;
ALTER TABLE relationships ADD COLUMN raw JSON USING COMPRESSION zstd;
UPDATE relationships SET raw = raw_before_002;
ALTER TABLE relationships DROP COLUMN raw_before_002;

ALTER TABLE assets RENAME COLUMN raw TO raw_before_002;
ALTER TABLE assets ADD COLUMN raw JSON USING COMPRESSION zstd;
UPDATE assets SET raw = raw_before_002;
ALTER TABLE assets DROP COLUMN raw_before_002;
