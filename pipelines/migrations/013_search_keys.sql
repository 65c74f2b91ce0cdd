-- The search index (matching/search_index.py): every key a debtor, live record or live asset can
-- be found by — its names' keys as matching derives them, exact-name keys, identifiers — one row
-- per key. A search looks its query's keys up by equality and re-scores the few hundred entities
-- found. Written sorted by key, so that a look-up reads only the row groups holding its keys.
CREATE TABLE search_keys (
    key        VARCHAR NOT NULL,
    side       VARCHAR NOT NULL,           -- 'debtor', 'record' or 'asset'
    source     VARCHAR NOT NULL,           -- 'debtors' for debtors
    entity_id  VARCHAR NOT NULL,
    weight     DOUBLE NOT NULL             -- how strongly the key speaks for this entity, (0, 1]
);
-- What each entity's keys were made from: an entity whose hash changed is indexed again.
CREATE TABLE search_indexed (
    side         VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    entity_id    VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    PRIMARY KEY (side, source, entity_id)
);
