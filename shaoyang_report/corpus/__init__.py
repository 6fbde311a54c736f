"""Stage 3, corpus and fetch: many reports read into one columnar :class:`Corpus`.

:mod:`~shaoyang_report.corpus.core` reads folders and lists of reports (in parallel,
streaming to Parquet with :func:`write_facts`), :mod:`~shaoyang_report.corpus.catalog`
holds the catalog of what each file is, :mod:`~shaoyang_report.corpus.fetch` downloads
new reports politely and safely, :mod:`~shaoyang_report.corpus.distributed` runs the
same reading on a Dask cluster, and :mod:`~shaoyang_report.corpus.export` writes frames
safe to open in a spreadsheet.

Entry: :func:`read_reports`.
"""

from shaoyang_report.corpus.core import Corpus, read_facts, read_reports, write_facts
from shaoyang_report.corpus.discover import discover
from shaoyang_report.corpus.fetch import fetch_catalog

__all__ = ["Corpus", "discover", "fetch_catalog", "read_facts", "read_reports", "write_facts"]
