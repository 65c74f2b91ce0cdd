-- A row's content hash covers its fields (the facts oad keeps of it), so the same facts hash
-- alike whichever way they came, by an import or a crawl; its raw payload, as published, is
-- hashed apart. A crawl or import records the dataset it read, the channel its rows came by.
-- The next store opened for writing rehashes every row (pipelines/hashes.py).
ALTER TABLE records ADD COLUMN payload_hash VARCHAR;
ALTER TABLE relationships ADD COLUMN payload_hash VARCHAR;
ALTER TABLE assets ADD COLUMN payload_hash VARCHAR;
ALTER TABLE crawls ADD COLUMN dataset VARCHAR;
DELETE FROM hash_probe;
