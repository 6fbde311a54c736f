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

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_DOCX_PARAGRAPHS, Budget, refuse
from shaoyang_report.read.cells import split_cells
from shaoyang_report.read.document import Document, Line
from shaoyang_report.read.readers.grid import (
    MAX_COLSPAN,
    MAX_GRID_CELLS,
    GridCell,
    table_lines,
)
from shaoyang_report.read.readers.zips import check_archive

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


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
    check_archive(data, source, "word/document.xml", "Word file")
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
