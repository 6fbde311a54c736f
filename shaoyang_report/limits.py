"""How much a report file may hold: caps that keep reading fast and memory flat.

An annual report is small. The largest real ones in the corpus (``../shared/reports``)
measure, as read:

* ``shaoyang/shaoyang_city_2020.txt``: 345 lines, 413 tokens, 3,793 characters, longest
  line 417 characters;
* ``huaian/hongze_district_2023.pdf`` and ``…_2024.pdf``: 5 pages, ~2,600 characters of
  text, 118 lines, 329 tokens;
* ``shanghai/shanghai_stcsm_2024.pdf-text.md``: 207 lines, 587 tokens, 4,290 characters.

The caps below leave about 60–120 times that room (lines 58×, tokens 85×, pages
60×, characters 117×: prose length varies most between agencies, so it gets the
most; the test suite checks that at least 20× is left). Anything beyond them is
refused at once with a :class:`~shaoyang_report.errors.ReportFormatError` naming the
file and the limit, instead of spending minutes and gigabytes on a file that cannot
be a report (a text of millions of lines, a 48 MB line of digits, a Word file with
60 MB of XML, a zip bomb).

Every reader counts what it reads with a :class:`Budget`, so the work done is bounded
by these caps, whatever size the file (or its archive directory) claims.

Example:
    >>> budget = Budget("big.txt")
    >>> budget.line("行政许可 4089 -56 7591", "line 1")
    >>> budget.tokens(4, "line 1")
    >>> budget.tokens(MAX_TOKENS, "line 2")
    Traceback (most recent call last):
    ...
    shaoyang_report.errors.ReportFormatError: big.txt: line 2: the file holds over 50,000 cells and numbers; a report holds far fewer (limit MAX_TOKENS in shaoyang_report.limits)
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable

from shaoyang_report.errors import ReportFormatError

#: Bytes read from any report file (PDFs carry images, so this is the loosest cap).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Printed lines (text lines, PDF lines, paragraphs, table rows) in one report.
MAX_LINES = 20_000
#: Characters of one printed line or paragraph.
MAX_LINE_CHARS = 50_000
#: Characters of text in one report (the visible text of a page, the text of a PDF).
MAX_CHARS = 500_000
#: Tokens (labels, values, blank cells) read from one report.
MAX_TOKENS = 50_000
#: Table cells in one report (HTML ``<td>``/``<th>``, Word ``<w:tc>``).
MAX_CELLS = 50_000
#: Pages of a PDF.
MAX_PDF_PAGES = 300
#: Pixels of one page image read by OCR (an A4 page at 600 dpi has 35 million). Checked
#: from the image's header, before it is decoded: a small file that would decode to
#: gigabytes (a decompression bomb) is refused unread. A scanned PDF page is drawn at a
#: resolution that stays under it.
MAX_IMAGE_PIXELS = 60_000_000
#: Pixels of all the page images of one report read by OCR, together: 45 A4 pages
#: scanned at 300 dpi, or 100 at 200 dpi (the OCR'd Hongze reports' pages are 1240×1754
#: = 2.2 million each at 150 dpi, 5 pages). Counted from the pages' headers (an image's,
#: a PDF page's size) before the first page is decoded or drawn: a small file of
#: hundreds of large pages (a 1.3 MB TIFF of 300 pages of 59 million pixels) is refused
#: unread. Only one page per OCR worker is held decoded at a time.
MAX_SCAN_PIXELS = 400_000_000
#: Seconds of wall-clock time the OCR of one report may take (checked after each page:
#: the page being read is finished). A page takes 1–6 s on two cores; the pixel cap
#: above keeps a report's pages far under this, so only a machine far slower or busier
#: than a reader's meets it.
MAX_OCR_SECONDS = 600
#: Bytes a PDF page's content streams (and the forms it draws) inflate to; the real
#: reports' pages hold 4–43 KB. Checked before the page is read, so that a small PDF
#: whose content inflates to gigabytes of drawing operators is refused unread.
MAX_PDF_PAGE_CONTENT_BYTES = 8 * 1024 * 1024
#: Bytes all pages' content streams inflate to together.
MAX_PDF_CONTENT_BYTES = 64 * 1024 * 1024
#: Markup of an HTML page, counted as ``<`` characters (tags, comments …). A busy
#: government page has a few thousand.
MAX_HTML_TAGS = 400_000
#: Characters of an HTML page's text nodes before whitespace is collapsed (indentation
#: included, so looser than :data:`MAX_CHARS`).
MAX_HTML_RAW_TEXT = 4 * MAX_CHARS
#: Paragraphs of a Word document, empty ones and those in table cells included.
MAX_DOCX_PARAGRAPHS = 100_000
#: Parts (members) of a Word file's zip archive.
MAX_DOCX_MEMBERS = 2_000
#: Bytes the XML parts of a Word file inflate to, all together (python-docx's blank
#: template alone is 0.9 MB of XML).
MAX_DOCX_XML_BYTES = 16 * 1024 * 1024
#: Markup of a Word file's XML parts, counted as ``<`` characters (the fixture built
#: from the Shaoyang report by python-docx holds 28,000, its template included).
MAX_DOCX_XML_TAGS = 1_000_000
#: Bytes a Word file's parts inflate to, all together (images included).
MAX_DOCX_BYTES = 64 * 1024 * 1024
#: How many times its compressed size a Word part may inflate to, beyond 1 MiB (XML
#: written by Word compresses 5–30-fold; a zip bomb, a thousandfold).
MAX_DOCX_RATIO = 200
#: Seconds of wall-clock time LibreOffice may take to convert one .doc/.wps file (a
#: report converts in 1–3 s, the program's start included); past it the converter and
#: every process it started are killed and the file refused.
MAX_CONVERT_SECONDS = 60
#: Reports read from one zip archive (each member that is a report).
MAX_ARCHIVE_REPORTS = 500
#: Parts of one web archive (.mhtml: a page with its pictures, styles and frames).
MAX_MHTML_PARTS = 2_000


_IN_STEP = 1 << 16  # compressed bytes fed to the inflater at a time
_OUT_STEP = 1 << 20  # inflated bytes taken from it at a time


def inflate_bounded(raw, budget: int, wbits: int = -zlib.MAX_WBITS, *, strict: bool = True,
                    sink: Callable[[bytes], object] | None = None) -> tuple[int, int, bool] | None:
    """Inflate a deflate stream in steps, keeping nothing, and stop past ``budget`` bytes.

    Args:
        raw: The compressed bytes (any buffer).
        budget: The most bytes the stream may inflate to.
        wbits: ``zlib`` window bits: raw deflate (zip members, the default) or
            ``zlib.MAX_WBITS`` for a zlib stream (PDF ``FlateDecode``).
        strict: Raise on a corrupt stream; if False, count what inflated before the
            corruption (as a tolerant reader would use it) and report the stream unended.
        sink: Called with each piece inflated (at most 1 MiB), e.g. to count tags; it
            may raise to stop.

    Returns:
        ``(bytes inflated, their CRC-32, whether the stream ended)``, or None when the
        stream inflates to more than ``budget`` bytes (found after at most ``budget`` +
        1 MiB of work, whatever the stream declares).

    Raises:
        zlib.error: The stream is corrupt (``strict`` only).

    Example:
        >>> stream = zlib.compress(bytes(10_000_000))
        >>> inflate_bounded(stream, 20_000_000, zlib.MAX_WBITS)[0], inflate_bounded(stream, 1000, zlib.MAX_WBITS)
        (10000000, None)
    """
    inflater = zlib.decompressobj(wbits)
    size = crc = 0
    raw = memoryview(raw)
    try:
        for pos in range(0, max(len(raw), 1), _IN_STEP):
            pending = raw[pos:pos + _IN_STEP]
            while True:
                chunk = inflater.decompress(pending, _OUT_STEP)
                size += len(chunk)
                if size > budget:
                    return None
                crc = zlib.crc32(chunk, crc)
                if sink is not None and chunk:
                    sink(chunk)
                if not chunk and len(inflater.unconsumed_tail) == len(pending) > 0:
                    raise zlib.error("the stream makes no progress")
                pending = inflater.unconsumed_tail
                if inflater.eof or (not pending and len(chunk) < _OUT_STEP):
                    break  # the stream ended, or this input is used up and nothing is held back
            if inflater.eof:
                break
    except zlib.error:
        if strict:
            raise
        return size, crc, False
    return size, crc, inflater.eof


def refuse(source: object, what: str, limit_name: str, where: str = "") -> ReportFormatError:
    """The error for a file beyond a cap: names the file, what was found and the limit."""
    return ReportFormatError(source, f"{what} (limit {limit_name} in shaoyang_report.limits)", where)


class Budget:
    """Counts what a reader has read of one file and refuses past the caps.

    Args:
        source: The file name, for the error message.
    """

    __slots__ = ("source", "n_lines", "n_chars", "n_tokens", "n_cells")

    def __init__(self, source: object) -> None:
        self.source = source
        self.n_lines = self.n_chars = self.n_tokens = self.n_cells = 0

    def line(self, text: str, where: str = "") -> None:
        """Count one printed line and its characters.

        Raises:
            ReportFormatError: The line is too long, or the file has too many lines or
                characters.
        """
        if len(text) > MAX_LINE_CHARS:
            raise refuse(self.source, f"a line of {len(text):,} characters; a report's lines are far shorter",
                         "MAX_LINE_CHARS", where)
        self.n_lines += 1
        if self.n_lines > MAX_LINES:
            raise refuse(self.source, f"the file holds over {MAX_LINES:,} lines; a report holds far fewer",
                         "MAX_LINES", where)
        self.chars(len(text), where)

    def chars(self, n: int, where: str = "") -> None:
        """Count ``n`` characters of text.

        Raises:
            ReportFormatError: The file holds more than :data:`MAX_CHARS`.
        """
        self.n_chars += n
        if self.n_chars > MAX_CHARS:
            raise refuse(self.source, f"the file holds over {MAX_CHARS:,} characters of text; a report holds far "
                         "fewer", "MAX_CHARS", where)

    def tokens(self, n: int, where: str = "") -> None:
        """Count ``n`` tokens (cells and numbers).

        Raises:
            ReportFormatError: The file holds more than :data:`MAX_TOKENS`.
        """
        self.n_tokens += n
        if self.n_tokens > MAX_TOKENS:
            raise refuse(self.source, f"the file holds over {MAX_TOKENS:,} cells and numbers; a report holds far "
                         "fewer", "MAX_TOKENS", where)

    def cells(self, n: int, where: str = "") -> None:
        """Count ``n`` table cells.

        Raises:
            ReportFormatError: The file holds more than :data:`MAX_CELLS`.
        """
        self.n_cells += n
        if self.n_cells > MAX_CELLS:
            raise refuse(self.source, f"the file's tables hold over {MAX_CELLS:,} cells; a report's hold far fewer",
                         "MAX_CELLS", where)


class ScanBudget:
    """Counts the pixels of a report's page images and the time their OCR takes, and refuses past the caps.

    Args:
        source: The file name, for the error message.

    Example:
        >>> budget = ScanBudget("scan.tif")
        >>> budget.pixels(60_000_000, "page 1")
        >>> budget.pixels(MAX_SCAN_PIXELS, "page 2")
        Traceback (most recent call last):
        ...
        shaoyang_report.errors.ReportFormatError: scan.tif: page 2: the page images hold over 400,000,000 pixels together; a report's scan holds far fewer (limit MAX_SCAN_PIXELS in shaoyang_report.limits)
    """

    __slots__ = ("source", "n_pixels", "started")

    def __init__(self, source: object) -> None:
        self.source = source
        self.n_pixels = 0
        self.started = time.monotonic()

    def pixels(self, n: int, where: str = "") -> None:
        """Count a page image of ``n`` pixels (before it is decoded).

        Raises:
            ReportFormatError: The report's pages hold more than :data:`MAX_SCAN_PIXELS`.
        """
        self.n_pixels += n
        if self.n_pixels > MAX_SCAN_PIXELS:
            raise refuse(self.source, f"the page images hold over {MAX_SCAN_PIXELS:,} pixels together; a report's "
                         "scan holds far fewer", "MAX_SCAN_PIXELS", where)

    def time(self, done: int, pages: int, where: str = "") -> None:
        """Check, with ``done`` of ``pages`` pages read, that OCR has not run longer than allowed.

        Raises:
            ReportFormatError: Pages are left and OCR has run for over :data:`MAX_OCR_SECONDS`.
        """
        seconds = time.monotonic() - self.started
        if done < pages and seconds > MAX_OCR_SECONDS:
            raise refuse(self.source, f"OCR has run for {seconds:,.0f} s, over {MAX_OCR_SECONDS:,} s, with {done} of "
                         f"{pages} pages read; a report's scan is read far sooner", "MAX_OCR_SECONDS", where)
