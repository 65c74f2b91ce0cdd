-- Where each debtor's nearest records by the name encoder ended in the last run that paired it
-- with every record (matching/dense_candidates.py): the score of the last of them. NULL when
-- fewer records than the cut were near enough to be found, or none were searched for it.
ALTER TABLE candidate_floors ADD COLUMN dense_floor DOUBLE;
