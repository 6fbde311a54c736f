"""Arithmetic as a guard on OCR: is a failing sum more likely a misread digit than the agency's own?

A report read from images (:mod:`shaoyang_report.read.readers.ocr`) runs the format's
sum rules as any report does. A rule can then fail for two reasons: the agency printed
numbers that do not add up (a finding, as in a text report), or the OCR read a digit as
another of similar shape. This module tells them apart as far as the arithmetic can:

A failing check is a **likely misread** when changing one digit of one OCR'd value
involved in it, by one of the digit-shape confusions in ``data/digit_confusions.csv``
(3↔8, 1↔7, 0↔6; and, in a count of whole things — a unit of ``whole_units`` in
``data/layouts.toml`` — a ``.`` or ``,`` read between two digits, dropped), makes the
rule hold, and no rule that holds on that value as read would fail after the change. The alternatives are named (the cell's location, the value
as read and the value that would make the rule hold); when several would, those that
make the most failing rules hold at once (a misread cell breaks its row and its column)
are named.

Nothing is corrected: the value stays as read, in ``facts`` and in the check. A finding
that is not a likely misread is the agency's own, as in any report; a report not read
by OCR never has likely misreads.

Example:
    >>> checks = [{"status": "fail", "difference": -5.0, "locations": "page 1, x 9–20 ← page 1, x 1–5; page 1, x 6–8"}]
    >>> facts = [{"location": "page 1, x 9–20", "raw": "13", "value": 13.0, "confidence": 0.97},
    ...          {"location": "page 1, x 1–5", "raw": "10", "value": 10.0, "confidence": 0.99},
    ...          {"location": "page 1, x 6–8", "raw": "8", "value": 8.0, "confidence": 0.98}]
    >>> mark_misreads(checks, facts)[0]["misread_alternative"]
    'page 1, x 9–20: 13 → 18; page 1, x 6–8: 8 → 3'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import cache

from shaoyang_report.config import package_csv
from shaoyang_report.layout import get_layout

#: A printed number whose digits can be tried: sign, digits with points or commas between, then anything (a unit).
_NUMBER = re.compile(r"^([+-]?)(\d+(?:[.,]\d+)*)(\D*)$")
_TOLERANCE = 1e-6


@cache
def confusions() -> dict[str, tuple[str, ...]]:
    """Character as read → what it may have been printed as (``data/digit_confusions.csv``).

    An empty printed text: the character was not printed at all (a ``.`` read between
    two digits of a count).

    Example:
        >>> confusions()["3"], confusions()["0"], "2" in confusions(), confusions()["."]
        (('8',), ('6',), False, ('',))
    """
    rows = package_csv("digit_confusions.csv")
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row["read_as"].strip(), []).append(row["printed"].strip())
    return {k: tuple(v) for k, v in out.items()}


def alternatives(raw: str, value: float | None, count: bool = False) -> Iterator[tuple[str, float]]:
    """``(raw, value)`` for each one-character confusion of a printed number.

    A number that is not plainly digits (a blank, ``—``, a sentence) has none; a change
    that would give a leading zero (``61`` → ``01``) is no number as printed. A ``.`` or
    ``,`` is dropped (read where nothing was printed) only in a ``count`` of whole things.

    Example:
        >>> list(alternatives("38", 38.0))
        [('88', 88.0), ('33', 33.0)]
        >>> list(alternatives("1.5万", 15000.0))
        [('7.5万', 75000.0)]
        >>> list(alternatives("6.39", 6.39, count=True))
        [('0.39', 0.39), ('639', 639.0), ('6.89', 6.89)]
    """
    m = _NUMBER.match(raw.strip()) if raw else None
    if m is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return
    sign, digits, unit = m.groups()
    if "," in digits and not count:
        return  # a comma is a thousands separator or no number: only a count's is tried (dropped)
    as_printed = float(sign + digits.replace(",", ""))
    if as_printed:
        factor = value / as_printed
    elif value == 0:
        factor = 1.0
    else:
        return
    table = confusions()
    for i, digit in enumerate(digits):
        for other in table.get(digit, ()):
            if not other and not count:
                continue  # a point or comma dropped: only in a count
            changed = digits[:i] + other + digits[i + 1:]
            if changed[0] == "0" and len(changed) > 1 and changed[1] != ".":
                continue
            try:
                number = float(sign + changed.replace(",", "")) * factor
            except ValueError:
                continue
            if number != value:
                yield sign + changed + unit, number


def read_by_ocr(fact: dict) -> bool:
    """Whether a fact (a record of ``facts``) was read by OCR: it has a recognition ``confidence``.

    Example:
        >>> read_by_ocr({"confidence": 0.97}), read_by_ocr({"confidence": None}), read_by_ocr({})
        (True, False, False)
    """
    confidence = fact.get("confidence")
    return isinstance(confidence, float) and not math.isnan(confidence)


def _cells(locations: str) -> list[tuple[str, int]]:
    """``(location, sign)`` of a check's cells: totals +1, parts −1 (difference = totals − parts)."""
    totals, _, parts = (locations or "").partition(" ← ")
    return [(loc, +1) for loc in totals.split("; ") if loc] + [(loc, -1) for loc in parts.split("; ") if loc]


def mark_misreads(checks: list[dict], facts: list[dict]) -> list[dict]:
    """Add ``likely_misread`` and ``misread_alternative`` to each check record (in place).

    Args:
        checks: One report's check records (``status``, ``difference``, ``locations`` as
            :func:`~shaoyang_report.check.checks.run_rules` makes them).
        facts: The report's fact records; an OCR'd one has a ``confidence``.

    Returns:
        ``checks``, each with ``likely_misread`` (True only for a failing check a one-digit
        confusion of an OCR'd value would make hold) and ``misread_alternative`` (the
        cell(s) and the value(s) that would, ``; ``-separated, else None).
    """
    for c in checks:
        c["likely_misread"] = False
        c["misread_alternative"] = None
    ocr_facts = {f["location"]: f for f in facts if read_by_ocr(f) and f.get("location")}
    if not ocr_facts:
        return checks
    whole = get_layout().whole_units
    holding: dict[str, list[tuple[dict, int]]] = {}  # location → the passing checks it is in, with its sign
    failing: dict[str, list[tuple[dict, int]]] = {}  # location → the failing checks it is in
    cells_of = []
    for c in checks:
        cells = _cells(c.get("locations", "")) if c.get("status") in ("pass", "fail") else []
        cells_of.append(cells)
        kept = holding if c.get("status") == "pass" else failing
        for loc, sign in cells:
            if loc in ocr_facts:
                kept.setdefault(loc, []).append((c, sign))
    for c, cells in zip(checks, cells_of):
        if c.get("status") != "fail":
            continue
        found: dict[str, int] = {}  # alternative → how many failing checks it makes hold
        for loc, sign in cells:
            fact = ocr_facts.get(loc)
            if fact is None:
                continue
            count = fact.get("unit") in whole
            for raw, value in alternatives(str(fact.get("raw") or ""), fact.get("value"), count):
                delta = value - fact["value"]
                if abs(c["difference"] + sign * delta) >= _TOLERANCE:
                    continue
                if any(abs(other["difference"] + s * delta) >= _TOLERANCE for other, s in holding.get(loc, ())):
                    continue  # it would break a rule that holds as read
                fixed = sum(1 for other, s in failing[loc] if abs(other["difference"] + s * delta) < _TOLERANCE)
                found[f"{loc}: {fact['raw']} → {raw}"] = fixed
        if found:
            # the alternatives that explain the most failing checks at once (a misread cell breaks its row
            # and its column; a change that mends one of them and leaves the other is a weaker account)
            best = max(found.values())
            c["likely_misread"] = True
            c["misread_alternative"] = "; ".join(k for k, n in found.items() if n == best)
    return checks
