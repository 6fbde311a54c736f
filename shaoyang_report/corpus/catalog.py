"""The report catalog (``data/raw/catalog.csv``): which file is which report.

Each row becomes a :class:`~shaoyang_report.read.entry.CatalogEntry`.

One row per published report: ``report_id, agency, year, url, local_file,
completeness, note``. The catalog's ``agency`` is the name used to compare years (an
agency prints its name differently across years: 邵阳市, 邵阳市人民政府); the printed
name is kept beside it in the facts (``agency_printed``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.read.entry import CatalogEntry

COLUMNS = ["report_id", "agency", "year", "url", "local_file", "completeness", "note"]
COMPLETE, OPENING_ONLY = "complete", "opening only"
#: Optional columns: ``level`` (the agency's level: city, county, department or township;
#: empty: inferred from the name, see :mod:`shaoyang_report.compare.agencies`) and
#: ``listing_page`` (the listing page ``discover`` found the report on).
LEVEL, LISTING_PAGE = "level", "listing_page"
LEVELS = ("city", "county", "department", "township")


def read_catalog(path: str | Path) -> pd.DataFrame:
    """Read a catalog CSV, checking its columns and that each row has as many cells as the header.

    Records end only at ``\\n``, ``\\r\\n`` or ``\\r`` (a quoted cell may span lines);
    characters other tools take for line ends (U+2028, NEL U+0085, ``\\x1e`` …) are
    text of the cell they are in.

    Raises:
        ReportFormatError: The file cannot be read, is not UTF-8 or not CSV, lacks a
            required column, has a row with more or fewer cells than the header (a row
            split across lines, or run into the next: the message names its line), or
            repeats a report_id.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReportFormatError(path, f"cannot read the catalog ({exc})") from None
    try:
        records = _records(raw, strict=True)[1]
    except CatalogLineError as exc:
        raise ReportFormatError(path, f"cannot read the catalog: {exc}", f"line {exc.line}") from None
    rows = [(line, fields) for line, _, fields in records if fields]  # blank lines are no rows
    header = rows[0][1] if rows else []
    lacking = [c for c in ("report_id", "agency", "year") if c not in header]
    if lacking:
        raise ReportFormatError(path, f"the catalog lacks column(s) {', '.join(lacking)}; expected {', '.join(COLUMNS)}")
    if len(set(header)) < len(header):
        raise ReportFormatError(path, f"a column is named twice in the header ({', '.join(header)})", "line 1")
    for line, fields in rows[1:]:
        if len(fields) != len(header):
            raise ReportFormatError(
                path, f"the row has {len(fields)} cells where the header names {len(header)} columns (a row split "
                "across lines, or run into the next? a cell holding a comma or a line break is written in quotes)",
                f"line {line}")
    frame = pd.DataFrame([fields for _, fields in rows[1:]], columns=header, dtype="string")
    for col in COLUMNS:
        if col not in frame.columns:
            frame[col] = pd.array([""] * len(frame), dtype="string")
    repeated = frame.report_id[frame.report_id.duplicated()].tolist()
    if repeated:
        raise ReportFormatError(path, f"report_id repeated in the catalog: {', '.join(repeated)}")
    return frame


class CatalogLineError(ValueError):
    """Where a catalog file stops being UTF-8 CSV (a byte not UTF-8, a NUL, a quote left open).

    Attributes:
        line: The number of the line (from 1).
    """

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line


def _records(raw: bytes, strict: bool) -> tuple[bytes, list[tuple[int, str, list[str]]]]:
    """A CSV file's BOM and records as ``(first line number, exact text, fields)``; see :func:`csv_records`."""
    bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    body = raw[len(bom):]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not strict:
            raise
        raise CatalogLineError(body[:exc.start].count(b"\n") + 1,
                               f"the file is not UTF-8 (byte {body[exc.start]:#04x})") from None
    consumed: list[str] = []

    def feed() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):  # lines end at \n, \r\n and \r only, as csv reads them
            consumed.append(line)
            yield line

    records: list[tuple[int, str, list[str]]] = []
    line = 1
    try:
        for fields in csv.reader(feed(), strict=strict):
            records.append((line, "".join(consumed), fields))
            line += len(consumed)
            consumed.clear()
    except csv.Error as exc:
        if not strict:
            raise
        raise CatalogLineError(line, f"the file is not CSV there ({exc})") from None
    return bom, records


def csv_records(path: Path) -> tuple[bytes, list[tuple[str, list[str]]]]:
    """A catalog CSV's BOM and its records, each as ``(its exact text, its fields)``.

    Lets a writer keep every record it does not change byte for byte (a quoted field may
    span lines, so records are not lines). Lines end at ``\\n``, ``\\r\\n`` and ``\\r``
    only, as the ``csv`` module reads them: a U+2028 or NEL in a field does not split its
    record (``str.splitlines`` would, and a row rewritten from the pieces would be
    corrupted). A file that does not exist has no records.
    """
    bom, records = _records(path.read_bytes() if path.exists() else b"", strict=False)
    return bom, [(text, fields) for _, text, fields in records]


#: Characters some reader takes for a line end (``str.splitlines``: ``\\x0b``, ``\\x0c``,
#: ``\\x1c``–``\\x1e``, NEL, U+2028, U+2029 besides ``\\r`` and ``\\n``) and the other
#: control characters.
_BREAKS_AND_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` as a catalog cell that holds no line break for any reader: breaks and control characters become spaces.

    Example:
        >>> one_line("邵阳市2020年\u2028政府信息公开\x1e工作年度报告\x85")
        '邵阳市2020年 政府信息公开 工作年度报告'
    """
    return _BREAKS_AND_CONTROLS.sub(" ", text).strip()


def entries(frame: pd.DataFrame) -> list[CatalogEntry]:
    """Catalog rows as :class:`CatalogEntry` objects."""
    out = []
    for row in frame.itertuples(index=False):
        year = str(row.year).strip()
        out.append(CatalogEntry(
            report_id=row.report_id, agency=row.agency, year=int(year) if year.isdigit() else None,
            url=row.url, local_file=row.local_file, completeness=row.completeness, note=row.note,
        ))
    return out


def entry_for(path: Path, catalog_dir: Path, catalog: list[CatalogEntry]) -> CatalogEntry | None:
    """The catalog entry whose ``local_file`` is ``path`` (relative to the catalog's folder)."""
    try:
        rel = path.resolve().relative_to(catalog_dir.resolve()).as_posix()
    except ValueError:
        rel = None
    for entry in catalog:
        if entry.local_file and (entry.local_file == rel or Path(entry.local_file).name == path.name and rel is None):
            return entry
    return None
