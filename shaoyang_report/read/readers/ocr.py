"""Reports published as images → :class:`~shaoyang_report.read.document.Document`, by OCR.

Scanned PDFs (pages without a text layer), table pictures saved beside a web page
(``<img>``) and bare ``.png``/``.jpg``/``.tif`` pages are read with RapidOCR on ONNX
Runtime (``rapidocr-onnxruntime``, Apache-2.0; its Chinese PP-OCR models ship in the
wheel, nothing is downloaded at run time). It is the optional extra
``shaoyang-report[ocr]``; without it an image report gives one
:class:`~shaoyang_report.errors.ReportFormatError` naming the extra.

A page is read in four steps, all in :func:`read_page`:

1. **Text boxes**: RapidOCR finds the page's text lines and reads them, each with a
   recognition confidence (0–1). Its own score cut-off is off: every box is kept, and
   the decision is made here (step 4).
2. **Skew**: the median slope of the long boxes is the page's skew; the ruling lines
   are looked for on the page turned straight (the boxes are turned with it).
3. **Table structure**: with the text boxes painted out, ruling lines are what
   OpenCV's morphological opening with long thin kernels keeps. Each set of lines that
   touch is a table; its distinct line positions cut it into a fine grid, and two
   neighbouring grid cells are one (merged) cell where no ruling line runs between
   them — exactly the merges a web page states with colspan/rowspan. Text boxes go to
   the cell holding their centre. A page without ruling lines is cut into rows and
   columns by the boxes' positions instead: rows of several boxes, columns where
   their boxes line up.
4. **Cells**: each table becomes a grid for :func:`~.grid.table_lines`, as the HTML and
   Word readers' tables do, and the one template reader places the numbers. A cell
   read as a number with a confidence under :data:`MIN_CONFIDENCE`, a cell whose text
   has digits but is not a clean number (``4l19``, ``0 0``), a lone letter that a digit
   is often misread as (``l``, ``O``), a box that runs across a ruling line, and a cell
   with ink but no text read, are given to the template reader as text ending ``?``:
   not a value, so their row is a problem and its numbers are unplaced, as an
   unreadable cell of a copied page is (``?``, ``⑧``). Nothing is guessed.

The rest of the page is prose, one line per band of boxes, top to bottom.

Locations name the page (``image`` for a picture in a web page) and the box in the
page image's pixels, then the grid cell: ``page 3, x 412–447, y 880–902, table 1, row 5,
col 2``; prose lines ``page 2, x 157–1078, y 183–216``. The recognition confidence of
each token is kept in :attr:`Document.confidence <shaoyang_report.read.document.Document>`
(the facts' ``confidence`` column).

The OCR engine is created once per process, when the first image is read; pages are
read in parallel with ``read_report(path, workers=2)`` (:func:`page_workers`; processes,
each with its own engine on ``cores // workers`` ONNX Runtime threads). A PDF with a
text layer never imports the engine, ONNX Runtime or OpenCV. A page image over
:data:`~shaoyang_report.limits.MAX_IMAGE_PIXELS` is refused from its header, before it
is decoded.

After OCR the format's sum rules run as for any report; a failing rule that a one-digit
misread would explain is marked by :mod:`shaoyang_report.check.misreads` (never corrected).
"""

from __future__ import annotations

import contextvars
import hashlib
import io
import math
import os
import re
import statistics
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_IMAGE_PIXELS, MAX_PDF_PAGES, Budget, refuse
from shaoyang_report.read.cells import PAGE_NUMBER_RE, split_cells
from shaoyang_report.read.document import Document, Line, Token

#: The optional extra that installs the OCR engine.
OCR_EXTRA = "shaoyang-report[ocr]"
#: A number read with a lower recognition confidence is not placed (it is unplaced).
MIN_CONFIDENCE = 0.6
#: A cell first read as no number (``o``, or ink no box was found for) is taken as the
#: number a second reading finds only at this confidence.
SECOND_READ_CONFIDENCE = 0.9
#: Resolution a PDF page without a text layer is drawn at when it holds no image to go by.
PDF_DPI = 200
#: Resolution range a scanned PDF page is drawn at (its image's own, within these).
PDF_DPI_RANGE = (120, 300)
#: Images in a web page smaller than this (pixels, either side) are icons, not tables.
MIN_IMAGE_SIDE = 200

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_DIGIT = re.compile(r"\d")
# A clean printed number: sign, digits, decimals, a unit; or a not-stated mark.
_CLEAN_NUMBER = re.compile(r"^(?:[+-]?\d{1,15}(?:\.\d{1,6})?(?:万元|万|元|%)?|[-—–/]|无)$")
# Letters and strokes a digit is often read as (1 → l I | 丨, 0 → O o).
_DIGIT_LOOKALIKES = re.compile(r"^[lIiOo|丨]{1,4}$")
UNREADABLE = "?"  # appended to what OCR read of a cell that cannot be taken as a number


class OcrUnavailable(ReportFormatError):
    """The OCR extra is not installed."""


def _unavailable(source: object) -> OcrUnavailable:
    return OcrUnavailable(
        source, "the report is an image (or a scan without a text layer) and needs OCR, which is the optional "
        f"extra {OCR_EXTRA}: install it with `pip install '{OCR_EXTRA}'` (or `bash scripts/setup.sh`)")


def ocr_available() -> bool:
    """Whether the OCR extra (RapidOCR on ONNX Runtime, OpenCV) is installed."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr_onnxruntime", "cv2", "numpy"))


# --------------------------------------------------------------------------- the engine

_THREADS = {"n": -1}  # ONNX Runtime threads per engine: -1 = its default (all cores)


@cache
def _engine():
    """The RapidOCR engine of this process, created at first use."""
    import logging

    from rapidocr_onnxruntime import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    threads = _THREADS["n"]
    return RapidOCR(text_score=0.0, use_cls=False, print_verbose=False,
                    intra_op_num_threads=threads, inter_op_num_threads=threads)


#: How many times the engine ran in this process (tests count it).
CALLS = {"pages": 0}
_RESULTS: OrderedDict[bytes, list] = OrderedDict()
_RESULTS_KEPT = 32


@dataclass(frozen=True, slots=True)
class TextBox:
    """A line of text the OCR read: its corners in the page image, text and confidence."""

    quad: tuple[tuple[float, float], ...]
    text: str
    confidence: float

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        xs = [p[0] for p in self.quad]
        ys = [p[1] for p in self.quad]
        return round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))


def recognise(image) -> list[TextBox]:
    """The text boxes of a page image (an RGB ``numpy`` array), kept per image in this process.

    Raises:
        OcrUnavailable: The OCR extra is not installed.
    """
    key = hashlib.sha1(image.tobytes()).digest() + repr(image.shape).encode()
    if key in _RESULTS:
        _RESULTS.move_to_end(key)
        return _RESULTS[key]
    CALLS["pages"] += 1
    result, _ = _engine()(image)
    boxes = [TextBox(tuple((float(x), float(y)) for x, y in quad), str(text).strip(), float(score))
             for quad, text, score in (result or []) if str(text).strip()]
    _RESULTS[key] = boxes
    while len(_RESULTS) > _RESULTS_KEPT:
        _RESULTS.popitem(last=False)
    return boxes


# --------------------------------------------------------------------------- images

def decode_images(data: bytes, source: object) -> list:
    """The pages of an image file (a TIFF may hold several) as RGB arrays.

    Each page's size is checked from its header before it is decoded
    (:data:`~shaoyang_report.limits.MAX_IMAGE_PIXELS`): a decompression bomb is refused
    unread, whatever Pillow's own limit (``Image.MAX_IMAGE_PIXELS``) is set to.

    Raises:
        ReportFormatError: The image is damaged, or implausibly large.
    """
    import warnings

    import numpy as np
    from PIL import Image, ImageSequence

    def too_large(w: int, h: int) -> ReportFormatError:
        return refuse(source, f"the image is {w:,}×{h:,} = {w * h:,} pixels, over {MAX_IMAGE_PIXELS:,}; a scanned "
                      "page has far fewer", "MAX_IMAGE_PIXELS")

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked here
            img = Image.open(io.BytesIO(data))
            pages = []
            for k, frame in enumerate(ImageSequence.Iterator(img), start=1):
                if k > MAX_PDF_PAGES:
                    raise refuse(source, f"the image holds over {MAX_PDF_PAGES} pages; a report has far fewer",
                                 "MAX_PDF_PAGES")
                w, h = frame.size
                if w * h > MAX_IMAGE_PIXELS:
                    raise too_large(w, h)
                pages.append(np.asarray(frame.convert("RGB")))
    except ReportFormatError:
        raise
    except Image.DecompressionBombError as exc:  # over twice Pillow's own limit: refused when opened
        size = re.findall(r"\d+", str(exc))
        pixels = f"{int(size[0]):,}" if size else "far more"
        raise refuse(source, f"the image is {pixels} pixels, over {MAX_IMAGE_PIXELS:,}; a scanned page has far "
                     "fewer", "MAX_IMAGE_PIXELS") from None
    except Exception as exc:  # Pillow's own error on a damaged or cut file
        raise ReportFormatError(source, f"the image is damaged or truncated: it cannot be read "
                                f"({type(exc).__name__}: {exc})") from None
    return pages


def pdf_page_images(data: bytes, numbers: Sequence[int], source: object) -> dict[int, object]:
    """Draw the given pages (1-based) of a PDF as RGB arrays, at their scan's resolution.

    A page is drawn at the resolution of the largest image on it (so a scan is read at
    the resolution it was made at), within :data:`PDF_DPI_RANGE`; a page without an
    image at :data:`PDF_DPI`. Pages with nothing drawn on them are left out.
    """
    import numpy as np
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    out = {}
    pdf = pdfium.PdfDocument(data)
    try:
        for number in numbers:
            page = pdf[number - 1]
            width_pt, height_pt = page.get_size()
            dpi = None
            drawn = False
            for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
                drawn = True
                try:
                    px_w, _ = obj.get_px_size()
                    left, _, right, _ = obj.get_pos()
                except Exception:  # an image the library cannot measure: the default resolution
                    continue
                if right > left and px_w:
                    found = px_w / ((right - left) / 72)
                    dpi = found if dpi is None else max(dpi, found)
            if not drawn:
                drawn = any(True for _ in page.get_objects(max_depth=1))
            if not drawn:
                continue
            dpi = PDF_DPI if dpi is None else min(max(dpi, PDF_DPI_RANGE[0]), PDF_DPI_RANGE[1])
            if width_pt * height_pt * (dpi / 72) ** 2 > MAX_IMAGE_PIXELS:
                dpi = 72 * math.sqrt(MAX_IMAGE_PIXELS / (width_pt * height_pt))
            bitmap = page.render(scale=dpi / 72)
            out[number] = np.asarray(bitmap.to_pil().convert("RGB"))
    finally:
        pdf.close()
    return out


# --------------------------------------------------------------------------- one page

@dataclass(slots=True)
class Cell:
    """A table cell as printed (a merged cell once): grid position, text, where, confidence."""

    row: int
    col: int
    text: str
    box: tuple[int, int, int, int] | None  # in the page image's pixels; None for an empty cell
    confidence: float | None
    area: tuple[int, int, int, int] | None = None  # the ruled cell's inside (straightened pixels)


@dataclass(slots=True)
class PageTable:
    """A table found on a page: its cells and where it stands."""

    top: int
    cells: list[Cell]


@dataclass(slots=True)
class ProseLine:
    """A line of prose: its text, box and confidence (the lowest of its boxes)."""

    top: int
    text: str
    box: tuple[int, int, int, int]
    confidence: float


@dataclass(slots=True)
class PageRead:
    """What was read of one page image."""

    tables: list[PageTable] = field(default_factory=list)
    prose: list[ProseLine] = field(default_factory=list)
    skew: float = 0.0  # degrees


def _skew(boxes: list[TextBox]) -> float:
    """The page's skew in degrees: the median slope of the long boxes' top edges."""
    angles = []
    for b in boxes:
        (x0, y0), (x1, y1) = b.quad[0], b.quad[1]
        width = math.hypot(x1 - x0, y1 - y0)
        height = math.hypot(b.quad[3][0] - x0, b.quad[3][1] - y0)
        if width > 4 * height and width > 0:
            angles.append(math.degrees(math.atan2(y1 - y0, x1 - x0)))
    return statistics.median(angles) if len(angles) >= 3 else 0.0


def _join(pieces: list[str]) -> str:
    """Texts read left to right (or line after line) as one: no space between CJK characters."""
    out = ""
    for piece in pieces:
        if out and not (_CJK.match(out[-1]) or _CJK.match(piece[0])):
            out += " "
        out += piece
    return out


def _lines_of(boxes: list[tuple[tuple[float, float, float, float], TextBox]]) -> list[list]:
    """Boxes ``(straight bounds, box)`` in bands (top to bottom), each left to right."""
    bands: list[list] = []
    for item in sorted(boxes, key=lambda it: ((it[0][1] + it[0][3]) / 2, it[0][0])):
        (_x0, y0, _x1, y1), _ = item
        if bands:
            band = bands[-1]
            top = min(b[0][1] for b in band)
            bottom = max(b[0][3] for b in band)
            overlap = min(bottom, y1) - max(top, y0)
            if overlap >= 0.5 * min(bottom - top, y1 - y0):
                band.append(item)
                continue
        bands.append([item])
    return [sorted(band, key=lambda it: it[0][0]) for band in bands]


def _ruling(gray, boxes, text_height: float):
    """Masks of the horizontal and vertical ruling lines (text boxes painted out first)."""
    import cv2

    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    printed = ink.copy()
    shrink = max(1, round(text_height * 0.08))
    for (x0, y0, x1, y1), _ in boxes:
        ink[max(0, round(y0) + shrink):max(0, round(y1) - shrink), max(0, round(x0) + shrink):max(0, round(x1) - shrink)] = 0
    long_side = max(10, round(text_height * 1.2))
    short_side = max(6, round(text_height * 0.8))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_side, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, short_side)))
    # lines long enough to be no character's stroke, kept where a text box runs over them
    long_h = cv2.morphologyEx(printed, cv2.MORPH_OPEN,
                              cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, round(text_height * 3)), 1)))
    long_v = cv2.morphologyEx(printed, cv2.MORPH_OPEN,
                              cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(16, round(text_height * 1.05)))))
    horizontal |= long_h
    vertical |= long_v
    # a vertical run shorter than the kernel is not a line; a bold character's stroke outside a box is rare
    return printed, horizontal, vertical


def _positions(profile, minimum: int) -> list[int]:
    """Centres of the runs of a projection profile at or above ``minimum``."""
    out = []
    start = None
    for k, v in enumerate(list(profile) + [0]):
        if v >= minimum and start is None:
            start = k
        elif v < minimum and start is not None:
            out.append((start + k - 1) // 2)
            start = None
    return out


def _covered(mask, x0: int, x1: int, y0: int, y1: int) -> float:
    """Share of the positions along a boundary strip where a ruling line runs."""
    strip = mask[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
    if strip.size == 0:
        return 0.0
    along = strip.any(axis=0) if (x1 - x0) > (y1 - y0) else strip.any(axis=1)
    return float(along.mean())


def _ruled_tables(ink, horizontal, vertical, boxes, text_height: float):
    """Tables drawn with ruling lines: ``(bounds, row cuts, column cuts, merged regions)``."""
    import cv2
    import numpy as np

    lines = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    tables = []
    th = text_height
    for k in range(1, count):
        x, y, w, h, _ = stats[k]
        if w < 4 * th or h < 1.5 * th:
            continue
        hz = horizontal[y:y + h, x:x + w]
        vt = vertical[y:y + h, x:x + w]
        rows = [y + r for r in _positions((hz > 0).sum(axis=1), max(6, round(th * 1.2)))]
        cols = [x + c for c in _positions((vt > 0).sum(axis=0), max(8, round(th * 1.0)))]
        rows = _merge_close(sorted(set(rows + [y + 1, y + h - 2])), max(3, th * 0.35))
        cols = _merge_close(sorted(set(cols + [x + 1, x + w - 2])), max(3, th * 0.35))
        if len(rows) < 3 or len(cols) < 2:
            continue
        tables.append(((x, y, x + w, y + h), rows, cols))
    return tables


def _merge_close(cuts: list[int], gap: float) -> list[int]:
    out: list[list[int]] = []
    for c in cuts:
        if out and c - out[-1][-1] <= gap:
            out[-1].append(c)
        else:
            out.append([c])
    return [round(sum(g) / len(g)) for g in out]


def _regions(rows: list[int], cols: list[int], horizontal, vertical, text_height: float) -> list[list[int]]:
    """Each fine grid cell's merged cell id: neighbours are one cell where no line runs between them."""
    n_r, n_c = len(rows) - 1, len(cols) - 1
    parent = list(range(n_r * n_c))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    pad = max(2, round(text_height * 0.12))
    for r in range(n_r):
        for c in range(n_c):
            y0, y1 = rows[r], rows[r + 1]
            x0, x1 = cols[c], cols[c + 1]
            inset_y = max(1, (y1 - y0) // 5)
            inset_x = max(1, (x1 - x0) // 5)
            if c + 1 < n_c and _covered(vertical, x1 - pad, x1 + pad + 1, y0 + inset_y, y1 - inset_y) < 0.5:
                parent[find(r * n_c + c + 1)] = find(r * n_c + c)
            if r + 1 < n_r and _covered(horizontal, x0 + inset_x, x1 - inset_x, y1 - pad, y1 + pad + 1) < 0.5:
                parent[find((r + 1) * n_c + c)] = find(r * n_c + c)
    return [[find(r * n_c + c) for c in range(n_c)] for r in range(n_r)]


def _index(cuts: list[int], v: float) -> int:
    """The interval of ``cuts`` holding ``v`` (clamped to the first and last)."""
    for k in range(len(cuts) - 1):
        if v < cuts[k + 1]:
            return k
    return len(cuts) - 2


def _cell_text(items: list) -> tuple[str, list]:
    """A cell's boxes as one text (band after band, left to right) and the boxes in that order."""
    ordered = [it for band in _lines_of(items) for it in band]
    return _join([it[1].text for it in ordered]), ordered


def _union(bounds: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    return min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds), max(b[3] for b in bounds)


def _straight_union(items: list) -> tuple[int, int, int, int]:
    """The box around items' straightened bounds, in whole pixels."""
    return tuple(round(v) for v in _union([it[0] for it in items]))


def _judge(text: str, confidence: float, straddles: bool) -> str:
    """The cell's text for the template reader: as read, or marked unreadable (``…?``)."""
    if _CJK.search(text) and not _DIGIT.fullmatch(text):
        if not straddles or not _DIGIT.search(text):
            return text
    compact = "".join(text.split())
    number_like = bool(_DIGIT.search(compact)) or bool(_DIGIT_LOOKALIKES.match(compact))
    if not number_like:
        return text
    if straddles or not _CLEAN_NUMBER.match(compact) or confidence < MIN_CONFIDENCE:
        return compact + UNREADABLE
    return compact


def read_page(image, boxes: list[TextBox] | None = None) -> PageRead:
    """Read one page image: its tables (cells with text, box and confidence) and its prose lines.

    Args:
        image: The page as an RGB ``numpy`` array.
        boxes: Its text boxes, if already recognised (else :func:`recognise` is run).

    Raises:
        OcrUnavailable: The OCR extra is not installed.
    """
    import cv2

    if boxes is None:
        boxes = recognise(image)
    out = PageRead()
    if not boxes:
        return out
    skew = _skew(boxes)
    out.skew = skew
    straight = [b.quad for b in boxes]
    back = None
    if abs(skew) > 0.1:
        h, w = image.shape[:2]
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
        back = cv2.invertAffineTransform(matrix)
        image = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
        straight = [tuple((matrix[0][0] * x + matrix[0][1] * y + matrix[0][2],
                           matrix[1][0] * x + matrix[1][1] * y + matrix[1][2]) for x, y in quad) for quad in straight]
    items = [((min(p[0] for p in q), min(p[1] for p in q), max(p[0] for p in q), max(p[1] for p in q)), b)
             for q, b in zip(straight, boxes)]
    text_height = statistics.median(y1 - y0 for (_, y0, _, y1), _ in items) or 10.0
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    ink, horizontal, vertical = _ruling(gray, items, text_height)
    placed: set[int] = set()
    clean = None  # the page without its ruling lines, for second readings
    for bounds, rows, cols in _ruled_tables(ink, horizontal, vertical, items, text_height):
        table = _ruled_table(bounds, rows, cols, items, horizontal, vertical, ink, text_height, placed)
        if table is not None:
            if clean is None:
                clean = image.copy()
                clean[(horizontal | vertical) > 0] = 255
            _read_again(table, clean, back)
            out.tables.append(table)
    rest = [it for k, it in enumerate(items) if k not in placed]
    if not out.tables:
        found, rest = _unruled_tables(rest, text_height)
        for table in found:
            _read_again(table, image, back)
        out.tables += found
    for band in _lines_of(rest):
        texts = [it[1].text for it in band]
        out.prose.append(ProseLine(round(min(it[0][1] for it in band)), " ".join(texts),
                                   _union([it[1].bounds for it in band]), min(it[1].confidence for it in band)))
    return out


def _ruled_table(bounds, rows, cols, items, horizontal, vertical, ink, text_height, placed: set[int]) -> PageTable | None:
    import numpy as np

    x0, y0, x1, y1 = bounds
    regions = _regions(rows, cols, horizontal, vertical, text_height)
    members: dict[int, list] = {}
    straddling: set[int] = set()
    for k, item in enumerate(items):
        if k in placed:
            continue
        (bx0, by0, bx1, by1), _ = item
        cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
        if not (x0 <= cx <= x1 and y0 <= cy <= y1):
            continue
        placed.add(k)
        r, c = _index(rows, cy), _index(cols, cx)
        region = regions[r][c]
        members.setdefault(region, []).append(item)
        # a box running well across a ruling line that bounds its cell: its text is two cells'
        left = next(cc for cc in range(len(cols) - 1) if regions[r][cc] == region)
        right = max(cc for cc in range(len(cols) - 1) if regions[r][cc] == region)
        over = max(cols[left] - bx0, bx1 - cols[right + 1], 0)
        if over > 0.6 * text_height:
            straddling.add(region)
    if not members:
        return None
    n_r, n_c = len(rows) - 1, len(cols) - 1
    seen: set[int] = set()
    cells: list[Cell] = []
    clean = ink & ~(horizontal | vertical)
    m = max(3, round(text_height * 0.15))
    for r in range(n_r):
        for c in range(n_c):
            region = regions[r][c]
            if region in seen:
                continue
            seen.add(region)
            spans = [(rr, cc) for rr in range(n_r) for cc in range(n_c) if regions[rr][cc] == region]
            ry0, ry1 = rows[min(s[0] for s in spans)], rows[max(s[0] for s in spans) + 1]
            rx0, rx1 = cols[min(s[1] for s in spans)], cols[max(s[1] for s in spans) + 1]
            area = (rx0 + 2, ry0 + 2, rx1 - 2, ry1 - 2)
            found = members.get(region)
            if found:
                text, ordered = _cell_text(found)
                confidence = min(it[1].confidence for it in ordered)
                text = _judge(text, confidence, region in straddling)
                cells.append(Cell(r, c, text, _straight_union(ordered), confidence, area))
                continue
            # no text read: blank, unless there is ink in it (a mark the OCR did not read)
            inside = clean[ry0 + m:ry1 - m, rx0 + m:rx1 - m]
            if inside.size and _inked(inside, text_height):
                ys, xs = np.nonzero(inside)
                box = (int(rx0 + m + xs.min()), int(ry0 + m + ys.min()), int(rx0 + m + xs.max() + 1),
                       int(ry0 + m + ys.max() + 1))
                cells.append(Cell(r, c, UNREADABLE, box, None, area))
            else:
                cells.append(Cell(r, c, "", None, None))
    return PageTable(y0, cells)


def _read_again(table: PageTable, image, back) -> None:
    """Read again the short numbers of a table read with low confidence, and the marks no box was found for.

    A lone digit is the hardest thing for the recogniser when it is cut out with the
    detector's tight box (``0`` in a serif font scores 0.4–0.9 where ``10`` scores 0.99).
    Such a cell's ink (ruling lines painted out) is read a second time with a white
    margin around it. The cell is taken as that reading, with its confidence, when it
    is a clean number that agrees with the first reading and its confidence reaches
    :data:`MIN_CONFIDENCE` — or, where the first reading was no number (``o``, a mark no
    box was found for), when its confidence reaches :data:`SECOND_READ_CONFIDENCE`.
    Otherwise the cell stays unreadable. Boxes are then put back into the page image's
    own (unturned) pixels.
    """
    import unicodedata

    import numpy as np

    todo = []
    for cell in table.cells:
        if cell.box is not None and cell.text.endswith(UNREADABLE) and len(cell.text) <= 6:
            todo.append(cell)
    if todo:
        crops = []
        for cell in todo:
            x0, y0, x1, y1 = cell.box
            x0, y0, x1, y1 = x0 - 1, y0 - 1, x1 + 1, y1 + 1
            if cell.area is not None:  # within the cell: not a neighbour's ink
                x0, y0 = max(x0, cell.area[0]), max(y0, cell.area[1])
                x1, y1 = min(x1, cell.area[2]), min(y1, cell.area[3])
            crop = _ink_crop(image[max(0, y0):max(0, y1), max(0, x0):max(0, x1)])
            if crop is None:
                crop = np.full((8, 8, 3), 255, np.uint8)
            crops.append(crop)
        results, _ = _engine().text_rec(crops)
        for cell, (text, score) in zip(todo, results):
            read = "".join(unicodedata.normalize("NFKC", str(text)).split())
            first = "".join(cell.text.split()).rstrip(UNREADABLE)
            score = float(score)
            if not read or not _CLEAN_NUMBER.match(read) or not _DIGIT.search(read):
                continue
            agrees = read == first and score >= MIN_CONFIDENCE
            if agrees or (not first.isdigit() and len(read) <= 3 and score >= SECOND_READ_CONFIDENCE):
                cell.text = read
                cell.confidence = score
    if back is not None:
        for cell in table.cells:
            if cell.box is not None:
                x0, y0, x1, y1 = cell.box
                pts = [(back[0][0] * x + back[0][1] * y + back[0][2], back[1][0] * x + back[1][1] * y + back[1][2])
                       for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
                cell.box = (round(min(p[0] for p in pts)), round(min(p[1] for p in pts)),
                            round(max(p[0] for p in pts)), round(max(p[1] for p in pts)))


def _ink_crop(patch):
    """The ink of a cell's box, cut tight and given a white margin of a third of its height.

    Lines running through the whole box (what is left of a ruling line) are not ink.
    This is how a lone digit is read best: the recogniser read each of the 355 short
    numbers of the two Hongze reports' tables (150 dpi) right, at 0.9 or more, so.
    """
    import cv2
    import numpy as np

    if patch.size == 0:
        return None
    dark = cv2.cvtColor(np.ascontiguousarray(patch), cv2.COLOR_RGB2GRAY) < 128
    dark[:, dark.mean(axis=0) > 0.9] = False
    dark[dark.mean(axis=1) > 0.9, :] = False
    ys, xs = np.nonzero(dark)
    if len(ys) == 0:
        return None
    ink = patch[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    margin = max(4, round(0.35 * ink.shape[0]))
    return np.pad(ink, ((margin, margin), (margin, margin), (0, 0)), constant_values=255)


def _inked(patch, text_height: float) -> bool:
    """Whether a cell without text holds a mark (specks of noise are not one)."""
    import cv2
    import numpy as np

    patch = cv2.medianBlur(np.ascontiguousarray(patch), 3)
    return int((patch > 0).sum()) >= max(12, 0.04 * text_height * text_height)


def _unruled_tables(items: list, text_height: float) -> tuple[list[PageTable], list]:
    """Tables printed without ruling lines, from the boxes' positions.

    A run of at least three bands holding several boxes each, with numbers among them,
    is a table; its columns are where those boxes line up (the union of their
    horizontal extents), its rows the bands. Bands of one box are prose.
    """
    bands = _lines_of(items)
    tables: list[PageTable] = []
    rest: list = []
    run: list[list] = []

    def close() -> None:
        numbers = sum(1 for band in run for it in band if _DIGIT.search(it[1].text) and not _CJK.search(it[1].text))
        if len(run) >= 3 and numbers >= 3:
            tables.append(_position_table(run))
        else:
            rest.extend(it for band in run for it in band)
        run.clear()

    for band in bands:
        if len(band) >= 2:
            run.append(band)
        else:
            close()
            rest.extend(band)
    close()
    return tables, rest


def _position_table(run: list[list]) -> PageTable:
    spans: list[list[float]] = []
    for x0, x1 in sorted((it[0][0], it[0][2]) for band in run for it in band):
        if spans and x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    cells: list[Cell] = []
    for r, band in enumerate(run):
        by_col: dict[int, list] = {}
        for it in band:
            cx = (it[0][0] + it[0][2]) / 2
            c = next((k for k, (s0, s1) in enumerate(spans) if s0 <= cx <= s1), 0)
            by_col.setdefault(c, []).append(it)
        for c in range(len(spans)):
            found = by_col.get(c)
            if not found:
                cells.append(Cell(r, c, "", None, None))
                continue
            text, ordered = _cell_text(found)
            confidence = min(it[1].confidence for it in ordered)
            cells.append(Cell(r, c, _judge(text, confidence, False), _straight_union(ordered),
                              confidence))
    return PageTable(round(min(it[0][1] for it in run[0])), cells)


# --------------------------------------------------------------------------- pages → Document

def _box_text(box: tuple[int, int, int, int]) -> str:
    x0, y0, x1, y1 = box
    return f"x {x0}–{x1}, y {y0}–{y1}"


def page_lines(read: PageRead, page: str, budget: Budget, confidence: dict[str, float]) -> list[Line]:
    """The lines of one page read by OCR: prose lines and table rows, top to bottom.

    Args:
        read: What :func:`read_page` found.
        page: The page's name in locations (``page 3``, ``image 2``).
        budget: The document's counts against the caps of :mod:`shaoyang_report.limits`.
        confidence: Location → recognition confidence, filled in.
    """
    from shaoyang_report.read.readers.grid import GridCell, table_lines

    blocks: list[tuple[int, int, object]] = [(p.top, 0, p) for p in read.prose]
    blocks += [(t.top, 1, t) for t in read.tables]
    lines: list[Line] = []
    n_table = 0
    for _, kind, block in sorted(blocks, key=lambda b: (b[0], b[1])):
        if kind == 0:
            text = block.text
            if PAGE_NUMBER_RE.match(text):
                continue  # a page number
            location = f"{page}, {_box_text(block.box)}"
            budget.line(text, location)
            tokens = split_cells(text, location)
            budget.tokens(len(tokens), location)
            lines.append(Line(text, location, tokens))
            confidence[location] = round(block.confidence, 4)
            continue
        n_table += 1
        budget.cells(len(block.cells), f"{page}, table {n_table}")
        rows: dict[int, list[GridCell]] = {}
        where = {}
        for cell in block.cells:
            rows.setdefault(cell.row, []).append(GridCell(cell.row, cell.col, cell.text))
            where[(cell.row + 1, cell.col + 1)] = cell
        head = f"{page}, table"
        for line in table_lines([rows[r] for r in sorted(rows)], n_table, prefix=head):
            tokens = []
            for tok in line.tokens:
                m = _GRID_LOCATION.match(tok.location, len(head))
                cell = where.get((int(m["row"]), int(m["col"]))) if m else None
                if cell is None or cell.box is None:
                    tokens.append(tok)
                    continue
                location = f"{page}, {_box_text(cell.box)}, table{tok.location[len(head):]}"
                tokens.append(Token(tok.text, location, tok.kind))
                if cell.confidence is not None:
                    confidence[location] = round(cell.confidence, 4)
            budget.line(line.text, line.location)
            budget.tokens(len(tokens), line.location)
            lines.append(Line(line.text, line.location, tokens))
    return lines


_GRID_LOCATION = re.compile(r" \d+, row (?P<row>\d+), col (?P<col>\d+)")


def _read_one(job: tuple[str, object]) -> PageRead:
    """A worker's job: one page image → what was read of it."""
    _, image = job
    return read_page(image)


def _init_worker(threads: int) -> None:
    _THREADS["n"] = threads
    _engine.cache_clear()  # this process's own engine, on these threads
    _RESULTS.clear()


_WORKERS: contextvars.ContextVar[int] = contextvars.ContextVar("ocr_page_workers", default=1)


@contextmanager
def page_workers(workers: int | None) -> Iterator[None]:
    """Within the block, pages are OCR'd on ``workers`` processes (what ``read_report(…, workers=)`` sets).

    The readers below :func:`~shaoyang_report.read.report.read_report` (PDF, web page,
    image files) take the number from here, so it need not be passed through each.

    Example:
        >>> with page_workers(2):
        ...     _WORKERS.get()
        2
        >>> _WORKERS.get()
        1
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a whole number ≥ 1, not {workers!r}")
    token = _WORKERS.set(workers or 1)
    try:
        yield
    finally:
        _WORKERS.reset(token)


def read_pages(images: list[tuple[str, object]], source: object, workers: int | None = None) -> list[tuple[str, PageRead]]:
    """OCR page images, in parallel when ``workers`` > 1 (processes, one engine each).

    With several workers each engine runs ONNX Runtime on ``cores // workers`` threads
    (1 on 2 cores): its own intra-op threads gain nothing on top of page-per-process
    parallelism (``benchmarks/bench_ocr.py``). The time to start the processes and load
    the models in each (about 1 s) is paid per call: worth it from 2 pages on.

    Args:
        images: ``(page name, RGB array)`` per page, in order.
        source: The file name, for messages.
        workers: Processes to read pages in; 1 reads them here; None: as set by
            :func:`page_workers` (default 1).

    Raises:
        OcrUnavailable: The OCR extra is not installed.
    """
    if not ocr_available():
        raise _unavailable(source)
    if workers is None:
        workers = _WORKERS.get()
    workers = max(1, min(int(workers or 1), len(images)))
    if workers == 1:
        return [(name, read_page(image)) for name, image in images]
    threads = max(1, (os.cpu_count() or 1) // workers)
    # not fork: a process forked while ONNX Runtime's or OpenCV's threads hold a lock waits on it forever
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # the server imports the engine's libraries once (no engine made, no thread started): each worker
        # forked from it then only loads the models
        context.set_forkserver_preload([__name__, "numpy", "cv2", "rapidocr_onnxruntime"])
    else:
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(threads,)) as pool:
        reads = list(pool.map(_read_one, images))
    CALLS["pages"] += len(images)
    return [(name, read) for (name, _), read in zip(images, reads)]


def document_of_images(images: list[tuple[str, object]], source: str, workers: int | None = None) -> Document:
    """A Document of page images read by OCR (a grid document, as HTML and Word give).

    Raises:
        ReportFormatError: No text was found on any page; the OCR extra is not installed.
    """
    reads = read_pages(images, source, workers)
    budget = Budget(source)
    confidence: dict[str, float] = {}
    lines: list[Line] = []
    for name, read in reads:
        lines += page_lines(read, name, budget, confidence)
    if not lines:
        raise ReportFormatError(source, "no text was found by OCR in the image(s); expected a scanned "
                                "政府信息公开工作年度报告")
    return Document(source=source, lines=lines, reader="ocr", grid=True,
                    ocr_pages=tuple(name for name, _ in reads), confidence=confidence)


def read_image_files(data: Sequence[bytes], source: str, workers: int | None = None) -> Document:
    """Read one report printed as image files (PNG, JPEG, TIFF), its pages in the order given.

    Raises:
        ReportFormatError: An image is damaged, too large, or no text is found; the OCR
            extra is not installed.
    """
    if not ocr_available():
        raise _unavailable(source)
    images = []
    for blob in data:
        for image in decode_images(blob, source):
            images.append((f"page {len(images) + 1}", image))
            if len(images) > MAX_PDF_PAGES:
                raise ReportFormatError(source, f"over {MAX_PDF_PAGES} pages; a report has far fewer "
                                        "(limit MAX_PDF_PAGES in shaoyang_report.limits)")
    return document_of_images(images, source, workers)


def read_scanned_pdf(data: bytes, source: str, pages_words: list, text_document: Callable[[], Document] | None,
                     workers: int | None = None) -> Document:
    """A PDF some or all of whose pages have no text layer: those pages OCR'd, the others read as text.

    Args:
        data: The PDF's bytes.
        source: The file name.
        pages_words: Per page, its words from the text layer (empty: no text layer).
        text_document: Builds the Document of the text pages (None: no page has text).
        workers: Processes to OCR pages in (None: as :func:`page_workers` sets).

    Raises:
        ReportFormatError: The OCR extra is not installed, or nothing could be read.
    """
    if not ocr_available():
        raise _unavailable(source)
    numbers = [n for n, words in enumerate(pages_words, start=1) if not words]
    drawn = pdf_page_images(data, numbers, source)
    try:
        ocr_doc = document_of_images([(f"page {n}", drawn[n]) for n in numbers if n in drawn], source, workers) \
            if drawn else None
    except OcrUnavailable:
        raise
    except ReportFormatError:
        if text_document is not None:
            ocr_doc = None
        else:
            raise ReportFormatError(source, "the PDF has no text layer: its pages are images (a scan), and OCR "
                                    "found no text on them") from None
    if text_document is None:
        if ocr_doc is None:
            raise ReportFormatError(source, "the PDF has no text layer and nothing drawn on its pages")
        return ocr_doc
    doc = text_document()
    if ocr_doc is None:
        return doc
    lines = sorted(doc.lines + ocr_doc.lines, key=lambda ln: _page_of(ln.location))  # stable: each page in order
    return Document(source=source, lines=lines, reader=doc.reader, grid=True, ocr_pages=ocr_doc.ocr_pages,
                    confidence=ocr_doc.confidence)


def _page_of(location: str) -> int:
    m = re.match(r"page (\d+)", location)
    return int(m.group(1)) if m else 0


def image_lines(images: list[tuple[int, str]], base: Path, source: str, budget: Budget,
                confidence: dict[str, float]) -> tuple[dict[int, list[Line]], list[str]]:
    """The lines of a web page's ``<img>`` tables, read where each image stands.

    Args:
        images: ``(index of the line the image stands before, src)`` in page order.
        base: The folder the page was saved in; only images inside it are read.
        source: The page's file name.
        budget: The page's counts against the caps.
        confidence: Location → recognition confidence, filled in.

    Returns:
        Line index → the lines read from the images there, and the names of the images read
        (``image 2``: the page's second ``<img>`` read).

    Raises:
        OcrUnavailable: An image beside the page is to be read and the OCR extra is not installed.
    """
    from urllib.parse import unquote, urlsplit

    from shaoyang_report.read.readers import sniff
    from shaoyang_report.read.readers.files import read_bytes

    found = []
    root = base.resolve()
    for at, src in images:
        if not src:
            continue
        parts = urlsplit(src.strip())
        if parts.scheme or parts.netloc:
            continue  # on the web, not saved beside the page
        path = (base / unquote(parts.path)).resolve()
        if root not in path.parents or not path.is_file():
            continue
        data = read_bytes(path)
        if sniff(data) != "image":
            continue
        found.append((at, path.name, data))
    if not found:
        return {}, []
    if not ocr_available():
        raise _unavailable(source)
    pages = []
    for at, name, data in found:
        for image in decode_images(data, name):
            if min(image.shape[:2]) < MIN_IMAGE_SIDE:
                continue  # an icon or a logo
            pages.append((at, f"image {len(pages) + 1}", image))
    reads = read_pages([(name, image) for _, name, image in pages], source)
    out: dict[int, list[Line]] = {}
    for (at, _, _), (name, read) in zip(pages, reads):
        out.setdefault(at, []).extend(page_lines(read, name, budget, confidence))
    return out, [name for _, name, _ in pages]
