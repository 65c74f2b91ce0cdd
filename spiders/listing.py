"""What a publisher's listing (an index page or API) says of one file: the spiders read it to
find the current files, `oad sources check` to report them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SIZE = re.compile(r"([\d.,]+)\s*([KMGT]?i?B|bytes?)\b", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


@dataclass(frozen=True)
class ListedFile:
    name: str  # as the publisher names it (a file name, or a resource's title)
    url: str  # absolute
    size: int | None = None  # bytes, when the listing says
    published: str | None = None  # when the listing says (a date or a timestamp, as given)
    handler: str = "parse_file"  # the spider method its response goes to
    authorised: bool = True  # sent with the dataset's key (not to a signed link elsewhere)


def size_in_bytes(text: str) -> int | None:
    """A size as listings print it ('70Mb', '1.2 GB', '345 KB', '12,345 bytes'), in bytes;
    None when TEXT holds no size. Listings mean binary units by MB."""
    found = _SIZE.search(text)
    if found is None:
        return None
    number = float(found.group(1).replace(",", ""))
    unit = found.group(2).upper()
    prefix = "" if unit.startswith("BYTE") else unit[0] if unit[0] in "KMGT" else ""
    return int(number * _UNITS[prefix])
