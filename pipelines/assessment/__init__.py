"""The recovery assessment: each debtor's claim against what its leads trace, jurisdiction by
jurisdiction with the enforcement route there, dissipation signals and what is missing; and the
portfolio ranked by expected recovery. Evidence for counsel, not legal advice."""
