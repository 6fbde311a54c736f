"""Which files a corpus reads: report files found in a folder, matched with their catalog rows, and their archive dates.

A folder with a ``catalog.csv`` is read as its catalog says; one without is searched
for report files. A folder that :mod:`~shaoyang_report.corpus.fetch` archived into
keeps ``fetched/manifest.csv``, whose ``Last-Modified`` date of each file the corpus
keeps with the report (:func:`archive_dates`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pandas as pd

from shaoyang_report.atomic import is_temporary
from shaoyang_report.corpus.archive import read_manifest
from shaoyang_report.corpus.catalog import entries, read_catalog
from shaoyang_report.corpus.parse import Job
from shaoyang_report.read.entry import CallerHints, CatalogEntry

#: File suffixes a folder is searched for (page images are read by OCR, each file one report:
#: a report printed on several images is given as one multi-page TIFF or PDF, or read with
#: ``read_report([page1, page2])``).
REPORT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".shtml", ".pdf", ".docx", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
#: The catalog a folder is read by, when it has one.
CATALOG_NAME = "catalog.csv"
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


def report_files(folder: Path) -> list[Path]:
    """The report files below a folder (by suffix, see ``REPORT_SUFFIXES``), sorted.

    A symbolic link whose target is missing is listed too, so reading it fails loudly
    (a row of ``corpus.errors``) instead of the file silently not being there.
    Temporary files and staging folders of unfinished writes
    (:func:`shaoyang_report.atomic.is_temporary`) are left out.
    """
    found = []
    for p in folder.rglob("*"):
        if p.suffix.lower() not in REPORT_SUFFIXES or is_temporary(p.relative_to(folder)):
            continue
        if p.suffix.lower() in _IMAGE_SUFFIXES and _saved_with_a_page(p, folder):
            continue  # a picture of a saved web page (read with the page, where it stands)
        if p.is_file() or (p.is_symlink() and not p.exists()):  # exists() follows the link
            found.append(p)
    return sorted(found)


def _saved_with_a_page(image: Path, folder: Path) -> bool:
    """Whether an image is in the ``<page>_files`` folder a browser saves beside ``<page>.html`` (below ``folder``)."""
    for below in image.relative_to(folder).parents[:-1]:  # not the folder itself
        parent = folder / below
        for ending in ("_files", ".files"):
            if parent.name.endswith(ending):
                stem = parent.name[: -len(ending)]
                if any((parent.parent / f"{stem}{suffix}").is_file() for suffix in (".html", ".htm", ".shtml")):
                    return True
    return False


def _entry_finder(catalog_dir: Path, catalog: list[CatalogEntry]):
    """``path → catalog entry`` by dict look-ups (as :func:`~shaoyang_report.corpus.catalog.entry_for`)."""
    by_file: dict[str, CatalogEntry] = {}
    by_name: dict[str, CatalogEntry] = {}
    for entry in catalog:
        if entry.local_file:
            by_file.setdefault(entry.local_file, entry)
            by_name.setdefault(Path(entry.local_file).name, entry)
    root = catalog_dir.resolve()

    def find(path: Path) -> CatalogEntry | None:
        try:
            rel = path.resolve().relative_to(root).as_posix()
        except ValueError:
            return by_name.get(path.name)
        return by_file.get(rel)

    return find


def read_jobs(source, catalog, strict, given: CallerHints | None = None) -> tuple[list[Job], pd.DataFrame, list[Path]]:
    """The files to read, as jobs; the catalog used; and report files the folder's catalog does not name.

    Args:
        source: A folder, a file, or a list of files (as for ``read_reports``).
        catalog: A catalog CSV, or None for the folder's own ``catalog.csv`` (if any).
        strict: The strictness each file is read with.
        given: What the caller says of every file (year, agency, format), or None.
    """
    catalog_path = Path(catalog) if catalog else None
    catalog_frame = None
    uncatalogued: list[Path] = []
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        root = Path(source)
        files = report_files(root)
        own = root / CATALOG_NAME
        if own.exists():
            own_frame = read_catalog(own)
            named = [root / e.local_file for e in entries(own_frame) if e.local_file]
            named_set = {p.resolve() for p in named}
            uncatalogued = [p for p in files if p.resolve() not in named_set]
            files = named  # a named file that is missing becomes an error
            if catalog_path is None:
                catalog_path, catalog_frame = own, own_frame
    else:
        files = [Path(source)] if isinstance(source, (str, Path)) else [Path(p) for p in source]
    if catalog_frame is None:
        catalog_frame = read_catalog(catalog_path) if catalog_path else pd.DataFrame()
    if catalog_path:
        find = _entry_finder(catalog_path.parent, entries(catalog_frame))
        jobs = [(f, find(f), strict, given) for f in files]
    else:
        jobs = [(f, None, strict, given) for f in files]
    return jobs, catalog_frame, uncatalogued


def _http_date(stamp: object) -> datetime | None:
    """A ``Last-Modified`` stamp as a UTC time (one without a zone taken as UTC), or None when it is no date."""
    try:
        when = parsedate_to_datetime(str(stamp))
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def archive_dates(source, jobs: list[Job]) -> list[datetime | None]:
    """Each job's file's ``Last-Modified`` time (UTC) in the archive's manifest, or None.

    Only a folder read as a whole has a manifest (``<folder>/fetched/manifest.csv``,
    paths relative to the folder); a file archived several times has its last dated row.
    """
    if not (isinstance(source, (str, Path)) and Path(source).is_dir()):
        return [None] * len(jobs)
    folder = Path(source)
    manifest = read_manifest(folder)
    dated: dict[str, datetime] = {}
    for path, stamp in zip(manifest.path, manifest.last_modified):
        when = _http_date(stamp)
        if when is not None:
            dated[str((folder / str(path)).resolve())] = when
    if not dated:
        return [None] * len(jobs)
    return [dated.get(str(Path(job[0]).resolve())) for job in jobs]
