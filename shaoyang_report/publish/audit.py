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
from shaoyang_report.corpus.columns import count_by
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.layout import get_layout
from shaoyang_report.publish.html import (
    ROWS_SHOWN,
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
#: The findings the audit page lists one by one: those with the largest differences.
WORST = 100
#: The files :func:`write_audit` writes beside the page (the page links them).
FINDINGS_FILE, FINDINGS_PARQUET, REPORTS_FILE = "audit-findings.csv", "audit-findings.parquet", "audit-reports.csv"
#: The columns of ``audit-reports.csv``.
REPORT_COLUMNS = ("report_id", "agency", "year", "template", "completeness", *TABLE_SECTIONS, "prose", "checks",
                  "findings", "not_checkable", "missing", "unplaced", "source", "url")


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
    """Write the audit's files into ``folder``: every finding and every cross-year check, and the reports.

    ``audit-findings.csv`` and ``audit-findings.parquet`` hold every failing check and every
    cross-year check (the audit page lists only the worst); ``audit-reports.csv`` one row per
    report, its counts, file and URL (the page lists at most :data:`ROWS_SHOWN`). The frames
    are written as they are, never turned into Python objects row by row.

    Returns:
        The path of ``audit-findings.csv``.
    """
    from shaoyang_report.corpus.export import write_frame

    folder = Path(folder)
    reports = agency_reports(corpus.reports, agency)
    frames = [_of_reports(corpus.findings, reports)]
    frames += [checks for _, checks in sorted(_cross_year(corpus, agency).items())]
    frames = [f for f in frames if len(f)]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0] if frames else corpus.findings
    written = write_frame(frame, folder / FINDINGS_FILE)
    write_frame(frame, folder / FINDINGS_PARQUET)
    del frame, frames
    write_frame(reports[[c for c in REPORT_COLUMNS if c in reports.columns]]
                .sort_values(["agency", "year", "report_id"]), folder / REPORTS_FILE)
    return written


def _cross_year(corpus: Corpus, agency: str | None) -> dict[str, pd.DataFrame]:
    """The cross-year checks of each agency (of ``agency``'s reports) with reports in consecutive years, by agency key.

    Worked out once for the audit's page and its file (:meth:`~shaoyang_report.corpus.corpus.Corpus.kept`).
    """
    def build() -> dict[str, pd.DataFrame]:
        reports = agency_reports(corpus.reports, agency)
        names = agency_names(reports)
        return {key: cross_year_checks(compare_years(corpus, agency=key), names.get(key, key))
                for key, pairs in comparable_pairs(reports).items() if pairs}

    return corpus.kept(("audit cross-year checks", agency), build)


def _of_reports(frame: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` (with a ``report_id``) of these reports (all when they are the corpus's)."""
    return frame if frame.report_id.isin(reports.report_id).all() else frame[frame.report_id.isin(reports.report_id)]


def _first(frame: pd.DataFrame, by: list[str], most: str | None = None, rows: int | None = None) -> pd.DataFrame:
    """At most ``rows`` rows (default :data:`ROWS_SHOWN`) of ``frame`` ordered by ``by``: those with the largest ``most`` when there are more."""
    rows = ROWS_SHOWN if rows is None else rows
    if most is not None and len(frame) > rows:
        frame = frame.nlargest(rows, most, keep="first")
    return frame.sort_values(by, kind="stable").head(rows)


def audit_overview(corpus: Corpus, agency: str | None = None) -> Html:
    """One row per report: agency, year, format, values read per table, checks and findings.

    At most :data:`ROWS_SHOWN` reports, those with the most findings when there are more
    (every report is in ``audit-reports.csv``).
    """
    reports = agency_reports(corpus.reports, agency)
    shown = _first(reports, ["agency", "year", "report_id"], most="findings")
    checks = corpus.checks
    prints = get_layout().prints_tables  # an F2008 report has no 表二/三/四: "—", not 0
    passed = count_by(checks[(checks.status == "pass") & checks.report_id.isin(shown.report_id)], "report_id")
    rows = [{"report": r, "completeness": completeness_zh(r.completeness),
             "tables": [getattr(r, s) if prints(r.template) else "—" for s in TABLE_SECTIONS], "prose": int(r.prose),
             "passed": int(passed.get(r.report_id, 0)), "findings": int(r.findings),
             "not_checkable": int(r.not_checkable), "missing": int(r.missing), "unplaced": int(r.unplaced)}
            for r in shown.itertuples()]
    return Html(_templates().overview(rows, len(reports), REPORTS_FILE))


def audit_findings(corpus: Corpus, agency: str | None = None) -> Html:
    """The failing checks summarised: counted by rule, by agency and by year; the worst with where they were printed.

    The worst are the :data:`WORST` findings with the largest differences; every finding is
    in ``audit-findings.csv`` (and ``.parquet``), linked from the page.
    """
    found = corpus.findings
    if agency:
        found = _of_reports(found, agency_reports(corpus.reports, agency))
    if found.empty:
        return Html(_templates().findings(0, [], [], 0, [], [], FINDINGS_FILE, FINDINGS_PARQUET))

    def counted(by: str, said, rows: int | None = None) -> list[dict]:
        c = found.groupby(by, dropna=False, sort=True).agg(findings=("report_id", "size"),
                                                           reports=("report_id", "nunique"))
        if rows is not None:
            c = c.sort_values("findings", ascending=False, kind="stable").head(rows)
        return [{"key": said(k), "findings": int(r.findings), "reports": int(r.reports)} for k, r in c.iterrows()]

    worst = found.assign(_size=found.difference.abs()).nlargest(WORST, "_size", keep="first")
    by_rule = sorted(counted("rule_zh", str), key=lambda r: -r["findings"])
    by_year = counted("year", lambda y: "年份不明" if pd.isna(y) else f"{int(y)}年")
    by_agency = counted("agency", agency_zh, ROWS_SHOWN)
    agencies = found.agency.nunique(dropna=False)
    return Html(_templates().findings(len(found), by_rule, by_agency, agencies, by_year,
                                      list(worst.itertuples()), FINDINGS_FILE, FINDINGS_PARQUET))


def audit_cross_year(corpus: Corpus, agency: str | None = None) -> Html:
    """Cross-year checks for every agency with reports in consecutive years.

    At most :data:`ROWS_SHOWN` checks, those that do not hold first (all are in ``audit-findings.csv``).
    """
    reports = agency_reports(corpus.reports, agency)
    names = agency_names(reports)
    by_agency = _cross_year(corpus, agency)
    frames = [by_agency[key] for key in sorted(by_agency, key=lambda k: (names.get(k, k), k)) if len(by_agency[key])]
    if not frames:
        return Html(_templates().cross_year([], 0, FINDINGS_FILE))
    checks = pd.concat(frames, ignore_index=True)
    order = checks.status.map({"fail": 0}).fillna(1)
    shown = checks.assign(_o=order).sort_values("_o", kind="stable").head(ROWS_SHOWN).sort_index()
    rows = [{"agency": r.agency, "check": r, "status_zh": STATUS_ZH.get(r.status, r.status),
             "where": cross_year_where(r.locations, r.year)} for r in shown.itertuples()]
    return Html(_templates().cross_year(rows, len(checks), FINDINGS_FILE))


def audit_missing(corpus: Corpus, agency: str | None = None) -> Html:
    """What each report's format requires but its text lacks, one row per report and kind of gap.

    The gaps of at most :data:`ROWS_SHOWN` reports are listed; the page says how many reports have gaps.
    """
    missing = corpus.missing
    reports = corpus.reports.set_index("report_id")
    if agency:
        missing = _of_reports(missing, agency_reports(corpus.reports, agency))
    if missing.empty:
        return Html(_templates().missing([], 0, 0))
    layout = get_layout()
    rows = []
    ordered = reports.sort_values(["agency", "year"]).index
    with_gaps = ordered[ordered.isin(missing.report_id.unique())]
    listed = set(with_gaps[:ROWS_SHOWN])
    order = {rid: i for i, rid in enumerate(with_gaps)}
    missing = missing[missing.report_id.isin(listed) | ~missing.report_id.isin(reports.index)]
    groups = sorted(missing.groupby("report_id", sort=False), key=lambda g: order.get(g[0], len(order)))
    for rid, report_gaps in groups[:ROWS_SHOWN]:
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
    return Html(_templates().missing(rows, len(with_gaps), min(len(with_gaps), ROWS_SHOWN)))


def audit_unplaced(corpus: Corpus, agency: str | None = None) -> Html:
    """Numbers printed in a table section that could not be placed in a row (at most :data:`ROWS_SHOWN`), and unreadable files."""
    unplaced = corpus.unplaced
    if agency:
        unplaced = _of_reports(unplaced, agency_reports(corpus.reports, agency))
    shown = unplaced.head(ROWS_SHOWN)
    who = corpus.reports.set_index("report_id").loc[lambda r: r.index.isin(shown.report_id), ["agency", "year"]] \
        .to_dict("index") if len(corpus) else {}
    numbers = [{"number": r, **who.get(r.report_id, {"agency": "", "year": ""})} for r in shown.itertuples()]
    return Html(_templates().unplaced(numbers, list(corpus.errors.head(ROWS_SHOWN).itertuples()), len(unplaced),
                                      len(corpus.errors)))


def audit_sources(corpus: Corpus, agency: str | None = None) -> Html:
    """The reports audited with their ids, files and URLs (at most :data:`ROWS_SHOWN`; all in ``audit-reports.csv``), and the files that could not be read and why."""
    reports = agency_reports(corpus.reports, agency) if len(corpus) else corpus.reports
    shown = _first(reports, ["agency", "year", "report_id"]) if len(reports) else reports
    return Html(_templates().sources(list(shown.itertuples()), len(reports), REPORTS_FILE,
                                     list(corpus.errors.head(ROWS_SHOWN).itertuples()), len(corpus.errors)))


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
