"""Reports before the national tables (2008–2018): what tells them, and their old statistics table.

Before 2019 there was no national table format: a report is prose under the old headings
(一、概述, 二、政府信息主动公开情况, 三、依申请公开政府信息情况, 收费及减免, 复议诉讼, 问题及改进),
some with a statistics table (附表 政府信息公开情况统计表). Such a format prints none of the
national tables (``tables`` empty in ``layouts.toml``); :func:`early_format` tells it from
the text when no year does (its headings, the table's caption or its rows), and
:func:`read_statistics` places the old table's values.

The old table (``[statistics.F2008]`` in ``layouts.toml``) prints a row's label, a 计量单位
cell, on some forms a 代码 cell (01–35: no figure), then one cell per column the header
names (本期实际 | 本年累计; 2009年度 | 历年累计). A row's label is matched whole, after its
numbering (其中:1. / (1) / 2、) and quotes are taken off. Its cells are the cells of its
printed row (a grid row, a ``|`` row, a label-and-numbers line) or, printed a cell per line,
the lines up to the next label (a line holding only a space or ``|`` is an empty cell; a
last bare ``|`` closes the row). A row is placed only when it prints one cell per column
(and the unit or code cell the header names; a row whose every cell is a number prints no
unit cell), or prints no number at all (blank, never 0); else its numbers are unplaced and
the row is a problem.

Example:
    >>> from shaoyang_report.read.readers.text_reader import text_document
    >>> doc = text_document("指标名称 | 计量单位 | 本年度 | 历年累计 |\\n主动公开信息数 | 条 | 12 | 340 |\\n"
    ...                     "申请总数 | 件 | 0 | 3 |\\n行政复议数 | 件 | | 1 |", "x.txt")
    >>> read = read_statistics(doc, "F2008")
    >>> [(c.row, c.measure, c.value, c.unit) for c in read.cells][:2]
    [('information_published', 'year', 12.0, '条'), ('information_published', 'cumulative', 340.0, '条')]
    >>> [(c.row, c.measure, c.raw) for c in read.cells if c.row == "administrative_review"]
    [('administrative_review', 'year', ''), ('administrative_review', 'cumulative', '1')]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache

from shaoyang_report.layout import get_layout
from shaoyang_report.read.document import BLANK, PAD, TEXT, VALUE, Document, Line, Token
from shaoyang_report.read.text import normalize

#: Numbering and marks around an old row label: 其中:1. / (1) / 2、 / “…” / a trailing *.
_NUMBERING = re.compile(r"^(其中[:：]?)?(\(?\d{1,2}[.、)]|[一二三四五六七八九十]{1,2}、)?")
_QUOTES = re.compile(r"[“”\"'‘’*]")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_CODE = re.compile(r"^\d{1,3}$")
#: Lines looked at above the first row for the header.
_HEADER_LINES = 16
#: A header cell is short (a sentence naming 历年累计 is no header).
_HEADER_CELL = 10


@dataclass(frozen=True)
class StatRow:
    """A row of the old table: its key, printed label, unit where none is printed, label patterns."""

    key: str
    label_zh: str
    unit: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class StatColumn:
    """A value column of the old table: the measure it gives (``year``, ``year_to_date``, ``cumulative``)."""

    measure: str
    label_zh: str
    header: re.Pattern[str]


@dataclass(frozen=True)
class StatTable:
    """``[statistics.<format>]`` of ``layouts.toml``, compiled."""

    name_zh: str
    min_rows: int
    unit_header: re.Pattern[str]
    code_header: re.Pattern[str]
    units: tuple[str, ...]
    columns: tuple[StatColumn, ...]
    rows: tuple[StatRow, ...]


@dataclass(frozen=True)
class StatCell:
    """One value of the old table: its row and column, the number (NaN when blank), unit, raw text, place."""

    row: str
    label: str
    measure: str
    value: float
    unit: str
    raw: str
    location: str


@dataclass
class StatisticsRead:
    """What was read of the old table.

    Attributes:
        cells: The values placed (blank cells as NaN, raw ``""``).
        unplaced: Numbers of the table that could not be put on a row and column with certainty.
        problems: ``(where, message)`` for rows that could not be placed.
        lines: Indexes of the document's lines the table takes (not prose).
    """

    cells: list[StatCell] = field(default_factory=list)
    unplaced: list[Token] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)


@cache
def stat_table(key: str) -> StatTable:
    """The old statistics table ``key`` as ``layouts.toml`` describes it."""
    spec = get_layout().statistics[key]
    return StatTable(
        name_zh=spec["name_zh"], min_rows=int(spec["min_rows"]),
        unit_header=re.compile(spec["unit_header"]), code_header=re.compile(spec["code_header"]),
        units=tuple(spec["units"]),
        columns=tuple(StatColumn(c["measure"], c["label_zh"], re.compile(c["header"])) for c in spec["columns"]),
        rows=tuple(StatRow(r["key"], r["label_zh"], r["unit"], tuple(re.compile(p) for p in r["patterns"]))
                   for r in spec["rows"]),
    )


def _core(text: str) -> str:
    """A printed label without its numbering, quotes and spaces."""
    norm = _QUOTES.sub("", normalize(text))
    return _NUMBERING.sub("", norm, count=1)


def _match_row(text: str, table: StatTable) -> tuple[StatRow, str] | None:
    """The row a printed cell is the label of, and a unit printed glued to it (``主动公开信息数 条``)."""
    core = _core(text)
    if not core:
        return None
    unit = ""
    for candidate in (core, *(core[:-len(u)] for u in table.units if core.endswith(u) and len(core) > len(u))):
        for row in table.rows:
            if any(p.match(candidate) for p in row.patterns):
                return row, core[len(candidate):] if candidate != core else unit
    return None


def _label_lines(doc: Document, table: StatTable) -> list[tuple[int, StatRow, Token, str]]:
    """``(line, row, label cell, glued unit)`` for each line whose first text cell is a row label."""
    found = []
    for i, line in enumerate(doc.lines):
        first = next((t for t in line.tokens if t.kind not in (BLANK, PAD)), None)
        if first is None or first.kind != TEXT:
            continue
        hit = _match_row(first.text, table)
        if hit is not None:
            found.append((i, hit[0], first, hit[1]))
    return found


def early_format(doc: Document) -> tuple[str, str] | None:
    """The format before the national tables a text's marks tell, and on what basis, or None.

    Marks: a line that is one of the format's old headings or its table's caption
    (``old_marks``), or the old statistics table's row labels (at least ``min_rows``).
    """
    layout = get_layout()
    for key, fmt in layout.formats.items():
        if fmt.tables:
            continue
        for line in doc.lines:
            norm = normalize(line.text.replace("|", ""))
            if norm and len(norm) <= layout.max_heading_chars and any(p.match(norm) for p in fmt.old_marks):
                return key, "old headings"
        if fmt.statistics and len({r.key for _, r, _, _ in _label_lines(doc, stat_table(fmt.statistics))}) \
                >= stat_table(fmt.statistics).min_rows:
            return key, "old statistics table"
    return None


def _header(doc: Document, first: int, table: StatTable) -> tuple[list[StatColumn], bool, bool]:
    """The value columns the header above the first row names (in printed order), and whether it
    names a unit and a code column."""
    lines = doc.lines[max(0, first - _HEADER_LINES):first]
    # header cells, and the words of a cell holding several (PDF text: 指标名称 计量单位 本年度 历年累计)
    cells = [c for line in lines for t in line.tokens if t.kind == TEXT
             for c in dict.fromkeys([normalize(t.text), *t.text.split()]) if c and len(c) <= _HEADER_CELL]
    named: list[tuple[int, StatColumn]] = []
    for col in table.columns:
        at = next((k for k, c in enumerate(cells) if col.header.search(c)), None)
        if at is not None:
            named.append((at, col))
    named.sort(key=lambda n: n[0])
    unit = any(table.unit_header.search(c) for c in cells)
    code = any(table.code_header.search(c) for c in cells)
    return [c for _, c in named], unit, code


def _cells_on_line(line: Line, label: Token) -> list[tuple[str, str]] | None:
    """``(raw, location)`` of the cells after a label on its own line, or None when it holds none."""
    tokens = line.tokens
    after = tokens[tokens.index(label) + 1:]
    grid = any(", col " in t.location for t in tokens)
    if grid:
        return [("" if t.kind in (BLANK, PAD) else t.text, t.location) for t in after] or None
    if "|" in line.text:
        parts = line.text.split("|")
        k = next(i for i, p in enumerate(parts) if p.strip())  # the label's cell
        rest = parts[k + 1:]
        if rest and not rest[-1].strip():
            rest = rest[:-1]  # the bar that closes the row
        return [(p.strip(), f"{line.location}, cell {k + 2 + i}") for i, p in enumerate(rest)] or None
    vals = [(t.text, f"{line.location}, value {i + 1}") for i, t in enumerate(after) if t.kind not in (BLANK, PAD)]
    return vals or None


def _cells_below(doc: Document, start: int, end: int) -> list[tuple[str, str]]:
    """``(raw, location)`` of a row printed a cell per line: the lines after its label up to ``end``.

    An empty line separates cells (a line holding only a space or ``|`` is an empty cell);
    a leading ``|`` opens a cell.
    """
    out = []
    for line in doc.lines[start:end]:
        if line.text == "":
            continue
        text = line.text.strip()
        out.append((text[1:].strip() if text.startswith("|") else text, line.location))
    return out


def _table_end(doc: Document, start: int, width: int) -> int:
    """Where the cells below the last label end: the first line that holds text that is no unit
    cell, or ``width`` cells on."""
    seen, i = 0, start
    while i < len(doc.lines) and seen < width:
        text = doc.lines[i].text
        if text != "":
            cell = text.strip().lstrip("|").strip()
            if cell and not _NUMBER.match(cell.replace(",", "")) and not (seen == 0 and len(cell) <= 3):
                break
            seen += 1
        i += 1
    return i


def read_statistics(doc: Document, key: str | None) -> StatisticsRead:
    """Place the values of the old statistics table a document prints (nothing when it prints none).

    Args:
        doc: The document.
        key: The table (``[statistics.<key>]`` of ``layouts.toml``; a format's ``statistics``).
    """
    out = StatisticsRead()
    if key is None:
        return out
    table = stat_table(key)
    labels = _label_lines(doc, table)
    if len({r.key for _, r, _, _ in labels}) < table.min_rows:
        return out
    columns, has_unit, has_code = _header(doc, labels[0][0], table)
    width = len(columns) + has_unit + has_code
    for n, (i, row, label, glued) in enumerate(labels):
        line = doc.lines[i]
        cells = _cells_on_line(line, label)
        end = labels[n + 1][0] if n + 1 < len(labels) else _table_end(doc, i + 1, width + 1)
        if cells is None:
            cells = _cells_below(doc, i + 1, end)
            if len(cells) == width + 1 and cells[-1][0] == "" and doc.lines[i + 1:end][-1].text.strip() == "|":
                cells = cells[:-1]  # the bar that closes the row
            out.lines.update(range(i, end))
        else:
            out.lines.add(i)
        if glued:  # the unit printed in the label's cell (主动公开信息数 条): the label is the rest
            label = Token(label.text.rstrip()[:-len(glued)].rstrip(), label.location, label.kind)
            if has_unit:
                cells = [(glued, label.location), *cells]
        _place(row, label, cells, columns, has_unit, has_code, table, out)
    return out


def _place(row: StatRow, label: Token, cells: list[tuple[str, str]], columns: list[StatColumn],
           has_unit: bool, has_code: bool, table: StatTable, out: StatisticsRead) -> None:
    """Put a row's cells on its columns where certain (see the module docstring), else list them."""
    width = len(columns) + has_unit + has_code
    numbers = [(raw, where) for raw, where in cells if any(ch.isdigit() for ch in raw)]
    unit = row.unit
    if has_unit and cells and cells[0][0] in table.units:
        unit = cells[0][0]
    if has_unit and len(cells) == width - 1 and all(_NUMBER.match(raw.replace(",", "")) for raw, _ in cells):
        cells = [("", label.location), *cells]  # every cell a number: none is the unit cell, which is not printed
    values = cells[has_unit + has_code:] if len(cells) == width else None
    code_ok = not has_code or (len(cells) == width and (cells[has_unit][0] == "" or _CODE.match(cells[has_unit][0])))
    unit_ok = not has_unit or (len(cells) == width and (cells[0][0] == "" or cells[0][0] in table.units))
    parsed = [_value(raw) for raw, _ in values] if values is not None else []
    if columns and values is not None and code_ok and unit_ok and None not in parsed:
        for col, (raw, where), value in zip(columns, values, parsed):
            assert value is not None
            out.cells.append(StatCell(row.key, label.text, col.measure, value, unit, raw, where))
        return
    value_numbers = numbers[1:] if has_code and numbers and _CODE.match(numbers[0][0]) and len(numbers[0][0]) >= 2 \
        else numbers
    if not value_numbers and columns:  # no number printed: every cell blank (not zero)
        for col in columns:
            out.cells.append(StatCell(row.key, label.text, col.measure, math.nan, unit, "", label.location))
        return
    why = ("the header names no value column" if not columns else
           f"the row prints {len(cells)} cells where the header names {width}")
    out.problems.append((label.location, f"统计表 {row.label_zh}: {why}; its numbers are not placed"))
    out.unplaced.extend(Token(raw, where, VALUE) for raw, where in value_numbers)


def _value(raw: str) -> float | None:
    """A cell's number (NaN for an empty or not-stated cell), or None when it is no number."""
    text = raw.replace(",", "").strip()
    if text == "" or text in get_layout().not_stated:
        return math.nan
    return float(text) if _NUMBER.match(text) else None
