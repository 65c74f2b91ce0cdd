-- The canonical model. Each later change to the schema is a new numbered file.

CREATE SEQUENCE crawl_id_seq START 1;
CREATE SEQUENCE rejected_id_seq START 1;
CREATE SEQUENCE change_id_seq START 1;
CREATE SEQUENCE review_id_seq START 1;
CREATE SEQUENCE lead_id_seq START 1;
CREATE SEQUENCE run_id_seq START 1;
CREATE SEQUENCE audit_id_seq START 1;

-- Where records come from: a spider's source, or a user's own import.
CREATE TABLE sources (
    name        VARCHAR PRIMARY KEY,
    title       VARCHAR,
    publisher   VARCHAR,
    licence     VARCHAR,
    url         VARCHAR,
    origin      VARCHAR NOT NULL,          -- 'spider' or 'import'
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- One fetch of one source (a crawl) or one imported file, with its counts.
CREATE TABLE crawls (
    crawl_id     BIGINT PRIMARY KEY,
    source       VARCHAR,                  -- NULL for debtor imports
    kind         VARCHAR NOT NULL,         -- 'crawl', 'records_import', 'debtors_import'
    location     VARCHAR NOT NULL,         -- URL or file path
    content_hash VARCHAR,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    status       VARCHAR NOT NULL,         -- 'running', 'finished', 'failed'
    fetched      BIGINT NOT NULL DEFAULT 0,
    new          BIGINT NOT NULL DEFAULT 0,
    changed      BIGINT NOT NULL DEFAULT 0,
    unchanged    BIGINT NOT NULL DEFAULT 0,
    removed      BIGINT NOT NULL DEFAULT 0,
    rejected     BIGINT NOT NULL DEFAULT 0,
    notes        JSON
);

-- Every foreign company or person as published.
CREATE TABLE records (
    source               VARCHAR NOT NULL,
    source_id            VARCHAR NOT NULL,
    name                 VARCHAR NOT NULL,
    kind                 VARCHAR NOT NULL,   -- 'company', 'person' or 'unknown'
    alt_names            VARCHAR[],
    jurisdiction         VARCHAR,
    registration_number  VARCHAR,
    incorporation_date   DATE,
    birth_date           VARCHAR,            -- 'YYYY-MM' or 'YYYY-MM-DD', as precise as published
    nationality          VARCHAR,
    country_of_residence VARCHAR,
    address              VARCHAR,
    source_url           VARCHAR,
    content_hash         VARCHAR NOT NULL,
    first_seen           TIMESTAMP NOT NULL,
    last_seen            TIMESTAMP NOT NULL,
    removed_at           TIMESTAMP,
    crawl_id             BIGINT NOT NULL,
    raw                  JSON
    -- (source, source_id) is unique: kept so by the merge, not by an index, which would
    -- make bulk loads several times slower.
);

-- Edges between records (officer, PSC, shareholder, parent/subsidiary, intermediary, proprietor).
CREATE TABLE relationships (
    source          VARCHAR NOT NULL,
    relationship_id VARCHAR NOT NULL,
    subject_source  VARCHAR NOT NULL,
    subject_id      VARCHAR NOT NULL,
    object_source   VARCHAR NOT NULL,
    object_id       VARCHAR NOT NULL,
    object_type     VARCHAR NOT NULL DEFAULT 'record',   -- 'record' or 'asset'
    role            VARCHAR NOT NULL,
    start_date      VARCHAR,
    end_date        VARCHAR,
    share           VARCHAR,
    source_url      VARCHAR,
    content_hash    VARCHAR NOT NULL,
    first_seen      TIMESTAMP NOT NULL,
    last_seen       TIMESTAMP NOT NULL,
    removed_at      TIMESTAMP,
    crawl_id        BIGINT NOT NULL,
    raw             JSON
    -- (source, relationship_id) is unique, kept so by the merge.
);

-- Property titles and other assets; owners are relationships with object_type 'asset'.
CREATE TABLE assets (
    source        VARCHAR NOT NULL,
    asset_id      VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,          -- 'property'
    tenure        VARCHAR,
    address       VARCHAR,
    district      VARCHAR,
    county        VARCHAR,
    region        VARCHAR,
    postcode      VARCHAR,
    price_paid    DECIMAL(18, 2),
    date_added    DATE,
    source_url    VARCHAR,
    content_hash  VARCHAR NOT NULL,
    first_seen    TIMESTAMP NOT NULL,
    last_seen     TIMESTAMP NOT NULL,
    removed_at    TIMESTAMP,
    crawl_id      BIGINT NOT NULL,
    raw           JSON
    -- (source, asset_id) is unique, kept so by the merge.
);

-- The bank's debtor list, with what validation found.
CREATE TABLE debtors (
    debtor_id          VARCHAR PRIMARY KEY,
    name               VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL,     -- 'company' or 'person'
    alt_names          VARCHAR[],
    id_number          VARCHAR,
    id_type            VARCHAR,              -- 'uscc', 'ric' or NULL
    id_valid           BOOLEAN,
    lei                VARCHAR,              -- a Legal Entity Identifier the bank holds
    birth_date         DATE,
    birth_date_origin  VARCHAR,              -- 'file' or 'id_number'
    nationality        VARCHAR,
    address            VARCHAR,
    related_persons    JSON,                 -- [{"name": ..., "role": ...}]
    outstanding_amount DECIMAL(20, 2),
    currency           VARCHAR,
    findings           VARCHAR[],            -- validation findings, kept with the row
    content_hash       VARCHAR NOT NULL,
    source_file        VARCHAR NOT NULL,
    source_line        BIGINT NOT NULL,
    crawl_id           BIGINT NOT NULL,
    imported_at        TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);

-- What an updated debtor import changed, field by field.
CREATE TABLE debtor_changes (
    change_id  BIGINT PRIMARY KEY,
    debtor_id  VARCHAR NOT NULL,
    crawl_id   BIGINT NOT NULL,
    field      VARCHAR NOT NULL,
    old_value  VARCHAR,
    new_value  VARCHAR,
    changed_at TIMESTAMP NOT NULL
);

-- Input rows that could not be loaded, with where and why.
CREATE TABLE rejected_rows (
    rejected_id BIGINT PRIMARY KEY,
    crawl_id    BIGINT NOT NULL,
    file        VARCHAR NOT NULL,
    line        BIGINT,
    field       VARCHAR,
    reason      VARCHAR NOT NULL,
    raw         VARCHAR,
    rejected_at TIMESTAMP NOT NULL
);

-- What matching compares, per debtor (side 'debtor', source 'debtors') or record (side 'record').
CREATE TABLE features (
    side            VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    content_hash    VARCHAR NOT NULL,        -- of the row the features were derived from
    kind            VARCHAR NOT NULL,
    names           VARCHAR[] NOT NULL,      -- the name and every alternative name
    name_keys       JSON,                    -- what the names module derived, for explanations
    block_keys      VARCHAR[] NOT NULL,      -- candidate-pair keys (words, name keys)
    block_weights   DOUBLE[] NOT NULL,       -- how strongly each key speaks for this name
    birth_year      INTEGER,
    birth_month     INTEGER,
    nationality     VARCHAR,                 -- ISO 3166 alpha-2
    residence       VARCHAR,                 -- ISO 3166 alpha-2
    jurisdiction    VARCHAR,                 -- ISO 3166 alpha-2 (sub-national codes folded)
    city            VARCHAR,                 -- a romanised city key
    incorporation_year INTEGER,
    identifiers     VARCHAR[] NOT NULL,      -- 'uscc:...', 'lei:...', 'gb-coh:...'
    related_names   VARCHAR[] NOT NULL,      -- legal representatives, shareholders, officers, PSCs
    computed_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (side, source, entity_id)
);

-- Pipeline runs (matching, leads, flows).
CREATE TABLE runs (
    run_id      BIGINT PRIMARY KEY,
    kind        VARCHAR NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status      VARCHAR NOT NULL,
    params      JSON,
    stats       JSON
);

CREATE TABLE matches (
    debtor_id         VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    source_id         VARCHAR NOT NULL,
    match_probability DOUBLE NOT NULL,
    match_weight      DOUBLE,
    name_score        DOUBLE,                 -- the names module's similarity, in [0, 1]
    contributions     JSON,
    reason            VARCHAR,
    model_version     VARCHAR,
    run_id            BIGINT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (debtor_id, source, source_id)
);

-- Trained linkage models; the newest is used unless another version is named.
CREATE TABLE models (
    version     VARCHAR PRIMARY KEY,
    created_at  TIMESTAMP NOT NULL,
    settings    JSON NOT NULL,               -- Splink's saved model
    training    JSON                         -- how it was trained, on what
);

-- Investigators' decisions; the latest per pair is in force.
CREATE TABLE reviews (
    review_id  BIGINT PRIMARY KEY,
    debtor_id  VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,
    source_id  VARCHAR NOT NULL,
    decision   VARCHAR NOT NULL,            -- 'confirm' or 'reject'
    reviewer   VARCHAR NOT NULL,
    note       VARCHAR,
    decided_at TIMESTAMP NOT NULL
);

CREATE TABLE leads (
    lead_id      BIGINT PRIMARY KEY,
    debtor_id    VARCHAR NOT NULL,
    asset_source VARCHAR NOT NULL,
    asset_id     VARCHAR NOT NULL,
    asset_type   VARCHAR NOT NULL,          -- 'record' or 'asset'
    path         JSON NOT NULL,
    confidence   DOUBLE NOT NULL,
    value        DECIMAL(18, 2),
    run_id       BIGINT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

-- Who did what to the store, for the bank's audit trail.
CREATE TABLE audit_log (
    audit_id  BIGINT PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor     VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,
    details   JSON
);
