"""What a sentence's words allow: the units its figures must be printed in to state a metric.

A metric needs a figure in its unit, its topic named in the sentence or handed on to
it (unless the metric takes any topic), and one of its measure words (or none, where its
topic alone states it). The facts' path (``only="metrics"`` of
:func:`~shaoyang_report.read.prose.mentions.read_numbers`) leaves unread a sentence none
of whose numbers is printed in such a unit (:func:`may_state_metric`), and a figure whose
own measure words take no metric in its unit
(:meth:`~shaoyang_report.read.prose.reading.SentenceReader.may_state_metric`): neither can
state one. What is worked out here comes from the catalogue's topics, measures and units.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from shaoyang_report.prose_metrics import METRICS
from shaoyang_report.read.prose.clauses import sentence_tokens, sentence_words
from shaoyang_report.read.prose.numbers import unit_hint
from shaoyang_report.read.prose.reading import MONEY, Paragraph, hands_on_topic

__all__ = ["may_state_metric", "metric_units"]

#: For each topic (``*``: any) and each measure of its metrics (``none``: no measure word): the units
#: a figure may be printed in to state one of them.
_UNITS: dict[str, dict[str, frozenset[str]]] = {}
for _m in METRICS:
    for _key in _m.measures:
        _of_topic = _UNITS.setdefault(_m.topic, {})
        _of_topic[_key] = _of_topic.get(_key, frozenset()) | (MONEY.keys() if _m.unit in MONEY else
                                                              {_m.unit, *_m.unit_aliases})


def metric_units(sentence: str, paragraph: Paragraph) -> Mapping[str, frozenset[str]]:
    """For each measure the sentence's words hold (and ``none``): the units a figure must be printed in to state a metric.

    A metric needs a figure in its unit, its topic named in the sentence or handed on to
    it (unless the metric takes any topic), and one of its measure words (or none, where
    its topic alone states it): a figure printed in none of the units of its measure
    words and of ``none`` states no metric
    (:meth:`~shaoyang_report.read.prose.reading.SentenceReader.may_state_metric`).
    The mapping is shared by the sentences naming the same topics and measures: not to be changed.
    """
    tokens = sentence_tokens(sentence)
    topics = {t.key for t in tokens if t.role != "measure"}
    if paragraph.carry:
        topics.add(paragraph.carry[0])
    return _units_of(frozenset(topics), frozenset(t.key for t in tokens if t.role == "measure"))


@lru_cache(maxsize=1024)
def _units_of(topics: frozenset[str], measures: frozenset[str]) -> Mapping[str, frozenset[str]]:
    """:func:`metric_units` for the topics and the measures a sentence names (or is handed on)."""
    units: dict[str, frozenset[str]] = {}
    for key in (*measures, "none"):
        found: set[str] = set()
        for topic in (*topics, "*"):
            more = _UNITS.get(topic, {}).get(key)
            if more:
                found |= more
        units[key] = frozenset(found)
    return units


def may_state_metric(sentence: str, paragraph: Paragraph, units: Mapping[str, frozenset[str]] | None = None) -> bool:
    """Whether a figure of the sentence may be read as a metric, as far as its words tell.

    Only if one of its figures is printed in one of the units of :func:`metric_units`
    (given, or worked out). A sentence that is not read hands on what a sentence stating
    no metric hands on (:meth:`~shaoyang_report.read.prose.reading.Paragraph.skip`) —
    unless it ends with a ';', which hands its figures' topic on: that one is always read.
    """
    if hands_on_topic(sentence):
        return True
    every = frozenset().union(*(units or metric_units(sentence, paragraph)).values())
    if not every or not unit_hint(every).search(sentence):
        return False
    # the sentence's numbers are found only now: most sentences read pass, most skipped fail before
    return any(n.unit in every for n in sentence_words(sentence).numbers if n.kind in ("quantity", "approximate"))
