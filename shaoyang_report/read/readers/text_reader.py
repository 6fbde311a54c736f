"""Report text → :class:`~shaoyang_report.read.document.Document`: the plain-text reader.

Reads text copied from a web page (cells ending with `` |``), the text of PDF or Word
files (a row's label and numbers on one line) and markdown (a converter's tables with
``|---|`` rules, which print every cell: the Document is a grid), a line at a time, with
the cell splitter of :mod:`shaoyang_report.read.cells`. Reading is bounded by the caps of
:mod:`shaoyang_report.limits`.
"""

from __future__ import annotations

from typing import NamedTuple

from shaoyang_report import limits
from shaoyang_report.limits import MAX_CHARS, Budget, refuse
from shaoyang_report.read.cells import is_markdown_rule, line_cells, line_tokens, split_cells
from shaoyang_report.read.document import GLUED, PAD, TEXT, VALUE, Document, Line, Token


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
    before = _BEFORE  # what the last printed line says of the next one's opening bar
    for number, raw in enumerate(raws, start=1):
        location = f"line {number}"
        cells, n_values, printed, opens, ends, content = line_cells(raw)
        tokens = line_tokens(cells, n_values, location)
        n_tokens += len(tokens)
        if opens:
            tokens = _opening_bar(tokens, before)  # (a bar dropped is no content)
        if printed:
            before = _AFTER[(not ends, not content)]
        lines.append(Line(raw, location, tokens))
    if n_tokens > limits.MAX_TOKENS:
        return _text_document(raws, source, Budget(source))  # refused where the cap is passed
    return Document(source=source, lines=lines, reader="text", grid=_is_markdown(raws))


def _text_document(raws: list[str], source: str, budget: Budget) -> Document:
    """:func:`text_document` counting every line, character and token (a text near or past the caps)."""
    lines = []
    before = _BEFORE
    for number, raw in enumerate(raws, start=1):
        location = f"line {number}"
        budget.line(raw, location)
        tokens = split_cells(raw, location)
        budget.tokens(len(tokens), location)
        stripped = raw.strip()
        if stripped.startswith("|"):
            tokens = _opening_bar(tokens, before)
        if stripped:
            before = _after(tokens, stripped.endswith("|"))
        lines.append(Line(raw, location, tokens))
    return Document(source=source, lines=lines, reader="text", grid=_is_markdown(raws))


class _Before(NamedTuple):
    """What the last printed line says of the next line's opening ``|``."""

    open_cell: bool  # it holds a cell its line did not end with "|"
    bars_only: bool  # it holds no text or number: bars (empty cells) only


_BEFORE = _Before(False, False)
_AFTER = {(a, b): _Before(a, b) for a in (False, True) for b in (False, True)}
_CONTENT = frozenset((TEXT, VALUE, GLUED))


def _after(tokens: list[Token], ends: bool) -> _Before:
    return _Before(not ends, not any(t.kind in _CONTENT for t in tokens))


def _opening_bar(tokens: list[Token], before: _Before) -> list[Token]:
    """A line that starts with ``|``: its first bar is an empty cell only where the text shows it so.

    * ``0`` then a line ``|``: the bar ends the cell printed above it;
    * ``| 规章 | 0 |`` (rows with a leading bar, markdown): the bar opens the row, its border;
    * but a line ``| 25 |`` after lines of bare ``|`` (a row's empty cells, one bar each):
      its bar ends one more empty cell.
    """
    if not tokens or tokens[0].kind != PAD:
        return tokens
    if before.open_cell or (not before.bars_only and any(t.kind in _CONTENT for t in tokens)):
        return tokens[1:]
    return tokens


def _is_markdown(raws: list[str]) -> bool:
    """Whether the text is a converter's markdown (tables with ``|---|---|`` rules): its tables print
    every cell, empty ones too."""
    return any("---" in raw and is_markdown_rule(raw) for raw in raws)
