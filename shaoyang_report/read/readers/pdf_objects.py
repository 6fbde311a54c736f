"""How many bytes a PDF's pages draw from, measured on the file's bytes before any library reads it.

A PDF page is drawn from content streams (and the form XObjects they call), usually
Flate-compressed: a file of 200 KB can hold a page of gigabytes of drawing operators,
which a PDF library parses in full the moment the page is opened. This module finds
each page's streams by walking the page tree itself (objects located by their
``N G obj`` headers, in object streams too) and inflates them with a budget
(:func:`~shaoyang_report.limits.inflate_bounded`), keeping nothing, so that
:func:`~shaoyang_report.read.readers.pdf_reader.read_pdf` can refuse such a file before the
library sees it. The same measure applies whichever PDF library reads the text.

Indexing is a regular expression's pass over the file plus a few microseconds per
object; a file of more objects than ``max_objects`` (``OBJECTS_PER_PAGE`` for each of
``MAX_PDF_PAGES`` pages, 60,000) is refused before they are indexed.

It is a measure, not a PDF reader: what it cannot follow (a damaged page tree, a
missing object) counts as nothing here and is left to the library, which reports the
damage. Streams it finds but cannot attach to a page (the page tree is damaged) are
still counted against the whole-file cap.

Example:
    >>> data = (b"%PDF-1.4\\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\\n"
    ...         b"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\\n"
    ...         b"3 0 obj <</Type/Page/Parent 2 0 R/Contents 4 0 R>> endobj\\n"
    ...         b"4 0 obj <</Length 13>>stream\\nBT (Hi) Tj ET\\nendstream endobj\\n"
    ...         b"trailer <</Root 1 0 R>>\\n%%EOF")
    >>> page_content_bytes(data, 10_000, 100_000)
    ContentSizes(pages=[13], unplaced=0, over=None)
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from shaoyang_report.limits import inflate_bounded

_DELIMS = rb"()<>\[\]{}/%"
_REGULAR = rb"[^\s\x00" + _DELIMS + rb"]"
# Bytes around the keywords: whitespace within an object header, the digits of its
# numbers, what may end the keyword ``obj`` (whitespace, NUL, a delimiter, or the end of
# the file), and what precedes the keyword ``stream`` (whitespace or a dictionary's ``>>``).
_HEADER_SPACE = frozenset(b" \t\r\n\f\x00")
_DIGIT = frozenset(b"0123456789")
_NOT_REGULAR = frozenset(b" \t\n\r\f\v\x00()<>[]{}/%")
_BEFORE_STREAM = frozenset(b" \t\n\r\f\v>")
_TOKEN = re.compile(rb"""
    (?P<space>(?:[\s\x00]|%[^\r\n]*)+)
  | (?P<ref>(?P<number_of>\d{1,10})[\s\x00]+\d{1,5}[\s\x00]+R)(?!""" + _REGULAR + rb""")
  | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+))
  | (?P<name>/""" + _REGULAR + rb"""*)
  | (?P<dict_open><<) | (?P<dict_close>>>) | (?P<array_open>\[) | (?P<array_close>\])
  | (?P<hex><[0-9A-Fa-f\s\x00]*>)
  | (?P<string>\()
  | (?P<word>""" + _REGULAR + rb"""+)
""", re.VERBOSE)
# A direct /Length (not /Length1, nor a reference ``12 0 R``), and the dictionaries
# the index must recognise before reading them.
_LENGTH = re.compile(rb"/Length[\s\x00]+(\d{1,12})(?=[\s\x00/>])(?![\s\x00]+\d+[\s\x00]+\d+[\s\x00]+R)")
_OBJECT_STREAM = re.compile(rb"/Type[\s\x00]*/ObjStm")
_XREF_STREAM = re.compile(rb"/Type[\s\x00]*/XRef")
_ESCAPE = re.compile(r"#([0-9A-Fa-f]{2})")
_BOOLEANS = {b"true": True, b"false": False}
_EOL = re.compile(rb"(?:\r\n|\r|\n)?$")
_ENDSTREAM = re.compile(rb"(?:\r\n|\n|\r)?endstream")
_MAX_DEPTH = 64  # nesting of arrays and dictionaries, and of forms drawn within forms
_MAX_PAGES = 100_000  # pages walked: the library's own count is capped long before this
#: Objects a PDF may hold for each page it may have (``MAX_PDF_PAGES``): the real
#: reports hold 50–60 for 5 pages; a page's text, fonts and images take a few dozen.
OBJECTS_PER_PAGE = 200


class _TooMany(Exception):
    """The file holds more objects than the measure will index."""


class _Ref(int):
    """An indirect reference ``N G R`` (its object number)."""


@dataclass(slots=True)
class _Stream:
    number: int
    header: int  # where its dictionary starts
    start: int  # its data: start and end
    end: int
    parsed: dict | None = None  # its dictionary, once read (see _File.info)


@dataclass(slots=True)
class ContentSizes:
    """Bytes each page draws from, as far as the caps let them be measured.

    Attributes:
        pages: Per page in page-tree order, the bytes its content streams and forms
            inflate to (empty if the page tree could not be walked).
        unplaced: Bytes of streams that no page of the walked tree draws (counted
            only when the tree could not be walked).
        over: ``(page number or None, which cap)`` when a cap was passed; measuring
            stopped there.
    """

    pages: list[int]
    unplaced: int
    over: tuple[int | None, str] | None


def _unescape(escape: re.Match) -> str:
    return chr(int(escape.group(1), 16))


class _Parser:
    """The few PDF objects the measure needs: dictionaries, arrays, names, numbers, references."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def value(self, pos: int, depth: int = 0):
        """The object at ``pos`` and the position after it (None, pos when there is none)."""
        data = self.data
        while True:
            m = _TOKEN.match(data, pos)
            if m is None:
                return None, pos
            kind, pos = m.lastgroup, m.end()
            if kind != "space":
                break
        if kind == "ref":
            return _Ref(int(m.group("number_of"))), pos
        if kind == "number":
            text = m.group("number")
            return (float(text) if b"." in text else int(text)), pos
        if kind == "name":  # #xx escapes decoded: /Fl#61teDecode is /FlateDecode
            name = m.group("name").decode("latin-1")
            return (_ESCAPE.sub(_unescape, name) if "#" in name else name), pos
        if kind == "hex":
            return m.group("hex"), pos
        if kind == "string":
            return None, self._skip_string(pos)
        if kind == "word":
            return _BOOLEANS.get(m.group("word")), pos
        if depth > _MAX_DEPTH or kind in ("dict_close", "array_close"):
            return None, pos
        if kind == "array_open":
            items: list[object] = []
            while True:
                end = _TOKEN.match(data, pos)
                if end is not None and end.lastgroup == "space":
                    pos = end.end()
                    end = _TOKEN.match(data, pos)
                if end is None or end.lastgroup == "array_close":
                    return items, (end.end() if end else pos)
                item, after = self.value(pos, depth + 1)
                if after == pos:
                    return items, pos
                items.append(item)
                pos = after
        # a dictionary: /Key value pairs
        out: dict = {}
        while True:
            key, after = self.value(pos, depth + 1)
            if after == pos:
                return out, pos
            pos = after
            if not isinstance(key, str) or not key.startswith("/"):
                if data[pos - 2:pos] == b">>":
                    return out, pos
                continue  # something out of place: skipped
            item, after = self.value(pos, depth + 1)
            if after == pos:
                return out, pos
            out[key] = item
            pos = after

    def _skip_string(self, pos: int) -> int:
        """The position after a literal string whose ``(`` ends before ``pos``."""
        data, level = self.data, 1
        while level and pos < len(data):
            c = data[pos]
            if c == 0x5C:  # backslash: the next byte is escaped
                pos += 2
                continue
            level += (c == 0x28) - (c == 0x29)
            pos += 1
        return pos


class _Keywords:
    """The object headers (``N G obj``) and stream keywords of a PDF's bytes, found in order.

    :meth:`next` finds what the regular expression
    ``(?<![0-9])(\\d{1,10})[ \\t\\r\\n\\f\\x00]+(\\d{1,5})[ \\t\\r\\n\\f\\x00]+obj(?!R)|(?<=[\\s>])stream(?:\\r\\n|\\n|\\r)``
    (R a regular character: not whitespace, NUL nor a delimiter) finds searching from a
    position, by looking for the keywords with ``bytes.find`` and reading the numbers
    back from ``obj``: some 20 times faster than the expression, which, starting with a
    look-behind, is tried at every byte. Each byte is looked at a bounded number of
    times, whatever the file holds.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.stream = -1  # the first stream keyword at or after the position last asked for

    def next(self, pos: int) -> tuple[int, int, int | None] | None:
        """``(start, end, object number)`` of the first header or stream keyword (number None) at or after ``pos``."""
        data = self.data
        if self.stream < pos:
            self.stream = self._stream(pos)
        stream = self.stream
        at = data.find(b"obj", pos, stream)
        while at >= 0:
            header = _header_before(data, at)
            if header is not None and header[0] >= pos:
                return header[0], at + 3, header[1]
            at = data.find(b"obj", at + 1, stream)
        if stream == len(data):
            return None
        return stream, stream + (8 if data[stream + 6:stream + 8] == b"\r\n" else 7), None

    def _stream(self, pos: int) -> int:
        """Where the first keyword ``stream`` at or after ``pos`` opens a stream's data (the file's length if none)."""
        data = self.data
        at = data.find(b"stream", pos)
        while at >= 0:
            if at and data[at - 1] in _BEFORE_STREAM and data[at + 6:at + 7] in (b"\n", b"\r"):
                return at
            at = data.find(b"stream", at + 1)
        return len(data)


def _header_before(data: bytes, at: int) -> tuple[int, int] | None:
    """``(start, object number)`` of the object header ``N G obj`` whose ``obj`` is at ``at``, or None."""
    if data[at + 3:at + 4] and data[at + 3] not in _NOT_REGULAR:
        return None  # a longer word (``objects``)
    j = at
    while j and data[j - 1] in _HEADER_SPACE:
        j -= 1
    end = j
    if end == at:
        return None
    while j and data[j - 1] in _DIGIT:
        j -= 1
    if not 1 <= end - j <= 5:  # the generation number
        return None
    end = j
    while j and data[j - 1] in _HEADER_SPACE:
        j -= 1
    if j == end:
        return None
    end = j
    while j and data[j - 1] in _DIGIT:
        j -= 1
    if not 1 <= end - j <= 10:  # the object number (all of its digits)
        return None
    return j, int(data[j:end])


class _File:
    """The objects of a PDF file, found by their headers (the last definition of a number wins)."""

    def __init__(self, data: bytes, budget: int, max_objects: int) -> None:
        self.data = data
        self.max_objects = max_objects
        self.parser = _Parser(data)
        self.offsets: dict[int, int] = {}
        self.streams: dict[int, _Stream] = {}
        self.in_object_streams: dict[int, tuple[bytes, int]] = {}
        self._index(budget)

    def _index(self, budget: int) -> None:
        """Find every object header and every stream's data, skipping the data (a few ``bytes.find`` calls)."""
        data, pos, current = self.data, 0, None
        keywords = _Keywords(data)
        object_streams = []
        while True:
            found = keywords.next(pos)
            if found is None:
                break
            at, pos, number = found
            if number is not None:
                current = number
                self.offsets[current] = pos
                if len(self.offsets) > self.max_objects:
                    raise _TooMany
                continue
            if current is None:
                continue
            header = self.offsets[current]
            if not data[header:at].rstrip(b" \t\r\n\f\x00").endswith(b">>"):
                continue  # the word "stream" elsewhere (in a string), not a stream's data
            start = pos
            length = _LENGTH.search(data, header, at)
            end = start + int(length.group(1)) if length else -1
            if not 0 <= end <= len(data) or not _ENDSTREAM.match(data, end):
                marker = data.find(b"endstream", start)  # /Length wrong or indirect: up to the end marker
                if marker < 0:
                    end = len(data)
                else:
                    eol = _EOL.search(data, max(marker - 2, 0), marker)
                    assert eol is not None  # it may be empty: it always matches
                    end = marker - len(eol.group())
            self.streams[current] = _Stream(current, header, start, end)
            if _OBJECT_STREAM.search(data, header, at):
                object_streams.append(current)
            pos, current = end, None
        for number in object_streams:
            self._index_object_stream(self.streams[number], budget)

    def info(self, stream: _Stream) -> dict:
        """A stream's dictionary (read when first asked for)."""
        if stream.parsed is None:
            info = self.parser.value(stream.header)[0]
            stream.parsed = info if isinstance(info, dict) else {}
        return stream.parsed

    def _index_object_stream(self, stream: _Stream, budget: int) -> None:
        """Objects packed in an object stream: ``N offset`` pairs, then the objects."""
        info = self.info(stream)
        if info.get("/Type") != "/ObjStm":
            return
        body = _decoded(self.data, stream, info, budget)
        first, count = self.resolve(info.get("/First")), self.resolve(info.get("/N"))
        if body is None or not isinstance(first, int) or not isinstance(count, int):
            return
        pairs = re.findall(rb"(\d+)\s+(\d+)", body[:max(first, 0)])[:max(count, 0)]
        for number, offset in pairs:
            if int(number) not in self.offsets:
                self.in_object_streams[int(number)] = (body, first + int(offset))

    def resolve(self, value, depth: int = 0):
        """The object a reference points to (the value itself if it is not one)."""
        while isinstance(value, _Ref) and depth < 8:
            depth += 1
            if value in self.offsets:
                value = self.parser.value(self.offsets[value])[0]
            elif value in self.in_object_streams:
                body, at = self.in_object_streams[value]
                value = _Parser(body).value(at)[0]
            else:
                return None
        return value

    def root(self):
        """The document catalogue, from the last trailer (or cross-reference stream) naming one."""
        data = self.data
        at = data.rfind(b"trailer")
        for _ in range(_MAX_DEPTH):  # the last trailers (incremental updates add one each)
            if at < 0:
                break
            trailer, _ = self.parser.value(at + len(b"trailer"))
            if isinstance(trailer, dict) and "/Root" in trailer:
                return self.resolve(trailer["/Root"])
            at = data.rfind(b"trailer", 0, at)
        xrefs = [s for s in self.streams.values() if _XREF_STREAM.search(data, s.header, s.start)]
        for stream in sorted(xrefs, key=lambda s: s.start, reverse=True)[:_MAX_DEPTH]:
            info = self.info(stream)
            if info.get("/Type") == "/XRef" and "/Root" in info:
                return self.resolve(info["/Root"])
        return None

    def pages(self) -> list[dict] | None:
        """The page dictionaries in order, each with its inherited ``/Resources``; None if unwalkable."""
        root = self.root()
        tree = self.resolve(root.get("/Pages")) if isinstance(root, dict) else None
        if not isinstance(tree, dict):
            return None
        out: list[dict] = []
        seen: set[int] = set()

        def walk(node: dict, resources, depth: int) -> None:
            if depth > _MAX_DEPTH or len(out) > _MAX_PAGES:
                return
            resources = node.get("/Resources", resources)
            kids = self.resolve(node.get("/Kids"))
            if node.get("/Type") == "/Page" or not isinstance(kids, list):
                out.append({**node, "/Resources": resources})
                return
            for kid in kids:
                if isinstance(kid, _Ref):
                    if kid in seen:
                        continue
                    seen.add(kid)
                child = self.resolve(kid)
                if isinstance(child, dict):
                    walk(child, resources, depth + 1)

        walk(tree, None, 0)
        return out

    def drawn_streams(self, page: dict) -> list[int]:
        """Object numbers of the streams a page draws: its contents and the forms they call."""
        contents = self.resolve(page.get("/Contents"))
        refs = [page.get("/Contents")] if not isinstance(contents, list) else contents
        out = [int(r) for r in refs if isinstance(r, _Ref)]
        seen: set[int] = set(out)

        def forms(resources, depth: int) -> None:
            resources = self.resolve(resources)
            xobjects = self.resolve(resources.get("/XObject")) if isinstance(resources, dict) else None
            if not isinstance(xobjects, dict) or depth > _MAX_DEPTH:
                return
            for ref in xobjects.values():
                stream = self.streams.get(ref) if isinstance(ref, _Ref) else None
                if stream is None or ref in seen or self.info(stream).get("/Subtype") != "/Form":
                    continue
                seen.add(ref)
                out.append(int(ref))
                forms(self.info(stream).get("/Resources"), depth + 1)

        forms(page.get("/Resources"), 0)
        return out


def _decoded(data: bytes, stream: _Stream, info: dict, budget: int) -> bytes | None:
    """A Flate (or unfiltered) stream's bytes, or None beyond ``budget`` or if otherwise filtered."""
    raw = data[stream.start:stream.end]
    kind = _filter(info)
    if kind == "":
        return raw if len(raw) <= budget else None
    if kind != "flate":
        return None
    pieces: list[bytes] = []
    if inflate_bounded(raw, budget, zlib.MAX_WBITS, strict=False, sink=pieces.append) is None:
        return None
    return b"".join(pieces)


def _filter(info: dict) -> str:
    """``""`` (none), ``flate`` or ``other``."""
    filters = info.get("/Filter")
    if isinstance(filters, list):
        filters = filters[0] if len(filters) == 1 else ("other" if filters else None)
    if filters is None:
        return ""
    return "flate" if filters in ("/FlateDecode", "/Fl") else "other"


def _size(data: bytes, stream: _Stream, info: dict, budget: int) -> int | None:
    """Bytes a stream decodes to (Flate inflated with a budget); None beyond ``budget``."""
    raw = memoryview(data)[stream.start:stream.end]
    if _filter(info) == "flate":
        inflated = inflate_bounded(raw, budget, zlib.MAX_WBITS, strict=False)
        return None if inflated is None else inflated[0]
    return len(raw) if len(raw) <= budget else None  # no filter, or others: counted as they are


def _drawn_by_nothing(info: dict) -> bool:
    """Streams that no page draws as operators: images, font programs, metadata, files, object tables."""
    return (info.get("/Subtype") == "/Image" or "/Length1" in info or "/Length2" in info
            or info.get("/Subtype") in ("/Type1C", "/CIDFontType0C", "/OpenType")
            or info.get("/Type") in ("/XRef", "/ObjStm", "/Metadata", "/EmbeddedFile"))


def page_content_bytes(data: bytes, page_cap: int, total_cap: int, max_objects: int = 1 << 62) -> ContentSizes:
    """Bytes each page's content streams and forms inflate to, stopping at the first cap passed.

    Args:
        data: The PDF file's bytes.
        page_cap: The most bytes one page may draw from.
        total_cap: The most bytes all pages together may draw from.
        max_objects: The most objects the file may hold (indexing them is the
            measure's own work: a few microseconds each).

    Returns:
        The sizes measured; ``over`` names the page and cap (``page``, ``total``, or
        ``objects`` with no page) if one was passed. When the page tree cannot be
        walked, every stream that a page could draw (not an image, font program,
        metadata …) is counted against both caps as ``unplaced``.
    """
    try:
        pdf = _File(data, page_cap, max_objects)
    except _TooMany:
        return ContentSizes([], 0, (None, "objects"))
    pages = pdf.pages() or []
    sizes: list[int] = []
    total = 0
    for number, page in enumerate(pages, start=1):
        size = 0
        for stream_number in pdf.drawn_streams(page):
            stream = pdf.streams.get(stream_number)
            if stream is None:
                continue
            cap = min(page_cap - size, total_cap - total - size)
            got = _size(data, stream, pdf.info(stream), cap)
            if got is None:
                return ContentSizes(sizes, 0, (number, "page" if page_cap - size <= total_cap - total - size
                                               else "total"))
            size += got
        sizes.append(size)
        total += size
    if pages:
        return ContentSizes(sizes, 0, None)
    unplaced = 0
    for stream in pdf.streams.values():
        info = pdf.info(stream)
        if _drawn_by_nothing(info):
            continue
        got = _size(data, stream, info, min(page_cap, total_cap - unplaced))
        if got is None:
            return ContentSizes([], unplaced, (None, "page" if page_cap <= total_cap - unplaced else "total"))
        unplaced += got
    return ContentSizes([], unplaced, None)
