"""PDF with a text layer → :class:`~shaoyang_report.document.Document` (via PyMuPDF).

A PDF page is a set of positioned words, not lines. This reader rebuilds what was
printed: words whose boxes share a band of the page form a line (so a table row's label
and its numbers are one line even when the numbers are set in a larger font), and
words on a line separated by a wide gap are separate cells (so a table's ruled columns,
a vertically printed group label such as ``三、本年度办理结果`` and a row label are
never run together). Page numbers (``- 3 -``, ``— 2 —``, ``第 3 页``) and running
headers repeated on every page are dropped; everything else is kept in reading order
and handed to the same template reader as text.

Locations are ``page 3, line 14`` (lines counted on the page, top to bottom), with
``, value k`` added when a line holds several values.

Reading is bounded by the caps of :mod:`shaoyang_report.limits`: pages, the bytes each
page's content streams inflate to (measured with a budget before MuPDF draws the page,
so a small PDF of gigabytes of drawing operators is refused unread), characters,
lines and tokens. Whatever PyMuPDF raises on a damaged or truncated file becomes a
:class:`~shaoyang_report.errors.ReportFormatError` saying so.

Example:
    >>> from shaoyang_report.readers.pdf_reader import read_pdf
    >>> doc = read_pdf(open("../shared/reports/huaian/hongze_district_2023.pdf", "rb").read(),
    ...                "hongze_district_2023.pdf")                    # doctest: +SKIP
    >>> doc.reader, doc.lines[1].text                                  # doctest: +SKIP
    ('pdf', '2023 年政府信息公开工作年度报告')
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from dataclasses import dataclass

from ..document import PAGE_NUMBER_RE, Document, Line, Token, split_cells
from ..errors import ReportFormatError
from ..limits import (MAX_PDF_CONTENT_BYTES, MAX_PDF_PAGE_CONTENT_BYTES, MAX_PDF_PAGES, Budget, inflate_bounded,
                      refuse)

# A word joins a line when its box overlaps the line's band by this share of the
# smaller height (rows of a ruled table overlap far less than this).
_OVERLAP = 0.5
# Words further apart than this many times the text height are separate cells.
_CELL_GAP = 0.9

@dataclass(slots=True)
class _Word:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)


def _import_pymupdf():
    try:
        import pymupdf
    except ImportError:  # pragma: no cover - a declared dependency
        import fitz as pymupdf  # older PyMuPDF releases
    return pymupdf


def _lines_of_page(words: list[_Word]) -> list[list[list[_Word]]]:
    """Group a page's words into lines (top to bottom), each a list of cells (left to right)."""
    words = sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0))
    bands: list[list[_Word]] = []
    top = bottom = 0.0
    for w in words:
        if bands:
            overlap = min(bottom, w.bottom) - max(top, w.top)
            if overlap >= _OVERLAP * min(w.height, bottom - top):
                bands[-1].append(w)
                top, bottom = min(top, w.top), max(bottom, w.bottom)
                continue
        bands.append([w])
        top, bottom = w.top, w.bottom
    lines = []
    for band in bands:
        band.sort(key=lambda w: w.x0)
        cells: list[list[_Word]] = [[band[0]]]
        for prev, w in zip(band, band[1:]):
            gap = w.x0 - prev.x1
            if gap > _CELL_GAP * min(prev.height, w.height):
                cells.append([w])
            else:
                cells[-1].append(w)
        lines.append(cells)
    return lines


def _cell_text(cell: list[_Word]) -> str:
    return " ".join(w.text for w in cell)


def _furniture(pages: list[list[list[list[_Word]]]]) -> set[str]:
    """Running headers/footers: the first or last line of most pages, same text each time."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        ends = {re.sub(r"\d+", "#", " ".join(_cell_text(c) for c in line)).strip() for line in (lines[:1] + lines[-1:])}
        seen.update(ends)
    return {text for text, n in seen.items() if text and n >= max(3, (len(pages) + 1) // 2)}


def _content_bytes(pdf, page, source: str, number: int, left: int) -> int:
    """Bytes a page's content streams and forms inflate to, measured before it is read.

    Raises:
        ReportFormatError: The page (or the PDF so far) would inflate beyond the caps.
    """
    try:
        xrefs = list(dict.fromkeys([*page.get_contents(), *(x[0] for x in page.get_xobjects())]))
    except Exception:  # a damaged page: reading its text says so
        return 0
    page_cap = min(MAX_PDF_PAGE_CONTENT_BYTES, left)
    total = 0
    for xref in xrefs:
        size = _stream_bytes(pdf, xref, page_cap - total)
        if size is None:
            name, cap = (("MAX_PDF_PAGE_CONTENT_BYTES", MAX_PDF_PAGE_CONTENT_BYTES) if page_cap < left
                         else ("MAX_PDF_CONTENT_BYTES", MAX_PDF_CONTENT_BYTES))
            raise refuse(source, f"the PDF's page content inflates beyond {cap:,} bytes of drawing operators "
                         f"{'on one page' if page_cap < left else 'in all'}; a report's pages hold far less "
                         "(a PDF bomb?); refusing to read it", name, f"page {number}")
        total += size
    return total


def _stream_bytes(pdf, xref: int, budget: int) -> int | None:
    """Bytes a PDF stream decodes to (Flate inflated with a budget); None beyond ``budget``."""
    try:
        raw = pdf.xref_stream_raw(xref) or b""
        filters = pdf.xref_get_key(xref, "Filter")[1]
    except Exception:  # damaged: left to the text reading
        return 0
    if re.fullmatch(r"\[?\s*/(?:FlateDecode|Fl)\s*\]?", filters):
        inflated = inflate_bounded(raw, budget, zlib.MAX_WBITS, strict=False)
        return None if inflated is None else inflated[0]
    return len(raw) if len(raw) <= budget else None  # no filter, or others: counted as they are


def _read_pages(pdf, source: str, budget: Budget) -> tuple[list[list[list[list[_Word]]]], int]:
    """Each page's lines of cells, and the number of images on pages without text."""
    if pdf.needs_pass:
        raise ReportFormatError(source, "the PDF is password-protected; save an unprotected copy first")
    count = pdf.page_count
    if count == 0:
        raise ReportFormatError(source, "the PDF has no pages")
    if count > MAX_PDF_PAGES:  # more pages than any annual report has: not worth grinding through
        raise refuse(source, f"the PDF has {count:,} pages; an annual report is expected to have at most "
                     f"{MAX_PDF_PAGES}", "MAX_PDF_PAGES")
    pages: list[list[list[list[_Word]]]] = []
    images = content = 0
    for number, page in enumerate(pdf, start=1):
        content += _content_bytes(pdf, page, source, number, MAX_PDF_CONTENT_BYTES - content)
        words = [_Word(w[0], w[1], w[2], w[3], w[4]) for w in page.get_text("words") if w[4].strip()]
        budget.chars(sum(len(w.text) for w in words), f"page {number}")
        pages.append(_lines_of_page(words))
        if not words:
            images += len(page.get_images())
    return pages, images


def read_pdf(data: bytes, source: str) -> Document:
    """Read a PDF's text layer into a Document.

    Reading is bounded: a PDF of more than ``MAX_PDF_PAGES`` pages, or whose text passes
    the caps of :mod:`shaoyang_report.limits`, is refused as soon as that is known.

    Args:
        data: The PDF file's bytes.
        source: The file name, for messages and locations.

    Raises:
        ReportFormatError: The PDF is damaged or truncated, encrypted, far larger than a
            report, or has no text layer (a scan: OCR is needed first).
    """
    pymupdf = _import_pymupdf()
    shown = pymupdf.TOOLS.mupdf_display_errors()
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.reset_mupdf_warnings()
    try:
        try:
            pdf = pymupdf.open(stream=data, filetype="pdf")
        except Exception as exc:  # PyMuPDF raises its own FileDataError, RuntimeError …
            raise ReportFormatError(source, f"the PDF cannot be opened, it is damaged or not a PDF ({exc})") from None
        try:
            with pdf:
                pages, images = _read_pages(pdf, source, Budget(source))
                repaired = pdf.is_repaired
        except ReportFormatError:
            raise
        except Exception as exc:  # e.g. RuntimeError: code=7: Invalid number of pages (a file cut short)
            raise ReportFormatError(
                source, f"the PDF is damaged or truncated: it cannot be read ({type(exc).__name__}: {exc}); "
                "get the complete file again") from None
    finally:
        pymupdf.TOOLS.mupdf_display_errors(shown)

    if repaired:
        # MuPDF rebuilt a broken file. Fine if every page came back; a file cut short
        # (a failed download) loses its later pages or their content: say so, rather
        # than read what is left as a report with tables missing.
        warnings = pymupdf.TOOLS.mupdf_warnings()
        empty = [str(n) for n, lines in enumerate(pages, start=1) if not lines]
        cut = "premature end of data" in warnings or "cannot find startxref" in warnings
        if any(pages) and (empty or cut):
            lost = f"pages {', '.join(empty)} of {len(pages)} hold nothing readable" if empty else "its content is cut short"
            raise ReportFormatError(source, f"the PDF is damaged (truncated?): {lost}; get the complete file again")

    if not any(pages):
        if repaired:
            raise ReportFormatError(source, "the PDF is damaged: no page could be read")
        what = "its pages are images (a scan)" if images else "its pages hold no text"
        raise ReportFormatError(
            source,
            f"the PDF has no text layer: {what}. OCR is needed first (e.g. `ocrmypdf --language chi_sim "
            f"{source} out.pdf`), then read the OCR'd PDF",
        )

    furniture = _furniture(pages)
    budget = Budget(source)
    lines: list[Line] = []
    for number, page_lines in enumerate(pages, start=1):
        for k, cells in enumerate(page_lines, start=1):
            texts = [t for t in map(_cell_text, cells) if not PAGE_NUMBER_RE.match(t)]
            text = " ".join(texts)
            if not texts:
                continue  # a page number
            if (k == 1 or k == len(page_lines)) and re.sub(r"\d+", "#", text).strip() in furniture:
                continue
            location = f"page {number}, line {k}"
            budget.line(text, location)
            tokens = _tokens(texts, location)
            budget.tokens(len(tokens), location)
            lines.append(Line(text, location, tokens))
    return Document(source=source, lines=lines, reader="pdf")


def _tokens(cells: list[str], location: str) -> list[Token]:
    """Tokens of a line of cells; ``split_cells`` numbers the values when there are several."""
    return split_cells(" | ".join(c.replace("|", "｜") for c in cells), location)
