"""PDF pages read with PDFium (``pypdfium2``, BSD-3-Clause / Apache-2.0): a PDF's words and their boxes.

PDFium gives a page's characters in drawing order, each with its box; this module
joins them into the words :func:`~shaoyang_report.readers.pdf_reader.read_pdf` groups
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
  character U+FFFD, as MuPDF gives them.

Coordinates are MuPDF's: points from the crop box's top-left corner, the page's
``/Rotate`` ignored (the reader orders words by position, not by drawing order).

PDFium is not thread-safe: every call into it holds one lock.
"""

from __future__ import annotations

import ctypes
import functools
import math
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ReportFormatError
from ..limits import Budget
from .pdf_reader import PASSWORD_PROTECTED, Pages

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


@dataclass(slots=True)
class _Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    baseline: float
    size: float  # font size in points
    wide: bool  # full-width (Chinese, full-width punctuation)
    vertical: bool  # vertical writing
    spaced: bool  # PDFium inserted a space before it (none is printed: PDFium saw a gap)


def _continues(prev: _Char, char: _Char) -> bool:
    """Whether ``char`` runs on from ``prev`` in the same word."""
    size = min(prev.size, char.size)
    gap = char.x0 - prev.x1
    if (abs(char.baseline - prev.baseline) > _SAME_LINE * size or gap > _WORD_GAP * size
            or char.x0 < prev.x0 - _OVERLAP * size):
        return False
    return prev.wide or gap <= _SPACE * prev.size and not char.spaced


@functools.lru_cache(maxsize=8192)
def _wide(text: str) -> bool:
    """Whether a character is full-width (Chinese, full-width punctuation)."""
    return unicodedata.east_asian_width(text) in "WF"


def words_of_chars(chars: list[_Char | None]) -> list[tuple[float, float, float, float, str]]:
    """Words ``(x0, top, x1, bottom, text)`` of a page's characters in drawing order.

    ``None`` stands for a space printed in the PDF: it always ends a word.
    """
    words: list[list] = []
    prev: _Char | None = None
    for char in chars:
        if char is None or char.vertical:
            if char is not None:
                words.append([char.x0, char.top, char.x1, char.bottom, char.text])
            prev = None
            continue
        if prev is not None and _continues(prev, char):
            word = words[-1]
            word[0], word[1] = min(word[0], char.x0), min(word[1], char.top)
            word[2], word[3] = max(word[2], char.x1), max(word[3], char.bottom)
            word[4] += char.text
        else:
            words.append([char.x0, char.top, char.x1, char.bottom, char.text])
        prev = char
    return [tuple(w) for w in words]


def _page_chars(raw, textpage, left: float, top: float) -> list[_Char | None]:
    """A text page's printed characters (PDFium's inserted spaces and line ends left out)."""
    handle = textpage.raw  # the bare handle: pypdfium2's wrapper costs a property call per use
    unicode, generated, loose_box, origin, font_size, char_matrix = (
        raw.FPDFText_GetUnicode, raw.FPDFText_IsGenerated, raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetCharOrigin,
        raw.FPDFText_GetFontSize, raw.FPDFText_GetMatrix)
    rect, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    out: list[_Char | None] = []
    spaced = False
    for i in range(raw.FPDFText_CountChars(handle)):
        code = unicode(handle, i)
        text = chr(code) if 0 < code < 0x110000 else "\ufffd"
        if code < 0x20 or text.isspace():  # PDFium inserts only spaces and line ends
            if raw.FPDFText_IsHyphen(handle, i) == 1:
                text = "-"  # a hyphen at the end of a line (PDFium gives U+0002)
            elif raw.FPDFText_HasUnicodeMapError(handle, i) == 1:
                text = "\ufffd"  # a glyph without a character (MuPDF gives U+FFFD too)
            elif generated(handle, i) != 1 and text.isspace():
                out.append(None)  # a printed space: the end of a word
                continue
            else:
                spaced = text == " "  # PDFium's own space (its line ends are not: they follow the layout)
                continue
        if not loose_box(handle, i, rect) or not origin(handle, i, ox, oy):
            continue
        unscaled = font_size(handle, i)
        size = (unscaled * math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
                if char_matrix(handle, i, matrix) else unscaled)
        x0, x1, y_top, y_bottom, baseline = rect.left, rect.right, rect.top, rect.bottom, oy.value
        wide = _wide(text)
        # PDFium boxes a glyph of vertical writing by the unscaled font size, both ways:
        # such a box is rebuilt, hanging from the glyph's origin (as MuPDF boxes it).
        vertical = (abs(size - unscaled) > 0.01 * unscaled and abs(x1 - x0 - unscaled) <= 0.01 * unscaled
                    and abs(y_top - y_bottom - unscaled) <= 0.01 * unscaled)
        if vertical:
            x0, x1, y_top, y_bottom = ox.value, ox.value + size, baseline, baseline - size
        out.append(_Char(text, x0 - left, top - y_top, x1 - left, top - y_bottom, top - baseline, size, wide, vertical,
                         spaced))
        spaced = False
    return out


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
    import pypdfium2 as pdfium
    from pypdfium2 import raw

    with _LOCK:
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
                page = pdf[number - 1]
                try:
                    textpage = page.get_textpage()
                    try:
                        budget.chars(sum(1 for c in textpage.get_text_range() if not c.isspace()), f"page {number}")
                        left, _, _, top = page.get_cropbox()
                        page_words = words_of_chars(_page_chars(raw, textpage, left, top))
                    finally:
                        textpage.close()
                    words.append(page_words)
                    if not page_words:
                        images += sum(1 for _ in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=4))
                finally:
                    page.close()
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
