"""Generated reports drawn as table scans, and how what OCR read of them compares with the truth.

The OCR oracle (issue 20): a report whose every cell is known (:mod:`generated_reports`,
its numbers redrawn so that the table's sums hold, as a real report's do) is drawn as
page images — ruled tables, merged cells, wrapped labels — in a Chinese serif or sans
face (Noto CJK, the system's ``fonts-noto-cjk``), at a scale of 0.8–1.5, turned a little,
with noise and JPEG compression (quality 20–90), and read back by
``sr.read_report([page images])``. Every table value the reader placed is compared with
the cell that printed it (:func:`judge`):

* ``right``: the value printed there (a blank read as blank);
* ``flagged``: another value, said so — its row is a problem, or a failing check it is in
  is marked ``likely_misread``, or no number was taken from it (unreadable, raw kept);
* ``unplaced``: a printed cell no fact stands for (its number unplaced or its row a problem);
* ``wrong``: another value, said nowhere: the one count that must stay 0.

Everything is drawn from the seed: the same seed gives the same pixels (with the same
Pillow, FreeType and fonts), so the OCR engine's answers can be recorded and replayed
(tests/ocr_replay.py).
"""

from __future__ import annotations

import io
import math
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import generated_reports as gen
from generated_reports import GeneratedReport, GRow, PrintedCell

from shaoyang_report.layout import get_layout
from shaoyang_report.read.text import normalize

APPLICANTS = ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org")
#: Noto CJK faces (Simplified Chinese is face 2 of the collection) and Latin faces for digits.
_FONT_FILES = {"serif": "NotoSerifCJK-Regular.ttc", "sans": "NotoSansCJK-Regular.ttc",
               "latin_serif": "LiberationSerif-Regular.ttf", "latin_sans": "LiberationSans-Regular.ttf"}
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
_SC_FACE = 2
#: Width of each grid column, in font sizes, per table.
_COLUMNS = {
    "active_disclosure": [11.0, 8.0, 8.0, 8.0],
    "applications": [3.6, 7.2, 15.5] + [4.6] * 7,
    "review_litigation": [3.7] * 15,
}


@dataclass(frozen=True)
class ScanStyle:
    """How a scan is drawn: face, digits, scale, skew, noise, blur, JPEG quality."""

    face: str  # "serif" or "sans" (Noto CJK)
    latin: bool  # digits in a Latin face (Liberation) as office software sets them, else the CJK face's own
    scale: float  # 1.0: text 16 px high, about a 10.5 pt font at 110 dpi
    angle: float  # degrees, turned counter-clockwise
    noise: float  # standard deviation of the grey noise added
    blur: float  # radius of a Gaussian blur (0: none)
    quality: int  # JPEG quality

    def name(self) -> str:
        return (f"{self.face}{'_latin' if self.latin else ''}_x{self.scale:.2f}_r{self.angle:+.2f}"
                f"_n{self.noise:.0f}_b{self.blur:.1f}_q{self.quality}")


@dataclass
class Scan:
    """A generated report drawn as page images (JPEG bytes), and its true cells."""

    seed: int
    report: GeneratedReport
    style: ScanStyle
    pages: list[bytes]

    @property
    def name(self) -> str:
        return f"scan{self.seed:03d}_{self.report.fmt}_{self.style.name()}"

    def write(self, folder: Path) -> list[Path]:
        """The pages as ``.jpg`` files in ``folder`` (named after the scan), in order."""
        out = []
        for n, data in enumerate(self.pages, 1):
            path = folder / f"{self.name}_p{n}.jpg"
            path.write_bytes(data)
            out.append(path)
        return out


# --------------------------------------------------------------------------- numbers that add up

def _count(rng: random.Random) -> int:
    """A count as reports print them: many zeros, mostly small, some hundreds."""
    if rng.random() < 0.4:
        return 0
    return int(10 ** rng.uniform(0, 3))


def _printed(n: int, rng: random.Random) -> str:
    return f"{n:,}" if n >= 1000 and rng.random() < 0.15 else str(n)


def _blank(report: GeneratedReport, key: tuple) -> bool:
    return report.cells[key].raw in ("", gen.NOT_STATED)


def _set(report: GeneratedReport, key: tuple, n: int, raw: str) -> None:
    if _blank(report, key):
        return  # a blank cell stays blank
    report.cells[key] = PrintedCell(key, raw, float(n))


def consistent(report: GeneratedReport, rng: random.Random) -> GeneratedReport:
    """The report with its counts redrawn so that every sum rule of its format holds (in place).

    Table 三: leaf rows drawn, （七）总计 their sum, 一 + 二 = （七） + 四, each row's 总计
    the sum of its applicants; table 四: each group's 总计 the sum of its four results;
    table 二's counts redrawn small (its money and 增/减 cells kept). A blank cell
    counts 0 in the sums (the rule is then not checkable).
    """
    layout = get_layout()
    table = layout.table_for(report.fmt, "applications")
    below = {r.key for r in table.descendants("outcomes")}
    leaves = [r.key for r in table.expected_rows({"other_processing": report.shape}) if r.key in below]
    measure = table.measure
    value = {}

    def put(item: str, applicant: str, n: int) -> None:
        value[(item, applicant)] = n
        _set(report, ("applications", item, measure, applicant), n, _printed(n, rng))

    for a in APPLICANTS:
        handled = 0
        for leaf in leaves:
            n = _count(rng)
            put(leaf, a, n)
            handled += 0 if _blank(report, ("applications", leaf, measure, a)) else n
        put("total_handled", a, handled)
        forward = _count(rng) // 3
        over = min(_count(rng) // 3, handled + forward)
        put("carried_forward", a, forward)
        put("carried_over", a, over)
        put("new_requests", a, handled + forward - over)
    for item in ["new_requests", "carried_over", *leaves, "total_handled", "carried_forward"]:
        total = sum(value[(item, a)] for a in APPLICANTS if not _blank(report, ("applications", item, measure, a)))
        _set(report, ("applications", item, measure, "total"), total, _printed(total, rng))
    groups = {k[1] for k in report.cells if k[0] == "review_litigation"}
    for group in sorted(groups):
        total = 0
        for m in ("upheld", "corrected", "other", "pending"):
            n = _count(rng) // 4
            key = ("review_litigation", group, m, None)
            _set(report, key, n, str(n))
            total += 0 if _blank(report, key) else n
        _set(report, ("review_litigation", group, "total", None), total, str(total))
    for key, cell in list(report.cells.items()):
        if key[0] == "active_disclosure" and cell.raw.isdigit() and key[2] != "change":
            n = int(10 ** rng.uniform(0, 3.3)) if rng.random() > 0.2 else 0
            _set(report, key, n, str(n))
    # the grid model prints what the cells now say
    for kind, content in report.blocks:
        if kind == "table":
            for grow in content:  # type: ignore[attr-defined]
                for gcell in grow.cells:
                    if gcell.cell is not None:
                        gcell.cell = report.cells[gcell.cell.key]
                        gcell.text = gcell.cell.raw
    return report


# --------------------------------------------------------------------------- drawing

@cache
def font_file(name: str) -> Path | None:
    """The installed file of one of the faces the scans are drawn in, or None."""
    for d in _FONT_DIRS:
        root = Path(d).expanduser()
        if root.is_dir():
            found = sorted(root.rglob(_FONT_FILES[name]))
            if found:
                return found[0]
    return None


def fonts_available() -> bool:
    return all(font_file(name) is not None for name in _FONT_FILES)


@cache
def _font(name: str, size: int):
    from PIL import ImageFont

    path = font_file(name)
    if path is None:
        raise FileNotFoundError(f"font {_FONT_FILES[name]} is not installed (Debian: fonts-noto-cjk, fonts-liberation)")
    return ImageFont.truetype(str(path), size, index=_SC_FACE if path.suffix == ".ttc" else 0)


_LATIN_RUN = re.compile(r"[0-9.,+\-%]+")


class _Pen:
    """Draws and measures text in a CJK face, digits optionally in a Latin one."""

    def __init__(self, style: ScanStyle, size: int):
        self.cjk = _font(style.face, size)
        self.latin = _font("latin_" + style.face, size) if style.latin else self.cjk
        self.size = size

    def _runs(self, text: str) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = []
        last = 0
        for m in _LATIN_RUN.finditer(text):
            if m.start() > last:
                out.append((text[last:m.start()], self.cjk))
            out.append((m.group(), self.latin))
            last = m.end()
        if last < len(text):
            out.append((text[last:], self.cjk))
        return out

    def width(self, text: str) -> float:
        return sum(font.getlength(run) for run, font in self._runs(text))  # type: ignore[attr-defined]

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` in lines no wider than ``width`` (broken between any two characters, digits kept together)."""
        lines, line = [], ""
        for piece in re.findall(r"[0-9.,+\-%]+|.", text):
            if line and self.width(line + piece) > width:
                lines.append(line)
                line = piece
            else:
                line += piece
        return lines + [line] if line else lines or [""]

    def draw(self, canvas, x: float, baseline: float, text: str) -> None:
        for run, font in self._runs(text):
            canvas.text((x, baseline), run, font=font, fill=0, anchor="ls")
            x += font.getlength(run)  # type: ignore[attr-defined]


def _table_box(rows: list[GRow], section: str, pen: _Pen):
    """Column edges, row edges and each cell's (grid row, grid col, cell) of a table."""
    unit = pen.size
    widths = [w * unit for w in _COLUMNS[section]]
    placed = gen.grid_positions(rows)
    line_h = round(unit * 1.45)
    pad = round(unit * 0.5)
    heights = [line_h + 2 * pad] * len(rows)
    spans = []
    for r, cells in enumerate(placed):
        for c, cell in cells:
            w = sum(widths[c:c + cell.colspan])
            need = len(pen.wrap(cell.text, w - pad)) * line_h + 2 * pad
            spans.append((r, c, cell))
            rowspan = max(cell.rowspan, 1)
            if rowspan == 1:
                heights[r] = max(heights[r], need)
    for r, c, cell in spans:
        rowspan = max(cell.rowspan, 1)
        if rowspan > 1:
            have = sum(heights[r:r + rowspan])
            if have < len(pen.wrap(cell.text, sum(widths[c:c + cell.colspan]) - pad)) * line_h + 2 * pad:
                heights[r + rowspan - 1] += round(line_h)
    xs = [0.0]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [0.0]
    for h in heights:
        ys.append(ys[-1] + h)
    return xs, ys, spans, line_h


def _draw_table(canvas, rows: list[GRow], section: str, pen: _Pen, left: float, top: float, stroke: int) -> float:
    xs, ys, spans, line_h = _table_box(rows, section, pen)
    pad = pen.size * 0.5
    for r, c, cell in spans:
        x0, x1 = left + xs[c], left + xs[c + cell.colspan]
        y0, y1 = top + ys[r], top + ys[r + max(cell.rowspan, 1)]
        canvas.rectangle((round(x0), round(y0), round(x1), round(y1)), outline=0, width=stroke)
        lines = pen.wrap(cell.text, x1 - x0 - pad) if cell.text else []
        first = (y0 + y1) / 2 - len(lines) * line_h / 2
        for k, line in enumerate(lines):
            w = pen.width(line)
            pen.draw(canvas, (x0 + x1) / 2 - w / 2, first + k * line_h + line_h * 0.78, line)
    return top + ys[-1]


def _pages(report: GeneratedReport, style: ScanStyle) -> list:
    """The report as page images (PIL, greyscale): a page break before tables 三 and 四."""
    from PIL import Image, ImageDraw

    pen = _Pen(style, round(16 * style.scale))
    unit = pen.size
    margin = round(unit * 2.5)
    stroke = 1 if style.scale < 1.25 else 2
    width = round(sum(_COLUMNS["applications"]) * unit + 2 * margin)
    chunks: list[list[tuple[str, object]]] = [[]]
    for kind, content in report.blocks:
        if kind == "h" and content in (gen.SECTION_HEADINGS["applications"], gen.SECTION_HEADINGS["review_litigation"]):
            chunks.append([])
        chunks[-1].append((kind, content))
    images = []
    section = None
    for chunk in chunks:
        canvas_image = Image.new("L", (width, round(unit * 160)), 255)
        canvas = ImageDraw.Draw(canvas_image)
        y = float(margin)
        for kind, content in chunk:
            if kind == "table":
                assert section is not None
                y = _draw_table(canvas, content, section, pen, margin, y, stroke) + unit  # type: ignore[arg-type]
                continue
            text = str(content)
            section = next((s for s, h in gen.SECTION_HEADINGS.items() if h == text), section)
            for line in pen.wrap(text, width - 2 * margin):
                pen.draw(canvas, margin, y + unit * 1.1, line)
                y += unit * 1.9
        images.append(canvas_image.crop((0, 0, width, min(canvas_image.height, round(y + margin)))))
    return images


def _degrade(image, style: ScanStyle, rng: random.Random) -> bytes:
    """A page as a scanner gives it: turned, noisy, soft, JPEG-compressed."""
    import numpy as np
    from PIL import Image, ImageFilter

    if style.angle:
        image = image.rotate(style.angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    if style.blur:
        image = image.filter(ImageFilter.GaussianBlur(style.blur))
    if style.noise:
        noise = np.random.default_rng(rng.randrange(2**32)).normal(0, style.noise, (image.height, image.width))
        image = Image.fromarray(np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=style.quality)
    return out.getvalue()


def style_of(seed: int) -> ScanStyle:
    """The drawing style of scan ``seed``: every face, scales 0.8–1.5, JPEG quality 20–90."""
    rng = random.Random(f"style {seed}")
    turned = rng.random() < 0.5
    return ScanStyle(face=("serif", "sans")[seed % 2], latin=(seed // 2) % 2 == 1,
                     scale=round(rng.uniform(0.8, 1.5), 2),
                     angle=round(rng.uniform(-0.8, 0.8), 2) if turned else 0.0,
                     noise=float(rng.choice([0, 4, 8, 12])),
                     blur=rng.choice([0.0, 0.0, 0.4, 0.7]),
                     quality=rng.randint(20, 90))


def scan(seed: int) -> Scan:
    """Scan ``seed``: a generated report (either format, some cells blank), redrawn to add up, drawn, degraded."""
    rng = random.Random(f"scan {seed}")
    fmt = rng.choice(["F2019", "F2021"])
    shape = rng.choice(["row", "group"]) if fmt == "F2021" else "row"
    blank_rate = rng.choice([0.0, 0.0, 0.0, 0.03])
    report = consistent(gen.generate(seed, fmt, shape, blank_rate, rng.choice(["empty", "dash"])), rng)
    style = style_of(seed)
    return Scan(seed, report, style, [_degrade(page, style, rng) for page in _pages(report, style)])


# --------------------------------------------------------------------------- comparing

_ROW = re.compile(r"^(?P<page>(?:page|image) \d+), .*?table (?P<table>\d+), row (?P<row>\d+)")
OUTCOMES = ("right", "flagged", "unplaced", "wrong")


def _row_of(location: str) -> tuple[str, str, str] | None:
    m = _ROW.match(location or "")
    return (m["page"], m["table"], m["row"]) if m else None


def judge(report, truth: GeneratedReport) -> dict[str, list]:
    """Each printed table cell of ``truth`` as read in ``report``: right, flagged, unplaced or wrong.

    Returns:
        Outcome (:data:`OUTCOMES`) → the ``(key, printed raw, read raw, location)`` of its cells.
        A fact on a cell the report does not print (it never happens in these) is wrong; so is
        a printed number read as a blank or a not-stated mark (``-``) on a row nothing is said of.
    """
    facts = report.facts[report.facts.section.isin(gen.SECTION_HEADINGS)]
    not_stated = get_layout().not_stated | {""}  # a blank or a mark: the cell says it states nothing
    problem_rows = {_row_of(loc) for loc, _ in report.problems} - {None}
    checks = report.checks
    flagged_cells: set[str] = set()
    for locations in checks.loc[checks.likely_misread.astype(bool), "locations"]:
        flagged_cells.update(loc for side in locations.split(" ← ") for loc in side.split("; ") if loc)
    out: dict[str, list] = {k: [] for k in OUTCOMES}
    seen = set()
    for key, value, raw, location in zip(zip(facts.section, facts["item"], facts.measure, facts.applicant),
                                         facts.value, facts.raw, facts.location):
        key = (key[0], key[1], key[2], key[3] if isinstance(key[3], str) else None)
        seen.add(key)
        printed = truth.cells.get(key)
        entry = (key, printed.raw if printed else None, raw, location)
        if printed is not None and _same(printed.value, value):
            out["right"].append(entry)
        elif math.isnan(value) and normalize(raw) not in not_stated or _row_of(location) in problem_rows \
                or location in flagged_cells:
            out["flagged"].append(entry)
        else:
            out["wrong"].append(entry)
    for key, printed in truth.cells.items():
        if key not in seen:
            out["unplaced"].append((key, printed.raw, None, None))
    return out


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))
