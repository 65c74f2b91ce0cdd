"""Values onto a FollowTheMoney entity without losing any: each is cleaned by its property's
type as FtM would clean it on import; a date in a register's own form (05-05-2020, 14-MAY-2012)
is read with oad's date formats first; a value the type still refuses is kept as text in the
entity's notes (a link's description) rather than dropped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from followthemoney.proxy import EntityProxy

from pipelines.dates import parse_date

Value = str | int | float | Decimal | dt.date | None


class FtmValues:
    def __init__(self, proxy: EntityProxy) -> None:
        self.proxy = proxy
        self.refused: list[tuple[str, str]] = []  # (property, value as given)

    def put(self, prop: str, value: Value) -> None:
        """Add VALUE to PROP when there is one; a refused value goes to the notes."""
        text = _text(value)
        if not text:
            return
        prop_type = self.proxy.schema.properties[prop].type
        cleaned: Any = prop_type.clean(text, proxy=self.proxy)
        if cleaned is None and prop_type.name == "date":
            cleaned = _register_date(text)
        if cleaned is None:
            self.refused.append((prop, text))
            self._keep(f"{prop} as published: {text}")
            return
        self.proxy.add(prop, cleaned, cleaned=True)

    def _keep(self, note: str) -> None:
        where = "notes" if "notes" in self.proxy.schema.properties else "description"
        self.proxy.add(where, note, cleaned=True)


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _register_date(text: str) -> str | None:
    try:
        return parse_date(text).isoformat()
    except ValueError:
        return None
