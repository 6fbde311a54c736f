"""Prose facts: the figures a report's sentences state for the reporting body, as tidy facts.

A mention (:func:`~shaoyang_report.read.prose.mentions.read_mentions`) becomes a fact
(``section == "prose"``) when it has a catalogue metric, is a plain quantity (not an
approximate figure: ``1730余篇``, ``约300条``) and its scope is ``whole``: the reporting
body's own figure, not a part, a sub-unit's or a cumulative one. Everything else stays
a mention only (``report.numbers_in_prose()``).

Example:
    >>> facts = extract_prose_facts([("line 10", "市长信箱共受理各类信件1718件,办结1655件。")])
    >>> [(f["measure"], f["value"], f["location"]) for f in facts]
    [('received', 1718.0, 'line 10, chars 11-15'), ('closed', 1655.0, 'line 10, chars 19-23')]
"""

from __future__ import annotations

from collections.abc import Sequence

from shaoyang_report.read.prose.mentions import read_numbers

__all__ = ["extract_prose_facts", "facts_of_mentions"]


def facts_of_mentions(mentions: Sequence[dict]) -> list[dict]:
    """The facts among mentions: a metric, a plain quantity, the whole body's (see the module docstring)."""
    facts = []
    for m in mentions:
        if m["metric"] is None or m["kind"] != "quantity" or m["scope"] != "whole":
            continue
        item, measure = m["metric"].split(".", 1)
        facts.append({
            "section": "prose",
            "item": item,
            "measure": measure,
            "applicant": None,
            "value": m["fact_value"],
            "unit": m["fact_unit"],
            "raw": m["sentence"],
            "location": m["location"],
        })
    return facts


def extract_prose_facts(lines: Sequence, *, agency: str | None = None, year: int | None = None) -> list[dict]:
    """Extract the figures stated in prose for the reporting body, each with the sentence it came from.

    Args:
        lines: ``(location_prefix, text)`` pairs, e.g.
            ``("line 16", "积极回应群众关切。2020年,市长信箱共受理各类信件1718件,…")``;
            a plain string is taken as line ``n`` (1-based position in ``lines``).
            Sentences are split on 。；; and line ends, never on commas.
        agency: The reporting body as printed (see :func:`read_mentions`).
        year: The year reported on (see :func:`read_mentions`).

    Returns:
        Fact dicts with exactly the keys ``section`` ("prose"), ``item``, ``measure``,
        ``applicant`` (None), ``value`` (float, in ``unit``), ``unit``, ``raw`` (the
        sentence as printed) and ``location`` (``"<prefix>, chars <start>-<end>"``:
        0-based, end-exclusive offsets of the printed number in that line's text).

    Example:
        >>> facts = extract_prose_facts([("line 8", "2020年共受理政府信息公开申请140件,已全部办结。")])
        >>> [(f["item"], f["measure"], f["value"], f["unit"]) for f in facts]
        [('applications_prose', 'accepted', 140.0, '件'), ('applications_prose', 'completed', 140.0, '件')]
    """
    facts = []
    for read in read_numbers(lines, agency=agency, year=year, only="metrics"):
        reading = read.reading  # as facts_of_mentions takes the mentions, without making them
        if reading is None or read.clause is None or not reading.metrics or read.number.kind != "quantity" \
                or reading.scope != "whole":
            continue
        raw, location = read.sentence, read.location
        for metric, value in reading.metrics:
            facts.append({
                "section": "prose",
                "item": metric.item,
                "measure": metric.measure,
                "applicant": None,
                "value": value,
                "unit": metric.unit,
                "raw": raw,
                "location": location,
            })
    return facts
