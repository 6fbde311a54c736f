"""What a catalog says of one report, as the reader takes it.

A catalog (``catalog.csv``, read by :mod:`shaoyang_report.corpus.catalog`) names the
agency and year of each file; the reader uses that row where the text does not print
them (see :meth:`~shaoyang_report.read.metadata.Metadata.provenance`). The row's type
lives here, in the reading stage, so that reading never imports the corpus stage.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogEntry:
    """One catalogued report."""

    report_id: str
    agency: str
    year: int | None
    url: str = ""
    local_file: str = ""
    completeness: str = ""
    note: str = ""
