"""Which files a corpus reads: report files found in a folder, matched with their catalog rows, and their archive dates.

A folder with a ``catalog.csv`` is read as its catalog says; one without is searched
for report files. A folder that :mod:`~shaoyang_report.corpus.fetch` archived into
keeps ``fetched/manifest.csv``, whose ``Last-Modified`` date of each file the corpus
keeps with the report (:func:`archive_dates`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pandas as pd

from shaoyang_report.atomic import is_temporary
from shaoyang_report.corpus.archive import read_manifest
from shaoyang_report.corpus.catalog import entries, read_catalog
from shaoyang_report.corpus.columns import SKIPPED_COLUMNS
from shaoyang_report.corpus.parse import Job
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.read.entry import CallerHints, CatalogEntry
from shaoyang_report.read.readers.archive_reader import SEPARATOR, archive_reports
from shaoyang_report.read.readers.files import read_bytes
from shaoyang_report.read.readers.sniff import KIND_NAMES, KIND_REASONS, KIND_SUFFIXES, REPORT_SUFFIXES, sniff

# A folder is searched for files named by REPORT_SUFFIXES (page images are read by OCR, each file
# one report: a report printed on several images is given as one multi-page TIFF or PDF, or read
# with ``read_report([page1, page2])``); a zip archive's members that are reports are read each as
# its own report (``archive.zip!member.pdf``).
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


#: A folder's agency aliases: ``name, agency_id`` (printed name → the agency it is), beside its catalog.
ALIASES_NAME = "agency_aliases.csv"
# files that are the corpus's own, never reports: catalogs, aliases, a fetch archive's manifest
_CONTROL_FILES = (CATALOG_NAME, ALIASES_NAME, "manifest.csv")
# notes beside the reports (README.md, NOTES.txt …): read by people, not as reports
_NOTES = re.compile(r"^(?:readme|notes?|license|licence|changelog|说明)(?:\.[a-z0-9]+)?$", re.I)


@dataclass
class FileSet:
    """What a source holds: the files to read (as jobs) and every other file, accounted for.

    Attributes:
        jobs: One job per file to read, with the catalog row that names it (or None).
        catalog: Every catalog read, stacked.
        uncatalogued: Report files in a catalogued folder that no catalog row names (not read).
        skipped: ``path, kind, reason`` of every file below a folder that is not read:
            a kind no reader handles, notes, a report file no catalog names.
        conflicts: ``(path, message)`` of files two catalogs name: not read, an error each.
        aliases: Folder → its ``agency_aliases.csv`` (printed name → agency id).
    """

    jobs: list[Job]
    catalog: pd.DataFrame
    uncatalogued: list[Path] = field(default_factory=list)
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SKIPPED_COLUMNS))
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    aliases: dict[Path, dict[str, str]] = field(default_factory=dict)

    def aliases_for(self, path: Path) -> dict[str, str]:
        """The aliases that apply to a file: those of every folder above it, the nearest winning."""
        out: dict[str, str] = {}
        for folder in sorted(self.aliases, key=lambda f: len(f.parts)):
            if folder in Path(path).resolve().parents:
                out.update(self.aliases[folder])
        return out


def read_aliases(path: str | Path) -> dict[str, str]:
    """An ``agency_aliases.csv``: ``name, agency_id`` rows (printed name → agency id).

    Raises:
        ReportFormatError: The file cannot be read or lacks the two columns.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ReportFormatError(path, f"cannot read the agency aliases ({exc})") from None
    if not {"name", "agency_id"} <= set(frame.columns):
        raise ReportFormatError(path, "the agency aliases need the columns name, agency_id")
    return {str(n).strip(): str(a).strip() for n, a in zip(frame["name"], frame["agency_id"]) if str(n).strip()}


def _real(path: Path) -> Path:
    """The path with its links followed as far as they go (a link that loops is left as it is)."""
    return Path(os.path.realpath(path))


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (a link to one too); a link that loops or dangles is not."""
    try:
        return path.is_file()
    except (OSError, RuntimeError):  # a symbolic link that loops
        return False


def _skipped_kind(path: Path) -> tuple[str, str]:
    """What a file not read is, and why it is not read."""
    if _NOTES.match(path.name):
        return "notes", "notes beside the reports, not a report"
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 20)  # an OLE2 file's directory, a small zip's members
    except OSError as exc:
        return "unreadable", f"cannot be opened ({exc.strerror or exc})"
    kind = sniff(head, path.name)
    reason = KIND_REASONS.get(kind)
    if reason is None:  # a kind that is read, under a name that is not a report file's
        reason = (f"{KIND_NAMES.get(kind, kind)} named {path.suffix or 'without a suffix'}: a folder's reports are "
                  f"found by their names; name it {path.stem}{KIND_SUFFIXES.get(kind, '')} to read it")
    return kind, reason


def with_members(files: list[Path]) -> list[Path]:
    """The files, each zip archive replaced by its members that are reports (``archive.zip!member.pdf``).

    An archive that cannot be listed (damaged, a zip bomb, too many members) is kept as
    itself, so that reading it gives its error.
    """
    out: list[Path] = []
    for path in files:
        if path.suffix.lower() != ".zip" or not _is_file(path):
            out.append(path)
            continue
        try:
            members = archive_reports(read_bytes(path), path.name)
        except ReportFormatError:
            out.append(path)
            continue
        out.extend(Path(f"{path}{SEPARATOR}{m}") for m in members) if members else out.append(path)
    return out


def read_jobs(source, catalog, strict, given: CallerHints | None = None) -> FileSet:
    """The files to read, as jobs, with the catalog rows that name them, and every file not read.

    A folder is searched recursively. Each ``catalog.csv`` applies to its own folder and
    the folders below it: a file in a catalogued folder is read when a catalog above it
    names it (its row gives the report's id, agency and year), else it is listed as
    uncatalogued; a file two catalogs name is an error naming both. A file in no
    catalogued folder is read without a row. Files of kinds no reader handles and notes
    (README …) are listed in ``skipped`` with what they are.

    Args:
        source: A folder, a file, or a list of files (as for ``read_reports``).
        catalog: A catalog CSV for the folder itself (instead of its own ``catalog.csv``;
            for a folder without one, its rows are matched to the files by path or name
            and every file is read), or for the files given; None: the catalogs found.
        strict: The strictness each file is read with.
        given: What the caller says of every file (year, agency, format), or None.
    """
    if not (isinstance(source, (str, Path)) and Path(source).is_dir()):
        files = with_members([Path(source)] if isinstance(source, (str, Path)) else [Path(p) for p in source])
        frame = read_catalog(catalog) if catalog else pd.DataFrame()
        find = _entry_finder(Path(catalog).parent, entries(frame)) if catalog else (lambda _: None)
        return FileSet([(f, find(f), strict, given) for f in files], frame)
    root = Path(source)
    catalogs: dict[Path, Path] = {}  # folder (resolved) → its catalog file
    aliases: dict[Path, dict[str, str]] = {}
    skipped: list[tuple[str, str, str]] = []
    for p in sorted(root.rglob("*")):
        if is_temporary(p.relative_to(root)) or not _is_file(p):
            continue
        if p.name == CATALOG_NAME:
            catalogs[p.parent.resolve()] = p
        elif p.name == ALIASES_NAME:
            aliases[p.parent.resolve()] = read_aliases(p)
        elif p.name in _CONTROL_FILES:
            continue
        elif _NOTES.match(p.name) or p.suffix.lower() not in REPORT_SUFFIXES:
            if not _saved_with_a_page(p, root):
                skipped.append((str(p), *_skipped_kind(p)))
    lenient = None
    if catalog:
        if root.resolve() in catalogs:
            catalogs[root.resolve()] = Path(catalog)
        else:  # a catalog for a folder that has none: its rows name what they can, every file is read
            lenient = Path(catalog)
    files = with_members([p for p in report_files(root) if not _NOTES.match(p.name)])
    ordered = sorted(catalogs.items(), key=lambda kv: len(kv[0].parts))
    read = {folder: read_catalog(path) for folder, path in ordered}
    named: dict[Path, list[tuple[Path, CatalogEntry]]] = {}  # resolved path → the catalogs naming it
    for folder, path in ordered:
        for entry in entries(read[folder]):
            if entry.local_file:
                named.setdefault(_real(folder / entry.local_file), []).append((path, entry))
    jobs: list[Job] = []
    conflicts: list[tuple[str, str]] = []
    seen: set[Path] = set()
    conflicted: set[Path] = set()
    for folder, _ in ordered:  # named files first, in catalog order (a named file that is missing is an error)
        for entry in entries(read[folder]):
            if not entry.local_file:
                continue
            target = _real(folder / entry.local_file)
            seen.add(target)
            rows = named[target]
            shown = folder_path(root, folder, entry.local_file)
            if len({c for c, _ in rows}) > 1:
                if target not in conflicted:
                    conflicted.add(target)
                    conflicts.append((str(shown), "named by two catalogs: " + " and ".join(
                        f"{c} (report_id {e.report_id})" for c, e in rows)))
            else:
                jobs.append((shown, entry, strict, given))
    uncatalogued: list[Path] = []
    find = _entry_finder(lenient.parent, entries(read_catalog(lenient))) if lenient else (lambda _: None)
    for p in files:
        where = _real(p)
        if where in seen:
            continue
        governed = [folder for folder in catalogs if folder in where.parents]
        if governed:
            uncatalogued.append(p)
            skipped.append((str(p), "report", f"not named in {catalogs[max(governed, key=lambda f: len(f.parts))]}"))
        else:
            jobs.append((p, find(p), strict, given))
    frames = [read[folder] for folder, _ in ordered] + ([read_catalog(lenient)] if lenient else [])
    catalog_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return FileSet(jobs, catalog_frame, uncatalogued,
                   pd.DataFrame(sorted(skipped), columns=SKIPPED_COLUMNS).astype("string"), conflicts, aliases)


def folder_path(root: Path, folder: Path, local_file: str) -> Path:
    """A catalogued file's path as the reader opens it: below ``root`` as given when it is there."""
    target = folder / local_file
    try:
        return root / target.relative_to(root.resolve())
    except ValueError:
        return target


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
