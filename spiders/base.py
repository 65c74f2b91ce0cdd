"""What every source spider shares: metadata, URLs, requests that survive a pause, failures, and
the bulk-file path (zip → CSV → column batches → canonical table batches)."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar

import pyarrow as pa
import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.utils.request import request_from_dict
from twisted.python.failure import Failure

from pipelines.crawl_items import Discovered, Note, ResponseDone, TableBatch, staged_schema
from pipelines.crawl_resume import ResumeState
from pipelines.rejections import Rejected
from pipelines.shape import TableName
from pipelines.table_files import TableFile, read_download
from spiders.columns import Columns, ColumnUse
from spiders.listing import ListedFile
from spiders.metadata import SourceMeta, load_meta

Handler = Callable[..., Iterator[Any]]
RENEW = "oad_renew_from"  # a signed link's request: the request that handed the link out
RUN = "oad_run"  # ... and the run of the crawl that was handed the link


class SourceSpider(scrapy.Spider):
    """A spider for one source: `name` is its metadata file's stem; `-a dataset=NAME` picks the
    dataset (default: the first listed) and `-a base_url=URL` replaces the production one."""

    handle_httpstatus_list: ClassVar[list[int]] = []
    signed_files: ClassVar[bool] = False  # files come by signed links (see file_label)

    def __init__(
        self, dataset: str | None = None, base_url: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.meta: SourceMeta = load_meta(self.name)
        self.dataset_name, self.dataset = self.meta.dataset(dataset)
        chosen = base_url or self.dataset.base_url
        if not chosen:
            raise ValueError(f"{self.name} {self.dataset_name} has no URL of its own: give one")
        self.base_url = chosen.rstrip("/")
        self.arguments = {k: str(v) for k, v in kwargs.items() if isinstance(v, str)}
        self.failures: list[str] = []
        self.final_status: str | None = None  # set when the crawl's row got its final state
        self.resume = ResumeState(None)
        self.run = uuid.uuid4().hex  # this process's run of the crawl (a resumed crawl has several)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider: SourceSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.resume = ResumeState(settings.get("JOBDIR"), settings.get("OAD_STAGING"))
        crawler.signals.connect(spider._spider_error, signal=signals.spider_error)
        crawler.signals.connect(spider._scheduled, signal=signals.request_scheduled)
        return spider

    @property
    def store_source(self) -> str:
        return self.meta.store_source(self.dataset_name, self.arguments)

    @property
    def location(self) -> str:
        return self.url(self.dataset.entry)

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def param(self, name: str, default: Any = None) -> Any:
        """A spider argument (-a name=...) when given, else the dataset's parameter."""
        return getattr(self, name, None) or self.dataset.params.get(name, default)

    # requests -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for saved in list(self.resume.pending.values()):  # in flight when the crawl stopped
            yield request_from_dict(saved, spider=self).replace(dont_filter=True)
        for request in self.first_requests():
            yield request

    def first_requests(self) -> Iterator[Request]:
        """The publisher's index when the dataset has one (unless `-a files=A,B` names the
        files), else one request per dataset path, parsed as a bulk file."""
        fixed = self.fixed_files()
        if self.dataset.index and not fixed:
            yield self.request(self.url(self.dataset.index), self.parse_index)
            return
        for path in fixed or self.dataset.paths:
            yield self.request(self.url(path), self.parse_file)

    def fixed_files(self) -> list[str]:
        """Files named with `-a files=/A.zip,/B.zip`: the fallback when the index cannot be used."""
        named = getattr(self, "files", None)
        return [path.strip() for path in named.split(",") if path.strip()] if named else []

    def parse_index(self, response: Response) -> Iterator[Any]:
        """The files the publisher's listing names now: each recorded, then fetched."""
        listed = self.listed_files(response)
        if not listed:
            raise ValueError(f"the index {response.url} lists no file this dataset reads")
        for found in listed:
            yield Discovered(response.url, found.name, found.url, found.size, found.published)
            yield self.request(found.url, getattr(self, found.handler), authorised=found.authorised)

    def listed_files(self, response: Response) -> list[ListedFile]:
        """What the dataset's index names for fetching: a pure reading of the listing, which
        `oad sources check` uses too."""
        raise NotImplementedError(f"{self.name} reads no index")

    def request(
        self, url: str, handler: Handler, authorised: bool = True, **kwargs: Any
    ) -> Request:
        """A request whose response goes to `handler(response, **kwargs)`; kwargs must be plain
        values, so that the request can be saved and re-issued after a pause. Not `authorised`:
        without the dataset's key (a signed download link on another host)."""
        return Request(
            url,
            callback=self._handle,
            errback=self._failed,
            cb_kwargs={"handler": handler.__name__, "kwargs": kwargs},
            headers=self.auth_headers() if authorised else {},
        )

    def signed_link(self, response: Response, url: str, handler: Handler) -> Request:
        """A request for a short-lived signed link that RESPONSE handed out: sent without the
        key (it is on another host), and re-asked of RESPONSE's request when a paused crawl
        resumes, since the link will have expired by then."""
        request = self.request(url, handler, authorised=False)
        assert response.request is not None
        request.meta[RENEW] = response.request.to_dict(spider=self)
        request.meta[RUN] = self.run  # spiders.middleware.RenewExpiredLinks reads both
        return request

    def auth_headers(self) -> dict[str, str]:
        """The dataset's key, from the setting or environment variable `api_key_env` names,
        as its publisher wants it (`auth`): HTTP basic auth with the key as user name (the
        default), the key as it is in Authorization (`raw`), or in another header (any other
        value names the header, e.g. `x-api-key`). Never logged: Scrapy logs no headers."""
        variable = self.dataset.params.get("api_key_env")
        if not isinstance(variable, str):
            return {}
        settings = getattr(self, "settings", None)
        key = (settings.get(variable) if settings is not None else None) or os.environ.get(variable)
        if not key:
            return {}
        scheme = str(self.dataset.params.get("auth", "basic"))
        if scheme == "basic":
            return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
        return {"Authorization" if scheme == "raw" else scheme: key}

    def _handle(self, response: Response, handler: str, kwargs: dict[str, Any]) -> Iterator[Any]:
        yield from getattr(self, handler)(response, **kwargs)
        yield ResponseDone(self._fingerprint(response.request))

    def _fingerprint(self, request: Request | None) -> str:
        assert self.crawler.request_fingerprinter is not None and request is not None
        return self.crawler.request_fingerprinter.fingerprint(request).hex()

    def _scheduled(self, request: Request, spider: scrapy.Spider) -> None:
        if spider is self and request.callback == self._handle:
            self.resume.scheduled(self._fingerprint(request), request.to_dict(spider=self))

    def _failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        where = request.url if request is not None else "?"
        self.failures.append(f"{where}: {failure.getErrorMessage() or repr(failure.value)}")

    def _spider_error(self, failure: Failure, response: Response, spider: scrapy.Spider) -> None:
        if spider is self:
            self.failures.append(f"{response.url}: {failure.getErrorMessage()}")

    # bulk files -----------------------------------------------------------------------------

    def parse_file(self, response: Response) -> Iterator[Any]:
        """A table file (or a zip of them) in column batches, each handed to `parse_columns`."""
        for table in self.tables(response):
            use = ColumnUse(table.label, table.header)
            for batch in table.batches:
                yield from self.parse_columns(Columns(use, batch.cells, batch.lines))
            yield from table.rejections
            yield Note(f"{table.label}: read as {table.encoding}", use.unused(), table.label)

    def tables(self, response: Response) -> Iterator[TableFile]:
        """The tables of a downloaded file: the file itself, or each table of a zip."""
        encoding = getattr(self, "encoding", None) or self.dataset.encoding
        label = self.file_label(response)
        yield from read_download(response.body, label, encoding, self.wanted_member)

    def file_label(self, response: Response) -> str:
        """How rows, notes and rejections name the file they came from: its URL. A source
        whose files come by signed links names them without the query, a short-lived
        credential that changes with every download."""
        if self.signed_files:
            return response.url.split("?", 1)[0]
        return response.url

    def wanted_member(self, name: str) -> bool:
        """Which members of a zip are tables this spider reads."""
        return name.lower().endswith((".csv", ".txt"))

    def parse_columns(self, columns: Columns) -> Iterator[Any]:
        raise NotImplementedError(f"{self.name} reads no bulk files")

    def batch(
        self,
        table: TableName,
        columns: Columns,
        fields: dict[str, pa.Array | str | None],
        mask: pa.Array | None = None,
        raw: tuple[list[str], list[pa.Array]] | None = None,
        shared: bool = False,
    ) -> TableBatch:
        """A canonical table batch from column arrays (or constants), filtered by `mask`; the
        raw payload is every column of the row unless `raw` names other (key, column) pairs."""
        rows = columns.rows
        data: dict[str, pa.Array] = {}
        for spec in staged_schema(table):
            value = fields.get(spec.name)
            if spec.name == "line":
                value = columns.lines
            elif spec.name == "source_url":
                value = columns.file.label
            data[spec.name] = _column(value, spec.type, rows)
        keys, arrays = raw or columns.raw()
        for i, array in enumerate(arrays):
            data[f"r{i}"] = array
        result = pa.table(data)
        if mask is not None:
            result = result.filter(mask)
        return TableBatch(table, result, list(keys), shared)

    def reject(self, response: Response, reason: str, line: int | None = None) -> Rejected:
        return Rejected(response.url, line, reason)


def _column(value: pa.Array | str | None, kind: pa.DataType, rows: int) -> pa.Array:
    if isinstance(value, pa.Array | pa.ChunkedArray):
        return value if value.type == kind else value.cast(kind)
    if value is None:
        return pa.nulls(rows, kind)
    return pa.array([value] * rows, kind)
