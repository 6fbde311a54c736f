"""An Excel workbook for colleagues (openpyxl): tidy facts, printed tables, findings.

Every sheet has a frozen header row, column widths fitted to Chinese text, and number
formats by unit; text cells are defused against formula injection. Reading the workbook
back gives the same numbers. The file is written beside and renamed into place, so a
crash while saving leaves the previous workbook, not a broken zip.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .atomic import replacing
from .export import defuse

_FORMATS = {"万元": "#,##0.00##", "%": "0.00", "元": "#,##0.00"}
_COUNT_FORMAT = "#,##0"
_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_name(name: str, taken: set[str]) -> str:
    base = name.translate(_SHEET_CHARS)[:31] or "sheet"
    candidate, k = base, 2
    while candidate in taken:
        suffix = f"~{k}"
        candidate, k = base[: 31 - len(suffix)] + suffix, k + 1
    taken.add(candidate)
    return candidate


def _cell(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return defuse(value)


def _write_frame(ws, frame: pd.DataFrame, *, index: bool = False, start_row: int = 1, unit_column: str | None = None):
    from openpyxl.styles import Alignment, Font, PatternFill

    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDE5F0")
    data = frame.reset_index() if index else frame
    columns = [str(c) for c in data.columns]
    for j, name in enumerate(columns, start=1):
        cell = ws.cell(row=start_row, column=j, value=_cell(name))
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(wrap_text=False)
    units = data[unit_column].tolist() if unit_column and unit_column in data.columns else None
    for i, row in enumerate(data.itertuples(index=False), start=start_row + 1):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j, value=_cell(value))
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                unit = units[i - start_row - 1] if units else None
                cell.number_format = _FORMATS.get(unit, _COUNT_FORMAT if float(cell.value).is_integer() else "0.00##")
    return start_row + len(data) + 1


def _fit(ws) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), _width(cell.value))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 6), 60)


def write_workbook(
    path: str | Path,
    *,
    facts: pd.DataFrame,
    findings: pd.DataFrame | None = None,
    comparison: pd.DataFrame | None = None,
    tables: Mapping[str, Mapping[str, pd.DataFrame]] | None = None,
    sources: pd.DataFrame | None = None,
) -> Path:
    """Write the analyst's workbook.

    Args:
        path: The .xlsx file to write.
        facts: Tidy facts (one sheet, 事实).
        findings: Arithmetic findings (sheet 勾稽问题).
        comparison: A year comparison (sheet 年度比较).
        tables: ``{report_id: {section: printed table}}``: one sheet per report with its
            printed tables one under the other.
        sources: Reports and their URLs (sheet 来源).

    Returns:
        The path written (whole: written beside and renamed into place).
    """
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    sheets: list[tuple[str, pd.DataFrame, str | None]] = [("事实 facts", facts, "unit")]
    if findings is not None:
        sheets.append(("勾稽问题 findings", findings, None))
    if comparison is not None:
        sheets.append(("年度比较 comparison", comparison, "unit"))
    if sources is not None:
        sheets.append(("来源 sources", sources, None))
    for name, frame, unit_column in sheets:
        ws = wb.create_sheet(_sheet_name(name, taken))
        _write_frame(ws, frame, unit_column=unit_column)
        ws.freeze_panes = "A2"
        _fit(ws)
    for report_id, by_section in (tables or {}).items():
        ws = wb.create_sheet(_sheet_name(report_id, taken))
        row = 1
        from openpyxl.styles import Font

        for frame in by_section.values():
            if frame.empty:
                continue
            ws.cell(row=row, column=1, value=_cell(frame.index.name)).font = Font(bold=True, size=12)
            row = _write_frame(ws, frame.rename_axis("项目"), index=True, start_row=row + 1) + 1
        ws.freeze_panes = "B1"
        _fit(ws)
    with replacing(path) as tmp:
        wb.save(tmp)
    return path
