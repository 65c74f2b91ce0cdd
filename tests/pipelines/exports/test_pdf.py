"""html_to_pdf: Chinese survives into the PDF's text, nothing is fetched, a failed render leaves
no file behind."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipelines.exports.pdf import PAGE_CSS, html_to_pdf


def _text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_chinese_and_page_numbers_reach_the_pdf(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "one.pdf"
    body = "<h1>许家印 HUI Ka Yan</h1><p>恒大集团有限公司</p>"
    html_to_pdf(f"<html><head><style>{PAGE_CSS}</style></head><body>{body}</body></html>", out)
    text = _text(out)
    assert "许家印" in text and "恒大集团有限公司" in text and "HUI Ka Yan" in text
    assert "page 1 of 1" in text


@pytest.fixture
def requests_seen() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every path asked of it."""
    seen: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_rendering_fetches_nothing(tmp_path: Path, requests_seen: tuple[str, list[str]]) -> None:
    base, seen = requests_seen
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    html_to_pdf(f'<html><head><link rel="stylesheet" href="{base}/style.css">'
                f'<link rel="stylesheet" href="{secret.as_uri()}"></head>'
                f'<body><img src="{base}/pixel.png"><p>text</p></body></html>',
                tmp_path / "quiet.pdf")  # fmt: skip
    assert seen == []
    assert "text" in _text(tmp_path / "quiet.pdf")


def test_a_failed_render_keeps_the_previous_file(tmp_path: Path) -> None:
    out = tmp_path / "kept.pdf"
    html_to_pdf("<p>first</p>", out)
    before = out.read_bytes()
    with pytest.raises(TypeError):
        html_to_pdf(None, out)  # type: ignore[arg-type]
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["kept.pdf"]


def test_a_pdf_is_an_ordinary_file_others_may_read(tmp_path: Path) -> None:
    # a case team shares the folder: the PDF gets the permissions any new file gets (umask 022)
    previous = os.umask(0o022)
    try:
        html_to_pdf("<html><body><p>x</p></body></html>", tmp_path / "x.pdf")
    finally:
        os.umask(previous)
    assert (tmp_path / "x.pdf").stat().st_mode & 0o777 == 0o644
