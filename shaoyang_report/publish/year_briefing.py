"""The year-comparison briefing (notebook ``01-year-comparison``): one agency's years side by side.

Each function returns one piece of the briefing — an :class:`~shaoyang_report.publish.html.Html`
table or list drawn by ``templates/year_briefing.html.j2`` (every text escaped) or a
:class:`~shaoyang_report.publish.plotting.Chart`: the heading, what each year's report
holds, the headline table of the latest pair of years that can be compared, which
comparisons the data can and cannot make and why, every indicator year by year, the
arithmetic findings and the sources with their URLs. Marks travel with the numbers:
``‡`` derived from the next year's report, ``*`` stated in prose, ``°`` read by OCR,
``!`` a printed total that does not add up.

Example:
    >>> import shaoyang_report as sr
    >>> years = agency_years(sr.read_reports("data/raw", progress=False), "邵阳市")
    >>> years.years[0], years.years[-1], years.latest, years.previous
    (2019, 2023, 2023, 2022)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from shaoyang_report.compare.grouping import (
    agency_keys,
    agency_names,
    agency_reports,
    comparable_pairs,
    find_agency,
)
from shaoyang_report.compare.years import compare_years, cross_year_checks
from shaoyang_report.corpus.columns import count_by
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.errors import BriefingError
from shaoyang_report.publish import plotting
from shaoyang_report.publish.html import (
    MARK_DERIVED,
    MARK_FINDING,
    MARK_OCR,
    MARK_PROSE,
    ROWS_SHOWN,
    SECTION_ZH,
    TABLE_SECTIONS,
    Html,
    change_text,
    completeness_zh,
    number,
    slug,
    templates,
)

#: Indicators of the headline table, in order (those with no value in any year are left out).
HEADLINE = (
    "permit_decisions", "penalty_decisions", "permit_items", "penalty_items", "procurement_amount",
    "fee_amount", "normative_documents_issued", "normative_documents_in_force", "applications_received",
    "applications_handled", "share_granted", "review_total", "information_published",
    "hotline_satisfaction", "mailbox_completion_rate",
)


def _templates():
    return templates("year_briefing")


def default_agency(corpus: Corpus) -> str:
    """The agency a briefing is about when none is named: the one with most comparable pairs of years.

    Its id (``corpus.reports.agency_id``). Ties go to the agency with more years read, then
    more values read from tables, then the name.

    Raises:
        BriefingError: The corpus holds no report that names its agency.
    """
    reports = corpus.reports
    keys = agency_keys(reports)
    if reports.empty or not any(keys):
        raise BriefingError("no report in the corpus names its agency; nothing to brief on")
    pairs = comparable_pairs(reports)
    names = agency_names(reports)
    table_values = count_by(corpus.facts[corpus.facts.section != "prose"], "report_id")
    years: dict[str, set[int]] = {}
    values: dict[str, int] = {}
    for key, rid, year in zip(keys, reports.report_id, reports.year):
        if key is None:
            continue
        years.setdefault(key, set()).update(() if pd.isna(year) else (int(year),))
        values[key] = values.get(key, 0) + int(table_values.get(rid, 0))
    return max(years, key=lambda k: (pairs.get(k, 0), len(years[k]), values[k], [-ord(c) for c in str(names.get(k, k))]))


@dataclass
class AgencyYears:
    """Everything the year-comparison briefing shows about one agency.

    Attributes:
        corpus: The corpus read.
        agency: The agency's name (its latest report's, as named for comparison).
        agency_id: The agency's id (see :mod:`shaoyang_report.compare.grouping`).
        comparison: :func:`~shaoyang_report.compare_years` for the agency.
        cross_year: :func:`~shaoyang_report.cross_year_checks` on it.
        reports: The agency's rows of ``corpus.reports``.
        years: Every year from the first to the last report or catalog entry.
        latest: The last of those years.
        previous: The year before it (None when the span is one year).
        charts: Charts drawn so far (see :func:`chart`).
        by_key: Comparison rows by ``(indicator, year)``, filled on first use.
        flagged: Where the agency's reports print a total that does not add up
            (``"<report_id> <location>"``): values read there are marked ``!``.
    """

    corpus: Corpus
    agency: str
    agency_id: str
    comparison: pd.DataFrame
    cross_year: pd.DataFrame
    reports: pd.DataFrame
    years: list[int] = field(default_factory=list)
    latest: int | None = None
    previous: int | None = None
    charts: dict[str, plotting.Chart] = field(default_factory=dict, repr=False)
    by_key: dict[tuple[str, int], tuple] = field(default_factory=dict, repr=False)
    flagged: set[str] = field(default_factory=set, repr=False)


def agency_years(corpus: Corpus, agency: str | None = None) -> AgencyYears:
    """Compare one agency's years (the data behind the year-comparison notebook).

    Args:
        corpus: The corpus.
        agency: The agency: any of its names or its id; default :func:`default_agency`.

    Raises:
        ValueError: The agency is not in the corpus, or the name fits several.
    """
    key = find_agency(corpus.reports, agency or default_agency(corpus))
    agency = agency_names(corpus.reports).get(key, key)
    comparison = compare_years(corpus, agency=key)
    years = sorted(int(y) for y in comparison.year.unique())
    reports = agency_reports(corpus.reports, key).sort_values(["year", "report_id"]).reset_index(drop=True)
    latest = years[-1]
    previous = latest - 1 if latest - 1 in years else None
    found = corpus.findings
    flagged = {f"{r.report_id} {where}" for r in found[found.report_id.isin(reports.report_id)].itertuples()
               for where in str(r.locations).partition(" ← ")[0].split("; ")}
    return AgencyYears(corpus=corpus, agency=agency, agency_id=key, comparison=comparison,
                       cross_year=cross_year_checks(comparison, agency), reports=reports,
                       years=years, latest=latest, previous=previous, flagged=flagged)


def _row(b: AgencyYears, indicator: str, year: int | None):
    """The comparison row of an indicator and year (a named tuple), or None."""
    if not b.by_key:
        b.by_key.update({(r.indicator, int(r.year)): r for r in b.comparison.itertuples(index=False)})
    return b.by_key.get((indicator, year)) if year is not None else None


def value_cell(row, flagged: frozenset[str] | set[str] = frozenset()) -> Markup:
    """A value with its marks (‡ derived, * prose, ° OCR, ! a total that does not add up), or why it is missing.

    Args:
        row: A row of the comparison (a named tuple), or None (no row: ``—``).
        flagged: ``"<report_id> <location>"`` of the totals that do not add up.
    """
    cell = templates("common").value
    if row is None:
        return cell("—", "gap")
    if isinstance(row.value, float) and math.isnan(row.value):
        reason = row.why_missing_zh if isinstance(row.why_missing_zh, str) else "无数据"
        return cell(plotting.WHY_SHORT.get(reason, reason), "gap", reason=reason)
    kind = plotting.basis_kind(row.basis)
    marks: dict[str | None, str] = {plotting.BASIS_DERIVED: MARK_DERIVED, plotting.BASIS_PROSE: MARK_PROSE}
    classes: dict[str | None, str] = {plotting.BASIS_DERIVED: "derived", plotting.BASIS_PROSE: "prose"}
    mark, css = marks.get(kind, ""), classes.get(kind, "printed")
    if plotting.read_by_ocr(row.basis):
        mark += MARK_OCR
    if flagged and isinstance(row.source, str) and any(p in flagged for p in re.split(r"; | ÷ ", row.source)):
        mark += MARK_FINDING
    return cell(number(row.value, row.unit), css, mark)


def legend(notes: Sequence[str], comparison: pd.DataFrame | None = None) -> Markup:
    """The marks' legend; the OCR mark's line only when a value of ``comparison`` was read by OCR."""
    ocr = comparison is not None and any(plotting.read_by_ocr(basis) for basis in comparison.basis)
    return _templates().legend(notes, ocr)


def _with_values(comparison: pd.DataFrame) -> list[str]:
    has = comparison.groupby("indicator", sort=False).value.apply(lambda v: v.notna().any())
    return [k for k in comparison.indicator.drop_duplicates() if has.get(k, False)]


def _indicator(row: pd.Series, marks: Mapping[str, str]) -> dict:
    """An indicator's name, its caveat mark and its unit."""
    return {"name": row.name_zh, "sign": marks.get(row.indicator, ""), "unit": row.unit}


# ---------------------------------------------------------------------------- sections
def title(b: AgencyYears) -> Html:
    """The briefing's heading and one paragraph saying what it covers."""
    complete = b.reports[b.reports.completeness.fillna("") == "complete"]
    read = "、".join(f"{int(y)}年" for y in sorted(b.reports.year.dropna().unique()))
    note = (f"共读入该机构 {len(b.reports)} 份报告（{read}），其中完整报告 {len(complete)} 份。"
            if len(b.reports) else "")
    return Html(_templates().title(b.agency, b.years[0], b.years[-1], note))


def coverage(b: AgencyYears) -> Html:
    """Per year: which report, which format, what it holds — and what is missing."""
    derived_years = {int(r.year) for r in b.comparison.itertuples()
                     if plotting.basis_kind(r.basis) == plotting.BASIS_DERIVED}
    rows: list[dict[str, object]] = []
    for year in b.years:
        mine = b.reports[b.reports.year == year]
        if mine.empty:
            rows.append({"year": year, "report_id": None,
                         "notes": f"无法与{year - 1}年、{year + 1}年比较" if year not in (b.years[0], b.years[-1])
                         else "无法比较"})
            continue
        for r in mine.itertuples():
            tables = [f"{SECTION_ZH[s].split()[0]} {getattr(r, s)}" for s in TABLE_SECTIONS]
            notes = []
            if year in derived_years:
                notes.append(f"部分数值由{year + 1}年报告的“上一年”栏推得（标{MARK_DERIVED}）")
            printed = r.agency_printed if isinstance(r.agency_printed, str) else None
            if printed and printed != b.agency:  # the same agency under another name that year
                notes.append(f"署名“{printed}”")
            if isinstance(r.agency_evidence, str) and "renamed" in r.agency_evidence:
                notes.append("区划更名前的名称（" + r.agency_evidence.split("renamed ", 1)[1].split(";")[0] + "）")
            if int(r.findings):
                notes.append(f"勾稽问题 {int(r.findings)} 项")
            rows.append({"year": year, "report_id": r.report_id, "url": r.url if isinstance(r.url, str) else "",
                         "template": r.template, "completeness": completeness_zh(r.completeness),
                         "content": _content(r, tables), "notes": "；".join(notes)})
    return Html(_templates().coverage(rows))


def _content(r, tables: list[str]) -> str:
    """What a report holds: its tables' values and its prose figures; for a report before 2019, its
    prose figures and the values of its old statistics table."""
    old = getattr(r, "statistics", None)
    if isinstance(old, int | float) and not math.isnan(old):
        return f"正文数字 {int(r.prose)} 项；统计表 {int(old)} 项（2019年以前，无全国统一表格）"
    return f"表格值 {'，'.join(tables)}；正文数字 {int(r.prose)} 项"


def _latest_pair(b: AgencyYears) -> int | None:
    """The later year of the latest pair of consecutive years with an indicator stated in both, or None."""
    compared = b.comparison[b.comparison.change_abs.notna()]
    return int(compared.year.max()) if len(compared) else None


def _why_not_compared(b: AgencyYears, years: Sequence[int]) -> str:
    """Why two years share no indicator: each year's commonest reason for a gap."""
    parts = []
    for year in years:
        reasons = b.comparison[(b.comparison.year == year) & b.comparison.value.isna()].why_missing_zh.dropna()
        parts.append(f"{year}年：{reasons.mode().iloc[0] if len(reasons) else '无数值'}")
    return "；".join(parts)


def headline(b: AgencyYears) -> Html:
    """The latest pair of years that can be compared; one line when the two latest years cannot be."""
    keys = [k for k in HEADLINE if k in set(_with_values(b.comparison))]
    marks, notes = plotting.caveat_marks(b.comparison, keys)
    pair = _latest_pair(b)
    note = None
    if b.previous is not None and pair != b.latest:
        assert b.latest is not None  # a year before the latest: a latest
        note = {"previous": b.previous, "latest": b.latest, "pair": pair,
                "why": _why_not_compared(b, (b.previous, b.latest))}
        if pair is None:
            return Html(_templates().headline(note))
    years = [pair - 1, pair] if pair is not None else [y for y in (b.previous, b.latest) if y is not None]
    rows = []
    for key in keys:
        series = b.comparison[b.comparison.indicator == key].sort_values("year")
        row = _indicator(series.iloc[0], marks)
        row["cells"] = [value_cell(_row(b, key, y), b.flagged) for y in years]
        latest = _row(b, key, years[-1])
        row["change"] = None
        if latest is not None and not math.isnan(latest.change_abs):
            row["change"] = change_text(latest.change_abs, latest.change_rel, latest.unit)
        pairs = series[series.change_abs.notna()]
        row["last"] = None
        if len(pairs):
            last = pairs.iloc[-1]
            row["last"] = {"year": int(last.year), "before": value_cell(_row(b, key, int(last.year) - 1), b.flagged),
                           "after": value_cell(last, b.flagged), "change": change_text(last.change_abs, last.change_rel, last.unit)}
        rows.append(row)
    names = b.comparison.drop_duplicates("indicator").set_index("indicator").name_zh
    omitted = [names[k] for k in HEADLINE if k not in keys and k in names.index]
    return Html(_templates().headline(note, years, [f"{y}年" for y in years], rows, legend(notes, b.comparison),
                                      "、".join(omitted)))


def gaps(b: AgencyYears) -> Html:
    """Which year-to-year comparisons the data can make, and which it cannot and why."""
    pairs = []
    cmp = b.comparison
    names = cmp.drop_duplicates("indicator").set_index("indicator").name_zh
    for year in b.years[1:]:
        before, now = cmp[cmp.year == year - 1].set_index("indicator"), cmp[cmp.year == year].set_index("indicator")
        both = [k for k in now.index if not math.isnan(now.loc[k, "value"]) and not math.isnan(before.loc[k, "value"])]
        missing = [k for k in now.index if k not in both]
        reasons: dict[str, int] = {}
        for k in missing:
            for y, side in ((year - 1, before), (year, now)):
                if math.isnan(side.loc[k, "value"]):
                    why = side.loc[k, "why_missing_zh"]
                    label = f"{y}年：{why if isinstance(why, str) else '无数值'}"
                    reasons[label] = reasons.get(label, 0) + 1
        reason_text = "；".join(f"{label}（{n} 项）" for label, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
        shown = []
        for k in both:
            marks = "".join(m for m, on in (
                (MARK_DERIVED, plotting.BASIS_DERIVED in {plotting.basis_kind(before.loc[k, "basis"]), plotting.basis_kind(now.loc[k, "basis"])}),
                (MARK_PROSE, plotting.BASIS_PROSE in {plotting.basis_kind(before.loc[k, "basis"]), plotting.basis_kind(now.loc[k, "basis"])}),
                (MARK_OCR, plotting.read_by_ocr(before.loc[k, "basis"]) or plotting.read_by_ocr(now.loc[k, "basis"])),
            ) if on)
            shown.append(f"{names[k]}{marks}")
        pairs.append({"year": year, "count": len(both), "shown": "、".join(shown), "missing": len(missing),
                      "reasons": reason_text})
    no_value = [names[k] for k in names.index if cmp[cmp.indicator == k].value.isna().all()]
    return Html(_templates().gaps(pairs, len(no_value), "、".join(no_value)))


def comparison_full(b: AgencyYears) -> Html:
    """Every indicator with a value in some year, year by year, with marks and reasons for gaps."""
    keys = _with_values(b.comparison)
    marks, notes = plotting.caveat_marks(b.comparison, keys)
    rows = []
    for key in keys:
        row = _indicator(b.comparison[b.comparison.indicator == key].iloc[0], marks)
        row["cells"] = [value_cell(_row(b, key, y), b.flagged) for y in b.years]
        rows.append(row)
    return Html(_templates().comparison_full([f"{y}年" for y in b.years], rows, legend(notes, b.comparison)))


def findings(b: AgencyYears) -> Html:
    """The agency's arithmetic findings and cross-year checks, stated plainly."""
    corpus_findings = b.corpus.findings
    mine = corpus_findings[corpus_findings.report_id.isin(b.reports.report_id)].sort_values(["year", "report_id"])
    checks = b.corpus.checks
    checks = checks[checks.report_id.isin(b.reports.report_id)]
    counts = checks.status.value_counts()
    summary = {"checks": len(checks), "passed": int(counts.get("pass", 0)), "failed": int(counts.get("fail", 0)),
               "not_checkable": int(counts.get("not_checkable", 0)), "cross_year": len(b.cross_year),
               "cross_year_failed": int((b.cross_year.status == "fail").sum())}
    return Html(_templates().findings(summary, list(mine.itertuples()), list(b.cross_year.itertuples())))


def sources(b: AgencyYears | Corpus) -> Html:
    """The reports used, with the URLs of the published pages (from the catalog).

    At most :data:`~shaoyang_report.publish.html.ROWS_SHOWN` (a corpus's sources are all in the workbook's sources sheet).
    """
    shown = b.reports.sort_values(["agency", "year", "report_id"]).head(ROWS_SHOWN)
    return Html(_templates().sources(list(shown.itertuples()), len(b.reports)))


def chart(b: AgencyYears, name: str) -> plotting.Chart:
    """One of the briefing's charts (see :data:`shaoyang_report.publish.plotting.BRIEFING_CHARTS`), drawn once."""
    if name not in b.charts:
        b.charts[name] = plotting.BRIEFING_CHARTS[name](b.comparison, b.agency)
    return b.charts[name]


def save_charts(b: AgencyYears, folder: str | Path) -> list[Path]:
    """Write every briefing chart as a PNG into ``folder`` (``<agency>-<chart>.png``)."""
    from shaoyang_report.atomic import write_bytes

    folder = Path(folder)
    return [write_bytes(folder / f"{slug(b.agency)}-{name}.png", chart(b, name).png)
            for name in plotting.BRIEFING_CHARTS]
