"""Stage 3, corpus and fetch: many reports read into one columnar :class:`Corpus`.

:mod:`~shaoyang_report.corpus.read` reads folders and lists of reports into a
:class:`~shaoyang_report.corpus.corpus.Corpus` (the files found by
:mod:`~shaoyang_report.corpus.files`, parsed by :mod:`~shaoyang_report.corpus.parse` on the
engine :mod:`~shaoyang_report.corpus.engine` chooses, kept as the columns of
:mod:`~shaoyang_report.corpus.columns`, saved by :mod:`~shaoyang_report.corpus.cache`);
:mod:`~shaoyang_report.corpus.stream` streams facts to disk with :func:`write_facts`, as
:mod:`~shaoyang_report.corpus.parquet` writes and reads them;
:mod:`~shaoyang_report.corpus.catalog` holds the catalog of what each file is,
:mod:`~shaoyang_report.corpus.fetch` downloads new reports politely and safely,
:mod:`~shaoyang_report.corpus.distributed` runs the same reading on a Dask cluster, and
:mod:`~shaoyang_report.corpus.export` writes frames safe to open in a spreadsheet, and
:mod:`~shaoyang_report.corpus.sql` runs SQL (DuckDB) on a corpus or on the Parquet files written.

Entry: :func:`read_reports`.
"""

from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.corpus.discover import discover
from shaoyang_report.corpus.fetch import fetch_catalog
from shaoyang_report.corpus.parquet import read_facts
from shaoyang_report.corpus.read import read_reports
from shaoyang_report.corpus.sql import sql
from shaoyang_report.corpus.stream import write_facts

__all__ = ["Corpus", "discover", "fetch_catalog", "read_facts", "read_reports", "sql", "write_facts"]
