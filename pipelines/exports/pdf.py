"""HTML to PDF with WeasyPrint, for the dossiers and the recovery assessment.

The HTML carries crawled text, so rendering fetches nothing: only `data:` URLs resolve (no file,
no network), and a link in a crawled value cannot make the renderer reach out. Fonts come from
the system (fontconfig); CSS that names "Noto Sans CJK SC" gets Chinese from fonts-noto-cjk.
"""

from __future__ import annotations

from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from pipelines.exports.files import written_whole

# Stylesheet fragments every oad PDF may share: A4, CJK-capable fonts, page numbers.
PAGE_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
        @bottom-right { content: "page " counter(page) " of " counter(pages);
                        font-size: 8pt; color: #555; } }
html { font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; font-size: 9.5pt;
       line-height: 1.35; color: #111; }
"""


def render_pdf(html: str) -> bytes:
    """HTML (a whole document) as PDF bytes."""
    document = HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    pdf: bytes = document.write_pdf()
    return pdf


def html_to_pdf(html: str, out: Path) -> None:
    """Render HTML (a whole document) to a PDF at OUT, written whole or not at all: a reader
    never sees half a PDF, and a failed render leaves the previous one as it was."""
    pdf = render_pdf(html)
    with written_whole([out]) as (temporary,):
        temporary.write_bytes(pdf)
