"""The one in-memory model every source feeds: a :class:`Document` of lines and cells.

Readers (copied text, plain PDF/Word text, later HTML) turn a file into a Document;
the template reader (:mod:`shaoyang_report.read.tables`) and the metadata and prose readers
only ever see Documents. A :class:`Line` is a printed line (or a table row) with its
location; its :class:`Token` s are the cells read from it, in reading order.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from shaoyang_report import limits
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_CHARS, MAX_FILE_BYTES, Budget, refuse
from shaoyang_report.read.text import is_value, normalize

# Token kinds
TEXT, VALUE, BLANK, PAD, GLUED = "text", "value", "blank", "pad", "glued"
# Digits run into the text before them ("规章000", "行政许可0"): split off as a
# ``glued`` token; the template reader decides whether they can be read as values.
_GLUED_RE = re.compile(r"^(?P<text>.*[\u3400-\u9fff\u3000-\u303f\uff00-\uff0f)）])(?P<digits>\d+)$")
_ARTIFACTS = frozenset("?？\ufffd")
_ONE_WORD = re.compile(r"^\S+$")
_MAY_RUN_ON = frozenset("0123456789+-?？\ufffd")  # a word starting so may be a number run into a label

_ENCODINGS = ("utf-8-sig", "gb18030")


class Token(NamedTuple):
    """One cell: printed text, where it is, and whether it is a label or a value.

    ``kind`` is ``text`` (a label or other words), ``value`` (a number or a
    not-stated marker), ``blank`` (an empty cell), ``pad`` (a bare ``|``: layout
    padding, or an empty cell where the document prints them so) or ``glued``
    (digits printed run into the text before them, ``规章000``).
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
        grid: Whether the source is a grid that prints every cell, empty ones as
            ``blank`` tokens (HTML and Word tables, markdown tables).
        ocr_pages: The pages (``page 3``, ``image 1``) read by OCR (:mod:`.readers.ocr`).
        confidence: Location → OCR recognition confidence (0–1) of what was read there.
    """

    source: str
    lines: list[Line]
    reader: str = "text"
    grid: bool = False  # every cell is printed, empty ones too (HTML, Word, markdown tables)
    ocr_pages: tuple[str, ...] = ()
    confidence: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # what is worked out once per document


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
    """Read a file for parsing, refusing what cannot be a report.

    Only regular files are read: a device (``/dev/zero``), FIFO, socket or folder is
    refused before anything is read (a FIFO is opened without blocking, so it cannot
    hang the reader). What is read is bounded by what comes in, not by the size the
    file system states: at most :data:`~shaoyang_report.limits.MAX_FILE_BYTES` + 1
    bytes are read, and a file longer than that is refused.

    Raises:
        ReportFormatError: The file is missing, unreadable, not a regular file, or
            implausibly large.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ReportFormatError(path, f"cannot open the file ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ReportFormatError(path, _not_regular(info.st_mode))
    if info.st_size > MAX_FILE_BYTES:
        raise _too_big(path, info.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ReportFormatError(path, f"cannot open the file ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)  # what was opened, should the path have been swapped since
        if not stat.S_ISREG(info.st_mode):
            raise ReportFormatError(path, _not_regular(info.st_mode))
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        want = min(info.st_size + 1, left)  # usually the whole file in one read
        while left > 0:
            chunk = os.read(fd, min(max(want, 1 << 16), left))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise ReportFormatError(path, f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if left <= 0:
        raise _too_big(path, None)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_big(path: object, size: int | None) -> ReportFormatError:
    """The error for a file over the byte cap (``size`` None: more was read than the cap)."""
    found = f"{size:,} bytes" if size is not None else f"over {MAX_FILE_BYTES:,} bytes"
    return refuse(path, f"the file is {found}; a report is expected to be under {MAX_FILE_BYTES:,} bytes",
                  "MAX_FILE_BYTES")


def _not_regular(mode: int) -> str:
    if stat.S_ISDIR(mode):
        what = "a folder"
    elif stat.S_ISCHR(mode):
        what = "a character device (such as /dev/zero)"
    elif stat.S_ISBLK(mode):
        what = "a block device"
    elif stat.S_ISFIFO(mode):
        what = "a FIFO (named pipe)"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    else:
        what = "a special file"
    return f"the path is {what}, not a regular file; expected a report file (text, HTML, PDF or .docx)"


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
    line = _line_cells(text)
    return _tokens(line[0], line[1], location)


def _tokens(cells: tuple[tuple[str, str], ...], n_values: int, location: str) -> list[Token]:
    """The tokens of a line's cells at ``location`` (several values: ``line 12, value 3``)."""
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
def _line_cells(text: str) -> tuple[tuple[tuple[str, str], ...], int, bool, bool, bool]:
    """A printed line's cells (:func:`_cells`), how many are values, and whether the line holds
    anything, starts with ``|`` and ends with ``|`` (spaces aside). Lines repeat across reports: kept."""
    cells = _cells(text)
    stripped = text.strip()
    return (cells, sum(1 for _, kind in cells if kind == VALUE), bool(stripped), stripped.startswith("|"),
            stripped.endswith("|"))


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
        for words, values in _rows_in(_join_artifacts(stripped.split())):
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
    from shaoyang_report.layout import get_layout

    return tuple(p for table in get_layout().tables.values() for row in table.rows for p in row.patterns)


def _join_artifacts(words: list[str]) -> list[str]:
    """A lone ``?`` before a number is part of that cell (``? 0``), not a word."""
    out: list[str] = []
    for word in words:
        if out and out[-1] in _ARTIFACTS and is_value(out[-1] + word):
            out[-1] += " " + word
        else:
            out.append(word)
    return out


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
        cells, n_values, printed, opens, ends = _line_cells(raw)
        tokens = _tokens(cells, n_values, location)
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
