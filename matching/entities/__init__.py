"""The same company in several sources: entity resolution across the store's records.

Public API:
    jurisdiction_code(text) -> str | None          published jurisdiction -> ISO 3166-1 alpha-2
    registration_key(jurisdiction_code, number) -> str | None   comparable registration number
    resolve_entities(con) -> ResolutionCounts      rebuilds the `entity_links` table

Kept apart from debtor matching (matching/): it links records to records, not to debtors.
"""

from matching.entities.jurisdictions import jurisdiction_code
from matching.entities.registration import registration_key
from matching.entities.resolve import ResolutionCounts, resolve_entities

__all__ = ["ResolutionCounts", "jurisdiction_code", "registration_key", "resolve_entities"]
