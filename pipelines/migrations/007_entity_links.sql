-- The same company in several sources: pairs of live company records from different sources
-- that name one company, found by registration number within a jurisdiction or by name
-- (matching/entities/). Rebuilt whole by each resolution; (source_a, id_a) sorts before
-- (source_b, id_b), source_a <> source_b, and a pair appears once.
CREATE TABLE entity_links (
    source_a      VARCHAR NOT NULL,
    id_a          VARCHAR NOT NULL,
    source_b      VARCHAR NOT NULL,
    id_b          VARCHAR NOT NULL,
    method        VARCHAR NOT NULL,          -- 'registration_number' or 'name'
    probability   DOUBLE NOT NULL,
    jurisdiction  VARCHAR NOT NULL,          -- ISO 3166-1 alpha-2 both records share
    explanation   JSON NOT NULL,             -- what agreed: keys, names, each comparison's bits
    model_version VARCHAR NOT NULL,
    resolved_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (source_a, id_a, source_b, id_b)
);
