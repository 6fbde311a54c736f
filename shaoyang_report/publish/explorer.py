"""The report explorer (notebook ``03-report-explorer``): one report's tables as printed, with its prose figures.

Each function returns one section of the page as :class:`~shaoyang_report.publish.html.Html`
drawn by ``templates/explorer.html.j2`` (every text escaped): the report's agency, year,
format and source; its tables 二, 三, 四 as printed (blank cells left blank); its own
checks that fail; the figures stated in its prose, each with its sentence.
:func:`explorer_reports` chooses the reports a briefing shows this way.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shaoyang_report.compare.grouping import agency_reports
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.errors import BriefingError
from shaoyang_report.publish.html import (
    SECTION_ZH,
    TABLE_SECTIONS,
    Html,
    completeness_zh,
    slug,
    templates,
)


def _templates():
    return templates("explorer")


def _report_row(corpus: Corpus, report_id: str) -> pd.Series:
    """The report's summary (looked up by id)."""
    if report_id not in corpus:
        ids = corpus.report_ids
        listed = ", ".join(ids[:10]) + (f" … ({len(ids)} reports)" if len(ids) > 10 else "")
        raise KeyError(f"no report {report_id!r} in the corpus; it holds {listed}")
    return pd.Series(corpus.report_summary(report_id), dtype=object)


def default_report(corpus: Corpus, agency: str | None = None) -> str:
    """The report the explorer shows when none is named: the latest with the most table values."""
    reports = agency_reports(corpus.reports, agency)
    if reports.empty:
        raise BriefingError("no report to explore")
    values = reports[list(TABLE_SECTIONS)].map(lambda t: int(str(t).split("/")[0])).sum(axis=1)
    order = reports.assign(_v=values).sort_values(["_v", "year"], ascending=False)
    return str(order.report_id.iloc[0])


def explorer_reports(corpus: Corpus, agency: str) -> list[str]:
    """The reports a briefing shows with the explorer: the agency's reports with tables, one per year.

    Of several reports of one year, the most complete (as :func:`~shaoyang_report.compare_years`
    picks it: a complete text before an opening, then more tables, then more values;
    the first read on a tie).
    """
    reports = corpus.reports
    if reports.empty:
        return []
    reports = agency_reports(reports, agency)
    reports = reports[reports.tables_read.fillna("").astype(bool)]
    chosen: dict[object, tuple] = {}
    for order, r in enumerate(reports.itertuples()):
        values = sum(int(str(getattr(r, s)).split("/")[0]) for s in TABLE_SECTIONS) + int(r.prose)
        key = (r.completeness != "opening only", len(str(r.tables_read).split(",")) + (r.prose > 0), values, -order)
        year = None if pd.isna(r.year) else int(r.year)
        if year not in chosen or key > chosen[year][0]:
            chosen[year] = (key, r.report_id)
    return [rid for _, (_, rid) in sorted(chosen.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))]


def report_header(corpus: Corpus, report_id: str) -> Html:
    """The report's agency, year, format, source and URL."""
    r = _report_row(corpus, report_id)
    return Html(_templates().header(
        agency=r.agency, year=r.year, report_id=r.report_id, template=r.template,
        completeness=completeness_zh(r.completeness), source=r.source, findings=r.findings,
        printed=r.agency_printed if isinstance(r.agency_printed, str) else "",
        url=r.url if isinstance(r.url, str) else ""))


def printed_tables(corpus: Corpus, report_id: str) -> Html:
    """The report's tables 二, 三, 四 as printed (Chinese labels, blank cells left blank)."""
    tables = [(SECTION_ZH[section], section, corpus.table(report_id, section)) for section in TABLE_SECTIONS]
    return Html(_templates().printed_tables(
        [(label, section, [frame.index.name, *frame.columns], None if frame.empty else list(frame.iterrows()))
         for label, section, frame in tables]))


def report_findings(corpus: Corpus, report_id: str) -> Html:
    """The report's own checks that fail, and how many pass or cannot be made."""
    mine = corpus.report_checks(report_id)
    counts = mine.status.value_counts()
    summary = {"checks": len(mine), "passed": int(counts.get("pass", 0)), "failed": int(counts.get("fail", 0)),
               "not_checkable": int(counts.get("not_checkable", 0))}
    return Html(_templates().findings(summary, list(mine[mine.status == "fail"].itertuples())))


def _prose_names() -> dict[tuple[str, str], str]:
    from shaoyang_report.prose_metrics import prose_metric_catalogue

    catalogue = prose_metric_catalogue()
    return {(r.item, r.measure): r.name_zh for r in catalogue.itertuples()}


def prose_figures(corpus: Corpus, report_id: str) -> Html:
    """The figures stated in the report's prose, each with its sentence and place."""
    facts = corpus.report_facts(report_id)
    prose = facts[facts.section == "prose"]
    if prose.empty:
        return Html(_templates().prose_figures([]))
    names = _prose_names()
    return Html(_templates().prose_figures([(names.get((r.item, r.measure), f"{r.item}/{r.measure}"), r)
                                            for r in prose.itertuples()]))


def write_report_facts(corpus: Corpus, report_id: str, folder: str | Path) -> Path:
    """Write one report's facts to ``report-<report_id>-facts.csv`` in ``folder``."""
    from shaoyang_report.corpus.export import write_frame

    return write_frame(corpus.report_facts(report_id), Path(folder) / f"report-{slug(report_id)}-facts.csv")
