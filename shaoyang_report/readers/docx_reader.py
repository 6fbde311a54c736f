"""A Word .docx report → :class:`~shaoyang_report.document.Document` (via python-docx).

Agencies attach the report as a Word file. Its body is read in order: paragraphs as
lines (located ``paragraph N``, N counting the body's paragraphs as Word and
``python-docx``'s ``Document.paragraphs`` do), tables as grids — horizontal merges
(``gridSpan``) and vertical merges (``vMerge``) resolved — one line per table row,
cells located ``table 2, row 5, col 2``.

A .docx is a zip: before anything is expanded, the archive's declared sizes are
checked, so a zip bomb (a small file that inflates to gigabytes) is refused with a
:class:`~shaoyang_report.errors.ReportFormatError` instead of exhausting memory.

Example:
    >>> from shaoyang_report.readers.docx_reader import read_docx
    >>> doc = read_docx(open("report.docx", "rb").read(), "report.docx")   # doctest: +SKIP
    >>> doc.lines[40].tokens[1].location                                      # doctest: +SKIP
    'table 2, row 5, col 4'
"""

from __future__ import annotations

import io
import zipfile

from ..document import Document, Line, split_cells
from ..errors import ReportFormatError
from .grid import MAX_COLSPAN, MAX_GRID_CELLS, GridCell, table_lines

# Limits on what the archive may expand to (a real report is a few MB at most).
MAX_MEMBERS = 2000
MAX_PART_BYTES = 64 * 1024 * 1024  # one XML part, e.g. word/document.xml
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # everything, images included
MAX_RATIO = 200  # expansion of one member, beyond 1 MB

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_archive(data: bytes, source: str) -> None:
    """Refuse an archive that is not a Word document or would expand implausibly.

    Only the zip's directory is read; nothing is decompressed.

    Raises:
        ReportFormatError: Not a zip, not a .docx, or a zip bomb.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ReportFormatError(source, f"the Word file is damaged: it is not a readable zip archive ({exc})") from None
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise ReportFormatError(source, "the file is a zip archive but not a Word .docx document (no word/document.xml)")
    if len(infos) > MAX_MEMBERS:
        raise ReportFormatError(source, f"the Word file has {len(infos)} parts; refusing to open it (expected under {MAX_MEMBERS})")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise ReportFormatError(
            source, f"the Word file would expand to {total} bytes (a zip bomb?); refusing to open it "
            f"(expected under {MAX_TOTAL_BYTES})")
    for info in infos:
        big_part = info.filename.endswith((".xml", ".rels")) and info.file_size > MAX_PART_BYTES
        inflated = info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        if big_part or inflated:
            raise ReportFormatError(
                source, f"the Word file's part {info.filename} would expand from {info.compress_size} to "
                f"{info.file_size} bytes (a zip bomb?); refusing to open it")


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
    except Exception as exc:  # python-docx raises KeyError, PackageNotFoundError, lxml errors …
        raise ReportFormatError(source, f"the Word document cannot be opened ({type(exc).__name__}: {exc})") from None

    lines: list[Line] = []
    paragraphs = tables = 0
    stack = list(reversed(body))
    try:
        while stack:
            el = stack.pop()
            if el.tag == f"{_W}p":
                paragraphs += 1
                text = Paragraph(el, word).text.strip()
                if text:
                    location = f"paragraph {paragraphs}"
                    lines.append(Line(text, location, split_cells(text, location)))
            elif el.tag == f"{_W}tbl":
                tables += 1
                lines.extend(table_lines(_grid(el, Paragraph, source, tables), tables))
            elif el.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag"):
                stack.extend(reversed(el))  # content controls wrap paragraphs and tables
    except ReportFormatError:
        raise
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


def _grid(tbl, paragraph_cls, source: str, number: int) -> list[list[GridCell]]:
    """A Word table's printed cells at their grid positions; vertical merges resolved."""
    rows: list[list[GridCell]] = []
    budget = MAX_GRID_CELLS
    for r, tr in enumerate(tbl.iterchildren(f"{_W}tr")):
        col = _int(tr, f"{_W}trPr/{_W}gridBefore", 0)
        cells = []
        for tc in tr.iterchildren(f"{_W}tc"):
            span = min(max(_int(tc, f"{_W}tcPr/{_W}gridSpan", 1), 1), MAX_COLSPAN)
            budget -= span
            if budget < 0:
                raise ReportFormatError(source, f"a table is implausibly large (over {MAX_GRID_CELLS} cells)",
                                        f"table {number}")
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            continues = merge is not None and merge.get(f"{_W}val", "continue") != "restart"
            if not continues:  # the cell of a vertical merge is printed in its first row
                text = " ".join(paragraph_cls(p, None).text for p in tc.iter(f"{_W}p"))
                cells.append(GridCell(r, col, " ".join(text.split())))
            col += span
        rows.append(cells)
    return rows
