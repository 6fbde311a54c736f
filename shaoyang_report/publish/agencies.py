"""The agency briefing (notebook ``04-agency-comparison``): scorecard, panel, small multiples, findings.

Each function returns one piece of the briefing — :class:`~shaoyang_report.publish.html.Html`
drawn by ``templates/agencies.html.j2`` (every text escaped, with the year briefing's
marks: ``*`` prose, ``!`` a total that does not add up) or a
:class:`~shaoyang_report.publish.plotting.Chart`. The
briefing says, for every blank, why it is blank: a criterion that cannot be judged
is “无从判断”, never a zero.

Example:
    >>> import shaoyang_report as sr
    >>> p = agency_panel(sr.read_reports("data/raw", progress=False), sources="data/raw")
    >>> len(p.card), p.year
    (12, None)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup

from shaoyang_report.compare.agencies import CORRECTION_RATE, LEVEL_ZH, panel_long
from shaoyang_report.compare.scorecard import STATUS_ZH, criteria, scorecard
from shaoyang_report.compare.years import chosen_reports
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.publish import plotting
from shaoyang_report.publish.html import (
    COMPLETENESS_ZH,
    MARK_FINDING,
    MARK_OCR,
    MARK_PROSE,
    ROWS_SHOWN,
    Html,
    number,
    templates,
)

#: Indicators of the panel table and of the small multiples, in order.
SHOWN = ("permit_decisions", "penalty_decisions", "coercion_decisions", "fee_amount", "applications_received",
         "share_granted", "review_total", CORRECTION_RATE, "information_published")
#: The most agencies a small multiple draws (those with the largest values when there are more).
CHART_AGENCIES = 30
#: The findings the agency page states one by one under each report it names.
FINDINGS_PER_REPORT = 5
_STATUS_MARK = {"met": "✓", "not met": "✗", "partly": "◐", "not known": "？"}


@dataclass
class AgencyPanel:
    """What the agency briefing shows.

    Attributes:
        corpus: The corpus.
        year: The year compared (None: every year, one row per agency and year).
        panel: :func:`~shaoyang_report.compare.agencies.compare_agencies` in long form.
        card: :func:`~shaoyang_report.compare.scorecard.scorecard` (wide).
        flagged: ``"<report_id> <location>"`` of every cell a finding involves, among the
            cells the panel table shows (filled by :func:`panel_table`).
    """

    corpus: Corpus
    year: int | None
    panel: pd.DataFrame
    card: pd.DataFrame
    flagged: set[str] = field(default_factory=set, repr=False)


def agency_panel(corpus: Corpus, year: int | None = None, sources=None) -> AgencyPanel:
    """Compute the panel and the scorecard (the data behind notebook 04).

    Args:
        corpus: The corpus.
        year: Compare this reporting year only; None: every year.
        sources: Folder(s) or files the corpus was read from (publication dates; see
            :func:`~shaoyang_report.compare.scorecard.scorecard`).
    """
    chosen = chosen_reports(corpus)
    every_year = panel_long(corpus, chosen=chosen)
    panel = every_year if year is None else panel_long(corpus, year, chosen=chosen)
    card = scorecard(corpus, sources, chosen=chosen, panel=every_year)
    if year is not None:
        card = card[card.year == year].reset_index(drop=True)
    return AgencyPanel(corpus, year, panel, card)


def _flagged(found: pd.DataFrame, report_ids: pd.Series) -> set[str]:
    """``"<report_id> <location>"`` of every cell a finding of these reports involves (its total and its items)."""
    found = found[found.report_id.isin(report_ids)]
    if found.empty:
        return set()
    places = found.locations.fillna("").astype(str).str.replace(" ← ", "; ", regex=False).str.split("; ")
    pairs = pd.DataFrame({"report_id": found.report_id.astype(str), "where": places}).explode("where")
    return set(pairs.report_id + " " + pairs["where"].astype(str))


def bounded_years(frame: pd.DataFrame, rows: int | None = None) -> tuple[pd.DataFrame, dict]:
    """The rows of at most ``rows`` (default :data:`ROWS_SHOWN`) agency-years of ``frame`` (columns ``agency``, ``agency_id``, ``year``).

    When every agency's every year would be more rows, each agency's latest year only;
    when the agencies are still more, the first ``rows`` of them by name.

    Returns:
        The rows kept, and what the page says about the cut: ``total`` (agency-years),
        ``agencies``, ``shown`` (agency-years kept), ``latest_only``.
    """
    rows = ROWS_SHOWN if rows is None else rows
    keys = ["agency", "agency_id", "year"]
    years = frame[keys].drop_duplicates()
    latest_only = len(years) > rows
    kept = years.sort_values("year", kind="stable").groupby("agency_id", dropna=False, sort=False).tail(1) \
        if latest_only else years
    kept = kept.sort_values(keys, kind="stable").head(rows)
    said = {"total": len(years), "agencies": int(years.agency_id.nunique(dropna=False)), "shown": len(kept),
            "latest_only": latest_only}
    if len(kept) == len(years):
        return frame, said
    index = pd.MultiIndex.from_frame(kept.astype(object))
    return frame[pd.MultiIndex.from_frame(frame[keys].astype(object)).isin(index)], said


def _templates():
    return templates("agencies")


def title(p: AgencyPanel) -> Html:
    """The briefing's heading and what it covers."""
    agencies = p.card.agency_id.nunique()
    years = sorted(int(y) for y in p.card.year.unique())
    span = f"{p.year}年" if p.year else (f"{years[0]}—{years[-1]}年" if years else "")
    known = p.card.known_weight.sum() / p.card.total_weight.sum() if len(p.card) else 0
    return Html(_templates().title(span, agencies, len(p.card), known))


def criteria_list(p: AgencyPanel | None = None) -> Html:  # noqa: ARG001 - same signature as the other sections
    """Every criterion with its weight and its legal or format basis."""
    return Html(_templates().criteria_list(criteria()))


def _score(score: float, status: str, evidence: str) -> dict:
    """A criterion's cell: its mark, status and score (partly met), the evidence as a tooltip."""
    shown = "" if isinstance(score, float) and math.isnan(score) else f" {score:.2f}" if status == "partly" else ""
    return {"css": {"met": "pass", "not met": "fail", "not known": "gap"}.get(status, ""), "evidence": evidence,
            "sign": _STATUS_MARK.get(status, ""), "status": STATUS_ZH.get(status, status), "shown": shown}


def _level(level: object, inferred: object) -> dict:
    return {"name": LEVEL_ZH.get(level, "未知") if isinstance(level, str) else "未知", "inferred": inferred}


def scorecard_table(p: AgencyPanel) -> Html:
    """The scorecard: one row per agency and year, each criterion met / not met / partly / not known."""
    crits = criteria()
    order = {lvl: i for i, lvl in enumerate(LEVEL_ZH)}
    card, said = bounded_years(p.card)
    card = card.assign(_o=card.level.map(order).fillna(len(order))).sort_values(["_o", "agency", "year"])
    rows = [{"agency": r["agency"], "level": _level(r["level"], r["level_inferred"]), "year": r["year"],
             "scores": [_score(r[c.key], r[f"{c.key}_status"], r[f"{c.key}_evidence"]) for c in crits],
             "score": None if math.isnan(r["score"]) else f"{r['score']:.1f}",
             "weight": f"{r['known_weight']:g}/{r['total_weight']:g}"}
            for r in card.to_dict("records")]
    return Html(_templates().scorecard([c.name_zh for c in crits], rows, said))


def _value(row, flagged: set[str]) -> Markup:
    cell = templates("common").value
    if isinstance(row.value, float) and math.isnan(row.value):
        reason = row.why_missing_zh if isinstance(row.why_missing_zh, str) else "无数据"
        return cell(plotting.WHY_SHORT.get(reason, reason), "gap", reason=reason)
    prose = plotting.basis_kind(row.basis) == plotting.BASIS_PROSE
    mark = (MARK_PROSE if prose else "") + (MARK_OCR if plotting.read_by_ocr(row.basis) else "")
    places = str(row.source or "").replace(" ÷ ", "; ").split("; ")
    if flagged and any(f in flagged for f in places):
        mark += MARK_FINDING
    return cell(number(row.value, row.unit), "prose" if prose else "printed", mark)


def panel_table(p: AgencyPanel) -> Html:
    """The indicators side by side, one row per agency and year, with marks and reasons for gaps."""
    shown, said = bounded_years(p.panel[p.panel.indicator.isin(SHOWN)])
    if not p.flagged:
        places = shown.source.dropna().astype(str).str.replace(" ÷ ", "; ", regex=False).str.split("; ").explode()
        p.flagged = _flagged(p.corpus.findings, places.str.partition(" ")[0].drop_duplicates())
    names = shown.drop_duplicates("indicator").set_index("indicator")
    keys = [k for k in SHOWN if k in names.index]
    rows = []
    for (_, _, _), group in shown.groupby(["agency", "agency_id", "year"], sort=True):
        first = group.iloc[0]
        by = {r.indicator: r for r in group.itertuples()}
        rows.append({"agency": first.agency, "level": _level(first.level, first.level_inferred), "year": first.year,
                     "findings": first.findings,
                     "completeness": plotting.WHY_SHORT.get(c := COMPLETENESS_ZH.get(first.completeness,
                                                                                     first.completeness), c),
                     "cells": [_value(by[k], p.flagged) for k in keys]})
    return Html(_templates().panel([f"{names.loc[k, 'name_zh']}（{names.loc[k, 'unit']}）" for k in keys], rows, said))


def small_multiples(p: AgencyPanel) -> plotting.Chart:
    """One small bar chart per indicator: each agency's latest value, prose figures hatched, gaps named."""
    from matplotlib.figure import Figure

    ordered = p.panel[p.panel.indicator.isin(SHOWN)].sort_values("year")
    # per agency and indicator: the latest year with a value, else the latest year (its gap and why)
    with_value = ordered[ordered.value.notna()].groupby(["agency_id", "indicator"]).tail(1)
    latest = ordered.groupby(["agency_id", "indicator"]).tail(1)
    shown = pd.concat([with_value, latest]).drop_duplicates(["agency_id", "indicator"])
    keys = [k for k in SHOWN if shown[(shown.indicator == k)].value.notna().any()]
    labels = shown.drop_duplicates("agency_id").set_index("agency_id").agency
    ids = sorted(labels.index, key=lambda k: (labels[k], k))
    many = len(ids) > CHART_AGENCIES  # then each chart draws the agencies with the largest values only
    bars_per_chart = min(len(ids), CHART_AGENCIES)
    cols = 3
    rows = max(1, math.ceil(len(keys) / cols))
    fig = Figure(figsize=(11, 0.35 * max(4, bars_per_chart) * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, key in zip(axes, keys):
        data = shown[shown.indicator == key].set_index("agency_id").reindex(ids)
        if many:
            data = data[data.value.notna()].sort_values("value", ascending=False, kind="stable").head(CHART_AGENCIES)
        agencies = [labels[k] for k in data.index]
        values = data.value.fillna(0).tolist()
        bars = ax.barh(range(len(agencies)), values, color="#4c78a8")
        for k, (bar, (_agency, r)) in enumerate(zip(bars, data.iterrows())):
            if pd.isna(r.value):
                bar.set_visible(False)
                reason = r.why_missing_zh if isinstance(r.why_missing_zh, str) else "无数据"
                ax.text(0, k, " " + plotting.WHY_SHORT.get(reason, reason), va="center", fontsize=7, color="#888888")
                continue
            if plotting.basis_kind(r.basis) == plotting.BASIS_PROSE:
                bar.set_hatch("///")
                bar.set_facecolor("#9ecae1")
            ax.text(r.value, k, f" {number(r.value, r.unit)}（{int(r.year)}）", va="center", fontsize=7)
        ax.margins(x=0.35)
        first = shown[shown.indicator == key].iloc[0]
        ax.set_title(f"{first.name_zh}（{first.unit}）", fontsize=9)
        ax.set_yticks(range(len(agencies)), agencies, fontsize=7)
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize=7)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    heading = f"各机构主要指标（{p.year}年）" if p.year else "各机构主要指标（各机构最近一年）"
    fig.suptitle(heading, fontsize=12)
    notes = ["括号内为数值所属年份（各机构有该数值的最近一年）；斜线条＝正文所述数字；灰字＝该机构无此数值及原因"]
    if many:
        notes.append(f"共 {len(ids):,} 个机构，每幅图只画该项数值最大的 {CHART_AGENCIES} 个；各机构的数值见工作簿的“机构比较”工作表")
    return plotting.Chart(png=plotting.render_png(fig), figure=fig, title=heading, footnotes=notes)


def findings_by_agency(p: AgencyPanel) -> Html:
    """The reports that do not add up, by agency and year, with their findings stated plainly.

    At most :data:`ROWS_SHOWN` reports (those with the most findings when there are more), each
    with at most :data:`FINDINGS_PER_REPORT` of its findings; the page says how many there are
    in all (every finding is in the audit's ``audit-findings.csv``).
    """
    found = p.corpus.findings
    if p.year is not None:
        found = found[found.year == p.year]
    counts = found.groupby(["agency", "year", "report_id"], sort=True, dropna=False).size()
    listed = counts.nlargest(ROWS_SHOWN, keep="first").sort_index() if len(counts) > ROWS_SHOWN else counts
    chosen = found[found.report_id.isin(listed.index.get_level_values("report_id"))]
    by_report = {rid: group.head(FINDINGS_PER_REPORT) for rid, group in chosen.groupby("report_id", sort=False)}
    groups = [(agency, year, int(n), list(by_report[rid].itertuples()))
              for (agency, year, rid), n in listed.items() if rid in by_report]
    return Html(_templates().findings(groups, len(found), len(counts)))


def scorecard_frames(p: AgencyPanel) -> dict[str, pd.DataFrame]:
    """The workbook's agency sheets: the scorecard, its criteria, and the panel (wide)."""
    from shaoyang_report.compare.agencies import compare_agencies
    from shaoyang_report.compare.scorecard import criteria_table

    return {"机构评分 scorecard": p.card, "评分依据 criteria": criteria_table(),
            "机构比较 agencies": compare_agencies(p.corpus, p.year, panel=p.panel)}
