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


def message_number(x: float) -> str:
    """A value as printed in a message: whole numbers without a decimal point, never an exponent or a rounding."""
    if math.isnan(x):
        return "空"
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.10f}".rstrip("0").rstrip(".")


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
    by_section: dict[str, list[dict]] = {}
    for f in facts:
        by_section.setdefault(f["section"], []).append(f)
    overs_of: dict[tuple[str, str], list] = {}
    out: list[dict] = []
    for rule in layout.rules:
        table = tables.get(rule.section)
        section_facts = by_section.get(rule.section)
        if table is None or not section_facts:
            continue
        overs = overs_of.get((rule.section, rule.over))
        if overs is None:
            overs = overs_of[(rule.section, rule.over)] = list(dict.fromkeys(f[rule.over] for f in section_facts))
        parts = _parts(rule, table, shapes)
        for over in overs:
            out.append(_check(rule, index, over, parts, rule.totals, table))
    return out


_LEAVES: dict[tuple, tuple[Table, tuple[str, ...]]] = {}  # by rule, id() of the table, shapes


def _parts(rule: Rule, table: Table, shapes: dict[str, str] | None) -> tuple[str, ...]:
    """A rule's part rows: as listed, or the leaves below a row that the format requires in these shapes."""
    if not (isinstance(rule.parts, str) and rule.parts.startswith("@leaves:")):
        return tuple(rule.parts)
    key = (rule, id(table), tuple(sorted((shapes or {}).items())))
    kept = _LEAVES.get(key)
    if kept is None or kept[0] is not table:
        below = {r.key for r in table.descendants(rule.parts.split(":", 1)[1])}
        kept = _LEAVES[key] = (table, tuple(r.key for r in table.expected_rows(shapes or {}) if r.key in below))
    return kept[1]


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
              totals: tuple[str, ...]) -> tuple[tuple[tuple, ...], tuple[tuple, ...], str, str, str, tuple]:
    """What a check is the same for every report: its part and total cells, their description,
    the Chinese names of the ``over`` value and of the totals, and the record's dimensions."""
    layout = get_layout()
    part_keys, total_keys = _keys(rule, measure, over, parts), _keys(rule, measure, over, totals)
    text = (" + ".join("/".join(str(x) for x in k[1:] if x) for k in part_keys) + " = "
            + " + ".join("/".join(str(x) for x in k[1:] if x) for k in total_keys))
    over_zh = layout.column_label(rule.section, rule.over, over)
    totals_zh = "+".join(layout.column_label(rule.section, rule.dim, k) for k in totals)
    record: dict[str, str | None] = {d: None for d in _DIMS}
    record[rule.over] = over
    if len(totals) == 1:  # name the total checked (（七）总计, 总计, the group)
        record[rule.dim] = totals[0]
    return part_keys, total_keys, text, over_zh, totals_zh, tuple(record.items())


def _gap(key: tuple) -> str:
    return "/".join(str(x) for x in key[1:] if x)


def _check(rule: Rule, index: dict, over: str, parts: tuple[str, ...], totals: tuple[str, ...], table: Table) -> dict:
    part_keys, total_keys, cells_text, over_zh, totals_zh, dims = _cells_of(rule, table.measure, over, parts, totals)
    part_cells = [index.get(k) for k in part_keys]
    total_cells = [index.get(k) for k in total_keys]
    parts_printed = [f for f in part_cells if f is not None]
    totals_printed = [f for f in total_cells if f is not None]
    expected = sum([f["value"] for f in parts_printed])
    printed = sum([f["value"] for f in totals_printed])
    absent: list[tuple] | tuple[()] = ()
    if len(parts_printed) < len(part_cells) or len(totals_printed) < len(total_cells) \
            or math.isnan(expected) or math.isnan(printed):  # a cell not printed, or blank (NaN)
        absent = [k for k, f in zip((*part_keys, *total_keys), (*part_cells, *total_cells))
                  if f is None or math.isnan(f["value"])]
    if absent:
        status, expected, printed = "not_checkable", math.nan, math.nan
        message = f"{rule.name_zh}（{over_zh}）：无法核对，{'、'.join(_gap(k) for k in absent)} 未填报或为空"
    else:
        status = "pass" if abs(expected - printed) < 1e-6 else "fail"
        verdict = "相符" if status == "pass" else f"不符，相差{message_number(printed - expected)}"
        message = f"{rule.name_zh}（{over_zh}）：各项之和为{message_number(expected)}，{totals_zh}印为{message_number(printed)}，{verdict}"
    record = dict(dims)
    record.update(
        rule=rule.key,
        rule_zh=rule.name_zh,
        section=rule.section,
        expected=expected,
        printed=printed,
        difference=printed - expected,
        status=status,
        cells=cells_text,
        locations="; ".join([f["location"] for f in totals_printed])
        + " ← " + "; ".join([f["location"] for f in parts_printed]),
        message=message,
    )
    return record


def summarize(checks: Iterable[dict]) -> dict[str, int]:
    """Count checks by status."""
    counts = {"pass": 0, "fail": 0, "not_checkable": 0}
    for c in checks:
        counts[c["status"]] += 1
    return counts
