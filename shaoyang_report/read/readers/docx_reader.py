"""A Word .docx report → :class:`~shaoyang_report.read.document.Document` (via python-docx).

Agencies attach the report as a Word file. Its body is read in order: paragraphs as
lines (located ``paragraph N``, N counting the body's paragraphs as Word and
``python-docx``'s ``Document.paragraphs`` do), tables as grids — horizontal merges
(``gridSpan``) and vertical merges (``vMerge``) resolved — one line per table row,
cells located ``table 2, row 5, col 2``.

A .docx is a zip, and its directory may lie about the sizes its parts inflate to.
Before python-docx sees the file, every part is inflated here in steps of 1 MiB with a
running byte budget (nothing is kept): a part that inflates to more than its directory
entry declares, or parts that together inflate beyond the caps of
:mod:`shaoyang_report.limits` (``MAX_DOCX_XML_BYTES`` of XML, ``MAX_DOCX_BYTES`` in
all, ``MAX_DOCX_RATIO``-fold for one part beyond 1 MiB, ``MAX_DOCX_XML_TAGS`` of
markup), are refused as soon as the budget runs out — a zip bomb (a small file that
inflates to gigabytes) costs a fraction of a second and no memory. A part whose CRC or
inflated size disagrees with the directory is damaged. The body is then read within
the caps on paragraphs, table cells, lines and tokens.

Example:
    >>> from shaoyang_report.read.readers.docx_reader import read_docx
    >>> doc = read_docx(open("report.docx", "rb").read(), "report.docx")   # doctest: +SKIP
    >>> doc.lines[40].tokens[1].location                                      # doctest: +SKIP
    'table 2, row 5, col 4'
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import (
    MAX_DOCX_BYTES,
    MAX_DOCX_MEMBERS,
    MAX_DOCX_PARAGRAPHS,
    MAX_DOCX_RATIO,
    MAX_DOCX_XML_BYTES,
    MAX_DOCX_XML_TAGS,
    Budget,
    inflate_bounded,
    refuse,
)
from shaoyang_report.read.cells import split_cells
from shaoyang_report.read.document import Document, Line
from shaoyang_report.read.readers.grid import (
    MAX_COLSPAN,
    MAX_GRID_CELLS,
    GridCell,
    table_lines,
)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_archive(data: bytes, source: str) -> None:
    """Refuse an archive that is not a Word document, is damaged, or inflates too far.

    The directory's declared sizes are checked first (a cheap refusal); then every part
    is inflated with a running byte budget and its actual size and CRC compared with
    the directory, so that what python-docx later inflates is known to fit the caps.

    Raises:
        ReportFormatError: Not a zip, not a .docx, damaged, encrypted, or a zip bomb.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise ReportFormatError(source, f"the Word file is damaged: it is not a readable zip archive ({exc})") from None
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise ReportFormatError(source, "the file is a zip archive but not a Word .docx document (no word/document.xml)")
    if len(infos) > MAX_DOCX_MEMBERS:
        raise refuse(source, f"the Word file has {len(infos):,} parts; refusing to open it (expected under "
                     f"{MAX_DOCX_MEMBERS:,})", "MAX_DOCX_MEMBERS")
    xml = [i for i in infos if _is_xml(i)]
    for group, cap, name, what in ((xml, MAX_DOCX_XML_BYTES, "MAX_DOCX_XML_BYTES", "of XML"),
                                   (infos, MAX_DOCX_BYTES, "MAX_DOCX_BYTES", "in all")):
        declared = sum(i.file_size for i in group)
        if declared > cap:
            largest = max(group, key=lambda i: i.file_size)
            raise refuse(source, f"the Word file would expand to {declared:,} bytes {what} ({largest.filename} alone "
                         f"{largest.file_size:,}); a Word report holds far less than {cap:,} (a zip bomb?); refusing "
                         "to open it", name)
    left, xml_left = MAX_DOCX_BYTES, MAX_DOCX_XML_BYTES
    tags = _TagCount(source)
    for info in infos:
        is_xml = _is_xml(info)
        tags.part = info.filename if is_xml else None
        if is_xml and xml_left < left:
            budget, limit, total, what = xml_left, "MAX_DOCX_XML_BYTES", MAX_DOCX_XML_BYTES, "of XML"
        else:
            budget, limit, total, what = left, "MAX_DOCX_BYTES", MAX_DOCX_BYTES, "in all"
        fold = max(1 << 20, MAX_DOCX_RATIO * info.compress_size)
        inflated = _inflated_size(data, info, min(budget, fold), source, tags)
        if inflated is None and fold < budget:
            raise refuse(source, f"the Word file's part {info.filename} inflates from {info.compress_size:,} bytes to "
                         f"over {fold:,} (more than {MAX_DOCX_RATIO}-fold; it declares {info.file_size:,}): a zip bomb?; "
                         "refusing to open it", "MAX_DOCX_RATIO")
        if inflated is None:
            raise refuse(source, f"the Word file's part {info.filename} inflates from {info.compress_size:,} bytes to "
                         f"over {budget:,} (it declares {info.file_size:,}); a Word report holds far less than "
                         f"{total:,} bytes {what} (a zip bomb?); refusing to open it", limit)
        size, crc = inflated
        if size != info.file_size:
            raise ReportFormatError(source, f"the Word file is damaged (or a zip bomb): its part {info.filename} "
                                    f"inflates to {size:,} bytes but declares {info.file_size:,}")
        if crc != info.CRC:
            raise ReportFormatError(source, f"the Word file is damaged or truncated: its part {info.filename} fails "
                                    "its checksum (CRC)")
        left -= size
        if is_xml:
            xml_left -= size


def _is_xml(info: zipfile.ZipInfo) -> bool:
    return info.filename.endswith((".xml", ".rels"))


class _TagCount:
    """Counts the ``<`` of the XML parts as they inflate; refuses past ``MAX_DOCX_XML_TAGS``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.part: str | None = None  # the XML part being inflated (None: not XML)
        self.n = 0

    def __call__(self, chunk) -> None:
        if self.part is None:
            return
        self.n += bytes(chunk).count(b"<") if isinstance(chunk, memoryview) else chunk.count(b"<")
        if self.n > MAX_DOCX_XML_TAGS:
            raise refuse(self.source, f"the Word file's XML holds over {MAX_DOCX_XML_TAGS:,} tags (at part "
                         f"{self.part}); a Word report holds far fewer; refusing to open it", "MAX_DOCX_XML_TAGS")


def _inflated_size(data: bytes, info: zipfile.ZipInfo, budget: int, source: str,
                   tags: _TagCount) -> tuple[int, int] | None:
    """The bytes one part really inflates to and their CRC (None: more than ``budget``).

    Raises:
        ReportFormatError: The part is damaged, truncated, encrypted or in a compression
            Word does not use.
    """
    def damaged(why: str) -> ReportFormatError:
        return ReportFormatError(source, f"the Word file is damaged or truncated: its part {info.filename} {why}")

    if info.flag_bits & 0x1:
        raise ReportFormatError(source, "the Word file is encrypted (password-protected); save an unprotected copy first")
    offset = info.header_offset
    if data[offset:offset + 4] != b"PK\x03\x04" or len(data) < offset + 30:
        raise damaged("cannot be found where the zip directory says")
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise damaged("is cut short")
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) > budget:
            return None
        size, crc = len(raw), zlib.crc32(raw)
        tags(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        try:
            inflated = inflate_bounded(raw, budget, sink=tags)
        except zlib.error as exc:
            raise damaged(f"cannot be inflated ({exc})") from None
        if inflated is None:
            return None
        size, crc, ended = inflated
        if not ended:
            raise damaged("is cut short")
    else:
        raise ReportFormatError(source, f"the Word file's part {info.filename} is compressed with method "
                                f"{info.compress_type}, which Word does not use; save the document again in Word")
    return size, crc


class _Count:
    """What has been read of a Word body: paragraphs (body and cells) and the reader budget."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.paragraphs = 0  # body paragraphs, numbered as python-docx's Document.paragraphs
        self.all_paragraphs = 0  # those in table cells included
        self.budget = Budget(source)

    def paragraph(self, where: str, in_cell: bool = False) -> None:
        if not in_cell:
            self.paragraphs += 1
        self.all_paragraphs += 1
        if self.all_paragraphs > MAX_DOCX_PARAGRAPHS:
            raise refuse(self.source, f"the Word document holds over {MAX_DOCX_PARAGRAPHS:,} paragraphs; a report "
                         "holds far fewer", "MAX_DOCX_PARAGRAPHS", where)


def read_docx(data: bytes, source: str) -> Document:
    """Read a .docx report into a Document.

    Args:
        data: The file's bytes.
        source: The file name, for messages and locations.

    Raises:
        ReportFormatError: The file is damaged, not a .docx, a zip bomb, or holds no text.
    """
    check_archive(data, source)
    import docx
    from docx.text.paragraph import Paragraph

    try:
        word = docx.Document(io.BytesIO(data))
        body = word.element.body
    except (MemoryError, RecursionError):
        raise  # too large, not damaged: said so by the caller (readers.library_errors)
    except Exception as exc:  # python-docx raises KeyError, PackageNotFoundError, lxml errors …
        raise ReportFormatError(source, f"the Word document cannot be opened ({type(exc).__name__}: {exc})") from None

    lines: list[Line] = []
    tables = 0
    count = _Count(source)
    stack = list(reversed(body))
    try:
        while stack:
            el = stack.pop()
            if el.tag == f"{_W}p":
                count.paragraph(f"paragraph {count.paragraphs + 1}")
                text = Paragraph(el, word).text.strip()
                if text:
                    location = f"paragraph {count.paragraphs}"
                    count.budget.line(text, location)
                    tokens = split_cells(text, location)
                    count.budget.tokens(len(tokens), location)
                    lines.append(Line(text, location, tokens))
            elif el.tag == f"{_W}tbl":
                tables += 1
                for line in table_lines(_grid(el, Paragraph, source, tables, count), tables):
                    count.budget.line(line.text, line.location)
                    count.budget.tokens(len(line.tokens), line.location)
                    lines.append(line)
            elif el.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag"):
                stack.extend(reversed(el))  # content controls wrap paragraphs and tables
    except ReportFormatError:
        raise
    except (MemoryError, RecursionError):
        raise  # too large, not damaged: said so by the caller (readers.library_errors)
    except Exception as exc:
        raise ReportFormatError(source, f"the Word document is damaged ({type(exc).__name__}: {exc})") from None
    if not lines:
        raise ReportFormatError(source, "the Word document holds no text; expected a 政府信息公开工作年度报告")
    return Document(source=source, lines=lines, reader="docx")


def _int(el, path: str, default: int) -> int:
    found = el.find(path)
    if found is None:
        return default
    try:
        return int(found.get(f"{_W}val", default))
    except ValueError:
        return default


def _grid(tbl, paragraph_cls, source: str, number: int, count: _Count) -> list[list[GridCell]]:
    """A Word table's printed cells at their grid positions; vertical merges resolved."""
    rows: list[list[GridCell]] = []
    budget = MAX_GRID_CELLS
    where = f"table {number}"
    for r, tr in enumerate(tbl.iterchildren(f"{_W}tr")):
        col = _int(tr, f"{_W}trPr/{_W}gridBefore", 0)
        cells = []
        for tc in tr.iterchildren(f"{_W}tc"):
            count.budget.cells(1, where)
            span = min(max(_int(tc, f"{_W}tcPr/{_W}gridSpan", 1), 1), MAX_COLSPAN)
            budget -= span
            if budget < 0:
                raise ReportFormatError(source, f"a table is implausibly large (over {MAX_GRID_CELLS} cells)", where)
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            continues = merge is not None and merge.get(f"{_W}val", "continue") != "restart"
            if not continues:  # the cell of a vertical merge is printed in its first row
                texts = []
                for p in tc.iter(f"{_W}p"):
                    count.paragraph(where, in_cell=True)
                    texts.append(paragraph_cls(p, None).text)
                text = " ".join(texts)
                cells.append(GridCell(r, col, " ".join(text.split())))
            col += span
        rows.append(cells)
    return rows
