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
    """Read a catalog CSV, checking its columns.

    Raises:
        ReportFormatError: The file lacks a required column or a report_id is repeated.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ReportFormatError(path, f"cannot read the catalog ({exc})") from None
    lacking = [c for c in ("report_id", "agency", "year") if c not in frame.columns]
    if lacking:
        raise ReportFormatError(path, f"the catalog lacks column(s) {', '.join(lacking)}; expected {', '.join(COLUMNS)}")
    for col in COLUMNS:
        if col not in frame.columns:
            frame[col] = pd.array([""] * len(frame), dtype="string")
    repeated = frame.report_id[frame.report_id.duplicated()].tolist()
    if repeated:
        raise ReportFormatError(path, f"report_id repeated in the catalog: {', '.join(repeated)}")
    return frame


def csv_records(path: Path) -> tuple[bytes, list[tuple[str, list[str]]]]:
    """A catalog CSV's BOM and its records, each as ``(its exact text, its fields)``.

    Lets a writer keep every record it does not change byte for byte (a quoted field may
    span lines, so records are not lines). A file that does not exist has no records.
    """
    raw = path.read_bytes() if path.exists() else b""
    bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    lines = raw[len(bom):].decode("utf-8").splitlines(keepends=True)
    consumed: list[str] = []

    def feed() -> Iterator[str]:
        for line in lines:
            consumed.append(line)
            yield line

    records: list[tuple[str, list[str]]] = []
    for fields in csv.reader(feed()):
        records.append(("".join(consumed), fields))
        consumed.clear()
    return bom, records


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
