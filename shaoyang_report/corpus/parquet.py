"""Facts as Parquet: the public schema, a Hive-partitioned dataset written from the corpus's columns, and facts read back.

The files carry pandas' metadata, so DuckDB, Polars and pandas read them with the
facts' declared dtypes; :func:`read_facts` gives the frame ``corpus.facts`` would be.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

from shaoyang_report import dictionary
from shaoyang_report.corpus.columns import frame_schema, to_pandas


def empty_facts() -> pd.DataFrame:
    """A facts frame without rows (the declared columns and dtypes)."""
    return to_pandas(frame_schema("facts").empty_table(), "facts")


@cache
def public_schema() -> pa.Schema:
    """The facts' Arrow schema as pandas writes it (with the pandas metadata that restores the dtypes)."""
    return pa.Schema.from_pandas(empty_facts(), preserve_index=False)


def write_partitioned(tables: Iterable[pa.Table], folder: Path, partition_by: list[str],
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

    schema = public_schema()
    kept = empty_facts().drop(columns=partition_by)
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
    """Read facts written by :func:`~shaoyang_report.corpus.stream.write_facts` to Parquet (a file, or a partitioned dataset's folder).

    The frame has the declared columns, in order, with their dtypes (a partition column
    comes back as it was written, not as a category; a missing value written to
    ``year=__HIVE_DEFAULT_PARTITION__`` comes back missing).

    Example:
        >>> import tempfile, pathlib
        >>> from shaoyang_report import read_reports, write_facts
        >>> folder = pathlib.Path(tempfile.mkdtemp()) / "facts"
        >>> write_facts("data/raw", folder, partition_by=["year"], progress=False).empty
        True
        >>> facts = read_facts(folder)
        >>> corpus_facts = read_reports("data/raw", progress=False).facts.astype(facts.dtypes)  # texts: category → string
        >>> (facts.equals(corpus_facts.sort_values(["year", "report_id"], kind="stable").reset_index(drop=True)),
        ...  str(facts.year.dtype))
        (True, 'Int64')
    """
    import pyarrow.dataset as ds

    path = Path(path)
    public = public_schema()
    if path.is_dir():
        partition_names = sorted({part.split("=", 1)[0] for p in path.rglob("*.parquet")
                                  for part in p.relative_to(path).parts[:-1] if "=" in part})
        partitioning = ds.partitioning(pa.schema([public.field(c) for c in partition_names]), flavor="hive")
        table = ds.dataset(path, format="parquet", partitioning=partitioning).to_table()
    else:
        table = ds.dataset(path, format="parquet").to_table()
    return dictionary.build_frame(table.select(public.names).cast(public.remove_metadata()), "facts")
