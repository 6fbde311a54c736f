"""Latin words a reader would see in a generated page or document, outside a short allow-list.

The briefings are Chinese throughout: a Latin word left in a page is a label, a reason or
a location not said in Chinese, or a report id inside a sentence. Allowed: URLs, file
names, units, the formats (``F2008``/``F2019``/``F2021``), ``OCR`` and a few product names;
and anything inside an element marked ``sr-sources`` (the sources table, where report
ids and file names belong). Scripts, styles, the page title and attributes are not text
a reader sees.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

#: Latin words a Chinese page may show.
ALLOWED = frozenset({"F2008", "F2019", "F2021", "OCR", "PDF", "Word", "Excel", "WPS", "URL", "km", "kg", "GB", "T"})
_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.I)
_FILE = re.compile(r"[\w.\-/\\]+\.(?:txt|md|pdf|docx?|html?|mhtml|csv|parquet|xlsx?|json|png|jpe?g|wps|ofd|rtf|zip)\b",
                   re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_VOID = {"br", "img", "hr", "meta", "link", "input", "col", "source", "wbr", "area", "base", "embed", "param", "track"}


def latin_words(text: str) -> Counter:
    """The Latin words of a text that are not allowed (URLs and file names removed first)."""
    text = _FILE.sub(" ", _URL.sub(" ", text))
    return Counter(w for w in _WORD.findall(text) if w not in ALLOWED)


class _Visible(HTMLParser):
    """The text a reader sees, outside ``script``, ``style``, ``title`` and ``.sr-sources``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # per open element: its tag, is it hidden (or inside a hidden one)?
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        hidden = bool(self.stack and self.stack[-1][1]) or tag in ("script", "style", "title") \
            or "sr-sources" in (dict(attrs).get("class") or "").split()
        self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        if tag in _VOID or all(t != tag for t, _ in self.stack):
            return
        while self.stack and self.stack.pop()[0] != tag:  # elements left open (a <p>, an <li>) close with it
            pass

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)


def html_text(page: str) -> str:
    """A page's visible text (see :class:`_Visible`)."""
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


def html_latin(page: str) -> Counter:
    """The disallowed Latin words of an HTML page's visible text."""
    return latin_words(html_text(page))
