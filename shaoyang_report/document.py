"""The one in-memory model every source feeds: a :class:`Document` of lines and cells.

Readers (copied text, plain PDF/Word text, later HTML) turn a file into a Document;
the template reader (:mod:`shaoyang_report.tables`) and the metadata and prose readers
only ever see Documents. A :class:`Line` is a printed line (or a table row) with its
location; its :class:`Token` s are the cells read from it, in reading order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ReportFormatError
from .text import is_value

# Token kinds
TEXT, VALUE, BLANK, PAD = "text", "value", "blank", "pad"

_MAX_BYTES = 50 * 1024 * 1024
_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True, slots=True)
class Token:
    """One cell: printed text, where it is, and whether it is a label or a value.

    ``kind`` is ``text`` (a label or other words), ``value`` (a number or a
    not-stated marker), ``blank`` (an empty cell) or ``pad`` (layout padding that is
    not a cell).
    """

    text: str
    location: str
    kind: str


@dataclass(slots=True)
class Line:
    """A printed line (or table row) and the cells read from it."""

    text: str
    location: str
    tokens: list[Token] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    """A report as lines and cells, whatever file it came from.

    Attributes:
        source: The file name used in messages and ``location`` values.
        lines: Every printed line in reading order.
        reader: Which reader produced it (``text``, ``html``, ``pdf`` or ``docx``).
    """

    source: str
    lines: list[Line]
    reader: str = "text"


def decode(data: bytes, source: object) -> str:
    """Decode report bytes, detecting UTF-8 (with or without BOM) or GB18030/GBK.

    Raises:
        ReportFormatError: The bytes are empty, binary, or in no known encoding.
    """
    if not data.strip():
        raise ReportFormatError(source, "the file is empty; expected the text of a 政府信息公开工作年度报告")
    if b"\x00" in data[:4096]:
        raise ReportFormatError(source, "the file is binary, not text; expected the text of a 政府信息公开工作年度报告")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportFormatError(source, "the file is not UTF-8 or GB18030 text; expected the text of a 政府信息公开工作年度报告")


def read_bytes(path: Path) -> bytes:
    """Read a file for parsing, refusing what cannot be a report (too large, missing).

    Raises:
        ReportFormatError: The file is missing, unreadable or implausibly large.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReportFormatError(path, f"cannot open the file ({exc.strerror or exc})") from None
    if size > _MAX_BYTES:
        raise ReportFormatError(path, f"the file is {size} bytes; a report is expected to be under {_MAX_BYTES} bytes")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReportFormatError(path, f"cannot read the file ({exc.strerror or exc})") from None


def split_cells(text: str, location: str) -> list[Token]:
    """Read the cells of one printed line.

    Two shapes share this path:

    * text copied from a web page: each cell ends with `` |`` (``137 |``); an empty
      cell is `` |``; a run of bare ``|`` is padding for cells a row lacks;
    * plain text from PDF or Word: a row's label and its numbers share a line
      (``行政许可 4089 -56 7591``).

    Within a cell, trailing numbers separated by spaces are split off as values.

    Example:
        >>> [(t.text, t.kind) for t in split_cells("行政许可 4089 -56 7591", "line 1")]
        [('行政许可', 'text'), ('4089', 'value'), ('-56', 'value'), ('7591', 'value')]
        >>> [t.kind for t in split_cells("|||", "line 2")]
        ['pad', 'pad', 'pad']
    """
    if "|" not in text:
        pieces, piped = [text], False
    else:
        pieces, piped = text.split("|"), True
        if pieces and not pieces[-1].strip():
            pieces.pop()  # what follows the last bar is not a cell
    tokens: list[Token] = []
    n_values = 0
    for piece in pieces:
        if piped and piece == "":
            tokens.append(Token("", location, PAD))
            continue
        stripped = piece.strip()
        if not stripped:
            if piped:
                tokens.append(Token("", location, BLANK))
            continue
        words = stripped.split()
        cut = len(words)
        while cut > 0 and is_value(words[cut - 1]):
            cut -= 1
        if cut:
            tokens.append(Token(" ".join(words[:cut]), location, TEXT))
        for word in words[cut:]:
            tokens.append(Token(word, location, VALUE))
            n_values += 1
    if n_values > 1:  # several values on one line: say which is which
        k = 0
        for i, tok in enumerate(tokens):
            if tok.kind == VALUE:
                k += 1
                tokens[i] = Token(tok.text, f"{location}, value {k}", VALUE)
    return tokens


def text_document(text: str, source: str) -> Document:
    """Build a Document from report text (copied web page, or PDF/Word text)."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        location = f"line {number}"
        lines.append(Line(raw, location, split_cells(raw, location)))
    return Document(source=source, lines=lines, reader="text")


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
