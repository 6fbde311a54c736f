"""A printed line → its cells: the tokeniser every reader shares.

:func:`split_cells` cuts a printed line (copied web text, a PDF or Word line, an OCR
line) into :class:`~shaoyang_report.read.document.Token` s: labels (``text``), numbers
(``value``), empty cells (``blank``, ``pad``) and digits run into a label (``glued``);
:func:`cell_tokens` does the same for one cell of a table grid (HTML, Word). A line's
cells are kept per text (:func:`line_cells`): lines repeat across reports.
:func:`is_furniture` tells page numbers and markdown rules, which hold no cell.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from shaoyang_report.layout import get_layout
from shaoyang_report.read.document import BLANK, GLUED, PAD, TEXT, VALUE, Token
from shaoyang_report.read.text import is_value, normalize

# Digits run into the text before them ("规章000", "行政许可0"): split off as a
# ``glued`` token; the template reader decides whether they can be read as values.
_GLUED_RE = re.compile(r"^(?P<text>.*[\u3400-\u9fff\u3000-\u303f\uff00-\uff0f)）])(?P<digits>\d+)$")
_ARTIFACTS = frozenset("?？\ufffd")
_SIGN_WORDS = frozenset(("增", "减", "增加", "减少", "+", "＋"))  # a change's sign printed apart: 增 3
_DASHES = frozenset("-－−")
_ONE_WORD = re.compile(r"^\S+$")
_MAY_RUN_ON = frozenset("0123456789+-?？\ufffd")  # a word starting so may be a number run into a label


def split_cells(text: str, location: str) -> list[Token]:
    """Read the cells of one printed line.

    Two shapes share this path:

    * text copied from a web page: each cell ends with `` |`` (``137 |``); an empty
      cell is `` |``; a run of bare ``|`` is padding for cells a row lacks;
    * plain text from PDF or Word: a row's label and its numbers share a line
      (``行政许可 4089 -56 7591``).

    Within a cell, trailing numbers separated by spaces are split off as values; so
    are numbers inside it where another row's label follows them (two rows printed on
    one line: ``行政许可 4089 -56 7591 其他对外管理服务事项 277 290 37458``).

    Example:
        >>> [(t.text, t.kind) for t in split_cells("行政许可 4089 -56 7591", "line 1")]
        [('行政许可', 'text'), ('4089', 'value'), ('-56', 'value'), ('7591', 'value')]
        >>> [t.kind for t in split_cells("行政许可 1 2 3 行政处罚 4 5 6", "line 1")]
        ['text', 'value', 'value', 'value', 'text', 'value', 'value', 'value']
        >>> [t.kind for t in split_cells("|||", "line 2")]
        ['pad', 'pad', 'pad']
    """
    line = line_cells(text)
    return line_tokens(line[0], line[1], location)


def line_tokens(cells: tuple[tuple[str, str], ...], n_values: int, location: str) -> list[Token]:
    """The tokens of a line's cells (:func:`line_cells`) at ``location`` (several values: ``line 12, value 3``)."""
    new = _new_token
    if n_values <= 1:
        return [new(Token, (cell, location, kind)) for cell, kind in cells]
    tokens: list[Token] = []
    k = 0
    for cell, kind in cells:  # several values on one line: say which is which
        if kind == VALUE:
            k += 1
            tokens.append(new(Token, (cell, f"{location}, value {k}", VALUE)))
        else:
            tokens.append(new(Token, (cell, location, kind)))
    return tokens


_new_token = tuple.__new__  # Token(text, location, kind) without the named tuple's Python-level constructor


@lru_cache(maxsize=1 << 12)
def line_cells(text: str) -> tuple[tuple[tuple[str, str], ...], int, bool, bool, bool, bool]:
    """A printed line's cells (:func:`_cells`), how many are values, and whether the line holds
    anything, starts with ``|``, ends with ``|`` (spaces aside) and holds a cell that is no empty
    one (text or a number). Lines repeat across reports: kept."""
    cells = _cells(text)
    stripped = text.strip()
    return (cells, sum(1 for _, kind in cells if kind == VALUE), bool(stripped), stripped.startswith("|"),
            stripped.endswith("|"), any(kind in (TEXT, VALUE, GLUED) for _, kind in cells))


def _cells(text: str) -> tuple[tuple[str, str], ...]:
    """``(text, kind)`` of the cells of a printed line."""
    if "|" not in text:
        pieces, piped = [text], False
    else:
        pieces, piped = text.split("|"), True
        if pieces and not pieces[-1].strip():
            pieces.pop()  # what follows the last bar is not a cell
    cells: list[tuple[str, str]] = []
    for piece in pieces:
        if piped and piece == "":
            cells.append(("", PAD))
            continue
        stripped = piece.strip()
        if not stripped:
            if piped:
                cells.append(("", BLANK))
            continue
        if _ONE_WORD.match(stripped):  # the usual cell: one word, a number or a label
            if is_value(stripped):
                cells.append((stripped, VALUE))
                continue
            if stripped[0] in _MAY_RUN_ON:  # a number run into a label? read word by word below
                pass
            elif (glued := _GLUED_RE.match(stripped)) is not None:
                cells += [(glued["text"], TEXT), (glued["digits"], GLUED)]
                continue
            else:
                cells.append((stripped, TEXT))
                continue
        for words, values in _rows_in(_join_artifacts(stripped.split(), piped)):
            if words:
                glued = _GLUED_RE.match(words)
                cells += [(glued["text"], TEXT), (glued["digits"], GLUED)] if glued else [(words, TEXT)]
            cells += [(word, VALUE) for word in values]
    return tuple(cells)


def _rows_in(words: list[str]) -> list[tuple[str, list[str]]]:
    """A cell's words as ``(text, values)`` runs: the trailing numbers, and numbers followed
    by another row's label (a number run into that label, ``7591其他对外管理服务事项``, too).

    Numbers followed by other text stay in the text: whose they are is not certain.
    """
    runs: list[tuple[str, list[str]]] = []
    text: list[str] = []
    values: list[str] = []

    def close() -> None:
        if text or values:
            runs.append((" ".join(text), list(values)))
        text.clear()
        values.clear()

    for word in words:
        if is_value(word):
            values.append(word)
            continue
        lead = _LEADING_NUMBER.match(word)
        if values or lead:
            rest = lead["rest"] if lead else word
            if starts_with_label(rest):
                if lead:
                    values.append(lead["number"])
                close()
                text.append(rest)
                continue
            text.extend(values)  # numbers inside text: part of the text
            values.clear()
        text.append(word)
    close()
    return runs


_LEADING_NUMBER = re.compile(r"^(?P<number>[+-]?\d+(?:\.\d+)?)(?P<rest>[^\d.,].*)$")


def starts_with_label(text: str) -> bool:
    """Whether text starts with a row label of the formats' tables (``其他对外管理服务事项…``)."""
    norm = normalize(text)
    return bool(norm) and any(p.match(norm) for p in _label_patterns())


@cache
def _label_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(p for table in get_layout().tables.values() for row in table.rows for p in row.patterns)


def _join_artifacts(words: list[str], piped: bool = False) -> list[str]:
    """Words that are one cell: a lone ``?`` before a number (``? 0``), a sign word before a
    number (``增 3``, ``减少 2``, ``+ 5``), and in a cell of its own a dash before a number
    (``| - 3 |``; between other words a lone ``-`` may be an empty cell's mark)."""
    out: list[str] = []
    for word in words:
        last = out[-1] if out else ""
        if last and (last in _ARTIFACTS or (word[0].isdigit() and (
                last in _SIGN_WORDS or (piped and last in _DASHES and len(words) == 2)))) \
                and is_value(last + word):
            out[-1] += " " + word
        else:
            out.append(word)
    return out


# A line that is only a page number ("- 3 -", "— 2 —", "第 3 页", "第3页 共5页",
# "Page 3 of 5"): page furniture that PDF text carries into the middle of a table. A bare
# number is not taken for one (it may be a row's value on a line of its own).
PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-—–－─~～]+\s*\d{1,4}\s*[-—–－─~～]+"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$"
)
# A markdown table's header rule ("|---|:---:|") carries no cell.
_RULE_RE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?\s*)?$")
# A rule under a markdown table's header row, two columns or more ("|---|---|"): the text is a
# converter's markdown, whose tables print every cell.
_MARKDOWN_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")


def is_markdown_rule(text: str) -> bool:
    """Whether a printed line is the rule under a markdown table's header row (``|---|---|``).

    Example:
        >>> is_markdown_rule("|---|:---:|"), is_markdown_rule("- 3 -"), is_markdown_rule("|||")
        (True, False, False)
    """
    return bool(_MARKDOWN_RULE.match(text))


@lru_cache(maxsize=1 << 12)
def is_furniture(text: str) -> bool:
    """Whether a printed line is page furniture, not report content.

    Page numbers and markdown table rules hold no cell of the report; they are skipped
    wherever they turn up (a page number printed inside a table would otherwise be read
    as values).

    Example:
        >>> is_furniture("- 3 -"), is_furniture("— 12 —"), is_furniture("|---|---|")
        (True, True, True)
        >>> is_furniture("-56 |"), is_furniture("3 |"), is_furniture("第二十条第(一)项 |")
        (False, False, False)
    """
    return bool(PAGE_NUMBER_RE.match(text) or _RULE_RE.match(text))


def cell_tokens(text: str, location: str) -> list[Token]:
    """Tokens of one table-grid cell (HTML, Word): a blank cell is one ``blank`` token.

    Example:
        >>> [(t.text, t.kind) for t in cell_tokens("\xa0", "table 1, row 2, col 3")]
        [('', 'blank')]
        >>> [(t.text, t.kind) for t in cell_tokens("１３７", "table 1, row 2, col 3")]
        [('１３７', 'value')]
    """
    if not text.strip():
        return [Token("", location, BLANK)]
    return split_cells(text.replace("|", "｜"), location)
