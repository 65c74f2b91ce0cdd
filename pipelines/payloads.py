"""Raw payloads: the cells of one published row as a JSON object, empty cells left out.

An empty cell (NULL or '') carries nothing, so its key is absent from the payload: absent means
empty. A payload holds only the cells with a value, which keeps it, its content hash and its
copy in the store small when a wide file is mostly blank.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def payload_sql(keys_variable: str, cells: Sequence[str]) -> str:
    """A trusted SQL expression: the JSON text of the object of the non-empty CELLS (trusted
    column names), each under its name in the VARCHAR[] variable KEYS_VARIABLE (a trusted
    identifier; the names themselves stay data, never SQL).

    Built as text from each member's JSON, a member being left out when its cell is empty.
    """
    if not cells:
        return "'{}'"
    members = ", ".join(
        f"CASE WHEN {cell} <> '' THEN to_json(getvariable('{keys_variable}')[{i + 1}])"
        f" || ':' || to_json({cell}) END"
        for i, cell in enumerate(cells)
    )
    return f"'{{' || concat_ws(',', {members}) || '}}'"


def payload_text(raw: Mapping[str, Any]) -> str:
    """The JSON text of a per-item payload: its keys sorted, those with no value left out."""
    present = {key: value for key, value in raw.items() if value is not None and value != ""}
    return json.dumps(present, ensure_ascii=False, sort_keys=True)
