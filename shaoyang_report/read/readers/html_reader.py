"""A saved report web page (HTML) → :class:`~shaoyang_report.read.document.Document` (via lxml).

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

How it stays fast (about 1 ms for a report page besides lxml's own parse): what is not the
report's text is cut out of the parsed tree first — lxml finds the dropped tags and the
elements with ``class``/``id``/``hidden``/``role`` attributes at C level, inline styles are
looked at only when the page's bytes hold ``display`` or ``visibility`` at all — keeping
the text that follows each cut element. The walk that follows then needs no checks, and a
table cell holding its text in one element (``<td><p><span>4089</span></p></td>``, as
CMSs and Word print them) is read without walking it.

Example:
    >>> from shaoyang_report.read.readers.html_reader import read_html
    >>> page = "<html><body><p>二、主动公开政府信息情况</p><table><tr><td>行政许可</td><td>4089</td></tr></table></body></html>"
    >>> [(t.text, t.location) for line in read_html(page.encode(), "p.html").lines for t in line.tokens]
    [('二、主动公开政府信息情况', 'paragraph 1'), ('行政许可', 'table 1, row 1, col 1'), ('4089', 'table 1, row 1, col 2')]
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import (
    MAX_CELLS,
    MAX_HTML_RAW_TEXT,
    MAX_HTML_TAGS,
    MAX_LINES,
    Budget,
    refuse,
)
from shaoyang_report.read.cells import split_cells
from shaoyang_report.read.document import Document, Line
from shaoyang_report.read.readers.files import decode
from shaoyang_report.read.readers.grid import MAX_COLSPAN, MAX_GRID_CELLS, table_lines

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
# Codecs whose bytes hold every ASCII character of the text as that very byte.
_ASCII_BYTES = frozenset({"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312"})
# Non-ASCII letters that lowercase or case-fold to ASCII letters (``K`` Kelvin sign → ``k``;
# ``re.I`` also matches ``ſ``, ``ı`` and ``İ`` to s, i): with them, ASCII spellings of a
# keyword are not the only ones.
_FOLDS_TO_ASCII = "\u212a\u017f\u0131\u0130"
# Character references that may print a letter in an attribute (``&#100;isplay``).
_CHAR_REF = re.compile(rb"&#x([0-9a-f]+)|&#([0-9]+)|&(?:fjlig|idot|imath|inodot)")


def decode_html(data: bytes, source: str) -> str:
    """Decode a saved page: UTF-8 (BOM or not) first, then its declared charset, then GB18030.

    A page re-saved by a browser is often UTF-8 while still declaring ``gb2312``; a
    declared GB charset is read as GB18030 (its superset).

    Raises:
        ReportFormatError: The bytes are empty, binary, or in no known encoding.
    """
    return _decode(data, source)[0]


def _decode(data: bytes, source: str) -> tuple[str, str]:
    """The page's text and the codec that read it (see :func:`decode_html`)."""
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(data[:1 << 14])
    declared = m.group(1).decode("ascii").lower() if m else ""
    if declared and declared not in _GB:
        try:
            codec = codecs.lookup(declared).name
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass
    text = decode(data, source)
    return text, ""  # UTF-8 or GB18030, as decode() read it: both keep ASCII as such


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
        return True  # a comment, processing instruction or entity: not text of the page
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


# --------------------------------------------------------------------------- cutting out

class _Marks:
    """Which attributes of the page may hide an element, read off the page's bytes.

    An attribute's letters are in the page's bytes as written, unless a character
    reference prints them (``&#100;``) or a letter folds to ASCII (``K``): then every
    attribute is looked at.
    """

    __slots__ = ("hidden", "role", "style", "visibility")

    def __init__(self, raw: bytes | None, text: str) -> None:
        low = raw.lower() if raw is not None else None
        if low is not None and any(c in text for c in _FOLDS_TO_ASCII):
            low = None
        if low is not None and b"&" in low:
            for m in _CHAR_REF.finditer(low):
                digits = m.group(1) or m.group(2)
                if digits is None:  # a named reference printing a letter
                    low = None
                    break
                digits = digits.lstrip(b"0") or b"0"
                if len(digits) <= 8 and (int(digits, 16 if m.group(1) else 10) < 128
                                         or chr(min(int(digits, 16 if m.group(1) else 10), 0x10FFFF))
                                         in _FOLDS_TO_ASCII):
                    low = None
                    break
        if low is None:
            self.hidden = self.role = self.style = self.visibility = True
        else:
            self.hidden = b"hidden" in low
            self.role = b"role" in low
            self.visibility = b"visibility" in low
            self.style = self.visibility or b"display" in low


_ATTRIBUTE_PATHS: dict[tuple[bool, bool, bool], object] = {}


def _attribute_path(marks: _Marks):
    """The compiled XPath of the attributes that may hide an element on this page."""
    key = (marks.hidden, marks.role, marks.style)
    path = _ATTRIBUTE_PATHS.get(key)
    if path is None:
        from lxml import etree

        parts = ["//@class", "//@id"]
        if marks.hidden:
            parts += ["//@hidden", "//@aria-hidden"]
        if marks.role:
            parts.append("//@role")
        if marks.style:
            parts.append("//@style")
        path = _ATTRIBUTE_PATHS[key] = etree.XPath("|".join(parts))
    return path


def _cut(el) -> None:
    """Take an element out of the tree, keeping the text that follows it in its place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _prune(root, marks: _Marks) -> None:
    """Cut out of ``root`` every element :func:`_dropped` says is not the report's text.

    What is left is read without further checks: it is what the walk of the whole tree,
    skipping each dropped element and keeping the text after it, would read.
    """
    from lxml import etree

    doomed = list(root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity))
    doomed += root.iter(*_DROP_TAGS)
    doomed += root.iter("header", "footer")
    seen = set()
    for attribute in _attribute_path(marks)(root):
        el = attribute.getparent()
        if id(el) not in seen:
            seen.add(id(el))
            doomed.append(el)
    for el in doomed:
        if el is not root and _dropped(el):
            _cut(el)


def _lowercase_tags(root) -> None:
    """Spell every tag in lowercase (lxml lowercases ASCII only; ``bloc\u212aquote`` is a blockquote)."""
    for el in root.iter():
        tag = el.tag
        if isinstance(tag, str) and tag != tag.lower():
            el.tag = tag.lower()


# --------------------------------------------------------------------------- tables

def _rows(table, source: str, where: str) -> list | None:
    """The table's own rows in order; None when it holds a table (layout). On a pruned tree."""
    tables = table.iter("table")
    next(tables)
    if next(tables, None) is None:  # the usual table: no table inside, rows in it or its row groups
        rows = list(table.iter("tr"))
        for tr in rows:
            parent = tr.getparent()
            if parent is not table and (parent.tag == "tr" or parent.getparent() is not table):
                return _nested_rows(table, source, where)
        if len(rows) > MAX_LINES:
            raise _too_many_rows(source, where)
        return rows
    return _nested_rows(table, source, where)


def _too_many_rows(source: str, where: str) -> ReportFormatError:
    return refuse(source, f"a table has over {MAX_LINES:,} rows; a report's tables have far fewer", "MAX_LINES",
                  where)


def _nested_rows(table, source: str, where: str) -> list | None:
    """:func:`_rows` of a table with tables or rows deeper inside: walked, rows in rows skipped."""
    rows = []
    stack = list(reversed(table))
    while stack:
        el = stack.pop()
        tag = el.tag
        if tag == "table":
            return None
        if tag == "tr":
            rows.append(el)
            if next(el.iter("table"), None) is not None:
                return None
            if len(rows) > MAX_LINES:
                raise _too_many_rows(source, where)
            continue
        stack.extend(reversed(el))
    return rows


def _span(value: str | None) -> int:
    if value is None:
        return 1
    m = _SPAN.match(value)
    return int(m.group(1)) if m else 1


def _cell_text(td, take=None) -> str:
    """A cell's text: inline pieces joined as printed, paragraphs and breaks as spaces.

    ``take``, if given, sees each text node (to count it) and returns it.
    """
    if not len(td):  # most cells: text only
        text = td.text or ""
        return _WS.sub(" ", take(text) if take else text).strip()
    stack: list[tuple[Any, bool]] = [(td, False)]
    parts: list[str] = []
    while stack:
        el, closing = stack.pop()
        tag = el.tag
        if closing:
            if tag in _BLOCK or tag == "br":
                parts.append(" ")
            if el is not td and el.tail:
                parts.append(take(el.tail) if take else el.tail)
            continue
        if tag in _BLOCK or tag == "br":
            parts.append(" ")
        if el.text:
            parts.append(take(el.text) if take else el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    return _WS.sub(" ", "".join(parts)).strip()


def _plain_cell_text(td) -> str:
    """:func:`_cell_text`, reading straight through elements that only wrap the next one.

    ``<td><p><span>4089</span></p></td>``: the text before and after the one child is
    blank, so the breaks a paragraph makes fall at the cell's ends and are stripped.
    """
    el = td
    while True:
        n = len(el)
        if not n:
            text = el.text
            return _WS.sub(" ", text).strip() if text else ""
        if n != 1:
            return _cell_text(el)
        child = el[0]
        text = el.text
        if text and not text.isspace():
            return _cell_text(el)
        text = child.tail
        if text and not text.isspace():
            return _cell_text(el)
        el = child


# --------------------------------------------------------------------------- the walk

class _Reader:
    """Walks the pruned page in document order, without recursion (deep tag soup is common).

    Args:
        source: The file name, for messages and locations.
        count: Count the page's text nodes against :data:`MAX_HTML_RAW_TEXT` as they are
            read (only needed when the page holds more text than that).
        visibility: Whether a cell may be hidden with ``visibility`` on this page.
    """

    def __init__(self, source: str, count: bool = False, visibility: bool = True) -> None:
        self.source = source
        self.lines: list[Line] = []
        self.tables = 0
        self.paragraphs = 0
        self.budget = Budget(source)
        self.raw_text = 0
        self.count = count
        self.visibility = visibility
        self.images: list[tuple[int, str]] | None = None  # (line index, src) of each <img>, when read

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
        if not buf:
            return
        text = _WS.sub(" ", "".join(buf)).strip()
        buf.clear()
        if text:
            self.paragraphs += 1
            location = f"paragraph {self.paragraphs}"
            self.budget.line(text, location)  # before the line is split into cells
            tokens = split_cells(text, location)
            self.budget.tokens(len(tokens), location)
            self.lines.append(Line(text, location, tokens))

    def read_tail(self, root) -> list[Line]:
        """The lines of a page whose root element is itself dropped: its tail, if any."""
        buf = [self._take(root.tail)] if root.tail else []
        self._flush(buf)
        return self.lines

    def read(self, root) -> list[Line]:
        buf: list[str] = []
        take = self._take if self.count else None
        stack: list[tuple[Any, bool]] = [(root, False)]
        while stack:
            el, closing = stack.pop()
            tag = el.tag
            if closing:
                if tag in _BLOCK:
                    self._flush(buf)
                if el.tail:
                    buf.append(take(el.tail) if take else el.tail)
                continue
            if tag == "br":
                self._flush(buf)
                if el.tail:
                    buf.append(take(el.tail) if take else el.tail)
                continue
            if tag == "img" and self.images is not None:  # a table printed as a picture: read by OCR
                self._flush(buf)
                self.images.append((len(self.lines), el.get("src") or ""))
                if el.tail:
                    buf.append(take(el.tail) if take else el.tail)
                continue
            if tag == "table":
                self.tables += 1
                rows = _rows(el, self.source, f"table {self.tables}")
                if rows is not None:  # a data table, not page layout
                    self._flush(buf)
                    for line in table_lines(self._grid(rows), self.tables):
                        self._add(line)
                    if el.tail:
                        buf.append(take(el.tail) if take else el.tail)
                    continue
            if tag in _BLOCK:
                self._flush(buf)
            if el.text:
                buf.append(take(el.text) if take else el.text)
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))
        self._flush(buf)
        return self.lines

    # tables --------------------------------------------------------------
    def _grid(self, trs: list) -> list[list[tuple[int, int, str]]]:
        """The cells ``(row, col, text)`` of a table's rows at their grid positions, merges resolved."""
        covered: dict[int, set[int]] = {}
        rows: list[list[tuple[int, int, str]]] = []
        budget = MAX_GRID_CELLS
        where = f"table {self.tables}"
        counter = self.budget
        n_rows = len(trs)
        take = self._take if self.count else None
        visibility = self.visibility
        collapse = _WS.sub
        for r, tr in enumerate(trs):
            taken = covered.pop(r, None)
            cells = []
            col = 0
            careful = counter.n_cells + len(tr) > MAX_CELLS  # the row may pass the cap: count cell by cell
            for td in tr.iterchildren("td", "th"):
                if careful:
                    counter.cells(1, where)
                if taken:
                    while col in taken:
                        col += 1
                colspan = td.get("colspan")
                rowspan = td.get("rowspan")
                if colspan is None and rowspan is None:
                    colspan = rowspan = 1
                else:
                    colspan = min(max(_span(colspan), 1), MAX_COLSPAN)
                    rowspan = _span(rowspan)
                    rowspan = n_rows - r if rowspan == 0 else min(max(rowspan, 1), n_rows - r)
                budget -= colspan * rowspan
                if budget < 0:
                    raise ReportFormatError(
                        self.source, "a table is implausibly large (its merged cells cover over "
                        f"{MAX_GRID_CELLS} grid positions)", where)
                if rowspan > 1:
                    for below in range(r + 1, r + rowspan):
                        covered.setdefault(below, set()).update(range(col, col + colspan))
                if visibility and _invisible_cell(td):
                    text = ""
                elif take:
                    text = _cell_text(td, take)
                else:  # _plain_cell_text(td), inline: most cells are read here
                    el = td
                    while True:
                        n = len(el)
                        if not n:
                            text = el.text
                            text = collapse(" ", text).strip() if text else ""
                            break
                        if n == 1:
                            child = el[0]
                            text = el.text
                            if not text or text.isspace():
                                text = child.tail
                                if not text or text.isspace():
                                    el = child
                                    continue
                        text = _cell_text(el)
                        break
                cells.append((r, col, text))
                col += colspan
            if not careful:
                counter.n_cells += len(cells)
            rows.append(cells)
        return rows


def read_html(data: bytes, source: str, base=None) -> Document:
    """Read a saved report page into a Document.

    Args:
        data: The page's bytes as saved (any of the encodings above).
        source: The file name, for messages and locations.
        base: The folder the page was saved in. Given, each ``<img>`` whose file is
            saved in it (``page_files/table2.png``) is read by OCR where it stands
            (:func:`~.ocr.pages.image_lines`; locations ``image 2, x … y …``).

    Raises:
        ReportFormatError: The bytes are not decodable, no page can be parsed from them,
            or the page is far larger than a report (see :mod:`shaoyang_report.limits`).
    """
    from lxml import etree

    tags = data.count(b"<")
    if tags > MAX_HTML_TAGS:
        raise refuse(source, f"the HTML page holds {tags:,} tags; a report page holds far fewer", "MAX_HTML_TAGS")
    text, codec = _decode(data, source)
    text = _XML_DECL.sub("", text, count=1)
    try:  # plain lxml elements: lxml.html's element classes cost a Python call per element
        root = etree.fromstring(text, etree.HTMLParser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ReportFormatError(source, f"the HTML page cannot be parsed ({exc})") from None
    if root is None:
        raise ReportFormatError(source, "the HTML page cannot be parsed (it holds no element)")
    if "\u212a" in text:
        _lowercase_tags(root)
    if _dropped(root):
        lines = _Reader(source).read_tail(root)
    else:
        raw = data if codec in _ASCII_BYTES or not codec else text.encode("utf-8", "surrogatepass")
        marks = _Marks(raw, text)
        _prune(root, marks)
        # The walk counts the text it reads against the cap only when the page holds more.
        count = len(etree.tostring(root, method="text", encoding=str)) > MAX_HTML_RAW_TEXT
        reader = _Reader(source, count, marks.visibility)
        if base is not None and b"<img" in data.lower():
            reader.images = []
        lines = reader.read(root)
        if reader.images:
            from pathlib import Path

            from shaoyang_report.read.readers.ocr.pages import image_lines

            confidence: dict[str, float] = {}
            found, names = image_lines(reader.images, Path(base), source, reader.budget, confidence)
            if found:
                lines = [ln for k in range(len(lines) + 1) for ln in (*found.get(k, ()), *lines[k:k + 1])]
                return Document(source=source, lines=lines, reader="html", ocr_pages=tuple(names),
                                confidence=confidence)
    if not lines:
        raise ReportFormatError(source, "the HTML page holds no text; expected a 政府信息公开工作年度报告")
    return Document(source=source, lines=lines, reader="html")
