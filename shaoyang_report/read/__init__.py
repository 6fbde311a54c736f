"""Stage 1, read: a report file (text, saved web page, Word, PDF) → a :class:`Report`.

Every source is turned into one :class:`~shaoyang_report.read.document.Document` by a
reader in :mod:`~shaoyang_report.read.readers`; the one template reader
(:mod:`~shaoyang_report.read.tables`) places its numbers on the national format's rows
(:mod:`shaoyang_report.layout`), :mod:`~shaoyang_report.read.prose` reads the figures
stated in sentences and :mod:`~shaoyang_report.read.metadata` the agency and year.

Entry: :func:`read_report`.
"""

from shaoyang_report.read.readers import load_document
from shaoyang_report.read.report import Report, parse_document, read_report, read_text

__all__ = ["Report", "load_document", "parse_document", "read_report", "read_text"]
