"""Complete reports of both national formats whose every number is unique.

Each generated report knows the true cell (section, item, measure, applicant) of every
number it prints: the numbers are distinct integers of at least 10 (some printed in
万元 or 元 in the money columns, some signed in 本年增/减), so a number read anywhere
says where it was printed. Some cells may be left empty (printed as the rendering's
empty cell, or as the not-stated mark ``—``).

A report is built once as a grid model (captions, headers, rows; group labels as
rowspans over their sub-rows, the shape of a real table) and rendered from it:

* ``cells``: copied web-page text, a cell per line ending `` |``, bare ``|`` lines as
  padding (like data/raw/shaoyang_city_2020.txt);
* ``rows``: a table row per line, cells separated by `` | ``, padding as ``||``;
* ``rows_lead``: a table row per line between bars (``| 规章 | 12 |  | 27 |``), every cell
  printed, empty ones as ``|  |``;
* ``markdown``: the same with a ``|---|`` rule under each table's first row, as converters print;
* ``plain``: PDF/Word text extraction, a label and its numbers per line (an empty
  cell leaves no trace, or prints ``—``);
* ``html``: a CMS page with the tables as ``<table>`` grids (merged cells as rowspans);
* ``docx``: a Word file (python-docx), the same grids with merged cells;
* ``pdf``: a PDF drawn with PyMuPDF (CJK font ``china-s``), cells in ruled columns.

Text renderings are lists of :class:`TLine`: each printed line with the true cells of
the numbers it holds (in the order the reader tokenises them), so a mutation of the
text can carry the truth along (see :func:`align`).
"""

from __future__ import annotations

import difflib
import html
import io
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from fixture_pages import _FOOT, _HEAD, Cell, _html_table

from shaoyang_report.layout import get_layout
from shaoyang_report.read.cells import split_cells
from shaoyang_report.read.document import GLUED, VALUE

Key = tuple[str, str, str, "str | None"]  # section, item, measure, applicant
#: The truth of a number that was printed in no cell of the generated report (a value
#: line inserted by a mutation, two numbers glued into one): its place is not known.
UNKNOWN = None

SECTION_HEADINGS = {
    "active_disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}
LAYOUTS = ("cells", "rows", "rows_lead", "markdown", "plain", "html", "docx", "pdf")
TEXT_LAYOUTS = ("cells", "rows", "rows_lead", "markdown", "plain")
_UNIT_FACTORS = {"万": Decimal(1), "万元": Decimal(1), "元": Decimal("0.0001"), "": Decimal(1)}
NOT_STATED = "—"
_NUMBERS = [n for n in range(10, 100_000) if n % 10]  # not a multiple of 10: 万 amounts never a whole number


@dataclass(frozen=True)
class PrintedCell:
    """A value cell of the report: where it is, what is printed, what it means."""

    key: Key
    raw: str  # as printed; "" for an empty cell
    value: float  # NaN for an empty cell or a not-stated mark


@dataclass
class GCell:
    """A grid cell of the model: text, the value cell it prints (if any), merges."""

    text: str
    cell: PrintedCell | None = None
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    filler: bool = False  # an empty cell that pads a short row to the table's width


@dataclass
class GRow:
    cells: list[GCell]
    pad_after: int = 0  # bare "|" cells the copied text prints after the row


@dataclass
class GeneratedReport:
    """A complete report: its format, shapes, cells and printed model."""

    fmt: str
    shape: str  # how （六）其他处理 is printed: "row" or "group"
    year: int
    agency: str
    cells: dict[Key, PrintedCell]
    blocks: list[tuple[str, object]] = field(default_factory=list)  # ("title"|"h"|"p", text), ("table", [GRow])
    blank_style: str = "empty"  # an empty cell is printed as the layout's empty cell, or "dash": —
    seed: int = 0
    blank_rate: float = 0.0

    def __repr__(self) -> str:
        """How to build it again: ``generate(seed, fmt, shape, blank_rate, blank_style)``."""
        return f"generate({self.seed}, {self.fmt!r}, {self.shape!r}, {self.blank_rate}, {self.blank_style!r})"

    @property
    def by_raw(self) -> dict[str, PrintedCell]:
        """Every printed number → its cell (numbers are unique)."""
        return {c.raw: c for c in self.cells.values() if c.raw and c.raw != NOT_STATED}

    def expected_count(self, section: str) -> int:
        return sum(1 for k in self.cells if k[0] == section)


# --------------------------------------------------------------------------- generation

class Spec(NamedTuple):
    """What :func:`generate` needs: printed in a failing example, it rebuilds the report."""

    seed: int
    fmt: str
    shape: str = "row"
    blank_rate: float = 0.0
    blank_style: str = "empty"

    def build(self) -> GeneratedReport:
        return generate(*self)


def _money(rng: random.Random, n: int, header_unit: bool) -> tuple[str, float]:
    """A money cell: 万 with two decimals, or 元 (or plain 万元 figures under a 单位：万元 header)."""
    styles = ["wan", "wanyuan", "yuan"] + (["plain"] if header_unit else [])
    style = rng.choice(styles)
    if style == "yuan":
        raw, digits, unit = f"{n}元", str(n), "元"
    else:
        digits = f"{n // 100}.{n % 100:02d}"
        unit = {"wan": "万", "wanyuan": "万元", "plain": ""}[style]
        raw = digits + unit
    return raw, float(Decimal(digits) * _UNIT_FACTORS[unit])


def generate(seed: int, fmt: str, shape: str = "row", blank_rate: float = 0.0,
             blank_style: str = "empty", blank: frozenset = frozenset()) -> GeneratedReport:
    """A complete report of ``fmt`` whose numbers are unique, from ``seed``.

    Args:
        seed: Seed of the numbers, the blank cells and the small printing choices.
        fmt: ``F2019`` or ``F2021``.
        shape: How （六）其他处理 is printed (``group`` only in F2021).
        blank_rate: Share of value cells left empty.
        blank_style: ``empty`` (the layout's empty cell) or ``dash`` (``—``).
        blank: Cells (keys) left empty whatever the draw.
    """
    rng = random.Random(seed)
    layout = get_layout()
    shapes = {"other_processing": shape}
    year = rng.choice(layout.formats[fmt].years[:4])
    pool = iter(rng.sample(_NUMBERS, 260))
    cells: dict[Key, PrintedCell] = {}
    tables: dict[str, list[GRow]] = {}

    def value_cell(section: str, row, col, header_unit: bool = False) -> GCell:
        key = (section, col.dims.get("item", row.key),
               col.dims.get("measure", layout.table_for(fmt, section).measure), col.dims.get("applicant"))
        if rng.random() < blank_rate or key in blank:
            raw = NOT_STATED if blank_style == "dash" else ""
            printed = PrintedCell(key, raw, math.nan)
        else:
            n = next(pool)
            if col.unit == "万元":
                raw, value = _money(rng, n, header_unit)
            elif col.dims.get("measure") == "change":
                sign = rng.choice(["-", "", "+"])
                raw, value = f"{sign}{n}", float(-n if sign == "-" else n)
            elif n >= 1000 and rng.random() < 0.1:
                raw, value = f"{n:,}", float(n)
            else:
                raw, value = str(n), float(n)
            printed = PrintedCell(key, raw, value)
        cells[key] = printed
        return GCell(printed.raw, printed)

    # table 二: four columns; a caption row per 第二十条 block, its header, its rows
    table = layout.table_for(fmt, "active_disclosure")
    rows: list[GRow] = []
    block = None
    for row in table.rows:
        column_set = layout.column_sets[row.column_set]
        if row.block != block:
            block = row.block
            rows.append(GRow([GCell(block, colspan=4, header=True)], pad_after=3))
            headers = [GCell(c.label_zh, header=True) for c in column_set.columns]
            fill = [GCell("", header=True, filler=True) for _ in range(3 - len(headers))]
            rows.append(GRow([GCell("信息内容", header=True), *headers, *fill]))
        header_unit = any("万元" in c.label_zh for c in column_set.columns)
        values = [value_cell("active_disclosure", row, c, header_unit) for c in row.columns]
        fill = [GCell("", filler=True) for _ in range(3 - len(values))]
        rows.append(GRow([GCell(row.label_zh), *values, *fill]))
    tables["active_disclosure"] = rows

    # table 三: three label columns and seven applicant columns, groups as rowspans
    table = layout.table_for(fmt, "applications")
    expected = {r.key for r in table.expected_rows(shapes)}
    rows = [
        GRow([GCell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3,
                    header=True), GCell("申请人情况", colspan=7, header=True)], pad_after=8),
        GRow([GCell("自然人", rowspan=2, header=True), GCell("法人或其他组织", colspan=5, header=True),
              GCell("总计", rowspan=2, header=True)], pad_after=7),
        GRow([GCell(k, header=True) for k in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
             pad_after=5),
    ]
    pending: list[GCell] = []  # group labels waiting for their first sub-row
    open_groups: list[tuple[int, GCell]] = []  # (depth, label cell) of the groups a row is under
    for row in table.rows:
        depth = _depth(row.label_zh)
        while open_groups and open_groups[-1][0] >= depth:
            open_groups.pop()
        if row.group or (row.shape_of and shape == "group"):
            label = GCell(row.label_zh, rowspan=0)
            open_groups.append((depth, label))
            pending.append(label)
            continue
        if row.key not in expected:
            continue
        values = [value_cell("applications", row, c) for c in row.columns]
        if depth == 0:
            label_cells = [GCell(row.label_zh, colspan=3)]
        elif depth == 2:
            label_cells = [GCell(row.label_zh)]
        elif row.is_total and rng.random() < 0.5:
            label_cells = [GCell(row.label_zh), GCell("", filler=True)]  # a short label beside an empty cell
        else:
            label_cells = [GCell(row.label_zh, colspan=2)]
        for _, group in open_groups:
            group.rowspan += 1
        rows.append(GRow([*pending, *label_cells, *values], pad_after=rng.choice([1, 2])))
        pending = []
    tables["applications"] = rows

    # table 四: two header levels over fifteen columns, one row of values
    table = layout.table_for(fmt, "review_litigation")
    (anchor,) = table.rows
    measures = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    tables["review_litigation"] = [
        GRow([GCell("行政复议", colspan=5, header=True), GCell("行政诉讼", colspan=10, header=True)], pad_after=13),
        GRow([GCell(m, rowspan=2, header=True) for m in measures]
             + [GCell("未经复议直接起诉", colspan=5, header=True), GCell("复议后起诉", colspan=5, header=True)],
             pad_after=8),
        GRow([GCell(m, header=True) for m in measures * 2], pad_after=5),
        GRow([value_cell("review_litigation", anchor, c) for c in anchor.columns]),
    ]

    agency = rng.choice(["示例县人民政府", "样本市统计局", "测试区人民政府办公室"])
    blocks: list[tuple[str, object]] = [
        ("title", f"{agency}{year}年政府信息公开工作年度报告"),
        ("p", f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"),
        ("h", "一、总体情况"),
        ("p", "（合成的测试文本，数字为生成的唯一值。）"),
    ]
    for section in ("active_disclosure", "applications", "review_litigation"):
        blocks += [("h", SECTION_HEADINGS[section]), ("table", tables[section])]
    blocks += [("h", "五、存在的主要问题及改进情况"), ("p", "无。"), ("h", "六、其他需要报告的事项"), ("p", "无。")]
    return GeneratedReport(fmt, shape, year, agency, cells, blocks, blank_style, seed, blank_rate)


def _depth(label: str) -> int:
    """Where a table 三 label stands: 0 一、…, 1 （一）…, 2 1.… (its grid column)."""
    if label[0] in "（(":
        return 1
    return 2 if label[0].isdigit() else 0


# --------------------------------------------------------------------------- text

@dataclass
class TLine:
    """A printed line and the true cells of the numbers on it, in token order.

    ``truths[k]`` is the cell of the k-th number token (``value`` or ``glued``) that
    :func:`~shaoyang_report.read.cells.split_cells` reads from ``text``; ``UNKNOWN`` for a
    number printed in no cell of the report.
    """

    text: str
    truths: list = field(default_factory=list)


def number_tokens(text: str) -> list:
    """The ``value`` and ``glued`` tokens the reader takes from one printed line."""
    return [t for t in split_cells(text, "line 0") if t.kind in (VALUE, GLUED)]


def _line(text: str, cells: list[PrintedCell | None]) -> TLine:
    """A rendered line and the cells of the numbers it prints, in order.

    (Checked against the reader's tokens by test_reliability's rendering test.)
    """
    return TLine(text, [c.key for c in cells if c is not None and c.raw])


def text_lines(report: GeneratedReport, layout: str, filler: str = "blank") -> list[TLine]:
    """The report as copied text: ``cells``, ``rows`` or ``plain`` (see the module).

    Args:
        filler: How the copied text prints the empty cells that pad a short row to the
            table's width: ``blank`` (`` |``, as the Shaoyang page does) or ``pad`` (``|``).
    """
    out: list[TLine] = []
    for kind, content in report.blocks:
        if kind != "table":
            out.append(TLine(content))
            continue
        for grow in content:
            cells = grow.cells
            if layout == "cells":
                for c in cells:
                    if c.filler and filler == "pad":
                        out.append(TLine("|"))
                    else:
                        out.append(_line(f"{c.text} |" if c.text else " |", [c.cell]))
                if grow.pad_after:
                    out.append(TLine("|" * grow.pad_after))
            elif layout in ("rows_lead", "markdown"):
                out.append(_line("| " + " | ".join(c.text for c in cells) + " |", [c.cell for c in cells]))
                if layout == "markdown" and grow is content[0]:
                    out.append(TLine("|" + "---|" * max(len(cells), 2)))
            elif layout == "rows":
                pieces = ["" if c.filler and filler == "pad" else f" {c.text} " if c.text else "  " for c in cells]
                if pieces[0].strip():
                    pieces[0] = pieces[0].lstrip()  # a row starts at the line's start; an empty first cell stays
                text = "|".join(pieces) + "|" + "|" * min(grow.pad_after, 3)
                out.append(_line(text, [c.cell for c in cells]))
            else:  # plain: what PDF/Word text extraction gives
                shown = [c for c in cells if c.text and not c.filler]
                if shown:
                    out.append(_line(" ".join(c.text for c in shown), [c.cell for c in shown]))
    return out


def cells_certain(report: GeneratedReport, layout: str, filler: str = "blank") -> bool:
    """Whether a rendering shows which cell each number is in, so that all must be placed.

    True without empty cells, and in grids (HTML, Word). In copied text, when an
    empty cell prints as `` |`` and padding only as bare ``|`` — except in a row whose
    label column holds an empty cell too (（七）总计 beside an empty cell): its cells
    are then one more than its columns, and which one is padding is not certain. Never
    in label-and-numbers text or PDF, where an empty cell leaves no trace.
    """
    rows = [grow for kind, content in report.blocks if kind == "table" for grow in content]
    if layout in ("html", "docx"):
        return True
    if layout == "cells" and not all(_filler_row_certain(grow, one_line=False) for grow in rows):
        return False
    if layout in ("rows", "rows_lead", "markdown") and not all(_filler_row_certain(grow) for grow in rows):
        return False
    if all(c.raw for c in report.cells.values()):
        return True
    if layout in ("rows_lead", "markdown"):
        return True
    if layout in ("plain", "pdf") or filler != "pad":
        return False
    for kind, content in report.blocks:
        if kind == "table":
            for grow in content:
                values = [c.cell for c in grow.cells if c.cell is not None]
                if any(c.filler for c in grow.cells) and values and any(not v.raw for v in values) \
                        and any(c.filler for c in grow.cells[:grow.cells.index(next(c for c in grow.cells if c.cell))]):
                    return False
    return True


def _filler_row_certain(grow: GRow, one_line: bool = True) -> bool:
    """Whether a row shows each cell's column as far as the cell after its label goes.

    All do but （七）总计 (``beside_empty`` in the layout) with an empty cell after its label:
    the label's own empty cell (a filler) or its first value empty. Only a row printed on
    one line with a filler and a value last shows it (one cell too many, not after the
    last value); a cell per line, the filler could as well be its first value with a
    value line printed twice.
    """
    cells = grow.cells
    first = next((k for k, c in enumerate(cells) if c.cell is not None), None)
    if first is None or first == 0:
        return True  # a header row, table 四's row
    has_filler = cells[first - 1].filler
    label = cells[first - 2 if has_filler else first - 1]
    values = [c.cell for c in cells if c.cell is not None]
    if not label.text.endswith("总计"):
        return True
    if not has_filler:
        return bool(values[0].raw)
    return one_line and bool(values[-1].raw)


def to_text(lines: list[TLine]) -> str:
    return "\n".join(line.text for line in lines) + "\n"


def align(old: TLine, new_text: str) -> TLine:
    """The truths of a line whose text was changed: numbers kept in order keep theirs.

    Numbers matched unchanged keep their cell; a number changed in place (a digit
    replaced, a footnote mark added, cut short) keeps its cell; a number that is new
    (or two numbers run into one) is ``UNKNOWN``.
    """
    before = [t.text for t in number_tokens(old.text)]
    after = [t.text for t in number_tokens(new_text)]
    if len(before) == len(after):  # numbers changed in place (a digit, a mark, a cut): same cells
        return TLine(new_text, list(old.truths))
    truths: list = [UNKNOWN] * len(after)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and a1 - a0 == b1 - b0):
            truths[b0:b1] = old.truths[a0:a1]
    return TLine(new_text, truths)


# --------------------------------------------------------------------------- HTML, Word, PDF

def _fixture_cells(rows: list[GRow], blank: str) -> list[list[Cell]]:
    return [[Cell(c.text or blank, rowspan=max(c.rowspan, 1), colspan=c.colspan, header=c.header) for c in r.cells]
            for r in rows]


def html_page(report: GeneratedReport, nbsp: bool = False) -> str:
    """The report as a CMS page: site chrome, paragraphs and ``<table>`` grids."""
    title = next(t for k, t in report.blocks if k == "title")
    parts = [_HEAD.format(charset="utf-8", title=html.escape(title))]
    for kind, content in report.blocks:
        if kind == "title":
            continue
        if kind == "table":
            parts.append(_html_table(_fixture_cells(content, "\u00a0" if nbsp else "")))
        else:
            parts.append(f"<p>{html.escape(content)}</p>")
    parts.append(_FOOT.format())
    return "\n".join(parts)


def docx_bytes(report: GeneratedReport) -> bytes:
    """The report as a Word file: heading, paragraphs and tables with merged cells.

    The document is python-docx's; each table is written as the WordprocessingML Word
    itself writes for merged cells (``gridSpan`` across, ``vMerge`` down), which is
    also what python-docx's ``merge`` produces, without its cost per cell.
    """
    import docx
    from docx.oxml import parse_xml

    word = docx.Document()
    for kind, content in report.blocks:
        if kind == "title":
            word.add_heading(content, level=1)
        elif kind == "table":
            placeholder = word.add_table(rows=0, cols=1)
            placeholder._tbl.getparent().replace(placeholder._tbl, parse_xml(_word_table(content)))
        else:
            word.add_paragraph(content)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


_WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _word_table(rows: list[GRow]) -> str:
    """A ``<w:tbl>`` of the grid: every grid slot covered by a cell or a merge continuation."""
    positions = grid_positions(rows)
    width = max(col + cell.colspan for placed in positions for col, cell in placed)
    starts = {}  # (row, col) -> cell starting there
    below = {}  # (row, col) -> cell merged down into that slot
    for r, placed in enumerate(positions):
        for col, cell in placed:
            starts[(r, col)] = cell
            for dr in range(1, max(cell.rowspan, 1)):
                below[(r + dr, col)] = cell
    out = [f'<w:tbl xmlns:w="{_WORD_NS}"><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr><w:tblGrid>',
           "<w:gridCol/>" * width, "</w:tblGrid>"]
    for r in range(len(rows)):
        out.append("<w:tr>")
        col = 0
        while col < width:
            cell = starts.get((r, col))
            cont = below.get((r, col)) if cell is None else None
            span = (cell or cont).colspan if (cell or cont) else 1
            props = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            if cell is not None and cell.rowspan > 1:
                props += '<w:vMerge w:val="restart"/>'
            elif cont is not None:
                props += "<w:vMerge/>"
            text = html.escape(cell.text) if cell is not None and cell.text else ""
            run = f"<w:r><w:t>{text}</w:t></w:r>" if text else ""
            out.append(f"<w:tc><w:tcPr>{props}</w:tcPr><w:p>{run}</w:p></w:tc>")
            col += span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


_PDF_FONT = 8.0
_PDF_STEP = 14.0  # baseline to baseline
_PDF_COLUMN = 90.0  # width of a value column
# x of the label columns and of the first value column, per table
_PDF_GRID = {
    "active_disclosure": ((40.0,), 200.0),
    "applications": ((40.0, 150.0, 260.0), 640.0),
    "review_litigation": ((), 40.0),
}


def grid_positions(rows: list[GRow]) -> list[list[tuple[int, GCell]]]:
    """Each row's cells with their grid column (merged cells from rows above resolved)."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(rows):
        c, placed = 0, []
        for cell in row.cells:
            while (r, c) in taken:
                c += 1
            placed.append((c, cell))
            for dr in range(max(cell.rowspan, 1)):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
        out.append(placed)
    return out


def pdf_bytes(report: GeneratedReport, lines_per_page: int = 70) -> bytes:
    """The report as a PDF with a text layer: labels at the left, values in columns.

    An empty cell draws nothing (as in a real PDF, its column is just blank).
    """
    import pymupdf

    doc = pymupdf.open()
    shape, y = None, 0.0
    section = None

    def put(cells: list[tuple[float, str]]) -> None:
        nonlocal shape, y
        if shape is None or y > 30 + _PDF_STEP * lines_per_page:
            if shape is not None:
                shape.commit()
            shape = doc.new_page(width=1450, height=60 + _PDF_STEP * lines_per_page).new_shape()
            y = 30.0
        for x, text in cells:
            if text:
                shape.insert_text((x, y), text, fontname="china-s", fontsize=_PDF_FONT)
        y += _PDF_STEP

    for kind, content in report.blocks:
        if kind != "table":
            put([(40.0, content)])
            section = next((s for s, h in SECTION_HEADINGS.items() if h == content), section)
            continue
        label_x, values_x = _PDF_GRID[section]
        for placed in grid_positions(content):
            put([(label_x[col] if col < len(label_x) else values_x + _PDF_COLUMN * (col - len(label_x)), cell.text)
                 for col, cell in placed])
    shape.commit()
    data = doc.tobytes()
    doc.close()
    return data
