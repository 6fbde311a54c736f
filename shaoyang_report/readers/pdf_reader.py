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

Example:
    >>> from shaoyang_report.readers.pdf_reader import read_pdf
    >>> doc = read_pdf(open("../shared/reports/huaian/hongze_district_2023.pdf", "rb").read(),
    ...                "hongze_district_2023.pdf")                    # doctest: +SKIP
    >>> doc.reader, doc.lines[1].text                                  # doctest: +SKIP
    ('pdf', '2023 年政府信息公开工作年度报告')
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..document import PAGE_NUMBER_RE, Document, Line, Token, split_cells
from ..errors import ReportFormatError

# A word joins a line when its box overlaps the line's band by this share of the
# smaller height (rows of a ruled table overlap far less than this).
_OVERLAP = 0.5
# Words further apart than this many times the text height are separate cells.
_CELL_GAP = 0.9
# More pages than any annual report has: refuse instead of grinding through a book.
_MAX_PAGES = 300

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


def read_pdf(data: bytes, source: str) -> Document:
    """Read a PDF's text layer into a Document.

    Args:
        data: The PDF file's bytes.
        source: The file name, for messages and locations.

    Raises:
        ReportFormatError: The PDF is damaged, encrypted, or has no text layer (a scan:
            OCR is needed first).
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
        with pdf:
            if pdf.needs_pass:
                raise ReportFormatError(source, "the PDF is password-protected; save an unprotected copy first")
            if pdf.page_count == 0:
                raise ReportFormatError(source, "the PDF has no pages")
            if pdf.page_count > _MAX_PAGES:
                raise ReportFormatError(
                    source, f"the PDF has {pdf.page_count} pages; an annual report is expected to have under {_MAX_PAGES}")
            pages: list[list[list[list[_Word]]]] = []
            images = 0
            try:
                for page in pdf:
                    words = [_Word(w[0], w[1], w[2], w[3], w[4]) for w in page.get_text("words") if w[4].strip()]
                    pages.append(_lines_of_page(words))
                    if not words:
                        images += len(page.get_images())
            except Exception as exc:
                raise ReportFormatError(source, f"the PDF is damaged: its text cannot be read ({exc})") from None
            repaired = pdf.is_repaired
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
            lines.append(Line(text, location, _tokens(texts, location)))
    return Document(source=source, lines=lines, reader="pdf")


def _tokens(cells: list[str], location: str) -> list[Token]:
    """Tokens of a line of cells; ``split_cells`` numbers the values when there are several."""
    return split_cells(" | ".join(c.replace("|", "｜") for c in cells), location)
