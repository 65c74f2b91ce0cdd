"""Ranked candidates per debtor: the one ordering that export, show and evaluate all use."""

from __future__ import annotations

RANKED = """
    SELECT m.debtor_id, m.source, m.source_id, r.name AS record_name, m.match_probability,
           m.match_weight, m.name_score, m.contributions, m.reason, m.model_version, m.run_id,
           row_number() OVER (PARTITION BY m.debtor_id
                              ORDER BY m.match_probability DESC, m.name_score DESC NULLS LAST,
                                       m.match_weight DESC NULLS LAST, m.source, m.source_id)
               AS rank
    FROM matches m LEFT JOIN records r ON r.source = m.source AND r.source_id = m.source_id
"""
