-- The debtor's related persons found among the person records: a start for leads through them
-- (matching/related_persons.py). Found by name alone, each with its name score and the
-- certainty the walk gives that hop; rebuilt whole by each leads build.
CREATE TABLE related_matches (
    debtor_id    VARCHAR NOT NULL,
    person_name  VARCHAR NOT NULL,           -- as the debtor file gives it
    person_role  VARCHAR,                    -- as the debtor file gives it
    role_label   VARCHAR,                    -- in English where oad knows the word
    source       VARCHAR NOT NULL,
    source_id    VARCHAR NOT NULL,
    record_name  VARCHAR NOT NULL,           -- the name of the record's that agreed best
    name_score   DOUBLE NOT NULL,
    probability  DOUBLE NOT NULL,            -- name_score times the name-only weight
    reason       VARCHAR NOT NULL,
    matched_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (debtor_id, person_name, source, source_id)
);
