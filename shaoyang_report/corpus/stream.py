"""Many reports' facts streamed to one CSV or Parquet file, or a partitioned dataset, in flat memory: :func:`write_facts`.

Only a batch of reports' facts is held at a time; the output is written beside its
place and renamed into it at the end (:mod:`shaoyang_report.atomic`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from shaoyang_report import dictionary
from shaoyang_report.atomic import replacing, replacing_folder
from shaoyang_report.corpus.columns import frame_fields
from shaoyang_report.corpus.engine import engine as chosen_engine
from shaoyang_report.corpus.engine import parse_batches, progress_bar
from shaoyang_report.corpus.export import safe_frame
from shaoyang_report.corpus.files import read_jobs
from shaoyang_report.corpus.parquet import empty_facts, public_schema, write_partitioned
from shaoyang_report.corpus.parse import Job, frozen_heap
from shaoyang_report.corpus.read import must_exist
from shaoyang_report.read.entry import CallerHints


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
    year: int | None = None,
    agency: str | None = None,
    format: str | None = None,
) -> pd.DataFrame:
    """Stream many reports' facts to one CSV or Parquet file, or a partitioned dataset, in flat memory.

    Only a batch of reports' facts is held at a time, so a corpus of 10^5 reports needs
    no more memory than one of 10^3. The output is written beside ``path`` and renamed
    over it at the end: an interrupted write leaves the previous file (or folder) as it
    was (see :mod:`shaoyang_report.atomic`).

    Args:
        source: As for :func:`~shaoyang_report.corpus.read.read_reports`.
        path: ``.csv`` (UTF-8 with BOM, text defused against formula injection) or
            ``.parquet``; with ``partition_by``, the folder of the dataset.
        catalog, strict, progress, workers, year, agency, format: As for
            :func:`~shaoyang_report.corpus.read.read_reports`.
        batch: Reports per write (in this process; workers write chunks of at most 32).
        partition_by: Facts columns (e.g. ``["year"]``) to partition a Parquet dataset
            by: ``path/year=2020/part-0.parquet`` … (Hive style, read directly by DuckDB
            ``read_parquet('path/**/*.parquet', hive_partitioning = true)``, Polars
            ``pl.scan_parquet(path)`` and pandas ``pd.read_parquet(path)``). A missing
            value goes to ``year=__HIVE_DEFAULT_PARTITION__``.
        engine, scheduler: As for :func:`~shaoyang_report.corpus.read.read_reports`. With ``engine="dask"`` and
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
    path = Path(path)
    if partition_by and (path.is_file() or path.is_symlink()):
        raise FileExistsError(f"{path}: a file is in the way of the partitioned dataset's folder")
    given = CallerHints.of(year=year, agency=agency, format=format)
    must_exist(source)
    jobs = read_jobs(source, catalog, strict, given).jobs
    if partition_by:
        columns = [name for name, _ in frame_fields("facts")]
        unknown = [c for c in partition_by if c not in columns]
        if unknown:
            raise ValueError(f"cannot partition by {', '.join(unknown)}: not a facts column ({', '.join(columns)})")
        with chosen_engine(engine, scheduler, workers) as cluster, replacing_folder(path) as stage:
            return _write_dataset(jobs, stage, list(partition_by), progress, workers, batch, cluster)
    with chosen_engine(engine, scheduler, workers) as cluster, replacing(path) as tmp:
        return _write_file(jobs, tmp, path.suffix.lower() == ".parquet", progress, workers, batch, cluster)


def _fact_tables(jobs: list[Job], workers: int, batch: int, errors: list, bar, cluster=None) -> Iterator[pa.Table]:
    """The facts of ``batch`` reports at a time (worker chunks gathered), as the corpus's Arrow columns."""
    gathered: list[pa.Table] = []
    reports = 0
    for parsed in parse_batches(jobs, workers, batch, cluster):
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

    errors: list[tuple[str, str]] = []
    schema = public_schema()
    with progress_bar(len(jobs), progress, "writing facts") as bar, frozen_heap():
        writer = pq.ParquetWriter(tmp, schema) if parquet else None
        try:
            first = True
            for table in _fact_tables(jobs, workers, batch, errors, bar, cluster):
                frame = dictionary.build_frame(table, "facts")
                if writer is not None:  # parquet
                    writer.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False))
                else:
                    safe_frame(frame).to_csv(tmp, mode="w" if first else "a", header=first, index=False,
                                             encoding="utf-8-sig" if first else "utf-8")
                first = False
            if first and not parquet:  # no report read: the header still
                empty_facts().to_csv(tmp, index=False, encoding="utf-8-sig")
        finally:
            if writer is not None:
                writer.close()
    return pd.DataFrame(errors, columns=["path", "error"])


def _write_dataset(jobs: list[Job], folder: Path, partition_by: list[str], progress, workers: int,
                   batch: int, cluster=None) -> pd.DataFrame:
    errors: list[tuple[str, str]] = []
    with progress_bar(len(jobs), progress, "writing facts") as bar, frozen_heap():
        if cluster is not None:  # the cluster's workers write the files
            errors = cluster.write_dataset(jobs, folder, partition_by, batch, bar)
        else:
            write_partitioned(_fact_tables(jobs, workers, batch, errors, bar), folder, partition_by)
    return pd.DataFrame(errors, columns=["path", "error"])
