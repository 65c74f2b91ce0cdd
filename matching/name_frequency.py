"""How common a person's name is abroad, as one more step of a person pair's weight.

The linkage model gives every pair whose names agree at its top person-name level the same
weight, whether the name is WANG Wei, which hundreds of records abroad carry, or one that a
single record carries: its u probability is the average chance that two random people agree
that well. A common name agreeing says less; a rare one says more. As Splink's term-frequency
adjustments do for exact matches, the step replaces the average by the name's own frequency:
the share of person records abroad whose name has the pair's record's name key (its strongest
full-name key, as feature extraction ordered them), against what that share averages over the
records, weighted by how often each name comes up. The step is log2(average / own share) bits:
0 for a name as common as usual, negative for a common name, positive for a rare one; bounded,
as a count from one set of registers is rough at its tails.

The linkage model's weight stays in `match_weight`; the probability is the weight plus this
step, and the step is part of the pair's explanation, so the steps still add up.
"""

from __future__ import annotations

from typing import Any

import duckdb

from matching.model_levels import level_labels

STEP = "how common the name is"  # the explanation step's name
LEVEL = "%s: %d of %d person records abroad"
MAX_BITS, MIN_BITS = 3.0, -6.0  # a rare name may add up to 8 times, a common one take 64

# Each person record's strongest full-name key and how many person records share it.
RECORD_NAME_COUNTS = """
CREATE OR REPLACE TEMP TABLE name_counts AS
WITH keyed AS (
    SELECT source, entity_id AS source_id, block_keys[1] AS name_key FROM features
    WHERE side = 'record' AND kind = 'person' AND block_keys[1] LIKE 'p:%'
)
SELECT source, source_id, name_key, count(*) OVER (PARTITION BY name_key) AS sharing,
       count(*) OVER () AS records
FROM keyed
"""

# The run's person pairs whose names agree at the top level, with the step: log2 of the
# average share (the sum of squared shares) over the pair's record's own share.
ADJUST = """
CREATE OR REPLACE TEMP TABLE name_frequency AS
WITH average AS (
    SELECT sum(share * share) / sum(share) AS share FROM (
        SELECT any_value(sharing) / any_value(records) AS share FROM name_counts
        GROUP BY name_key)
)
SELECT m.debtor_id, m.source, m.source_id, c.name_key, c.sharing, c.records,
       greatest(least(log2((SELECT share FROM average) / (c.sharing / c.records)), $most),
                $least) AS bits
FROM matches m JOIN debtors d USING (debtor_id)
JOIN name_counts c ON c.source = m.source AND c.source_id = m.source_id
WHERE m.run_id = $run AND d.kind = 'person' AND m.reason IS NULL
  AND m.match_weight IS NOT NULL
  AND CAST(json_extract(m.contributions, '$.person_name.level') AS INTEGER) = $top
"""

UPDATE = """
UPDATE matches m SET match_probability = 1 / (1 + pow(2, -(m.match_weight + f.bits))),
    contributions = json_merge_patch(coalesce(m.contributions, '{}'), json_object($step,
        json_object('level', printf($level, substr(f.name_key, 3), f.sharing, f.records),
                    'bits', f.bits)))
FROM name_frequency f
WHERE m.debtor_id = f.debtor_id AND m.source = f.source AND m.source_id = f.source_id
"""


def top_person_level(model: dict[str, Any]) -> int | None:
    """The level (gamma) of the model's closest person-name agreement, if it has one."""
    levels = level_labels(model).get("person_name", {})
    return max(levels) if levels else None


def adjust_person_names(con: duckdb.DuckDBPyConnection, run_id: int, model: dict[str, Any]) -> int:
    """Give this run's person pairs whose names agree at the top level the step for how common
    the record's name is abroad. Returns how many pairs it was given to."""
    top = top_person_level(model)
    if top is None:
        return 0
    con.execute(RECORD_NAME_COUNTS)
    con.execute(ADJUST, {"run": run_id, "top": top, "most": MAX_BITS, "least": MIN_BITS})
    con.execute(UPDATE, {"step": STEP, "level": LEVEL})
    adjusted = con.execute("SELECT count(*) FROM name_frequency").fetchall()[0][0]
    con.execute("DROP TABLE name_frequency; DROP TABLE name_counts")
    return int(adjusted)
