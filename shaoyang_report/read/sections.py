"""A Document's sections: which printed lines are the report's headings, and where each section runs.

The headings (``二、主动公开政府信息情况`` …) are the layout's section patterns
(``layouts.toml``); :func:`split_sections` takes them in the format's order, so a table
row such as ``四、结转下年度继续办理`` is never read as heading 四.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from shaoyang_report.layout import get_layout
from shaoyang_report.read.document import Document
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
    bounds = {}
    for k, (section, start) in enumerate(found):
        end = found[k + 1][1] if k + 1 < len(found) else len(doc.lines)
        bounds[section] = (start, end)
    return bounds
