"""Figures stated in prose (issue 4): the numbers a reader would quote, with their sentence.

Much of what analysts compare across years is only in a report's prose (总体情况 and
the opening paragraphs): how many items were published, how many letters the 市长信箱
received, the 12345 hotline's satisfaction rate, and so on. This subpackage finds them:

* :mod:`~shaoyang_report.read.prose.sentences` — lines joined into paragraphs
  (:func:`join_wrapped_lines`), split into sentences, offsets located on printed lines;
* :mod:`~shaoyang_report.read.prose.numbers` — :func:`find_numbers`, every number in the
  prose with its sentence and its *kind* (quantity, approximate, date, year, phone,
  document_number, ordinal, list_marker, name, identifier), so dates, phone numbers and
  document numbers are visible but never become metric values;
* :mod:`~shaoyang_report.read.prose.facts` — :func:`extract_prose_facts`, tidy prose
  facts (``section == "prose"``), one per number whose metric is identified with
  certainty; anything ambiguous is left out.

What the figures are is package data, the catalogue of :mod:`shaoyang_report.prose_metrics`;
they are checked against the tables by :mod:`shaoyang_report.check.prose`.
"""

from shaoyang_report.read.prose.facts import extract_prose_facts
from shaoyang_report.read.prose.numbers import NUMBER_KINDS, find_numbers
from shaoyang_report.read.prose.sentences import join_wrapped_lines

__all__ = ["NUMBER_KINDS", "extract_prose_facts", "find_numbers", "join_wrapped_lines"]
