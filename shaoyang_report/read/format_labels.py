"""Which national format a report's tables follow, told by the labels only one format prints.

The distinguishing labels are not a hand list: they are derived from the two formats as
``layouts.toml`` describes them (:func:`format_signs`):

* a **row** that one format's table prints and the other's cannot — a row the other
  table lacks (F2019's 其他对外管理服务事项, 政府集中采购) or a sub-row of a shaped row
  the other format prints only as one row (F2021's ``1.申请人无正当理由逾期不补正…``
  under (六)其他处理) — recognised by the row's own label patterns, and a block caption
  only such rows print (F2019's ``第二十条第（九）项``);
* a **block header** naming the column set one format prints for a row where the other
  prints another (``上一年项目数量 | 本年增/减 | 处理决定数量`` against
  ``本年处理决定数量``; ``本年收费金额（单位：万元）``), recognised by the column sets'
  own ``header`` patterns on the header cells printed before the block's first row.

A sign *fixes the table's shape* when the two formats print a different number of values
there (blocks (五), (六), (八) and the rows above); only such signs decide the format
first. Block (一) prints three columns in both formats, and an F2021 table may print the
F2019 headers there (read block by block, ``alt_columns``): its headers decide only when
nothing else does (see :func:`~shaoyang_report.read.metadata.read_metadata`).

Example:
    >>> from shaoyang_report.read.readers.text_reader import text_document
    >>> doc = text_document("二、主动公开政府信息情况\\n信息内容 | 本年收费金额（单位：万元） |\\n行政事业性收费 | 0 |", "x.txt")
    >>> found = format_evidence(doc)
    >>> found.decided(), found.seen["F2021"]
    ('F2021', ['本年收费金额（单位：万元）'])
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from shaoyang_report.layout import TABLE_SECTIONS, ColumnSet, Row, get_layout
from shaoyang_report.read.document import BLANK, PAD, TEXT, Document, Token
from shaoyang_report.read.labels import header_text
from shaoyang_report.read.sections import split_sections
from shaoyang_report.read.text import normalize

#: Cells joined when a sign's row label may be broken over several cells.
_JOIN = 4


@dataclass(frozen=True)
class RowSign:
    """A row (or block caption) only one format prints."""

    format: str
    label_zh: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class BlockSign:
    """A block whose rows the formats print with different column sets.

    Attributes:
        block: The block's caption (``第二十条第（五）项``).
        rows: Patterns of the block's row labels (a header is read before one of them).
        sets: Format → the column set it prints there.
        shape: Whether the sets hold different numbers of values (the sign fixes the
            table's shape).
    """

    block: str
    rows: tuple[re.Pattern[str], ...]
    sets: dict[str, ColumnSet]
    shape: bool


@dataclass(frozen=True)
class SetSign:
    """A column set one format prints where the other prints another set or no row at all."""

    format: str
    columns: ColumnSet
    shape: bool


@dataclass(frozen=True)
class Signs:
    """What tells the formats apart in one table section, derived from the layout.

    ``sets`` are the column sets of ``blocks`` and those only one format's rows print
    (F2019's 采购项目数量 | 采购总金额): a header no row label follows (the text ends, or
    the label is missing) is read against all of them.
    """

    rows: tuple[RowSign, ...]
    blocks: tuple[BlockSign, ...]
    sets: tuple[SetSign, ...]
    labels: re.Pattern[str]  # any row label of the section's tables, either format
    row_labels: re.Pattern[str]  # the labels of ``rows``, one group each (``r3``: ``rows[3]``)


def _printable(fmt_shapes: dict[str, tuple[str, ...]], rows: tuple[Row, ...]) -> dict[str, Row]:
    """A table's rows a format can print: the sub-rows of a shaped row only where it may be a group."""
    by_key = {r.key: r for r in rows}
    out = {}
    for row in rows:
        parent = by_key.get(row.parent or "")
        if parent is not None and parent.shape_of and "group" not in fmt_shapes.get(parent.shape_of, ("row",)):
            continue
        out[row.key] = row
    return out


@cache
def format_signs() -> dict[str, Signs]:
    """Section → the rows, captions and block headers only one format prints (see the module docstring)."""
    layout = get_layout()
    out = {}
    for section in TABLE_SECTIONS:
        tables = {key: layout.table_for(key, section) for key in layout.table_formats}
        printable = {key: _printable(layout.formats[key].shapes, t.rows) for key, t in tables.items()}
        row_signs: list[RowSign] = []
        blocks: dict[str, dict[str, ColumnSet]] = {}
        block_rows: dict[str, list[re.Pattern[str]]] = {}
        for key, rows in printable.items():
            others = [p for k, p in printable.items() if k != key]
            for row in rows.values():
                if not any(row.key in other for other in others):
                    row_signs.append(RowSign(key, row.label_zh, row.patterns))
                elif row.block and row.column_set:
                    blocks.setdefault(row.block, {})[key] = layout.column_sets[row.column_set]
                    block_rows.setdefault(row.block, []).extend(row.patterns)
        # a caption only rows of one format print
        for key in tables:
            own = {r.block for r in printable[key].values() if r.block}
            elsewhere = {r.block for k, rows in printable.items() if k != key for r in rows.values() if r.block}
            for block in sorted(own - elsewhere):
                row_signs.append(RowSign(key, block, (re.compile(f"^{re.escape(normalize(block))}$"),)))
        block_signs = tuple(
            BlockSign(block, tuple(block_rows[block]), sets, len({len(cs.columns) for cs in sets.values()}) > 1)
            for block, sets in blocks.items()
            if len(sets) == len(tables) and len({cs.name for cs in sets.values()}) > 1
            and all(cs.header is not None for cs in sets.values()))
        used = {key: {cs.name for r in rows.values() for cs in (*([layout.column_sets[r.column_set]] if r.column_set
                                                                   else []), *r.alt_columns)}
                for key, rows in printable.items()}
        shaped: dict[tuple[str, str], bool] = {}
        for b in block_signs:
            for key, cs in b.sets.items():
                shaped[key, cs.name] = shaped.get((key, cs.name), False) or b.shape
        for key, names in used.items():
            for name in sorted(names - set().union(*(v for k, v in used.items() if k != key))):
                if layout.column_sets[name].header is not None:
                    shaped[key, name] = True
        set_signs = [SetSign(key, layout.column_sets[name], shape) for (key, name), shape in shaped.items()]
        every = [p.pattern for t in tables.values() for r in t.rows for p in r.patterns]
        out[section] = Signs(tuple(row_signs), block_signs, tuple(set_signs), _any(every),
                             _any([f"(?P<r{i}>{p.pattern})" for i, sign in enumerate(row_signs) for p in sign.patterns]))
    return out


def _any(patterns: list[str]) -> re.Pattern[str]:
    """Patterns as one alternation (one that never matches for none)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns) or "(?!)")


@cache
def _captions() -> re.Pattern[str]:
    """Caption and header cells every table prints (the frame patterns all tables share)."""
    tables = list(get_layout().tables.values())
    shared = set.intersection(*({p.pattern for p in t.frame} for t in tables)) if tables else set()
    return _any([p.pattern for p in tables[0].frame if p.pattern in shared] if tables else [])


@dataclass
class FormatEvidence:
    """The format signs found in a document's table sections.

    Attributes:
        shape: Format → signs found that fix the table's shape (rows, captions, block
            headers of blocks whose width differs).
        headers: Format → block headers found whose width is the same in both formats.
        seen: Format → the labels found that fix the table's shape, as the format prints
            them (a block header as its column labels: ``上一年项目数量 | 本年增/减``).
        labels: Whether any row label of either format was found in a table section.
        sections: Whether the text has a table section at all.
    """

    shape: Counter[str] = field(default_factory=Counter)
    headers: Counter[str] = field(default_factory=Counter)
    seen: dict[str, list[str]] = field(default_factory=dict)
    labels: bool = False
    sections: bool = False
    _all: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def decided(self, *, headers: bool = False) -> str | None:
        """The format the signs that fix the table's shape point to (with ``headers``: the
        same-width block headers), when one format has more of them than the other."""
        votes = (self.headers if headers else self.shape).most_common()
        if votes and votes[0][1] > 0 and (len(votes) == 1 or votes[0][1] > votes[1][1]):
            return votes[0][0]
        return None

    def _add(self, fmt: str, label: str, shape: bool) -> None:
        if label in self._all.setdefault(fmt, set()):
            return
        self._all[fmt].add(label)
        if shape:
            self.seen.setdefault(fmt, []).append(label)
        (self.shape if shape else self.headers)[fmt] += 1

    def why_undecided(self) -> str:
        """What was looked for and what was found, when no sign decides: for the refusal message."""
        if not self.sections:
            return "the text prints none of the tables (no heading such as 二、主动公开政府信息情况)"
        looked = "; ".join(f"{key} {', '.join(labels)}" for key, labels in distinguishing_labels().items())
        found = {k: v for k, v in self.seen.items() if v}
        if found:
            both = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(found.items()))
            return f"the tables print labels of both formats, as many of each ({both})"
        if self.labels:
            return f"the table labels printed fit both formats (looked for labels only one prints: {looked})"
        return f"the table sections print no table label (looked for labels only one format prints: {looked})"


def distinguishing_labels(limit: int = 4) -> dict[str, list[str]]:
    """Format → a few labels only it prints (rows, then block headers), for messages."""
    out: dict[str, list[str]] = {}
    for signs in format_signs().values():
        for row in signs.rows:
            out.setdefault(row.format, []).append(row.label_zh)
        for block in signs.blocks:
            if block.shape:
                for key, cs in block.sets.items():
                    out.setdefault(key, []).extend(c.label_zh for c in cs.columns)
    short = {k: list(dict.fromkeys(w if len(w) <= 14 else f"{w[:12]}…" for w in v)) for k, v in sorted(out.items())}
    return {k: v[:limit] + (["…"] if len(v) > limit else []) for k, v in short.items()}


def format_evidence(doc: Document) -> FormatEvidence:
    """The format signs printed in a document's table sections (worked out once per document)."""
    if "format_evidence" not in doc.cache:
        doc.cache["format_evidence"] = _evidence(doc)
    return doc.cache["format_evidence"]


def _evidence(doc: Document) -> FormatEvidence:
    bounds = split_sections(doc)
    found = FormatEvidence()
    signs = format_signs()
    for section in TABLE_SECTIONS:
        if section not in bounds:
            continue
        found.sections = True
        start, end = bounds[section]
        run: list[Token] = []
        for line in doc.lines[start + 1:end]:
            for tok in line.tokens:
                kind = tok.kind
                if kind == TEXT:
                    run.append(tok)
                elif run and kind != BLANK and kind != PAD:  # a value ends the cells a header or label may span
                    _read_run(run, signs[section], found)
                    run = []
        _read_run(run, signs[section], found)
    return found


def _read_run(run: list[Token], signs: Signs, found: FormatEvidence) -> None:
    """Signs in one run of text cells (captions, headers, labels) between values."""
    if not run:
        return
    norms = [normalize(t.text) for t in run]
    captions, last = _captions(), len(norms) - 1
    header_from, captioned = 0, False
    for k, norm in enumerate(norms):
        if captions.match(norm):
            header_from, captioned = k + 1, True
        m = signs.row_labels.match(norm if k == last else "".join(norms[k:k + _JOIN]))
        if m is not None and m.lastgroup:
            sign = signs.rows[int(m.lastgroup[1:])]
            found._add(sign.format, sign.label_zh, True)
        if not signs.labels.match(norm):
            continue
        found.labels = True
        if k > header_from:
            _read_header(header_text(run[header_from:k]), norm, captioned, signs, found)
        header_from, captioned = k + 1, False
    if last >= header_from:
        _read_header(header_text(run[header_from:]), None, captioned, signs, found)


def _read_header(header: str, label: str | None, captioned: bool, signs: Signs, found: FormatEvidence) -> None:
    """The column set a block's header names, when only one format prints it there.

    Args:
        header: The header cells (after the block's caption or 信息内容), joined.
        label: The row label the header stands before (its block's sets are the
            candidates), or None: every sign's set is, when the header follows a
            caption or 信息内容.
    """
    if not header:
        return
    block = next((b for b in signs.blocks if label is not None and any(p.match(label) for p in b.rows)), None)
    if block is not None:
        candidates = [SetSign(key, cs, block.shape) for key, cs in block.sets.items()]
    elif captioned:
        candidates = list(signs.sets)
    else:
        return
    named = [c for c in candidates if c.columns.header is not None and c.columns.header.search(header)]
    if len({c.format for c in named}) == 1:
        found._add(named[0].format, " | ".join(c.label_zh for c in named[0].columns.columns), any(c.shape for c in named))


def detect_format(doc: Document, year: int | None, *, given: str | None = None,
                  year_from: str | None = None) -> tuple[str | None, str | None]:
    """Which national format the report's tables follow, and on what basis.

    In order: the labels that fix a table's shape and only one format prints
    (``table labels``), counted in the table sections only — a report's prose may name
    其他对外管理服务事项 or 政府集中采购 whatever its tables print; the caller's format
    (``caller``); the format in use in the year (``year``; ``year (caller)`` or ``year
    (catalog)`` when the year is theirs); the block headers both formats print as wide
    (``table headers``: block (一) alone). None when nothing tells
    (:func:`format_refusal` says why).

    Args:
        doc: The document.
        year: The reporting year used, or None.
        given: The caller's format, or None.
        year_from: Who gave the year when the text did not (``caller``, ``catalog``), or None.
    """
    found = format_evidence(doc)
    decided = found.decided()
    if decided is not None:
        return decided, "table labels"
    if given is not None:
        return given, "caller"
    layout = get_layout()
    if year is not None:
        for key, fmt in layout.table_formats.items():
            if year in fmt.years:
                return key, f"year ({year_from})" if year_from else "year"
    headers = found.decided(headers=True)
    if headers is not None:
        return headers, "table headers"
    if year is not None:  # a year before the national tables: the format of its reports
        for key, fmt in layout.formats.items():
            if year in fmt.years:
                return key, f"year ({year_from})" if year_from else "year"
    return None, None


def format_refusal(doc: Document, year: int | None) -> str:
    """Why the format cannot be told: what was looked for and found, and what the caller may give.

    Example:
        >>> from shaoyang_report.read.readers.text_reader import text_document
        >>> format_refusal(text_document("二、主动公开政府信息情况\\n规章 | 0 | 0 | 0 |", "x.txt"), None).split(" (looked")[0]
        'cannot tell the national format (F2019/F2021): the table labels printed fit both formats'
    """
    layout = get_layout()
    keys = "/".join(layout.table_formats)
    if year is None:
        early = "; ".join(f"{k}: {min(f.years)}–{max(f.years)}, or its headings and table "
                          f"({', '.join(f.old_marks_zh)})" for k, f in layout.formats.items() if not f.tables)
        when = f"the text prints no year (looked for a year or the marks of an earlier report: {early})"
    else:
        spans = ", ".join(f"{k} {min(f.years)}–{max(f.years)}" for k, f in layout.formats.items())
        when = f"its year {year} is in neither format's years ({spans})"
    return (f"cannot tell the national format ({keys}): {format_evidence(doc).why_undecided()}, and {when}; "
            f"give the format or the year (read_report(..., format='{next(iter(layout.formats))}') or year=…; "
            "shaoyang-report --format/--year)")
