"""SQL over the corpus: DuckDB queries on a corpus's Arrow columns or on the Parquet files the package writes.

For the analyst whose question is one ``GROUP BY``: :meth:`Corpus.sql
<shaoyang_report.corpus.corpus.Corpus.sql>` runs a query on the corpus's own Arrow
tables (DuckDB scans them where they are: nothing is copied or converted first), and
:func:`sql` runs one on a folder written by the package — a partitioned facts dataset
(``write_facts(..., partition_by=["year"])``), a facts file, or a saved corpus
(:meth:`Corpus.save <shaoyang_report.corpus.corpus.Corpus.save>`, one Parquet file per
frame). DuckDB (MIT) is the optional extra ``sql``: ``pip install "shaoyang-report[sql]"``.

The tables a query names are the corpus frames: ``facts``, ``checks``, ``findings`` (the
failing checks), ``missing``, ``unplaced``, ``problems`` and, on a corpus, ``reports``.

Example:
    >>> import shaoyang_report as sr
    >>> corpus = sr.read_reports("data/raw", progress=False)
    >>> corpus.sql("select section, count(*) as n from facts group by section order by section")
                 section    n
    0  active_disclosure   44
    1       applications  161
    2              prose   56
    3  review_litigation   15
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

#: The view of the failing checks, named as the corpus frame.
FINDINGS_VIEW = "create view findings as select * from checks where status = 'fail'"


def _connect():
    """A fresh in-memory DuckDB connection (its own, so one query's tables never meet another's)."""
    try:
        import duckdb
    except ImportError:
        raise ImportError('SQL over the corpus needs DuckDB: pip install "shaoyang-report[sql]"') from None
    return duckdb.connect()


def query_tables(tables: dict[str, pa.Table | pd.DataFrame], query: str) -> pd.DataFrame:
    """Run ``query`` on named Arrow tables (scanned in place by DuckDB) and give the result as a DataFrame.

    Args:
        tables: Name → Arrow table (or DataFrame) the query may name; with ``checks``,
            ``findings`` is its failing rows.
        query: One SQL query (DuckDB's dialect).
    """
    return _run(tables, query)


def _run(sources: dict[str, pa.Table | pd.DataFrame | str], query: str) -> pd.DataFrame:
    """Run ``query`` on a fresh connection where each name is a table registered in place or, for a
    string, a view of that scan; ``findings`` is the failing ``checks`` unless named."""
    con = _connect()
    try:
        for name, source in sources.items():
            if isinstance(source, str):
                quoted = name.replace('"', '""')
                con.execute(f'create view "{quoted}" as select * from {source}')
            else:
                con.register(name, source)
        if "checks" in sources and "findings" not in sources:
            con.execute(FINDINGS_VIEW)
        return con.execute(query).df()
    finally:
        con.close()


def _is_dataset(folder: Path) -> bool:
    """Whether a folder is one partitioned Parquet dataset (``year=2020/…`` folders or Parquet files)."""
    return any(p.is_dir() and "=" in p.name for p in folder.iterdir()) or \
        (any(folder.glob("*.parquet")) and not any(p.is_dir() for p in folder.iterdir()) and
         not any(folder.glob("corpus.json")) and not (folder / "facts.parquet").exists())


def _scan(path: Path) -> str:
    """DuckDB's ``read_parquet`` of one file or of every Parquet file below a dataset folder (partitions as columns)."""
    target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
    return f"read_parquet('{target.replace(chr(39), chr(39) * 2)}', hive_partitioning = true, union_by_name = true)"


def parquet_views(path: str | Path) -> dict[str, str]:
    """The tables a folder written by the package offers to :func:`sql`: name → DuckDB scan.

    A Parquet file or a partitioned dataset folder is ``facts``; a folder of them (a saved
    corpus) offers each by its name (``facts.parquet`` → ``facts``, ``checks/`` → ``checks``).

    Raises:
        FileNotFoundError: ``path`` does not exist or holds no Parquet file.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.is_file() or _is_dataset(path):
        views = {"facts": _scan(path)}
    else:
        views = {p.stem: _scan(p) for p in sorted(path.iterdir())
                 if (p.is_file() and p.suffix == ".parquet") or (p.is_dir() and any(p.rglob("*.parquet")))}
    if not views:
        raise FileNotFoundError(f"{path}: no Parquet file to query")
    return views


def sql(path: str | Path, query: str) -> pd.DataFrame:
    """Run a SQL query on Parquet files written by the package (read where they lie, partitions pruned).

    Args:
        path: A facts file or partitioned dataset (:func:`write_facts
            <shaoyang_report.corpus.stream.write_facts>`), queried as ``facts`` (a partition
            key such as ``year`` is a column), or a saved corpus folder, whose frames are
            ``facts``, ``checks``, ``findings`` …
        query: One SQL query (DuckDB's dialect).

    Example:
        >>> import tempfile, shaoyang_report as sr
        >>> folder = tempfile.mkdtemp() + "/facts"
        >>> sr.write_facts("data/raw", folder, partition_by=["year"], progress=False).empty
        True
        >>> sr.sql(folder, "select year, count(*) as n from facts group by year order by year")
           year    n
        0  2019   16
        1  2020  221
        2  2021   30
        3  2023    9
    """
    return _run(dict(parquet_views(path)), query)
