"""Arithmetic checks (勾稽关系) generated from the rules in ``layouts.toml``.

Every rule evaluation becomes a check record with status ``pass``, ``fail`` (a
finding) or ``not_checkable`` (a cell is blank or not printed). Published numbers are
never corrected: a disagreement is reported with the cells involved, expected vs
printed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

from shaoyang_report.layout import Rule, Table, get_layout

_DIMS = ("item", "measure", "applicant")


def _fmt(x: float) -> str:
    return f"{x:g}" if not math.isnan(x) else "空"


def run_rules(facts: list[dict], tables: dict[str, Table], shapes: dict[str, str] | None = None) -> list[dict]:
    """Evaluate every rule of the layout on one report's table facts.

    Args:
        facts: Fact records of one report (dicts with the facts columns).
        tables: The layout table of each section the report prints.
        shapes: How the report printed shaped rows (``{"other_processing": "row"}``):
            a leaf sum runs over the leaves the format requires in that shape, so a
            leaf row the text lacks makes the check not_checkable, never a false finding.

    Returns:
        One check record per rule and per value of the rule's ``over`` dimension.
    """
    layout = get_layout()
    index = {(f["section"], f["item"], f["measure"], f["applicant"]): f for f in facts}
    out: list[dict] = []
    for rule in layout.rules:
        table = tables.get(rule.section)
        section_facts = [f for f in facts if f["section"] == rule.section]
        if table is None or not section_facts:
            continue
        overs = list(dict.fromkeys(f[rule.over] for f in section_facts))
        if isinstance(rule.parts, str) and rule.parts.startswith("@leaves:"):
            below = {r.key for r in table.descendants(rule.parts.split(":", 1)[1])}
            parts = [r.key for r in table.expected_rows(shapes or {}) if r.key in below]
        else:
            parts = list(rule.parts)
        for over in overs:
            out.append(_check(rule, index, over, parts, list(rule.totals), tables))
    return out


def _keys(rule: Rule, measure: str | None, over: str, keys: tuple[str, ...]) -> tuple[tuple, ...]:
    """The facts' (section, item, measure, applicant) of a rule's cells."""
    out = []
    for key in keys:
        dims = {"item": None, "measure": measure, "applicant": None}
        dims[rule.over] = over
        dims[rule.dim] = key
        out.append((rule.section, dims["item"], dims["measure"], dims["applicant"]))
    return tuple(out)


@lru_cache(maxsize=1024)
def _cells_of(rule: Rule, measure: str | None, over: str, parts: tuple[str, ...],
              totals: tuple[str, ...]) -> tuple[tuple[tuple, ...], tuple[tuple, ...], str]:
    """A check's part and total cells, and their description (the same for every report)."""
    part_keys, total_keys = _keys(rule, measure, over, parts), _keys(rule, measure, over, totals)
    text = (" + ".join("/".join(str(x) for x in k[1:] if x) for k in part_keys) + " = "
            + " + ".join("/".join(str(x) for x in k[1:] if x) for k in total_keys))
    return part_keys, total_keys, text


def _check(rule: Rule, index: dict, over: str, parts: list[str], totals: list[str], tables) -> dict:
    layout = get_layout()
    table = tables[rule.section]
    part_keys, total_keys, cells_text = _cells_of(rule, table.measure, over, tuple(parts), tuple(totals))
    part_cells = [(k, index.get(k)) for k in part_keys]
    total_cells = [(k, index.get(k)) for k in total_keys]
    involved = part_cells + total_cells
    absent = [k for k, f in involved if f is None or math.isnan(f["value"])]
    expected = sum(f["value"] for _, f in part_cells if f is not None)
    printed = sum(f["value"] for _, f in total_cells if f is not None)
    if absent:
        status, expected, printed = "not_checkable", math.nan, math.nan
    else:
        status = "pass" if abs(expected - printed) < 1e-6 else "fail"
    over_zh = layout.column_label(rule.section, rule.over, over)
    totals_zh = "+".join(layout.column_label(rule.section, rule.dim, k) for k in totals)
    if status == "not_checkable":
        gaps = "、".join("/".join(str(x) for x in k[1:] if x) for k in absent)
        message = f"{rule.name_zh}（{over_zh}）：无法核对，{gaps} 未填报或为空"
    else:
        verdict = "相符" if status == "pass" else f"不符，相差{_fmt(printed - expected)}"
        message = f"{rule.name_zh}（{over_zh}）：各项之和为{_fmt(expected)}，{totals_zh}印为{_fmt(printed)}，{verdict}"
    record = {d: None for d in _DIMS}
    record[rule.over] = over
    if len(totals) == 1:  # name the total checked (（七）总计, 总计, the group)
        record[rule.dim] = totals[0]
    return {
        **record,
        "rule": rule.key,
        "rule_zh": rule.name_zh,
        "section": rule.section,
        "expected": expected,
        "printed": printed,
        "difference": printed - expected,
        "status": status,
        "cells": cells_text,
        "locations": "; ".join(f["location"] for _, f in total_cells if f is not None)
        + " ← " + "; ".join(f["location"] for _, f in part_cells if f is not None),
        "message": message,
    }


def summarize(checks: Iterable[dict]) -> dict[str, int]:
    """Count checks by status."""
    counts = {"pass": 0, "fail": 0, "not_checkable": 0}
    for c in checks:
        counts[c["status"]] += 1
    return counts
