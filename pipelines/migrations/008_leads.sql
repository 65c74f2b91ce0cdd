-- Leads: a debtor's chain from a matched record, through the edges and entity links, to a
-- property title or a company it controls. The id is derived from the debtor, the target and the
-- path, so a rebuild keeps it; a lead no longer found is kept with gone_at set, never deleted.
DROP TABLE IF EXISTS leads;
CREATE TABLE leads (
    lead_id        VARCHAR PRIMARY KEY,      -- md5 of debtor and each hop's node and evidence
    debtor_id      VARCHAR NOT NULL,
    target_source  VARCHAR NOT NULL,
    target_id      VARCHAR NOT NULL,
    target_type    VARCHAR NOT NULL,         -- 'asset' (a title) or 'record' (a company)
    via_related    VARCHAR,                  -- the related person it starts from, if not the debtor
    hops           INTEGER NOT NULL,
    path           JSON NOT NULL,            -- each hop: from, to, via, role, certainty, evidence
    confidence     DOUBLE NOT NULL,          -- the product of the hops' certainties
    weakest        DOUBLE NOT NULL,          -- the least certain hop
    value          DECIMAL(18, 2),           -- price paid, where known
    jurisdiction   VARCHAR,
    evidence_as_of DATE,                     -- the oldest fetch among its hops: as fresh as that
    evidence_hash  UBIGINT NOT NULL,         -- of every hop's content: a change flags the lead
    status         VARCHAR NOT NULL,         -- 'new', 'unchanged', 'changed' or 'gone'
    changes        JSON,                     -- what changed since the last build
    first_built    TIMESTAMP NOT NULL,
    last_built     TIMESTAMP NOT NULL,
    gone_at        TIMESTAMP,
    run_id         BIGINT NOT NULL
);
