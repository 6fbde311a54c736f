"""A saved report web page (HTML) → :class:`~shaoyang_report.document.Document` (via lxml).

Government sites publish the annual report as a page: the report's prose and tables
inside the site's navigation, a metadata table (``索引号 | 发布机构 | 文件名称 …``),
scripts and styles. This reader

* decodes the bytes (UTF-8 with or without BOM, the page's declared charset, else
  GB18030/GBK);
* parses them with lxml's HTML parser (tolerant of the tag soup CMSs write);
* drops what is not the report's text: ``<script>``, ``<style>``, ``<noscript>``,
  templates, forms controls, ``<nav>``, page-level ``<header>``/``<footer>``, elements
  marked as navigation (``role="navigation"``, ``class="breadcrumb"`` …) and hidden
  ones — any element (a table, a row, a cell, a ``<div>``) with the ``hidden``
  attribute, ``aria-hidden="true"``, or an inline style ``display: none`` /
  ``visibility: hidden`` (any case and spacing; the last declaration wins). A hidden
  row is not a row of the table; a cell hidden with ``visibility`` keeps its place
  as a blank cell, as a browser shows it. (Classes hidden by a stylesheet are not
  resolved.);
* reads prose as lines (one per paragraph or ``<br>``), located ``paragraph N``;
* reads each data table as a grid — colspan/rowspan resolved — one line per table row,
  cells located ``table 3, row 5, col 2`` (the third ``<table>`` of the page, its fifth
  row, grid column 2). A table that holds other (visible) tables is page layout and
  is read as prose around them.

Reading is linear in the page and bounded by the caps of :mod:`shaoyang_report.limits`
(tags, text, lines, cells, tokens): a page far larger than a report is refused at once.

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
from ..limits import MAX_HTML_RAW_TEXT, MAX_HTML_TAGS, MAX_LINES, Budget, refuse
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
# An inline style declaration: ``display: none``, ``VISIBILITY:hidden !important`` …
_DECLARATION = re.compile(r"(display|visibility)\s*:\s*([a-z-]+)", re.I)
_WORD_SPLIT = re.compile(r"[\s\-_]+")
_SPAN = re.compile(r"\s*(\d{1,6})")
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


def _style(el) -> tuple[str, str]:
    """The element's inline ``display`` and ``visibility`` (the last declaration of each wins)."""
    display = visibility = ""
    style = el.get("style")
    if style:
        for prop, value in _DECLARATION.findall(style):
            if prop.lower() == "display":
                display = value.lower()
            else:
                visibility = value.lower()
    return display, visibility


def _dropped(el) -> bool:
    """Whether an element and all it holds are not the report's visible text."""
    tag = el.tag
    if not isinstance(tag, str):
        return False  # a comment or processing instruction: the callers skip it
    tag = tag.lower()
    if tag in _DROP_TAGS:
        return True
    if tag in ("header", "footer") and not any(
            isinstance(a.tag, str) and a.tag.lower() in ("article", "main") for a in el.iterancestors()):
        return True
    attrib = el.attrib
    if not attrib:
        return False  # most elements: nothing more to look at
    if "hidden" in attrib or attrib.get("aria-hidden", "").strip().lower() == "true":
        return True
    if "style" in attrib:
        display, visibility = _style(el)
        if display == "none" or (visibility in ("hidden", "collapse") and tag not in ("td", "th")):
            return True
    if attrib.get("role", "").lower() in _DROP_ROLES:
        return True
    words = _WORD_SPLIT.split(f"{attrib.get('class', '')} {attrib.get('id', '')}".lower())
    return any(w in _DROP_WORDS for w in words)


def _invisible_cell(td) -> bool:
    """A cell hidden with ``visibility``: it keeps its place in the grid, blank."""
    return "style" in td.attrib and _style(td)[1] in ("hidden", "collapse")


def _rows(table, source: str, where: str) -> list | None:
    """The table's own visible rows in order; None when it holds a visible table (layout).

    Hidden parts (a hidden ``<tbody>``, a hidden row) are skipped whole; rows of tables
    nested in it are not its rows. No recursion, and each element is looked at once.
    """
    rows = []
    stack = list(reversed(table))
    while stack:
        el = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if tag is None or _dropped(el):
            continue
        if tag == "table":
            return None
        if tag == "tr":
            rows.append(el)
            if next(el.iter("table"), None) is not None and _holds_visible_table(el):
                return None
            if len(rows) > MAX_LINES:
                raise refuse(source, f"a table has over {MAX_LINES:,} rows; a report's tables have far fewer",
                             "MAX_LINES", where)
            continue
        stack.extend(reversed(el))
    return rows


def _holds_visible_table(el) -> bool:
    """Whether a visible ``<table>`` is inside ``el`` (hidden parts skipped)."""
    stack = list(el)
    while stack:
        child = stack.pop()
        if not isinstance(child.tag, str) or _dropped(child):
            continue
        if child.tag.lower() == "table":
            return True
        stack.extend(child)
    return False


class _Reader:
    """Walks the page in document order, without recursion (deep tag soup is common)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[Line] = []
        self.tables = 0
        self.paragraphs = 0
        self.budget = Budget(source)
        self.raw_text = 0

    def _take(self, text: str) -> str:
        """Count a text node of the page (before whitespace is collapsed)."""
        self.raw_text += len(text)
        if self.raw_text > MAX_HTML_RAW_TEXT:
            raise refuse(self.source, f"the HTML page holds over {MAX_HTML_RAW_TEXT:,} characters of text; a report "
                         "page holds far fewer", "MAX_HTML_RAW_TEXT")
        return text

    def _add(self, line: Line) -> None:
        self.budget.line(line.text, line.location)
        self.budget.tokens(len(line.tokens), line.location)
        self.lines.append(line)

    # prose ---------------------------------------------------------------
    def _flush(self, buf: list[str]) -> None:
        text = _WS.sub(" ", "".join(buf)).strip()
        buf.clear()
        if text:
            self.paragraphs += 1
            location = f"paragraph {self.paragraphs}"
            self.budget.line(text, location)  # before the line is split into cells
            tokens = split_cells(text, location)
            self.budget.tokens(len(tokens), location)
            self.lines.append(Line(text, location, tokens))

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
                    buf.append(self._take(el.tail))
                continue
            if tag is None or _dropped(el):  # a comment, processing instruction, or furniture
                if el.tail:
                    buf.append(self._take(el.tail))
                continue
            if tag == "br":
                self._flush(buf)
                if el.tail:
                    buf.append(self._take(el.tail))
                continue
            if tag == "table":
                self.tables += 1
                rows = _rows(el, self.source, f"table {self.tables}")
                if rows is not None:  # a data table, not page layout
                    self._flush(buf)
                    for line in table_lines(self._grid(rows), self.tables):
                        self._add(line)
                    if el.tail:
                        buf.append(self._take(el.tail))
                    continue
            if tag in _BLOCK:
                self._flush(buf)
            if el.text:
                buf.append(self._take(el.text))
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))
        self._flush(buf)
        return self.lines

    # tables --------------------------------------------------------------
    def _grid(self, trs: list) -> list[list[GridCell]]:
        """The cells of a table's rows at their grid positions, merged cells resolved."""
        covered: dict[int, set[int]] = {}
        rows: list[list[GridCell]] = []
        budget = MAX_GRID_CELLS
        where = f"table {self.tables}"
        for r, tr in enumerate(trs):
            taken = covered.pop(r, set())
            cells = []
            col = 0
            for td in tr:
                if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th") or _dropped(td):
                    continue
                self.budget.cells(1, where)
                while col in taken:
                    col += 1
                colspan = min(max(_span(td.get("colspan")), 1), MAX_COLSPAN)
                rowspan = _span(td.get("rowspan"))
                rowspan = len(trs) - r if rowspan == 0 else min(max(rowspan, 1), len(trs) - r)
                budget -= colspan * rowspan
                if budget < 0:
                    raise ReportFormatError(
                        self.source, "a table is implausibly large (its merged cells cover over "
                        f"{MAX_GRID_CELLS} grid positions)", where)
                for below in range(r + 1, r + rowspan):
                    covered.setdefault(below, set()).update(range(col, col + colspan))
                text = "" if _invisible_cell(td) else _cell_text(td, self._take)
                cells.append(GridCell(r, col, text))
                col += colspan
            rows.append(cells)
        return rows


def _span(value: str | None) -> int:
    if value is None:
        return 1
    m = _SPAN.match(value)
    return int(m.group(1)) if m else 1


def _cell_text(td, take=str) -> str:
    """A cell's text: inline pieces joined as printed, paragraphs and breaks as spaces.

    ``take`` sees each text node (to count it) and returns it.
    """
    if not len(td):  # most cells: text only
        return _WS.sub(" ", take(td.text or "")).strip()
    stack: list[tuple[object, bool]] = [(td, False)]
    parts: list[str] = []
    while stack:
        el, closing = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if closing:
            if tag in _BLOCK or tag == "br":
                parts.append(" ")
            if el is not td and el.tail:
                parts.append(take(el.tail))
            continue
        if tag is None or _dropped(el):
            if el is not td and el.tail:
                parts.append(take(el.tail))
            continue
        if tag in _BLOCK or tag == "br":
            parts.append(" ")
        if el.text:
            parts.append(take(el.text))
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    return _WS.sub(" ", "".join(parts)).strip()


def read_html(data: bytes, source: str) -> Document:
    """Read a saved report page into a Document.

    Args:
        data: The page's bytes as saved (any of the encodings above).
        source: The file name, for messages and locations.

    Raises:
        ReportFormatError: The bytes are not decodable, no page can be parsed from them,
            or the page is far larger than a report (see :mod:`shaoyang_report.limits`).
    """
    from lxml import etree

    tags = data.count(b"<")
    if tags > MAX_HTML_TAGS:
        raise refuse(source, f"the HTML page holds {tags:,} tags; a report page holds far fewer", "MAX_HTML_TAGS")
    text = _XML_DECL.sub("", decode_html(data, source), count=1)
    try:  # plain lxml elements: lxml.html's element classes cost a Python call per element
        root = etree.fromstring(text, etree.HTMLParser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ReportFormatError(source, f"the HTML page cannot be parsed ({exc})") from None
    if root is None:
        raise ReportFormatError(source, "the HTML page cannot be parsed (it holds no element)")
    lines = _Reader(source).read(root)
    if not lines:
        raise ReportFormatError(source, "the HTML page holds no text; expected a 政府信息公开工作年度报告")
    return Document(source=source, lines=lines, reader="html")
