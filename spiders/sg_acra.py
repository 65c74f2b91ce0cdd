"""Singapore ACRA: every entity with a UEN issued by ACRA (companies, businesses, partnerships,
foreign company branches), from data.gov.sg's "Entities Registered with ACRA" dataset.

The dataset's metadata (the index) names it, its size and its last update; the whole register
is then downloaded as one CSV file the way data.gov.sg's own download button gets it: the
download API is asked to prepare the file (initiate-download), then asked until it answers with
a signed link (poll-download), which is fetched without the key."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc
from scrapy.http import Request, Response

from pipelines.crawl_items import TableBatch
from spiders.base import SourceSpider
from spiders.columns import Columns, join_present
from spiders.listing import ListedFile

# published but not mapped to a canonical field: kept in the raw payload
KEPT_RAW = ["issuance_agency_desc", "uen_status_desc", "entity_type_desc"]
DATASET_ID = re.compile(r"d_[0-9A-Za-z]+")


class SgAcra(SourceSpider):
    name = "sg_acra"
    signed_files = True

    # discovery ------------------------------------------------------------------------------

    def listed_files(self, response: Response) -> list[ListedFile]:
        """The dataset as its metadata describes it: one CSV file, fetched through the download
        API (initiate, then poll) under the data.gov.sg dataset id the metadata gives."""
        data = _answer(response)
        dataset_id = str(data.get("datasetId") or "")
        if not DATASET_ID.fullmatch(dataset_id):  # it goes into the download API's path
            raise ValueError(f"{response.url}: no data.gov.sg dataset id (got {dataset_id!r})")
        if str(data.get("format", "CSV")).upper() != "CSV":
            raise ValueError(f"{response.url}: the dataset is {data.get('format')}, not a CSV")
        size = data.get("datasetSize")
        return [
            ListedFile(
                name=str(data.get("name") or dataset_id),
                url=f"{self.download_host()}/v1/public/api/datasets/{dataset_id}/initiate-download",
                size=size if isinstance(size, int) and size > 0 else None,
                published=str(data["lastUpdatedAt"]) if data.get("lastUpdatedAt") else None,
                handler="parse_initiated",
            )
        ]

    def download_host(self) -> str:
        """Where the download API answers: `-a download_api=URL`, else a server given in place
        of the production one (a test server, a mirror), which then serves both APIs, else the
        dataset's `download_api` (api-open.data.gov.sg)."""
        named = getattr(self, "download_api", None)
        if named:
            return str(named).rstrip("/")
        if self.base_url != (self.dataset.base_url or "").rstrip("/"):
            return self.base_url
        return str(self.dataset.params["download_api"]).rstrip("/")

    # the download API -----------------------------------------------------------------------

    def parse_initiated(self, response: Response) -> Iterator[Request]:
        """The file is being prepared (or is ready at once): poll until it is."""
        data = _answer(response)
        if data.get("url"):
            yield self._download(response, data["url"])
            return
        poll = response.url.rsplit("/", 1)[0] + "/poll-download"
        yield self.request(poll, self.parse_poll, attempt=1)

    def parse_poll(self, response: Response, attempt: int) -> Iterator[Request]:
        """A signed link to the CSV once it is ready; until then, ask again (the crawl's delay
        between requests to the API keeps to its rate), at most `poll_tries` times."""
        data = _answer(response)
        status = str(data.get("status") or "")
        if data.get("url"):
            yield self._download(response, data["url"])
            return
        if "FAIL" in status.upper():
            raise ValueError(
                f"{response.url}: the download failed ({status}: {data.get('message')})"
            )
        tries = int(self.param("poll_tries", 30))
        if attempt >= tries:
            raise ValueError(
                f"{response.url}: no download link after {attempt} polls (last status {status!r})"
            )
        again = self.request(response.url, self.parse_poll, attempt=attempt + 1)
        yield again.replace(dont_filter=True)  # the same URL, asked again on purpose

    def _download(self, response: Response, link: Any) -> Request:
        url = str(link)
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"{response.url}: the download link is not a web address: {url!r}")
        return self.signed_link(response, url, self.parse_file)

    # the file -------------------------------------------------------------------------------

    def parse_columns(self, columns: Columns) -> Iterator[TableBatch]:
        uen = columns.pop("uen")
        street = columns.pop("reg_street_name")
        postal = columns.pop("reg_postal_code")
        # written as Singapore addresses are ("..., SINGAPORE 048616"); null without a code
        singapore = pa.array(["SINGAPORE"] * columns.rows, pa.string())
        postal_line = pc.binary_join_element_wise(singapore, postal, " ")
        columns.ignore(*KEPT_RAW)
        yield self.batch(
            "records",
            columns,
            {
                "source_id": uen,
                "name": columns.pop("entity_name"),
                "kind": "company",
                "jurisdiction": "SG",
                "registration_number": uen,
                # the date ACRA issued the UEN: the registration date of entities registered
                # since UENs began (2009); the dataset publishes no other date
                "incorporation_date": columns.pop("uen_issue_date"),
                "address": join_present(", ", street, postal_line),
            },
        )


def _answer(response: Response) -> dict[str, Any]:
    """The `data` of a data.gov.sg API answer; its own error (a `code` other than 0) as a
    ValueError naming the URL and the message."""
    try:
        answer = json.loads(response.text)
    except ValueError:
        raise ValueError(f"{response.url}: not a JSON answer") from None
    if not isinstance(answer, dict):
        raise ValueError(f"{response.url}: not a data.gov.sg API answer")
    if answer.get("code") != 0:
        message = answer.get("errorMsg") or answer.get("errMsg") or "no message"
        raise ValueError(
            f"{response.url}: data.gov.sg answered code {answer.get('code')}: {message}"
        )
    data = answer.get("data")
    if not isinstance(data, dict):
        raise ValueError(f"{response.url}: the answer has no data")
    return data
