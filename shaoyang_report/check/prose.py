"""Prose checks: the figures stated in prose against the tables and against each other.

Three rules, each from a column of the catalogue (:mod:`shaoyang_report.prose_metrics`):

* ``prose_vs_table`` — a prose figure equals the table facts named in ``compare_with``
  (表三, 表四, 表二);
* ``closed_le_received`` — closed ≤ received, from ``at_most``;
* ``stated_rate`` — a stated rate against the counts it is computed from, ``ratio_of``.

Entry: :func:`prose_checks` (a frame of many reports' facts) and
:func:`prose_checks_records` (one report's fact records).

Which table row the prose means (表三):
    ``收到/新收 N件`` → ``new_requests`` (一、本年新收); ``受理 N件`` → measure
    ``accepted``, which real reports use for 一 alone or for 一+二 (Shaoyang 2020:
    受理140件 while 一 = 138 and 二 = 2), so its check passes if either reading fits;
    ``办结/办理完成 N件`` → ``total_handled`` (（七）总计, which includes requests carried
    over); ``上年结转`` → ``carried_over``; ``结转下年度`` → ``carried_forward``.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable
from decimal import Decimal

import pandas as pd

from shaoyang_report.prose_metrics import (
    DIGIT,
    METRIC_BY_KEY,
    METRICS,
    Metric,
    Term,
    to_decimal,
)

__all__ = ["prose_checks", "prose_checks_records"]

_RULE_ZH = {
    "prose_vs_table": "正文所述数字与表格一致",
    "closed_le_received": "办结数不超过受理数",
    "stated_rate": "正文所述比率与所述数字相符",
}
_PCT_IN_TEXT_RE = re.compile(rf"(?<![{DIGIT}.．])([{DIGIT}]+(?:[.．]([{DIGIT}]+))?)\s*[%％]")


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "空"
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _record(rule: str, item: str, measure: str, expected: float, printed: float, status: str,
            cells: str, locations: Iterable[str | None], message: str) -> dict:
    return {
        "rule": rule,
        "rule_zh": _RULE_ZH[rule],
        "section": "prose",
        "item": item,
        "measure": measure,
        "applicant": None,
        "expected": float(expected),
        "printed": float(printed),
        "status": status,
        "cells": cells,
        "locations": "; ".join(loc for loc in locations if loc),
        "message": message,
    }


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class _TableIndex:
    """One report's table facts, looked up by (section, item, measure, applicant)."""

    _DIMS = ("section", "item", "measure", "applicant")

    def __init__(self, table: list[dict]) -> None:
        self.table = table
        self.by_mask: dict[tuple[bool, ...], dict[tuple, list[dict]]] = {}
        self.keys: list[tuple] | None = None  # each fact's four dimensions

    def find(self, term: Term) -> list[dict]:
        """Facts of the term (``*`` matches any value of a dimension)."""
        wanted = (term.section, term.item, term.measure, term.applicant)
        mask = tuple(w != "*" for w in wanted)
        index = self.by_mask.get(mask)
        if index is None:  # built once per set of dimensions a term names
            if self.keys is None:
                self.keys = [(f.get("section"), f.get("item"), f.get("measure"), f.get("applicant"))
                             for f in self.table]
            named = [k for k, on in enumerate(mask) if on]
            index = self.by_mask[mask] = {}
            if len(named) == 4:
                for key, f in zip(self.keys, self.table):
                    index.setdefault(key, []).append(f)
            elif len(named) == 1:
                k = named[0]
                for key, f in zip(self.keys, self.table):
                    index.setdefault((key[k],), []).append(f)
            else:
                project = operator.itemgetter(*named) if named else (lambda key: ())
                for key, f in zip(self.keys, self.table):
                    index.setdefault(project(key), []).append(f)
        return index.get(tuple(w for w, named in zip(wanted, mask) if named), [])


def _term_value(term: Term, table: _TableIndex) -> tuple[float | None, list[str], str]:
    """Value of one table term: (value or None, locations, why-missing)."""
    found = [f for f in table.find(term) if not _is_missing(f.get("value"))]
    values = {float(f["value"]) for f in found}
    if not values:
        return None, [], "未填报"
    if len(values) > 1:
        return None, [], "有多个不同数值"
    return values.pop(), [str(f.get("location") or "") for f in found], ""


def _table_check(fact: dict, metric: Metric, table: _TableIndex) -> dict:
    printed = float(fact["value"])
    unit = metric.unit
    computed: list[tuple[int, float, list[str]]] = []
    for index, alternative in enumerate(metric.compare_with):
        total, locations, ok = 0.0, [], True
        for term in alternative:
            value, locs, _ = _term_value(term, table)
            if value is None:
                ok = False
                break
            total += value
            locations += locs
        if ok:
            computed.append((index, total, locations))
    terms_text = " ‖ ".join(" + ".join(t.label() for t in alt) for alt in metric.compare_with)
    cells = f"prose/{metric.item}/{metric.measure} = {_fmt(printed)} ↔ {terms_text}"
    said = f"{'' if metric.name_zh.startswith('正文') else '正文'}{metric.name_zh}{_fmt(printed)}{unit}"
    if not computed:
        wanted = "或".join(metric.compare_with_zh)
        return _record("prose_vs_table", metric.item, metric.measure, math.nan, printed, "not_checkable",
                       cells, [fact.get("location")], f"{said}，但表格未给出{wanted}，无法核对。")
    for index, total, locations in computed:
        if _same(total, printed):
            return _record("prose_vs_table", metric.item, metric.measure, total, printed, "pass", cells,
                           [fact.get("location"), *locations],
                           f"{said}，与{metric.compare_with_zh[index]}{_fmt(total)}{unit}一致。")
    index, total, locations = computed[0]
    others = "、".join(f"{metric.compare_with_zh[i]}{_fmt(t)}{unit}" for i, t, _ in computed)
    verdict = f"与{others}均不符" if len(computed) > 1 else f"与{others}不符，相差{_fmt(printed - total)}"
    return _record("prose_vs_table", metric.item, metric.measure, total, printed, "fail", cells,
                   [fact.get("location"), *(loc for _, _, locs in computed for loc in locs)], f"{said}，{verdict}。")


def _single(facts: list[dict]) -> tuple[float | None, str]:
    """The one value prose states for a metric: (value, location), or (None, reason)."""
    values = {float(f["value"]) for f in facts}
    if not values:
        return None, "未给出"
    if len(values) > 1:
        return None, "多处给出不同数值"
    return values.pop(), "; ".join(str(f.get("location") or "") for f in facts)


def _order_check(item: str, lesser: Metric, greater: Metric, prose: dict) -> dict | None:
    low_facts, high_facts = prose.get((item, lesser.measure), []), prose.get((item, greater.measure), [])
    if not low_facts and not high_facts:
        return None
    low, low_where = _single(low_facts)
    high, high_where = _single(high_facts)
    cells = f"prose/{item}/{lesser.measure} ≤ prose/{item}/{greater.measure}"
    unit = lesser.unit
    locations = [w for v, w in ((low, low_where), (high, high_where)) if v is not None]
    if low is None or high is None:
        given = [f"{m.name_zh}{_fmt(v)}{unit}" for m, v in ((lesser, low), (greater, high)) if v is not None]
        missing = [f"{m.name_zh}（{why}）" for m, v, why in ((lesser, low, low_where), (greater, high, high_where)) if v is None]
        lead = f"正文给出{'、'.join(given)}，" if given else ""
        return _record("closed_le_received", item, lesser.measure, math.nan if high is None else high,
                       math.nan if low is None else low, "not_checkable", cells, locations,
                       f"{lead}{'、'.join(missing)}，无法核对。")
    status = "pass" if low <= high + 1e-9 else "fail"
    verdict = "不超过" if status == "pass" else "超过了"
    return _record("closed_le_received", item, lesser.measure, high, low, status, cells, locations,
                   f"{lesser.name_zh}{_fmt(low)}{unit}{verdict}{greater.name_zh}{_fmt(high)}{unit}。")


def _printed_decimals(value: float, facts: list[dict]) -> int:
    for fact in facts:
        for m in _PCT_IN_TEXT_RE.finditer(str(fact.get("raw") or "")):
            if _same(float(to_decimal(m.group(1))), value):
                return len(m.group(2) or "")
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


def _rate_check(item: str, rate: Metric, numerator: Metric, denominator: Metric, prose: dict) -> dict | None:
    rate_facts = prose.get((item, rate.measure), [])
    if not rate_facts:
        return None
    stated, where = _single(rate_facts)
    num, num_where = _single(prose.get((item, numerator.measure), []))
    den, den_where = _single(prose.get((item, denominator.measure), []))
    cells = f"prose/{item}/{rate.measure} = prose/{item}/{numerator.measure} / prose/{item}/{denominator.measure} × 100"
    locations = [w for v, w in ((stated, where), (num, num_where), (den, den_where)) if v is not None]
    if stated is None or num is None or den is None or den == 0:
        gaps = [f"{m.name_zh}（{why}）" for m, v, why in (
            (rate, stated, where), (numerator, num, num_where), (denominator, den, den_where)) if v is None]
        if den == 0:
            gaps.append(f"{denominator.name_zh}为0")
        lead = f"正文给出{rate.name_zh}{_fmt(stated)}%，" if stated is not None else ""
        return _record("stated_rate", item, rate.measure, math.nan, math.nan if stated is None else stated,
                       "not_checkable", cells, locations, f"{lead}{'、'.join(gaps)}，无法核对。")
    exact = num / den * 100
    decimals = _printed_decimals(stated, rate_facts)
    expected = float(round(Decimal(repr(exact)), decimals))
    status = "pass" if abs(stated - exact) <= 0.5 * 10 ** -decimals + 1e-9 else "fail"
    verdict = "相符" if status == "pass" else "不符"
    return _record("stated_rate", item, rate.measure, expected, stated, status, cells, locations,
                   f"正文{rate.name_zh}印为{_fmt(stated)}%，按{numerator.name_zh}{_fmt(num)}÷"
                   f"{denominator.name_zh}{_fmt(den)}计算为{exact:.4f}%，保留{decimals}位小数为"
                   f"{_fmt(expected)}%，{verdict}。")


def prose_checks(facts: pd.DataFrame) -> list[dict]:
    """Check the figures stated in prose against the tables and against each other.

    Rules (each evaluated per ``report_id`` when that column is present):

    * ``prose_vs_table`` — a prose figure equals the table facts named in the catalogue's
      ``compare_with`` (e.g. 办结 ↔ 表三 （七）总计; 受理 ↔ 一 or 一+二).
    * ``closed_le_received`` — closed ≤ received (市长信箱; 12345热线 against valid work
      orders; 网上留言), from the catalogue's ``at_most``.
    * ``stated_rate`` — a stated rate equals numerator / denominator × 100 rounded to the
      printed decimals (1655 / 1718 → 96.33 %), from the catalogue's ``ratio_of``.

    A check one side of which is missing (not stated, blank, or stated twice with
    different values) is ``not_checkable``, never a ``fail``. A check is produced only
    when prose states at least one of its figures. Only the reporting body's own
    figures are checked: a record whose ``scope`` (when the column is there) is not
    ``whole`` — a part, a sub-unit's figure (``区政府办代表区政府受理17件``), a
    cumulative one — is left out, so a true figure of a sub-unit is never a finding.

    Args:
        facts: Tidy facts with at least the columns ``section, item, measure, applicant,
            value, location`` (plus ``report_id``, ``raw`` and ``scope`` when available). Prose facts
            have ``section == "prose"``; table facts keep their own sections
            (``applications``, ``review_litigation``, ``active_disclosure``).

    Returns:
        Check dicts with the keys ``rule, rule_zh, section ("prose"), item, measure,
        applicant (None), expected, printed, status ("pass" | "fail" | "not_checkable"),
        cells, locations, message``. The records do not carry ``report_id``: pass one
        report's facts at a time if the caller needs to attach it.

    Example:
        >>> df = pd.DataFrame([
        ...     {"section": "prose", "item": "mayor_mailbox", "measure": "received", "applicant": None,
        ...      "value": 1718.0, "raw": "", "location": "line 10, chars 21-25"},
        ...     {"section": "prose", "item": "mayor_mailbox", "measure": "closed", "applicant": None,
        ...      "value": 1655.0, "raw": "", "location": "line 10, chars 29-33"}])
        >>> [(c["rule"], c["status"]) for c in prose_checks(df)]
        [('closed_le_received', 'pass')]
    """
    if facts is None or len(facts) == 0:
        return []
    needed = {"section", "item", "measure", "value"}
    lacking = needed - set(facts.columns)
    if lacking:
        raise ValueError(f"prose_checks: facts lack the columns {', '.join(sorted(lacking))}")
    frame = facts.astype(object).where(facts.notna(), None)
    groups = frame.groupby("report_id", sort=False, dropna=False) if "report_id" in frame.columns else [(None, frame)]
    out: list[dict] = []
    for _, group in groups:
        out += prose_checks_records(group.to_dict("records"))
    return out


def prose_checks_records(records: list[dict]) -> list[dict]:
    """:func:`prose_checks` on one report's fact records (dicts), without pandas.

    Args:
        records: One report's facts as dicts (``section, item, measure, applicant,
            value, location``…); a NaN or None value counts as not stated.

    Returns:
        The check dicts, as :func:`prose_checks` returns them.
    """
    out: list[dict] = []
    # a value NaN or None is not stated; table facts are read as they are (their NaN is missing to _term_value);
    # a figure of a part, a sub-unit or a cumulative span is not the body's own: never checked
    prose_facts = [{**r, "value": float(r["value"])} for r in records
                   if r["section"] == "prose" and r.get("value") is not None and r["value"] == r["value"]
                   and r.get("scope") in (None, "whole")]
    if not prose_facts:
        return out
    table = _TableIndex([r for r in records if r["section"] != "prose"])
    prose: dict[tuple[str, str], list[dict]] = {}
    for fact in prose_facts:
        prose.setdefault((fact["item"], fact["measure"]), []).append(fact)
    for fact in prose_facts:
        metric = METRIC_BY_KEY.get((fact["item"], fact["measure"]))
        if metric is not None and metric.compare_with:
            out.append(_table_check(fact, metric, table))
    for metric in METRICS:
        if metric.at_most:
            check = _order_check(metric.item, metric, METRIC_BY_KEY[(metric.item, metric.at_most)], prose)
            if check:
                out.append(check)
        if metric.ratio_of:
            num, den = (METRIC_BY_KEY[(metric.item, m)] for m in metric.ratio_of)
            check = _rate_check(metric.item, metric, num, den, prose)
            if check:
                out.append(check)
    return out
