-- What the last leads build read (pipelines/leads/changes.py), so that the next one redoes only
-- what changed since: a fingerprint of each input row as the build reads it, what each debtor's
-- walk reached, and the settings it ran with. A build that finds no settings row, or other
-- settings, rebuilds whole; so does `oad leads build --full`.
CREATE TABLE lead_build_settings (
    name  VARCHAR PRIMARY KEY,               -- 'settings': the walk limits and the role book
    value VARCHAR NOT NULL                   -- as one JSON text, compared as it is
);
-- hash(content_hash, payload_hash, live) of each relationship and its crawl
CREATE TABLE lead_seen_relationships (
    source          VARCHAR NOT NULL,
    relationship_id VARCHAR NOT NULL,
    fingerprint     UBIGINT NOT NULL
);
CREATE TABLE lead_seen_records (
    source      VARCHAR NOT NULL,
    source_id   VARCHAR NOT NULL,
    fingerprint UBIGINT NOT NULL,
    company     BOOLEAN NOT NULL                -- a live company record: entity resolution reads it
);
CREATE TABLE lead_seen_assets (
    source      VARCHAR NOT NULL,
    asset_id    VARCHAR NOT NULL,
    fingerprint UBIGINT NOT NULL
);
-- when each crawl finished: an edge's fetch time
CREATE TABLE lead_seen_crawls (
    crawl_id    BIGINT NOT NULL,
    fingerprint UBIGINT NOT NULL
);
-- every start of a debtor's walk (its matches at or above the floor), as one hash
CREATE TABLE lead_seen_starts (
    debtor_id   VARCHAR NOT NULL,
    fingerprint UBIGINT NOT NULL
);
-- each node a debtor's walk reached; expands: reached with hops to spare, so its steps were read
CREATE TABLE lead_reach (
    debtor_id   VARCHAR NOT NULL,
    node_source VARCHAR NOT NULL,
    node_id     VARCHAR NOT NULL,
    expands     BOOLEAN NOT NULL
);
-- What entity resolution knows of each live company record (matching/entities/keys.py): kept
-- between resolutions, so that one after a few records changed makes only their keys again.
CREATE TABLE entity_keys (
    source                 VARCHAR NOT NULL,
    source_id              VARCHAR NOT NULL,
    name                   VARCHAR,
    published_jurisdiction VARCHAR,
    jurisdiction           VARCHAR,          -- ISO 3166-1 alpha-2
    registration_number    VARCHAR,
    registration_key       VARCHAR,
    name_key               VARCHAR,
    name_words             VARCHAR[],
    legal_form             VARCHAR,
    incorporation_year     BIGINT
);
