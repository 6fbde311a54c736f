"""Many reports at once: a :class:`Corpus` stacks every report's facts and findings.

A corpus holds its reports' frames as columns (Apache Arrow, every text column
dictionary-encoded: an agency, a label or a location printed in many reports is stored
once), not as one Python object per value. It holds about 20 KB per report (the
Shaoyang 2020 report: 221 facts, 45 checks; 10,000 such reports: 205 MB, against
1.9 GB as lists of dicts), so 10^5 reports fit in a few GB.
The public frames (``corpus.facts``, ``.checks`` …) are built from the columns on first
use and kept until a report is added; their text columns are ``category`` columns on the
columns' dictionaries (each text held once, as in the store: :func:`~shaoyang_report.corpus.columns.compact_frame`),
with the values of each report's own frames. :meth:`Corpus.sql` queries the columns in SQL.

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

import json
from array import array
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from shaoyang_report.atomic import replacing_folder
from shaoyang_report.corpus.columns import (
    FRAMES,
    SKIPPED_COLUMNS,
    compact_frame,
    frame_fields,
    frame_schema,
    release_freed_memory,
    reports_frame,
    rows_of,
    to_pandas,
)
from shaoyang_report.corpus.parse import ParsedBatch, report_columns
from shaoyang_report.read.report import Report, printed_table
from shaoyang_report.rendering import render_html, render_text

#: Batches combined into one segment of a frame (a segment stores each distinct text once).
#: Combining copies (and the allocator keeps what the copy freed), while a batch's own
#: dictionaries cost little: batches are combined only to keep the chunks of a very
#: large corpus few.
_SEGMENT = 256
#: The version of :meth:`Corpus.save`'s folder (a folder of another is not loaded).
SAVE_FORMAT = 3


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
        skipped: Every file below a folder read that was not read as a report, and why:
            ``path``, ``kind`` (``doc``, ``xls``, ``ofd``, ``zip``, ``mhtml``, ``notes``,
            ``report`` for an uncatalogued one …), ``reason``.
    """

    def __init__(self, *, errors: pd.DataFrame | None = None, catalog: pd.DataFrame | None = None,
                 uncatalogued: list[str] | None = None) -> None:
        self.errors = errors if errors is not None else pd.DataFrame(columns=["path", "error"])
        self.catalog = catalog if catalog is not None else pd.DataFrame()
        self.uncatalogued = list(uncatalogued or [])
        self.skipped = pd.DataFrame(columns=SKIPPED_COLUMNS).astype("string")
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._summaries: dict[str, list] = {}
        self._paths: list[str | None] = []  # the file each report was read from (absolute)
        self._modified: list[datetime | None] = []  # its archive's Last-Modified (UTC)
        self._strings: dict[str, str] = {}  # one object per distinct summary text
        self._segments: dict[str, list[pa.Table]] = {f: [] for f in FRAMES}  # combined batches
        self._pending: dict[str, list[pa.Table]] = {f: [] for f in FRAMES}  # batches not combined yet
        self._joined: dict[str, pa.Table] = {}
        self._rows: dict[str, array] = {f: array("q") for f in FRAMES}
        self._offsets: dict[str, np.ndarray] = {}
        self._frames: dict[str, pd.DataFrame] = {}
        self._kept: dict[tuple, object] = {}  # what kept() worked out from the reports
        self._decoded_parts: dict[tuple[str, int], list[tuple]] = {}

    # ------------------------------------------------------------------ building
    def add(self, report: Report) -> None:
        """Add one parsed report (its frames are rebuilt on next access; its file is not known)."""
        self.add_batch(ParsedBatch.of([report_columns(report)]))

    def add_batch(self, batch: ParsedBatch, paths: Sequence[str | Path | None] | None = None,
                  last_modified: Sequence[datetime | None] | None = None) -> None:
        """Add the reports of a parsed batch (see :func:`~shaoyang_report.corpus.parse.parse_files`).

        Args:
            batch: The reports' columns.
            paths: The file each report was read from, in the batch's order (kept made
                absolute in :attr:`files`); None: not known.
            last_modified: Each file's ``Last-Modified`` time in its archive, in the same
                order; None: not known.
        """
        n = len(batch.report_ids)
        absolute: list[str | None] = [None] * n if paths is None \
            else [None if p is None else str(Path(p).absolute()) for p in paths]
        modified: list[datetime | None] = [None] * n if last_modified is None else list(last_modified)
        if len(absolute) != n or len(modified) != n:
            raise ValueError(f"{n} report(s) in the batch, but {len(absolute)} path(s) and "
                             f"{len(modified)} Last-Modified time(s)")
        for rid, summary in zip(batch.report_ids, batch.summaries):
            self._index.setdefault(rid, len(self._ids))
            self._ids.append(rid)
            self._add_summary(summary)
        self._paths += absolute
        self._modified += modified
        for frame in FRAMES:
            self._pending[frame].append(batch.tables[frame])
            self._rows[frame].extend(batch.rows[frame])
            if len(self._pending[frame]) >= _SEGMENT:
                self._seal(frame)
        self._offsets.clear()
        self._joined.clear()
        self._frames.clear()
        self._kept.clear()
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
            self._joined[frame] = pa.concat_tables(parts) if parts else frame_schema(frame).empty_table()
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
        names = [name for name, _ in frame_fields(frame)]
        return [dict(zip(names, row)) for row in zip(*values)]

    def _decoded(self, frame: str, k: int, part: pa.Table) -> list[tuple]:
        """A part's columns ready for :meth:`_records`: dictionaries decoded once (the last two parts kept)."""
        key = (frame, k)
        if key not in self._decoded_parts:
            columns = []
            for name, _ in frame_fields(frame):
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
    def kept(self, key: tuple, build):
        """``build()``, worked out once and kept until a report is added (as the frames are).

        For what several pages of a briefing derive from the same reports (an agency's
        cross-year checks): the first asks ``build``, the others get its result.

        Args:
            key: What is kept, with whatever it depends on besides the reports (hashable).
            build: Called without arguments when ``key`` is not kept yet.
        """
        if key not in self._kept:
            self._kept[key] = build()
        return self._kept[key]

    def _frame(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            if name == "reports":
                self._frames[name] = reports_frame(self._summaries) if self._ids else pd.DataFrame()
            elif name == "files":
                self._frames[name] = pd.DataFrame({
                    "report_id": pd.array(self._ids, dtype="string"),
                    "path": pd.array(self._paths, dtype="string"),
                    "last_modified": pd.Series(self._modified, dtype="datetime64[s, UTC]")})
            elif name == "findings":
                checks = self._frame("checks")
                # a finding's message is its own: held once, with the checks' (a count by message groups nothing)
                self._frames[name] = rows_of(checks, checks["status"] == "fail", shared=("message",))
            else:
                self._frames[name] = compact_frame(self._table(name), name)
            release_freed_memory()  # the temporaries of building it
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
    def files(self) -> pd.DataFrame:
        """Where each report was read from: ``report_id``, ``path``, ``last_modified``.

        ``path`` is the file read, made absolute (missing for a report given to
        :meth:`add`); ``last_modified`` is the file's ``Last-Modified`` time (UTC) in
        the manifest of the archive it was fetched into (``<folder>/fetched/manifest.csv``
        of a folder read whole, see :mod:`~shaoyang_report.corpus.fetch`), missing when
        the manifest does not date it.

        Example:
            >>> from shaoyang_report import read_reports
            >>> corpus = read_reports("data/raw", progress=False)
            >>> row = corpus.files.set_index("report_id").loc["shaoyang_city_2020"]
            >>> row.path.endswith("data/raw/shaoyang_city_2020.txt"), row.last_modified
            (True, NaT)
        """
        return self._frame("files")

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
            >>> from shaoyang_report import read_reports
            >>> facts = read_reports("data/raw", progress=False).to_arrow("facts")
            >>> duckdb.sql("select section, count(*) from facts group by section order by section").fetchall()
            [('active_disclosure', 44), ('applications', 161), ('prose', 56), ('review_litigation', 15)]
        """
        if frame not in FRAMES:
            raise ValueError(f"frame must be one of {FRAMES}, not {frame!r}")
        return self._table(frame)

    def sql(self, query: str) -> pd.DataFrame:
        """Run a SQL query (DuckDB) on the corpus's frames, scanned in place from its Arrow columns.

        The query may name ``facts``, ``checks``, ``findings``, ``missing``, ``unplaced``,
        ``problems`` and ``reports`` (see :mod:`~shaoyang_report.corpus.sql`; DuckDB is the
        extra ``sql``).

        Example:
            >>> from shaoyang_report import read_reports
            >>> corpus = read_reports("data/raw", progress=False)
            >>> corpus.sql("select value from facts where report_id = 'shaoyang_city_2020' "
            ...            "and item = 'administrative_permit' and measure = 'decisions'")
                value
            0  7591.0
        """
        from shaoyang_report.corpus.sql import query_tables

        tables: dict[str, pa.Table | pd.DataFrame] = {frame: self._table(frame) for frame in FRAMES}
        tables["reports"] = self.reports
        return query_tables(tables, query)

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
            meta = {"format": SAVE_FORMAT, "ids": self._ids, "summaries": self._summaries,
                    "files": {"path": self._paths,
                              "last_modified": [t.isoformat() if t is not None else None for t in self._modified]},
                    "rows": {f: list(self._rows[f]) for f in FRAMES}, "uncatalogued": self.uncatalogued,
                    "skipped": self.skipped[SKIPPED_COLUMNS].values.tolist(),
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
        if meta.get("format") != SAVE_FORMAT:
            raise ValueError(f"{folder}: saved by another version of shaoyang_report")
        catalog = folder / "catalog.parquet"
        corpus = cls(errors=pd.DataFrame(meta["errors"], columns=["path", "error"]),
                     catalog=pd.read_parquet(catalog) if catalog.exists() else pd.DataFrame(),
                     uncatalogued=meta["uncatalogued"])
        corpus.skipped = pd.DataFrame(meta["skipped"], columns=SKIPPED_COLUMNS).astype("string")
        corpus._ids = list(meta["ids"])
        for i, rid in enumerate(corpus._ids):
            corpus._index.setdefault(rid, i)
        corpus._summaries = {k: [corpus._strings.setdefault(v, v) if isinstance(v, str) else v for v in column]
                             for k, column in meta["summaries"].items()}
        corpus._paths = list(meta["files"]["path"])
        corpus._modified = [datetime.fromisoformat(t) if t is not None else None for t in meta["files"]["last_modified"]]
        for frame in FRAMES:
            strings = [name for name, dtype in frame_fields(frame) if dtype == "string"]
            table = pq.read_table(folder / f"{frame}.parquet", read_dictionary=strings)
            corpus._segments[frame] = [table.cast(frame_schema(frame))]
            corpus._rows[frame] = array("q", meta["rows"][frame])
        return corpus


def _json_default(value: object) -> object:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot save {type(value).__name__} in a corpus summary")
