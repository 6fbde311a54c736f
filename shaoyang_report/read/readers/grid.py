"""Table grids (HTML, Word) → lines of cells for the template reader.

HTML and Word both print a report's tables as grids with merged cells. Their readers
resolve the merges (colspan/rowspan, gridSpan/vMerge) into grid positions and hand
each table here as rows of :class:`GridCell` s, one per cell *as printed* (a merged cell
once, at its top-left position). This module turns each table row into one
:class:`~shaoyang_report.read.document.Line` whose tokens are the row's cells in order, with
locations ``table 3, row 5, col 2``.

Blank cells are kept as ``blank`` tokens where values are printed (a blank value cell is
"not stated") and dropped in the label columns (an empty cell beside a short label, as
in ``（七）总计 | | 21 | 0 …``), so that they are never taken for a value. The value
columns start at the leftmost column where a labelled row prints a value or a header
row names a measure. A row with no label (table 四's values, a row of empty value
cells) keeps every cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple, cast

from shaoyang_report.read.cells import cell_tokens
from shaoyang_report.read.document import BLANK, TEXT, VALUE, Line, Token

# Guards against hostile markup (colspan="100000" rowspan="65534").
MAX_COLSPAN = 1000
MAX_GRID_CELLS = 200_000


class GridCell(NamedTuple):
    """A printed cell at its top-left grid position (0-based) with its text.

    A plain ``(row, col, text)`` tuple stands for one too (the HTML reader passes those).
    """

    row: int
    col: int
    text: str


_new_token = tuple.__new__  # Token(...) without its Python-level __new__
# Two locations to try a cell's text at: its tokens at any location are found from them.
_PROBES = ("table 1, row 1, col 1", "table 12, row 34, col 5")


class _Cell(NamedTuple):
    """What a cell's text reads as, wherever the cell stands."""

    shape: tuple[tuple[str, str, str], ...] | None  # (text, location suffix, kind) of each token
    has_text: bool
    has_value: bool
    blank: bool  # one blank token
    printed: str  # the text as the row's line prints it


@lru_cache(maxsize=1 << 12)
def _cell(text: str) -> _Cell:
    """How :func:`cell_tokens` reads a cell's text, kept per text.

    Cells repeat (labels, ``0``, blank cells), within a report and across reports: their
    tokens are made from the shape instead of reading the text again. The shape is None
    when the tokens depend on the location other than by starting with it.
    """
    shapes = []
    for probe in _PROBES:
        tokens = cell_tokens(text, probe)
        shapes.append(tuple((t.text, t.location[len(probe):], t.kind) if t.location.startswith(probe) else None
                            for t in tokens))
    shape = cast("tuple[tuple[str, str, str], ...]", shapes[0]) \
        if shapes[0] == shapes[1] and None not in shapes[0] else None  # None not in it: the cast holds
    kinds = {t.kind for t in tokens}
    return _Cell(shape, TEXT in kinds, VALUE in kinds, len(tokens) == 1 and tokens[0].kind == BLANK,
                 " ".join(text.split()))


def table_lines(rows: Sequence[Sequence[tuple[int, int, str]]], table_number: int, prefix: str = "table") -> list[Line]:
    """The lines of one table: one per row that holds any text.

    Args:
        rows: The table's rows in printed order, each its cells left to right, as
            :class:`GridCell` s or ``(row, col, text)`` tuples.
        table_number: 1-based number of the table in the document (for locations).
        prefix: The location's first word.
    """
    head = f"{prefix} {table_number}, row "
    tokenised = []  # per row: whether it is labelled, and (col, cell, tokens) per cell
    value_start = None  # the leftmost column where values (or the measure headers) are printed
    for cells in rows:
        row_cells = []
        labelled = False
        first_value = None  # a labelled row: where its first value stands
        first_header = None  # a header row: its cells after the first name the value columns
        for i, (row, col, text) in enumerate(cells):
            cell = _cell(text)
            location = f"{head}{row + 1}, col {col + 1}"
            shape = cell.shape
            if shape is None:
                tokens = cell_tokens(text, location)
                kinds = {t.kind for t in tokens}
                has_text, has_value = TEXT in kinds, VALUE in kinds
                cell = cell._replace(blank=len(tokens) == 1 and tokens[0].kind == BLANK)
            else:
                if len(shape) == 1:
                    token_text, suffix, kind = shape[0]
                    tokens = [_new_token(Token, (token_text, location + suffix if suffix else location, kind))]
                else:
                    tokens = [_new_token(Token, (token_text, location + suffix, kind))
                              for token_text, suffix, kind in shape]
                has_text, has_value = cell.has_text, cell.has_value
            if has_text:
                labelled = True
                if i and (first_header is None or col < first_header):
                    first_header = col
            if has_value and first_value is None:
                first_value = col
            row_cells.append((row, col, cell, tokens))
        if labelled:
            start = first_value if first_value is not None else first_header
            if start is not None and (value_start is None or start < value_start):
                value_start = start
        tokenised.append((labelled, row_cells))
    if value_start is None:
        value_start = 0
    lines = []
    for labelled, row_cells in tokenised:
        tokens = []
        texts = []
        for _, col, cell, toks in row_cells:
            if cell.blank:
                if labelled and col < value_start:
                    continue  # an empty cell in the label columns holds no value
            else:
                texts.append(cell.printed)
            tokens += toks
        if not tokens:
            continue  # nothing but empty label cells
        lines.append(Line(" ".join(texts), f"{head}{row_cells[0][0] + 1}", tokens))
    return lines
