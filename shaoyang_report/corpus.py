"""Many reports at once: a :class:`Corpus` stacks every report's facts and findings.

Example:
    >>> import shaoyang_report as sr
    >>> corpus = sr.read_reports("data/raw", progress=False)
    >>> len(corpus), corpus.errors.empty
    (12, True)
    >>> tables = corpus.facts.query("section != 'prose'")
    >>> sorted(tables.report_id.unique())
    ['chengbu_jinzi_township_2021', 'shaoyang_city_2020']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import dictionary
from .catalog import CatalogEntry, entries, entry_for, read_catalog
from .errors import ReportFormatError
from .report import MISSING_COLUMNS, UNPLACED_COLUMNS, Report, printed_table, read_report

PROBLEM_COLUMNS = ["report_id", "location", "message"]

#: File suffixes a folder is searched for.
REPORT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".shtml", ".pdf", ".docx")
_CATALOG_NAME = "catalog.csv"


@dataclass
class _Parsed:
    """What a corpus keeps of one report (not its document: memory stays flat)."""

    report_id: str
    facts: list[dict]
    checks: list[dict]
    summary: dict
    missing: list[dict]
    unplaced: list[dict]
    problems: list[dict] = field(default_factory=list)


def _parse_one(job: tuple[Path, CatalogEntry | None, bool]) -> _Parsed | tuple[str, str]:
    path, entry, strict = job
    try:
        report = read_report(path, strict=strict, catalog_entry=entry)
    except ReportFormatError as exc:
        return (str(path), str(exc))
    except Exception as exc:  # noqa: BLE001 - one file never stops a batch; the error row says what happened
        return (str(path), f"{path.name}: could not be read ({type(exc).__name__}: {exc}); "
                           "this is a bug of shaoyang_report, please report it with the file")
    return _keep(report)


def _keep(report: Report) -> _Parsed:
    summary = report.summary()
    summary.update(source=report.source, agency_printed=report.agency_printed,
                   completeness=report.catalog_entry.completeness if report.catalog_entry else "",
                   url=report.catalog_entry.url if report.catalog_entry else "",
                   template_basis=report.template_basis, tables_read=",".join(report.tables_read),
                   checks=len(report._check_records))
    return _Parsed(
        report_id=report.report_id,
        facts=report._records,
        checks=report._check_records,
        summary=summary,
        missing=report._missing_records,
        unplaced=report._unplaced_records,
        problems=[{"report_id": report.report_id, "location": where, "message": message}
                  for where, message in report.problems],
    )


@dataclass
class Corpus:
    """Several reports read together.

    Attributes:
        reports: One row per report read: id, agency (comparison and printed), year,
            format, values per table vs expected, findings, catalog URL and completeness.
        errors: One row per file that could not be read: ``path``, ``error``.
        catalog: The catalog used (empty frame when there was none).
        uncatalogued: Report files in a catalogued folder that no catalog row names
            (not read).
    """

    parsed: list[_Parsed] = field(default_factory=list, repr=False)
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["path", "error"]))
    catalog: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    uncatalogued: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.parsed)

    def __repr__(self) -> str:
        return (f"<Corpus: {len(self)} reports, {len(self.facts)} facts, "
                f"{len(self.findings)} findings, {len(self.errors)} unreadable>")

    @property
    def reports(self) -> pd.DataFrame:
        """One summary row per report read."""
        return pd.DataFrame([p.summary for p in self.parsed])

    @property
    def facts(self) -> pd.DataFrame:
        """Every report's facts, stacked (the tidy facts columns)."""
        return dictionary.build_frame([f for p in self.parsed for f in p.facts], "facts")

    @property
    def checks(self) -> pd.DataFrame:
        """Every check made on every report."""
        return dictionary.build_frame([c for p in self.parsed for c in p.checks], "checks")

    @property
    def findings(self) -> pd.DataFrame:
        """The failing checks of every report."""
        checks = self.checks
        return checks[checks["status"] == "fail"].reset_index(drop=True)

    def table(self, report_id: str, section: str) -> pd.DataFrame:
        """One report's printed table (see :meth:`Report.table <shaoyang_report.report.Report.table>`)."""
        for p in self.parsed:
            if p.report_id == report_id:
                return printed_table(p.facts, p.summary["template"], section)
        raise KeyError(f"no report {report_id!r} in the corpus")

    @property
    def missing(self) -> pd.DataFrame:
        """Tables and rows each report's format requires but its text lacks."""
        return pd.DataFrame([m for p in self.parsed for m in p.missing], columns=MISSING_COLUMNS).astype("string")

    @property
    def unplaced(self) -> pd.DataFrame:
        """Numbers in table sections that could not be placed, per report."""
        return pd.DataFrame([u for p in self.parsed for u in p.unplaced], columns=UNPLACED_COLUMNS).astype("string")

    @property
    def problems(self) -> pd.DataFrame:
        """Rows and cells that could not be read as expected, per report (``report.problems``).

        ``corpus.reports.problems`` counts them per report.
        """
        return pd.DataFrame([q for p in self.parsed for q in p.problems],
                            columns=PROBLEM_COLUMNS).astype("string")


def report_files(folder: Path) -> list[Path]:
    """The report files below a folder (by suffix, see ``REPORT_SUFFIXES``), sorted.

    A symbolic link whose target is missing is listed too, so reading it fails loudly
    (a row of ``corpus.errors``) instead of the file silently not being there.
    Temporary files and staging folders of unfinished writes
    (:func:`shaoyang_report.atomic.is_temporary`) are left out.
    """
    from .atomic import is_temporary

    found = []
    for p in folder.rglob("*"):
        if p.suffix.lower() not in REPORT_SUFFIXES or is_temporary(p.relative_to(folder)):
            continue
        if p.is_file() or (p.is_symlink() and not p.exists()):  # exists() follows the link
            found.append(p)
    return sorted(found)


def _jobs(source, catalog, strict) -> tuple[list, pd.DataFrame, list[Path]]:
    """The read jobs, the catalog used, and report files the folder's catalog does not name."""
    catalog_path = Path(catalog) if catalog else None
    catalog_frame = None
    uncatalogued: list[Path] = []
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        root = Path(source)
        files = report_files(root)
        own = root / _CATALOG_NAME
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
    catalog_entries = entries(catalog_frame) if catalog_path else []
    jobs = [(f, entry_for(f, catalog_path.parent, catalog_entries) if catalog_path else None, strict)
            for f in files]
    return jobs, catalog_frame, uncatalogued


def _progress(total: int, progress: bool | None, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="report", disable=(not progress) if progress is not None else None)


def read_reports(
    source: str | Path | Iterable[str | Path],
    *,
    catalog: str | Path | None = None,
    strict: bool | None = None,
    progress: bool | None = None,
    workers: int = 1,
) -> Corpus:
    """Read many reports; an unreadable file is listed in ``corpus.errors``, not raised.

    The corpus keeps every report's records in memory; for very large collections
    stream them to disk with :func:`write_facts` instead.

    Args:
        source: A folder, a file, or a list of files. A folder with a ``catalog.csv``
            is read as the catalog says (each row's ``local_file``); report files in it
            that no row names (archived copies, superseded openings, strays) are not
            read but listed in ``corpus.uncatalogued``. A folder without a catalog is
            searched recursively for report files.
        catalog: A catalog CSV naming each report (report_id, agency for comparison,
            year, URL, local_file relative to the catalog's folder). Defaults to
            ``catalog.csv`` in the folder.
        strict: See :func:`~shaoyang_report.report.read_report`.
        progress: Show a progress bar (tqdm). ``None`` (default): only on a terminal.
        workers: Processes to read with (1 reads in this process).

    Returns:
        The :class:`Corpus`.
    """
    jobs, catalog_frame, uncatalogued = _jobs(source, catalog, strict)
    corpus = Corpus(catalog=catalog_frame, uncatalogued=[str(p) for p in uncatalogued])
    errors = []
    with _progress(len(jobs), progress, "reading reports") as bar:
        for result in _run(jobs, workers):
            if isinstance(result, tuple):
                errors.append({"path": result[0], "error": result[1]})
            else:
                corpus.parsed.append(result)
            bar.update(1)
    corpus.errors = pd.DataFrame(errors, columns=["path", "error"])
    return corpus


def write_facts(
    source: str | Path | Iterable[str | Path],
    path: str | Path,
    *,
    catalog: str | Path | None = None,
    strict: bool | None = None,
    progress: bool | None = None,
    workers: int = 1,
    batch: int = 256,
) -> pd.DataFrame:
    """Stream many reports' facts to one CSV or Parquet file, in flat memory.

    Only ``batch`` reports' records are held at a time, so a corpus of 10^5 reports
    needs no more memory than one of 10^3. The file is streamed to a temporary file
    beside ``path`` and renamed over it at the end: an interrupted write leaves the
    previous file as it was (see :mod:`shaoyang_report.atomic`).

    Args:
        source: As for :func:`read_reports`.
        path: ``.csv`` (UTF-8 with BOM, text defused against formula injection) or
            ``.parquet``.
        catalog, strict, progress, workers: As for :func:`read_reports`.
        batch: Reports per write.

    Returns:
        The errors (``path``, ``error``), one row per unreadable file.
    """
    from .atomic import replacing
    from .export import safe_frame

    path = Path(path)
    jobs, _, _ = _jobs(source, catalog, strict)
    parquet = path.suffix.lower() == ".parquet"
    writer = None
    errors: list[dict] = []
    pending: list[dict] = []
    first = True

    def flush(out: Path) -> None:
        nonlocal writer, first
        if not pending and not first:
            return
        frame = dictionary.build_frame(pending, "facts")
        pending.clear()
        if parquet:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(out, table.schema)
            writer.write_table(table)
        else:
            safe_frame(frame).to_csv(out, mode="w" if first else "a", header=first, index=False,
                                     encoding="utf-8-sig" if first else "utf-8")
        first = False

    n = 0
    # Streamed into a temporary file beside `path`, renamed over it once complete.
    with replacing(path) as tmp, _progress(len(jobs), progress, "writing facts") as bar:
        try:
            for result in _run(jobs, workers):
                if isinstance(result, tuple):
                    errors.append({"path": result[0], "error": result[1]})
                else:
                    pending.extend(result.facts)
                    n += 1
                    if n % batch == 0:
                        flush(tmp)
                bar.update(1)
            flush(tmp)
        finally:
            if writer is not None:
                writer.close()
    return pd.DataFrame(errors, columns=["path", "error"])


def _run(jobs: list, workers: int) -> Iterator:
    if workers <= 1 or len(jobs) < 2:
        yield from map(_parse_one, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_parse_one, jobs, chunksize=max(1, min(64, len(jobs) // (workers * 4))))
