"""What the publish modules share to write HTML: the template engine, escaping, numbers, marks, names.

Every piece of a briefing or a display is drawn by a Jinja template of
``shaoyang_report/publish/templates/`` (package data): :func:`templates` gives a file's
macros, each of which returns escaped HTML (:class:`markupsafe.Markup`). The engine
escapes: a value written with ``{{ … }}`` is escaped as :func:`escape` does (quotes
included; None and NaN show as nothing) unless it is already HTML — a piece another
macro drew, or an :class:`Html`. Report text is untrusted: nothing taken from a report
reaches a page unescaped. Templates lay out HTML without whitespace between elements:
``trim_blocks`` and ``lstrip_blocks`` drop the lines of block tags, ``{%- … -%}`` the
line breaks beside them, and a line that begins with ``{#- #}`` continues the one before.

Example:
    >>> common = templates("common")
    >>> print(common.table(["名称", "数值"], [["<b>", number(1234.5)]], table_id="t"))
    <table class="sr-table" id="t"><thead><tr><th>名称</th><th>数值</th></tr></thead><tbody><tr><td>&lt;b&gt;</td><td>1,234.50</td></tr></tbody></table>
    >>> print(common.link("https://example.cn/?a=1&b='2'", "原文"), common.link("javascript:alert(1)"))
    <a href="https://example.cn/?a=1&amp;b=&#x27;2&#x27;">原文</a> javascript:alert(1)
"""

from __future__ import annotations

import functools
import html
import math
import re

import pandas as pd
from markupsafe import Markup

from shaoyang_report.publish.wording import cells_zh, message_zh

#: The marks that travel with a number: derived from the next year's report, stated in
#: prose, in or from a printed total that does not add up, read by OCR (a value with a
#: recognition confidence).
MARK_DERIVED, MARK_PROSE, MARK_FINDING = "‡", "*", "!"
MARK_OCR = "°"
#: The sections of a report as the pages name them.
SECTION_ZH = {"active_disclosure": "表二 主动公开", "applications": "表三 依申请公开",
              "review_litigation": "表四 复议诉讼", "prose": "正文"}
#: A catalog's completeness as the pages name it ("": not in the catalog).
COMPLETENESS_ZH = {"complete": "完整", "opening only": "仅有报告开头部分", "": "未编目"}
#: The printed tables, in order (二, 三, 四).
TABLE_SECTIONS = ("active_disclosure", "applications", "review_litigation")
#: The most rows a table of a page lists: a page stays small enough for a browser (and a
#: reader) at any corpus size; the rest are counted under the table and written to files.
ROWS_SHOWN = 200


class Html(str):
    """A piece of HTML a notebook displays as such (every text inside is escaped)."""

    def _repr_html_(self) -> str:
        return str(self)

    def __html__(self) -> str:
        """Already HTML: a template inserts it as it is."""
        return str(self)


def escape(text: object) -> str:
    """Escape a text for HTML, quotes included (None and NaN become empty)."""
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return ""
    return html.escape(str(text), quote=True)


def number(value: float, unit: str | None = None) -> str:
    """A number as the pages write it: ``1,234``, ``46,502.47``, ``62.14%`` (None and NaN: ``""``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if unit == "%":
        return f"{value:.2f}%"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def signed(value: float, unit: str | None = None) -> str:
    """A change with its sign: ``+155``, ``−1.37%``, ``±0``."""
    text = number(abs(value), unit)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def change_text(change_abs: float, change_rel: float, unit: str | None) -> str:
    """A change from one year to the next as the pages write it.

    A share's (unit ``%``) in percentage points, one decimal, with no relative change (a
    change of a share relative to itself misleads); anything else with its sign and, when
    the year before was not zero, the relative change.

    Example:
        >>> change_text(52.63, 837.5, "%"), change_text(155, 112.32, "件"), change_text(-3, math.nan, "件")
        ('+52.6 个百分点', '+155（+112.32%）', '−3')
    """
    if unit == "%":
        points = round(float(change_abs), 1)
        return ("+" if points > 0 else "−" if points < 0 else "±") + f"{abs(points):.1f} 个百分点"
    text = signed(change_abs, unit)
    if change_rel is not None and not (isinstance(change_rel, float) and math.isnan(change_rel)):
        text += f"（{signed(change_rel, '%')}）"
    return text


def slug(text: str) -> str:
    """A file-name part: letters (Chinese included) and digits kept, the rest dashed."""
    return re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_") or "agency"


def section_zh(section: object) -> object:
    """A section's Chinese name (``表三 依申请公开``); an unknown one as it is."""
    return SECTION_ZH.get(section, section) if isinstance(section, str) else section


def agency_zh(agency: object) -> str:
    """An agency's name as the pages write it; none known: ``（未署名）``."""
    return agency if isinstance(agency, str) and agency.strip() else "（未署名）"


def completeness_zh(completeness: object) -> object:
    """A catalog's completeness in Chinese; not a text (not catalogued): ``未编目``."""
    return COMPLETENESS_ZH.get(completeness if isinstance(completeness, str) else "", completeness)


def location_of_total(locations: object) -> str:
    """Where a finding's printed total is (``第293行``), from its ``locations`` (``total ← items``)."""
    text = locations if isinstance(locations, str) else ""
    return location_zh(text.partition(" ← ")[0])


#: The parts of a location (``page 4, line 18, value 5``) as the pages name them.
_LOCATION_PARTS = {"page": "第{}页", "line": "第{}行", "value": "第{}个数", "chars": "第{}字", "table": "第{}张表",
                   "row": "第{}行", "cell": "第{}格", "column": "第{}列", "paragraph": "第{}段", "sheet": "第{}张工作表"}


def location_zh(location: object) -> str:
    """A location in Chinese: ``page 4, line 18, value 5`` → ``第4页第18行第5个数``; several
    (``; ``-separated) joined by ``、``; a part it does not know kept as it is.

    Example:
        >>> location_zh("page 4, line 18, value 5; line 20, chars 3-9")
        '第4页第18行第5个数、第20行第3—9字'
    """
    if not isinstance(location, str):
        return ""
    out = []
    for one in filter(None, (p.strip() for p in location.split(";"))):
        pieces = []
        for part in (p.strip() for p in one.split(",")):
            name, _, n = part.partition(" ")
            form = _LOCATION_PARTS.get(name.lower())
            pieces.append(form.format(n.replace("-", "—")) if form and n else part)
        out.append("".join(pieces))
    return "、".join(out)


def where_printed(locations: object) -> str:
    """Where a finding's numbers are printed, in Chinese, from its ``locations`` (``total ← items``).

    Either side may be empty (a total not printed, items not located): only what is known is
    said; locations without a total (a prose figure against a table's) are listed as such.

    Example:
        >>> where_printed("line 293 ← line 294; line 295")
        '总数印于第293行；各项印于 2 处（第294行起）'
        >>> where_printed(" ← line 12")
        '各项印于 1 处（第12行）'
        >>> where_printed("line 7 ← ")
        '总数印于第7行'
        >>> where_printed("line 3, chars 103-104; line 24, value 7")
        '印于第3行第103—104字、第24行第7个数'
    """
    text = locations if isinstance(locations, str) else ""
    if text.strip() and " ← " not in text:
        return f"印于{location_zh(text)}"
    total, _, items = text.partition(" ← ")
    parts = [p.strip() for p in items.split(";") if p.strip()]
    said = [f"总数印于{location_zh(total)}"] if total.strip() else []
    if parts:
        first = location_zh(parts[0])
        said.append(f"各项印于 {len(parts)} 处（{first}{'起' if len(parts) > 1 else ''}）")
    return "；".join(said)


def _is_web_url(url: object) -> bool:
    """An http(s) URL (only those become links; anything else is shown as text)."""
    return isinstance(url, str) and re.match(r"^https?://", url.strip(), flags=re.I) is not None


def _is_nan(value: object) -> bool:
    """A float NaN (a blank cell of a printed table)."""
    return isinstance(value, float) and math.isnan(value)


def _finalize(value: object) -> object:
    """What ``{{ value }}`` writes: HTML as it is, anything else escaped as :func:`escape` does."""
    return value if hasattr(value, "__html__") else Markup(escape(value))


@functools.cache
def environment():
    """The Jinja environment of the publish templates (autoescaping; see the module's notes)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("shaoyang_report.publish", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined, finalize=_finalize)
    env.filters.update(number=number, signed=signed, section_zh=section_zh, completeness_zh=completeness_zh, agency_zh=agency_zh,
                       location_of_total=location_of_total, location_zh=location_zh, where_printed=where_printed,
                       cells_zh=cells_zh, message_zh=message_zh, formatted=format)
    env.tests.update(web_url=_is_web_url, nan=_is_nan)
    env.globals.update(MARK_DERIVED=MARK_DERIVED, MARK_PROSE=MARK_PROSE, MARK_FINDING=MARK_FINDING, MARK_OCR=MARK_OCR)
    return env


def templates(name: str):
    """The macros of ``templates/<name>.html.j2`` (attributes; each returns :class:`~markupsafe.Markup`)."""
    return environment().get_template(f"{name}.html.j2").module
