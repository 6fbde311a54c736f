"""PDF pages read with PDFium (``pypdfium2``, BSD-3-Clause / Apache-2.0): a PDF's words and their boxes.

PDFium gives a page's characters in drawing order, each with its box; this module
joins them into the words :func:`~shaoyang_report.read.readers.pdf_reader.read_pdf` groups
into lines and cells. The words are MuPDF's (``get_text("words")``, what the reader
was built on, when it used PyMuPDF) on the real reports and on the generated ones:

* a character's box is its font's full height (ascent to descent: PDFium's "loose"
  box), so that the words of one printed line share a band whatever their glyphs;
* a space printed in the PDF ends a word. Otherwise a character continues the word
  while it runs on along the same line (baseline within 0.8 of the font size, gap at
  most 0.8 of it): Chinese is set without spaces, and its justified gaps are not
  word breaks (``国令第711``, ``4.无正当理由大量反复申请``); after a half-width
  character (a digit, a Latin letter) a gap of 0.15 of the font size, or a space
  PDFium inserted, is a word break (``1136 条``, ``Key words for``);
* a character of vertical writing (a table's group label printed top to bottom,
  ``三、本年度办理结果``) is a word of its own, boxed below its origin. PDFium sizes
  these boxes by the unscaled font size (a 9.95 pt character set as 199 pt scaled
  by 0.05 gets a 199 pt box), so the box is rebuilt from the scaled size. (Where the
  scale is 1 the box cannot be told from a horizontal one and is kept as PDFium gives it.)
* a hyphen that ends a line is ``-`` (PDFium gives U+0002) and a glyph without a
  character U+FFFD, as MuPDF gives them. A character beyond U+FFFF, which PDFium
  gives as two pieces (a UTF-16 surrogate pair) with one box, is one character.

Coordinates are MuPDF's: points from the crop box's top-left corner, the page's
``/Rotate`` ignored (the reader orders words by position, not by drawing order).

Speed: PDFium's own work (parsing a page, building its text page) is two thirds of the
time. What is asked of it per character is kept to four calls (box, origin, font size,
matrix), on printed characters only: a page's characters come in one call
(``FPDFText_GetText``, used when it gives one for each of PDFium's characters), the
per-character functions are called without ctypes' argument conversion and without
releasing the GIL (the lock is held anyway), and words are joined as the characters
are read, in one loop.

PDFium is not thread-safe: every call into it holds one lock.
"""

from __future__ import annotations

import ctypes
import math
import re
import struct
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import Budget

_LOCK = threading.Lock()

# A character continues a word when its baseline is within this share of the font
# size from the previous character's, and the gap between them is at most this share
# (a table's cells are further apart).
_SAME_LINE = 0.8
_WORD_GAP = 0.8
# A character may start before the one ahead of it by this share of the font size
# (kerning); the letters of a ligature (ﬁ) share one box.
_OVERLAP = 0.5
# After a half-width character (a digit, a Latin letter), a gap of this share of the
# font size is a space: ``1136 条``, ``223100 ，``. Chinese is set without spaces and
# justified by widening the gaps between characters, so after a full-width character
# only a gap wider than ``_WORD_GAP`` ends a word.
_SPACE = 0.15

Word = tuple[float, float, float, float, str]  # x0, top, x1, bottom, text

PASSWORD_PROTECTED = "the PDF is password-protected; save an unprotected copy first"


@dataclass(slots=True)
class Pages:
    """What the PDF library read of a PDF: each page's words, and what tells a damaged file or a scan.

    Attributes:
        words: Per page, its words ``(x0, top, x1, bottom, text)`` in points from the
            top-left corner.
        images: Images on the pages without text.
        repaired: The file's structure is broken and was read by reconstruction.
        cut: The file ends early (a failed download).
    """

    words: list[list[Word]]
    images: int
    repaired: bool
    cut: bool

_WIDE: dict[str, bool] = {}


def _wide(text: str) -> bool:
    """Whether a character is full-width (Chinese, full-width punctuation)."""
    wide = _WIDE.get(text)
    if wide is None:
        wide = _WIDE[text] = unicodedata.east_asian_width(text) in "WF"
    return wide


# Characters that need a closer look: controls and spaces (PDFium inserts spaces and
# line ends; a hyphen ending a line is U+0002; a glyph without a character may be
# anything), and the halves of a UTF-16 surrogate pair.
_SPECIAL = frozenset(c for c in map(chr, range(0x10000)) if c < " " or c.isspace() or "\ud800" <= c <= "\udfff")
# What PDFium writes for a character, into one buffer: its loose box (FS_RECTF:
# left, top, right, bottom), its matrix (FS_MATRIX: a, b, c, d; e and f unread) and its
# origin (x, y).
_CHAR_DATA = struct.Struct("=4f4f8x2d")
_MATRIX_AT, _ORIGIN_AT = 16, 40


class _Calls:
    """The PDFium text-page functions asked per character, called bare.

    ``pypdfium2``'s bindings convert each argument and release the GIL around every
    call (0.3–0.4 µs a call); these are the same C functions, called with arguments
    already of their C types (the text page's pointer, an ``int``, ``byref`` pointers)
    and the GIL held, which the lock makes safe: 0.15–0.2 µs a call.
    """

    def __init__(self, raw) -> None:
        def bare(function, restype):
            address = ctypes.cast(function, ctypes.c_void_p).value
            assert address is not None  # a function of the loaded library
            return ctypes.PYFUNCTYPE(restype)(address)

        c_int = ctypes.c_int
        self.unicode = bare(raw.FPDFText_GetUnicode, ctypes.c_uint)
        self.generated = bare(raw.FPDFText_IsGenerated, c_int)
        self.hyphen = bare(raw.FPDFText_IsHyphen, c_int)
        self.map_error = bare(raw.FPDFText_HasUnicodeMapError, c_int)
        self.loose_box = bare(raw.FPDFText_GetLooseCharBox, c_int)
        self.origin = bare(raw.FPDFText_GetCharOrigin, c_int)
        self.font_size = bare(raw.FPDFText_GetFontSize, ctypes.c_double)
        self.matrix = bare(raw.FPDFText_GetMatrix, c_int)


_CALLS: _Calls | None = None


def _page_text(raw, calls: _Calls, handle, count: int) -> str:
    """A text page's characters, one for each of PDFium's (its inserted ones included).

    ``FPDFText_GetText`` gives them in one call, unless it leaves some out (control
    characters, those beyond U+FFFF): then they are asked for one by one. A character
    beyond U+FFFF that PDFium holds as two pieces is two characters here.
    """
    units = (ctypes.c_ushort * (count + 1))()
    if count and raw.FPDFText_GetText(handle, 0, count, units) == count + 1:
        text = ctypes.string_at(units, 2 * count).decode("utf-16-le", "surrogatepass")
        return text if len(text) == count else "".join(map(chr, units[:count]))
    unicode = calls.unicode
    return "".join(chr(code) if code < 0x110000 else "\ufffd" for code in (unicode(handle, i) for i in range(count)))


def _page_words(calls: _Calls, handle, text: str, left: float, top: float) -> list[Word]:
    """A text page's words ``(x0, top, x1, bottom, text)``, from its characters in drawing order.

    ``text`` is :func:`_page_text`'s. A printed character continues the word of the
    one before it while it runs on along the same line: baseline within ``_SAME_LINE``
    of the smaller font size, a gap of at most ``_WORD_GAP`` of it, starting no more
    than ``_OVERLAP`` of it before the previous character; and, after a half-width
    character, a gap of at most ``_SPACE`` of its size and no space inserted by
    PDFium. A space printed in the PDF ends a word; PDFium's inserted spaces and line
    ends are not characters. A character of vertical writing is a word of its own.
    """
    loose_box, origin, font_size, matrix = calls.loose_box, calls.origin, calls.font_size, calls.matrix
    data = ctypes.create_string_buffer(_CHAR_DATA.size)
    box_at, matrix_at = ctypes.byref(data), ctypes.byref(data, _MATRIX_AT)
    ox_at, oy_at = ctypes.byref(data, _ORIGIN_AT), ctypes.byref(data, _ORIGIN_AT + 8)
    unpack, special, wide_of, sqrt = _CHAR_DATA.unpack, _SPECIAL, _WIDE, math.sqrt
    same_line, word_gap, overlap, space = _SAME_LINE, _WORD_GAP, _OVERLAP, _SPACE
    words: list[Word] = []
    append = words.append
    # The word being built (none while ``w_text`` is empty), and the character before it.
    w_x0 = w_top = w_x1 = w_bottom = p_x0 = p_x1 = p_base = p_size = 0.0
    w_text = ""
    has_prev = spaced = False  # spaced: PDFium inserted a space before this character
    p_wide: bool | None = False  # the character before: a wide one (None only until looked up)
    for i, char in enumerate(text):
        if char in special:
            if "\ud800" <= char <= "\udfff":  # a character beyond U+FFFF comes in two pieces with one box
                if char <= "\udbff" and "\udc00" <= text[i + 1:i + 2] <= "\udfff":
                    char = (char + text[i + 1]).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
                elif char >= "\udc00" and "\ud800" <= text[i - 1:i] <= "\udbff":
                    continue  # the second piece, read with the first
                else:
                    char = "\ufffd"
            elif calls.generated(handle, i) == 1:  # PDFium's own space or line end (they follow the layout)
                spaced = char == " "
                continue
            elif calls.hyphen(handle, i) == 1:
                char = "-"  # a hyphen at the end of a line (PDFium gives U+0002)
            elif calls.map_error(handle, i) == 1:
                char = "\ufffd"  # a glyph without a character (MuPDF gives U+FFFD too)
            elif char.isspace():
                has_prev = False  # a printed space: the end of a word
                continue
            else:
                spaced = False
                continue
        if not loose_box(handle, i, box_at) or not origin(handle, i, ox_at, oy_at):
            continue
        unscaled = font_size(handle, i)
        scaled = matrix(handle, i, matrix_at)
        x0, y_top, x1, y_bottom, a, b, c, d, ox, baseline = unpack(data)
        size = unscaled * sqrt(abs(a * d - b * c)) if scaled else unscaled
        spaced_before, spaced = spaced, False
        near = 0.01 * unscaled
        if abs(x1 - x0 - unscaled) <= near and abs(y_top - y_bottom - unscaled) <= near and abs(size - unscaled) > near:
            # Vertical writing: PDFium boxes such a glyph by the unscaled font size, both
            # ways; the box is rebuilt, hanging from the glyph's origin (as MuPDF boxes it).
            if w_text:
                append((w_x0, w_top, w_x1, w_bottom, w_text))
                w_text = ""
            append((ox - left, top - baseline, ox + size - left, top - (baseline - size), char))
            has_prev = False
            continue
        x0, x1, y_top, y_bottom, baseline = x0 - left, x1 - left, top - y_top, top - y_bottom, top - baseline
        if has_prev:
            least = size if size < p_size else p_size
            gap = x0 - p_x1
            if (not (abs(baseline - p_base) > same_line * least or gap > word_gap * least
                     or x0 < p_x0 - overlap * least)
                    and (p_wide or gap <= space * p_size and not spaced_before)):
                if x0 < w_x0:
                    w_x0 = x0
                if y_top < w_top:
                    w_top = y_top
                if x1 > w_x1:
                    w_x1 = x1
                if y_bottom > w_bottom:
                    w_bottom = y_bottom
                w_text += char
                p_wide = wide_of.get(char)
                if p_wide is None:
                    p_wide = _wide(char)
                p_x0, p_x1, p_base, p_size = x0, x1, baseline, size
                continue
        if w_text:
            append((w_x0, w_top, w_x1, w_bottom, w_text))
        w_x0, w_top, w_x1, w_bottom, w_text = x0, y_top, x1, y_bottom, char
        p_wide = wide_of.get(char)
        if p_wide is None:
            p_wide = _wide(char)
        p_x0, p_x1, p_base, p_size = x0, x1, baseline, size
        has_prev = True
    if w_text:
        append((w_x0, w_top, w_x1, w_bottom, w_text))
    return words


def _crop_box(raw, page) -> tuple[float, float, float, float]:
    """The page's crop box ``(left, bottom, right, top)``: its media box if it has none (US Letter if neither)."""
    box = [ctypes.c_float() for _ in range(4)]
    for function in (raw.FPDFPage_GetCropBox, raw.FPDFPage_GetMediaBox):
        if function(page, *box):
            left, bottom, right, top = box
            return left.value, bottom.value, right.value, top.value
    return (0, 0, 612, 792)


def read_pages(data: bytes, source: str, budget: Budget, before_reading: Callable[[int], None]) -> Pages:
    """Each page's words, read with PDFium.

    Args:
        data: The PDF's bytes.
        source: The file name, for messages.
        budget: Counts the characters read.
        before_reading: Called with the page count once the PDF is open, before any
            page is read; raises to refuse the file.

    Raises:
        ReportFormatError: The PDF cannot be opened (damaged, not a PDF, encrypted),
            or the caps are passed. PDFium's own errors on a page are left to the caller.
    """
    global _CALLS
    import pypdfium2 as pdfium
    from pypdfium2 import raw

    with _LOCK:
        calls = _CALLS = _CALLS or _Calls(raw)
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if exc.err_code == raw.FPDF_ERR_PASSWORD:
                raise ReportFormatError(source, PASSWORD_PROTECTED) from None
            if exc.err_code == raw.FPDF_ERR_SECURITY:
                raise ReportFormatError(source, "the PDF is encrypted with a scheme that cannot be read; save an "
                                        "unprotected copy first") from None
            if _structure(data)[1]:  # no end: a file cut short (a failed download)
                raise ReportFormatError(source, f"the PDF is damaged or truncated: it cannot be opened ({exc}); get "
                                        "the complete file again") from None
            raise ReportFormatError(source, f"the PDF cannot be opened, it is damaged or not a PDF ({exc})") from None
        try:
            count = len(pdf)
            before_reading(count)
            words: list[list] = []
            images = 0
            for number in range(1, count + 1):
                page = raw.FPDF_LoadPage(pdf.raw, number - 1)
                if not page:
                    raise pdfium.PdfiumError("Failed to load page.")
                try:
                    textpage = raw.FPDFText_LoadPage(page)
                    if not textpage:
                        raise pdfium.PdfiumError("Failed to load text page.")
                    try:
                        text = _page_text(raw, calls, textpage, max(raw.FPDFText_CountChars(textpage), 0))
                        budget.chars(len("".join(text.split())), f"page {number}")
                        left, _, _, top = _crop_box(raw, page)
                        page_words = _page_words(calls, textpage, text, left, top)
                    finally:
                        raw.FPDFText_ClosePage(textpage)
                finally:
                    raw.FPDF_ClosePage(page)
                words.append(page_words)
                if not page_words:  # a scan? (rare: the page is loaded again to look at its objects)
                    scanned = pdf[number - 1]
                    try:
                        images += sum(1 for _ in scanned.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=4))
                    finally:
                        scanned.close()
        finally:
            pdf.close()
    repaired, cut = _structure(data)
    return Pages(words, images, repaired, cut)


_STARTXREF = re.compile(rb"startxref\s+(\d{1,12})\s+%%EOF")


def _structure(data: bytes) -> tuple[bool, bool]:
    """``(repaired, cut)``: whether a reader must rebuild the file's cross-reference, and whether it ends early.

    A whole PDF ends with ``startxref N %%EOF``, N the offset of its cross-reference
    table (``xref``) or stream (``k 0 obj``). A file cut short lacks that end; one
    whose offset points elsewhere has been changed. PDFium reads both by rebuilding
    the cross-reference from the objects it finds, as MuPDF does.
    """
    tail = data[-2048:]
    ends = list(_STARTXREF.finditer(tail))
    if not ends:
        return True, True
    offset = int(ends[-1].group(1))
    intact = offset < len(data) and re.match(rb"\s*(?:xref|\d+\s+\d+\s+obj)", data[offset:offset + 64]) is not None
    return not intact, False
