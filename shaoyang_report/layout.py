"""The national formats as package data (``data/layouts.toml``), loaded once.

The readers, the checker and the data dictionary all read this one description; the
code has no per-year or per-format branches.

Example:
    >>> from shaoyang_report.layout import get_layout
    >>> layout = get_layout()
    >>> sorted(layout.formats), sorted(layout.table_formats)
    (['F2008', 'F2019', 'F2021'], ['F2019', 'F2021'])
    >>> layout.table_for("F2019", "active_disclosure").value_count()
    22
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

TABLE_SECTIONS = ("active_disclosure", "applications", "review_litigation")


@dataclass(frozen=True)
class Column:
    """One printed column: the fact dimensions it fixes, its label and unit."""

    dims: dict[str, str]
    label_zh: str
    unit: str
    is_total: bool = False
    unit_in_cell: bool = False
    header: re.Pattern[str] | None = None  # how a header cell names it (normalised, whole cell)


@dataclass(frozen=True)
class ColumnSet:
    """The columns of a block's rows, and how the block's header row names them."""

    name: str
    columns: tuple[Column, ...]
    header: re.Pattern[str] | None = None
    header_words: re.Pattern[str] | None = None  # header text that names no column (申请人情况)
    header_rows: int = 1  # header rows naming the columns: over one, their printed order is not the columns'


@dataclass(frozen=True)
class Row:
    """One printed row of a table (see the comments in ``layouts.toml``)."""

    key: str
    label_zh: str
    patterns: tuple[re.Pattern[str], ...]
    columns: tuple[Column, ...] = ()
    group: bool = False
    parent: str | None = None
    anchor: str | None = None
    shape_of: str | None = None
    block: str | None = None
    is_total: bool = False
    column_set: str | None = None
    alt_columns: tuple[ColumnSet, ...] = ()
    beside_empty: bool = False

    @property
    def width(self) -> int:
        """Number of values the row holds when printed with numbers."""
        return len(self.columns)


@dataclass(frozen=True)
class Table:
    """A printed table: rows in printed order."""

    key: str
    name_zh: str
    wide: str
    measure: str | None
    rows: tuple[Row, ...]
    frame: tuple[re.Pattern[str], ...] = ()

    def row(self, key: str) -> Row:
        """The row with canonical key ``key``."""
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def children(self, key: str) -> list[Row]:
        """Rows whose parent is ``key``."""
        return [r for r in self.rows if r.parent == key]

    def descendants(self, key: str) -> list[Row]:
        """All rows below ``key``, depth first, in printed order."""
        out: list[Row] = []
        for child in self.children(key):
            out.append(child)
            out.extend(self.descendants(child.key))
        return out

    def expected_rows(self, shapes: dict[str, str]) -> list[Row]:
        """Rows that must print values, given the shape chosen for each shaped row."""
        out = []
        for row in self.rows:
            if row.group or not row.columns:
                continue
            parent = self.row(row.parent) if row.parent else None
            if row.shape_of and shapes.get(row.shape_of, "row") != "row":
                continue
            if parent is not None and parent.shape_of and shapes.get(parent.shape_of, "row") != "group":
                continue
            out.append(row)
        return out

    def value_count(self, shapes: dict[str, str] | None = None) -> int:
        """Number of values a complete table holds."""
        return sum(r.width for r in self.expected_rows(shapes or {}))


@dataclass(frozen=True)
class Format:
    """One format: a national table format (F2019, F2021), or the reports before them (F2008).

    A format before the national tables prints none of them (``tables`` empty): its
    reports are prose and, on some, the old statistics table (``statistics``: its key
    under ``[statistics]`` in ``layouts.toml``); ``old_marks`` are the lines that tell it
    when the text prints no year (its old headings, the old table's caption).
    """

    key: str
    name_zh: str
    notice: str
    years: tuple[int, ...]
    tables: dict[str, str]
    shapes: dict[str, tuple[str, ...]]
    statistics: str | None = None
    old_marks: tuple[re.Pattern[str], ...] = ()
    old_marks_zh: tuple[str, ...] = ()  # examples of what the old_marks match, for messages


@dataclass(frozen=True)
class Rule:
    """One arithmetic rule (勾稽关系) of a table."""

    key: str
    name_zh: str
    kind: str
    section: str
    over: str
    dim: str
    parts: tuple[str, ...] | str = ()
    totals: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Layout:
    """Everything ``layouts.toml`` says, parsed and compiled."""

    formats: dict[str, Format]
    tables: dict[str, Table]
    rules: tuple[Rule, ...]
    section_order: tuple[str, ...]
    section_patterns: dict[str, tuple[re.Pattern[str], ...]]
    section_names_zh: dict[str, str]
    max_heading_chars: int
    units: dict[str, dict[str, Decimal]]
    not_stated: frozenset[str]
    #: Units of whole things (``[values] whole_units``): a value with a decimal point in a
    #: column of one of them is unreadable.
    whole_units: frozenset[str] = frozenset()
    metadata: dict[str, Any] = field(default_factory=dict)  # the [metadata] table as parsed
    notes: tuple[re.Pattern[str], ...] = ()  # lines that are notes on a table, not its cells
    # section: cells that start its table where its heading is not printed (captions, headers)
    section_anchors: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    cross_year_rules: tuple[dict[str, str], ...] = ()
    column_sets: dict[str, ColumnSet] = field(default_factory=dict)
    #: The old statistics tables as parsed (``[statistics]``; compiled by shaoyang_report.read.statistics).
    statistics: dict[str, Any] = field(default_factory=dict)

    @property
    def table_formats(self) -> dict[str, Format]:
        """The national table formats (F2019, F2021): those that print the tables."""
        return {k: f for k, f in self.formats.items() if f.tables}

    def prints_tables(self, template: str | None) -> bool:
        """Whether a format prints the national tables (False for F2008, and for no format: None or a missing value)."""
        return isinstance(template, str) and bool(self.formats[template].tables)

    def table_for(self, template: str, section: str) -> Table:
        """The table a format prints in ``section``."""
        return self.tables[self.formats[template].tables[section]]

    @cache  # noqa: B019 - the one Layout lives for the process (get_layout caches it)
    def column_label(self, section: str, dim: str, key: str) -> str:
        """Chinese label of a measure/applicant/item key within a section."""
        for fmt in self.table_formats.values():
            table = self.tables[fmt.tables[section]]
            for row in table.rows:
                if dim == "item" and row.key == key:
                    return row.label_zh
                for col in row.columns:
                    if col.dims.get(dim) == key:
                        return col.label_zh.split("·")[-1] if dim == "measure" else col.label_zh.split("·")[0]
        return key


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def _parse(doc: dict) -> Layout:
    column_sets = {
        name: ColumnSet(
            name=name,
            columns=tuple(
                Column(
                    dims={k: c[k] for k in ("item", "measure", "applicant") if k in c},
                    label_zh=c["label_zh"],
                    unit=c["unit"],
                    is_total=bool(c.get("is_total", False)),
                    unit_in_cell=bool(c.get("unit_in_cell", False)),
                    header=re.compile(c["header"]) if "header" in c else None,
                )
                for c in spec["columns"]
            ),
            header=re.compile(spec["header"]) if "header" in spec else None,
            header_words=re.compile(spec["header_words"]) if "header_words" in spec else None,
            header_rows=int(spec.get("header_rows", 1)),
        )
        for name, spec in doc["columns"].items()
    }
    common_frame = _compile(doc.get("frames", {}).get("common", []))
    tables = {}
    for name, spec in doc["tables"].items():
        rows = tuple(
            Row(
                key=r["key"],
                label_zh=r["label_zh"],
                patterns=_compile(r.get("patterns", [])),
                columns=column_sets[r["columns"]].columns if "columns" in r else (),
                group=bool(r.get("group", False)),
                parent=r.get("parent"),
                anchor=r.get("anchor"),
                shape_of=r.get("shape_of"),
                block=r.get("block"),
                is_total=bool(r.get("is_total", False)),
                column_set=r.get("columns"),
                alt_columns=tuple(column_sets[c] for c in r.get("alt_columns", ())),
                beside_empty=bool(r.get("beside_empty", False)),
            )
            for r in spec["rows"]
        )
        tables[name] = Table(name, spec["name_zh"], spec["wide"], spec.get("measure"), rows,
                             frame=common_frame + _compile(spec.get("frame", [])))
    formats = {
        key: Format(
            key=key,
            name_zh=f["name_zh"],
            notice=f["notice"],
            years=tuple(f["years"]),
            tables=dict(f["tables"]),
            shapes={k: tuple(v) for k, v in f.get("shapes", {}).items()},
            statistics=f.get("statistics"),
            old_marks=_compile(f.get("old_marks", [])),
            old_marks_zh=tuple(f.get("old_marks_zh", ())),
        )
        for key, f in doc["formats"].items()
    }
    rules = tuple(
        Rule(
            key=r["key"],
            name_zh=r["name_zh"],
            kind=r["kind"],
            section=r["section"],
            over=r["over"],
            dim=r["dim"],
            parts=r["parts"] if isinstance(r.get("parts"), str) else tuple(r.get("parts", ())),
            totals=tuple(r.get("totals", ())),
        )
        for r in doc["rules"]
    )
    sections = doc["sections"]
    meta = dict(doc["metadata"])  # compiled where it is read (shaoyang_report.read.metadata)
    return Layout(
        formats=formats,
        tables=tables,
        rules=rules,
        section_order=tuple(sections["order"]),
        section_patterns={k: _compile(v) for k, v in sections["patterns"].items()},
        section_names_zh=dict(sections["names_zh"]),
        max_heading_chars=int(sections["max_heading_chars"]),
        units={u: {k: Decimal(v) for k, v in m.items()} for u, m in doc["units"].items()},
        not_stated=frozenset(doc["values"]["not_stated"]),
        whole_units=frozenset(doc["values"].get("whole_units", ())),
        metadata=meta,
        cross_year_rules=tuple(doc.get("cross_year_rules", ())),
        notes=_compile(doc.get("notes", {}).get("patterns", [])),
        section_anchors={k: _compile(v) for k, v in sections.get("anchors", {}).items()},
        column_sets=column_sets,
        statistics=dict(doc.get("statistics", {})),
    )


@cache
def get_layout() -> Layout:
    """The parsed national formats (read from package data once per process)."""
    raw = resources.files("shaoyang_report").joinpath("data/layouts.toml").read_bytes()
    return _parse(tomllib.loads(raw.decode("utf-8")))
