"""Parsing many files: each file's report kept as columns, a chunk of files as one :class:`ParsedBatch`.

A :data:`Job` says which file to read, with which catalog row, strictness and caller's hints;
:func:`parse_files` reads a chunk of jobs (in this process, in a worker process, or as
a task on a Dask cluster) and sends back a few Arrow tables instead of a list of
dicts per value. A file that cannot be read is an error row, never an exception.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from shaoyang_report.corpus.columns import FRAMES, arrow_table, frame_fields, record_columns
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.read.entry import CallerHints, CatalogEntry
from shaoyang_report.read.report import Report, read_report

#: One file to read: its path, its catalog row (or None), the strictness and what the caller says
#: of it (``year``, ``agency``, ``format``; or None) (see ``read_report``).
Job = tuple[Path, CatalogEntry | None, bool | None, CallerHints | None]


@dataclass
class ReportColumns:
    """What a corpus keeps of one report: its summary and its frames as columns.

    Not its document: memory stays flat however many reports are read.

    Attributes:
        report_id: The report's id.
        summary: ``Report.summary()`` and where the report came from (a row of ``corpus.reports``).
        columns: Frame (``facts``, ``checks``, ``missing``, ``unplaced``, ``problems``) →
            column → values, one per row.
    """

    report_id: str
    summary: dict
    columns: dict[str, dict[str, list]]

    def rows(self, frame: str) -> int:
        """How many rows the report has in a frame."""
        first = next(iter(self.columns[frame].values()), [])
        return len(first)


def report_columns(report: Report) -> ReportColumns:
    """What a corpus keeps of a report: its summary (with its catalog row's and reading's details) and its rows."""
    summary = report.summary()
    records = {f: report.records(f) for f in FRAMES}
    summary.update(source=report.source, agency_printed=report.agency_printed,
                   completeness=report.catalog_entry.completeness if report.catalog_entry else "",
                   url=report.catalog_entry.url if report.catalog_entry else "",
                   template_basis=report.template_basis, tables_read=",".join(report.tables_read),
                   published=report.published.isoformat() if report.published else None,
                   checks=len(records["checks"]))
    return ReportColumns(report.report_id, summary, {f: record_columns(records[f], f) for f in FRAMES})


@dataclass
class ParsedBatch:
    """Several files parsed: their reports' columns as Arrow tables, and the files that failed.

    This is what a worker process sends back: a few Arrow tables, not a list of dicts
    per value.

    Attributes:
        report_ids: The reports read, in the order of the files.
        summaries: Their summaries, in the same order.
        tables: Frame → the reports' rows (dictionary-encoded Arrow), report after report.
        rows: Frame → rows per report.
        errors: ``(path, message)`` per file that could not be read.
        files: How many files the batch was given.
        positions: For each report, the position of its file among the batch's files.
    """

    report_ids: list[str] = field(default_factory=list)
    summaries: list[dict] = field(default_factory=list)
    tables: dict[str, pa.Table] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    files: int = 0
    positions: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, reports: Sequence[ReportColumns], errors: Sequence[tuple[str, str]] = (), files: int | None = None,
           positions: Sequence[int] | None = None) -> ParsedBatch:
        """Stack reports' columns into one batch (one Arrow table per frame).

        Args:
            reports: The reports read.
            errors: ``(path, message)`` per file that could not be read.
            files: How many files were given (default: reports and errors).
            positions: Each report's file's position among them (default: the reports' own order).
        """
        tables, rows = {}, {}
        for frame in FRAMES:
            names = [name for name, _ in frame_fields(frame)]
            stacked: dict[str, list] = {name: [] for name in names}
            counts = []
            for rc in reports:
                cols = rc.columns[frame]
                n = rc.rows(frame)
                for name in names:
                    values = cols.get(name)
                    stacked[name].extend(values if values is not None else [None] * n)
                counts.append(n)
            tables[frame] = arrow_table(stacked, frame)
            rows[frame] = counts
        return cls([rc.report_id for rc in reports], [rc.summary for rc in reports], tables, rows, list(errors),
                   len(reports) + len(errors) if files is None else files,
                   list(range(len(reports)) if positions is None else positions))


def parse_file(job: Job) -> ReportColumns | tuple[str, str]:
    """Read one file into its columns, or ``(path, error message)`` when it cannot be read.

    The unit of work of ``read_reports`` and ``write_facts`` (a worker process runs it
    on a chunk of files via :func:`parse_files`).
    """
    path, entry, strict, given = job
    given = given or CallerHints()
    try:
        report = read_report(path, strict=strict, catalog_entry=entry, year=given.year, agency=given.agency,
                             format=given.format)
        return report_columns(report)
    except ReportFormatError as exc:
        return (str(path), str(exc))
    except Exception as exc:  # noqa: BLE001 - one file never stops a batch; the error row says what happened
        return (str(path), f"{path.name}: could not be read ({type(exc).__name__}: {exc}); "
                           "this is a bug of shaoyang_report, please report it with the file")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a loop (parsing a report leaves no cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_files(jobs: Sequence[Job]) -> ParsedBatch:
    """Read several files into one :class:`ParsedBatch` (the garbage collector paused meanwhile)."""
    reports: list[ReportColumns] = []
    errors: list[tuple[str, str]] = []
    positions: list[int] = []
    with _gc_paused():
        for k, job in enumerate(jobs):
            result = parse_file(job)
            if isinstance(result, tuple):
                errors.append(result)
            else:
                reports.append(result)
                positions.append(k)
        return ParsedBatch.of(reports, errors, files=len(jobs), positions=positions)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Objects that exist before a corpus loop are left out of garbage collection during it."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
