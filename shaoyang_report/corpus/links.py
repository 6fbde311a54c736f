"""Names and links: safe archive file names, and the links of a page (those to a report's attachments).

:func:`safe_filename` makes a name from a URL or a ``Content-Disposition`` header
(:func:`disposition_filename`) safe to write inside the archive. :func:`page_links`
lists a page's http(s) links with their ``title`` and text (lxml's HTML parser, fed
the page as the HTML reader decodes it: :func:`~shaoyang_report.read.readers.html_reader.decode_html`);
:func:`report_links` picks those that point to the report as a PDF or Word attachment.

Example:
    >>> safe_filename("../../etc/passwd"), safe_filename("2020年报告.PDF")
    ('passwd', '2020年报告.PDF')
    >>> page = '<p><a href="/files/a.pdf">2021年政府信息公开工作年度报告</a> <a href="/css/x.pdf">样式</a></p>'
    >>> report_links(page.encode("utf-8"), "https://example.gov.cn/n/p.shtml")
    ['https://example.gov.cn/files/a.pdf']
"""

from __future__ import annotations

import os
import re
import unicodedata
from email.message import Message
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

_ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".ofd", ".xls", ".xlsx", ".et", ".zip", ".mhtml", ".mht")
_REPORT_WORDS = ("年度报告", "年报", "政府信息公开")
_MAX_ATTACHMENTS = 5
_UNSAFE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
_EXTENSIONS = {"text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt", "application/pdf": ".pdf",
               "application/msword": ".doc", "application/ofd": ".ofd", "application/vnd.ms-excel": ".xls",
               "application/zip": ".zip", "application/x-zip-compressed": ".zip", "multipart/related": ".mhtml",
               "application/x-mimearchive": ".mhtml", "application/kswps": ".wps", "application/vnd.ms-works": ".wps",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


def safe_filename(name: str, content_type: str = "") -> str:
    """A file name safe to write inside the archive: no folders, no traversal, no odd characters.

    Keeps only the last path component, drops control and reserved characters,
    leading dots and spaces, shortens very long names (keeping the extension), and adds
    an extension from ``content_type`` when the name has none.

    Example:
        >>> safe_filename("..\\\\..\\\\win.ini"), safe_filename("/etc/passwd"), safe_filename("..")
        ('win.ini', 'passwd', 'download')
        >>> safe_filename("", "text/html; charset=utf-8"), safe_filename("con.txt")
        ('download.html', '_con.txt')
    """
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = re.sub(r"\s+", " ", _UNSAFE_CHARS.sub("_", name)).strip().lstrip(".").strip()
    if not name or set(name) <= {".", "_", " "}:
        name = "download"
    stem, suffix = os.path.splitext(name)
    if suffix and not re.fullmatch(r"\.\w{1,10}", suffix):
        stem, suffix = name, ""
    if stem.lower() in _RESERVED:
        stem = f"_{stem}"
    while len((stem + suffix).encode("utf-8")) > 150:
        stem = stem[:-1]
    if not suffix:
        suffix = _EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "")
    return stem + suffix


def disposition_filename(header: str) -> str:
    """The file name a ``Content-Disposition`` header gives, or ``""``.

    ``filename*`` (RFC 5987) is decoded; a plain ``filename`` in raw UTF-8 or GB18030
    bytes (which ``http.client`` hands over as Latin-1) is read as such.

    Example:
        >>> disposition_filename("attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf"), disposition_filename("inline")
        ('年报.pdf', '')
    """
    if not header:
        return ""
    msg = Message()
    msg["content-disposition"] = header
    name = msg.get_filename() or ""
    try:  # raw UTF-8 (or GBK) bytes that http.client decoded as Latin-1
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


class _Links:
    """An lxml parser target: a page's first ``<base href>`` and its ``<a>`` elements, in page order.

    lxml's HTML parser calls it tag by tag and builds no tree, so neither a page's size
    nor how deep its tags nest costs more than reading it once. The text of a link is
    what the page says from ``<a>`` to where the parser ends the element: ``</a>``, or,
    in tag soup, the next ``<a>`` or the end of the element holding it. What scripts,
    styles, ``<title>``, ``<textarea>`` and ``<iframe>`` hold is text, not tags: an
    ``<a>`` written inside them is no link.
    """

    def __init__(self) -> None:
        self.base = ""
        self.links: list[tuple[str, str, list[str]]] = []  # href, title, pieces of the text
        self._text: list[str] | None = None

    def start(self, tag: str, attrib) -> None:
        if tag == "base" and attrib.get("href") and not self.base:
            self.base = attrib["href"]
        elif tag == "a":
            self._text = []
            self.links.append((attrib.get("href", ""), attrib.get("title", ""), self._text))

    def end(self, tag: str) -> None:
        if tag == "a":
            self._text = None

    def data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def close(self) -> _Links:
        return self


def page_links(page: bytes, page_url: str) -> tuple[str, list[tuple[str, str, str]]]:
    """A page's text and its http(s) links as ``(absolute URL without fragment, title attribute, link text)``.

    Args:
        page: The page's bytes (any encoding the HTML reader decodes).
        page_url: The URL the page was served from (relative links and ``<base>`` are resolved against it).

    Example:
        >>> page = '<base href="/nb/"><a href="a.shtml#top" title="标题"> 链接&nbsp; 文字 </a><a href="#x">本页</a>'
        >>> page_links(page.encode(), "http://x.gov.cn/p/index.shtml")[1]
        [('http://x.gov.cn/nb/a.shtml', '标题', '链接 文字')]
    """
    from lxml import etree

    from shaoyang_report.read.readers.html_reader import decode_html

    try:
        text = decode_html(page, page_url)
    except Exception:  # noqa: BLE001 - undecodable: look for links in what can be read
        text = page.decode("utf-8", "replace")
    found = _Links()
    # UTF-8 bytes, the encoding named: a declared charset or <?xml encoding?> is not applied again.
    # huge_tree lifts libxml2's caps (on one text's length, on nesting), which can end a parse
    # early and drop the links after; the download's size cap bounds the page anyway.
    parser = etree.HTMLParser(target=found, encoding="utf-8", huge_tree=True)
    try:
        parser.feed(text.encode("utf-8", "surrogatepass"))
        parser.close()
    except Exception:  # noqa: BLE001 - the HTML parser recovers from tag soup; be sure anyway
        pass
    base = urljoin(page_url, found.base) if found.base else page_url
    out = []
    for href, title, pieces in found.links:
        href = href.strip()
        if not href or href.startswith("#"):
            continue
        url = urljoin(base, href).split("#")[0]
        if urlsplit(url).scheme.lower() in ("http", "https"):
            out.append((url, title.strip(), " ".join("".join(pieces).split())))
    return text, out


def report_links(page: bytes, page_url: str) -> list[str]:
    """URLs of the attachments a page links to as the report.

    A link counts when it points to a file of a kind that is read (``.pdf``, ``.docx``,
    ``.doc``, ``.wps``, ``.ofd``, ``.xls``, ``.xlsx``, ``.et``, ``.zip``, ``.mhtml``) over http(s)
    and its text, title or file name says 年度报告, 年报 or 政府信息公开.

    Args:
        page: The page's bytes (any encoding the HTML reader decodes).
        page_url: The URL the page was served from (relative links are resolved against it).
    """
    out: list[str] = []
    for url, title, label in page_links(page, page_url)[1]:
        name = unquote(PurePosixPath(urlsplit(url).path).name)
        if not name.lower().endswith(_ATTACHMENT_SUFFIXES):
            continue
        said = f"{label} {title} {name}"
        if any(w in said for w in _REPORT_WORDS) and url not in out:
            out.append(url)
    return out[:_MAX_ATTACHMENTS]

