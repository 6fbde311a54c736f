"""The template reader: a Document's table sections → placed cells.

Reads by labels and by the number of values each row must hold (from
``layouts.toml``), never by line position, so the same code reads cells one per line
(copied web pages), label-and-numbers lines (PDF text, markdown) and table grids
(HTML, Word): every reader hands it the same lines of cells.

Stages:

1. :func:`split_sections` finds the report's headings.
2. A walk over each table section (:func:`_walk`) matches row labels in printed order
   and gives each row the cells that follow it: values, and the empty cells the text
   shows (``| |``, a bare ``|``). Captions and header cells (the table's ``frame``
   in ``layouts.toml``) end a row; a block's header picks its column set.
3. Each row is then placed (:func:`_place`) only where that is certain: a row holds
   exactly as many values as the format gives it; or none at all (its cells are
   blank); or fewer, where the document shows its empty cells in place (a grid, or
   a text whose rows print empty cells between values, see :func:`_empty_cells`).
   Anything else — too many values, too few with empty cells that left no trace,
   values after text that is no label, values after a group label — is a problem,
   and its numbers are listed as unplaced, never put on a guessed row or column.

Page furniture printed inside a table (``- 3 -``, a markdown rule ``|---|``) is
skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.layout import Column, ColumnSet, Row, Table, get_layout
from shaoyang_report.read.cells import is_furniture
from shaoyang_report.read.document import (
    BLANK,
    GLUED,
    PAD,
    TEXT,
    VALUE,
    Document,
    Line,
    Token,
)
from shaoyang_report.read.text import normalize

# Chinese numbers of the printed tables, for messages.
TABLE_NUMERALS = {"active_disclosure": "二", "applications": "三", "review_litigation": "四"}
# How many consecutive unmatched text cells may be joined to find a broken label.
_MAX_FRAGMENTS = 4
#: A label at least this long (normalised, numbering dropped) is still recognised with
#: one character changed, added or dropped (行政事业型收费 for 行政事业性收费).
FUZZY_MIN_CHARS = 5
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]{1,2}、|\([一二三四五六七八九十]{1,2}\)|\d{1,2}[.、])")
_INFO_CONTENT = "信息内容"
_MONEY_HEADER = re.compile(r"(万元|元)")


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


@dataclass(slots=True)
class _RowRead:
    """A row label found by the walk, with every cell that followed it."""

    row: Row
    label: Token | None
    columns: tuple[Column, ...]
    header_unit: str | None
    line: int  # index of the line holding the label (or, without a label, the first value)
    cells: list[Token] = field(default_factory=list)  # value, glued, blank and pad tokens
    late: bool = False
    garbled: str = ""  # numbers printed in its label cell after the label: whose?
    unknown: list[Token] = field(default_factory=list)  # text no label, seen while reading it
    next_row: Row | None = None
    ended: str = ""  # "label", "frame", "unknown" or "end"
    next_late: bool = False  # the label that ended it was printed out of order
    on_label_line: int = 0  # values printed on the label's line
    leading: list[Token] = field(default_factory=list)  # table 四 in text: empty cells before its first line

    def add(self, tok: Token, index: int) -> None:
        """Take a cell printed on line ``index`` of the section."""
        self.cells.append(tok)
        if index == self.line and tok.kind in (VALUE, GLUED):
            self.on_label_line += 1

    def complete_on_label_line(self, index: int) -> bool:
        """Whether a cell on line ``index`` comes after a label line that held all the row's values."""
        return index != self.line and 0 < len(self.columns) <= self.on_label_line

    def counts(self) -> tuple[int, int]:
        """``(values, empty cells)`` that followed the label."""
        values = sum(1 for c in self.cells if c.kind in (VALUE, GLUED))
        return values, len(self.cells) - values

    def shows_every_cell(self) -> bool:
        """Whether it printed a cell, value or empty, for each of its columns (``行政许可 | ||||``)."""
        values, empties = self.counts()
        return values <= len(self.columns) <= values + empties

    def plausible(self) -> bool:
        """Whether the row, as far as the walk can tell, printed what its columns need."""
        values, _ = self.counts()
        if not self.columns:
            return values == 0
        if values == 0 and self.row.shape_of and self.next_row is not None and self.next_row.parent == self.row.key:
            return True
        return values == len(self.columns) or self.shows_every_cell()


@dataclass(slots=True)
class _Walk:
    section: str
    table: Table
    row_lines: bool = True
    loose: dict[str, int] = field(default_factory=dict)  # empty cells printed outside any row (padding)
    reads: list[_RowRead] = field(default_factory=list)
    unplaced: list[Token] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


def find_heading(norm: str) -> str | None:
    """The section a normalised line is the heading of, if it is one."""
    layout = get_layout()
    if not norm or len(norm) > layout.max_heading_chars:
        return None
    m = _headings().match(norm)
    return m.lastgroup.rsplit("_", 1)[0] if m else None


@cache
def _headings() -> re.Pattern[str]:
    """Every section's heading patterns as one, in the layout's order (a group each)."""
    layout = get_layout()
    return re.compile("|".join(f"(?P<{section}_{k}>{p.pattern})" for section in layout.section_order
                               for k, p in enumerate(layout.section_patterns[section])))


@lru_cache(maxsize=1 << 12)
def _heading_of_line(text: str) -> str | None:
    """The section a printed line is the heading of (lines repeat across reports: kept)."""
    return find_heading(normalize(text.replace("|", "")))


def split_sections(doc: Document) -> dict[str, tuple[int, int]]:
    """Line ranges ``[start, end)`` of each section heading found, in printed order.

    A heading is taken only after the previous section's heading, so a table row such
    as ``四、结转下年度继续办理`` is never read as heading 四. Worked out once per document.
    """
    if "sections" not in doc.cache:
        doc.cache["sections"] = _split_sections(doc)
    return dict(doc.cache["sections"])


def _split_sections(doc: Document) -> dict[str, tuple[int, int]]:
    order = get_layout().section_order
    found: list[tuple[str, int]] = []
    for i, line in enumerate(doc.lines):
        section = _heading_of_line(line.text)
        if section is None:
            continue
        if found and order.index(section) <= order.index(found[-1][0]):
            continue
        found.append((section, i))
    bounds = {}
    for k, (section, start) in enumerate(found):
        end = found[k + 1][1] if k + 1 < len(found) else len(doc.lines)
        bounds[section] = (start, end)
    return bounds


# --------------------------------------------------------------------------- labels

def _core(text: str) -> str:
    """A normalised label without its numbering (``(一)``, ``1.``, ``三、``)."""
    return _NUMBERING.sub("", text)


def _distance_at_most_one(a: str, b: str) -> bool:
    """Whether two strings differ by at most one character substituted, added or dropped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


_FUZZY_CORES: dict[int, dict[int, list[tuple[int, str]]]] = {}  # by id() of a layout table's rows


def _fuzzy_cores(rows: tuple[Row, ...]) -> dict[int, list[tuple[int, str]]]:
    """``{length: [(index, label core)]}`` of the labels long enough to be read one character off.

    Kept per layout table for the process.
    """
    cores = _FUZZY_CORES.get(id(rows))
    if cores is None:
        cores = _FUZZY_CORES[id(rows)] = {}
        for i, row in enumerate(rows):
            core = _core(normalize(row.label_zh))
            if row.patterns and len(core) >= FUZZY_MIN_CHARS:
                cores.setdefault(len(core), []).append((i, core))
    return cores


def _fuzzy(rest: str, rows: tuple[Row, ...], start: int) -> int | None:
    """The one row from ``start`` whose whole label is one character off ``rest``."""
    if len(rest) < FUZZY_MIN_CHARS:
        return None
    core = _core(rest)
    by_length = _fuzzy_cores(rows)
    hits = [i for n in (len(core) - 1, len(core), len(core) + 1) for i, c in by_length.get(n, ())
            if i >= start and _distance_at_most_one(core, c)]
    return min(hits) if len(hits) == 1 else None


def _label_chain(text: str, rows: tuple[Row, ...], start: int, stop: int, seen: set[str] = frozenset()) -> list[int]:
    """Indices of the rows in ``[start, stop)`` whose labels a text cell holds, in order.

    One cell may hold several labels (``三、本年度办理结果(一)予以公开``); rows in ``seen``
    are passed over.
    """
    rest = normalize(text)
    hits: list[int] = []
    pos = start
    while rest and pos < stop:
        if not seen and stop == len(rows):  # the usual case: one regular expression for rows pos…
            m = _labels_from(rows, pos).match(rest)
            if m is None or m.end() == 0:
                break
            i = int(m.lastgroup[1:].split("_")[0])
        else:
            for i in range(pos, stop):
                if rows[i].key in seen:
                    continue
                m = next((m for p in rows[i].patterns if (m := p.match(rest))), None)
                if m is not None and m.end() > 0:
                    break
            else:
                break
        hits.append(i)
        rest = rest[m.end():]
        pos = i + 1
    return hits


_LABELS_FROM: dict[tuple[int, int], re.Pattern[str]] = {}


def _labels_from(rows: tuple[Row, ...], pos: int) -> re.Pattern[str]:
    """The labels of rows ``pos…`` as one pattern: the first alternative matching names the row.

    Kept per layout table and position for the process (a table has some thirty rows).
    """
    key = (id(rows), pos)
    pattern = _LABELS_FROM.get(key)
    if pattern is None:
        alternatives = [f"(?P<r{i}_{k}>{p.pattern})" for i in range(pos, len(rows))
                        for k, p in enumerate(rows[i].patterns)]
        pattern = _LABELS_FROM[key] = re.compile("|".join(alternatives) or "(?!)")
    return pattern


# A report's cells repeat across reports (headers, labels): their matches are kept.
_TABLES: dict[int, tuple[Row, ...]] = {}  # layout tables' rows by id() (kept for the process)


@lru_cache(maxsize=4096)
def _match_labels_cached(text: str, rows_id: int, start: int) -> tuple[tuple[int, ...], bool]:
    """Indices of the rows whose labels a text cell holds, in order, from ``start``, and whether
    the (only) label was read one character off."""
    rows = _TABLES[rows_id]
    hits = _label_chain(text, rows, start, len(rows))
    if not hits:
        i = _fuzzy(normalize(text), rows, start)
        if i is not None:
            return (i,), True
    return tuple(hits), False


def _after_labels(text: str, rows: list[Row]) -> str:
    """What a label cell holds after the labels of ``rows`` (matched in turn)."""
    rest = normalize(text)
    for row in rows:
        m = next((m for p in row.patterns if (m := p.match(rest))), None)
        if m is None:
            return ""  # read one character off: the whole cell is the label
        rest = rest[m.end():]
    return rest


@lru_cache(maxsize=4096)
def _match_late_cached(text: str, rows_id: int, pos: int, seen: frozenset[str]) -> tuple[int, ...]:
    """Rows before ``pos`` not yet found (not in ``seen``) whose labels the text cell holds (printed out of order).

    As in printed order, one cell may hold several labels (a group label and its first
    sub-row); the last one must be a row that holds values.
    """
    rows = _TABLES[rows_id]
    hits = _label_chain(text, rows, 0, pos, seen)
    while hits and (rows[hits[-1]].group or not rows[hits[-1]].columns):
        hits.pop()
    return tuple(hits)


def _find_label(
    tok: Token, pending: list[Token], rows: tuple[Row, ...], pos: int, seen
) -> tuple[list[int], Token, bool, bool, int] | None:
    """The rows a text cell labels: ``(row indices, label token, out of order, fuzzy, fragments used)``.

    Tried in turn: the cell alone in printed order; the cell joined to the unmatched
    cells before it (a label broken across lines or pages); the same for a row not yet
    found that the format prints earlier. ``seen``: the keys of the rows found so far
    (a set, or a function giving them: only asked for when a row out of order is looked for).
    """
    rows_id = id(rows)
    _TABLES.setdefault(rows_id, rows)
    hits, fuzzy = _match_labels_cached(tok.text, rows_id, pos)
    if hits:
        return list(hits), tok, False, fuzzy, 0
    joined: list[tuple[int, str]] = []  # the cell joined to the last k unmatched cells, longest first
    text = tok.text
    for k in range(len(pending) - 1, -1, -1):
        text = pending[k].text + text
        joined.append((k, text))
    joined.reverse()
    for k, text in joined:
        hits, fuzzy = _match_labels_cached(text, rows_id, pos)
        if hits:
            return list(hits), Token(text, pending[k].location, TEXT), False, fuzzy, len(pending) - k
    if pos == 0:
        return None  # no row before the first: none can be printed out of order
    seen = seen() if callable(seen) else frozenset(seen)
    late = _match_late_cached(tok.text, rows_id, pos, seen)
    if late:
        return list(late), tok, True, False, 0
    for k, text in joined:
        late = _match_late_cached(text, rows_id, pos, seen)
        if late:
            return list(late), Token(text, pending[k].location, TEXT), True, False, len(pending) - k
    return None


_FRAMES: dict[int, tuple[re.Pattern[str], ...]] = {}  # layout tables' frame patterns by id() (kept for the process)


@lru_cache(maxsize=4096)
def _is_frame_cached(text: str, frame_id: int) -> bool:
    """Whether a cell is a caption or header of a table (its ``frame``); cells repeat across reports: kept."""
    norm = normalize(text)
    return bool(norm) and any(p.search(norm) for p in _FRAMES[frame_id])


def _header_text(run: list[Token]) -> str:
    """The header cells of a block: the texts after its last 信息内容 (or caption)."""
    norms = [normalize(t.text) for t in run]
    for k in range(len(norms) - 1, -1, -1):
        if norms[k].startswith(_INFO_CONTENT):
            norms = [norms[k][len(_INFO_CONTENT):], *norms[k + 1:]]
            break
    return "".join(norms)


# --------------------------------------------------------------------------- walk

def _walk(lines: list[Line], section: str, table: Table, cut: Token | None, grid: bool = False) -> _Walk:
    """Find the rows of one table section and the cells that follow each label.

    What follows a label is kept to what is certain:

    * cells on the same printed line (table row) as a row's label are that row's;
    * cells on lines of their own belong to the row being read — unless its label's
      line already held all its values (then they are a row whose label is not
      printed: not placed), or the reading has lost step (below);
    * values on a line that starts with text that is no label of the table are another
      row's, whose label is unknown: they are not placed, and the reading has lost step;
    * a label printed out of the format's order is accepted for rows not yet found,
      with the values on its own line only;
    * in a grid (HTML, Word, markdown: ``grid``) a row is one line of the grid.

    The reading loses step when a row ends without a cell for each column (in a table
    printed a row per line), a row is printed out of order, or values follow an unknown
    label. Until a line holds a label and values together again, values on lines of their
    own are not placed: they could belong to more than one row. In a table printed a cell
    per line (labels on lines of their own), the next label printed in order is enough.
    Text on a value line that is a piece of the current row's label or of a group label
    (PDF: a label broken over lines, a group label printed down the side of its rows) is
    not unknown text.
    """
    layout = get_layout()
    out = _Walk(section, table)
    rows = table.rows
    anchor = next((r for r in rows if r.anchor == "section"), None)
    row_texts = {r.key: normalize(r.label_zh) for r in rows}
    parents = {r.parent for r in rows if r.parent}
    frame_texts = [row_texts[r.key] for r in rows if r.group or r.key in parents]
    block_sets: dict[str, ColumnSet] = {}
    block_units: dict[str, str | None] = {}
    current: _RowRead | None = None
    pos = 0
    in_step = True
    # A row per line (labels and values share lines), or a cell per line?
    row_lines = out.row_lines = _rows_per_line(lines)
    pending: list[Token] = []  # recent text cells that matched no label (a broken label?)
    run: list[Token] = []  # text cells since the last value or label (a block's header)
    loose: list[Token] = []  # empty cells outside any row since the last text (before table 四's values?)
    n_seen, seen = 0, frozenset()  # keys of the rows read so far
    frame_id = id(table.frame)
    _FRAMES.setdefault(frame_id, table.frame)

    def problem(where: str, message: str) -> None:
        out.problems.append((where, message))

    def seen_keys() -> frozenset[str]:
        """Keys of the rows read so far (the walk only adds rows)."""
        nonlocal n_seen, seen
        if len(out.reads) != n_seen:
            n_seen, seen = len(out.reads), frozenset(r.row.key for r in out.reads)
        return seen

    def close(ended: str, next_row: Row | None = None, late: bool = False) -> None:
        nonlocal current, in_step
        if current is not None:
            current.ended, current.next_row, current.next_late = ended, next_row, late
            if row_lines and not current.plausible():
                in_step = False
        current = None

    def harmless(stray: list[Token], row: _RowRead | None) -> bool:
        """Whether text cells are pieces of known labels, not another row's label."""
        own = row_texts[row.row.key] if row is not None else ""
        for tok in stray:
            norm = normalize(tok.text)
            if norm and norm not in own and not any(norm in t for t in frame_texts):
                return False
            if row is not None and any(p.match(norm) for p in row.row.patterns):
                return False  # the row's label printed again: another row, not a piece of this one
        return True

    def columns_for(row: Row) -> tuple[tuple[Column, ...], str | None]:
        """The row's column set: the one its block's header names, else the format's."""
        if not row.columns:
            return (), None
        primary = layout.column_sets[row.column_set]
        header = _header_text(run)
        if row.block and header:
            named = [cs for cs in (primary, *row.alt_columns) if cs.header and cs.header.search(header)]
            block_sets[row.block] = named[0] if len(named) == 1 else primary
            unit = _MONEY_HEADER.search(header)
            block_units[row.block] = unit.group(1) if unit else None
            if block_sets[row.block] is not primary:
                out.notes.append((run[-1].location, f"block {row.block} prints the headers of "
                                                    f"{block_sets[row.block].name}: read as printed"))
        chosen = block_sets.get(row.block or "", primary)
        if chosen is not primary and chosen not in row.alt_columns:
            chosen = primary
        return chosen.columns, block_units.get(row.block or "")

    def awaiting_anchor() -> bool:
        """The table's label-less row is still to come: the first values are its."""
        return in_step and anchor is not None and not any(r.row is anchor for r in out.reads)

    for index, line in enumerate(lines):
        if is_furniture(line.text):
            continue
        on_line: _RowRead | None = None  # the row whose label is on this line
        stray: list[Token] = []  # text cells on this line after its last label
        empties: list[Token] = []  # empty cells on this line since its last text
        for tok in line.tokens:
            if tok is cut:
                out.unplaced.append(tok)
                problem(tok.location, f"the text ends inside this number ({tok.text!r}): it may be cut")
                continue
            if tok.kind == TEXT:
                empties = []
                loose = []
                found = _find_label(tok, pending, rows, pos, seen_keys)
                if found is not None:
                    hits, label, late, fuzzy, used = found
                    if current is not None and used:  # fragments of this label were not unknown text
                        joined = pending[-used:]
                        current.unknown = [t for t in current.unknown if t not in joined]
                    pending.clear()
                    for i in hits:
                        close("label", rows[i], late)
                        columns, unit = columns_for(rows[i])
                        current = _RowRead(rows[i], label, columns, unit, index, late=late)
                        out.reads.append(current)
                        if not late:
                            pos = i + 1
                    rest = _after_labels(label.text, [rows[i] for i in hits])
                    if any(ch.isdigit() for ch in rest):
                        current.garbled = rest
                    if fuzzy:
                        out.notes.append((label.location, f"label {label.text!r} read as "
                                                          f"{rows[hits[0]].label_zh} (one character differs)"))
                    if late:
                        in_step = False
                    elif not row_lines:
                        in_step = True
                    run = []
                    on_line, stray = current, []
                    continue
                if _is_frame_cached(tok.text, frame_id):
                    pending.append(tok)
                    del pending[:-_MAX_FRAGMENTS]
                    run.append(tok)
                    close("frame")
                    on_line, stray = None, []
                    continue
                pending.append(tok)
                del pending[:-_MAX_FRAGMENTS]
                run.append(tok)
                stray.append(tok)
                if current is not None and not harmless([tok], current):
                    current.unknown.append(tok)
                continue
            if tok.kind in (BLANK, PAD):
                # a row's cell if a value follows on this line or the line ends; empty
                # cells before a label belong to that label's (merged) columns
                empties.append(tok)
                continue
            if tok.kind == GLUED:  # digits run into the text before them
                if current is not None and on_line is current and not stray and not current.cells:
                    current.add(tok, index)
                continue
            # a value
            pending.clear()
            run = []
            before, empties = empties, []
            if on_line is not None and on_line is current and (not stray or harmless(stray, current)):
                target = current
                in_step = True
            elif stray and not harmless(stray, current) and not (current is None and awaiting_anchor()):
                # values after a label this reader does not know: another row's
                if current is not None or out.reads:
                    message = (f"table {TABLE_NUMERALS[section]}: values after "
                               f"'{''.join(t.text for t in stray)}', which is no row label of the format")
                    if not out.problems or out.problems[-1][1] != message:
                        problem(tok.location, message)
                out.unplaced.append(tok)
                if current is not None:
                    current.unknown.extend(t for t in stray if t not in current.unknown)
                close("unknown")
                in_step = False
                continue
            else:
                target = current if in_step else None
            if target is not None and grid and target.line != index \
                    and not (0 < len(target.columns) <= target.on_label_line):  # not complete on its label line
                # in a grid a row is a line: values on a line without a label have none
                problem(tok.location, f"table {TABLE_NUMERALS[section]}: values on a line with no row label")
                out.unplaced.append(tok)
                in_step = False
                continue
            if target is None:
                if current is None and awaiting_anchor():
                    current = target = _RowRead(anchor, None, anchor.columns, None, index)
                    out.reads.append(current)
                    # empty cells before its first value: of its line (in text, since the headers too)
                    if not grid:  # empty cells since the headers, on lines of their own: its first cells?
                        current.leading = list(loose)
                    on_line = current
                else:
                    out.unplaced.append(tok)
                    continue
            elif index != target.line and 0 < len(target.columns) <= target.on_label_line:
                # the label's line held all the row's values: these have no label
                name = target.label.text if target.label else target.row.label_zh
                problem(tok.location, f"table {TABLE_NUMERALS[section]} row {name} has more than "
                                             f"{len(target.columns)} values: the line holding it had them all, "
                                             f"the values after it have no row label")
                out.unplaced.append(tok)
                in_step = False
                continue
            if before:  # empty cells: added as they are (only values count on the label's line)
                target.cells.extend(before)
            target.cells.append(tok)
            if index == target.line:
                target.on_label_line += 1
        if not empties:
            continue
        if current is not None and (current is on_line or (in_step and not grid and not current.complete_on_label_line(index))):
            for empty in empties:
                current.add(empty, index)
        elif anchor is not None and current is None and awaiting_anchor() and len(empties) == len(line.tokens) \
                and sum(t.kind == BLANK for t in empties) == anchor.width:
            # the label-less row printed with every cell empty: a line of exactly its cells
            current = _RowRead(anchor, None, anchor.columns, None, index)
            out.reads.append(current)
            for empty in empties:
                if empty.kind == BLANK:
                    current.add(empty, index)
        elif current is None:  # padding after a caption or header, or table 四's first cells
            loose.extend(empties)
            for empty in empties:
                out.loose[empty.kind] = out.loose.get(empty.kind, 0) + 1
    close("end")
    return out



# --------------------------------------------------------------------------- placement

def _rows_per_line(lines: list[Line]) -> bool:
    """Whether a table section prints a row per line (labels and values share lines).

    Otherwise it prints a cell per line (copied web pages, plain lines): values stand on
    lines of their own below their label. A table that prints no number at all is read
    as cells per line: its rows are printed empty.
    """
    shared = alone = 0
    for line in lines:
        kinds = {t.kind for t in line.tokens}
        if VALUE in kinds:
            if TEXT in kinds:
                shared += 1
            else:
                alone += 1
    return shared >= alone and shared + alone > 0  # a table printing no number at all: labels only


def _empty_cells(doc: Document, walks: list[_Walk]) -> frozenset[str]:
    """Which kinds of empty cell this document prints in place (``blank``, ``pad``).

    In a grid (HTML, Word) or a markdown table every cell is printed, empty or not. In
    copied text it depends on the page: an empty cell may show as ``| |``, as a bare
    ``|`` line, or leave no trace, while the same marks also pad rows to the table's
    width. A kind of empty cell is taken to stand in place when some row prints it
    before or between its values and then ends with exactly as many cells as the row
    has columns, and no row prints more cells than its columns that way; or when the
    document never uses it as padding (after a complete row, or after a caption or
    header, whose cell counts the layout knows).
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
                if not width or not values:
                    continue
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


def _last_value(cells: list[Token]) -> int:
    """Index of the last value among cells (-1 when there is none)."""
    return max((k for k, c in enumerate(cells) if c.kind in (VALUE, GLUED)), default=-1)


def _is_grid(doc: Document) -> bool:
    """A grid prints every cell, empty ones too, a row per line (HTML, Word, markdown)."""
    return doc.reader in ("html", "docx") or doc.grid


def _unglue(read: _RowRead, values: list[Token]) -> tuple[list[Token] | None, str]:
    """Values with digits run into the label split off, where that is certain.

    ``规章000`` in a row of three gives three values of one digit each; ``行政许可0`` in a
    row of one gives one value; a separator settles it too (``规章0 0 0``). Otherwise
    the split is not certain (None and why).
    """
    if not values or values[0].kind != GLUED:
        return values, ""
    glued, rest = values[0], values[1:]
    need = len(read.columns) - len(rest)
    digits = glued.text
    if need == 1:
        return [Token(digits, glued.location, VALUE), *rest], f"value {digits} printed run into the label"
    if need == len(digits) and need > 1:
        return [Token(d, glued.location, VALUE) for d in digits] + rest, \
            f"values {' '.join(digits)} printed run into the label, one digit each"
    return None, (f"digits {digits!r} are run into the label: they cannot be split into {need} "
                  f"value(s) with certainty")


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


def _grid_starts(reads: list[_RowRead]) -> dict[tuple[str, ...], int | None]:
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


def _place(read: _RowRead, section: str, in_place: frozenset[str], truncated: bool, row_lines: bool,
           grid: bool, out: TableRead, problem, grid_start=lambda columns: None) -> None:
    """Decide one row: placed, blank, missing, or a problem with its numbers unplaced."""
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
    if read.garbled:
        reject(f"{label}: its label cell goes on with {read.garbled!r}, numbers run into text: "
               f"whose they are is not certain")
        return
    unglued, why = _unglue(read, values)
    if unglued is None:
        reject(f"{label}: {why}")
        return
    if why:
        out.notes.append((where, why))
    values = unglued
    if not values:
        if row.shape_of and read.next_row is not None and read.next_row.parent == row.key:
            out.shapes[row.shape_of] = "group"
            return
        if read.unknown:
            reject(f"{label} has no values before '{''.join(t.text for t in read.unknown)}', which is no row "
                   f"label of the format: its cells are not certain")
            return
        # printed with every cell empty: it shows them (行政许可 | ||||), or, in a table
        # printed a cell per line, the next row's label follows it directly
        if read.shows_every_cell() or (not row_lines and not read.next_late
                                       and (read.ended in ("label", "frame") or (read.ended == "end" and not truncated))):
            place([Token("", where, BLANK) for _ in range(width)])
            return
        reject(f"{label} has no values, and the text does not show its cells: they may be printed "
               f"elsewhere", reason="no values printed beside its label")
        return
    if len(values) == width:
        first = next(k for k, c in enumerate(read.cells) if c.kind in (VALUE, GLUED))
        if any(c.kind in (BLANK, PAD) for c in read.cells[first:_last_value(read.cells)]):
            reject(f"{label} has more than {width} cells: {width} values and an empty cell between them, "
                   f"so no value's column is certain", values[0].location)
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
    ambiguous = any(c.kind not in in_place and c.kind in (BLANK, PAD) for c in read.cells[:_last_value(read.cells)])
    start = grid_start(read.columns) if grid else None
    if start is not None:  # a grid whose complete rows show where these columns stand
        by_column = {_grid_col(c) - start: c for c in cells}
        if len(by_column) == len(cells) and all(k in by_column for k in range(width)) \
                and all(0 <= k < width for k, c in by_column.items() if c.kind == VALUE):
            place([by_column[k] if by_column[k].kind == VALUE else Token("", by_column[k].location, BLANK)
                   for k in range(width)])
            return
    elif grid:  # the grid's value columns start where its values and headers do (readers.grid)
        fits = len(cells) >= width and not any(c.kind == VALUE for c in cells[width:])
    else:  # in text every empty cell must be accounted for
        fits = len(cells) == width
    if start is None and in_place and fits and not ambiguous and not any(c.kind == GLUED for c in cells):
        place([c if c.kind == VALUE else Token("", c.location, BLANK) for c in cells[:width]])
        return
    reject(f"{label} has {len(values)} values, expected {width}: the text does not show which of its "
           f"cells are empty, so no value's column is certain")


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
        start, end = bounds[section]
        walks.append(_walk(doc.lines[start + 1:end], section, layout.table_for(template, section), cut,
                           grid=_is_grid(doc)))
    in_place = _empty_cells(doc, walks)
    reads: dict[str, TableRead] = {}
    for walk in walks:
        out = TableRead(section=walk.section, table=walk.table, unplaced=list(walk.unplaced),
                        problems=list(walk.problems), notes=list(walk.notes))
        truncated = walk.section == last
        starts = _grid_starts(walk.reads) if _is_grid(doc) else {}
        for read in walk.reads:
            _place(read, walk.section, in_place, truncated, walk.row_lines, _is_grid(doc), out,
                   lambda w, m: out.problems.append((w, m)), lambda columns: starts.get(_columns_key(columns)))
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
