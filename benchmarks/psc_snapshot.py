"""PSC snapshot crawl: speed and memory over a zipped snapshot of millions of lines.

Writes a PSC snapshot in the published shape (psc-snapshot-DATE_NofM.zip parts, each one
JSON lines member, every kind of line: individuals, corporate entities, legal persons, overseas
entities' beneficial owners, super-secure persons, statements, exemptions, and the totals line
last), lists its parts on a copy of the download page (en_pscdata.html), serves the folder on
127.0.0.1 and crawls it as `oad crawl` does (`spiders.runner.run_crawl`: the spider and the
store pipeline in a process of their own, staging, then the merge into a DuckDB file), all in a
temporary folder. The crawl process tree's resident memory is sampled while it runs.

Run: .venv/bin/python benchmarks/psc_snapshot.py [--lines N] [--lines-per-part N]
Prints its figures as it goes; the last line is one JSON object with all of them. The target
is a peak under 2 GB for the 5,000,000-line default (the published snapshot has about 16
million lines in about 32 parts of 500,000).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from string import Template

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from spiders.localserver import LocalServer  # noqa: E402
from spiders.runner import run_crawl  # noqa: E402

DATE = "2025-01-01"
TOTALS = "totals#persons-of-significant-control-snapshot"
SURNAMES = ["WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU"]
FORENAMES = ["Wei", "Fang", "Min", "Jing", "Lei", "Jun", "Yan", "Hui", "Qiang", "Ling"]
ADDRESS = {
    "address_line_1": "$street High Street",
    "country": "England",
    "locality": "London",
    "postal_code": "EC1A 1BB",
    "premises": "$premises",
}


def _line(kind: str, path: str, **data: object) -> Template:
    """A snapshot line with $company, $id and the like left to fill in: formatting a template
    is several times quicker than encoding each line's JSON."""
    body = {
        **data,
        "etag": "$id",
        "kind": kind,
        "links": {"self": f"/company/$company/persons-with-significant-control/{path}/$id"},
    }
    return Template(json.dumps({"company_number": "$company", "data": body}, sort_keys=True))


PERSON = dict(
    address=ADDRESS,
    country_of_residence="England",
    date_of_birth={"month": 3, "year": 1970},
    name="Mr $forename $surname",
    name_elements={"forename": "$forename", "surname": "$surname", "title": "Mr"},
    nationality="Chinese",
    natures_of_control=["ownership-of-shares-75-to-100-percent"],
    notified_on="2016-04-06",
)
ENTITY = dict(
    address=ADDRESS,
    identification={
        "country_registered": "England",
        "legal_authority": "Companies Act 2006",
        "legal_form": "Private Limited Company",
        "place_registered": "Register Of Companies For England And Wales",
        "registration_number": "$number",
    },
    name="$surname HOLDINGS LIMITED",
    natures_of_control=["ownership-of-shares-50-to-75-percent", "voting-rights-50-to-75-percent"],
    notified_on="2017-01-01",
)
LEGAL = dict(
    address=ADDRESS,
    identification={"legal_authority": "Charities Act 2011", "legal_form": "Charitable Trust"},
    name="THE $surname TRUST",
    natures_of_control=["significant-influence-or-control"],
    notified_on="2018-01-01",
)
OVERSEAS = ["ownership-of-shares-more-than-25-percent-registered-overseas-entity"]
SUPER_SECURE = dict(ceased=False, description="super-secure-persons-with-significant-control")
STATEMENT = Template(
    json.dumps(
        {
            "company_number": "$company",
            "data": {
                "etag": "$id",
                "kind": "persons-with-significant-control-statement",
                "links": {
                    "self": "/company/$company/persons-with-significant-control-statements/$id"
                },
                "notified_on": "2016-06-30",
                "statement": "no-individual-or-entity-with-signficant-control",
            },
        },
        sort_keys=True,
    )
)
EXEMPTION = Template(
    json.dumps(
        {
            "company_number": "$company",
            "data": {
                "etag": "$id",
                "exemptions": {
                    "psc_exempt_as_shares_admitted_on_market": {
                        "exemption_type": "psc-exempt-as-shares-admitted-on-market",
                        "items": [{"exempt_from": "2016-06-30"}],
                    }
                },
                "kind": "exemptions",
                "links": {"self": "/company/$company/exemptions"},
            },
        },
        sort_keys=True,
    )
)
# (kind, template, in a thousand lines): about the published snapshot's mix, every kind present
MIX = [
    ("individual-person-with-significant-control", _line("individual-person-with-significant-control", "individual", **PERSON), 870),  # noqa: E501
    ("corporate-entity-person-with-significant-control", _line("corporate-entity-person-with-significant-control", "corporate-entity", **ENTITY), 66),  # noqa: E501
    ("legal-person-person-with-significant-control", _line("legal-person-person-with-significant-control", "legal-person", **LEGAL), 1),  # noqa: E501
    ("individual-beneficial-owner", _line("individual-beneficial-owner", "individual-beneficial-owner", **{**PERSON, "natures_of_control": OVERSEAS}), 2),  # noqa: E501
    ("corporate-entity-beneficial-owner", _line("corporate-entity-beneficial-owner", "corporate-entity-beneficial-owner", **{**ENTITY, "natures_of_control": OVERSEAS}), 1),  # noqa: E501
    ("legal-person-beneficial-owner", _line("legal-person-beneficial-owner", "legal-person-beneficial-owner", **{**LEGAL, "natures_of_control": OVERSEAS}), 1),  # noqa: E501
    ("super-secure-person-with-significant-control", _line("super-secure-person-with-significant-control", "super-secure", **SUPER_SECURE), 1),  # noqa: E501
    ("super-secure-beneficial-owner", _line("super-secure-beneficial-owner", "super-secure-beneficial-owner", **SUPER_SECURE), 1),  # noqa: E501
]  # fmt: skip
STATEMENTS_PER_THOUSAND = 56  # statements come after every person, as in the published parts
EXEMPTIONS = 100


def snapshot_lines(total: int) -> Iterator[tuple[str, str]]:
    """(kind, line) for a snapshot of TOTAL lines, the totals line last."""
    statements = max(1, total * STATEMENTS_PER_THOUSAND // 1000)
    exemptions = min(EXEMPTIONS, max(1, total // 10_000))
    persons = total - statements - exemptions - 1
    cycle = [(kind, template) for kind, template, share in MIX for _ in range(share)]
    for i in range(persons):
        kind, template = cycle[i % len(cycle)]
        yield kind, _filled(template, i)
    for i in range(statements):
        yield "persons-with-significant-control-statement", _filled(STATEMENT, persons + i)
    for i in range(exemptions):
        yield "exemptions", _filled(EXEMPTION, persons + statements + i)
    counts = {
        "persons_of_significant_control_count": persons,
        "statements_count": statements,
        "exemptions_count": exemptions,
        "generated_at": f"{DATE}T03:00:00Z",
        "kind": TOTALS,
    }
    yield TOTALS, json.dumps({"data": counts}, sort_keys=True)


def _filled(template: Template, i: int) -> str:
    return template.substitute(
        company=f"{i % 4_000_000:08d}",
        id=f"p{i:010d}",
        number=f"{(i * 7) % 9_000_000:08d}",
        surname=SURNAMES[i % 10],
        forename=FORENAMES[(i // 10) % 10],
        street=str(i % 500),
        premises=str(i % 97 + 1),
    )


def write_snapshot(folder: Path, total: int, per_part: int) -> Counter[str]:
    """The parts and the download page listing them; the count of lines of each kind."""
    count = -(-total // per_part)
    names = [f"psc-snapshot-{DATE}_{n}of{count}" for n in range(1, count + 1)]
    kinds: Counter[str] = Counter()
    lines = snapshot_lines(total)
    for name in names:
        path = folder / f"{name}.zip"
        archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        with archive, archive.open(f"{name}.txt", "w", force_zip64=True) as member:
            for _, (kind, text) in zip(range(per_part), lines, strict=False):
                kinds[kind] += 1
                member.write(text.encode() + b"\n")
    items = "\n".join(
        f'<li><a href="{name}.zip">\n{name}.zip  ({(folder / f"{name}.zip").stat().st_size >> 20}Mb)</a></li>'  # noqa: E501
        for name in names
    )
    page = f"<html><body><h2>PSC data as multiple files:</h2>\n<ul>\n{items}\n</ul></body></html>\n"
    (folder / "en_pscdata.html").write_text(page, encoding="utf-8")
    return kinds


class TreeMemory:
    """Samples the resident memory of this process's children (the crawl, and anything it
    starts) until stopped; keeps the highest total seen."""

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(self.every):
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:  # ended between listing and reading
                    continue
            self.peak = max(self.peak, total)


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress in a log
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--lines-per-part", type=int, default=500_000)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="oad-psc-bench-"))
    try:
        served = work / "served"
        served.mkdir()
        started = time.perf_counter()
        kinds = write_snapshot(served, options.lines, options.lines_per_part)
        zipped = sum(p.stat().st_size for p in served.glob("*.zip")) >> 20
        print(f"{options.lines:,} lines in {len(list(served.glob('*.zip')))} parts, {zipped} MiB"
              f" zipped, written in {time.perf_counter() - started:.0f} s")  # fmt: skip
        print("kinds: " + ", ".join(f"{kind} {n:,}" for kind, n in sorted(kinds.items())))

        with LocalServer(served) as server, TreeMemory() as memory:
            started = time.perf_counter()
            outcome = run_crawl(
                "gb_companies_house", "psc", work / "crawl.duckdb", base_url=server.url(),
                settings=["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_START_DELAY=0"],
            )  # fmt: skip
            seconds = time.perf_counter() - started
        # the largest single child, from the kernel: a check on the sampled figure
        largest_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss << 10
        read = outcome.notes.get("notes", [])
        trailer = next((note for note in read if note.startswith("trailer")), "no trailer note")
        assert outcome.status == "finished", outcome.summary()
        rows = outcome.counts["new"]
        print(outcome.summary())
        print(trailer)
        print(f"crawl: {seconds:.1f} s, {options.lines / seconds:,.0f} lines/s,"
              f" {rows / seconds:,.0f} rows/s ({rows:,} rows: records and edges)")  # fmt: skip
        print(
            f"peak memory of the crawl process tree: {memory.peak / 2**20:,.0f} MiB"
            f" (largest child by the kernel: {largest_child / 2**20:,.0f} MiB; target < 2048)"
        )
        print(
            json.dumps(
                {
                    "lines": options.lines,
                    "parts": len(list(served.glob("*.zip"))),
                    "zipped_mib": zipped,
                    "rows": rows,
                    "crawl_seconds": round(seconds, 1),
                    "lines_per_second": round(options.lines / seconds),
                    "rows_per_second": round(rows / seconds),
                    "peak_rss_mib": round(memory.peak / 2**20),
                    "largest_child_maxrss_mib": round(largest_child / 2**20),
                    "under_2gb": memory.peak < 2 * 2**30,
                    "trailer_matches": "every count matches" in trailer,
                    "cpus": os.cpu_count(),
                }
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
