"""The walk over one table section: its lines → the rows whose labels it prints, each with
the cells that follow the label.

The walk reads by labels (:mod:`shaoyang_report.read.labels`), never by line position, so
the same steps read cells one per line (copied web pages), label-and-numbers lines (PDF
text, markdown) and table grids (HTML, Word). It gives each row the cells that follow
its label: values, and the empty cells the text shows (``| |``, a bare ``|``). Captions
and header cells (the table's ``frame`` in ``layouts.toml``) end a row; a block's header
picks its column set. Whether a row's cells can be placed is decided afterwards
(:mod:`shaoyang_report.read.tables`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shaoyang_report.layout import Column, ColumnSet, Row, Table, get_layout
from shaoyang_report.read.cells import is_furniture
from shaoyang_report.read.document import BLANK, GLUED, PAD, TEXT, VALUE, Line, Token
from shaoyang_report.read.labels import (
    INFO_CONTENT,
    after_labels,
    find_label,
    frame_test,
    header_text,
    named_columns,
    note_test,
    rows_named,
)
from shaoyang_report.read.sections import TABLE_NUMERALS
from shaoyang_report.read.text import is_value, normalize

# How many consecutive unmatched text cells may be joined to find a broken label.
_MAX_FRAGMENTS = 4
_MONEY_HEADER = re.compile(r"(万元|元)")
_NUMBERING_RESTS = frozenset(".、．")  # what follows a label's number (4.无正当理由…)
# A not-stated mark run into the end of a label cell (保护第三方合法权益—): no label ends so.
_MARK_AFTER_LABEL = re.compile(r"(?<=[\u3400-\u9fff)])[^\u3400-\u9fff\w()]{1,2}$")


@dataclass(slots=True)
class RowRead:
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
    jumped: str = ""  # a cell per line: the label of a row it was read over, printed later (labels swapped?)
    named: tuple[Column, ...] = ()  # the columns its block's header names, where fewer than ``columns``
    named_at: str = ""  # where that header is printed
    doubt: str = ""  # why its columns are not certain (a header naming fewer, its rows disagreeing)
    pieces: tuple[int, int] = (0, 0)  # cells of its label's line, and of its block's header line (0: unknown)
    header_fill: dict[str, int] = field(default_factory=dict)  # empty cells its block's header ends with,
    # by kind: as many pad its rows
    orphans: int = 0  # printed with no cell, ended by a caption or header after which values with no label follow

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
class Walk:
    """What the walk found in one table section.

    Attributes:
        section: The section's key (``applications`` …).
        table: The layout table read.
        row_lines: Whether the section prints a row per line (see :func:`rows_per_line`).
        loose: How many empty cells of each kind were printed outside any row (padding).
        reads: The rows found, in printed order.
        unplaced: Value tokens no row can hold with certainty.
        problems: ``(where, message)`` for what could not be read.
        notes: ``(where, message)``: what was read but is worth knowing.
    """

    section: str
    table: Table
    row_lines: bool = True
    loose: dict[str, int] = field(default_factory=dict)  # empty cells printed outside any row (padding)
    reads: list[RowRead] = field(default_factory=list)
    unplaced: list[Token] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


def _pieces(line: Line) -> int:
    """How many cells a printed line holds (digits run into a label are in the label's cell)."""
    return sum(1 for t in line.tokens if t.kind != GLUED)


def rows_per_line(lines: list[Line]) -> bool:
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


def walk_section(lines: list[Line], section: str, table: Table, cut: Token | None, grid: bool = False) -> Walk:
    """Find the rows of one table section and the cells that follow each label.

    What follows a label is kept to what is certain:

    * cells on the same printed line (table row) as a row's label are that row's;
    * cells on lines of their own belong to the row being read — unless its label's
      line already held all its values (then they are a row whose label is not
      printed: not placed), or the reading has lost step (below);
    * values after text that is no label of the table — on its line, or on the lines
      after it — are another row's, whose label is unknown: they never join the row
      above, they are not placed, and the reading has lost step; a note (``注：…``,
      ``[notes]`` in ``layouts.toml``) is no such text, and its line holds no cell;
    * a label broken after its numbering (a line ``4``, then ``.无正当理由…``) is read
      whole: the ``4`` is no value;
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
    walker = _Walker(lines, section, table, cut, grid)
    walker.read_lines(lines)
    walker.close_row("end")
    return walker.out


class _Walker:
    """The state of a walk over a table section, and its steps (one per kind of cell)."""

    __slots__ = ("anchor", "block_fill", "block_pieces", "block_sets", "block_units", "current", "cut", "empties",
                 "frame_texts", "grid", "header_fill", "header_line", "in_step", "index", "is_frame", "last_alone",
                 "layout", "line", "lines", "loose", "n_seen", "named", "on_line", "out", "pending", "pos", "row_lines",
                 "row_texts", "rows", "run", "section", "seen", "stray")

    def __init__(self, lines: list[Line], section: str, table: Table, cut: Token | None, grid: bool) -> None:
        self.out = Walk(section, table)
        self.lines = lines
        self.section, self.grid, self.cut = section, grid, cut
        self.layout = get_layout()
        rows = self.rows = table.rows
        self.anchor = next((r for r in rows if r.anchor == "section"), None)  # the row printed without a label
        self.row_texts = {r.key: normalize(r.label_zh) for r in rows}
        self.index = {r.key: i for i, r in enumerate(rows)}
        parents = {r.parent for r in rows if r.parent}
        self.frame_texts = [self.row_texts[r.key] for r in rows if r.group or r.key in parents]
        self.block_sets: dict[str, ColumnSet] = {}
        self.block_units: dict[str, str | None] = {}
        self.block_pieces: dict[str, int] = {}  # block: the cells of its header line (0: not printed on one line)
        self.block_fill: dict[str, dict[str, int]] = {}  # block: the empty cells its header ends with, by kind
        self.header_fill: dict[str, int] = {}  # empty cells printed after the last text cell before a label
        self.header_line: tuple[str, int] | None = None  # the last header line (信息内容 | …): where, its cells
        self.line = Line("", "")  # the line being read
        self.last_alone: tuple[int, Token, RowRead | None] | None = None  # a value alone on its line: where, whose
        # block: the columns its header names, where fewer than its set's, and where the header is
        self.named: dict[str, tuple[tuple[Column, ...], str]] = {}
        self.is_frame = frame_test(table.frame)
        # A row per line (labels and values share lines), or a cell per line?
        self.row_lines = self.out.row_lines = rows_per_line(lines)
        self.current: RowRead | None = None  # the row being read
        self.pos = 0  # the next row in the format's order
        self.in_step = True
        self.pending: list[Token] = []  # recent text cells that matched no label (a broken label?)
        self.run: list[Token] = []  # text cells since the last value or label (a block's header)
        self.loose: list[Token] = []  # empty cells outside any row since the last text (before table 四's values?)
        self.n_seen = 0
        self.seen: frozenset[str] = frozenset()  # keys of the rows read so far
        self.on_line: RowRead | None = None  # the row whose label is on the line being read
        self.stray: list[Token] = []  # text cells on the line after its last label
        self.empties: list[Token] = []  # empty cells on the line since its last text

    # ---- the printed lines

    def read_lines(self, lines: list[Line]) -> None:
        """Read the cells of the section's lines in turn (page furniture skipped)."""
        cut = self.cut
        take_text, take_glued, take_value = self.take_text, self.take_glued, self.take_value
        is_note = note_test()
        for index, line in enumerate(lines):
            if is_furniture(line.text):
                continue
            first = line.tokens[0] if line.tokens and line.tokens[0].kind == TEXT else None
            if first is not None and is_note(first.text):
                self.out.unplaced.extend(t for t in line.tokens if t.kind in (VALUE, GLUED))  # no cell of the table
                continue
            self.on_line = None
            self.stray = []
            self.empties = []
            self.line = line
            if first is not None and normalize(first.text).startswith(INFO_CONTENT) \
                    and all(t.kind in (TEXT, BLANK, PAD) for t in line.tokens):
                self.header_line = (line.location, _pieces(line))  # a block's header printed on one line
            for tok in line.tokens:
                if tok is cut:
                    self.out.unplaced.append(tok)
                    self.problem(tok.location, f"the text ends inside this number ({tok.text!r}): it may be cut")
                    continue
                kind = tok.kind
                if kind == TEXT:
                    take_text(tok, index)
                elif kind in (BLANK, PAD):
                    # a row's cell if a value follows on this line or the line ends; empty
                    # cells before a label belong to that label's (merged) columns
                    self.empties.append(tok)
                elif kind == GLUED:
                    take_glued(tok, index)
                else:
                    take_value(tok, index)
            if self.empties:
                self.end_line(index, line)

    # ---- text cells: labels, captions and headers, other text

    def take_text(self, tok: Token, index: int) -> None:
        """A text cell: a row's label, a caption or header (the table's frame), or other text."""
        self.empties = []
        loose = self.loose  # the empty cells after the text before it: a header's, that pad its rows
        if loose or self.header_fill:
            self.header_fill = {k: sum(1 for t in loose if t.kind == k) for k in {t.kind for t in loose}}
            self.loose = []
        pending = self.pending
        if tok.text[:1] in _NUMBERING_RESTS and self.numbering(tok, index):
            return
        found = find_label(tok, pending, self.rows, self.pos, self.seen_keys)
        if found is not None:
            self.start_rows(found, index)
            return
        # no label: kept as a piece of a broken label, and of a block's header
        pending.append(tok)
        del pending[:-_MAX_FRAGMENTS]
        self.run.append(tok)
        if self.is_frame(tok.text) and not self.label_again(tok):
            self.close_row("frame")
            self.on_line, self.stray = None, []
        else:
            self.stray.append(tok)
            current = self.current
            if current is not None and not self.harmless([tok], current):
                current.unknown.append(tok)
            self.printed_again(tok, index)

    def label_again(self, tok: Token) -> bool:
        """Whether a text cell is the label of the row being read printed again before any of its cells
        (a line printed twice): read as that label is, never as a header (``政府集中采购`` reads as one)."""
        current = self.current
        return current is not None and not current.cells and current.label is not None \
            and normalize(tok.text) == normalize(current.label.text)

    def printed_again(self, tok: Token, index: int) -> None:
        """A text cell naming a row read before (not where the format prints it next), with other
        values after it than the row has: the row is printed twice, and which copy holds its cells
        is not certain. (A copy printing the same values says nothing new.)"""
        hits = rows_named(tok.text, self.rows)
        if not hits:
            return
        seen = self.seen_keys()
        again = None
        for i in hits:
            row = self.rows[i]
            if not row.columns or row.key not in seen:
                continue
            if again is None:
                again = self.values_after(tok, index)
            for read in self.out.reads:  # (a label printed twice before its values: one copy has none)
                values = [c.text for c in read.cells if c.kind in (VALUE, GLUED)]
                if read.row is row and values and values != again:
                    read.doubt = (f"its label is printed again ({tok.location}) with other values: which copy "
                                  f"holds its cells is not certain")

    def values_after(self, tok: Token, index: int) -> list[str]:
        """The numbers printed after a text cell: on its line, and (a cell per line) on the lines after it
        up to the next text."""
        line = self.lines[index].tokens
        out = [t.text for t in line[line.index(tok) + 1:] if t.kind in (VALUE, GLUED)]
        if self.row_lines:
            return out
        for later in self.lines[index + 1:]:
            if any(t.kind == TEXT for t in later.tokens):
                break
            out += [t.text for t in later.tokens if t.kind in (VALUE, GLUED)]
        return out

    def numbering(self, tok: Token, index: int) -> bool:
        """A text cell ``.无正当理由…`` after a line holding only ``4``: a label broken after its
        numbering. The ``4`` is no value: it is taken back from the row it was given to and the
        label read whole (True); if the two are no label, nothing changes (False)."""
        alone = self.last_alone
        if alone is None or alone[0] != index - 1 or not alone[1].text.isdigit() or len(alone[1].text) > 2:
            return False
        _, value, row = alone
        joined = Token(value.text + tok.text, value.location, TEXT)
        found = find_label(joined, [], self.rows, self.pos, self.seen_keys)
        if found is None:
            return False
        if row is not None and row.cells and row.cells[-1] is value:
            row.cells.pop()
            if row.line == index - 1:
                row.on_label_line -= 1
        elif value in self.out.unplaced:
            self.out.unplaced.remove(value)
        self.out.notes.append((value.location, f"{value.text!r} on a line of its own is the numbering of the label "
                                               f"after it ({joined.text!r}), not a value"))
        self.start_rows(found, index)
        return True

    def start_rows(self, found: tuple[list[int], Token, bool, bool, int], index: int) -> None:
        """Start the rows a label cell names (:func:`~.labels.find_label`), closing the row being read."""
        hits, label, late, fuzzy, used = found
        rows, out, pending = self.rows, self.out, self.pending
        if self.current is not None and used:  # fragments of this label were not unknown text
            joined = pending[-used:]
            self.current.unknown = [t for t in self.current.unknown if t not in joined]
        pending.clear()
        for i in hits:
            self.close_row("label", rows[i], late)
            columns, unit = self.columns_for(rows[i])
            self.current = RowRead(rows[i], label, columns, unit, index, late=late,
                                   header_fill=self.block_fill.get(rows[i].block or "", {}))
            block = rows[i].block
            if block and label is self.line.tokens[0]:
                self.current.pieces = (_pieces(self.line), self.block_pieces.get(block, 0))
            if self.named:
                self.named_for(self.current)
            out.reads.append(self.current)
            if not late:
                self.pos = i + 1
        current = self.current
        assert current is not None  # the label names a row at least
        rest = after_labels(label.text, [rows[i] for i in hits])
        if any(ch.isdigit() for ch in rest):
            current.garbled = rest
        elif (mark := _MARK_AFTER_LABEL.search(rest)) and is_value(mark.group(0)):
            current.add(Token(mark.group(0), label.location, GLUED), index)  # 行政许可—: its first cell, empty
        if fuzzy:
            out.notes.append((label.location, (f"label {label.text!r} read as "
                                               f"{rows[hits[0]].label_zh} (one character differs)")))
        if late:
            self.in_step = False
            if not self.row_lines:
                for i in hits:
                    self.jumped_over(i)
        elif not self.row_lines:
            self.in_step = True
        self.run = []
        self.on_line, self.stray = current, []

    def jumped_over(self, late: int) -> None:
        """A row printed out of order, in a table printed a cell per line: the row read in its place.

        Its label came where this one's was due, and the values on the lines after a label
        are all that says whose they are: the two labels may have changed places.
        """
        index = self.index
        before = -1
        for read in self.out.reads:
            if read.late:
                continue
            k = index[read.row.key]
            if before < late < k:
                read.jumped = self.rows[late].label_zh
            before = k

    def columns_for(self, row: Row) -> tuple[tuple[Column, ...], str | None]:
        """The row's column set: the one its block's header names, else the format's."""
        if not row.columns:
            return (), None
        block_sets, block_units, run = self.block_sets, self.block_units, self.run
        assert row.column_set is not None  # a row with columns names its column set
        primary = self.layout.column_sets[row.column_set]
        header = header_text(run)
        if row.block and header:
            self.block_fill[row.block] = self.header_fill  # the header's own empty cells: they pad its rows
            line = self.header_line
            self.block_pieces[row.block] = line[1] if line is not None and line[0] == run[-1].location else 0
            sets = [cs for cs in (primary, *row.alt_columns) if cs.header and cs.header.search(header)]
            block_sets[row.block] = sets[0] if len(sets) == 1 else primary
            unit = _MONEY_HEADER.search(header)
            block_units[row.block] = unit.group(1) if unit else None
            if block_sets[row.block] is not primary:
                self.out.notes.append((run[-1].location, (f"block {row.block} prints the headers of "
                                                          f"{block_sets[row.block].name}: read as printed")))
        chosen = block_sets.get(row.block or "", primary)
        if chosen is not primary and chosen not in row.alt_columns:
            chosen = primary
        key = f"{row.block or ''}:{chosen.name}"
        if header:
            by_header = named_columns(header, chosen)
            if by_header is not None and len(by_header) < len(chosen.columns):
                self.named[key] = (by_header, run[-1].location)
            elif by_header is not None:
                self.named.pop(key, None)
        return chosen.columns, block_units.get(row.block or "")

    def named_for(self, read: RowRead) -> None:
        """The columns the row's block header names, where fewer than its column set's (:func:`~.labels.named_columns`)."""
        for key, (named, where) in self.named.items():
            if key.startswith(f"{read.row.block or ''}:") and all(c in read.columns for c in named):
                read.named, read.named_at = named, where

    def harmless(self, stray: list[Token], row: RowRead | None) -> bool:
        """Whether text cells are pieces of known labels, not another row's label."""
        own = self.row_texts[row.row.key] if row is not None else ""
        frame_texts = self.frame_texts
        for tok in stray:
            norm = normalize(tok.text)
            if norm and norm not in own and not any(norm in t for t in frame_texts):
                return False
            if row is not None and row.cells and any(p.match(norm) for p in row.row.patterns):
                return False  # the row's label printed again after its cells: another row, not a piece of this one
        return True

    # ---- values

    def take_glued(self, tok: Token, index: int) -> None:
        """Digits run into the text before them: the row's, if they follow its label directly."""
        current = self.current
        if current is not None and self.on_line is current and not self.stray and not current.cells:
            current.add(tok, index)

    def take_value(self, tok: Token, index: int) -> None:
        """A value: given, with the empty cells before it, to the row it certainly belongs to; else unplaced.

        That row is the one whose label is on the value's line, else the row being read
        while the walk is in step; the table's label-less row takes the first values.
        """
        self.pending.clear()
        self.run = []
        before, self.empties = self.empties, []
        alone = sum(1 for t in self.line.tokens if t.kind != PAD) == 1
        self.last_alone = (index, tok, self.current) if alone else None
        target, stray = self.current, self.stray
        if self.on_line is not None and self.on_line is target and (not stray or self.harmless(stray, target)):
            self.in_step = True  # on its row's label line
        elif stray and not self.harmless(stray, target) and not (target is None and self.awaiting_anchor()):
            self.after_unknown_label(tok)
            return
        elif target is not None and target.unknown:  # text no label printed since its label: another row's
            self.stray = list(target.unknown)
            self.after_unknown_label(tok)
            return
        elif target is None or not self.in_step:
            target = self.start_label_less_row(tok, index)
            if target is None:
                return
        elif index != target.line:
            if 0 < len(target.columns) <= target.on_label_line:
                self.after_complete_row(tok, target)
                return
            if self.grid:
                self.off_row_in_grid(tok)
                return
        if before:  # empty cells: added as they are (only values count on the label's line)
            target.cells.extend(before)
        target.cells.append(tok)
        if index == target.line:
            target.on_label_line += 1

    def after_unknown_label(self, tok: Token) -> None:
        """Values after a label this reader does not know: another row's, not placed; the walk loses step."""
        current, stray, out = self.current, self.stray, self.out
        if current is not None or out.reads:
            message = (f"table {TABLE_NUMERALS[self.section]}: values after "
                       f"'{''.join(t.text for t in stray)}', which is no row label of the format")
            if not out.problems or out.problems[-1][1] != message:
                self.problem(tok.location, message)
        out.unplaced.append(tok)
        if current is not None:
            current.unknown.extend(t for t in stray if t not in current.unknown)
        self.close_row("unknown")
        self.in_step = False

    def start_label_less_row(self, tok: Token, index: int) -> RowRead | None:
        """A value no row being read can take: the first of the table's label-less row, or unplaced."""
        if self.current is None and self.awaiting_anchor():
            anchor = self.anchor
            assert anchor is not None  # awaiting_anchor() says there is one
            current = self.current = RowRead(anchor, None, anchor.columns, None, index)
            self.out.reads.append(current)
            # empty cells before its first value: of its line (in text, since the headers too)
            if not self.grid:  # empty cells since the headers, on lines of their own: its first cells?
                current.leading = list(self.loose)
            self.on_line = current
            return current
        last = self.out.reads[-1] if self.out.reads and self.current is None else None
        if last is not None and last.ended == "frame" and not last.cells and not self.row_lines:
            last.orphans += 1  # (its label may have been printed among the header's: these its cells?)
        self.out.unplaced.append(tok)
        return None

    def after_complete_row(self, tok: Token, target: RowRead) -> None:
        """A value after a row whose label's line held all its values: it has no label; the walk loses step."""
        name = target.label.text if target.label else target.row.label_zh
        self.problem(tok.location, f"table {TABLE_NUMERALS[self.section]} row {name} has more than "
                                   f"{len(target.columns)} values: the line holding it had them all, "
                                   f"the values after it have no row label")
        self.out.unplaced.append(tok)
        self.in_step = False

    def off_row_in_grid(self, tok: Token) -> None:
        """In a grid a row is a line: a value on a line without a label has none; the walk loses step."""
        self.problem(tok.location, f"table {TABLE_NUMERALS[self.section]}: values on a line with no row label")
        self.out.unplaced.append(tok)
        self.in_step = False

    # ---- the end of a line, the end of a row

    def end_line(self, index: int, line: Line) -> None:
        """The empty cells a line ends with: the row's being read, the label-less row's, or padding."""
        current, empties, anchor = self.current, self.empties, self.anchor
        if current is not None and (current is self.on_line or (self.in_step and not self.grid and not current.unknown
                                                                and not current.complete_on_label_line(index))):
            for empty in empties:
                current.add(empty, index)
        elif anchor is not None and current is None and self.awaiting_anchor() and len(empties) == len(line.tokens) \
                and sum(t.kind == BLANK for t in empties) == anchor.width:
            # the label-less row printed with every cell empty: a line of exactly its cells
            current = self.current = RowRead(anchor, None, anchor.columns, None, index)
            self.out.reads.append(current)
            for empty in empties:
                if empty.kind == BLANK:
                    current.add(empty, index)
        elif current is None:  # padding after a caption or header, or table 四's first cells
            self.loose.extend(empties)
            loose = self.out.loose
            for empty in empties:
                loose[empty.kind] = loose.get(empty.kind, 0) + 1

    def close_row(self, ended: str, next_row: Row | None = None, late: bool = False) -> None:
        """End the row being read: by a label (``next_row``), a caption or header, unknown text, or the end."""
        current = self.current
        if current is not None:
            current.ended, current.next_row, current.next_late = ended, next_row, late
            if self.row_lines and not current.plausible():
                self.in_step = False
        self.current = None

    # ---- what the walk knows so far

    def awaiting_anchor(self) -> bool:
        """The table's label-less row is still to come: the first values are its."""
        anchor = self.anchor
        return self.in_step and anchor is not None and not any(r.row is anchor for r in self.out.reads)

    def seen_keys(self) -> frozenset[str]:
        """Keys of the rows read so far (the walk only adds rows)."""
        reads = self.out.reads
        if len(reads) != self.n_seen:
            self.n_seen, self.seen = len(reads), frozenset(r.row.key for r in reads)
        return self.seen

    def problem(self, where: str, message: str) -> None:
        self.out.problems.append((where, message))
