"""Cross-script names: compare a debtor's name in Chinese characters with foreign records.

Public API (everything else in this package may change):

Similarity features, each returning `NameScore(score: float in [0, 1], agreed: list[str])`:
    person_similarity(debtor_name, foreign_name, foreign_surname=None) -> NameScore
    company_similarity(debtor_name, foreign_name) -> NameScore

Keys for blocking and explanation (frozen dataclasses, cached per name):
    person_keys(name, surname=None) -> PersonKeys
        .surname_keys, .given_keys, .full_keys, .syllable_keys: frozenset[str]; .blocking_keys
    company_keys(name) -> CompanyKeys
        .places (simplified Chinese place names, from either script), .trade, .industry,
        .legal_form, .words (English content words), .trade_readings, .candidates
        (English word, weight, Chinese unit) for Han names; .blocking_keys

Normalisation:
    fold(text), detect_script(text), simplified(text), han_key(text)

Any name may be in Han characters (simplified or traditional), Latin letters, or both.
"""

from matching.names.keys import CompanyKeys, PersonKeys, company_keys, person_keys
from matching.names.script import detect_script, fold, han_key, simplified
from matching.names.similarity import NameScore, company_similarity, person_similarity

__all__ = [
    "CompanyKeys",
    "NameScore",
    "PersonKeys",
    "company_keys",
    "company_similarity",
    "detect_script",
    "fold",
    "han_key",
    "person_keys",
    "person_similarity",
    "simplified",
]
