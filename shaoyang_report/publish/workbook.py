"""An Excel workbook for colleagues (openpyxl): tidy facts, printed tables, findings.

Every sheet has a frozen header row, column widths fitted to Chinese text, and number
formats by unit; text cells are defused against formula injection. Reading the workbook
back gives the same numbers. The file is written beside and renamed into place, so a
crash while saving leaves the previous workbook, not a broken zip.

A workbook never exceeds Excel's limits (:data:`MAX_ROWS` rows and :data:`MAX_COLUMNS`
columns per sheet, :data:`MAX_CELL_CHARS` characters per cell, 31-character sheet
names): a sheet holds what fits, its last row says what was left out and where the
whole data is (``facts_files``: the facts CSV/Parquet written beside the workbook), and a
first sheet ``说明 notes`` lists every such cut.

The frame sheets (facts, findings, comparison, sources) are written as sheet XML
streamed straight into the file, a column at a time (a million rows in well under a
minute, in flat memory); openpyxl writes the rest of the workbook around them.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from shaoyang_report.atomic import replacing
from shaoyang_report.corpus.export import defuse

#: Excel's limits (https://support.microsoft.com/office/excel-specifications-and-limits).
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767
MAX_SHEET_NAME = 31

_FORMATS = {"万元": "#,##0.00##", "%": "0.00", "元": "#,##0.00"}
_COUNT_FORMAT = "#,##0"
_DECIMAL_FORMAT = "0.00##"
_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CUT_MARK = "…"


def _width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_name(name: str, taken: set[str]) -> str:
    base = name.translate(_SHEET_CHARS).strip("'")[:MAX_SHEET_NAME] or "sheet"
    if base.lower() == "history":  # reserved by Excel
        base = "history_"
    candidate, k = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f"~{k}"
        candidate, k = base[: MAX_SHEET_NAME - len(suffix)] + suffix, k + 1
    taken.add(candidate)
    return candidate


def _text(value: str) -> str:
    """A text as a cell can hold it: defused, within the cell limit, no characters XML cannot carry."""
    text = defuse(value)
    text = _ILLEGAL_XML.sub("\ufffd", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(_CUT_MARK)] + _CUT_MARK
    return text


def _cell(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isinf(value):
        return None
    return _text(value) if isinstance(value, str) else value


def _write_frame(ws, frame: pd.DataFrame, *, index: bool = False, start_row: int = 1, unit_column: str | None = None):
    """A small frame written cell by cell with openpyxl (the printed tables of a report)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDE5F0")
    data = frame.reset_index() if index else frame
    data = data.iloc[: max(0, MAX_ROWS - start_row), :MAX_COLUMNS]
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
                cell.number_format = _FORMATS.get(unit, _COUNT_FORMAT if float(cell.value).is_integer() else _DECIMAL_FORMAT)
    return start_row + len(data) + 1


def _fit(ws) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), _width(cell.value))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = _column_width(width)


def _column_width(width: int) -> int:
    return min(max(width + 2, 6), 60)


# ---------------------------------------------------------------------------- streamed frame sheets
@dataclass
class _FrameSheet:
    """A frame sheet to stream: the frame (cut to Excel's limits), its styles, and what was cut."""

    name: str
    frame: pd.DataFrame
    unit_column: str | None
    total_rows: int
    total_columns: int
    note: str = ""
    styles: dict[str, int] = field(default_factory=dict)
    ws: object = None
    path: str = ""


def _letters(n: int) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(j) for j in range(1, n + 1)]


def _number_text(values: np.ndarray) -> list[str]:
    """Numbers as the XML text Excel reads back exactly (integers without a decimal point)."""
    out = []
    for v in values.tolist():
        if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
            out.append(str(int(v)))
        else:
            out.append(repr(v) if isinstance(v, float) else str(v))
    return out


def _column_cells(series: pd.Series, styles: dict[str, int], units: np.ndarray | None) -> tuple[np.ndarray, int]:
    """Per row, the tail of the cell's XML after ``<c r="A1`` (None for an empty cell), and the column's width."""
    n = len(series)
    out = np.full(n, None, dtype=object)
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        values = series.astype("boolean")
        mask = values.notna().to_numpy()
        truth = values.fillna(False).to_numpy(dtype=bool)
        out[mask & truth] = '" t="b"><v>1</v></c>'
        out[mask & ~truth] = '" t="b"><v>0</v></c>'
        return out, 5 if mask.any() else 0
    if pd.api.types.is_numeric_dtype(dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        ok = np.isfinite(values)
        if not ok.any():
            return out, 0
        numbers = values[ok]
        whole = numbers == np.floor(numbers)
        formats = np.where(whole, _COUNT_FORMAT, _DECIMAL_FORMAT).astype(object)
        if units is not None:
            unit_format = pd.Series(units[ok]).map(_FORMATS).to_numpy(dtype=object)
            has = pd.notna(unit_format)
            formats[has] = unit_format[has]
        texts = _number_text(numbers)
        style_of = {f: styles[f] for f in set(formats.tolist())}
        out[ok] = [f'" s="{style_of[f]}"><v>{t}</v></c>' for f, t in zip(formats.tolist(), texts)]
        return out, max(len(t) for t in texts)
    # texts (and anything else, written as text): one XML tail per distinct value
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    tails, width = [], 0
    for value in uniques:
        cell = _cell(value)
        if cell is None:
            tails.append(None)
        elif isinstance(cell, bool):
            tails.append(f'" t="b"><v>{int(cell)}</v></c>')
        elif isinstance(cell, (int, float)):
            fmt = _COUNT_FORMAT if float(cell).is_integer() else _DECIMAL_FORMAT
            tails.append(f'" s="{styles[fmt]}"><v>{_number_text(np.array([cell]))[0]}</v></c>')
        else:
            text = cell if isinstance(cell, str) else _text(str(cell))
            space = ' xml:space="preserve"' if text != text.strip() else ""
            tails.append(f'" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>')
            width = max(width, _width(text))
            continue
        width = max(width, len(str(cell)))
    tails.append(None)  # code -1: a missing value
    out[:] = np.asarray(tails, dtype=object)[codes]
    return out, width


def _sheet_xml(sheet: _FrameSheet, chunk: int = 20_000) -> Iterator[str]:
    """The worksheet XML of a frame sheet: header, rows, and the note of what was cut."""
    frame = sheet.frame
    columns = [str(c) for c in frame.columns]
    letters = _letters(max(1, len(columns)))
    header_style = sheet.styles["header"]
    units = frame[sheet.unit_column].to_numpy(dtype=object) if sheet.unit_column in frame.columns else None
    n = len(frame)
    cells, widths = [], []
    for name in columns:
        tails, width = _column_cells(frame[name], sheet.styles, units)
        cells.append(tails)
        widths.append(max(width, _width(_cell(name))))
    last_row = n + 1 + (1 if sheet.note else 0)
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
           f'<dimension ref="A1:{letters[-1]}{last_row}"/>'
           '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
           'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
           '<sheetFormatPr defaultRowHeight="15"/>')
    if columns:
        yield "<cols>" + "".join(f'<col min="{j}" max="{j}" width="{_column_width(w)}" customWidth="1"/>'
                                 for j, w in enumerate(widths, start=1)) + "</cols>"
    yield "<sheetData>"
    yield ('<row r="1">' + "".join(
        f'<c r="{L}1" s="{header_style}" t="inlineStr"><is><t>{escape(_cell(name) or "")}</t></is></c>'
        for L, name in zip(letters, columns)) + "</row>")
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        parts = []
        for k, row in enumerate(zip(*(c[start:stop] for c in cells)), start=start + 2):
            r = str(k)
            parts.append(f'<row r="{r}">' + "".join(f'<c r="{L}{r}{tail}' for L, tail in zip(letters, row)
                                                    if tail is not None) + "</row>")
        yield "".join(parts)
    if sheet.note:
        yield (f'<row r="{last_row}"><c r="A{last_row}" s="{sheet.styles["note"]}" t="inlineStr"><is><t>'
               f"{escape(sheet.note)}</t></is></c></row>")
    yield "</sheetData></worksheet>"


def _cut(name: str, frame: pd.DataFrame, unit_column: str | None, facts_files: Sequence[str]) -> _FrameSheet:
    """The part of a frame that fits a sheet, and the note saying what does not."""
    rows, columns = frame.shape
    fits_rows = MAX_ROWS - 1  # the header
    fits_columns = MAX_COLUMNS
    note = ""
    kept = frame
    if columns > fits_columns:
        kept = kept.iloc[:, :fits_columns]
    if rows > fits_rows:
        kept = kept.iloc[: fits_rows - 1]  # and a row for the note
    if len(kept) < rows or kept.shape[1] < columns:
        where = ("完整数据见同一文件夹中的 " + "、".join(facts_files) + f" (the whole data: {', '.join(facts_files)})"
                 if facts_files else "完整数据未写入本工作簿 (the whole data is not in this workbook)")
        note = (f"本表只列出前 {len(kept):,} 行、{kept.shape[1]:,} 列（共 {rows:,} 行、{columns:,} 列，"
                f"超出 Excel 每表 {MAX_ROWS:,} 行、{MAX_COLUMNS:,} 列的上限）；{where}。")
    return _FrameSheet(name, kept, unit_column, rows, columns, note)


def _register_styles(ws) -> dict[str, int]:
    """Make openpyxl put the styles the streamed sheet uses into the workbook; their indices."""
    from openpyxl.styles import Font, PatternFill

    styles = {}
    probes = {"header": {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDE5F0")},
              "note": {"font": Font(italic=True, color="B03A2E")},
              **{f: {"number_format": f} for f in {*_FORMATS.values(), _COUNT_FORMAT, _DECIMAL_FORMAT}}}
    for j, (key, attrs) in enumerate(probes.items(), start=1):
        cell = ws.cell(row=1, column=j)
        for attr, value in attrs.items():
            setattr(cell, attr, value)
        styles[key] = cell.style_id
    for j in range(1, len(probes) + 1):
        del ws._cells[(1, j)]
    return styles


def _fill_sheets(path: Path, sheets: list[_FrameSheet]) -> None:
    """Put the streamed sheets' XML into the workbook openpyxl saved at ``path`` (in their placeholders)."""
    skeleton = path.read_bytes()
    targets = {s.path: s for s in sheets}
    with zipfile.ZipFile(io.BytesIO(skeleton)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            sheet = targets.get(info.filename)
            if sheet is None:
                out.writestr(info, src.read(info.filename))
                continue
            with tempfile.TemporaryFile(dir=path.parent) as xml:
                for part in _sheet_xml(sheet):
                    xml.write(part.encode("utf-8"))
                size = xml.tell()
                xml.seek(0)
                member = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                member.compress_type = zipfile.ZIP_DEFLATED
                for attr in ("compress_level", "_compresslevel"):  # a large sheet: fast compression
                    try:
                        setattr(member, attr, 1)
                        break
                    except AttributeError:
                        continue
                with out.open(member, "w", force_zip64=size > 2**31 - 2**24) as dst:
                    shutil.copyfileobj(xml, dst, 1 << 20)


# ---------------------------------------------------------------------------- the workbook
def write_workbook(
    path: str | Path,
    *,
    facts: pd.DataFrame,
    findings: pd.DataFrame | None = None,
    comparison: pd.DataFrame | None = None,
    tables: Mapping[str, Mapping[str, pd.DataFrame]] | None = None,
    sources: pd.DataFrame | None = None,
    facts_files: Sequence[str] = (),
    notes: Sequence[str] = (),
    sheets: Mapping[str, pd.DataFrame] | None = None,
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
        facts_files: Names of the files beside the workbook that hold all the facts
            (``facts.parquet``, ``facts.csv``): a sheet cut at Excel's row limit says so.
        notes: More lines for the ``说明 notes`` sheet (which is written when anything
            was cut or a note is given).
        sheets: More frames, one sheet each (name → frame), after the sources: e.g. the
            agency scorecard and panel (:func:`shaoyang_report.publish.agencies.scorecard_frames`).

    Returns:
        The path written (whole: written beside and renamed into place).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    frames: list[tuple[str, pd.DataFrame, str | None]] = [("事实 facts", facts, "unit")]
    if findings is not None:
        frames.append(("勾稽问题 findings", findings, None))
    if comparison is not None:
        frames.append(("年度比较 comparison", comparison, "unit"))
    if sources is not None:
        frames.append(("来源 sources", sources, None))
    frames += [(name, frame, "unit" if "unit" in frame.columns else None) for name, frame in (sheets or {}).items()]
    sheets = [_cut(name, frame, unit, facts_files) for name, frame, unit in frames]
    lines = [f"{s.name}：{s.note}" for s in sheets if s.note] + list(notes)
    if lines:
        ws = wb.create_sheet(_sheet_name("说明 notes", taken))
        ws.cell(row=1, column=1, value="说明 notes").font = Font(bold=True, size=12)
        for i, line in enumerate(lines, start=2):
            ws.cell(row=i, column=1, value=_cell(line))
        ws.column_dimensions["A"].width = 120
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_name(sheet.name, taken))
        sheet.styles = _register_styles(ws)
        sheet.ws = ws
    for report_id, by_section in (tables or {}).items():
        ws = wb.create_sheet(_sheet_name(report_id, taken))
        row = 1
        for frame in by_section.values():
            if frame.empty or row >= MAX_ROWS - 1:
                continue
            ws.cell(row=row, column=1, value=_cell(frame.index.name)).font = Font(bold=True, size=12)
            row = _write_frame(ws, frame.rename_axis("项目"), index=True, start_row=row + 1) + 1
        ws.freeze_panes = "B1"
        _fit(ws)
    with replacing(path) as tmp:
        wb.save(tmp)
        for sheet in sheets:
            sheet.path = sheet.ws.path.lstrip("/")  # known once openpyxl has numbered the sheets
        _fill_sheets(tmp, sheets)
    return path
