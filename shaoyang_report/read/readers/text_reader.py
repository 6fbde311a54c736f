"""Report text → :class:`~shaoyang_report.read.document.Document`: the plain-text reader.

Reads text copied from a web page (cells ending with `` |``) and the text of PDF or Word
files (a row's label and numbers on one line), a line at a time, with the cell splitter
of :mod:`shaoyang_report.read.cells`. Reading is bounded by the caps of
:mod:`shaoyang_report.limits`.
"""

from __future__ import annotations

from shaoyang_report import limits
from shaoyang_report.limits import MAX_CHARS, Budget, refuse
from shaoyang_report.read.cells import line_cells, line_tokens, split_cells
from shaoyang_report.read.document import PAD, Document, Line


def text_document(text: str, source: str) -> Document:
    """Build a Document from report text (copied web page, or PDF/Word text).

    Reading is linear and bounded: text beyond the caps of :mod:`shaoyang_report.limits`
    (characters, lines, line length, tokens) is refused as soon as the cap is passed.

    Raises:
        ReportFormatError: The text is far larger than a report.
    """
    if len(text) > MAX_CHARS:
        raise refuse(source, f"the text is {len(text):,} characters long; a report's is far shorter", "MAX_CHARS")
    raws = text.splitlines()
    if len(raws) > limits.MAX_LINES or len(text) > limits.MAX_CHARS \
            or max(map(len, raws), default=0) > limits.MAX_LINE_CHARS:
        return _text_document(raws, source, Budget(source))  # refused where the cap is passed
    lines = []
    n_tokens = 0
    open_cell = False  # the last printed line holds a cell its line did not end with "|"
    for number, raw in enumerate(raws, start=1):
        location = f"line {number}"
        cells, n_values, printed, opens, ends = line_cells(raw)
        tokens = line_tokens(cells, n_values, location)
        n_tokens += len(tokens)
        if open_cell and opens and tokens and tokens[0].kind == PAD:
            # "0" then a line "|": the bar ends the cell printed above it, it is no empty cell
            tokens = tokens[1:]
        if printed:
            open_cell = not ends
        lines.append(Line(raw, location, tokens))
    if n_tokens > limits.MAX_TOKENS:
        return _text_document(raws, source, Budget(source))  # refused where the cap is passed
    return Document(source=source, lines=lines, reader="text")


def _text_document(raws: list[str], source: str, budget: Budget) -> Document:
    """:func:`text_document` counting every line, character and token (a text near or past the caps)."""
    lines = []
    open_cell = False
    for number, raw in enumerate(raws, start=1):
        location = f"line {number}"
        budget.line(raw, location)
        tokens = split_cells(raw, location)
        budget.tokens(len(tokens), location)
        stripped = raw.strip()
        if open_cell and stripped.startswith("|") and tokens and tokens[0].kind == PAD:
            tokens = tokens[1:]
        if stripped:
            open_cell = not stripped.endswith("|")
        lines.append(Line(raw, location, tokens))
    return Document(source=source, lines=lines, reader="text")
