"""The template reader: a Document's table sections → cells placed on the format's rows.

Reads by labels and by the number of values each row must hold (from
``layouts.toml``), never by line position, so the same code reads cells one per line
(copied web pages), label-and-numbers lines (PDF text, markdown) and table grids
(HTML, Word): every reader hands it the same lines of cells.

Stages:

1. :func:`~shaoyang_report.read.sections.split_sections` finds the report's headings.
2. A walk over each table section (:func:`~shaoyang_report.read.walk.walk_section`)
   matches row labels in printed order (:mod:`shaoyang_report.read.labels`) and gives
   each row the cells that follow it: values, and the empty cells the text shows
   (``| |``, a bare ``|``). Captions and header cells (the table's ``frame`` in
   ``layouts.toml``) end a row; a block's header picks its column set.
3. Each row is then placed (:func:`_place`, this module) only where that is certain: a
   row holds exactly as many values as the format gives it; or none at all (its cells
   are blank); or fewer, where the document shows its empty cells in place (a grid, or
   a text whose rows print empty cells between values, see :func:`_empty_cells`).
   Anything else — too many values, too few with empty cells that left no trace,
   values after text that is no label, values after a group label — is a problem,
   and its numbers are listed as unplaced, never put on a guessed row or column.
   What the document shows of its empty cells is worked out once (:func:`_empty_cells`,
   :func:`_trailing_padding`: which marks stand for an empty cell, which pad rows); a
   block whose header names fewer columns is read by its header where its rows agree
   (:func:`_read_by_headers`); a row is not placed where its table shows a label may be
   lost (:mod:`shaoyang_report.read.doubts`), or where an empty cell between
   its label and its values may be the label's own (``beside_empty``, :func:`_label_fillers`).

Page furniture printed inside a table (``- 3 -``, a markdown rule ``|---|``) is
skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.layout import Column, Row, Table, get_layout
from shaoyang_report.read.document import BLANK, GLUED, PAD, VALUE, Document, Token
from shaoyang_report.read.doubts import doubt_adjacent, doubt_shapes, doubt_skips
from shaoyang_report.read.sections import TABLE_NUMERALS, first_table_line
from shaoyang_report.read.walk import RowRead, Walk, walk_section


@dataclass(slots=True)
class PlacedRow:
    """A row found in the document with one token per column.

    Attributes:
        row: The layout row.
        label: The printed label (None for a row without one, table 四).
        values: One token per column: a ``value``, or a ``blank`` for an empty cell.
        columns: The column set read (the format's, or the one the block's header
            printed, see ``alt_columns`` in ``layouts.toml``).
        header_unit: A money unit the block's header states (``单位：万元``), used
            for cells that print none.
    """

    row: Row
    label: Token | None
    values: list[Token] = field(default_factory=list)
    columns: tuple[Column, ...] = ()
    header_unit: str | None = None


@dataclass(slots=True)
class TableRead:
    """What was read from one table section.

    Attributes:
        section: ``active_disclosure``, ``applications`` or ``review_litigation``.
        table: The layout table used.
        rows: Rows placed, in printed order, with their value tokens.
        shapes: For rows printable in two shapes, which one this report used
            (``{"other_processing": "row"}``).
        unplaced: Value tokens that could not be put on a row and column with
            certainty (empty cells are not listed: they hold no number).
        missing: ``(row key, reason)`` for expected rows not placed.
        problems: ``(where, message)`` for rows and cells that could not be read.
        notes: ``(where, message)``: what was read but is worth knowing (a label
            with a typo, a footnote mark, digits run into a label).
    """

    section: str
    table: Table
    rows: list[PlacedRow] = field(default_factory=list)
    shapes: dict[str, str] = field(default_factory=dict)
    unplaced: list[Token] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- placement

@dataclass(frozen=True, slots=True)
class _Empties:
    """What a document shows of its empty cells (see :func:`_empty_cells` and :func:`_trailing_padding`).

    Attributes:
        in_place: The kinds of empty cell (``blank``, ``pad``) printed in place of a value.
        between: The kinds of empty cell some row prints between two of its values (:func:`_between_kinds`):
            where its table's complete rows do not end with them (``trailing``), they are empty cells.
        trailing: ``(section, width, kind)`` → how many empty cells of that kind pad a
            complete row of that width after its last value (most such rows print them).
        grid: The document is a grid (HTML, Word, markdown).
    """

    in_place: frozenset[str]
    trailing: dict[tuple[str, int, str], int]
    grid: bool
    between: frozenset[str] = frozenset()

    def padding(self, section: str, read: RowRead, kinds: frozenset[str] | None = None) -> int:
        """How many of the empty cells of ``kinds`` (default: the in-place ones) a row ends with pad it:
        as many as its table's other rows of its width end with, or its block's header
        (信息内容 | 上一年项目数量 | 本年增/减 | |)."""
        kinds = self.in_place if kinds is None else kinds
        tail = [c.kind for c in read.cells[_last_value(read.cells) + 1:] if c.kind in kinds]
        rows = sum(self.trailing.get((section, len(read.columns), k), 0) for k in set(tail))
        return min(len(tail), max(rows, sum(read.header_fill.get(k, 0) for k in set(tail))))


def _trailing_padding(walks: list[Walk]) -> dict[tuple[str, int, str], int]:
    """How many empty cells pad a complete row after its last value, per table, row width and kind.

    A page pads the rows that hold fewer values than its table has columns (``行政许可 | 0 | |``),
    and does so for every such row: the count most complete rows of a width print, where most
    print some. An empty cell more after the values of a complete row is one cell too many (a
    value line printed twice shows so); one fewer after a shorter row is its last cell, empty.
    """
    complete: dict[tuple[str, int], int] = {}
    counts: dict[tuple[str, int, str], list[int]] = {}
    for walk in walks:
        for read in walk.reads:
            width = len(read.columns)
            if not width or sum(1 for c in read.cells if c.kind in (VALUE, GLUED)) != width:
                continue
            complete[(walk.section, width)] = complete.get((walk.section, width), 0) + 1
            tail = read.cells[_last_value(read.cells) + 1:]
            for kind in (BLANK, PAD):
                n = sum(1 for c in tail if c.kind == kind)
                if n:
                    counts.setdefault((walk.section, width, kind), []).append(n)
    return {key: max(set(ns), key=ns.count) for key, ns in counts.items() if 2 * len(ns) > complete[key[:2]]}


def _empty_cells(doc: Document, walks: list[Walk], trailing: dict[tuple[str, int, str], int]) -> frozenset[str]:
    """Which kinds of empty cell this document prints in place (``blank``, ``pad``).

    In a grid (HTML, Word) or a markdown table every cell is printed, empty or not. In
    copied text it depends on the page: an empty cell may show as ``| |``, as a bare
    ``|`` line, or leave no trace, while the same marks also pad rows to the table's
    width. A kind of empty cell is taken to stand in place when some row prints it
    before or between its values and then ends with exactly as many cells as the row
    has columns, and no row prints more cells than its columns that way; or when the
    document never uses it as padding (after a complete row, or after a caption or
    header, whose cell counts the layout knows). The empty cells a table's complete rows
    all end with (``trailing``, :func:`_trailing_padding`), or its block's header, pad its
    rows: they are left out.
    """
    kinds: set[str] = set()
    if _is_grid(doc):
        kinds.add(BLANK)
    for kind, other in ((BLANK, PAD), (PAD, BLANK)):
        support = counter = 0
        padding = sum(walk.loose.get(kind, 0) for walk in walks)
        for walk in walks:
            for read in walk.reads:
                width = len(read.columns)
                seq = [c for c in read.cells if c.kind in (VALUE, GLUED, kind)]
                values = sum(1 for c in seq if c.kind != kind)
                if not width or not values or (read.row.beside_empty and seq[0].kind == kind):
                    continue  # (an empty cell beside such a label may be the label's own: no evidence)
                pad = min(max(trailing.get((walk.section, width, kind), 0), read.header_fill.get(kind, 0)),
                          len(seq) - 1 - _last_value(seq))
                seq = seq[:len(seq) - pad]  # the empty cells its table's rows end with: padding
                if values == width:
                    padding += len(seq) > width  # empty cells beside a complete row: padding
                elif len(seq) > width:
                    counter += 1  # more cells than columns: some are padding, which ones?
                elif len(seq) == width and any(c.kind == kind for c in seq[:_last_value(seq) + 1]) \
                        and not any(c.kind == other for c in read.cells[:_last_value(read.cells) + 1]):
                    support += 1  # empty cells before or between values, exactly a cell per column
        if not counter and (support or not padding):
            kinds.add(kind)
    return frozenset(kinds)


def _between_kinds(walks: list[Walk]) -> frozenset[str]:
    """The kinds of empty cell (``blank``, ``pad``) some row of the document prints between two of its values."""
    kinds: set[str] = set()
    for walk in walks:
        for read in walk.reads:
            cells = read.cells
            last = _last_value(cells)
            first = next((k for k, c in enumerate(cells) if c.kind in (VALUE, GLUED)), last)
            kinds.update(c.kind for c in cells[first + 1:last] if c.kind in (BLANK, PAD))
    return frozenset(kinds)


def _last_value(cells: list[Token]) -> int:
    """Index of the last value among cells (-1 when there is none)."""
    for k in range(len(cells) - 1, -1, -1):
        if cells[k].kind in (VALUE, GLUED):
            return k
    return -1


def _is_grid(doc: Document) -> bool:
    """A grid prints every cell, empty ones too, a row per line (HTML, Word, markdown)."""
    return doc.reader in ("html", "docx") or doc.grid


def _unglue(read: RowRead, values: list[Token], in_place: frozenset[str]) -> tuple[list[Token] | None, str]:
    """Values with digits run into the label split off, where that is certain.

    ``规章000`` in a row of three gives three values of one digit each: the row prints
    nothing else, so each of its cells is one digit. ``行政许可0`` in a row of one gives
    one value. Where the row prints other cells after the digits (``…信息31411 9665
    83997``, ``规章0 | |``: other values, or empty cells printed in place), its cells are
    separated: the digits are one value, the first cell. Otherwise the split is not
    certain (None and why).
    """
    if not values or values[0].kind != GLUED:
        return values, ""
    glued, rest = values[0], values[1:]
    need = len(read.columns) - len(rest)
    digits = glued.text
    if need == 1 or any(c is not glued and (c.kind in (VALUE, GLUED) or c.kind in in_place) for c in read.cells):
        return [Token(digits, glued.location, VALUE), *rest], f"value {digits} printed run into the label"
    if need == len(digits) and need > 1:
        return [Token(d, glued.location, VALUE) for d in digits] + rest, \
            f"values {' '.join(digits)} printed run into the label, one digit each"
    return None, (f"digits {digits!r} are run into the label: they cannot be split into {need} "
                  f"value(s) with certainty")


def _label_fillers(read: RowRead, first: int, in_place: frozenset[str]) -> int:
    """How many of the empty cells between a label and its first value are the label's own (0: not certain).

    Only a row printed whole on its label's line (a row per line, markdown) shows it: a
    value for each column, or cells (every empty one printed in place) as many more than
    its columns as the label's own cells are, ending with a value. In a table printed a
    cell per line an empty cell there could as well be its first column, with a value
    line printed twice after it.
    """
    home = _line_of(read.label.location) if read.label else None
    if home is None or any(_line_of(c.location) != home for c in read.cells):
        return 0
    lead = read.cells[:first]
    values = [c for c in read.cells if c.kind in (VALUE, GLUED)]
    if len(values) == len(read.columns) and all(c.kind in (VALUE, GLUED) for c in read.cells[first:_last_value(read.cells)]):
        return len(lead)  # a value for each column, on one line: the empty cells before them are the label's
    shown = [c for c in read.cells if c.kind in (VALUE, GLUED) or c.kind in in_place]
    extra = len(shown) - len(read.columns)
    trailing = any(c.kind in in_place for c in read.cells[_last_value(read.cells) + 1:])
    if 0 < extra <= len(lead) and all(c.kind in in_place for c in lead[:extra]) and not trailing:
        return extra  # (an empty cell after its last value could as well be the one too many)
    return 0


@lru_cache(maxsize=1 << 12)
def _line_of(location: str) -> str:
    """The printed line (or grid row) of a location: ``line 12, value 3`` → ``line 12``."""
    return _VALUE_IN_LINE.sub("", location)


_VALUE_IN_LINE = re.compile(r", (?:value|col) \d+$")


def _grid_col(tok: Token) -> int:
    """The grid column of a cell (``table 3, row 5, col 2`` → 2; -1 when not a grid cell)."""
    return _column_of(tok.location)


@lru_cache(maxsize=1 << 12)
def _column_of(location: str) -> int:
    m = _GRID_COL.search(location)
    return int(m.group(1)) if m else -1


_GRID_COL = re.compile(r"col (\d+)$")


def _columns_key(columns: tuple[Column, ...]) -> tuple[str, ...]:
    return tuple(c.label_zh for c in columns)


def _grid_starts(reads: list[RowRead]) -> dict[tuple[str, ...], int | None]:
    """For each column set, the grid column of its first value, as its complete rows print it.

    None where complete rows disagree (or none is a grid row).
    """
    starts: dict[tuple[str, ...], int | None] = {}
    for read in reads:
        values = [c for c in read.cells if c.kind == VALUE]
        if not read.columns or len(values) != len(read.columns):
            continue
        cols = [_grid_col(c) for c in values]
        start = cols[0] if cols == list(range(cols[0], cols[0] + len(cols))) and cols[0] >= 0 else None
        key = _columns_key(read.columns)
        if key in starts and starts[key] != start:
            start = None
        starts[key] = start
    return starts


def _place(read: RowRead, section: str, empties: _Empties, truncated: bool, row_lines: bool,
           out: TableRead, problem, grid_start=lambda columns: None) -> None:
    """Decide one row: placed, blank, missing, or a problem with its numbers unplaced."""
    in_place, grid = empties.in_place, empties.grid
    row, width = read.row, len(read.columns)
    name = read.label.text if read.label else row.label_zh
    where = read.label.location if read.label else (read.cells[0].location if read.cells else "")
    label = f"table {TABLE_NUMERALS[section]} row {name}"
    values = [c for c in read.cells if c.kind in (VALUE, GLUED)]

    def reject(message: str, at: str = where, reason: str = "") -> None:
        problem(at, message)
        out.unplaced.extend(t for t in values if t.kind in (VALUE, GLUED))
        if width:
            out.missing.append((row.key, reason or "its values could not be placed (see problems)"))

    def place(tokens: list[Token]) -> None:
        out.rows.append(PlacedRow(row, read.label, tokens, read.columns, read.header_unit))
        if row.shape_of:
            out.shapes[row.shape_of] = "row"

    if not width:  # a group label: it holds no values
        if values:
            reject(f"{label} is a group label, which holds no values: the values after it have no row "
                   f"label of their own", values[0].location)
        return
    if read.ended == "end" and truncated and len(values) < width and \
            len([c for c in read.cells if c.kind in (VALUE, GLUED) or c.kind in in_place]) < width:
        out.missing.append((row.key, f"the text ends after {len(values)} of its {width} values"))
        out.unplaced.extend(values)
        return
    if read.jumped and not row_lines:  # (with no values too: its cells, empty or not, may be printed later)
        reject(f"{label} was read where {read.jumped} was due, and {read.jumped} is printed later: in a table "
               f"printed a cell per line, the cells after a label may be the other's")
        return
    if read.garbled:
        reject(f"{label}: its label cell goes on with {read.garbled!r}, numbers run into text: "
               f"whose they are is not certain")
        return
    first = next((k for k, c in enumerate(read.cells) if c.kind in (VALUE, GLUED)), len(read.cells))
    if values and row.beside_empty and _grid_col(values[0]) < 0 and any(c.kind in (BLANK, PAD) for c in read.cells[:first]):
        # (a grid's columns say it: HTML and Word grids drop the label columns' empty cells, readers.grid)
        fillers = _label_fillers(read, first, in_place)
        if not fillers:
            reject(f"{label}: an empty cell between its label and its first value may be the label's own cell "
                   f"or its first column: no value's column is certain", values[0].location)
            return
        read.cells = read.cells[fillers:]  # the label's own cells are none of the row's
        first -= fillers
    unglued, why = _unglue(read, values, in_place)
    if unglued is None:
        reject(f"{label}: {why}")
        return
    if why:
        out.notes.append((where, why))
    values = unglued
    printed, header = read.pieces
    if header and printed != header and len(values) < width \
            and all(_line_of(c.location) == _line_of(where) for c in read.cells):
        reject(f"{label} prints {printed} cells on its line, its block's header {header}: which of its "
               f"cells are empty is not certain", reason="its line and its block's header differ")
        return
    if not values:
        if row.shape_of and read.next_row is not None and read.next_row.parent == row.key:
            out.shapes[row.shape_of] = "group"
            return
        if read.unknown:
            reject(f"{label} has no values before '{''.join(t.text for t in read.unknown)}', which is no row "
                   f"label of the format: its cells are not certain")
            return
        if read.orphans:
            reject(f"{label} has no values, and {read.orphans} value(s) with no row label follow the caption or "
                   f"header after it: they may be its cells", reason="its cells may be printed after a header")
            return
        # printed with every cell empty: it shows them (行政许可 | ||||), or, in a table
        # printed a cell per line, the next row's label follows it directly
        if read.shows_every_cell() or (not row_lines and not read.next_late and not read.late
                                       and (read.ended in ("label", "frame") or (read.ended == "end" and not truncated))):
            place([Token("", where, BLANK) for _ in range(width)])
            return
        reject(f"{label} has no values, and the text does not show its cells: they may be printed "
               f"elsewhere", reason="no values printed beside its label")
        return
    if read.doubt and values:
        reject(f"{label}: {read.doubt}; its columns are not certain", values[0].location)
        return
    if len(values) == width:
        if any(c.kind in (BLANK, PAD) for c in read.cells[first:_last_value(read.cells)]):
            reject(f"{label} has more than {width} cells: {width} values and an empty cell between them, "
                   f"so no value's column is certain", values[0].location)
            return
        if any(c.kind in (BLANK, PAD) for c in read.cells[:first]):  # between its label and its values
            reject(f"{label} has more than {width} cells: an empty cell before its {width} values, "
                   f"so no value's column is certain", values[0].location)
            return
        tail = read.cells[_last_value(read.cells) + 1:]
        # (after the table's last row of a block the page may pad more: there only a kind printed between
        # values that its table's complete rows do not end with counts)
        shown = (in_place if read.ended == "label" else frozenset()) | \
            {k for k in empties.between if (section, width, k) not in empties.trailing}
        if not grid and sum(1 for c in tail if c.kind in shown) > empties.padding(section, read, shown):
            reject(f"{label} has more than {width} cells: an empty cell after its {width} values, which the "
                   f"table's other rows do not print, so no value's column is certain", values[0].location)
            return
        place(values)
        return
    if len(values) > width:
        reject(f"{label} has more than {width} values ({len(values)}): no value's column is certain",
               values[width].location)
        return
    # table 四 printed a cell per line: the empty cells after its headers are its first
    # cells where the document prints empty cells so (else they pad the headers)
    cells = [c for c in (*read.leading, *read.cells) if c.kind in (VALUE, GLUED) or c.kind in in_place]
    if _grid_col(values[0]) < 0:  # in text (markdown too), the empty cells its table's rows end with pad it
        del cells[len(cells) - empties.padding(section, read):]
    ambiguous = any(c.kind not in in_place and c.kind in (BLANK, PAD) for c in read.cells[:_last_value(read.cells)])
    start = grid_start(read.columns) if grid else None
    if start is not None:  # a grid whose complete rows show where these columns stand
        by_column = {_grid_col(c) - start: c for c in cells}
        if len(by_column) == len(cells) and all(k in by_column for k in range(width)) \
                and all(0 <= k < width for k, c in by_column.items() if c.kind == VALUE):
            place([by_column[k] if by_column[k].kind == VALUE else Token("", by_column[k].location, BLANK)
                   for k in range(width)])
            return
    elif grid and _grid_col(values[0]) >= 0:  # HTML, Word: the value columns start where its values and
        # headers do, the label columns' empty cells dropped (readers.grid)
        fits = len(cells) >= width and not any(c.kind == VALUE for c in cells[width:])
    else:  # in text (markdown too) every empty cell must be accounted for
        fits = len(cells) == width
    if start is None and in_place and fits and not ambiguous and not any(c.kind == GLUED for c in cells):
        place([c if c.kind == VALUE else Token("", c.location, BLANK) for c in cells[:width]])
        return
    reject(f"{label} has {len(values)} values, expected {width}: the text does not show which of its "
           f"cells are empty, so no value's column is certain")


#: Where a table shows no empty cell, how many rows must print the count its header names.
_TRACELESS_AGREEING = 3


def _read_by_headers(walk: Walk, empties: _Empties, out: TableRead) -> None:
    """Rows whose block header names fewer columns than the format prints: read by the header.

    Only where the block's rows agree: more of them show as many cells (values, and empty
    cells printed in place) as the header names than as the format has, and none fewer.
    Where as many or more show the format's count, the header lost a name (a header line
    lost or printed elsewhere): the format's columns stand. Where rows show fewer (empty
    cells leaving no trace: counts do not tell a column the header lacks from an empty
    cell), neither is certain: a row holding the format's count of values is a problem.
    In a table that shows no empty cell at all, at least :data:`_TRACELESS_AGREEING` rows
    must agree (two rows of a block each with one empty cell gone say nothing). A row whose
    cells fit both counts — the header's up to its last value, the format's with the empty
    cells after it, which may pad it — is a problem either way.
    """
    traceless = not walk.loose and not any(c.kind in (BLANK, PAD) for r in walk.reads for c in r.cells)
    in_place = empties.in_place
    groups: dict[tuple[str, ...], list[RowRead]] = {}
    for read in walk.reads:
        if read.named:
            groups.setdefault((read.named_at, *_columns_key(read.named)), []).append(read)
    for group in groups.values():
        named = group[0].named
        # empty cells: those printed in place, and a kind some row prints between values that its table's
        # complete rows of this width never end with (a bare | where | also pads other tables' rows)
        kinds = in_place | {k for k in empties.between if (walk.section, len(group[0].columns), k) not in empties.trailing}
        shown = [sum(1 for c in r.cells if c.kind in (VALUE, GLUED) or c.kind in kinds) for r in group]
        # up to its last value: an empty cell after it may pad the row
        core = [sum(1 for c in r.cells[:_last_value(r.cells) + 1] if c.kind in (VALUE, GLUED) or c.kind in kinds)
                for r in group]
        left_out = "、".join(c.label_zh for c in group[0].columns if c not in named)
        for read, n, m in zip(group, core, shown):
            if n <= len(named) and n < len(read.columns) <= m - empties.padding(walk.section, read, kinds):
                # as many cells as the header names up to its last value, as the format has with the empty cells
                # after it (padding, or its last cells?): neither count is certain
                read.doubt = (f"the header names {len(named)} of its {len(read.columns)} columns (not {left_out}), "
                              f"and its cells fit both, with or without the empty cells after its last value")
        by_header = sum(len(named) in (n, m) for n, m in zip(core, shown))
        over = sum(sum(1 for c in r.cells if c.kind in (VALUE, GLUED)) > len(named) for r in group)
        if sum(len(r.columns) in (n, m) for n, m, r in zip(core, shown, group)) >= by_header or over >= by_header:
            continue  # as many of its rows print the format's columns, or more values than the header names:
            # the header lacks a name, not they a column
        if traceless and by_header < _TRACELESS_AGREEING:
            continue  # where empty cells leave no trace, a row or two one value short say nothing of a column
        if any(0 < n < len(named) for n in shown):  # (fewer cells than the header names: empty cells lost)
            for read in group:
                read.doubt = f"the header names {len(named)} of its {len(read.columns)} columns (not {left_out})"
            continue
        out.notes.append((group[0].named_at, f"table {TABLE_NUMERALS[walk.section]}: the header names "
                                             f"{len(named)} of the {len(group[0].columns)} columns (not {left_out}), "
                                             f"and its rows print as many: read by the header"))
        for read in group:
            read.columns = named
            out.missing.append((read.row.key, f"column {left_out} not printed: the header does not name it"))


def read_tables(
    doc: Document,
    bounds: dict[str, tuple[int, int]],
    template: str,
    *,
    strict: bool = False,
    cut: Token | None = None,
) -> dict[str, TableRead]:
    """Place the values of every table section of a document on the format's rows.

    Args:
        doc: The document.
        bounds: Line ranges of the sections (:func:`split_sections`).
        template: The report's format (``F2019``, ``F2021``).
        strict: Raise :class:`ReportFormatError` at the first row or cell that cannot
            be placed; otherwise list it in ``problems`` and its numbers in ``unplaced``.
        cut: The document's last token when the text ends inside it (a cut number):
            never placed.

    Returns:
        A :class:`TableRead` per table section found, in printed order.

    Raises:
        ReportFormatError: With ``strict``, the first doubt (in printed order); in any
            mode, a shaped row printed in a shape the format does not allow.
    """
    layout = get_layout()
    fmt = layout.formats[template]
    sections = [s for s in TABLE_NUMERALS if s in bounds]
    last = max(bounds, key=lambda s: bounds[s][0]) if bounds else None
    walks = []
    for section in sections:
        start, end = first_table_line(doc, bounds, section), bounds[section][1]
        walks.append(walk_section(doc.lines[start:end], section, layout.table_for(template, section), cut,
                                  grid=_is_grid(doc)))
    doubt_adjacent(walks)
    trailing = _trailing_padding(walks)
    in_place = _empty_cells(doc, walks, trailing)
    empties = _Empties(in_place, trailing, _is_grid(doc), _between_kinds(walks))
    reads: dict[str, TableRead] = {}
    for walk in walks:
        out = TableRead(section=walk.section, table=walk.table, unplaced=list(walk.unplaced),
                        problems=list(walk.problems), notes=list(walk.notes))
        _read_by_headers(walk, empties, out)
        if not walk.row_lines:
            doubt_skips(walk, fmt.shapes)
        doubt_shapes(walk)
        truncated = walk.section == last
        starts = _grid_starts(walk.reads) if _is_grid(doc) else {}
        for read in walk.reads:
            _place(read, walk.section, empties, truncated, walk.row_lines, out,
                   lambda w, m, problems=out.problems: problems.append((w, m)),
                   lambda columns, starts=starts: starts.get(_columns_key(columns)))
        out.problems.sort(key=lambda p: _order(p[0]))
        for row_key, choices in fmt.shapes.items():
            if row_key in out.shapes and out.shapes[row_key] not in choices:
                raise ReportFormatError(
                    doc.source,
                    f"table {TABLE_NUMERALS[walk.section]} prints {row_key} as a {out.shapes[row_key]}, "
                    f"which this format does not (expected {' or '.join(choices)})",
                )
        shapes = {k: out.shapes.get(k, v[0]) for k, v in fmt.shapes.items()}
        printed = {p.row.key for p in out.rows}
        missing_keys = {k for k, _ in out.missing}
        for row in walk.table.expected_rows(shapes):
            if row.key not in printed and row.key not in missing_keys:
                out.missing.append((row.key, "the text ends before this row" if truncated else "row not found"))
        reads[walk.section] = out
    if strict:
        doubts = [p for read in reads.values() for p in read.problems]
        if doubts:
            where, message = min(doubts, key=lambda p: _order(p[0]))
            raise ReportFormatError(doc.source, message, where)
    return reads


def _order(where: str) -> tuple[int, ...]:
    """Sort key of a location (``line 41``, ``line 12, value 3``, ``table 2, row 5, col 2``)."""
    return tuple(int(n) for n in re.findall(r"\d+", where)) or (0,)
