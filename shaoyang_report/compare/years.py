"""Compare years: indicators that mean the same across formats, per agency and year.

The crosswalk (``data/indicators.csv``) says, for each indicator, where F2019 and F2021
reports print it — and reports before 2019 (F2008) state it, in the old statistics table
(``statistics/<row>/year``) or in prose, with a caveat (``caveat_F2008``) where the meaning
changed at the 2019 break — (``section/item/measure[/applicant]``; ``a + b`` sums terms; ``x | y``
takes the first that is printed; ``@group`` sums the printed leaf rows of a table 三
group), whether the two formats' values are directly comparable or only with a caveat,
and — for F2019 prior-year columns — where year N's report states year N−1's value.
The caveat travels with every number into tables and charts.

Example:
    >>> import shaoyang_report as sr
    >>> corpus = sr.read_reports("data/raw", progress=False)
    >>> cmp = sr.compare_years(corpus, agency="邵阳市")
    >>> row = cmp.query("indicator == 'permit_items' and year == 2019").iloc[0]
    >>> float(row.value), row.basis
    (4089.0, 'derived: 2020 report, 上一年项目数量 (prior-year column)')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

from shaoyang_report.check.misreads import read_by_ocr
from shaoyang_report.compare.grouping import agency_keys, find_agency
from shaoyang_report.config import package_csv
from shaoyang_report.corpus.catalog import OPENING_ONLY
from shaoyang_report.layout import TABLE_SECTIONS, get_layout
from shaoyang_report.read.identity import clean_name, resolve_agency

if TYPE_CHECKING:
    from shaoyang_report.corpus.corpus import Corpus

#: Why a value is missing, in the words the briefing uses.
WHY = {
    "no_report": "report not available",
    "not_in_format": "not in that year's format",
    "opening_only": "only the opening of the report is available",
    "not_stated": "not stated in the report",
    "blank": "blank in the report (not stated, not zero)",
}
WHY_ZH = {
    "no_report": "无该年报告",
    "not_in_format": "该年格式无此项",
    "opening_only": "仅有报告开头部分",
    "not_stated": "报告未载明",
    "blank": "报告中为空",
}


@dataclass(frozen=True)
class Indicator:
    """One row of the crosswalk."""

    key: str
    name_zh: str
    unit: str
    kind: str
    sources: dict[str, str]
    prior_year: str
    comparability: str
    caveat_zh: str
    #: Format → a caveat on that format's values alone (``caveat_F2008``: the meaning changed in 2019).
    format_caveats: dict[str, str] = field(default_factory=dict)

    def caveat_for(self, template: str | None) -> tuple[str, str | None]:
        """``(comparability, caveat)`` of a value of this indicator read from a report of ``template``."""
        own = self.format_caveats.get(template or "")
        if own:
            return "caveat", own
        return self.comparability, self.caveat_zh or None


@cache
def indicators() -> tuple[Indicator, ...]:
    """The crosswalk of indicators (package data ``indicators.csv``)."""
    rows = package_csv("indicators.csv")
    formats = list(get_layout().formats)
    return tuple(
        Indicator(key=r["indicator"], name_zh=r["name_zh"], unit=r["unit"], kind=r["kind"],
                  sources={f: r[f] for f in formats}, prior_year=r["prior_year"],
                  comparability=r["comparability"], caveat_zh=r["caveat_zh"],
                  format_caveats={f: r[f"caveat_{f}"] for f in formats if r.get(f"caveat_{f}")})
        for r in rows
    )


def indicator_table() -> pd.DataFrame:
    """The crosswalk as a frame (for documentation and notebooks)."""
    return pd.DataFrame([{"indicator": i.key, "name_zh": i.name_zh, "unit": i.unit, "kind": i.kind,
                          **i.sources, "prior_year": i.prior_year, "comparability": i.comparability,
                          "caveat_zh": i.caveat_zh, **{f"caveat_{f}": i.format_caveats.get(f, "") for f in
                                                       get_layout().formats if not get_layout().prints_tables(f)}}
                         for i in indicators()])


OCR_BASIS = " (OCR)"  # appended to a value's basis when a number it is made of was read by OCR


class IndexedFact(NamedTuple):
    """What the crosswalk needs of one fact: its value, where it was printed, whether OCR read it."""

    value: float
    report_id: str
    location: str
    ocr: bool


class ReportFacts:
    """One report's facts indexed for the crosswalk.

    Each fact is kept as an :class:`IndexedFact` (four fields), not as its record: an
    agency panel holds the facts of every agency's chosen report at once (10,000 reports'
    records took about 1 GB).
    """

    def __init__(self, summary: dict, facts: list[dict]) -> None:
        self.summary = summary
        self.template = summary["template"]
        self.index: dict[tuple, IndexedFact] = {}
        for f in facts:
            key = (f["section"], f["item"], f["measure"], f["applicant"])
            if key not in self.index:
                self.index[key] = IndexedFact(f["value"], f["report_id"], f["location"], read_by_ocr(f))
        self.sections = {f["section"] for f in facts}

    def _leaves(self, group: str, measure: str, applicant: str | None) -> list[IndexedFact] | None:
        table = get_layout().table_for(self.template, "applications")
        printed = {k[1] for k in self.index if k[0] == "applications"}
        rows = [group] + [r.key for r in table.descendants(group)]
        leaves = [k for k in rows if k in printed and not any(d.key in printed for d in table.descendants(k))]
        found = [self.index.get(("applications", k, measure, applicant)) for k in leaves]
        return [f for f in found if f is not None] or None

    def term(self, term: str) -> list[IndexedFact] | None:
        parts = term.strip().split("/")
        section, item, measure = parts[0], parts[1], parts[2]
        applicant = parts[3] if len(parts) > 3 else None
        if item.startswith("@"):
            return self._leaves(item[1:], measure, applicant)
        f = self.index.get((section, item, measure, applicant))
        return [f] if f else None

    def evaluate(self, expr: str) -> tuple[float, str, str] | str:
        """``(value, basis, locations)`` or the reason key it is missing."""
        if not expr:
            return "not_in_format"
        reason = "not_stated"
        for alternative in expr.split(" | "):
            found: list[IndexedFact] = []
            for term in alternative.split(" + "):
                facts = self.term(term)
                if facts is None:
                    found = []
                    break
                found += facts
            if not found:
                section = alternative.split("/")[0]
                if section != "prose" and section not in self.sections:
                    reason = "opening_only" if self.summary.get("completeness") == OPENING_ONLY or not self.sections - {"prose"} else "not_stated"
                continue
            values = [f.value for f in found]
            if any(math.isnan(v) for v in values):
                reason = "blank"
                continue
            basis = "prose" if alternative.startswith("prose/") else "printed table"
            if any(f.ocr for f in found):
                basis += OCR_BASIS
            return sum(values), basis, "; ".join(f"{f.report_id} {f.location}" for f in found)
        if reason == "not_stated" and self.summary.get("completeness") == OPENING_ONLY:
            reason = "opening_only"
        return reason


def share_value(rf: ReportFacts, expr: str) -> tuple[float, str, str] | str:
    """The share ``expr`` is of all applications handled: ``(share, basis, locations)``, or why it is missing."""
    num = rf.evaluate(expr)
    den = rf.evaluate("applications/total_handled/requests/total")
    if isinstance(num, str):
        return num
    if isinstance(den, str):
        return den
    if den[0] == 0:
        return "blank"
    return round(100 * num[0] / den[0], 2), "share of （七）总计", f"{num[2]} ÷ {den[2]}"


def _pick(candidates: list[ReportFacts]) -> ReportFacts:
    """The most complete report among several for the same agency and year."""
    return max(candidates, key=_completeness)


def _completeness(r: ReportFacts) -> tuple[bool, int, int]:
    """What :func:`_pick` maximises: not an opening only, sections with values, distinct values."""
    return r.summary.get("completeness") != OPENING_ONLY, len(r.sections), len(r.index)


def _count(printed: object) -> int:
    """Values of a section in a report's summary (``"221/221"`` or ``"23"``, or a number)."""
    return int(str(printed).split("/")[0])


def _choose(views: list, positions: list[int], completeness: list, counts: list[list[int]]) -> ReportFacts:
    """:func:`_pick` over the reports at ``positions``, building the facts of as few as possible.

    The first two parts of the choice (not an opening only, sections with values) come from
    the reports' summaries; only reports tied on them have their facts built, one at a time,
    most values first: a report's distinct values (the last part) are at most its values,
    so the rest need not be built once one reaches that. The choice is :func:`_pick`'s
    (of equal reports, the first).
    """
    keys = {p: (completeness[p] != OPENING_ONLY, sum(1 for n in counts[p] if n > 0)) for p in positions}
    top = max(keys.values())
    tied = [p for p in positions if keys[p] == top]
    if len(tied) == 1:
        return ReportFacts(views[tied[0]].summary, views[tied[0]].facts)
    best: tuple[int, int, ReportFacts] | None = None  # (distinct values, position, facts)
    for p in sorted(tied, key=lambda p: (-sum(counts[p]), p)):
        bound = sum(counts[p])
        if best is not None and (bound < best[0] or (bound == best[0] and p > best[1])):
            continue
        rf = ReportFacts(views[p].summary, views[p].facts)
        if best is None or len(rf.index) > best[0] or (len(rf.index) == best[0] and p < best[1]):
            best = (len(rf.index), p, rf)
    assert best is not None  # the first report tied is always taken
    return best[2]


def chosen_reports(corpus: Corpus, agency: str | None = None) -> dict[tuple[str, int], ReportFacts]:
    """The report compared for each agency and year (:func:`_pick`), chosen from ``corpus.reports``.

    Args:
        corpus: A :class:`~shaoyang_report.corpus.corpus.Corpus`.
        agency: Only this agency's reports, by its key (its id, see
            :func:`~shaoyang_report.compare.grouping.agency_keys`); None: every agency's.

    Returns:
        ``(agency key, year) → the chosen report's facts``, in that order. Only the chosen
        reports' facts are turned into records (a corpus of 10,000 reports would otherwise
        hold every report's records at once).
    """
    def wanted(key: object, y: object) -> bool:
        return isinstance(key, str) and (agency is None or key == agency) and y is not None and not pd.isna(y)

    reports, views = corpus.reports, corpus.parsed
    sections = [*TABLE_SECTIONS, "prose"]
    if not len(reports) or any(c not in reports for c in ("agency", "year", *sections)):
        summaries = pd.DataFrame([p.summary for p in views]) if views else pd.DataFrame()  # an older corpus
        groups: dict[tuple[str, int], list[ReportFacts]] = {}
        for p, key in zip(views, agency_keys(summaries)):
            y = p.summary.get("year")
            if wanted(key, y):
                assert key is not None and y is not None  # wanted() says so
                groups.setdefault((key, int(y)), []).append(ReportFacts(p.summary, p.facts))
        return {k: _pick(v) for k, v in sorted(groups.items())}
    positions: dict[tuple[str, int], list[int]] = {}
    for i, (key, y) in enumerate(zip(agency_keys(reports), reports["year"].tolist())):
        if wanted(key, y):
            assert key is not None
            positions.setdefault((key, int(y)), []).append(i)
    completeness = reports["completeness"].tolist() if "completeness" in reports else [None] * len(reports)
    completeness = [c if isinstance(c, str) else None for c in completeness]
    counts = [[_count(v) for v in row] for row in zip(*(reports[s].tolist() for s in sections))]
    return {k: _choose(views, ps, completeness, counts) for k, ps in sorted(positions.items())}


def compare_years(corpus: Corpus, agency: str | None = None, years: list[int] | None = None) -> pd.DataFrame:
    """Indicator × year for one agency, with change and the reason for every gap.

    Args:
        corpus: A :class:`~shaoyang_report.corpus.corpus.Corpus`.
        agency: The agency: any name its reports print or its catalog gives, a name the
            resolver reads as it (``洪泽区`` for 淮安市洪泽区人民政府), an alias, or its id
            (``320813/人民政府``); see :func:`~shaoyang_report.compare.grouping.find_agency`.
            May be omitted when the corpus holds one agency.
        years: Years to show; default: every year from the earliest to the latest report
            or catalog entry of the agency.

    Returns:
        A long frame, one row per indicator and year: ``indicator, name_zh, unit, year,
        template, value, basis, source, comparability, caveat_zh, why_missing,
        why_missing_zh, change_abs, change_rel`` (change vs the year before, when both
        are stated; ``change_rel`` in percent). ``frame.attrs`` holds the agency's
        ``agency_id``, ``agency`` (its comparison name, the latest report's) and
        ``names``: the name each year's report prints (an agency printed 洪泽区人民政府
        one year and 淮安市洪泽区人民政府 the next is one agency).

    Raises:
        ValueError: The agency is not in the corpus, or the name fits several (the message
            lists them).
    """
    reports = corpus.reports
    key = find_agency(reports, agency)
    chosen = {y: rf for (_, y), rf in chosen_reports(corpus, key).items()}
    catalog_years = set()
    if len(corpus.catalog):
        mine = {clean_name(n) for k, a, p in zip(agency_keys(reports), reports["agency"], reports["agency_printed"])
                if k == key for n in (a, p) if isinstance(n, str)}
        catalog_years = {int(y) for a, y in zip(corpus.catalog.agency, corpus.catalog.year)
                         if str(y).isdigit() and isinstance(a, str)
                         and (clean_name(a) in mine or resolve_agency(a).agency_id == key)}
    span = sorted(set(chosen) | catalog_years)
    years = sorted(years) if years else list(range(span[0], span[-1] + 1))
    layout = get_layout()
    rows = []
    for ind in indicators():
        for year in years:
            rf = chosen.get(year)
            template = rf.template if rf else next((k for k, f in layout.formats.items() if year in f.years), None)
            comparability, caveat = ind.caveat_for(template)
            row = {"indicator": ind.key, "name_zh": ind.name_zh, "unit": ind.unit, "year": year,
                   "template": template, "value": math.nan, "basis": None, "source": None,
                   "comparability": comparability, "caveat_zh": caveat, "why_missing": None}
            result: tuple[float, str, str] | str
            if rf is None:
                result = "no_report"
            elif ind.kind == "share":  # (the template is the report's)
                result = share_value(rf, ind.sources.get(rf.template, ""))
            else:
                result = rf.evaluate(ind.sources.get(rf.template, ""))
            if isinstance(result, str):
                row["why_missing"] = result
            else:
                row["value"], row["basis"], row["source"] = result
            rows.append(row)
    frame = pd.DataFrame(rows)
    _derive_prior_years(frame, chosen)
    frame["why_missing_zh"] = frame.why_missing.map(WHY_ZH)
    frame["why_missing"] = frame.why_missing.map(WHY)
    # rows are built in crosswalk order, years ascending: the year before is the row before
    prev = frame.groupby("indicator", sort=False)["value"].shift(1)
    prev_year = frame.groupby("indicator", sort=False)["year"].shift(1)
    consecutive = prev_year == frame.year - 1
    frame["change_abs"] = (frame["value"] - prev).where(consecutive)
    frame["change_rel"] = (100 * (frame["value"] - prev) / prev.where(prev != 0)).where(consecutive).round(2)
    frame["indicator"] = frame["indicator"].astype("string")
    frame = frame[["indicator", "name_zh", "unit", "year", "template", "value", "basis", "source",
                  "comparability", "caveat_zh", "why_missing", "why_missing_zh", "change_abs", "change_rel"]]
    mine = reports[[k == key for k in agency_keys(reports)]]
    frame.attrs["agency_id"] = key
    known = mine.sort_values("year", na_position="first").agency.dropna() if len(mine) else pd.Series(dtype=object)
    frame.attrs["agency"] = str(known.iloc[-1]) if len(known) else (agency or "")
    frame.attrs["names"] = {int(y): n for y, n in zip(mine.year, mine.agency_printed.fillna(mine.agency))
                            if not pd.isna(y) and isinstance(n, str)}
    return frame


def _derive_prior_years(frame: pd.DataFrame, chosen: dict[int, ReportFacts]) -> None:
    """Fill year N−1 from year N's prior-year column where N−1 has no value of its own."""
    for ind in indicators():
        if not ind.prior_year:
            continue
        for year, rf in chosen.items():
            result = rf.evaluate(ind.prior_year)
            if isinstance(result, str):
                continue
            target = (frame.indicator == ind.key) & (frame.year == year - 1)
            if not target.any() or not frame.loc[target, "value"].isna().all():
                continue
            column = "上一年项目数量" if "prior_year_items" in ind.prior_year else "上年结转"
            frame.loc[target, "value"] = result[0]
            frame.loc[target, "basis"] = f"derived: {year} report, {column} (prior-year column)"
            frame.loc[target, "source"] = result[2]
            frame.loc[target, "why_missing"] = None


def cross_year_checks(comparison: pd.DataFrame, agency: str | None = None) -> pd.DataFrame:
    """Rules across consecutive years (``cross_year_rules`` in ``layouts.toml``).

    Args:
        comparison: The output of :func:`compare_years` for one agency.
        agency: The agency's name, for the records; default the one the comparison
            holds (``comparison.attrs["agency"]``, its latest report's).

    Returns:
        A checks frame (the data dictionary's ``checks`` columns); ``report_id`` names
        both reports' sources, ``printed`` is year N's value, ``expected`` year N+1's.
    """
    from shaoyang_report.dictionary import build_frame

    if agency is None:
        agency = str(comparison.attrs.get("agency") or "")
    direct = comparison[comparison.basis.notna() & ~comparison.basis.fillna("").str.startswith("derived")]
    records = []
    for rule in get_layout().cross_year_rules:
        this = direct[direct.indicator == rule["this_year"]].set_index("year")
        nxt = direct[direct.indicator == rule["next_year"]].set_index("year")
        for year in sorted(set(this.index) & {y - 1 for y in nxt.index}):
            a, b = this.loc[year], nxt.loc[year + 1]
            status = "pass" if abs(a.value - b.value) < 1e-6 else "fail"
            verdict = "相符" if status == "pass" else f"不符，相差{b.value - a.value:g}"
            bases = [f"{y}年数字取自正文" for y, row in ((year, a), (year + 1, b))
                     if isinstance(row.basis, str) and row.basis.startswith("prose")]
            if bases:
                verdict += f"（{'，'.join(bases)}）"
            records.append({
                "report_id": f"{year}→{year + 1}", "agency": agency, "year": year, "template": a.template,
                "rule": rule["key"], "rule_zh": rule["name_zh"], "section": "applications",
                "item": "carried_forward", "measure": "requests", "applicant": "total",
                "expected": float(b.value), "printed": float(a.value), "difference": float(a.value - b.value),
                "status": status, "cells": f"{year} {rule['this_year']} = {year + 1} {rule['next_year']}",
                "locations": f"{a.source} ← {b.source}",
                "message": f"{rule['name_zh']}：{year}年结转下年度{a.value:g}件，{year + 1}年上年结转{b.value:g}件，{verdict}",
            })
    return build_frame(records, "checks")


def comparison_table(comparison: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """The comparison as indicator × year (Chinese names), for display."""
    keys = ["indicator", "name_zh", "unit"]
    wide = comparison.set_index([*keys, "year"])[value].unstack("year")
    order = list(dict.fromkeys(zip(*(comparison[k] for k in keys))))
    return wide.reindex(pd.MultiIndex.from_tuples(order, names=keys))
