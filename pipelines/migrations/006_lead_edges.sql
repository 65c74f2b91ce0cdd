-- Edges read for leads (pipelines/leads/edges.py): each live relationship whose role oad knows,
-- turned to run from the one that holds or controls to what it holds or controls, with its
-- canonical role, what the Companies House natures of control say, and how sure it is. Built
-- again, whole, from `relationships` by `build_edges`; nothing else writes it.
CREATE TABLE lead_edges (
    controller_source     VARCHAR NOT NULL,
    controller_id         VARCHAR NOT NULL,
    controlled_source     VARCHAR NOT NULL,
    controlled_id         VARCHAR NOT NULL,
    controlled_type       VARCHAR NOT NULL,   -- 'record' or 'asset'
    role                  VARCHAR NOT NULL,   -- canonical (data/leads/roles.yml)
    kind                  VARCHAR NOT NULL,   -- ownership, control, officer, property, group, intermediary, other
    undirected            BOOLEAN NOT NULL,   -- reads the same either way (same_as, similar)
    published_role        VARCHAR NOT NULL,   -- the source's own word
    natures               VARCHAR[],          -- natures of control, as published
    share_min             DOUBLE,             -- percentages: more than min, at most max
    share_max             DOUBLE,
    votes_min             DOUBLE,
    votes_max             DOUBLE,
    appoints_directors    BOOLEAN,
    significant_influence BOOLEAN,
    as_trust              BOOLEAN,
    as_firm               BOOLEAN,
    nominee_for           VARCHAR,            -- an overseas entity holds land there as nominee
    entity_type           VARCHAR,            -- company, llp, partnership, roe
    unknown_natures       VARCHAR[],          -- natures not in data/leads/natures_of_control.yml
    start_date            VARCHAR,            -- as published
    end_date              VARCHAR,            -- ceased on, resigned on, relationship end
    ceased                BOOLEAN NOT NULL,
    base_certainty        DOUBLE NOT NULL,    -- in [0, 1]
    certainty_reason      VARCHAR NOT NULL,
    source                VARCHAR NOT NULL,   -- the relationship's
    relationship_id       VARCHAR NOT NULL,
    source_url            VARCHAR,
    fetched_at            TIMESTAMP,          -- when the crawl that wrote it finished
    built_at              TIMESTAMP NOT NULL
);

-- Relationships `lead_edges` leaves out or keeps with a doubt, and why: a role oad does not
-- know, an end the store does not have, a nature of control it does not know (that edge is kept).
CREATE TABLE lead_edge_problems (
    source          VARCHAR NOT NULL,
    relationship_id VARCHAR NOT NULL,
    problem         VARCHAR NOT NULL,   -- unknown_role, missing_subject, missing_object, unknown_nature, bad_natures, asset_controls
    reason          VARCHAR NOT NULL,
    kept            BOOLEAN NOT NULL,   -- the edge is in lead_edges all the same
    built_at        TIMESTAMP NOT NULL
);
