"""One page image → its tables (cells with text, box and confidence) and its prose lines.

A page is read in four steps, all in :func:`read_page`:

1. **Text boxes**: the OCR engine (:func:`.engine.recognise`) finds the page's text
   lines and reads them, each with a recognition confidence (0–1). Every box is kept:
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
4. **Cells**: each table becomes a grid for :func:`~..grid.table_lines`, as the HTML and
   Word readers' tables do, and the one template reader places the numbers. A cell
   read as a number with a confidence under :data:`MIN_CONFIDENCE`, a cell whose text
   has digits but is not a clean number (``4l19``, ``0 0``), a lone letter that a digit
   is often misread as (``l``, ``O``), a box that runs across a ruling line, and a cell
   with ink but no text read, are given to the template reader as text ending ``?``:
   not a value, so their row is a problem and its numbers are unplaced, as an
   unreadable cell of a copied page is (``?``, ``⑧``). Nothing is guessed.

The rest of the page is prose, one line per band of boxes, top to bottom.

Given the boxes, nothing here needs the engine but the second reading of short
numbers read with low confidence (:func:`read_again`); OpenCV and numpy are imported
when a page is read, the engine (RapidOCR, ONNX Runtime) only when it runs.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass, field

from shaoyang_report.layout import get_layout
from shaoyang_report.read.readers.ocr.engine import TextBox, read_crops, recognise

#: A number read with a lower recognition confidence is not placed (it is unplaced).
MIN_CONFIDENCE = 0.6
#: A cell first read as no number (``o``, or ink no box was found for) is taken as the
#: number a second reading finds only at this confidence.
SECOND_READ_CONFIDENCE = 0.9

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_DIGIT = re.compile(r"\d")
# A clean printed number: sign, digits (or thousands grouped by commas, ``1,115``), decimals, a unit;
# or a not-stated mark. A comma anywhere else (``6,39``: a speck between two digits) is no clean number.
_CLEAN_NUMBER = re.compile(r"^(?:[+-]?(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.\d{1,6})?(?:万元|万|元|%)?|[-—–/]|无)$")
# Letters and strokes a digit is often read as (1 → l I | 丨, 0 → O o).
_DIGIT_LOOKALIKES = re.compile(r"^[lIiOo|丨]{1,4}$")
UNREADABLE = "?"  # appended to what OCR read of a cell that cannot be taken as a number


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
    # (the stubs type cv2's arrays as of ints or floats; these are of bytes, which | takes)
    horizontal |= long_h  # type: ignore[misc]
    vertical |= long_v  # type: ignore[misc]
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
    x0, y0, x1, y1 = _union([it[0] for it in items])
    return round(x0), round(y0), round(x1), round(y1)


def _judge(text: str, confidence: float, straddles: bool) -> str:
    """The cell's text for the template reader: as read, or marked unreadable (``…?``).

    A not-stated mark (``-``, ``—``, ``/``, ``无``: ``[values] not_stated`` in
    ``data/layouts.toml``) read with low confidence is unreadable as a number is: a
    light ``1`` is read as ``-`` at 0.3, and taken as a mark it would say the cell was
    not stated.
    """
    compact = "".join(text.split())
    if compact in get_layout().not_stated and confidence < MIN_CONFIDENCE:
        return compact + UNREADABLE
    if _CJK.search(text) and not _DIGIT.fullmatch(text):
        if not straddles or not _DIGIT.search(text):
            return text
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
            read_again(table, clean, back)
            out.tables.append(table)
    rest = [it for k, it in enumerate(items) if k not in placed]
    if not out.tables:
        found, rest = _unruled_tables(rest, text_height)
        for table in found:
            read_again(table, image, back)
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


def read_again(table: PageTable, image, back) -> None:
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
            assert cell.box is not None  # only cells with a box are to do
            x0, y0, x1, y1 = cell.box
            x0, y0, x1, y1 = x0 - 1, y0 - 1, x1 + 1, y1 + 1
            if cell.area is not None:  # within the cell: not a neighbour's ink
                x0, y0 = max(x0, cell.area[0]), max(y0, cell.area[1])
                x1, y1 = min(x1, cell.area[2]), min(y1, cell.area[3])
            crop = _ink_crop(image[max(0, y0):max(0, y1), max(0, x0):max(0, x1)])
            if crop is None:
                crop = np.full((8, 8, 3), 255, np.uint8)
            crops.append(crop)
        for cell, (text, score) in zip(todo, read_crops(crops)):
            read = "".join(unicodedata.normalize("NFKC", text).split())
            first = "".join(cell.text.split()).rstrip(UNREADABLE)
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
    """Whether a cell without text holds a mark (specks of noise are not one).

    A mark is enough ink once specks are smoothed away, or one stroke of a glyph's size:
    a connected run of ink at least a third of the text's height tall or wide. A thin
    ``0`` the detector found no box for (a light sans face after JPEG compression) is
    one 7 × 10-pixel ring of some 30 pixels, which smoothing all but erases; left as no
    mark, the printed 0 would read as a blank cell.
    """
    import cv2
    import numpy as np

    patch = np.ascontiguousarray(patch)
    if int((cv2.medianBlur(patch, 3) > 0).sum()) >= max(12, 0.04 * text_height * text_height):
        return True
    count, _, stats, _ = cv2.connectedComponentsWithStats((patch > 0).astype(np.uint8), connectivity=8)
    glyph = max(4.0, text_height / 3)
    return any(max(stats[k][2], stats[k][3]) >= glyph and stats[k][4] >= max(8.0, 0.02 * text_height * text_height)
               for k in range(1, count))


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
