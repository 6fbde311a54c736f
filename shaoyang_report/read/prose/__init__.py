"""Figures stated in prose: every number of the text read as a mention, the certain ones as facts.

Much of what analysts compare across years is only in a report's prose (总体情况 and
the opening paragraphs): how many items were published, how many letters the 市长信箱
received, the 12345 hotline's satisfaction rate, and so on. This subpackage reads them:

* :mod:`~shaoyang_report.read.prose.sentences` — lines joined into paragraphs
  (:func:`join_wrapped_lines`), Traditional characters read as Simplified, sentences
  split, offsets located on printed lines;
* :mod:`~shaoyang_report.read.prose.numbers` — :func:`find_numbers`, every number in the
  prose with its sentence and its *kind* (quantity, approximate, date, year, phone,
  document_number, ordinal, list_marker, name, identifier);
* :mod:`~shaoyang_report.read.prose.clauses` — a sentence cut into clauses and figures,
  each with its own words;
* :mod:`~shaoyang_report.read.prose.units` — the units a sentence's figures must be
  printed in to state a metric, as its words tell (what the facts' path may leave unread);
* :mod:`~shaoyang_report.read.prose.mentions` — :func:`read_mentions`, every number as a
  mention: topic, measure, catalogue metric (or none) and scope (whole, part,
  sub-unit, cumulative), through the vocabulary of :mod:`shaoyang_report.prose_vocabulary`;
* :mod:`~shaoyang_report.read.prose.facts` — :func:`extract_prose_facts`, the mentions
  that are the reporting body's own figures of a metric, as tidy facts
  (``section == "prose"``).

What the figures are is package data, the catalogue of :mod:`shaoyang_report.prose_metrics`;
they are checked against the tables by :mod:`shaoyang_report.check.prose`.
"""

from shaoyang_report.read.prose.facts import extract_prose_facts, facts_of_mentions
from shaoyang_report.read.prose.mentions import MENTION_KEYS, SCOPES, read_mentions
from shaoyang_report.read.prose.numbers import NUMBER_KINDS, find_numbers
from shaoyang_report.read.prose.sentences import join_wrapped_lines

__all__ = [
    "MENTION_KEYS",
    "NUMBER_KINDS",
    "SCOPES",
    "extract_prose_facts",
    "facts_of_mentions",
    "find_numbers",
    "join_wrapped_lines",
    "read_mentions",
]
