"""Table grids (HTML, Word) → lines of cells for the template reader.

HTML and Word both print a report's tables as grids with merged cells. Their readers
resolve the merges (colspan/rowspan, gridSpan/vMerge) into grid positions and hand
each table here as rows of :class:`GridCell` s, one per cell *as printed* (a merged cell
once, at its top-left position). This module turns each table row into one
:class:`~shaoyang_report.document.Line` whose tokens are the row's cells in order, with
locations ``table 3, row 5, col 2``.

Blank cells are kept as ``blank`` tokens where values are printed (a blank value cell is
"not stated") and dropped in the label columns (an empty cell beside a short label, as
in ``（七）总计 | | 21 | 0 …``), so that they are never taken for a value. The value
columns start at the leftmost column where a labelled row prints a value or a header
row names a measure. A row with no label (table 四's values, a row of empty value
cells) keeps every cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..document import BLANK, TEXT, VALUE, Line, cell_tokens

# Guards against hostile markup (colspan="100000" rowspan="65534").
MAX_COLSPAN = 1000
MAX_GRID_CELLS = 200_000


@dataclass(frozen=True, slots=True)
class GridCell:
    """A printed cell at its top-left grid position (0-based) with its text."""

    row: int
    col: int
    text: str


def table_lines(rows: list[list[GridCell]], table_number: int, prefix: str = "table") -> list[Line]:
    """The lines of one table: one per row that holds any text.

    Args:
        rows: The table's rows in printed order, each its cells left to right.
        table_number: 1-based number of the table in the document (for locations).
        prefix: The location's first word.
    """
    tokenised = []
    starts: list[int] = []  # columns where values (or the measure headers) are printed
    for cells in rows:
        row_tokens = []
        for cell in cells:
            location = f"{prefix} {table_number}, row {cell.row + 1}, col {cell.col + 1}"
            row_tokens.append((cell, cell_tokens(cell.text, location)))
        kinds = [{t.kind for t in toks} for _, toks in row_tokens]
        if any(TEXT in k for k in kinds):
            if any(VALUE in k for k in kinds):  # a labelled row: where its first value stands
                starts.append(next(c.col for (c, _), k in zip(row_tokens, kinds) if VALUE in k))
            else:  # a header row: its cells after the first name the value columns
                starts += [c.col for (c, _), k in list(zip(row_tokens, kinds))[1:] if TEXT in k]
        tokenised.append(row_tokens)
    # Where value columns start: the leftmost column printing a value or a measure header.
    value_start = min(starts) if starts else 0
    lines = []
    for r, row_tokens in enumerate(tokenised):
        tokens = []
        texts = []
        labelled = any(t.kind == TEXT for _, toks in row_tokens for t in toks)
        for cell, toks in row_tokens:
            if len(toks) == 1 and toks[0].kind == BLANK:
                if labelled and cell.col < value_start:
                    continue  # an empty cell in the label columns holds no value
            else:
                texts.append(" ".join(cell.text.split()))
            tokens.extend(toks)
        if not tokens:
            continue  # nothing but empty label cells
        row_number = row_tokens[0][0].row + 1 if row_tokens else r + 1
        lines.append(Line(" ".join(texts), f"{prefix} {table_number}, row {row_number}", tokens))
    return lines
