"""An Excel workbook for colleagues (openpyxl): tidy facts, printed tables, findings.

A first sheet ``目录 contents`` lists every sheet with what it holds (a report's sheet,
named by the report's id cut to Excel's 31 characters, with the full id, agency and
year). Every data sheet opens on two header rows — the columns' Chinese names
(``data/columns_zh.csv``, the indicators' and criteria's own names) above their keys
(the frames' column names, which the sheet ``字段 dictionary`` lists with both) — frozen,
with an autofilter on the keys' row; column widths fitted to Chinese text; number
formats by column (:func:`~shaoyang_report.publish.columns_zh.column_format`: years
plain ``0``, counts ``#,##0``, 万元 ``#,##0.00``, shares ``0.00"%"`` — the values are
percentages as printed, 62.14 —, a value column by its row's unit); text cells are defused against formula injection.
Reading the workbook back (``header=1``) gives the same numbers. The file is written
beside and renamed into place, so a crash while saving leaves the previous workbook, not
a broken zip.

A workbook never exceeds Excel's limits (:data:`MAX_ROWS` rows and :data:`MAX_COLUMNS`
columns per sheet, :data:`MAX_CELL_CHARS` characters per cell, 31-character sheet
names): a sheet holds what fits, its last row says what was left out and where the
whole data is (``facts_files``: the facts CSV/Parquet written beside the workbook), and a
sheet ``说明 notes`` after the contents lists every such cut.

The workbook is written in openpyxl's write-only mode: each sheet's rows go to a
temporary file as they are appended. The frame sheets (facts, findings, comparison,
sources) are turned into cells a block of rows at a time (a million rows in flat
memory); the small sheets (the notes, a report's printed tables) are built whole
first, as a sheet's column widths must be set before its first row.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shaoyang_report.atomic import replacing
from shaoyang_report.corpus.export import defuse
from shaoyang_report.publish.columns_zh import KIND_FORMATS, column_format, column_kind, column_zh

#: Excel's limits (https://support.microsoft.com/office/excel-specifications-and-limits).
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767
MAX_SHEET_NAME = 31

_COUNT_FORMAT = KIND_FORMATS["count"]
_DECIMAL_FORMAT = KIND_FORMATS["decimal"]
_FORMATS = {"万元": KIND_FORMATS["money"], "元": KIND_FORMATS["money"], "%": KIND_FORMATS["share"]}
#: Rows above a data sheet's first row of values: the Chinese names, then the keys.
HEADER_ROWS = 2
_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CUT_MARK = "…"
_BLOCK_ROWS = 20_000  # rows of a frame sheet turned into cells at a time


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
    text = _ILLEGAL_XML.sub("\ufffd", str(defuse(value)))
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


def _column_width(width: int) -> int:
    return min(max(width + 2, 6), 60)


def _number_format(value: float) -> str:
    return _COUNT_FORMAT if float(value).is_integer() else _DECIMAL_FORMAT


def _number(value: float) -> float | str:
    """A number as its cell is given it: itself, or the exact text Excel reads back.

    A whole float below 2**53 is given as an int (written without a decimal point).
    openpyxl writes numbers with 16 significant digits; a number that needs more
    (``0.1 + 0.2``, a whole float past 2**53, a long int) is given as its exact text,
    which the frame sheets still write as a number.

    Example:
        >>> _number(2.0), _number(0.5), _number(0.1 + 0.2), _number(2.0**53), _number(7)
        (2, 0.5, '0.30000000000000004', '9007199254740992.0', 7)
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    text = repr(value) if isinstance(value, float) else str(value)
    return value if f"{value:.16g}" == text else text  # openpyxl's text of a number


def _styled(cell, **style):
    for attr, value in style.items():
        setattr(cell, attr, value)
    return cell


def _as_text(text: str):
    """A text as a frame sheet's cell is given it: an empty text as rich text of one empty run.

    openpyxl writes a plain empty text as an empty cell, which reads back as no value.
    """
    from openpyxl.cell.rich_text import CellRichText

    return CellRichText("") if text == "" else text


def _text_cell(ws, text: str, **style):
    """A cell holding ``text`` as text (never read as an error code such as ``#N/A``), styled."""
    from openpyxl.cell import WriteOnlyCell

    cell = _styled(WriteOnlyCell(ws, value=_as_text(text)), **style)
    cell.data_type = "s"
    return cell


def _size(ws, rows: int, columns: int) -> None:
    """Give a write-only sheet its dimension (``A1:P1000``), which readers in read-only mode size it by.

    openpyxl writes one only for the sheets it holds in memory; it asks the sheet for it
    when the first row is appended.
    """
    from openpyxl.utils import get_column_letter

    ref = f"A1:{get_column_letter(max(1, columns))}{max(1, rows)}"
    ws.calculate_dimension = lambda: ref


def _append_all(ws, rows: list[list], *, freeze: str | None = None, widths: Mapping[int, int] | None = None) -> None:
    """Append the rows of a small sheet, after its column widths (fitted when not given) and frozen panes."""
    from openpyxl.cell import Cell
    from openpyxl.utils import get_column_letter

    if widths is None:
        fitted: dict[int, int] = {}
        for row in rows:
            for j, item in enumerate(row, start=1):
                value = item.value if isinstance(item, Cell) else item
                if value is not None:
                    fitted[j] = max(fitted.get(j, 0), _width(value))
        widths = {j: _column_width(width) for j, width in fitted.items()}
    for j, width in widths.items():
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = freeze
    _size(ws, len(rows), max((len(row) for row in rows), default=1))
    for row in rows:
        ws.append(row)


# ---------------------------------------------------------------------------- small sheets
def _notes_sheet(ws, lines: Sequence[str]) -> None:
    """The ``说明 notes`` sheet: what was cut, and the caller's notes."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    title = _styled(WriteOnlyCell(ws, value="说明 notes"), font=Font(bold=True, size=12))
    _append_all(ws, [[title]] + [[_cell(line)] for line in lines], widths={1: 120})


def _table_rows(ws, frame: pd.DataFrame, start_row: int) -> list[list]:
    """A printed table (its row labels first) as the rows of a sheet from ``start_row``: the header, then its rows."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    header = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDE5F0"),
              "alignment": Alignment(wrap_text=False)}
    data = frame.reset_index()
    data = data.iloc[: max(0, MAX_ROWS - start_row), :MAX_COLUMNS]
    rows = [[_styled(WriteOnlyCell(ws, value=_cell(str(c))), **header) for c in data.columns]]
    for values in data.itertuples(index=False):
        row = []
        for value in map(_cell, values):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = _styled(WriteOnlyCell(ws, value=value), number_format=_number_format(value))
            row.append(value)
        rows.append(row)
    return rows


def _tables_sheet(ws, by_section: Mapping[str, pd.DataFrame]) -> None:
    """A report's sheet: its printed tables one under the other, each under its title, a blank row between.

    The first table's title and header rows are frozen with its labels' column, and an
    autofilter covers the first table (a sheet holds one).
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows: list[list] = []
    first: tuple[int, int] | None = None  # the first table's last row and columns
    for frame in by_section.values():
        row = len(rows) + (2 if rows else 1)  # the title's row, after a blank one
        if frame.empty or row >= MAX_ROWS - 1:
            continue
        if rows:
            rows.append([])
        rows.append([_styled(WriteOnlyCell(ws, value=_cell(frame.index.name)), font=Font(bold=True, size=12))])
        rows += _table_rows(ws, frame.rename_axis("项目"), start_row=row + 1)
        if first is None:
            first = (len(rows), len(rows[1]))
    if first is not None:
        ws.auto_filter.ref = f"A2:{get_column_letter(max(1, first[1]))}{first[0]}"
    _append_all(ws, rows, freeze="B3" if first is not None else "B1")


# ---------------------------------------------------------------------------- frame sheets, by blocks of rows
@dataclass
class _FrameSheet:
    """A frame sheet to stream: the frame (cut to Excel's limits), and what was cut."""

    name: str
    frame: pd.DataFrame
    unit_column: str | None
    total_rows: int
    total_columns: int
    note: str = ""


class _Column:
    """One column of a frame sheet: its width, and its cells a block of rows at a time.

    A block is two lists, one item per row: the values (None for an empty cell), and
    the cells that carry a number format (or a type of our choosing), or None when the
    column has none. Such a cell is one per format and type, reused row after row: the
    sheet gives it each row's value and type just before appending the row, which
    openpyxl writes then (it may also write the row's next plain values through an
    unstyled cell it was handed, which is why the value is given every time).
    """

    width = 0

    def __init__(self, ws):
        self.ws = ws
        self.slots: dict[tuple[str | None, str], tuple] = {}

    def slot(self, number_format: str | None, data_type: str) -> tuple:
        """The reused cell of a number format (None: unstyled) and the type its values are written as."""
        from openpyxl.cell import WriteOnlyCell

        key = (number_format, data_type)
        if key not in self.slots:
            cell = WriteOnlyCell(self.ws)
            if number_format is not None:
                cell.number_format = number_format
            self.slots[key] = (cell, data_type)
        return self.slots[key]

    def block(self, start: int, stop: int, unit_formats: np.ndarray | None) -> tuple[list, list | None]:
        raise NotImplementedError


class _Booleans(_Column):
    def __init__(self, ws, series: pd.Series):
        super().__init__(ws)
        self.series = series
        self.width = 5 if series.notna().any() else 0

    def block(self, start, stop, unit_formats):
        values = self.series.iloc[start:stop].astype("boolean")
        return values.to_numpy(dtype=object, na_value=None).tolist(), None


class _Numbers(_Column):
    """A numeric column: one format (``fixed``), or by the row's unit (``unit_formats``, when ``by_unit``), else by wholeness."""

    def __init__(self, ws, series: pd.Series, fixed: str | None = None, by_unit: bool = False):
        super().__init__(ws)
        self.series = series
        self.fixed = fixed
        self.by_unit = by_unit
        for start in range(0, len(series), _BLOCK_ROWS):
            values = self._values(start, start + _BLOCK_ROWS)
            ok = np.isfinite(values)
            small = self._small(values, ok)
            if small.any():  # the longest int's digits: the smallest's or the largest's
                ints = values[small].astype(np.int64)
                self.width = max(self.width, len(str(ints.min())), len(str(ints.max())))
            self.width = max([self.width, *map(len, map(repr, values[ok & ~small].tolist()))])

    def _values(self, start: int, stop: int) -> np.ndarray:
        return self.series.iloc[start:stop].to_numpy(dtype="float64", na_value=np.nan)

    @staticmethod
    def _small(values: np.ndarray, ok: np.ndarray) -> np.ndarray:
        """Whole numbers written as ints (see :func:`_number`)."""
        with np.errstate(invalid="ignore"):
            return ok & (values == np.floor(values)) & (np.abs(values) < 2**53)

    def block(self, start, stop, unit_formats):
        values = self._values(start, stop)
        ok = np.isfinite(values)
        if not ok.any():
            return [None] * len(values), None
        small = self._small(values, ok)
        out = np.full(len(values), None, dtype=object)
        out[small] = values[small].astype(np.int64).tolist()
        rest = np.flatnonzero(ok & ~small)
        out[rest] = [_number(v) for v in values[rest].tolist()]
        with np.errstate(invalid="ignore"):
            formats = np.where(values == np.floor(values), _COUNT_FORMAT, _DECIMAL_FORMAT).astype(object)
        if self.fixed is not None:
            formats[:] = self.fixed
        elif self.by_unit and unit_formats is not None:
            has = pd.notna(unit_formats)
            formats[has] = unit_formats[has]
        slots = {f: self.slot(f, "n") for f in set(formats[ok].tolist())}
        return out.tolist(), [slots[f] if good else None for f, good in zip(formats.tolist(), ok.tolist())]


class _Values(_Column):
    """Texts (and anything else, written as text), or mixed values: converted once per distinct value."""

    def __init__(self, ws, series: pd.Series):
        from openpyxl.cell import WriteOnlyCell

        super().__init__(ws)
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        self.codes = codes.astype(np.min_scalar_type(-len(uniques) - 1))  # -1: missing
        probe = WriteOnlyCell(ws)
        values, slots = [], []
        for value in uniques:
            cell, slot = _cell(value), None
            if cell is None:
                pass
            elif isinstance(cell, bool):
                self.width = max(self.width, len(str(cell)))
            elif isinstance(cell, (int, float)):
                self.width = max(self.width, len(str(cell)))
                slot = self.slot(_number_format(cell), "n")
                cell = _number(cell)
            else:
                text = cell if isinstance(cell, str) else _text(str(cell))
                self.width = max(self.width, _width(text))
                cell = probe.value = _as_text(text)
                if probe.data_type != "s":  # a text openpyxl would write as an error code
                    slot = self.slot(None, "s")
            values.append(cell)
            slots.append(slot)
        values.append(None)  # code -1: a missing value
        slots.append(None)
        self.uniques = _objects(values)
        self.unique_slots = _objects(slots) if any(s is not None for s in slots) else None

    def block(self, start, stop, unit_formats):
        codes = self.codes[start:stop]
        slots = None if self.unique_slots is None else self.unique_slots[codes].tolist()
        return self.uniques[codes].tolist(), slots


def _objects(items: list) -> np.ndarray:
    """A 1-d object array of ``items`` (tuples stay items, not rows)."""
    return np.fromiter(items, dtype=object, count=len(items))


def _column(ws, series: pd.Series, name: str = "") -> _Column:
    if pd.api.types.is_bool_dtype(series.dtype):
        return _Booleans(ws, series)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return _Numbers(ws, series, column_format(name), column_kind(name) == "by_unit")
    return _Values(ws, series)


def _unit_formats(units: pd.Series) -> np.ndarray:
    """Per row, the number format of its unit (NaN for a unit without one)."""
    return pd.Series(units.to_numpy(dtype=object)).map(_FORMATS).to_numpy(dtype=object)


def _frame_sheet(ws, sheet: _FrameSheet) -> None:
    """Stream a frame sheet: header, rows a block at a time, and the note of what was cut."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    frame = sheet.frame
    names = [str(c) for c in frame.columns]
    columns = [_column(ws, frame[name], name) for name in names]
    for j, (name, column) in enumerate(zip(names, columns), start=1):
        ws.column_dimensions[get_column_letter(j)].width = _column_width(
            max(column.width, _width(_cell(name)), _width(column_zh(name))))
    units = frame[sheet.unit_column] if sheet.unit_column in frame.columns else None
    n = len(frame)
    _size(ws, n + HEADER_ROWS + (1 if sheet.note else 0), len(names))
    ws.freeze_panes = f"A{HEADER_ROWS + 1}"
    if names:
        ws.auto_filter.ref = f"A{HEADER_ROWS}:{get_column_letter(len(names))}{HEADER_ROWS + max(n, 1)}"
    header = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDE5F0")}
    keys = {"font": Font(italic=True, color="666666", size=9), "fill": PatternFill("solid", fgColor="EEF2F7")}
    ws.append([_text_cell(ws, _text(column_zh(name)), **header) for name in names])
    ws.append([_text_cell(ws, _text(name), **keys) for name in names])
    for start in range(0, n, _BLOCK_ROWS):
        stop = min(n, start + _BLOCK_ROWS)
        unit_formats = None if units is None else _unit_formats(units.iloc[start:stop])
        blocks = [column.block(start, stop, unit_formats) for column in columns]
        styled = [(j, slots) for j, (_, slots) in enumerate(blocks) if slots is not None]
        rows = zip(*(values for values, _ in blocks)) if blocks else [()] * (stop - start)
        for i, values in enumerate(rows):
            row = list(values)
            for j, slots in styled:
                if slots[i] is not None:
                    cell, data_type = slots[i]
                    cell.value = row[j]
                    cell.data_type = data_type
                    row[j] = cell
            ws.append(row)
    if sheet.note:
        ws.append([_text_cell(ws, sheet.note, font=Font(italic=True, color="B03A2E"))])


def _cut(name: str, frame: pd.DataFrame, unit_column: str | None, facts_files: Sequence[str],
         max_rows: int = MAX_ROWS) -> _FrameSheet:
    """The part of a frame that fits a sheet of ``max_rows`` rows, and the note saying what does not."""
    rows, columns = frame.shape
    max_rows = min(max_rows, MAX_ROWS)
    fits_rows = max_rows - HEADER_ROWS
    fits_columns = MAX_COLUMNS
    note = ""
    kept = frame
    if columns > fits_columns:
        kept = kept.iloc[:, :fits_columns]
    if rows > fits_rows:
        kept = kept.iloc[: fits_rows - 1]  # and a row for the note
    if len(kept) < rows or kept.shape[1] < columns:
        where = ("完整数据见同一文件夹中的 " + "、".join(facts_files) if facts_files else "完整数据未写入本工作簿")
        limit = f"Excel 每表 {MAX_ROWS:,} 行、{MAX_COLUMNS:,} 列的上限" if max_rows == MAX_ROWS \
            else f"本工作簿每表 {max_rows:,} 行的上限"
        note = (f"本表只列出前 {len(kept):,} 行、{kept.shape[1]:,} 列（共 {rows:,} 行、{columns:,} 列，"
                f"超出{limit}）；{where}。")
    return _FrameSheet(name, kept, unit_column, rows, columns, note)



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
    max_rows: int = MAX_ROWS,
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
        max_rows: The most rows a sheet holds (at most Excel's :data:`MAX_ROWS`): a longer
            frame is cut, with the note saying so (a briefing of a large corpus keeps its
            workbook one a spreadsheet opens quickly; the whole data is in ``facts_files``).

    Returns:
        The path written (whole: written beside and renamed into place).
    """
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    frames: list[tuple[str, pd.DataFrame, str | None]] = [("事实 facts", facts, "unit")]
    if findings is not None:
        frames.append(("勾稽问题 findings", findings, None))
    if comparison is not None:
        frames.append(("年度比较 comparison", comparison, "unit"))
    if sources is not None:
        frames.append(("来源 sources", sources, None))
    frames += [(name, frame, "unit" if "unit" in frame.columns else None) for name, frame in (sheets or {}).items()]
    cut = [_cut(name, frame, unit, facts_files, max_rows) for name, frame, unit in frames]
    lines = [f"{s.name}：{s.note}" for s in cut if s.note] + list(notes)
    # every sheet's name is chosen first: the contents sheet, written first, lists them
    names = [_sheet_name(n, taken) for n in ("目录 contents", *(["说明 notes"] if lines else []))]
    frame_names = [_sheet_name(s.name, taken) for s in cut]
    dictionary_name = _sheet_name("字段 dictionary", taken)
    report_names = {rid: _sheet_name(rid, taken) for rid in (tables or {})}
    who = _who(sources)
    contents: list[list[object]] = [[n, CONTENTS_ZH.get(n.split(" ")[0], n), None, None, None] for n in names[1:]]
    contents += [[n, CONTENTS_ZH.get(n.split(" ")[0], "数据表"), None, None, None] for n in frame_names]
    contents.append([dictionary_name, CONTENTS_ZH["字段"], None, None, None])
    contents += [[n, "该报告所印表格（表二、表三、表四，按原样）", rid, *who.get(rid, (None, None))]
                 for rid, n in report_names.items()]
    _contents_sheet(wb.create_sheet(names[0]), contents)
    if lines:
        _notes_sheet(wb.create_sheet(names[1]), lines)
    for name, sheet in zip(frame_names, cut):
        _frame_sheet(wb.create_sheet(name), sheet)
    _dictionary_sheet(wb.create_sheet(dictionary_name), [(n, s.frame) for n, s in zip(frame_names, cut)])
    for report_id, by_section in (tables or {}).items():
        _tables_sheet(wb.create_sheet(report_names[report_id]), by_section)
    with replacing(path) as tmp:
        wb.save(tmp)
    return path


#: What each sheet holds, by the first word of its name (a report's sheet: its printed tables).
CONTENTS_ZH = {
    "说明": "本工作簿的说明：超出 Excel 上限而截断的表，及其他说明",
    "事实": "全部数值，每行一个（报告、表、项目、指标、申请人类别、数值、单位、原文及位置）",
    "勾稽问题": "报告自身算不平之处：各项之和与印出的总数不符，以及跨年结转不符",
    "年度比较": "所选机构各年的指标，逐年对照，缺失的注明原因",
    "来源": "各报告的机构、年份、格式、完整程度、网址与文件",
    "机构评分": "各机构各年的透明度评分：各项结果、依据与总分",
    "评分依据": "评分项、权重、法规或格式依据，何时无从判断",
    "机构比较": "各机构各年的主要指标并列",
    "字段": "各数据表的列：中文名与字段名（第1行为中文名，第2行为字段名）",
}


def _who(sources: pd.DataFrame | None) -> dict[str, tuple[object, object]]:
    """Report id → (agency, year), from the sources frame."""
    if sources is None or not {"report_id", "agency", "year"} <= set(sources.columns):
        return {}
    return {rid: (_cell(agency), _cell(year)) for rid, agency, year in
            zip(sources.report_id, sources.agency, sources.year)}


def _contents_sheet(ws, rows: list[list]) -> None:
    """The ``目录 contents`` sheet: every sheet, what it holds; a report's sheet with the full id, agency and year."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    header = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDE5F0")}
    head = [_styled(WriteOnlyCell(ws, value=v), **header) for v in ("工作表", "内容", "报告编号", "机构", "年份")]
    body = []
    for row in rows:
        cells = [_cell(v) for v in row]
        if isinstance(cells[4], int):
            cells[4] = _styled(WriteOnlyCell(ws, value=cells[4]), number_format=KIND_FORMATS["year"])
        body.append(cells)
    ws.auto_filter.ref = f"A1:E{max(2, len(body) + 1)}"
    _append_all(ws, [head, *body], freeze="A2")


def _dictionary_sheet(ws, sheets: Sequence[tuple[str, pd.DataFrame]]) -> None:
    """The ``字段 dictionary`` sheet: each data sheet's columns, their Chinese names and keys."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    header = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDE5F0")}
    head = [_styled(WriteOnlyCell(ws, value=v), **header) for v in ("工作表", "中文名", "字段")]
    body = [[name, column_zh(str(c)), _cell(str(c))] for name, frame in sheets for c in frame.columns]
    ws.auto_filter.ref = f"A1:C{max(2, len(body) + 1)}"
    _append_all(ws, [head, *body], freeze="A2")
