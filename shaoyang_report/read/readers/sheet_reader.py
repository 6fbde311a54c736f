"""Spreadsheets (.xlsx via openpyxl, .xls via xlrd) → :class:`~shaoyang_report.read.document.Document`.

Some agencies publish the report's tables as a workbook. Each sheet is read in order,
row by row. Rows are grouped into blocks separated by empty rows; at the start of a
block, rows holding one cell (a title, a heading such as ``二、主动公开政府信息情况``, a
sentence) are plain lines, located ``sheet 1, row 3``; the rest of the block is a table
read as Word and HTML tables are (:func:`~.grid.table_lines`: merged cells once, at
their top-left cell; empty value cells kept as blanks), located ``sheet 1 table 2, row
5, col 3``. Numbers stored as numbers are printed as the sheet shows them (``4089``,
not ``4089.0``).

A .xlsx is a zip: it is checked with the byte budget of every zip
(:func:`~.zips.check_archive`) before openpyxl opens it. Cells are counted against
:data:`~shaoyang_report.limits.MAX_CELLS` as they are read, from the sheet's stated
size before any row is read; a .xlsx's cells are counted while they stream, before the
workbook is built.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_CELLS, Budget, refuse
from shaoyang_report.read.cells import split_cells
from shaoyang_report.read.document import Document, Line
from shaoyang_report.read.readers.grid import GridCell, table_lines

Sheet = tuple[str, list[list[str]], set[tuple[int, int]]]  # name, rows of cell texts, cells merged away


def cell_text(value: object) -> str:
    """A cell's value as the sheet prints it: whole numbers without ``.0``, text trimmed.

    Example:
        >>> cell_text(4089.0), cell_text(-56), cell_text(0.5), cell_text(None), cell_text(" 行政许可 ")
        ('4089', '-56', '0.5', '', '行政许可')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return " ".join(str(value).split())


def _xlsx_sheets(data: bytes, source: str, budget: Budget) -> Iterator[Sheet]:
    from shaoyang_report.read.readers.zips import check_archive

    check_archive(data, source, "xl/workbook.xml", "Excel workbook")
    import openpyxl

    # Cells counted first as they stream (read-only), before the whole workbook is built with its merges.
    streamed = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        count = Budget(source)
        for sheet in streamed.worksheets:
            for row in sheet.iter_rows(values_only=True):
                count.cells(len(row), sheet.title)
    finally:
        streamed.close()
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    for sheet in book.worksheets:
        _stated(sheet.max_row * sheet.max_column, source, sheet.title)
        away = {(r - 1, c - 1) for merged in sheet.merged_cells.ranges
                for r in range(merged.min_row, merged.max_row + 1)
                for c in range(merged.min_col, merged.max_col + 1)
                if (r, c) != (merged.min_row, merged.min_col)}
        rows = []
        for row in sheet.iter_rows(values_only=True):
            budget.cells(len(row), sheet.title)
            rows.append([cell_text(v) for v in row])
        yield sheet.title, rows, away


def _xls_sheets(data: bytes, source: str, budget: Budget) -> Iterator[Sheet]:
    try:
        import xlrd
    except ImportError:
        raise ReportFormatError(source, "reading an Excel 97-2003 workbook (.xls) needs the xlrd package "
                                "(pip install xlrd); or save it as .xlsx") from None
    book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            _stated(sheet.nrows * sheet.ncols, source, sheet.name)
            away = {(r, c) for r0, r1, c0, c1 in sheet.merged_cells
                    for r in range(r0, r1) for c in range(c0, c1) if (r, c) != (r0, c0)}
            rows = []
            for r in range(sheet.nrows):
                values = sheet.row_values(r)
                budget.cells(len(values), sheet.name)
                kinds = sheet.row_types(r)
                rows.append([cell_text(v) if k != xlrd.XL_CELL_ERROR else "" for v, k in zip(values, kinds)])
            yield sheet.name, rows, away
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _stated(cells: int, source: str, sheet: str) -> None:
    if cells > 10 * MAX_CELLS:
        raise refuse(source, f"the sheet {sheet} spans {cells:,} cells; a report's tables hold far fewer",
                     "MAX_CELLS", sheet)


def read_sheets(data: bytes, source: str, kind: str) -> Document:
    """Read a workbook's sheets into a Document.

    Args:
        data: The file's bytes.
        source: The file name, for messages and locations.
        kind: ``xlsx`` or ``xls``.

    Raises:
        ReportFormatError: The workbook is damaged, larger than a report's tables, or
            holds no text.
    """
    budget = Budget(source)
    sheets = _xlsx_sheets(data, source, budget) if kind == "xlsx" else _xls_sheets(data, source, budget)
    lines: list[Line] = []
    for number, (_name, rows, away) in enumerate(sheets, start=1):
        lines.extend(_sheet_lines(number, rows, away, budget))
    if not lines:
        raise ReportFormatError(source, "the workbook holds no text; expected the tables of a 政府信息公开工作年度报告")
    return Document(source=source, lines=lines, reader=kind, grid=True)


def _sheet_lines(number: int, rows: list[list[str]], away: set[tuple[int, int]], budget: Budget) -> list[Line]:
    """One sheet's lines: plain lines for one-cell rows opening a block, tables for the rest."""
    lines: list[Line] = []
    tables = 0
    table: list[list[GridCell]] = []

    def flush() -> None:
        nonlocal tables, table
        if table:
            tables += 1
            width = max(c.col for row in table for c in row if c.text) + 1  # the block's printed width
            for line in table_lines([[c for c in row if c.col < width] for row in table], tables,
                                    f"sheet {number} table"):
                budget.line(line.text, line.location)
                budget.tokens(len(line.tokens), line.location)
                lines.append(line)
        table = []

    for r, row in enumerate(rows):
        cells = [GridCell(r, c, text) for c, text in enumerate(row) if (r, c) not in away]
        printed = [cell for cell in cells if cell.text]
        if not printed:
            flush()
            continue
        if len(printed) == 1 and not table:
            location = f"sheet {number}, row {r + 1}"
            text = printed[0].text
            budget.line(text, location)
            tokens = split_cells(text, location)
            budget.tokens(len(tokens), location)
            lines.append(Line(text, location, tokens))
            continue
        table.append(cells)
    flush()
    return lines
