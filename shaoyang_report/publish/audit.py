"""The consistency audit (notebook ``02-consistency-audit``): every finding across the corpus.

Each function returns one section of the audit as :class:`~shaoyang_report.publish.html.Html`
drawn by ``templates/audit.html.j2`` (every text escaped), for the whole corpus or one
agency: how many reports and checks, one row per report, every failing check with where
its numbers were printed, the cross-year checks, what each report's format requires but
its text lacks, the numbers that could not be placed, and the sources (the only section
naming report ids and files). Everything is said in Chinese: locations ``第4页第18行``,
the reader's notes through :mod:`~shaoyang_report.publish.wording`. :func:`write_audit`
writes the findings as CSV beside the page.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shaoyang_report.compare.grouping import agency_keys, agency_names, agency_reports, comparable_pairs
from shaoyang_report.compare.years import compare_years, cross_year_checks
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.publish.html import (
    SECTION_ZH,
    TABLE_SECTIONS,
    Html,
    agency_zh,
    completeness_zh,
    location_zh,
    templates,
)
from shaoyang_report.publish.wording import message_zh

STATUS_ZH = {"pass": "相符", "fail": "不符", "not_checkable": "无法核对"}


def _templates():
    return templates("audit")


def audit_summary(corpus: Corpus, agency: str | None = None) -> Html:
    """The audit's heading: how many reports, agencies, checks and findings."""
    reports = agency_reports(corpus.reports, agency)
    checks = corpus.checks
    if agency:
        checks = checks[checks.report_id.isin(reports.report_id)]
    counts = checks.status.value_counts()
    summary = {"reports": len(reports), "agencies": len({k for k in agency_keys(reports) if k}), "years": reports.year.nunique(),
               "errors": len(corpus.errors), "checks": len(checks), "passed": int(counts.get("pass", 0)),
               "failed": int(counts.get("fail", 0)), "not_checkable": int(counts.get("not_checkable", 0))}
    return Html(_templates().summary(agency, summary))


def write_audit(corpus: Corpus, folder: str | Path, agency: str | None = None) -> Path:
    """Write every finding and every cross-year check to ``audit-findings.csv`` in ``folder``."""
    from shaoyang_report.corpus.export import write_frame

    reports = agency_reports(corpus.reports, agency)
    frames = [corpus.findings if not agency else corpus.findings[corpus.findings.report_id.isin(reports.report_id)]]
    names = agency_names(reports)
    for key, pairs in sorted(comparable_pairs(reports).items()):
        if pairs:
            frames.append(cross_year_checks(compare_years(corpus, agency=key), names.get(key, key)))
    frames = [f for f in frames if len(f)]
    frame = pd.concat(frames, ignore_index=True) if frames else corpus.findings
    return write_frame(frame, Path(folder) / "audit-findings.csv")


def audit_overview(corpus: Corpus, agency: str | None = None) -> Html:
    """One row per report: agency, year, format, values read per table, checks and findings."""
    reports = agency_reports(corpus.reports, agency)
    checks = corpus.checks
    passed = checks[checks.status == "pass"].groupby("report_id", sort=False).size()  # once, not per report
    rows = [{"report": r, "completeness": completeness_zh(r.completeness),
             "tables": [getattr(r, s) for s in TABLE_SECTIONS], "prose": int(r.prose),
             "passed": int(passed.get(r.report_id, 0)), "findings": int(r.findings),
             "not_checkable": int(r.not_checkable), "missing": int(r.missing), "unplaced": int(r.unplaced)}
            for r in reports.sort_values(["agency", "year", "report_id"]).itertuples()]
    return Html(_templates().overview(rows))


def audit_findings(corpus: Corpus, agency: str | None = None) -> Html:
    """Every failing check, per agency and year, with where the numbers were printed."""
    found = corpus.findings
    if agency:
        found = found[found.report_id.isin(agency_reports(corpus.reports, agency).report_id)]
    return Html(_templates().findings(list(found.sort_values(["agency", "year", "report_id"]).itertuples())))


def audit_cross_year(corpus: Corpus, agency: str | None = None) -> Html:
    """Cross-year checks for every agency with reports in consecutive years."""
    reports = agency_reports(corpus.reports, agency)
    names = agency_names(reports)
    rows = []
    for key, pairs in sorted(comparable_pairs(reports).items(), key=lambda kv: (names.get(kv[0], kv[0]), kv[0])):
        if not pairs:
            continue
        name = names.get(key, key)
        rows += [{"agency": name, "check": r, "status_zh": STATUS_ZH.get(r.status, r.status),
                  "where": cross_year_where(r.locations, r.year)}
                 for r in cross_year_checks(compare_years(corpus, agency=key), name).itertuples()]
    return Html(_templates().cross_year(rows))


def audit_missing(corpus: Corpus, agency: str | None = None) -> Html:
    """What each report's format requires but its text lacks, one row per report and kind of gap."""
    from shaoyang_report.layout import get_layout

    missing = corpus.missing
    reports = corpus.reports.set_index("report_id")
    if agency:
        missing = missing[missing.report_id.isin(agency_reports(corpus.reports, agency).report_id)]
    if missing.empty:
        return Html(_templates().missing([]))
    layout = get_layout()
    rows = []
    order = {rid: i for i, rid in enumerate(reports.sort_values(["agency", "year"]).index)}
    groups = sorted(missing.groupby("report_id", sort=False), key=lambda g: order.get(g[0], len(order)))
    for rid, report_gaps in groups:
        meta = reports.loc[rid] if rid in reports.index else None
        who = [agency_zh(meta.agency) if meta is not None else "", meta.year if meta is not None else ""]
        whole = report_gaps[report_gaps.item.isna()]
        if len(whole):
            tables = "、".join(SECTION_ZH.get(s, s).split()[0] for s in whole.section)
            rows.append([*who, tables, "、".join(message_zh(r) for r in whole.reason.unique()), "整张表"])
        for (section, reason), group in report_gaps[report_gaps.item.notna()].groupby(["section", "reason"], sort=False):
            labels = [layout.column_label(section, "item", k) for k in group.item]
            what = f"{len(labels)} 行：{'、'.join(labels[:5])}{' …' if len(labels) > 5 else ''}"
            rows.append([*who, SECTION_ZH.get(section, section).split()[0], message_zh(reason), what])
    return Html(_templates().missing(rows))


def audit_unplaced(corpus: Corpus, agency: str | None = None) -> Html:
    """Numbers printed in a table section that could not be placed in a row, and unreadable files."""
    unplaced = corpus.unplaced
    if agency:
        unplaced = unplaced[unplaced.report_id.isin(agency_reports(corpus.reports, agency).report_id)]
    who = corpus.reports.set_index("report_id")[["agency", "year"]].to_dict("index") if len(corpus) else {}
    numbers = [{"number": r, **who.get(r.report_id, {"agency": "", "year": ""})} for r in unplaced.itertuples()]
    return Html(_templates().unplaced(numbers, list(corpus.errors.itertuples())))


def audit_sources(corpus: Corpus, agency: str | None = None) -> Html:
    """The reports audited with their ids, files and URLs, and the files that could not be read and why."""
    reports = agency_reports(corpus.reports, agency) if len(corpus) else corpus.reports
    ordered = reports.sort_values(["agency", "year", "report_id"]).itertuples() if len(reports) else []
    return Html(_templates().sources(list(ordered), list(corpus.errors.itertuples())))


def cross_year_where(locations: object, year: int | None) -> str:
    """Where a cross-year check's two numbers are printed (``2019年报告第293行 ← 2020年报告第40行``).

    Its ``locations`` name each number's report and place (``<report_id> <location> ← <report_id> <location>``):
    the reports are said by their years.

    Example:
        >>> cross_year_where("a_2019 line 293 ← a_2020 page 2, line 40", 2019)
        '2019年报告第293行；2020年报告第2页第40行'
    """
    if not isinstance(locations, str) or year is None or pd.isna(year):
        return ""
    said = []
    for offset, side in enumerate(locations.split(" ← ")):
        _rid, _, where = side.strip().partition(" ")
        said.append(f"{int(year) + offset}年报告{location_zh(where)}")
    return "；".join(said)
