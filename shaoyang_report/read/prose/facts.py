"""Prose facts: the figures a report's sentences state, each read as a catalogue metric.

A number becomes a fact (``section == "prose"``) only when its metric is identified with
certainty by the catalogue (:mod:`shaoyang_report.prose_metrics`); anything ambiguous is
left out. A number belongs to an item only if that item's topic is the *active topic* at
the number (see the catalogue's ``topic`` column). Entry: :func:`extract_prose_facts`.

Each number takes the measure of its own words
-----------------------------------------------
A clause (split on ``,，:：``; sentences end at ``。；;！？``) may list several figures,
``收到来信52件、办结40件、不予受理12件``. A number's *lead* is the text from the previous
figure of its clause (number and unit) — or from the clause start — to the number; the
enumeration comma ``、`` after a figure so ends a segment, while one inside a description
(``国务院、省政府重要信息1612条``) does not. A pattern's match is the number's measure
only if

* its words before the number do not reach back over another figure of the clause (a
  pattern crosses into an earlier clause only by spelling the comma out, as
  ``portal_share`` does);
* its words after the number (``11个文件…制定解读材料``) are not the lead of a later
  figure of their clause (``52件已办结40件``) and pass no other figure the metric could
  read (``新开通3个账号和2个公众号``);
* neither the lead nor those words after the number hold a non-metric measure word.

A number whose own clause names no measure (``受理信件100件,98件``, ``其中县长信箱300件``)
matches no pattern — ``{GAP}`` and ``{WORDS}`` never cross a comma — so it never inherits
the previous clause's measure; only a pattern that spells the link out does
(``受理…申请140件,已全部办结``). In ``收到来信52件,办结40件,不予受理12件`` 52 is
``received``, 40 ``closed`` and 12 nothing.

Certainty rules applied to every candidate number: it must be a *quantity* (not a date,
year, phone or document number, ordinal, list marker, name, identifier), not approximate
(``1730余篇``, ``200余条``, ``150篇以上``, ``约``, ``近``, ranges), not inside a
《title》 or “quotation”, carry a unit the row accepts, sit under the row's topic, and
take its measure from its own words (above).

Example:
    >>> facts = extract_prose_facts([("line 10", "市长信箱共受理各类信件1718件,办结1655件。")])
    >>> [(f["measure"], f["value"], f["location"]) for f in facts]
    [('received', 1718.0, 'line 10, chars 11-15'), ('closed', 1655.0, 'line 10, chars 19-23')]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache

from shaoyang_report.prose_metrics import (
    METRICS,
    METRICS_BY_ITEM,
    NON_METRIC_BY_ITEM,
    TOPIC_RES,
    Metric,
)
from shaoyang_report.quick_regex import first_chars, quick_search
from shaoyang_report.read.prose.numbers import (
    AFTER_NUMBER_RE,
    NUMBER_FIRST,
    Number,
    sentence_numbers,
)
from shaoyang_report.read.prose.sentences import (
    iter_lines,
    location_at,
    mask_titles,
    split_sentences,
)

__all__ = ["extract_prose_facts"]

_MONEY = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_CLAUSE_RE = re.compile(r"[,，:：]")
_CONJUNCTION_RE = re.compile(r"[”“\"」「\s]*(?:、|和|及|与|以及|或|或者|暨|/)[”“\"」「\s]*")
# Any topic at all: most sentences name none and are passed over with one search.
_ANY_TOPIC = quick_search(re.compile("|".join(f"(?:{regex.pattern})" for regex, _ in TOPIC_RES)))
# The characters each topic starts with: a sentence holding none of them does not name it.
_TOPIC_FIRST = tuple((regex, item, first_chars(regex)) for regex, item in TOPIC_RES)
# Each item's metrics' patterns in catalogue order, with the characters their matches start with.
_PATTERNS_BY_ITEM = {item: [(m, p, first_chars(p)) for m in metrics for p in m.patterns]
                     for item, metrics in METRICS_BY_ITEM.items()}
_METRIC_ORDER = {id(m): k for k, m in enumerate(METRICS)}  # catalogue order, by identity


def _active_topic(pos: int, topics: list[tuple[int, int, str]], clause_starts: list[int], masked: str) -> str | None:
    """Item whose subject governs the number at ``pos`` (see module docstring)."""
    i = bisect.bisect_right(clause_starts, pos) - 1
    clause_start = clause_starts[i]
    clause_end = clause_starts[i + 1] - 1 if i + 1 < len(clause_starts) else len(masked)
    inherited = None
    before: list[tuple[int, int, str]] = []
    after = None
    for topic in topics:
        start = topic[0]
        if start < clause_start:
            inherited = topic[2]
        elif start < pos:
            before.append(topic)
        elif start < clause_end and after is None:
            after = topic[2]
    if before:
        last = before[-1]
        for prev in reversed(before[:-1]):
            if prev[2] != last[2] and _CONJUNCTION_RE.fullmatch(masked[prev[1]:last[0]]):
                return None  # "12345热线和市长信箱共受理…": a combined figure, nobody's
            if prev[2] != last[2]:
                break
        return last[2]
    return after or inherited


def _unit_end(masked: str, pos: int) -> int:
    """Where the unit (and any multiplier or approximation) printed after a number ends."""
    m = AFTER_NUMBER_RE.match(masked, pos)
    assert m is not None  # every part of it is optional: it always matches
    return m.end()


class _Segments:
    """Which words of a sentence belong to which printed figure.

    A clause (text between ``,，:：``; sentences already end at ``。；;！？``) may hold
    several figures: ``收到来信52件、办结40件、不予受理12件``. The words between the
    previous figure of the clause (its number and unit) and a number — the number's
    *lead* — name that number's measure. So the enumeration comma ``、`` after a figure
    ends a segment, while a ``、`` inside a description (``国务院、省政府重要信息1612条``)
    does not.
    """

    def __init__(self, masked: str, numbers: Sequence[Number], clause_starts: list[int]) -> None:
        self.masked = masked
        self.clause_starts = clause_starts
        # counted figures (quantities and approximations: 1730余篇 is still a figure),
        # each with where its unit ends
        self.figures = [(n, _unit_end(masked, n.end)) for n in numbers if n.kind in ("quantity", "approximate")]
        self.unit_end = {n.start: end for n, end in self.figures}

    def _clause(self, pos: int) -> int:
        return bisect.bisect_right(self.clause_starts, pos) - 1

    def own_measure(self, match: re.Match, number: Number, metric: Metric, non_metric: re.Pattern) -> bool:
        """Whether the catalogue pattern ``match`` read ``number`` by the number's own words.

        False when

        * the pattern's words before the number reach back over another figure of the
          same clause: they are that figure's measure (``受理信访1718人次其中信件300件``).
          A pattern reaches into an earlier clause only by spelling the comma out
          (``…信息41039条,占总数的23.4%``);
        * the pattern's words after the number are the lead of a later figure of their
          clause (``52件已办结40件``: 已办结 is 40's), or pass another figure the metric
          could also read (``新开通3个账号和2个公众号``: the total is not 3);
        * the number's lead, or the pattern's words after the number, hold a measure
          word the catalogue does not have for the item
          (``data/prose_non_metric_words.csv``: ``不予受理12件``, ``转办300件``,
          ``按时办结率``, ``日均来电``).
        """
        pos = number.start
        clause = self._clause(pos)
        lead_start = self.clause_starts[clause]
        after_start = self.unit_end.get(pos, number.end)
        after_end = max(match.end(), after_start)
        end_clause = self._clause(after_end - 1) if after_end > after_start else clause
        for other, unit_end in self.figures:
            start = other.start
            if start < pos and self._clause(start) == clause:
                if start >= match.start():
                    return False  # the measure word belongs to an earlier figure
                lead_start = max(lead_start, unit_end)
            elif after_start <= start < after_end and _unit_value(metric, other) is not None:
                return False  # one measure word, two figures it could count
            elif start >= after_end > after_start and self._clause(start) == end_clause:
                return False  # the words after the number lead the next figure
        before = self.masked[min(match.start(), lead_start):pos]
        after = self.masked[after_start:after_end]
        return not (non_metric.search(before) or non_metric.search(after))


def _unit_value(metric: Metric, number: Number) -> float | None:
    """The number's value in the metric's unit, or None if the printed unit does not fit."""
    unit = number.unit
    if metric.unit in _MONEY:
        if unit not in _MONEY:
            return None
        assert number.value is not None  # a number with a unit is a quantity: it has a value
        return float(number.value * _MONEY[unit] / _MONEY[metric.unit])
    if unit == metric.unit or unit in metric.unit_aliases:
        assert number.value is not None
        return float(number.value)
    return None


def extract_prose_facts(lines: Sequence) -> list[dict]:
    """Extract the figures stated in prose, each with the sentence it came from.

    A number becomes a fact only when its metric is identified with certainty: a
    catalogue pattern matches it, it is a plain quantity (see :data:`NUMBER_KINDS`), its
    unit fits, it stands under the metric's topic, the measure comes from the number's
    own words with no non-metric measure word among them (``不予受理12件`` gives
    nothing; see the module docstring), and no other metric claims it.
    Everything else is left out (see :func:`find_numbers` for all numbers).

    Args:
        lines: ``(location_prefix, text)`` pairs, e.g.
            ``("line 16", "积极回应群众关切。2020年,市长信箱共受理各类信件1718件,…")``;
            a plain string is taken as line ``n`` (1-based position in ``lines``).
            Sentences are split on 。；; and line ends, never on commas.

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
    facts: list[dict] = []
    for prefix, text in iter_lines(lines):
        for a, b in split_sentences(text):
            raw = text[a:b]
            for metric, value, start, end in _sentence_figures(raw):
                facts.append({
                    "section": "prose",
                    "item": metric.item,
                    "measure": metric.measure,
                    "applicant": None,
                    "value": value,
                    "unit": metric.unit,
                    "raw": raw,
                    "location": location_at(prefix, a + start, a + end),
                })
    return facts


@lru_cache(maxsize=2048)
def _sentence_figures(raw: str) -> tuple[tuple[Metric, float, int, int], ...]:
    """The figures one sentence states: ``(metric, value, start, end)`` of each, in the order
    :func:`extract_prose_facts` lists them (offsets of the printed number in the sentence).

    They depend on the sentence's text only: a sentence printed in several reports (the
    same wording, the same figures) is read once.
    """
    if NUMBER_FIRST is not None and NUMBER_FIRST.isdisjoint(raw):
        return ()  # no number printed at all: no figure
    masked, titles = mask_titles(raw)
    if not _ANY_TOPIC.search(masked):
        return ()
    chars = set(masked)
    topics = []
    for regex, item, first in _TOPIC_FIRST:
        if first is None or not first.isdisjoint(chars):
            topics += [(m.start(), m.end(), item) for m in regex.finditer(masked)]
    topics.sort()
    if not topics:
        return ()
    # what the topics' patterns read, in catalogue order (the sentence's numbers are
    # scanned only when some pattern reads one)
    matches = [(item, metric, m) for item in dict.fromkeys(t[2] for t in topics)
               for metric, pattern, first in _PATTERNS_BY_ITEM[item]
               if first is None or not first.isdisjoint(chars) for m in pattern.finditer(masked)]
    if not matches:
        return ()
    numbers = sentence_numbers(raw, titles)
    quantities = {n.start: n for n in numbers if n.kind == "quantity"}
    if not quantities:
        return ()
    clause_starts = [0] + [m.end() for m in _CLAUSE_RE.finditer(masked)]
    segments = _Segments(masked, numbers, clause_starts)
    claims: dict[int, dict[tuple[str, str], tuple[Metric, float]]] = {}
    for item, metric, m in matches:
        pos = m.start("n")
        number = quantities.get(pos)
        if number is None:
            continue
        value = _unit_value(metric, number)
        if value is None:
            continue
        if metric.not_before is not None and metric.not_before.search(masked, 0, pos):
            continue
        if _active_topic(pos, topics, clause_starts, masked) != item:
            continue
        if not segments.own_measure(m, number, metric, NON_METRIC_BY_ITEM[item]):
            continue
        claims.setdefault(pos, {})[(metric.item, metric.measure)] = (metric, value)
    figures = []
    for pos in sorted(claims):
        claimants = claims[pos]
        if len(claimants) > 1 and not _compatible([m for m, _ in claimants.values()]):
            continue  # ambiguous: two metrics read the same printed number
        number = quantities[pos]
        for metric, value in sorted(claimants.values(), key=lambda mv: _METRIC_ORDER[id(mv[0])]):
            figures.append((metric, value, number.start, number.end))
    return tuple(figures)


def _compatible(metrics: list[Metric]) -> bool:
    for i, a in enumerate(metrics):
        for b in metrics[i + 1:]:
            if a.item != b.item or not (b.measure in a.shares_number_with or a.measure in b.shares_number_with):
                return False
    return True

