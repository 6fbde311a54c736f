"""Doubts on a table's rows before they are placed: where the text shows that a row's cells may
be another row's, or printed twice, the row gets a ``doubt`` and is not placed (:mod:`.tables`).

* :func:`doubt_shapes`: a row printable as one row or as a group, read with values while its
  sub-rows are printed too;
* :func:`doubt_skips`: in a table printed a cell per line, a row followed by a row that skips
  rows every shape prints (a label lost);
* :func:`doubt_adjacent`: where each cell is followed by a line of its own, a value printed
  twice on adjacent lines.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from shaoyang_report.layout import get_layout
from shaoyang_report.read.document import GLUED, VALUE
from shaoyang_report.read.walk import RowRead, Walk


def doubt_shapes(walk: Walk) -> None:
    """A row printable as one row or as a group of sub-rows, read with values while its sub-rows
    are printed too: its values may be its first sub-row's, whose label is lost."""
    found = {r.row.key for r in walk.reads}
    for read in walk.reads:
        if read.row.shape_of and any(c.kind in (VALUE, GLUED) for c in read.cells):
            subs = [r.label_zh for r in walk.table.children(read.row.key) if r.key in found]
            if subs:
                read.doubt = f"its sub-rows ({'、'.join(subs)}) are printed too: its values may be one of theirs"


#: Where a table separates its cells by lines of their own, at most one pair of values in this many
#: may stand on adjacent lines for the separation to be the document's way.
_SEPARATED_SHARE = 20
_LINE_NUMBER = re.compile(r"^line (\d+)")


def doubt_adjacent(walks: list[Walk]) -> None:
    """In a document printing a cell per line with a line of its own after each (a bar, a blank
    line), a row printing the same value on two adjacent lines has printed a line twice: which of
    its cells is which is not certain. (Two different values so have lost a separator: no cell lost.)"""
    pairs: list[tuple[RowRead, int, bool]] = []
    for walk in walks:
        if walk.row_lines:
            continue
        for read in walk.reads:
            lines = [(int(m.group(1)), c.text) for c in read.cells if c.kind in (VALUE, GLUED)
                     and (m := _LINE_NUMBER.match(c.location))]
            pairs += [(read, b - a, same == text) for (a, same), (b, text) in itertools.pairwise(lines)]
    apart = sum(1 for _, gap, _ in pairs if gap > 1)
    close = [read for read, gap, same in pairs if gap <= 1 and same]
    if not close or apart < _SEPARATED_SHARE or len(close) * _SEPARATED_SHARE > apart:
        return
    for read in close:
        read.doubt = ("it prints a value twice on adjacent lines, where the table prints a line of its own "
                      "after each cell: a line printed twice?")


@lru_cache(maxsize=64)
def always_printed(table: str, shapes: tuple[tuple[str, tuple[str, ...]], ...]) -> frozenset[str]:
    """The rows of a table that hold values in every shape the format allows."""
    rows = get_layout().tables[table]
    keys = [frozenset(r.key for r in rows.expected_rows(dict(zip((k for k, _ in shapes), choice))))
            for choice in itertools.product(*(v for _, v in shapes))]
    return frozenset.intersection(*keys)


def doubt_skips(walk: Walk, shapes: dict[str, tuple[str, ...]]) -> None:
    """In a table printed a cell per line: a row followed by a label (or, after a caption or header,
    by the next row found) that skips rows every shape of the format prints, none of them found,
    may hold their values (a label lost)."""
    table = walk.table
    always = always_printed(table.key, tuple(shapes.items()))
    found = {r.row.key for r in walk.reads}
    index = {r.key: i for i, r in enumerate(table.rows)}
    for k, read in enumerate(walk.reads):
        if read.late or read.next_late:
            continue
        if read.ended == "label" and read.next_row is not None:
            stop = index[read.next_row.key]
        elif read.ended == "frame" and (after := next((r for r in walk.reads[k + 1:] if not r.late), None)):
            stop = index[after.row.key]  # (a caption or header: the next row found in order)
        else:
            continue
        lost = [r.label_zh for r in table.rows[index[read.row.key] + 1:stop] if r.key in always and r.key not in found]
        if lost:
            read.doubt = f"the next label skips {'、'.join(lost)}, not printed: its values may be printed after them"
