"""shaoyang_report: Chinese government information-disclosure annual reports as tidy data.

Turns 政府信息公开工作年度报告 (either national format, F2019 or F2021) into tidy pandas
frames, checks their arithmetic (勾稽关系) and shows the printed tables.

Example:
    >>> import shaoyang_report as sr
    >>> report = sr.read_report("data/raw/shaoyang_city_2020.txt")
    >>> report.findings[["rule", "applicant", "expected", "printed"]]
           rule       applicant  expected  printed
    0  leaf_sum  natural_person     137.0    139.0
    1  leaf_sum           total     138.0    140.0
"""

from shaoyang_report.compare.agencies import compare_agencies
from shaoyang_report.compare.grouping import agencies
from shaoyang_report.compare.scorecard import scorecard
from shaoyang_report.compare.years import (
    compare_years,
    comparison_table,
    cross_year_checks,
    indicator_table,
)
from shaoyang_report.config import VERSION
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.corpus.discover import discover
from shaoyang_report.corpus.fetch import fetch_catalog
from shaoyang_report.corpus.parquet import read_facts
from shaoyang_report.corpus.read import read_reports
from shaoyang_report.corpus.sql import sql
from shaoyang_report.corpus.stream import write_facts
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.layout import get_layout
from shaoyang_report.publish.workbook import write_workbook
from shaoyang_report.read.identity import Identity, resolve_agency
from shaoyang_report.read.report import Report, parse_document, read_report, read_text
from shaoyang_report.rendering import register as _register_display


def _display():
    # imported on first display only: the publish stage (and pandas' Styler) stay unloaded
    # until a report or a corpus is shown
    from shaoyang_report.publish import display

    return display


# Report and Corpus show themselves through the publish stage, wired from the top floor so
# that read/ and corpus/ never import publish/
_register_display(Report, text=lambda r: _display().report_text(r), html=lambda r: _display().report_html(r))
_register_display(Corpus, text=lambda c: _display().corpus_text(c), html=lambda c: _display().corpus_html(c))


def numbers_in_prose(report: Report):
    """Every number in a report's prose with its sentence (see :meth:`Report.numbers_in_prose`)."""
    return report.numbers_in_prose()

__all__ = [
    "Corpus",
    "Identity",
    "agencies",
    "compare_agencies",
    "compare_years",
    "comparison_table",
    "cross_year_checks",
    "discover",
    "fetch_catalog",
    "indicator_table",
    "Report",
    "ReportFormatError",
    "get_layout",
    "numbers_in_prose",
    "parse_document",
    "read_facts",
    "read_report",
    "read_reports",
    "sql",
    "read_text",
    "resolve_agency",
    "scorecard",
    "write_facts",
    "write_workbook",
]
__version__ = VERSION
