"""`oad sources check`: ask each dataset's index (never the large files themselves) what it
would fetch now, how big, and what changed since the store's last crawl of it."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response
from scrapy.http.headers import Headers
from scrapy.responsetypes import responsetypes

from pipelines.errors import OadError
from pipelines.store import connect, resolve_db_path
from spiders.base import SourceSpider
from spiders.listing import ListedFile
from spiders.localserver import LocalServer
from spiders.metadata import load_meta, source_names
from spiders.run import spider_class

USER_AGENT = "oad sources check"
HEAD_LIMIT = 12  # sizes asked with HEAD per dataset; more files are listed without one


@dataclass
class CheckedFile:
    listed: ListedFile
    change: str  # against the last finished crawl: 'new', 'same', 'size changed', 'first crawl'


@dataclass
class CheckedDataset:
    source: str
    dataset: str
    index_url: str | None  # None: the dataset has no index (fixed paths, an API it pages)
    last_crawl: int | None = None
    files: list[CheckedFile] = field(default_factory=list)
    error: str | None = None

    def lines(self) -> Iterator[str]:
        head = f"{self.source} {self.dataset}"
        if self.index_url is None:
            yield f"{head}: no index to ask (fixed files or a paged API)"
            return
        if self.error is not None:
            yield f"{head}: {self.index_url}: {self.error}"
            return
        since = f"crawl {self.last_crawl}" if self.last_crawl is not None else "no crawl yet"
        yield f"{head}: {self.index_url} lists {len(self.files)} file(s) to fetch ({since})"
        for checked in self.files:
            found = checked.listed
            size = _readable_size(found.size)
            published = f", published {found.published}" if found.published else ""
            yield f"  {found.name}  {size}{published}  [{checked.change}]  {found.url}"


def check_sources(
    db_path: str | Path | None,
    source: str | None = None,
    dataset: str | None = None,
    base_url: str | None = None,
    serve_dir: Path | None = None,
    timeout: float = 30.0,
) -> list[CheckedDataset]:
    """Every dataset of SOURCE (or of every source), as its index lists it now; BASE_URL
    replaces the production one, SERVE_DIR serves recorded responses (DIR/SOURCE) instead."""
    if dataset is not None and source is None:
        raise OadError("--dataset needs a SOURCE")
    if serve_dir is not None and base_url:
        raise OadError("give --serve or --base-url, not both")
    checked = []
    with LocalServer(serve_dir) if serve_dir is not None else nullcontext() as server:
        for name in [source] if source else source_names():
            meta = _meta(name)
            url = server.url(f"/{name}") if server is not None else base_url
            for chosen in [dataset] if dataset else list(meta.datasets):
                try:
                    meta.dataset(chosen)
                except ValueError as error:  # names the datasets there are
                    raise OadError(str(error)) from None
                pause = 0.0 if server is not None else 1 / meta.rate_limit.requests_per_second
                checked.append(_check(db_path, name, chosen, url, timeout, pause))
    return checked


def _meta(name: str) -> Any:
    try:
        return load_meta(name)
    except ValueError as error:
        raise OadError(str(error)) from None


def _check(
    db_path: str | Path | None,
    source: str,
    dataset: str,
    base_url: str | None,
    timeout: float,
    pause: float,
) -> CheckedDataset:
    meta = load_meta(source)
    if not meta.datasets[dataset].index:
        return CheckedDataset(source, dataset, None)
    if base_url is None and meta.datasets[dataset].base_url is None:
        return CheckedDataset(source, dataset, None, error="no URL of its own: give --base-url")
    spider: SourceSpider = spider_class(source)(dataset=dataset, base_url=base_url)
    index_url = spider.url(spider.dataset.entry)
    result = CheckedDataset(source, dataset, index_url)
    try:
        response = _fetch(index_url, spider.auth_headers(), timeout)
        listed = spider.listed_files(response)
        sizes = _sizes(listed, spider, timeout, pause)
    except (OSError, ValueError, KeyError) as error:
        result.error = _reason(error)
        return result
    result.last_crawl, before = _last_crawl(db_path, spider.store_source, dataset)
    for found, size in zip(listed, sizes, strict=True):
        found = replace(found, size=size)
        result.files.append(CheckedFile(found, _change(found, before, result.last_crawl)))
    return result


def _fetch(url: str, headers: dict[str, str], timeout: float, method: str = "GET") -> Response:
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, **headers}, method=method
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        body = answer.read() if method == "GET" else b""
        header_pairs = Headers(list(answer.headers.items()))
    kind = responsetypes.from_args(headers=header_pairs, url=url, body=body)
    return kind(url=url, body=body, headers=header_pairs, status=200, request=Request(url))


def _sizes(
    listed: list[ListedFile], spider: SourceSpider, timeout: float, pause: float
) -> list[int | None]:
    """The listed sizes, and for up to HEAD_LIMIT files the listing gives none, the size a HEAD
    request says, at the publisher's rate (a weekly feed lists a hundred files or more)."""
    sizes: list[int | None] = []
    asked = 0
    for found in listed:
        if found.size is None and asked < HEAD_LIMIT:
            time.sleep(pause if asked else 0.0)
            asked += 1
            sizes.append(_head_size(found, spider, timeout))
        else:
            sizes.append(found.size)
    return sizes


def _head_size(found: ListedFile, spider: SourceSpider, timeout: float) -> int | None:
    """The size a listing left out, from a HEAD request (no file is downloaded)."""
    headers = spider.auth_headers() if found.authorised else {}
    try:
        length = _fetch(found.url, headers, timeout, "HEAD").headers.get("Content-Length")
    except OSError:
        return None
    return int(length) if length else None


def _last_crawl(
    db_path: str | Path | None, store_source: str, dataset: str
) -> tuple[int | None, dict[str, Any]]:
    """The store's last finished crawl of the dataset, and the files it fetched by name."""
    if not resolve_db_path(db_path).exists():
        return None, {}
    with connect(db_path, read_only=True) as store:
        rows = store.con.execute(
            "SELECT crawl_id, notes->'$.discovered' FROM crawls WHERE kind = 'crawl'"
            " AND source = ? AND dataset = ? AND status = 'finished'"
            " ORDER BY crawl_id DESC LIMIT 1",
            [store_source, dataset],
        ).fetchall()
    if not rows:
        return None, {}
    crawl_id, discovered = rows[0]
    files = json.loads(discovered) if discovered else []
    return int(crawl_id), {f["name"]: f for f in files}


def _change(found: ListedFile, before: dict[str, Any], last_crawl: int | None) -> str:
    if last_crawl is None:
        return "first crawl"
    earlier = before.get(found.name)
    if earlier is None:
        return "new since the last crawl"
    if found.size is not None and earlier.get("size") not in (None, found.size):
        return f"size changed since the last crawl ({_readable_size(earlier['size'])})"
    return "fetched by the last crawl"


def _reason(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return f"cannot reach it: {error.reason}"
    return str(error) or type(error).__name__


def _readable_size(size: int | None) -> str:
    if size is None:
        return "size not listed"
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"
