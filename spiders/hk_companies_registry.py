"""Hong Kong Companies Registry: the weekly lists of newly incorporated, registered or
re-domiciled companies and of companies that changed their names, as data.gov.hk lists them
(RNC063L_YYYYMMDD.csv local companies, RNC063F_YYYYMMDD.csv non-Hong Kong companies).

One record per BR number (the business registration number, the register's key since December
2023). A company can be in several weeks (incorporated, later renamed) and a non-Hong Kong
company's names are on rows of their own, so every listed week is read before anything is
written: each company is then one record holding its current names, its former names as alt
names and the date its incorporation row gave."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response

from pipelines.crawl_items import Discovered, Note, Record
from pipelines.rejections import Rejected
from spiders.base import SourceSpider
from spiders.columns import Columns, ColumnUse, MissingColumn
from spiders.listing import ListedFile

# a weekly list, by the Monday of its week; L: local companies, F: non-Hong Kong companies
WEEKLY_FILE = re.compile(r"^RNC063([LF])_(\d{8})\.csv$", re.IGNORECASE)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")

LOCAL_NAMES = ("Current Company Name in English", "Current Company Name in Chinese")
# the headers the Registry has used for the date an entry was made; re-domiciliation (from May
# 2025) was added to the heading
LOCAL_DATES = ("Date of Incorporation / Re-domiciliation Date", "Date of Incorporation")
FOREIGN_NAME = "Current Corporate Name / Other Corporate Name"
FOREIGN_APPROVED = "Current Approved Name for Carrying on Business in H.K."
FOREIGN_DATES = ("Date of Registration / Re-domiciliation Date", "Date of Registration")
BR_NUMBER = "BR Number"
CHANGED = "Date of Change of name"


@dataclass(frozen=True, slots=True)
class Entry:
    """One published row of a weekly list."""

    local: bool  # a local company (RNC063L) or a registered non-Hong Kong one (RNC063F)
    names: tuple[str, ...]  # as published, corporate names before an approved name
    dated: str | None  # incorporation (local) or registration in Hong Kong (non-Hong Kong)
    seq: str | None
    url: str
    line: int
    cells: dict[str, str]  # every non-empty cell, under its published header


class HkCompaniesRegistry(SourceSpider):
    name = "hk_companies_registry"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries: dict[str, list[Entry]] = {}  # by BR number, in the order of the weeks
        self.weeks_read = 0

    # discovery ------------------------------------------------------------------------------

    def first_requests(self) -> Iterator[Request]:
        fixed = self.fixed_files()
        if fixed:
            yield self.week_request([self.url(path) for path in fixed], 0)
        else:
            yield self.request(self.url(self.dataset.entry), self.parse_index)

    def listed_files(self, response: Response) -> list[ListedFile]:
        """The weekly CSV lists among the package's resources, oldest week first (an XLS copy
        of a week, or any other resource, is not read)."""
        answer = json.loads(response.body)
        if not isinstance(answer, dict) or not answer.get("success"):
            raise ValueError(f"{response.url}: not a successful CKAN package_show answer")
        result = answer.get("result")
        resources = result.get("resources") if isinstance(result, dict) else None
        if not isinstance(resources, list):
            raise ValueError(f"{response.url}: the package lists no resources")
        listed = [_listed(r) for r in resources if isinstance(r, dict)]
        # a week listed twice is read once, as first listed
        weekly = {f.name: f for f in reversed(listed) if f is not None}
        return sorted(weekly.values(), key=_week_order)

    def parse_index(self, response: Response) -> Iterator[Any]:
        """Every weekly list the package names is recorded, then they are read one after the
        other (a company's later weeks complete its earlier ones)."""
        listed = self.listed_files(response)
        if not listed:
            raise ValueError(f"the index {response.url} lists no weekly RNC063 file")
        for found in listed:
            yield Discovered(response.url, found.name, found.url, found.size, found.published)
        yield self.week_request([found.url for found in listed], 0)

    def week_request(self, urls: list[str], at: int) -> Request:
        request = self.request(urls[at], self.read_week, urls=urls, at=at)
        return request.replace(dont_filter=True)  # a resumed crawl reads its weeks again

    # the weekly lists -----------------------------------------------------------------------

    def read_week(self, response: Response, urls: list[str], at: int) -> Iterator[Any]:
        if at != self.weeks_read:
            # resumed after a pause: the weeks read before it are not in memory, so start over
            yield self.week_request(urls, 0)
            return
        for table in self.tables(response):
            use = ColumnUse(table.label, table.header)
            for batch in table.batches:
                yield from self.gather(Columns(use, batch.cells, batch.lines))
            yield from table.rejections
            yield Note(f"{table.label}: read as {table.encoding}", use.unused(), table.label)
        self.weeks_read += 1
        if at + 1 < len(urls):
            yield self.week_request(urls, at + 1)
        else:
            yield from self.records()

    def gather(self, columns: Columns) -> Iterator[Any]:
        """Each row kept under its BR number; a row without one is rejected."""
        local = columns.has(LOCAL_NAMES[0])
        if local:
            names = [columns.pop(name).to_pylist() for name in LOCAL_NAMES]
            dated = _pop_first(columns, LOCAL_DATES).to_pylist()
        else:
            names = [columns.pop(FOREIGN_NAME).to_pylist()]
            names.append(columns.pop(FOREIGN_APPROVED).to_pylist())
            dated = _pop_first(columns, FOREIGN_DATES).to_pylist()
        numbers = columns.pop(BR_NUMBER).to_pylist()
        seqs = columns.pop_optional("Seq").to_pylist()
        columns.ignore(CHANGED)  # kept with the row's other cells
        header = columns.file.header
        rows = zip(*(c.to_pylist() for c in columns.batch.columns), strict=True)
        lines = columns.lines.to_pylist()
        for i, row in enumerate(rows):
            cells = {h: v for h, v in zip(header, row, strict=True) if v and v.strip()}
            number = numbers[i]
            if number is None:
                reason = "no BR Number: the row names no company"
                raw = json.dumps(cells, ensure_ascii=False)
                yield Rejected(columns.file.label, lines[i], reason, "source_id", raw)
                continue
            names_here = tuple(n[i] for n in names if n[i] is not None)
            entry = Entry(local, names_here, dated[i], seqs[i], columns.file.label, lines[i], cells)
            self.entries.setdefault(number, []).append(entry)

    def records(self) -> Iterator[Record]:
        for number, entries in self.entries.items():
            yield company(number, entries)
        self.entries = {}


def company(number: str, entries: list[Entry]) -> Record:
    """One company from its rows: the names of its latest entry (a non-Hong Kong company's
    rows of one entry share a Seq), Latin script first; earlier names as alt names."""
    last = entries[-1]
    latest = [e for e in entries if e.url == last.url and e.seq == last.seq]
    current = _ordered([n for e in latest for n in e.names])
    former = [n for e in entries for n in e.names]
    names = list(dict.fromkeys(current + former))
    first = next((e.dated for e in entries if e.dated), None)
    return Record(
        source_id=number,
        name=names[0] if names else None,
        kind="company",
        alt_names=names[1:],
        # a non-Hong Kong company's jurisdiction is not in the list (its date is when it was
        # registered in Hong Kong, not incorporated): both are left unknown
        jurisdiction="HK" if last.local else None,
        registration_number=number,
        incorporation_date=first if last.local else None,
        source_url=last.url,
        line=last.line,
        raw={"rows": [{"file": _file_name(e.url), "line": e.line, **e.cells} for e in entries]},
    )


def _ordered(names: list[str]) -> list[str]:
    """Names in Latin script before those in Chinese characters, each group as published."""
    return [n for n in names if not CJK.search(n)] + [n for n in names if CJK.search(n)]


def _pop_first(columns: Columns, candidates: tuple[str, ...]) -> Any:
    for name in candidates:
        if columns.has(name):
            return columns.pop(name)
    raise MissingColumn(
        f"{columns.file.label}, line 1: required column {candidates[0]!r} is missing"
        f" (header: {', '.join(columns.file.header)})"
    )


def _listed(resource: dict[str, Any]) -> ListedFile | None:
    url = resource.get("url")
    if not isinstance(url, str) or not WEEKLY_FILE.match(_file_name(url)):
        return None
    size = resource.get("size")
    published = resource.get("last_modified") or resource.get("metadata_modified")
    return ListedFile(
        name=_file_name(url),
        url=url,
        size=size if isinstance(size, int) and size > 0 else None,
        published=published if isinstance(published, str) else None,
        handler="read_week",
    )


def _week_order(found: ListedFile) -> tuple[str, str]:
    match = WEEKLY_FILE.match(found.name)
    assert match is not None  # only weekly files are listed
    return match.group(2), match.group(1).upper().replace("L", "0")  # local before non-HK


def _file_name(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).name
