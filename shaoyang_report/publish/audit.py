"""The consistency audit (notebook ``02-consistency-audit``): every finding across the corpus.

Each function returns one section of the audit as :class:`~shaoyang_report.publish.html.Html`
drawn by ``templates/audit.html.j2`` (every text escaped), for the whole corpus or one
agency: how many reports and checks, one row per report, every failing check with where
its numbers were printed, the cross-year checks, what each report's format requires but
its text lacks, and the numbers that could not be placed. :func:`write_audit` writes the
findings as CSV beside the page.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shaoyang_report.compare.years import compare_years, cross_year_checks
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.publish.html import (
    SECTION_ZH,
    TABLE_SECTIONS,
    Html,
    completeness_zh,
    templates,
)

STATUS_ZH = {"pass": "相符", "fail": "不符", "not_checkable": "无法核对"}
REASON_ZH = {"table not in the text": "文本中没有该表", "row not found": "未找到该行",
             "the text ends before this row": "文本在该行之前结束"}


def _templates():
    return templates("audit")


def audit_summary(corpus: Corpus, agency: str | None = None) -> Html:
    """The audit's heading: how many reports, agencies, checks and findings."""
    reports = corpus.reports
    checks = corpus.checks
    if agency:
        reports = reports[reports.agency == agency]
        checks = checks[checks.agency == agency]
    counts = checks.status.value_counts()
    summary = {"reports": len(reports), "agencies": reports.agency.nunique(), "years": reports.year.nunique(),
               "errors": len(corpus.errors), "checks": len(checks), "passed": int(counts.get("pass", 0)),
               "failed": int(counts.get("fail", 0)), "not_checkable": int(counts.get("not_checkable", 0))}
    return Html(_templates().summary(agency, summary))


def write_audit(corpus: Corpus, folder: str | Path, agency: str | None = None) -> Path:
    """Write every finding and every cross-year check to ``audit-findings.csv`` in ``folder``."""
    from shaoyang_report.corpus.export import write_frame

    agencies = sorted(a for a in corpus.reports.agency.dropna().unique() if not agency or a == agency)
    frames = [corpus.findings if not agency else corpus.findings[corpus.findings.agency == agency]]
    for name in agencies:
        if corpus.reports[corpus.reports.agency == name].year.nunique() > 1:
            frames.append(cross_year_checks(compare_years(corpus, agency=name), name))
    frames = [f for f in frames if len(f)]
    frame = pd.concat(frames, ignore_index=True) if frames else corpus.findings
    return write_frame(frame, Path(folder) / "audit-findings.csv")


def audit_overview(corpus: Corpus, agency: str | None = None) -> Html:
    """One row per report: agency, year, format, values read per table, checks and findings."""
    reports = corpus.reports
    if agency:
        reports = reports[reports.agency == agency]
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
        found = found[found.agency == agency]
    return Html(_templates().findings(list(found.sort_values(["agency", "year", "report_id"]).itertuples())))


def audit_cross_year(corpus: Corpus, agency: str | None = None) -> Html:
    """Cross-year checks for every agency with reports in consecutive years."""
    agencies = sorted(a for a in corpus.reports.agency.dropna().unique() if not agency or a == agency)
    rows = []
    for name in agencies:
        years = set(corpus.reports[corpus.reports.agency == name].year.dropna().astype(int))
        if not any(y + 1 in years for y in years):
            continue
        rows += [{"agency": name, "check": r, "status_zh": STATUS_ZH.get(r.status, r.status)}
                 for r in cross_year_checks(compare_years(corpus, agency=name), name).itertuples()]
    return Html(_templates().cross_year(rows))


def audit_missing(corpus: Corpus, agency: str | None = None) -> Html:
    """What each report's format requires but its text lacks, one row per report and kind of gap."""
    from shaoyang_report.layout import get_layout

    missing = corpus.missing
    reports = corpus.reports.set_index("report_id")
    if agency:
        missing = missing[missing.report_id.map(reports.agency) == agency]
    if missing.empty:
        return Html(_templates().missing([]))
    layout = get_layout()
    rows = []
    order = {rid: i for i, rid in enumerate(reports.sort_values(["agency", "year"]).index)}
    groups = sorted(missing.groupby("report_id", sort=False), key=lambda g: order.get(g[0], len(order)))
    for rid, report_gaps in groups:
        meta = reports.loc[rid] if rid in reports.index else None
        who = [meta.agency if meta is not None else "", meta.year if meta is not None else "", rid]
        whole = report_gaps[report_gaps.item.isna()]
        if len(whole):
            tables = "、".join(SECTION_ZH.get(s, s).split()[0] for s in whole.section)
            rows.append([*who, tables, "、".join(REASON_ZH.get(r, r) for r in whole.reason.unique()), "整张表"])
        for (section, reason), group in report_gaps[report_gaps.item.notna()].groupby(["section", "reason"], sort=False):
            labels = [layout.column_label(section, "item", k) for k in group.item]
            what = f"{len(labels)} 行：{'、'.join(labels[:5])}{' …' if len(labels) > 5 else ''}"
            rows.append([*who, SECTION_ZH.get(section, section).split()[0], REASON_ZH.get(reason, reason), what])
    return Html(_templates().missing(rows))


def audit_unplaced(corpus: Corpus, agency: str | None = None) -> Html:
    """Numbers printed in a table section that could not be placed in a row, and unreadable files."""
    unplaced = corpus.unplaced
    if agency:
        unplaced = unplaced[unplaced.report_id.map(corpus.reports.set_index("report_id").agency) == agency]
    return Html(_templates().unplaced(list(unplaced.itertuples()), list(corpus.errors.itertuples())))
