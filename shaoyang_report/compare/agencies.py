"""Compare agencies: one row per agency (and year) with the crosswalk's indicators.

:func:`compare_agencies` puts every agency of a corpus side by side: permits,
penalties, coercion, fees, procurement where printed, applications received, outcome
shares, review and litigation totals, the share of concluded review and litigation cases
corrected (纠错率), information published (from prose), the report's completeness and
its findings. The indicators are those of the crosswalk (``data/indicators.csv``, read
through :mod:`shaoyang_report.compare.years`), evaluated per report exactly as
:func:`~shaoyang_report.compare.years.compare_years` evaluates them: a value is as
printed, its ``basis`` says whether a table or the prose gave it, and a gap says why.

Agencies are grouped by level: the catalog's ``level`` column (city, county,
department, township) where it is filled, else inferred from the name by the rules in
``data/agency_levels.csv`` (…镇/乡/街道 → township, …县/区 → county, …局/委/办 →
department, …市 → city) and marked as inferred. A county-level city (邵东市) cannot be
told from a prefecture-level one by its name: the catalog's ``level`` settles it.

Example:
    >>> import shaoyang_report as sr
    >>> corpus = sr.read_reports("data/raw", progress=False)
    >>> panel = compare_agencies(corpus, year=2020)
    >>> row = panel.set_index("agency").loc["邵阳市"]
    >>> row.level, bool(row.level_inferred), float(row.permit_decisions)
    ('city', True, 7591.0)
    >>> infer_level("邵东市牛马司镇"), infer_level("邵阳县(交通运输局)"), infer_level("某某")
    ('township', 'department', None)
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from shaoyang_report.compare.grouping import agency_names
from shaoyang_report.compare.years import (
    WHY,
    WHY_ZH,
    ReportFacts,
    chosen_reports,
    indicators,
    share_value,
)
from shaoyang_report.config import package_csv
from shaoyang_report.corpus.catalog import LEVEL, LEVELS

if TYPE_CHECKING:
    from shaoyang_report.corpus.corpus import Corpus

#: The panel's indicators (crosswalk keys), in the order shown.
PANEL = (
    "permit_decisions", "penalty_decisions", "coercion_decisions", "fee_amount", "fee_items",
    "procurement_projects", "procurement_amount", "applications_received", "applications_carried_over",
    "applications_handled", "applications_carried_forward", "share_granted", "share_partially_granted",
    "share_withheld", "share_unavailable", "share_not_processed", "share_other", "review_total",
    "litigation_direct_total", "litigation_after_review_total", "information_published",
)
#: 纠错率: corrected ÷ concluded (维持 + 纠正 + 其他) over 行政复议 and both kinds of 行政诉讼, in %.
#: Computed from the printed parts, not the printed totals (a total may not add up).
CORRECTION_RATE = "correction_rate"
_GROUPS = ("administrative_review", "litigation_direct", "litigation_after_review")
_CORRECTED = " + ".join(f"review_litigation/{g}/corrected" for g in _GROUPS)
_CONCLUDED = " + ".join(f"review_litigation/{g}/{m}" for g in _GROUPS for m in ("upheld", "corrected", "other"))
LEVEL_ZH = {"city": "市州", "county": "县区", "department": "部门", "township": "乡镇街道"}
#: Columns of :func:`compare_agencies` with ``long=True``.
LONG_COLUMNS = ["agency", "agency_id", "level", "level_zh", "level_inferred", "year", "report_id", "template",
                "completeness", "findings", "indicator", "name_zh", "unit", "value", "basis", "source", "why_missing",
                "why_missing_zh"]


# ---------------------------------------------------------------------------- levels
@cache
def level_rules() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """The name rules of ``data/agency_levels.csv``: ``(level, level_zh, pattern)``, first match wins."""
    rows = package_csv("agency_levels.csv")
    return tuple((r["level"], r["level_zh"], re.compile(r["pattern"])) for r in rows)


def infer_level(agency: str | None) -> str | None:
    """The level an agency's name suggests (city, county, department, township), or None."""
    from shaoyang_report.read.text import normalize

    if not isinstance(agency, str) or not agency:
        return None
    name = normalize(agency)
    for level, _, pattern in level_rules():
        if pattern.search(name):
            return level
    return None


def agency_levels(corpus: Corpus) -> dict[str, tuple[str | None, bool]]:
    """``agency → (level, inferred)``: the catalog's ``level`` where given, else inferred from the name."""
    given: dict[str, str] = {}
    catalog = corpus.catalog
    if len(catalog) and LEVEL in catalog.columns:
        for agency, level in zip(catalog.agency, catalog[LEVEL]):
            level = str(level).strip().lower() if isinstance(level, str) else ""
            if level in LEVELS:
                given.setdefault(str(agency), level)
    out = {}
    for agency in corpus.reports.agency.dropna().unique() if len(corpus) else []:
        out[agency] = (given[agency], False) if agency in given else (infer_level(agency), True)
    return out


# ---------------------------------------------------------------------------- the panel
def _evaluate(rf: ReportFacts, key: str, kind: str, expr: str):
    if key == CORRECTION_RATE:
        num, den = rf.evaluate(_CORRECTED), rf.evaluate(_CONCLUDED)
        if isinstance(num, str) or isinstance(den, str):
            return num if isinstance(num, str) else den
        if den[0] == 0:
            return "not_stated"
        return round(100 * num[0] / den[0], 2), "printed table", f"{num[2]} ÷ {den[2]}"
    if kind == "share":
        return share_value(rf, expr)
    return rf.evaluate(expr)


def panel_long(corpus: Corpus, year: int | None = None, chosen: dict | None = None) -> pd.DataFrame:
    """The agency panel in long form, one row per agency, year and indicator (:data:`LONG_COLUMNS`)."""
    chosen = chosen if chosen is not None else chosen_reports(corpus)
    levels = agency_levels(corpus)
    names = agency_names(corpus.reports)
    by_key = {i.key: i for i in indicators()}
    rows = []
    for (key, y), rf in chosen.items():
        if year is not None and y != year:
            continue
        agency = names.get(key, key)
        level, inferred = levels.get(agency, (None, True))
        s = rf.summary
        head = {"agency": agency, "agency_id": key, "level": level, "level_zh": LEVEL_ZH.get(level) if level is not None else None,
                "level_inferred": inferred, "year": y, "report_id": s["report_id"], "template": rf.template,
                "completeness": s.get("completeness") or "", "findings": int(s.get("findings") or 0)}
        for key in (*PANEL, CORRECTION_RATE):
            if key == CORRECTION_RATE:
                name, unit, kind, expr = "纠错率（复议、诉讼纠正÷审结）", "%", "share", ""
            else:
                ind = by_key[key]
                name, unit, kind, expr = ind.name_zh, ind.unit, ind.kind, ind.sources.get(rf.template, "")
            result = _evaluate(rf, key, kind, expr)
            row = {**head, "indicator": key, "name_zh": name, "unit": unit, "value": math.nan, "basis": None,
                   "source": None, "why_missing": None}
            if isinstance(result, str):
                row["why_missing"] = result
            else:
                row["value"], row["basis"], row["source"] = result
            rows.append(row)
    frame = pd.DataFrame(rows, columns=LONG_COLUMNS[:-1])
    frame["why_missing_zh"] = frame.why_missing.map(WHY_ZH)
    frame["why_missing"] = frame.why_missing.map(WHY)
    return frame[LONG_COLUMNS]


def compare_agencies(corpus: Corpus, year: int | None = None, *, long: bool = False,
                     panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every agency side by side: one row per agency (per year when ``year`` is None).

    Args:
        corpus: A :class:`~shaoyang_report.corpus.corpus.Corpus`.
        year: The reporting year to compare; None: every year (one row per agency and year).
        long: Return the long form (:data:`LONG_COLUMNS`: one row per indicator, with its
            ``basis``, ``source`` and why a value is missing) instead of the wide one.
        panel: :func:`panel_long` of ``corpus`` and ``year``, when already built (built here when None).

    Returns:
        Wide: ``agency, agency_id, level, level_zh, level_inferred, year, report_id,
        template, completeness, findings`` and one column per indicator (:data:`PANEL`, then
        ``correction_rate``), NaN where the report does not give it (``long=True`` says
        why). Sorted by level, then agency.
    """
    frame = panel if panel is not None else panel_long(corpus, year)
    if long:
        return frame
    head = LONG_COLUMNS[:10]
    if frame.empty:
        return pd.DataFrame(columns=[*head, *PANEL, CORRECTION_RATE])
    values = frame.pivot(index="report_id", columns="indicator", values="value")
    wide = frame.drop_duplicates("report_id")[head].join(values, on="report_id")
    for key in (*PANEL, CORRECTION_RATE):
        if key not in wide.columns:
            wide[key] = math.nan
    order = {lvl: i for i, lvl in enumerate(LEVELS)}
    wide = wide.assign(_o=wide.level.map(order).fillna(len(order))).sort_values(["_o", "agency", "agency_id", "year"])
    return wide.drop(columns="_o")[[*head, *PANEL, CORRECTION_RATE]].reset_index(drop=True)
