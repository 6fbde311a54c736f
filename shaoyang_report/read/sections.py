"""A Document's sections: which printed lines are the report's headings, and where each section runs.

The headings (``二、主动公开政府信息情况`` …) are the layout's section patterns
(``layouts.toml``); :func:`split_sections` takes them in the format's order, so a table
row such as ``四、结转下年度继续办理`` is never read as heading 四. A table whose heading
is missing or worded otherwise is found from its own cells: its captions and headers
(``第二十条第(一)项``, also mis-numbered; ``申请人情况``; ``行政复议``) or its row labels.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from shaoyang_report.layout import get_layout
from shaoyang_report.read.document import BLANK, PAD, TEXT, Document, Line
from shaoyang_report.read.text import normalize

#: Chinese numbers of the printed tables, for messages.
TABLE_NUMERALS = {"active_disclosure": "二", "applications": "三", "review_litigation": "四"}


def find_heading(norm: str) -> str | None:
    """The section a normalised line is the heading of, if it is one."""
    layout = get_layout()
    if not norm or len(norm) > layout.max_heading_chars:
        return None
    m = _headings().match(norm)
    if m is None:
        return None
    assert m.lastgroup is not None  # each heading is a named group
    return m.lastgroup.rsplit("_", 1)[0]


def _starts_table(line: Line, section: str) -> bool:
    """Whether a line starts with a cell that starts a section's table: a caption or header
    cell of it (``anchors`` in ``layouts.toml``), or a row label of one of its formats' tables
    (a label printed inside other text, ``…18 行政规范性文件``, starts nothing)."""
    first = next((t for t in line.tokens if t.kind not in (BLANK, PAD)), None)
    return first is not None and first.kind == TEXT and _anchor_cell(first.text, section)


@lru_cache(maxsize=1 << 12)
def _anchor_cell(text: str, section: str) -> bool:
    norm = normalize(text)
    if not norm:
        return False
    layout = get_layout()
    if any(p.match(norm) for p in layout.section_anchors.get(section, ())):
        return True
    return any(len(norm) <= len(core) + _LABEL_SLACK and any(p.match(norm) for p in patterns)
               for patterns, core in _row_labels(section))


#: A cell is a row label when it is at most this many characters longer than the label
#: (numbering, brackets): ``规章``, not ``规章制度建设不断完善``.
_LABEL_SLACK = 3


@cache
def _row_labels(section: str) -> tuple[tuple[tuple[re.Pattern[str], ...], str], ...]:
    """The patterns and normalised label of each row of a section's tables (every format)."""
    layout = get_layout()
    tables = {layout.table_for(fmt, section).key for fmt in layout.table_formats}
    return tuple((row.patterns, normalize(row.label_zh)) for key in sorted(tables)
                 for row in layout.tables[key].rows if row.patterns)


@cache
def _headings() -> re.Pattern[str]:
    """Every section's heading patterns as one, in the layout's order (a group each)."""
    layout = get_layout()
    return re.compile("|".join(f"(?P<{section}_{k}>{p.pattern})" for section in layout.section_order
                               for k, p in enumerate(layout.section_patterns[section])))


@lru_cache(maxsize=1 << 12)
def _heading_of_line(text: str) -> str | None:
    """The section a printed line is the heading of (lines repeat across reports: kept)."""
    return find_heading(normalize(text.replace("|", "")))


def split_sections(doc: Document) -> dict[str, tuple[int, int]]:
    """Line ranges ``[start, end)`` of each section heading found, in printed order.

    A heading is taken only after the previous section's heading, so a table row such
    as ``四、结转下年度继续办理`` is never read as heading 四. Worked out once per document.
    """
    if "sections" not in doc.cache:
        doc.cache["sections"] = _split_sections(doc)
    return dict(doc.cache["sections"])


def first_table_line(doc: Document, bounds: dict[str, tuple[int, int]], section: str) -> int:
    """The index of a table section's first line after its heading (its first line, where
    the table was found without one: :func:`split_sections`)."""
    split_sections(doc)
    start = bounds[section][0]
    return start if section in doc.cache["headless"] else start + 1


def _split_sections(doc: Document) -> dict[str, tuple[int, int]]:
    order = get_layout().section_order
    found: list[tuple[str, int]] = []
    for i, line in enumerate(doc.lines):
        section = _heading_of_line(line.text)
        if section is None:
            continue
        if found and order.index(section) <= order.index(found[-1][0]):
            continue
        found.append((section, i))
    headless = doc.cache["headless"] = set()
    for section in TABLE_NUMERALS:  # tables whose heading is missing or worded otherwise
        if section in dict(found):
            continue
        rank = order.index(section)
        lo = max((i for s, i in found if order.index(s) < rank), default=-1)
        hi = min((i for s, i in found if order.index(s) > rank), default=len(doc.lines))
        start = next((i for i in range(lo + 1, hi) if _starts_table(doc.lines[i], section)), None)
        if start is not None:
            found.append((section, start))
            found.sort(key=lambda f: f[1])
            headless.add(section)
    bounds = {}
    for k, (section, start) in enumerate(found):
        end = found[k + 1][1] if k + 1 < len(found) else len(doc.lines)
        bounds[section] = (start, end)
    return bounds
