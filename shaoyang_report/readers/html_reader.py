"""A saved report web page (HTML) → :class:`~shaoyang_report.document.Document` (via lxml).

Government sites publish the annual report as a page: the report's prose and tables
inside the site's navigation, a metadata table (``索引号 | 发布机构 | 文件名称 …``),
scripts and styles. This reader

* decodes the bytes (UTF-8 with or without BOM, the page's declared charset, else
  GB18030/GBK);
* parses them with lxml's HTML parser (tolerant of the tag soup CMSs write);
* drops what is not the report's text: ``<script>``, ``<style>``, ``<noscript>``,
  templates, forms controls, ``<nav>``, page-level ``<header>``/``<footer>``, elements
  marked as navigation (``role="navigation"``, ``class="breadcrumb"`` …) and hidden ones;
* reads prose as lines (one per paragraph or ``<br>``), located ``paragraph N``;
* reads each data table as a grid — colspan/rowspan resolved — one line per table row,
  cells located ``table 3, row 5, col 2`` (the third ``<table>`` of the page, its fifth
  row, grid column 2). A table that holds other tables is page layout and is read as
  prose around them.

Example:
    >>> from shaoyang_report.readers.html_reader import read_html
    >>> page = "<html><body><p>二、主动公开政府信息情况</p><table><tr><td>行政许可</td><td>4089</td></tr></table></body></html>"
    >>> [(t.text, t.location) for line in read_html(page.encode(), "p.html").lines for t in line.tokens]
    [('二、主动公开政府信息情况', 'paragraph 1'), ('行政许可', 'table 1, row 1, col 1'), ('4089', 'table 1, row 1, col 2')]
"""

from __future__ import annotations

import codecs
import re

from ..document import Document, Line, decode, split_cells
from ..errors import ReportFormatError
from .grid import MAX_COLSPAN, MAX_GRID_CELLS, GridCell, table_lines

_BLOCK = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html legend li main menu nav ol p pre "
    "section summary table tbody td tfoot th thead tr ul".split()
)
_DROP_TAGS = frozenset(
    "script style noscript template iframe frame frameset object embed applet svg math canvas button "
    "select option input textarea nav head link meta map area audio video source track".split()
)
_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar", "toolbar"})
# Words in class/id values that mark site furniture around the report.
_DROP_WORDS = frozenset(
    "nav navbar navigation menu submenu breadcrumb breadcrumbs crumb crumbs position location footer foot "
    "share sharebox bdshare sidebar toolbar topbar copyright skip".split()
)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WORD_SPLIT = re.compile(r"[\s\-_]+")
_WS = re.compile(r"[ \t\n\r\f\v]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_GB = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "windows-936", "euc-cn", "hz-gb-2312"}


def decode_html(data: bytes, source: str) -> str:
    """Decode a saved page: UTF-8 (BOM or not) first, then its declared charset, then GB18030.

    A page re-saved by a browser is often UTF-8 while still declaring ``gb2312``; a
    declared GB charset is read as GB18030 (its superset).

    Raises:
        ReportFormatError: The bytes are empty, binary, or in no known encoding.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(data[:1 << 14])
    declared = m.group(1).decode("ascii").lower() if m else ""
    if declared and declared not in _GB:
        try:
            return data.decode(codecs.lookup(declared).name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, source)


def _dropped(el) -> bool:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in _DROP_TAGS:
        return True
    if tag in ("header", "footer") and not any(
            isinstance(a.tag, str) and a.tag.lower() in ("article", "main") for a in el.iterancestors()):
        return True
    attrib = el.attrib
    if "hidden" in attrib or attrib.get("aria-hidden", "").lower() == "true":
        return True
    if _HIDDEN.search(attrib.get("style", "")):
        return True
    if attrib.get("role", "").lower() in _DROP_ROLES:
        return True
    words = _WORD_SPLIT.split(f"{attrib.get('class', '')} {attrib.get('id', '')}".lower())
    return any(w in _DROP_WORDS for w in words)


def _is_layout_table(table) -> bool:
    return any(True for _ in table.iterdescendants("table"))


class _Reader:
    """Walks the page in document order, without recursion (deep tag soup is common)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[Line] = []
        self.tables = 0
        self.paragraphs = 0

    # prose ---------------------------------------------------------------
    def _flush(self, buf: list[str]) -> None:
        text = _WS.sub(" ", "".join(buf)).strip()
        buf.clear()
        if text:
            self.paragraphs += 1
            location = f"paragraph {self.paragraphs}"
            self.lines.append(Line(text, location, split_cells(text, location)))

    def read(self, root) -> list[Line]:
        buf: list[str] = []
        stack: list[tuple[object, bool]] = [(root, False)]
        while stack:
            el, closing = stack.pop()
            tag = el.tag.lower() if isinstance(el.tag, str) else None
            if closing:
                if tag in _BLOCK:
                    self._flush(buf)
                if el.tail:
                    buf.append(el.tail)
                continue
            if tag is None or _dropped(el):  # a comment, processing instruction, or furniture
                if el.tail:
                    buf.append(el.tail)
                continue
            if tag == "br":
                self._flush(buf)
                if el.tail:
                    buf.append(el.tail)
                continue
            if tag == "table":
                self.tables += 1
                if not _is_layout_table(el):
                    self._flush(buf)
                    self.lines.extend(table_lines(self._grid(el), self.tables))
                    if el.tail:
                        buf.append(el.tail)
                    continue
            if tag in _BLOCK:
                self._flush(buf)
            if el.text:
                buf.append(el.text)
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))
        self._flush(buf)
        return self.lines

    # tables --------------------------------------------------------------
    def _grid(self, table) -> list[list[GridCell]]:
        """The table's cells at their grid positions, merged cells resolved."""
        trs = [tr for tr in table.iter("tr") if _owning_table(tr) is table]
        covered: dict[int, set[int]] = {}
        rows: list[list[GridCell]] = []
        budget = MAX_GRID_CELLS
        for r, tr in enumerate(trs):
            taken = covered.pop(r, set())
            cells = []
            col = 0
            for td in tr:
                if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th") or _dropped(td):
                    continue
                while col in taken:
                    col += 1
                colspan = min(max(_span(td.get("colspan")), 1), MAX_COLSPAN)
                rowspan = _span(td.get("rowspan"))
                rowspan = len(trs) - r if rowspan == 0 else min(max(rowspan, 1), len(trs) - r)
                budget -= colspan * rowspan
                if budget < 0:
                    raise ReportFormatError(
                        self.source, "a table is implausibly large (its merged cells cover over "
                        f"{MAX_GRID_CELLS} grid positions)", f"table {self.tables}")
                for below in range(r + 1, r + rowspan):
                    covered.setdefault(below, set()).update(range(col, col + colspan))
                cells.append(GridCell(r, col, _cell_text(td)))
                col += colspan
            rows.append(cells)
        return rows


def _owning_table(tr):
    for a in tr.iterancestors():
        if isinstance(a.tag, str) and a.tag.lower() == "table":
            return a
    return None


def _span(value: str | None) -> int:
    m = re.match(r"\s*(\d{1,6})", value or "")
    return int(m.group(1)) if m else 1


def _cell_text(td) -> str:
    """A cell's text: inline pieces joined as printed, paragraphs and breaks as spaces."""
    stack: list[tuple[object, bool]] = [(td, False)]
    parts: list[str] = []
    while stack:
        el, closing = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if closing:
            if tag in _BLOCK or tag == "br":
                parts.append(" ")
            if el is not td and el.tail:
                parts.append(el.tail)
            continue
        if tag is None or _dropped(el):
            if el is not td and el.tail:
                parts.append(el.tail)
            continue
        if tag in _BLOCK or tag == "br":
            parts.append(" ")
        if el.text:
            parts.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    return _WS.sub(" ", "".join(parts)).strip()


def read_html(data: bytes, source: str) -> Document:
    """Read a saved report page into a Document.

    Args:
        data: The page's bytes as saved (any of the encodings above).
        source: The file name, for messages and locations.

    Raises:
        ReportFormatError: The bytes are not decodable, or no page can be parsed from them.
    """
    from lxml import etree, html

    text = _XML_DECL.sub("", decode_html(data, source), count=1)
    try:
        root = html.document_fromstring(text)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ReportFormatError(source, f"the HTML page cannot be parsed ({exc})") from None
    lines = _Reader(source).read(root)
    if not lines:
        raise ReportFormatError(source, "the HTML page holds no text; expected a 政府信息公开工作年度报告")
    return Document(source=source, lines=lines, reader="html")
