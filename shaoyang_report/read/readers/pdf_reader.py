"""PDF with a text layer → :class:`~shaoyang_report.read.document.Document` (via PDFium, ``pypdfium2``).

A PDF page is a set of positioned characters, not lines. This reader rebuilds what was
printed: characters that run on along a line form words (:mod:`.pdf_pdfium`), words
whose boxes share a band of the page form a line (so a table row's label and its
numbers are one line even when the numbers are set in a larger font), and words on a
line separated by a wide gap are separate cells (so a table's ruled columns, a
vertically printed group label such as ``三、本年度办理结果`` and a row label are
never run together). Page numbers (``- 3 -``, ``— 2 —``, ``第 3 页``) and running
headers repeated on every page are dropped; everything else is kept in reading order
and handed to the same template reader as text.

Locations are ``page 3, line 14`` (lines counted on the page, top to bottom), with
``, value k`` added when a line holds several values.

PDFium (BSD-3-Clause / Apache-2.0) replaced PyMuPDF (AGPL-3.0) here; the words are
built to be MuPDF's words (``get_text("words")``) on the same pages, so that the
Documents, and every fact read from them, are the ones the PyMuPDF reader gave on the
real reports (``tests/test_pdf_backends.py`` compares the two where PyMuPDF is installed).

Reading is bounded by the caps of :mod:`shaoyang_report.limits`: pages, the bytes each
page's content streams inflate to (measured on the file's bytes with a budget,
:mod:`.pdf_objects`, before PDFium parses any page, so a small PDF of gigabytes of
drawing operators is refused unread), characters, lines and tokens. Whatever PDFium
raises on a damaged or truncated file becomes a
:class:`~shaoyang_report.errors.ReportFormatError` saying so.

Example:
    >>> from shaoyang_report.read.readers.pdf_reader import read_pdf
    >>> doc = read_pdf(open("../shared/reports/huaian/hongze_district_2023.pdf", "rb").read(),
    ...                "hongze_district_2023.pdf")                    # doctest: +SKIP
    >>> doc.reader, doc.lines[1].text                                  # doctest: +SKIP
    ('pdf', '2023 年政府信息公开工作年度报告')
"""

from __future__ import annotations

import re
from collections import Counter
from operator import itemgetter

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import (
    MAX_PDF_CONTENT_BYTES,
    MAX_PDF_PAGE_CONTENT_BYTES,
    MAX_PDF_PAGES,
    Budget,
    refuse,
)
from shaoyang_report.read.cells import PAGE_NUMBER_RE, split_cells
from shaoyang_report.read.document import Document, Line
from shaoyang_report.read.readers.pdf_objects import (
    OBJECTS_PER_PAGE,
    page_content_bytes,
)
from shaoyang_report.read.readers.pdf_pdfium import Pages, Word, read_pages

# A word joins a line when its box overlaps the line's band by this share of the
# smaller height (rows of a ruled table overlap far less than this).
_OVERLAP = 0.5
# Words further apart than this many times the text height are separate cells.
_CELL_GAP = 0.9


def _middle(word: Word) -> tuple[float, float]:
    return (word[1] + word[3]) / 2, word[0]


def _lines_of_page(words: list[Word]) -> list[list[str]]:
    """Group a page's words into lines (top to bottom), each the texts of its cells (left to right).

    A word joins the line above when its box overlaps the line's band by ``_OVERLAP``
    of the smaller height (a word's height is at least 0.1 pt); words of a line
    further apart than ``_CELL_GAP`` times the smaller height are separate cells.
    """
    overlap_share, cell_gap = _OVERLAP, _CELL_GAP
    bands: list[list[Word]] = []
    band: list[Word] = []
    top = bottom = 0.0
    for word in sorted(words, key=_middle):
        w_top, w_bottom = word[1], word[3]
        if band:
            height = w_bottom - w_top
            if 0.1 > height:
                height = 0.1
            band_height = bottom - top
            overlap = (w_bottom if w_bottom < bottom else bottom) - (w_top if w_top > top else top)
            if overlap >= overlap_share * (band_height if band_height < height else height):
                band.append(word)
                if w_top < top:
                    top = w_top
                if w_bottom > bottom:
                    bottom = w_bottom
                continue
        band = [word]
        bands.append(band)
        top, bottom = w_top, w_bottom
    lines = []
    for band in bands:
        if len(band) == 1:
            lines.append([band[0][4]])
            continue
        band.sort(key=_X0)
        cells: list[str] = []
        cell = [band[0][4]]
        p_x1 = band[0][2]
        p_height = band[0][3] - band[0][1]
        if 0.1 > p_height:
            p_height = 0.1
        for x0, w_top, x1, w_bottom, text in band[1:]:
            height = w_bottom - w_top
            if 0.1 > height:
                height = 0.1
            if x0 - p_x1 > cell_gap * (height if height < p_height else p_height):
                cells.append(" ".join(cell))
                cell = [text]
            else:
                cell.append(text)
            p_x1, p_height = x1, height
        cells.append(" ".join(cell))
        lines.append(cells)
    return lines


_X0 = itemgetter(0)


def _furniture(pages: list[list[list[str]]]) -> set[str]:
    """Running headers/footers: the first or last line of most pages, same text each time."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        ends = {re.sub(r"\d+", "#", " ".join(line)).strip() for line in (lines[:1] + lines[-1:])}
        seen.update(ends)
    return {text for text, n in seen.items() if text and n >= max(3, (len(pages) + 1) // 2)}


def _check_before_reading(data: bytes, source: str, count: int) -> None:
    """Refuse a PDF without pages, with more than ``MAX_PDF_PAGES``, of too many objects, or whose pages draw too much.

    The page content is measured on the file's bytes (:mod:`.pdf_objects`), before
    the PDF library draws any page.
    """
    if count == 0:
        raise ReportFormatError(source, "the PDF has no pages")
    if count > MAX_PDF_PAGES:  # more pages than any annual report has: not worth grinding through
        raise refuse(source, f"the PDF has {count:,} pages; an annual report is expected to have at most "
                     f"{MAX_PDF_PAGES}", "MAX_PDF_PAGES")
    most = OBJECTS_PER_PAGE * MAX_PDF_PAGES
    sizes = page_content_bytes(data, MAX_PDF_PAGE_CONTENT_BYTES, MAX_PDF_CONTENT_BYTES, most)
    if sizes.over == (None, "objects"):
        raise refuse(source, f"the PDF holds over {most:,} objects ({OBJECTS_PER_PAGE} for each of the "
                     f"{MAX_PDF_PAGES} pages a report may have); a report holds far fewer; refusing to read it",
                     "MAX_PDF_PAGES")
    if sizes.over is not None:
        number, which = sizes.over
        name, cap = (("MAX_PDF_PAGE_CONTENT_BYTES", MAX_PDF_PAGE_CONTENT_BYTES) if which == "page"
                     else ("MAX_PDF_CONTENT_BYTES", MAX_PDF_CONTENT_BYTES))
        raise refuse(source, f"the PDF's page content inflates beyond {cap:,} bytes of drawing operators "
                     f"{'on one page' if which == 'page' else 'in all'}; a report's pages hold far less "
                     "(a PDF bomb?); refusing to read it", name, f"page {number}" if number else "")


def read_pdf(data: bytes, source: str) -> Document:
    """Read a PDF's text layer into a Document.

    Reading is bounded: a PDF of more than ``MAX_PDF_PAGES`` pages, whose pages draw
    from more than ``MAX_PDF_PAGE_CONTENT_BYTES``, or whose text passes the caps of
    :mod:`shaoyang_report.limits`, is refused as soon as that is known.

    Args:
        data: The PDF file's bytes.
        source: The file name, for messages and locations.

    Raises:
        ReportFormatError: The PDF is damaged or truncated, encrypted, far larger than a
            report, or has pages without a text layer (a scan) and the OCR extra
            (``shaoyang-report[ocr]``) is not installed. With it, such pages are read by
            OCR (:mod:`.ocr`), the pages with a text layer as text.
    """
    try:
        read = read_pages(data, source, Budget(source), lambda count: _check_before_reading(data, source, count))
    except ReportFormatError:
        raise
    except (MemoryError, RecursionError):
        raise  # too large, not damaged: said so by the caller (readers.library_errors)
    except Exception as exc:  # the library's own error, e.g. on a page of a file cut short
        raise ReportFormatError(
            source, f"the PDF is damaged or truncated: it cannot be read ({type(exc).__name__}: {exc}); "
            "get the complete file again") from None
    if read.images and not read.repaired and not all(read.words):
        # pages that are images without a text layer (a scan): those pages are read by OCR
        from shaoyang_report.read.readers.ocr.pages import read_scanned_pdf

        text_pages = (lambda: document_of_pages(read, source)) if any(read.words) else None
        return read_scanned_pdf(data, source, read.words, text_pages)
    return document_of_pages(read, source)


def document_of_pages(read: Pages, source: str) -> Document:
    """The Document of a PDF's words: lines, cells and tokens, page furniture dropped.

    Raises:
        ReportFormatError: The file was rebuilt and lost pages or content (truncated),
            or no page holds text (a scan, or damage).
    """
    pages = [_lines_of_page(words) if words else [] for words in read.words]

    if read.repaired:
        # The library rebuilt a broken file. Fine if every page came back; a file cut
        # short (a failed download) loses its later pages or their content: say so,
        # rather than read what is left as a report with tables missing.
        empty = [str(n) for n, lines in enumerate(pages, start=1) if not lines]
        if any(pages) and (empty or read.cut):
            lost = f"pages {', '.join(empty)} of {len(pages)} hold nothing readable" if empty else "its content is cut short"
            raise ReportFormatError(source, f"the PDF is damaged (truncated?): {lost}; get the complete file again")

    if not any(pages):
        if read.repaired:
            raise ReportFormatError(source, "the PDF is damaged: no page could be read")
        what = "its pages are images (a scan)" if read.images else "its pages hold no text"
        raise ReportFormatError(
            source,
            f"the PDF has no text layer: {what}. OCR is needed first (e.g. `ocrmypdf --language chi_sim "
            f"{source} out.pdf`), then read the OCR'd PDF",
        )

    furniture = _furniture(pages)
    budget = Budget(source)
    page_number = PAGE_NUMBER_RE.match
    lines: list[Line] = []
    for number, page_lines in enumerate(pages, start=1):
        for k, cells in enumerate(page_lines, start=1):
            texts = [t for t in cells if not page_number(t)]
            text = " ".join(texts)
            if not texts:
                continue  # a page number
            if (k == 1 or k == len(page_lines)) and re.sub(r"\d+", "#", text).strip() in furniture:
                continue
            location = f"page {number}, line {k}"
            budget.line(text, location)
            # Cells joined by " | " for split_cells (a bar printed in a cell made full-width).
            tokens = split_cells(" | ".join(texts if "|" not in text else [c.replace("|", "｜") for c in texts]), location)
            budget.tokens(len(tokens), location)
            lines.append(Line(text, location, tokens))
    return Document(source=source, lines=lines, reader="pdf")

