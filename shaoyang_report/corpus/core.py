"""Many reports at once: a :class:`Corpus` stacks every report's facts and findings.

A corpus holds its reports' frames as columns (Apache Arrow, every text column
dictionary-encoded: an agency, a label or a location printed in many reports is stored
once), not as one Python object per value. It holds about 20 KB per report (the
Shaoyang 2020 report: 221 facts, 45 checks; 10,000 such reports: 205 MB, against
1.9 GB as lists of dicts), so 10^5 reports fit in a few GB.
The public frames (``corpus.facts``, ``.checks`` …) are built from the columns on first
use and kept until a report is added.

Example:
    >>> import shaoyang_report as sr
    >>> corpus = sr.read_reports("data/raw", progress=False)
    >>> len(corpus), corpus.errors.empty
    (12, True)
    >>> tables = corpus.facts.query("section != 'prose'")
    >>> sorted(tables.report_id.unique())
    ['chengbu_jinzi_township_2021', 'shaoyang_city_2020']
    >>> corpus.report_facts("shaoyang_city_2020").shape
    (221, 16)
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import operator
import os
import secrets
import shutil
from array import array
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from shaoyang_report import dictionary
from shaoyang_report.corpus.catalog import entries, read_catalog
from shaoyang_report.read.entry import CatalogEntry
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.rendering import render_html, render_text
from shaoyang_report.read.report import (
    MISSING_COLUMNS,
    UNPLACED_COLUMNS,
    Report,
    printed_table,
    read_report,
)

PROBLEM_COLUMNS = ["report_id", "location", "message"]

#: File suffixes a folder is searched for (page images are read by OCR, each file one report:
#: a report printed on several images is given as one multi-page TIFF or PDF, or read with
#: ``read_report([page1, page2])``).
REPORT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".shtml", ".pdf", ".docx", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
_CATALOG_NAME = "catalog.csv"

#: The frames a corpus keeps per report, in this order.
FRAMES = ("facts", "checks", "missing", "unplaced", "problems")
_OTHER_COLUMNS = {"missing": MISSING_COLUMNS, "unplaced": UNPLACED_COLUMNS, "problems": PROBLEM_COLUMNS}
_ARROW_TYPES = {"string": pa.dictionary(pa.int32(), pa.string()), "Int64": pa.int64(), "float64": pa.float64(),
                "boolean": pa.bool_()}
#: Reports parsed per batch in this process (a batch's columns become Arrow at once).
_BATCH = 64
#: Batches combined into one segment of a frame (a segment stores each distinct text once).
#: Combining copies (and the allocator keeps what the copy freed), while a batch's own
#: dictionaries cost little: batches are combined only to keep the chunks of a very
#: large corpus few.
_SEGMENT = 256


# ---------------------------------------------------------------------------- columns
@cache
def _fields(frame: str) -> tuple[tuple[str, str], ...]:
    """``(column, dtype)`` of a frame (the data dictionary's for facts and checks)."""
    if frame in _OTHER_COLUMNS:
        return tuple((c, "string") for c in _OTHER_COLUMNS[frame])
    return tuple((f["name"], f["dtype"]) for f in dictionary.fields(frame))


@cache
def _schema(frame: str) -> pa.Schema:
    """The corpus's own Arrow schema of a frame: texts dictionary-encoded."""
    return pa.schema([(name, _ARROW_TYPES[dtype]) for name, dtype in _fields(frame)])


def _arrow_array(values: list, dtype: str) -> pa.Array:
    """One column as Arrow; values that Arrow will not take as they are go through pandas (as build_frame does)."""
    try:
        return pa.array(values, type=_ARROW_TYPES[dtype])
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        normal = pd.array(values, dtype=dtype)
        if dtype == "string":
            return pa.array(normal, type=pa.large_string()).cast(pa.string()).dictionary_encode()
        return pa.array(np.asarray(normal, dtype=float) if dtype == "float64" else normal, type=_ARROW_TYPES[dtype])


def _arrow_table(columns: dict[str, list], frame: str) -> pa.Table:
    fields = _fields(frame)
    return pa.Table.from_arrays([_arrow_array(columns[name], dtype) for name, dtype in fields], schema=_schema(frame))


def to_pandas(table: pa.Table, frame: str = "facts") -> pd.DataFrame:
    """A frame of the corpus's columns with the public dtypes (those of :func:`dictionary.build_frame`).

    Args:
        table: Columns of ``frame`` (dictionary-encoded or plain texts).
        frame: ``facts``, ``checks``, ``missing``, ``unplaced`` or ``problems``.
    """
    return dictionary.frame_from_arrow(table, _fields(frame))


def _columns(records: list[dict], frame: str) -> dict[str, list]:
    """Records of one frame as columns (absent keys are missing values)."""
    columns = {}
    for name, _ in _fields(frame):
        try:
            columns[name] = list(map(operator.itemgetter(name), records))  # at C speed
        except KeyError:  # some record lacks it
            columns[name] = [r.get(name) for r in records]
    return columns


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


def _keep(report: Report) -> ReportColumns:
    summary = report.summary()
    summary.update(source=report.source, agency_printed=report.agency_printed,
                   completeness=report.catalog_entry.completeness if report.catalog_entry else "",
                   url=report.catalog_entry.url if report.catalog_entry else "",
                   template_basis=report.template_basis, tables_read=",".join(report.tables_read),
                   published=report.published.isoformat() if report.published else None,
                   checks=len(report._check_records))
    problems = [{"report_id": report.report_id, "location": where, "message": message}
                for where, message in report.problems]
    records = {"facts": report._records, "checks": report._check_records, "missing": report._missing_records,
               "unplaced": report._unplaced_records, "problems": problems}
    return ReportColumns(report.report_id, summary, {f: _columns(records[f], f) for f in FRAMES})


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
    """

    report_ids: list[str] = field(default_factory=list)
    summaries: list[dict] = field(default_factory=list)
    tables: dict[str, pa.Table] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    files: int = 0

    @classmethod
    def of(cls, reports: Sequence[ReportColumns], errors: Sequence[tuple[str, str]] = (), files: int | None = None
           ) -> ParsedBatch:
        """Stack reports' columns into one batch (one Arrow table per frame)."""
        tables, rows = {}, {}
        for frame in FRAMES:
            names = [name for name, _ in _fields(frame)]
            stacked: dict[str, list] = {name: [] for name in names}
            counts = []
            for rc in reports:
                cols = rc.columns[frame]
                n = rc.rows(frame)
                for name in names:
                    values = cols.get(name)
                    stacked[name].extend(values if values is not None else [None] * n)
                counts.append(n)
            tables[frame] = _arrow_table(stacked, frame)
            rows[frame] = counts
        return cls([rc.report_id for rc in reports], [rc.summary for rc in reports], tables, rows, list(errors),
                   len(reports) + len(errors) if files is None else files)


Job = tuple[Path, CatalogEntry | None, bool | None]


def parse_file(job: Job) -> ReportColumns | tuple[str, str]:
    """Read one file into its columns, or ``(path, error message)`` when it cannot be read.

    The unit of work of :func:`read_reports` and :func:`write_facts` (a worker process
    runs it on a chunk of files via :func:`parse_files`).
    """
    path, entry, strict = job
    try:
        report = read_report(path, strict=strict, catalog_entry=entry)
        return _keep(report)
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
    with _gc_paused():
        for job in jobs:
            result = parse_file(job)
            if isinstance(result, tuple):
                errors.append(result)
            else:
                reports.append(result)
        return ParsedBatch.of(reports, errors, files=len(jobs))


def _chunk_size(n: int, workers: int, batch: int) -> int:
    if workers <= 1:
        return max(1, batch)
    # several chunks per worker so the last ones finish together; at most `batch` reports each
    return max(1, min(batch, 32, math.ceil(n / (workers * 8))))


def _parse_batches(jobs: list[Job], workers: int = 1, batch: int = _BATCH, cluster=None) -> Iterator[ParsedBatch]:
    """Parse jobs in chunks, in order: in this process, on ``workers`` processes, or on a Dask cluster.

    Worker processes get chunks of jobs and send back one :class:`ParsedBatch` per
    chunk; at most two chunks per worker are in flight, so results never pile up.
    With ``cluster`` (a :class:`shaoyang_report.corpus.distributed.DaskRun`), the chunks are
    ``dask.bag`` partitions parsed by the cluster's workers.
    """
    if cluster is not None:
        yield from cluster.parse_batches(jobs, batch)
        return
    size = _chunk_size(len(jobs), workers, batch)
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    if workers <= 1 or len(chunks) < 2:
        for chunk in chunks:
            yield parse_files(chunk)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        ahead = iter(chunks)
        for chunk in ahead:
            pending.append(pool.submit(parse_files, chunk))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result = pending.popleft().result()
            nxt = next(ahead, None)
            if nxt is not None:
                pending.append(pool.submit(parse_files, nxt))
            yield result


#: Where the reports are parsed: ``local`` (this process, or ``workers`` processes) or ``dask`` (a cluster).
ENGINES = ("local", "dask")


@contextmanager
def _engine(engine: str, scheduler, workers: int) -> Iterator:
    """The Dask run of ``engine="dask"`` (connected to its cluster for the block), or ``None`` for local parsing."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, not {engine!r}")
    if engine == "local":
        if scheduler is not None:
            raise ValueError("scheduler= names a Dask cluster: it goes with engine='dask'")
        yield None
        return
    if workers != 1:
        raise ValueError("workers= is for engine='local': with engine='dask' the cluster's workers read the reports")
    from shaoyang_report.corpus.distributed import connect

    with connect(scheduler) as run:
        yield run


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Objects that exist before a corpus loop are left out of garbage collection during it."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# ---------------------------------------------------------------------------- the corpus
class _ReportView:
    """One report of a corpus (its summary; its fact records on demand)."""

    __slots__ = ("_corpus", "_i", "report_id")

    def __init__(self, corpus: Corpus, i: int, report_id: str) -> None:
        self._corpus, self._i, self.report_id = corpus, i, report_id

    @property
    def summary(self) -> dict:
        return self._corpus._summary(self._i)

    @property
    def facts(self) -> list[dict]:
        return self._corpus._records(self._i, "facts")

    @property
    def checks(self) -> list[dict]:
        return self._corpus._records(self._i, "checks")


class Corpus:
    """Several reports read together.

    The frames are built from the corpus's columns once and kept; adding a report
    (:meth:`add`) makes them be built again. Each access returns a new frame object
    that shares the kept data (pandas copy-on-write: changing it leaves the corpus as
    it was).

    Attributes:
        errors: One row per file that could not be read: ``path``, ``error``.
        catalog: The catalog used (empty frame when there was none).
        uncatalogued: Report files in a catalogued folder that no catalog row names
            (not read).
    """

    def __init__(self, *, errors: pd.DataFrame | None = None, catalog: pd.DataFrame | None = None,
                 uncatalogued: list[str] | None = None) -> None:
        self.errors = errors if errors is not None else pd.DataFrame(columns=["path", "error"])
        self.catalog = catalog if catalog is not None else pd.DataFrame()
        self.uncatalogued = list(uncatalogued or [])
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._summaries: dict[str, list] = {}
        self._strings: dict[str, str] = {}  # one object per distinct summary text
        self._segments: dict[str, list[pa.Table]] = {f: [] for f in FRAMES}  # combined batches
        self._pending: dict[str, list[pa.Table]] = {f: [] for f in FRAMES}  # batches not combined yet
        self._joined: dict[str, pa.Table] = {}
        self._rows: dict[str, array] = {f: array("q") for f in FRAMES}
        self._offsets: dict[str, np.ndarray] = {}
        self._frames: dict[str, pd.DataFrame] = {}
        self._decoded_parts: dict[tuple[str, int], list[tuple]] = {}

    # ------------------------------------------------------------------ building
    def add(self, report: Report) -> None:
        """Add one parsed report (its frames are rebuilt on next access)."""
        self._add_batch(ParsedBatch.of([_keep(report)]))

    def _add_batch(self, batch: ParsedBatch) -> None:
        for rid, summary in zip(batch.report_ids, batch.summaries):
            self._index.setdefault(rid, len(self._ids))
            self._ids.append(rid)
            self._add_summary(summary)
        for frame in FRAMES:
            self._pending[frame].append(batch.tables[frame])
            self._rows[frame].extend(batch.rows[frame])
            if len(self._pending[frame]) >= _SEGMENT:
                self._seal(frame)
        self._offsets.clear()
        self._joined.clear()
        self._frames.clear()
        self._decoded_parts.clear()

    def _seal(self, frame: str) -> None:
        """Combine the batches not combined yet into one segment (one set of dictionaries)."""
        pending = self._pending[frame]
        if pending:
            self._segments[frame].append(pa.concat_tables(pending).combine_chunks())
            pending.clear()
            self._joined.pop(frame, None)
            self._decoded_parts.clear()

    def _add_summary(self, summary: dict) -> None:
        n = len(self._ids) - 1
        for key in summary:
            if key not in self._summaries:
                self._summaries[key] = [None] * n
        for key, column in self._summaries.items():
            value = summary.get(key)
            if isinstance(value, str) and len(value) <= 24:  # counts, formats, bases: many reports share them
                value = self._strings.setdefault(value, value)
            column.append(value)

    def _table(self, frame: str) -> pa.Table:
        """A frame's columns as one Arrow table (a chunk per segment; nothing copied)."""
        if frame not in self._joined:
            parts = self._segments[frame] + self._pending[frame]
            self._joined[frame] = pa.concat_tables(parts) if parts else _schema(frame).empty_table()
        return self._joined[frame]

    def _offset(self, frame: str) -> np.ndarray:
        if frame not in self._offsets:
            self._offsets[frame] = np.concatenate([[0], np.cumsum(np.frombuffer(self._rows[frame], dtype=np.int64))])
        return self._offsets[frame]

    def _position(self, report_id: str) -> int:
        try:
            return self._index[report_id]
        except KeyError:
            raise KeyError(f"no report {report_id!r} in the corpus") from None

    def _slice(self, i: int, frame: str) -> pa.Table:
        offsets = self._offset(frame)
        start, stop = int(offsets[i]), int(offsets[i + 1])
        return self._table(frame).slice(start, stop - start)

    def _records(self, i: int, frame: str) -> list[dict]:
        """One report's rows of a frame as dicts (a report's rows never span two parts of a frame)."""
        offsets = self._offset(frame)
        start, stop = int(offsets[i]), int(offsets[i + 1])
        parts = self._segments[frame] + self._pending[frame]
        bounds = np.cumsum([0] + [t.num_rows for t in parts])
        k = min(max(0, int(np.searchsorted(bounds, start, side="right")) - 1), len(parts) - 1)
        columns = self._decoded(frame, k, parts[k])
        a, b = start - int(bounds[k]), stop - int(bounds[k])
        values = []
        for kind, data, extra in columns:
            if kind == "dict":
                table_values = extra
                values.append([table_values[j] for j in data[a:b].tolist()])
            else:
                values.append(data.slice(a, b - a).to_pylist())
        names = [name for name, _ in _fields(frame)]
        return [dict(zip(names, row)) for row in zip(*values)]

    def _decoded(self, frame: str, k: int, part: pa.Table) -> list[tuple]:
        """A part's columns ready for :meth:`_records`: dictionaries decoded once (the last two parts kept)."""
        key = (frame, k)
        if key not in self._decoded_parts:
            columns = []
            for name, _ in _fields(frame):
                column = part.column(name).combine_chunks() if part.column(name).num_chunks != 1 \
                    else part.column(name).chunk(0)
                if pa.types.is_dictionary(column.type):
                    indices = column.indices.fill_null(-1).to_numpy(zero_copy_only=False)
                    columns.append(("dict", indices, column.dictionary.to_pylist() + [None]))
                else:
                    columns.append(("plain", column, None))
            if len(self._decoded_parts) >= 2:
                self._decoded_parts.pop(next(iter(self._decoded_parts)))
            self._decoded_parts[key] = columns
        return self._decoded_parts[key]

    def _summary(self, i: int) -> dict:
        return {key: column[i] for key, column in self._summaries.items()}

    # ------------------------------------------------------------------ sizes
    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, report_id: object) -> bool:
        return report_id in self._index

    def __repr__(self) -> str:
        """A headline (reports, agencies, years, values, findings), then one line per report."""
        return render_text(self)

    def _repr_html_(self) -> str:
        """The rich display in Jupyter: one row per report with its counts and findings (escaped)."""
        return render_html(self)

    @property
    def report_ids(self) -> list[str]:
        """The ids of the reports read, in order."""
        return list(self._ids)

    @property
    def nbytes(self) -> int:
        """Bytes held by the corpus's columns (Arrow buffers; summaries not counted)."""
        return sum(t.nbytes for parts in (*self._segments.values(), *self._pending.values()) for t in parts)

    @property
    def parsed(self) -> list[_ReportView]:
        """Each report's ``report_id``, ``summary`` (dict) and ``facts`` (records, built on demand)."""
        return [_ReportView(self, i, rid) for i, rid in enumerate(self._ids)]

    # ------------------------------------------------------------------ frames
    def _frame(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            if name == "reports":
                self._frames[name] = pd.DataFrame(self._summaries) if self._ids else pd.DataFrame()
            elif name == "findings":
                checks = self._frame("checks")
                self._frames[name] = checks[checks["status"] == "fail"].reset_index(drop=True)
            else:
                self._frames[name] = to_pandas(self._table(name), name)
        return self._frames[name].copy(deep=False)

    @property
    def reports(self) -> pd.DataFrame:
        """One summary row per report read."""
        return self._frame("reports")

    @property
    def facts(self) -> pd.DataFrame:
        """Every report's facts, stacked (the tidy facts columns)."""
        return self._frame("facts")

    @property
    def checks(self) -> pd.DataFrame:
        """Every check made on every report."""
        return self._frame("checks")

    @property
    def findings(self) -> pd.DataFrame:
        """The failing checks of every report."""
        return self._frame("findings")

    @property
    def missing(self) -> pd.DataFrame:
        """Tables and rows each report's format requires but its text lacks."""
        return self._frame("missing")

    @property
    def unplaced(self) -> pd.DataFrame:
        """Numbers in table sections that could not be placed, per report."""
        return self._frame("unplaced")

    @property
    def problems(self) -> pd.DataFrame:
        """Rows and cells that could not be read as expected, per report (``report.problems``).

        ``corpus.reports.problems`` counts them per report.
        """
        return self._frame("problems")

    def to_arrow(self, frame: str = "facts") -> pa.Table:
        """A frame as an Arrow table, texts dictionary-encoded (for DuckDB, Polars, Parquet).

        Example:
            >>> import duckdb
            >>> facts = read_reports("data/raw", progress=False).to_arrow("facts")
            >>> duckdb.sql("select section, count(*) from facts group by section order by section").fetchall()
            [('active_disclosure', 44), ('applications', 161), ('prose', 55), ('review_litigation', 15)]
        """
        if frame not in FRAMES:
            raise ValueError(f"frame must be one of {FRAMES}, not {frame!r}")
        return self._table(frame)

    # ------------------------------------------------------------------ one report
    def report_summary(self, report_id: str) -> dict:
        """One report's row of :attr:`reports`, as a dict (looked up by id)."""
        return self._summary(self._position(report_id))

    def report_facts(self, report_id: str) -> pd.DataFrame:
        """One report's facts (looked up by id, not by scanning the corpus)."""
        return to_pandas(self._slice(self._position(report_id), "facts"), "facts")

    def report_checks(self, report_id: str) -> pd.DataFrame:
        """One report's checks (looked up by id)."""
        return to_pandas(self._slice(self._position(report_id), "checks"), "checks")

    def table(self, report_id: str, section: str) -> pd.DataFrame:
        """One report's printed table (see :meth:`Report.table <shaoyang_report.read.report.Report.table>`)."""
        i = self._position(report_id)
        return printed_table(self._records(i, "facts"), self._summaries["template"][i], section)

    # ------------------------------------------------------------------ saving
    def save(self, folder: str | Path) -> Path:
        """Write the corpus to a folder (Parquet per frame, JSON for the rest); see :meth:`load`.

        The folder is written beside and renamed into place (it is whole or absent).
        """
        import pyarrow.parquet as pq

        folder = Path(folder)
        with replacing_folder(folder) as stage:
            for frame in FRAMES:
                pq.write_table(self._table(frame), stage / f"{frame}.parquet")
            if len(self.catalog.columns):
                self.catalog.to_parquet(stage / "catalog.parquet", index=False)
            meta = {"format": _SAVE_FORMAT, "ids": self._ids, "summaries": self._summaries,
                    "rows": {f: list(self._rows[f]) for f in FRAMES}, "uncatalogued": self.uncatalogued,
                    "errors": self.errors[["path", "error"]].values.tolist()}
            (stage / "corpus.json").write_text(json.dumps(meta, ensure_ascii=False, default=_json_default), "utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Corpus:
        """A corpus written by :meth:`save`.

        Raises:
            ValueError: The folder holds no corpus of this version of the package.
        """
        import pyarrow.parquet as pq

        folder = Path(folder)
        try:
            meta = json.loads((folder / "corpus.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{folder}: not a saved corpus ({exc})") from None
        if meta.get("format") != _SAVE_FORMAT:
            raise ValueError(f"{folder}: saved by another version of shaoyang_report")
        catalog = folder / "catalog.parquet"
        corpus = cls(errors=pd.DataFrame(meta["errors"], columns=["path", "error"]),
                     catalog=pd.read_parquet(catalog) if catalog.exists() else pd.DataFrame(),
                     uncatalogued=meta["uncatalogued"])
        corpus._ids = list(meta["ids"])
        for i, rid in enumerate(corpus._ids):
            corpus._index.setdefault(rid, i)
        corpus._summaries = {k: [corpus._strings.setdefault(v, v) if isinstance(v, str) else v for v in column]
                             for k, column in meta["summaries"].items()}
        for frame in FRAMES:
            strings = [name for name, dtype in _fields(frame) if dtype == "string"]
            table = pq.read_table(folder / f"{frame}.parquet", read_dictionary=strings)
            corpus._segments[frame] = [table.cast(_schema(frame))]
            corpus._rows[frame] = array("q", meta["rows"][frame])
        return corpus


_SAVE_FORMAT = 1


def _json_default(value: object) -> object:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot save {type(value).__name__} in a corpus summary")


@contextmanager
def replacing_folder(path: str | Path) -> Iterator[Path]:
    """Write a folder via a staging folder beside it, renamed into place when done.

    Like :func:`shaoyang_report.atomic.replacing` for a folder: the block writes the
    staging folder it is given; when the block ends normally an existing ``path`` is
    renamed aside, the staging folder renamed to ``path``, and the old one removed. When
    the block raises, the staging folder is removed and ``path`` is left as it was.
    The staging folder's name is a temporary one (:func:`~shaoyang_report.atomic.is_temporary`).
    """
    from shaoyang_report.atomic import _TEMP_FILE, _sweep

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path.parent, _TEMP_FILE, f".{path.name}.")

    def temp_name() -> Path:
        return path.parent / f".{path.name}.sr-{os.getpid()}-{secrets.token_hex(4)}.tmp"

    stage = temp_name()
    stage.mkdir()
    try:
        yield stage
        old = None
        if path.exists() or path.is_symlink():
            if not path.is_dir() or path.is_symlink():
                raise FileExistsError(f"{path}: a file is in the way of the output folder")
            old = temp_name()
            os.replace(path, old)
        os.replace(stage, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


# ---------------------------------------------------------------------------- finding files
def report_files(folder: Path) -> list[Path]:
    """The report files below a folder (by suffix, see ``REPORT_SUFFIXES``), sorted.

    A symbolic link whose target is missing is listed too, so reading it fails loudly
    (a row of ``corpus.errors``) instead of the file silently not being there.
    Temporary files and staging folders of unfinished writes
    (:func:`shaoyang_report.atomic.is_temporary`) are left out.
    """
    from shaoyang_report.atomic import is_temporary

    found = []
    for p in folder.rglob("*"):
        if p.suffix.lower() not in REPORT_SUFFIXES or is_temporary(p.relative_to(folder)):
            continue
        if p.suffix.lower() in _IMAGE_SUFFIXES and _saved_with_a_page(p, folder):
            continue  # a picture of a saved web page (read with the page, where it stands)
        if p.is_file() or (p.is_symlink() and not p.exists()):  # exists() follows the link
            found.append(p)
    return sorted(found)


_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


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


def _jobs(source, catalog, strict) -> tuple[list[Job], pd.DataFrame, list[Path]]:
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
    if catalog_path:
        find = _entry_finder(catalog_path.parent, entries(catalog_frame))
        jobs = [(f, find(f), strict) for f in files]
    else:
        jobs = [(f, None, strict) for f in files]
    return jobs, catalog_frame, uncatalogued


def _progress(total: int, progress: bool | None, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="report", disable=(not progress) if progress is not None else None)


# ---------------------------------------------------------------------------- the cache
@cache
def _package_fingerprint() -> str:
    """A hash of the package's own code and data: a cached corpus is stale when they change."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".toml", ".csv", ".json") and "__pycache__" not in p.parts:
            digest.update(p.relative_to(root).as_posix().encode())
            digest.update(p.read_bytes())
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        return f"unreadable: {type(exc).__name__}"


def corpus_key(jobs: list[Job], catalog: pd.DataFrame, uncatalogued: list[Path]) -> str:
    """The key of a corpus read from these jobs: the files' paths and content hashes, their
    catalog entries, the strictness, the catalog, and the package's code."""
    digest = hashlib.sha256(f"corpus {_SAVE_FORMAT} {_package_fingerprint()}\n".encode())
    for path, entry, strict in jobs:
        digest.update(f"{os.path.abspath(path)}\0{_file_hash(path)}\0{entry!r}\0{strict!r}\n".encode())
    digest.update(pd.util.hash_pandas_object(catalog, index=False).values.tobytes() if len(catalog.columns) else b"")
    digest.update(repr(list(catalog.columns)).encode())
    digest.update("\n".join(map(str, uncatalogued)).encode())
    return digest.hexdigest()[:32]


#: Corpora kept in a cache folder (the least recently used are removed beyond this).
CACHE_ENTRIES = 4


def _cached(cache_dir: Path, key: str) -> Corpus | None:
    folder = cache_dir / f"corpus-{key}"
    if not (folder / "corpus.json").is_file():
        return None
    try:
        corpus = Corpus.load(folder)
    except (ValueError, OSError, pa.ArrowException):
        return None
    os.utime(folder)  # most recently used
    return corpus


def _store(cache_dir: Path, key: str, corpus: Corpus) -> None:
    from shaoyang_report.atomic import is_temporary

    try:
        corpus.save(cache_dir / f"corpus-{key}")
    except FileExistsError:
        return
    except OSError:  # a cache that cannot be written is no error
        return
    kept = sorted((p for p in cache_dir.glob("corpus-*") if p.is_dir() and not is_temporary(p.name)),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[CACHE_ENTRIES:]:
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------- reading and writing
def read_reports(
    source: str | Path | Iterable[str | Path],
    *,
    catalog: str | Path | None = None,
    strict: bool | None = None,
    progress: bool | None = None,
    workers: int = 1,
    cache: str | Path | None = None,
    engine: str = "local",
    scheduler=None,
) -> Corpus:
    """Read many reports; an unreadable file is listed in ``corpus.errors``, not raised.

    The corpus keeps every report's frames as compact columns (about 20 KB per report);
    to stream facts to disk without keeping them, use :func:`write_facts`.

    Args:
        source: A folder, a file, or a list of files. A folder with a ``catalog.csv``
            is read as the catalog says (each row's ``local_file``); report files in it
            that no row names (archived copies, superseded openings, strays) are not
            read but listed in ``corpus.uncatalogued``. A folder without a catalog is
            searched recursively for report files.
        catalog: A catalog CSV naming each report (report_id, agency for comparison,
            year, URL, local_file relative to the catalog's folder). Defaults to
            ``catalog.csv`` in the folder.
        strict: See :func:`~shaoyang_report.read.report.read_report`.
        progress: Show a progress bar (tqdm). ``None`` (default): only on a terminal.
        workers: Processes to read with (1 reads in this process). Files go to the
            workers in chunks; their columns come back as Arrow tables.
        cache: A folder of saved corpora: when it holds this corpus (same files, same
            contents, same catalog, same version of the package), it is loaded instead
            of read; otherwise the corpus read is saved there (see :meth:`Corpus.save`).
        engine: ``"local"`` (default: this process, or ``workers`` processes) or
            ``"dask"``: the files are parsed as ``dask.bag`` tasks by the workers of a
            ``dask.distributed`` cluster and their columns gathered here, in order
            (the same corpus as a local read; needs the extra ``shaoyang-report[dask]``).
            The workers open the files by their absolute paths: on a cluster of several
            machines the files must be at the same path on each (a shared filesystem).
            See :mod:`shaoyang_report.corpus.distributed`.
        scheduler: With ``engine="dask"``: the cluster, as a scheduler address
            (``"tcp://host:8786"``), a ``distributed.Client`` or a cluster object
            (e.g. a ``LocalCluster``). ``None``: the current Dask client, else the
            address in Dask's configuration (``DASK_SCHEDULER_ADDRESS``).

    Returns:
        The :class:`Corpus`.

    Raises:
        ImportError: ``engine="dask"`` without Dask installed (``pip install 'shaoyang-report[dask]'``).
        ValueError: An unknown engine, ``workers`` or ``scheduler`` given with the wrong engine,
            or ``engine="dask"`` with no cluster to use.
        OSError: The Dask scheduler cannot be reached.
    """
    jobs, catalog_frame, uncatalogued = _jobs(source, catalog, strict)
    key = None
    if cache is not None:
        key = corpus_key(jobs, catalog_frame, uncatalogued)
        found = _cached(Path(cache), key)
        if found is not None:
            return found
    corpus = Corpus(catalog=catalog_frame, uncatalogued=[str(p) for p in uncatalogued])
    errors: list[tuple[str, str]] = []
    with _engine(engine, scheduler, workers) as cluster, \
            _progress(len(jobs), progress, "reading reports") as bar, _frozen_heap():
        for batch in _parse_batches(jobs, workers, _BATCH, cluster):
            corpus._add_batch(batch)
            errors += batch.errors
            bar.update(batch.files)
    corpus.errors = pd.DataFrame(errors, columns=["path", "error"])
    if key is not None:
        _store(Path(cache), key, corpus)
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
    partition_by: Sequence[str] | None = None,
    engine: str = "local",
    scheduler=None,
) -> pd.DataFrame:
    """Stream many reports' facts to one CSV or Parquet file, or a partitioned dataset, in flat memory.

    Only a batch of reports' facts is held at a time, so a corpus of 10^5 reports needs
    no more memory than one of 10^3. The output is written beside ``path`` and renamed
    over it at the end: an interrupted write leaves the previous file (or folder) as it
    was (see :mod:`shaoyang_report.atomic`).

    Args:
        source: As for :func:`read_reports`.
        path: ``.csv`` (UTF-8 with BOM, text defused against formula injection) or
            ``.parquet``; with ``partition_by``, the folder of the dataset.
        catalog, strict, progress, workers: As for :func:`read_reports`.
        batch: Reports per write (in this process; workers write chunks of at most 32).
        partition_by: Facts columns (e.g. ``["year"]``) to partition a Parquet dataset
            by: ``path/year=2020/part-0.parquet`` … (Hive style, read directly by DuckDB
            ``read_parquet('path/**/*.parquet', hive_partitioning = true)``, Polars
            ``pl.scan_parquet(path)`` and pandas ``pd.read_parquet(path)``). A missing
            value goes to ``year=__HIVE_DEFAULT_PARTITION__``.
        engine, scheduler: As for :func:`read_reports`. With ``engine="dask"`` and
            ``partition_by``, each Dask task parses a chunk of files and writes its
            facts into the dataset's staging folder itself
            (``year=2020/part-000003-0.parquet``: one file per task and partition value);
            only the errors come back, and the staging folder is renamed into place
            at the end as for a local write. The workers must see ``path``'s folder at
            the same path (a shared filesystem): files they wrote that this process
            cannot see are an error, and nothing is replaced. Without
            ``partition_by``, the workers parse and this process writes the one file.

    Returns:
        The errors (``path``, ``error``), one row per unreadable file.
    """
    from shaoyang_report.atomic import replacing

    path = Path(path)
    if partition_by and (path.is_file() or path.is_symlink()):
        raise FileExistsError(f"{path}: a file is in the way of the partitioned dataset's folder")
    jobs, _, _ = _jobs(source, catalog, strict)
    if partition_by:
        columns = [name for name, _ in _fields("facts")]
        unknown = [c for c in partition_by if c not in columns]
        if unknown:
            raise ValueError(f"cannot partition by {', '.join(unknown)}: not a facts column ({', '.join(columns)})")
        with _engine(engine, scheduler, workers) as cluster, replacing_folder(path) as stage:
            return _write_dataset(jobs, stage, list(partition_by), progress, workers, batch, cluster)
    with _engine(engine, scheduler, workers) as cluster, replacing(path) as tmp:
        return _write_file(jobs, tmp, path.suffix.lower() == ".parquet", progress, workers, batch, cluster)


def _empty_facts() -> pd.DataFrame:
    return to_pandas(_schema("facts").empty_table(), "facts")


@cache
def _public_schema() -> pa.Schema:
    """The facts' Arrow schema as pandas writes it (with the pandas metadata that restores the dtypes)."""
    return pa.Schema.from_pandas(_empty_facts(), preserve_index=False)


def _fact_tables(jobs: list[Job], workers: int, batch: int, errors: list, bar, cluster=None) -> Iterator[pa.Table]:
    """The facts of ``batch`` reports at a time (worker chunks gathered), as the corpus's Arrow columns."""
    gathered: list[pa.Table] = []
    reports = 0
    for parsed in _parse_batches(jobs, workers, batch, cluster):
        errors.extend(parsed.errors)
        bar.update(parsed.files)
        if parsed.report_ids:
            gathered.append(parsed.tables["facts"])
            reports += len(parsed.report_ids)
        if reports >= batch:
            yield pa.concat_tables(gathered)
            gathered, reports = [], 0
    if gathered:
        yield pa.concat_tables(gathered)


def _write_file(jobs: list[Job], tmp: Path, parquet: bool, progress, workers: int, batch: int,
                cluster=None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    from shaoyang_report.corpus.export import safe_frame

    errors: list[tuple[str, str]] = []
    schema = _public_schema()
    with _progress(len(jobs), progress, "writing facts") as bar, _frozen_heap():
        writer = pq.ParquetWriter(tmp, schema) if parquet else None
        try:
            first = True
            for table in _fact_tables(jobs, workers, batch, errors, bar, cluster):
                frame = dictionary.build_frame(table, "facts")
                if parquet:
                    writer.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False))
                else:
                    safe_frame(frame).to_csv(tmp, mode="w" if first else "a", header=first, index=False,
                                             encoding="utf-8-sig" if first else "utf-8")
                first = False
            if first and not parquet:  # no report read: the header still
                _empty_facts().to_csv(tmp, index=False, encoding="utf-8-sig")
        finally:
            if writer is not None:
                writer.close()
    return pd.DataFrame(errors, columns=["path", "error"])


def _write_dataset(jobs: list[Job], folder: Path, partition_by: list[str], progress, workers: int,
                   batch: int, cluster=None) -> pd.DataFrame:
    errors: list[tuple[str, str]] = []
    with _progress(len(jobs), progress, "writing facts") as bar, _frozen_heap():
        if cluster is not None:  # the cluster's workers write the files
            errors = cluster.write_dataset(jobs, folder, partition_by, batch, bar)
        else:
            _write_partitioned(_fact_tables(jobs, workers, batch, errors, bar), folder, partition_by)
    return pd.DataFrame(errors, columns=["path", "error"])


def _write_partitioned(tables: Iterable[pa.Table], folder: Path, partition_by: list[str],
                      basename: str = "part-{i}.parquet", file_visitor=None) -> None:
    """Write facts (the corpus's Arrow columns) into a Hive-partitioned Parquet dataset's folder.

    The files have the public facts schema (pandas' metadata without the partition
    columns: read back, those come from the folder names). Files already in the folder
    are kept unless a written one has the same name: several writers (the tasks of
    ``engine="dask"``) fill one folder, each with its own ``basename``.

    Args:
        tables: Facts tables, written in order.
        folder: The dataset's folder.
        partition_by: Facts columns to partition by.
        basename: The files' name (``{i}`` numbers the files of one writer in a partition).
        file_visitor: Called with each file written (see ``pyarrow.dataset.write_dataset``).
    """
    import pyarrow.dataset as ds

    schema = _public_schema()
    kept = _empty_facts().drop(columns=partition_by)
    schema = schema.with_metadata(pa.Schema.from_pandas(kept, preserve_index=False).metadata)
    partitioning = ds.partitioning(pa.schema([schema.field(c) for c in partition_by]), flavor="hive")

    def batches() -> Iterator[pa.RecordBatch]:
        for table in tables:
            frame = dictionary.build_frame(table, "facts")
            yield from pa.Table.from_pandas(frame, schema=schema, preserve_index=False).to_batches()

    ds.write_dataset(batches(), folder, schema=schema, format="parquet", partitioning=partitioning,
                     basename_template=basename, existing_data_behavior="overwrite_or_ignore",
                     file_visitor=file_visitor)


def read_facts(path: str | Path) -> pd.DataFrame:
    """Read facts written by :func:`write_facts` to Parquet (a file, or a partitioned dataset's folder).

    The frame has the declared columns, in order, with their dtypes (a partition column
    comes back as it was written, not as a category; a missing value written to
    ``year=__HIVE_DEFAULT_PARTITION__`` comes back missing).

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp()) / "facts"
        >>> write_facts("data/raw", folder, partition_by=["year"], progress=False).empty
        True
        >>> facts = read_facts(folder)
        >>> facts.equals(read_reports("data/raw", progress=False).facts.sort_values(["year", "report_id"],
        ...     kind="stable").reset_index(drop=True)), str(facts.year.dtype)
        (True, 'Int64')
    """
    import pyarrow.dataset as ds

    path = Path(path)
    public = _public_schema()
    if path.is_dir():
        partition_names = sorted({part.split("=", 1)[0] for p in path.rglob("*.parquet")
                                  for part in p.relative_to(path).parts[:-1] if "=" in part})
        partitioning = ds.partitioning(pa.schema([public.field(c) for c in partition_names]), flavor="hive")
        table = ds.dataset(path, format="parquet", partitioning=partitioning).to_table()
    else:
        table = ds.dataset(path, format="parquet").to_table()
    return dictionary.build_frame(table.select(public.names).cast(public.remove_metadata()), "facts")
