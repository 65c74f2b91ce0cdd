"""Companies House: the bulk company file (records), the PSC snapshot and the API's officers and
PSCs (person or company records, with an edge to the company they control or serve).

The bulk files are found as a browser finds them, on the download pages (en_output.html,
en_pscdata.html), whose links name the current date; the files are fetched in their published
parts, each small enough for Scrapy to hold in memory (the one-file zips are hundreds of MB)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any, ClassVar
from urllib.parse import urlsplit

from scrapy.http import Request, Response

from pipelines.crawl_items import (
    ITEM_TABLES,
    Discovered,
    ItemBatch,
    Note,
    Record,
    Relationship,
    TableBatch,
)
from pipelines.rejections import Rejected
from pipelines.shape import TableName
from spiders.base import SourceSpider
from spiders.columns import Columns, join_present, list_of_present
from spiders.listing import ListedFile, size_in_bytes

COMPANIES = "gb_companies_house"
ADDRESS = [
    "RegAddress.AddressLine1",
    "RegAddress.AddressLine2",
    "RegAddress.PostTown",
    "RegAddress.County",
    "RegAddress.Country",
    "RegAddress.PostCode",
]
KNOWN = [
    "RegAddress.CareOf",
    "RegAddress.POBox",
    "CompanyCategory",
    "CompanyStatus",
    "CountryOfOrigin",
    "DissolutionDate",
    "Accounts.AccountRefDay",
    "Accounts.AccountRefMonth",
    "Accounts.NextDueDate",
    "Accounts.LastMadeUpDate",
    "Accounts.AccountCategory",
    "Returns.NextDueDate",
    "Returns.LastMadeUpDate",
    "Mortgages.NumMortCharges",
    "Mortgages.NumMortOutstanding",
    "Mortgages.NumMortPartSatisfied",
    "Mortgages.NumMortSatisfied",
    *[f"SICCode.SicText_{i}" for i in range(1, 5)],
    "LimitedPartnerships.NumGenPartners",
    "LimitedPartnerships.NumLimPartners",
    "URI",
    "ConfStmtNextDueDate",
    "ConfStmtLastMadeUpDate",
    *[f"PreviousName_{i}.CONDATE" for i in range(1, 11)],
]
# the parts of an address as a letter reads, whatever order the JSON keys come in
ADDRESS_PARTS = (
    "care_of",
    "po_box",
    "premises",
    "address_line_1",
    "address_line_2",
    "locality",
    "region",
    "postal_code",
    "country",
)
# snapshot lines read before their rows are handed over together (a Scrapy item per row costs
# more than reading the line)
BATCH_ROWS = 5_000
TOTALS = "totals#persons-of-significant-control-snapshot"
# snapshot lines that name nobody: counted in the crawl's notes, not read as records
NAMELESS = {
    "persons-with-significant-control-statement": "statements",
    "exemptions": "exemptions",
    "super-secure-person-with-significant-control": "super-secure",
    "super-secure-beneficial-owner": "super-secure",
}
# the trailer's counts, and the kinds of line each one counts
TRAILER_COUNTS = {
    "persons_of_significant_control_count": ("persons", "super-secure"),
    "statements_count": ("statements",),
    "exemptions_count": ("exemptions",),
}


@dataclass(frozen=True)
class FileNames:
    """How a download page names a dataset's files: in numbered parts, or as one file."""

    parts: re.Pattern[str]  # groups: date, part number, number of parts
    whole: re.Pattern[str]  # group: date
    handler: str


LISTINGS = {
    "basic": FileNames(
        re.compile(r"BasicCompanyData-(\d{4}-\d{2}-\d{2})-part(\d+)_(\d+)\.zip"),
        re.compile(r"BasicCompanyDataAsOneFile-(\d{4}-\d{2}-\d{2})\.zip"),
        "parse_file",
    ),
    "psc": FileNames(
        re.compile(r"psc-snapshot-(\d{4}-\d{2}-\d{2})_(\d+)of(\d+)\.zip"),
        re.compile(r"persons-with-significant-control-snapshot-(\d{4}-\d{2}-\d{2})\.zip"),
        "parse_snapshot",
    ),
}


class GbCompaniesHouse(SourceSpider):
    name = "gb_companies_house"
    handle_httpstatus_list: ClassVar[list[int]] = [
        404
    ]  # a company number not found is recorded, not fatal

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines_read: Counter[str] = Counter()  # snapshot lines by what they are, every part
        self.trailer: dict[str, Any] | None = None
        # snapshot files still to read before the trailer can be checked (None: not known, as
        # in a resumed crawl, whose earlier run read some of them)
        self.files_left: int | None = None

    def first_requests(self) -> Iterator[Request]:
        if self.dataset.format != "json-api":
            fixed = self.fixed_files()
            if (fixed or not self.dataset.index) and not self.resume.resumed:
                self.files_left = len(fixed or self.dataset.paths)
            yield from super().first_requests()
            return
        companies = self.param("companies", [])
        numbers = companies.split(",") if isinstance(companies, str) else companies
        for number in numbers:
            for path in self.dataset.paths:
                yield self._page(path.format(number=number.strip()), number.strip(), 0)

    # the download pages -----------------------------------------------------------------------

    def listed_files(self, response: Response) -> list[ListedFile]:
        """The current parts the page links to (the one file when it lists no parts)."""
        names = LISTINGS[self.dataset_name]
        links = _links(response)
        parts = _current_parts(links, names, response.url)
        if parts:
            return parts
        whole = sorted(
            (found.group(1), name, url, text)
            for name, url, text in links
            if (found := names.whole.fullmatch(name))
        )
        if not whole:
            return []
        date, name, url, text = whole[-1]
        return [ListedFile(name, url, size_in_bytes(text), date, names.handler)]

    def parse_index(self, response: Response) -> Iterator[Any]:
        found = list(super().parse_index(response))
        self.files_left = sum(isinstance(item, Discovered) for item in found)
        yield from found

    # bulk company data ----------------------------------------------------------------------

    def parse_columns(self, columns: Columns) -> Iterator[TableBatch]:
        number = columns.pop("CompanyNumber")
        previous = [columns.pop_optional(f"PreviousName_{i}.CompanyName") for i in range(1, 11)]
        columns.ignore(*KNOWN)
        yield self.batch(
            "records",
            columns,
            {
                "source_id": number,
                "name": columns.pop("CompanyName"),
                "kind": "company",
                "alt_names": list_of_present(*previous),
                "jurisdiction": "GB",
                "registration_number": number,
                "incorporation_date": columns.pop("IncorporationDate"),
                "address": join_present(", ", *[columns.pop(c) for c in ADDRESS]),
            },
        )

    # PSC snapshot ---------------------------------------------------------------------------

    def parse_file(self, response: Response) -> Iterator[Any]:
        if self.dataset.format == "jsonl":
            yield from self.parse_snapshot(response)
        else:
            yield from super().parse_file(response)

    def parse_snapshot(self, response: Response) -> Iterator[Any]:
        """One file of the snapshot (a zipped part, or a plain JSON lines file), read line by
        line from the zip member as it inflates: a part holds about 500,000 lines."""
        had_trailer = self.trailer is not None
        for label, lines in _json_lines(response.body, response.url):
            seen: Counter[str] = Counter()
            rows: dict[TableName, list[Any]] = {"records": [], "relationships": []}
            for line, text in enumerate(lines, start=1):
                if not text.strip():
                    continue
                for item in self._snapshot_line(text, label, line, seen):
                    table = ITEM_TABLES.get(type(item))
                    if table is None:
                        yield item  # a rejection
                    else:
                        rows[table].append(item)
                if len(rows["records"]) >= BATCH_ROWS:
                    yield from _batches(rows)
            yield from _batches(rows)
            self.lines_read.update(seen)
            yield Note(_tally(label, seen))
        if self.files_left is None:
            if self.trailer is not None and not had_trailer:
                trailer = _trailer_text(self.trailer)
                yield Note(f"trailer {trailer}: not compared, the crawl was resumed")
            return
        self.files_left -= 1
        if self.files_left == 0:
            yield Note(self._trailer_check())

    def _snapshot_line(
        self, text: bytes, label: str, line: int, seen: Counter[str]
    ) -> Iterator[Any]:
        try:
            entry = json.loads(text)
        except ValueError as error:  # not JSON, or not UTF-8
            seen["rejected"] += 1
            yield Rejected(label, line, f"not JSON: {error}", raw=_shown(text))
            return
        data = entry.get("data") if isinstance(entry, dict) else None
        if not isinstance(data, dict):
            seen["rejected"] += 1
            yield Rejected(
                label, line, "not a snapshot line (an object with data)", raw=_shown(text)
            )
            return
        kind = data.get("kind")
        if kind == TOTALS:
            seen["trailer"] += 1
            self.trailer = data
        elif isinstance(kind, str) and kind in NAMELESS:
            seen[NAMELESS[kind]] += 1
        elif isinstance(kind, str) and kind in self.meta.lookups["psc_kind"]:
            seen["persons"] += 1
            yield from self._controller(entry.get("company_number"), data, label, line)
        else:
            seen["rejected"] += 1
            yield Rejected(label, line, f"unknown kind of snapshot line: {kind!r}", "kind")

    def _trailer_check(self) -> str:
        """The snapshot's last line counts what it holds: the crawl's count against it."""
        read = self.lines_read
        if self.trailer is None:
            return f"no totals line in the snapshot; read {_tally('all files', read)}"
        differences = []
        for field, kinds in TRAILER_COUNTS.items():
            counted = sum(read[kind] for kind in kinds)
            stated = self.trailer.get(field)
            if stated != counted:
                differences.append(f"{field} {stated!r}, read {counted}")
        if not differences:
            return f"trailer {_trailer_text(self.trailer)}: every count matches what was read"
        return (
            f"trailer {_trailer_text(self.trailer)} does not match what was read:"
            f" {'; '.join(differences)} ({read['rejected']} lines rejected)"
        )

    def _controller(
        self, company: Any, data: dict[str, Any], label: str, line: int
    ) -> Iterator[Any]:
        """A person or entity with significant control (or an overseas entity's beneficial
        owner), and its edge to the company; the natures of control stay in the raw payload."""
        kind = str(data.get("kind"))
        psc_id = _text((data.get("links") or {}).get("self"))
        number = _text(company)
        yield self._person(data, psc_id, self.meta.lookups["psc_kind"][kind], label, line)
        yield Relationship(
            f"{number}|{psc_id}",
            psc_id,
            number,
            _psc_role(kind),
            object_source=COMPANIES,
            start_date=_text(data.get("notified_on")),
            end_date=_text(data.get("ceased_on")),
            share=_natures(data.get("natures_of_control")),
            source_url=label,
            line=line,
            raw={"company_number": number},
        )

    def _person(
        self, data: dict[str, Any], key: str | None, kind: str, label: str, line: int
    ) -> Record:
        identification = data.get("identification")
        registered = identification if isinstance(identification, dict) else {}
        return Record(
            key,
            _text(data.get("name")),
            kind,
            registration_number=_text(registered.get("registration_number")),
            nationality=_text(data.get("nationality")),
            birth_date=_birth(data.get("date_of_birth")),
            country_of_residence=_text(data.get("country_of_residence")),
            address=_address(data.get("address")),
            source_url=label,
            line=line,
            raw=data,
        )

    # REST API -------------------------------------------------------------------------------

    def _page(self, path: str, number: str, start: int) -> Request:
        size = int(self.param("page_size", 100))
        url = f"{self.url(path)}?items_per_page={size}&start_index={start}"
        return self.request(url, self.parse_page, path=path, number=number, start=start)

    def parse_page(self, response: Response, path: str, number: str, start: int) -> Iterator[Any]:
        if response.status == 404:
            yield self.reject(response, f"company {number} not found (HTTP 404)")
            return
        page = json.loads(response.text)
        items = page.get("items", [])
        officers = "significant" not in path
        nameless: Counter[str] = Counter()
        for line, item in enumerate(items, start=start + 1):
            if officers:
                yield from self._officer(item, number, response.url, line)
            elif item.get("kind") in NAMELESS:
                nameless[NAMELESS[item["kind"]]] += 1
            elif item.get("kind") in self.meta.lookups["psc_kind"]:
                yield from self._controller(number, item, response.url, line)
            else:
                yield self.reject(response, f"unknown kind of PSC: {item.get('kind')!r}", line)
        if nameless:
            yield Note(_tally(response.url, nameless))
        if items and start + len(items) < int(page.get("total_results", 0)):
            yield self._page(path, number, start + len(items))

    def _officer(self, item: dict[str, Any], number: str, url: str, line: int) -> Iterator[Any]:
        """An officer and its appointment; corporate-director, corporate-secretary,
        corporate-nominee-... are companies, not persons."""
        role = str(item.get("officer_role"))
        key = _officer_id(item)
        kind = "company" if role.startswith("corporate-") else "person"
        yield self._person(item, key, kind, url, line)
        yield Relationship(
            f"{number}|{key}|{role}",
            key,
            number,
            role,
            object_source=COMPANIES,
            start_date=_text(item.get("appointed_on")),
            end_date=_text(item.get("resigned_on")),
            source_url=url,
            line=line,
            raw={"company_number": number},
        )


def _batches(rows: dict[TableName, list[Any]]) -> Iterator[ItemBatch]:
    """The rows gathered so far, one batch a table; the lists are emptied."""
    for table, items in rows.items():
        if items:
            yield ItemBatch(table, items.copy())
            items.clear()


def _links(response: Response) -> list[tuple[str, str, str]]:
    """Every link of a page: the file name it points to, its absolute URL, its text."""
    found = []
    for anchor in response.xpath("//a[@href]"):
        url = response.urljoin(anchor.attrib["href"].strip())
        name = PurePosixPath(urlsplit(url).path).name
        found.append((name, url, " ".join(anchor.xpath("string(.)").get("").split())))
    return found


def _current_parts(
    links: Iterable[tuple[str, str, str]], names: FileNames, page: str
) -> list[ListedFile]:
    """The parts of the latest date a page lists, in order; ValueError when some are missing
    (a page caught while it is being replaced would otherwise load half a snapshot)."""
    parts: dict[str, dict[int, ListedFile]] = {}
    counts: dict[str, set[int]] = {}
    for name, url, text in links:
        found = names.parts.fullmatch(name)
        if found is None:
            continue
        date, number, total = found.group(1), int(found.group(2)), int(found.group(3))
        parts.setdefault(date, {})[number] = ListedFile(
            name, url, size_in_bytes(text), date, names.handler
        )
        counts.setdefault(date, set()).add(total)
    if not parts:
        return []
    date = max(parts)
    listed = parts[date]
    totals = counts[date]
    if len(totals) != 1 or set(listed) != set(range(1, max(totals) + 1)):
        raise ValueError(
            f"{page} lists parts {sorted(listed)} of {sorted(totals)} for {date}: not a whole set"
        )
    return [listed[number] for number in sorted(listed)]


def _json_lines(body: bytes, url: str) -> Iterator[tuple[str, Iterable[bytes]]]:
    """Each JSON lines file of a download (the members of a zip, or the body itself), as
    (label, lines): the lines are read from the member as it inflates, never all at once."""
    if not zipfile.is_zipfile(io.BytesIO(body)):
        yield url, io.BytesIO(body)
        return
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            stream: IO[bytes]
            with archive.open(member) as stream:
                yield f"{url}#{member.filename}", stream


def _tally(label: str, seen: Counter[str]) -> str:
    kinds = ("persons", "statements", "exemptions", "super-secure", "rejected", "trailer")
    counts = ", ".join(f"{seen[kind]} {kind}" for kind in kinds if seen[kind])
    return f"{label}: {counts or 'no lines'} (statements, exemptions and super-secure name nobody)"


def _trailer_text(data: dict[str, Any]) -> str:
    counts = ", ".join(f"{field} {data.get(field)!r}" for field in TRAILER_COUNTS)
    return f"of {data.get('generated_at')}: {counts}"


def _psc_role(kind: str) -> str:
    return "beneficial-owner" if kind.endswith("-beneficial-owner") else "psc"


def _text(value: Any) -> str | None:
    """A value as text; what is missing (or empty) as None. Crawled JSON is untrusted: a
    number or a list where text belongs is kept as its text, for the record shape to judge."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _address(address: Any) -> str | None:
    if not isinstance(address, dict):
        return _text(address)
    parts = [_text(address.get(part)) for part in ADDRESS_PARTS]
    return ", ".join([part for part in parts if part]) or None


def _natures(natures: Any) -> str | None:
    """The natures of control, as one text (the list stays in the raw payload)."""
    if not isinstance(natures, list):
        return _text(natures)
    return "; ".join([str(nature) for nature in natures]) or None


def _shown(text: bytes) -> str:
    return text.decode("utf-8", "replace").rstrip("\r\n")


def _birth(born: Any) -> str | None:
    """A published {month, year} as YYYY-MM; what is not (a month missing) as published, for
    the record shape to refuse with its reason."""
    if not isinstance(born, dict) or not born.get("year"):
        return None
    year, month = born.get("year"), born.get("month")
    if isinstance(year, int) and isinstance(month, int):
        return f"{year}-{month:02d}"
    return "-".join(str(part) for part in (year, month) if part is not None)


def _officer_id(item: dict[str, Any]) -> str | None:
    link = (item.get("links") or {}).get("officer", {}).get("appointments", "")
    return link.split("/")[2] if isinstance(link, str) and link.count("/") >= 3 else None
