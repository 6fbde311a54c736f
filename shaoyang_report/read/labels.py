"""Row labels of the format's tables, as printed: which rows a text cell names.

A cell may hold one label, several (``三、本年度办理结果(一)予以公开``), a label broken
across lines or pages (joined to the unmatched cells before it), a label printed out of
the format's order, or a label with one character off (行政事业型收费 for 行政事业性收费,
labels of at least :data:`FUZZY_MIN_CHARS` characters). :func:`find_label` tries these
in turn; :func:`frame_test` tells a table's captions and header cells (its ``frame`` in
``layouts.toml``) and :func:`header_text` gives a block's header. Matches are kept per
cell text: cells repeat across reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, partial

from shaoyang_report.layout import Column, ColumnSet, Row, get_layout
from shaoyang_report.read.document import TEXT, Token
from shaoyang_report.read.text import normalize

#: A label at least this long (normalised, numbering dropped) is still recognised with
#: one character changed, added or dropped (行政事业型收费 for 行政事业性收费).
FUZZY_MIN_CHARS = 5
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]{1,2}、|\([一二三四五六七八九十]{1,2}\)|\d{1,2}[.、])")
INFO_CONTENT = "信息内容"  # the first header cell of a block of table 二


def label_core(text: str) -> str:
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
            core = label_core(normalize(row.label_zh))
            if row.patterns and len(core) >= FUZZY_MIN_CHARS:
                cores.setdefault(len(core), []).append((i, core))
    return cores


def _fuzzy(rest: str, rows: tuple[Row, ...], start: int) -> int | None:
    """The one row from ``start`` whose whole label is one character off ``rest``."""
    if len(rest) < FUZZY_MIN_CHARS:
        return None
    core = label_core(rest)
    by_length = _fuzzy_cores(rows)
    hits = [i for n in (len(core) - 1, len(core), len(core) + 1) for i, c in by_length.get(n, ())
            if i >= start and _distance_at_most_one(core, c)]
    return min(hits) if len(hits) == 1 else None


def _label_chain(text: str, rows: tuple[Row, ...], start: int, stop: int, seen: frozenset[str] = frozenset()) -> list[int]:
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
            assert m.lastgroup is not None  # each row's labels are a named group
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


def rows_named(text: str, rows: tuple[Row, ...]) -> tuple[int, ...]:
    """Indices of the rows whose labels a text cell holds (or, alone, one character off), wherever the
    format prints them."""
    _TABLES.setdefault(id(rows), rows)
    return _match_labels_cached(text, id(rows), 0)[0]


def after_labels(text: str, rows: list[Row]) -> str:
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


def find_label(
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


def frame_test(frame: tuple[re.Pattern[str], ...]) -> Callable[[str], bool]:
    """Whether a cell's text is a caption or header of a table, by the table's ``frame`` patterns.

    The answers are kept per text (cells repeat across reports).
    """
    _FRAMES.setdefault(id(frame), frame)
    return partial(_is_frame_cached, id(frame))


@lru_cache(maxsize=4096)
def _is_frame_cached(frame_id: int, text: str) -> bool:
    """Whether a cell is a caption or header of a table (its ``frame``); cells repeat across reports: kept."""
    norm = normalize(text)
    return bool(norm) and any(p.search(norm) for p in _FRAMES[frame_id])


def named_columns(header: str, column_set: ColumnSet) -> tuple[Column, ...] | None:
    """The columns a block's header names, in the format's order (None: not certain).

    The normalised header text (:func:`header_text`) must be read whole into the column
    set's column names (``header`` of each column in ``layouts.toml``) and words naming
    no column (``header_words``), each column named once, and in the format's order where
    one header row names them (``header_rows``); text naming nothing (a truncated
    ``本年新``), a column named twice or out of order leaves the columns to the format.

    Example:
        >>> from shaoyang_report.layout import get_layout
        >>> sets = get_layout().column_sets
        >>> [c.label_zh for c in named_columns("本年制发件数现行有效件数", sets["rules_F2021"])]
        ['本年制发件数', '现行有效件数']
        >>> named_columns("本年新本年新对外公开总数量", sets["rules_F2019"]) is None
        True
    """
    pattern = _header_pattern(column_set)
    if pattern is None:
        return None
    pos = 0
    named: list[int] = []
    while pos < len(header):
        m = pattern.match(header, pos)
        if m is None or m.end() == pos:
            return None
        column = int(str(m.lastgroup)[1:]) if m.lastgroup != "words" else None
        if column is not None and (not named or named[-1] != column):  # (a header cell printed twice: once)
            named.append(column)
        pos = m.end()
    if not named or len(set(named)) < len(named) or (column_set.header_rows == 1 and named != sorted(named)):
        return None
    return tuple(column_set.columns[i] for i in sorted(named))


_HEADERS: dict[str, re.Pattern[str] | None] = {}  # by column set name (kept for the process)


def _header_pattern(column_set: ColumnSet) -> re.Pattern[str] | None:
    """A column set's header names as one pattern: a group per column, ``words`` for the rest."""
    if column_set.name not in _HEADERS:
        pattern = None
        if column_set.columns and all(c.header is not None for c in column_set.columns):
            words = [f"(?P<words>{column_set.header_words.pattern})"] if column_set.header_words else []
            columns = [f"(?P<c{i}>{c.header.pattern})" for i, c in enumerate(column_set.columns) if c.header]
            pattern = re.compile("|".join(words + columns))
        _HEADERS[column_set.name] = pattern
    return _HEADERS[column_set.name]


def note_test() -> Callable[[str], bool]:
    """Whether a cell's text starts a note on a table (``注：…``, ``* 单位：件``: ``[notes]`` in ``layouts.toml``)."""
    return _is_note


@lru_cache(maxsize=4096)
def _is_note(text: str) -> bool:
    norm = normalize(text)
    return bool(norm) and any(p.match(norm) for p in get_layout().notes)


def header_text(run: list[Token]) -> str:
    """The header cells of a block: the texts after its last 信息内容 (or caption)."""
    norms = [normalize(t.text) for t in run]
    for k in range(len(norms) - 1, -1, -1):
        if norms[k].startswith(INFO_CONTENT):
            norms = [norms[k][len(INFO_CONTENT):], *norms[k + 1:]]
            break
    return "".join(norms)
