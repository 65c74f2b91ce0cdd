-- Where each debtor's candidates ended in the last run that paired it with every record
-- (matching/candidate_floors.py): the key score of its last record in the first, key-based cut
-- and the re-ranking value of its last candidate. An incremental run admits a changed record
-- for a debtor only at or above these, as a whole run would; rows written under other limits
-- are not used.
CREATE TABLE candidate_floors (
    debtor_id  VARCHAR PRIMARY KEY,
    key_floor  DOUBLE NOT NULL,     -- 0 when fewer records than the cut reached the debtor
    rank_floor DOUBLE,              -- NULL when all its key pairs became candidates
    limits     VARCHAR NOT NULL     -- the limits they were found under, as JSON
);
