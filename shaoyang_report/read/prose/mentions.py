"""Every number of the prose as a mention: its topic, measure, metric and scope.

Each figure of a clause (:mod:`~shaoyang_report.read.prose.clauses`) is read into a
*mention* — number and unit, the topic phrase, the measure phrase — and mapped to a
catalogue metric (:mod:`shaoyang_report.prose_metrics`) through the vocabulary
(:mod:`shaoyang_report.prose_vocabulary`): the metric is the catalogue row whose topic,
channel and measure the mention names and whose unit it carries. A number whose topic
or measure is unclear gets no metric; nothing is guessed.

The topic
---------
The counted noun decides first (its last part when it ends ``…等<noun>``): a subject
named there (``依申请公开信息3条`` → applications), else the word for information
(``主动公开各类政府信息5条``), else a channel counted itself (``新媒体账号12个``). Then
a subject named elsewhere in the figure's own words (``县长信箱收到信件183条``). Else
the topic is the one last named before the figure in the sentence, or in the sentence
before it when a semicolon joins them (``…申请80件;上年结转2件``) — several figures of
one sentence share one topic (``制发规范性文件12件,废止3件,现行有效件数25件``). Two
different topics joined by 和/及/、 (``12345热线和市长信箱共受理1000件``,
``法规文件及解读7条``) count something the catalogue does not have: no metric. A
topic's short form (申请) names it only once the paragraph has named it in full.

The channel — where information was published — is named before the counted noun, or
in a clause before the figure that says where (``通过政府门户网站,主动公开政府信息63条``):
the portal (门户网站, 政府网站, 专栏), new media (微信公众号, 微博 …), another channel
(公开栏, 日报), several (各级, 等形式) or none.

The measure
-----------
The figure's own measure words are tried nearest first (its lead backwards, then its
tail); a word the catalogue does not map for the topic is passed over; a *blocking*
word (不予受理, 同比, 分别, 转办 …) leaves the figure without a metric. A figure with no
measure word of its own after 、 takes the measure of the figure before it
(``发布政府规章4部、行政规范性文件19件``); one with none at all may still state a metric
whose topic alone states it (``专题解读15件``, ``行政复议案件3件``). A clause
``已全部办结`` right after a figure states it once more for that measure.

The scope
---------
``whole`` (the reporting body's own figure, the only scope of ``report.facts`` and of
the prose checks), ``part`` (a part of a figure stated before it: after 其中 for the
same metric, or after 分别; no metric), ``sub-unit`` (an office of the reporting body
named as the subject: ``区政府办代表区政府受理17件``; the metric is kept) and
``cumulative`` (累计/截至 not confined to the report year; no metric).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache
from typing import NamedTuple

from shaoyang_report.prose_metrics import DIGIT, METRICS
from shaoyang_report.prose_vocabulary import vocabulary
from shaoyang_report.quick_regex import first_chars
from shaoyang_report.read.prose.clauses import analyse
from shaoyang_report.read.prose.numbers import NUMBER_FIRST, Number
from shaoyang_report.read.prose.reading import Paragraph, Reading, SentenceReader, hand_on, hands_on_topic
from shaoyang_report.read.prose.sentences import Paragraph as Lines
from shaoyang_report.read.prose.sentences import iter_lines, location_at, normalise, split_sentences
from shaoyang_report.read.prose.units import may_state_metric, metric_units
from shaoyang_report.read.text import GLOSS, printed_forms

__all__ = ["MENTION_KEYS", "SCOPES", "Read", "read_mentions", "read_numbers"]

#: Scopes of a mention.
SCOPES = ("whole", "part", "sub-unit", "cumulative")
#: Keys of a mention dict, in order.
MENTION_KEYS = ("value", "unit", "raw_number", "kind", "sentence", "location", "clause", "topic",
                "topic_phrase", "measure", "measure_phrase", "metric", "scope", "fact_value", "fact_unit")

# a number in a unit some metric takes: a sentence without one states no metric
_UNITS = sorted({u for m in METRICS for u in (m.unit, *m.unit_aliases)} | {"%", "％", "个工作日"}, key=len, reverse=True)
_NUMERALS, _TIMES, _ROUGHLY = "零〇一二两三四五六七八九十百千", "万亿千", "余多几来"
_FIGURE_HINT = re.compile(rf"[{DIGIT}{_NUMERALS}][{_TIMES}]?[{_ROUGHLY}]?\s?(?:{'|'.join(map(re.escape, _UNITS))})")


@cache
def _printed_hint() -> re.Pattern:
    """:data:`_FIGURE_HINT` for a line as printed, before :func:`~shaoyang_report.read.prose.sentences.normalise`.

    Each of its characters may be printed as any character normalising reads as it
    (Traditional forms): a line printed without a match, and without a pinyin gloss
    (which normalising drops: it reads the others character for character), holds no
    match once normalised either, so it is passed over without being normalised (most
    lines hold no figure).
    """
    def one(chars: str) -> str:
        return "[" + "".join(map(re.escape, printed_forms(chars))) + "]"

    digits = "".join(sorted(first_chars(re.compile(f"[{DIGIT}]")) or ()))
    units = "|".join("".join(map(one, unit)) for unit in _UNITS)
    return re.compile(rf"{one(digits + _NUMERALS)}{one(_TIMES)}?{one(_ROUGHLY)}?\s?(?:{units})")


def _agency_is_office(agency: str | None) -> bool:
    return bool(agency) and bool(vocabulary().scopes["sub_unit"].search(agency or ""))


class Read(NamedTuple):
    """One number of the prose as read (:func:`read_numbers`): where it was printed and what it was read as."""

    prefix: str | Lines             # the line's location, or the paragraph it is in
    printed: str                    # the line (or paragraph) as printed
    where: list[int] | None         # the printed offset of each normalised character (None: the same)
    start: int                      # the sentence's span (normalised offsets)
    end: int
    number: Number                  # offsets in the sentence
    clause: tuple[int, int] | None  # the clause holding it (offsets in the sentence), if it is a figure
    reading: Reading | None         # what the figure was read as (None: it counts nothing)

    @property
    def sentence(self) -> str:
        """The sentence as printed."""
        return _printed(self.printed, self.where, self.start, self.end)

    @property
    def location(self) -> str:
        """Where the number was printed: ``"<prefix>, chars <start>-<end>"``."""
        a = self.start
        return location_at(self.prefix, *_span(self.where, a + self.number.start, a + self.number.end))


_new_read = tuple.__new__  # Read(...) without the named tuple's Python-level constructor


#: What :func:`read_numbers` may give: every number, the figures, or the figures of sentences that may state a metric.
_ONLY = ("numbers", "figures", "metrics")


def read_numbers(lines: Sequence, *, agency: str | None = None, year: int | None = None,
                 only: str = "numbers") -> Iterator[Read]:
    """Every number of the prose read, in reading order.

    Args:
        lines: As :func:`read_mentions` takes them.
        agency: As :func:`read_mentions` takes it.
        year: As :func:`read_mentions` takes it.
        only: ``numbers`` (every number), ``figures`` (the numbers that count something,
            as :func:`read_mentions` gives them with ``figures_only``) or ``metrics``
            (the figures read with a metric: a sentence whose words name no metric is
            not read, nor the scope of a figure stating none worked out).
    """
    if only not in _ONLY:
        raise ValueError(f"only must be one of {', '.join(_ONLY)}")
    is_office = _agency_is_office(agency)
    cumulative_is_year = False
    for prefix, printed, text, where in _paragraphs(lines, figures=only != "numbers"):
        found, cumulative_is_year = _read_paragraph(text, is_office, year, only, cumulative_is_year)
        for a, b, number, clause, reading in found:
            yield _new_read(Read, (prefix, printed, where, a, b, number, clause, reading))


def read_mentions(lines: Sequence, *, agency: str | None = None, year: int | None = None,
                  figures_only: bool = False) -> list[dict]:
    """Read every number of the prose into a mention (see the module docstring).

    Args:
        lines: ``(location_prefix, text)`` pairs (a line, or a paragraph of
            :func:`~shaoyang_report.read.prose.sentences.join_wrapped_lines`); a plain
            string is taken as line ``n``.
        agency: The reporting body as printed: an office named as a figure's subject is
            a sub-unit unless the report is itself an office's.
        year: The year reported on: a 累计 the sentence confines to it is the year's.
        figures_only: Leave out the numbers that count nothing (dates, phone numbers …).

    Returns:
        One dict per number, in reading order, with the keys :data:`MENTION_KEYS`:
        ``value`` (float; NaN for phone numbers and full dates), ``unit`` (as printed,
        None if none), ``raw_number``, ``kind`` (:data:`~shaoyang_report.read.prose.NUMBER_KINDS`),
        ``sentence``, ``location`` (``"<prefix>, chars <start>-<end>"``), ``clause`` (the
        clause holding the number), ``topic``/``topic_phrase`` (vocabulary key and the
        words that named it), ``measure``/``measure_phrase``, ``metric``
        (``item.measure`` or None), ``scope`` (:data:`SCOPES`; None for a number that
        counts nothing), ``fact_value``/``fact_unit`` (the value in the metric's unit).
        A number stating two metrics (``受理…140件,已全部办结``) has one dict per metric.

    Example:
        >>> [(m["raw_number"], m["metric"], m["scope"]) for m in read_mentions(
        ...     [("line 3", "2023年共制发规范性文件12件,废止3件。")])][1:]
        [('12', 'normative_documents.issued', 'whole'), ('3', 'normative_documents.repealed', 'whole')]
    """
    out: list[dict] = []
    is_office = _agency_is_office(agency)
    cumulative_is_year = False
    for prefix, printed, text, where in _paragraphs(lines, figures=figures_only):  # as read_numbers, no Read made
        found, cumulative_is_year = _read_paragraph(text, is_office, year, "figures" if figures_only else "numbers",
                                                    cumulative_is_year)
        for a, b, number, clause, reading in found:
            base = {
                "value": float("nan") if number.value is None else float(number.value),
                "unit": number.unit, "raw_number": _printed(printed, where, a + number.start, a + number.end),
                "kind": number.kind, "sentence": _printed(printed, where, a, b),
                "location": location_at(prefix, *_span(where, a + number.start, a + number.end)),
                "clause": None, "topic": None, "topic_phrase": None, "measure": None, "measure_phrase": None,
                "metric": None, "scope": None, "fact_value": None, "fact_unit": None,
            }
            if reading is None or clause is None:
                out.append(base)
                continue
            base.update(clause=_printed(printed, where, a + clause[0], a + clause[1]).strip(), topic=reading.topic,
                        topic_phrase=reading.topic_phrase, measure=reading.measure,
                        measure_phrase=reading.measure_phrase, scope=reading.scope)
            if not reading.metrics:
                out.append(base)
            for metric, value in reading.metrics:
                out.append({**base, "metric": metric.key, "fact_value": value, "fact_unit": metric.unit})
    return out


def _paragraphs(lines: Sequence, figures: bool) -> Iterator[tuple[str | Lines, str, str, list[int] | None]]:
    """``(prefix, printed, normalised, where)`` of each line; with ``figures``, only those that may hold a figure.

    A line printed without a figure (most paragraphs) is passed over before it is
    normalised (:func:`_printed_hint`), unless it holds a pinyin gloss, which normalising
    drops; nothing is read in it and nothing handed on from it.
    """
    printed_hint = _printed_hint().search if figures else None
    for prefix, printed in iter_lines(lines):
        if printed_hint is not None and printed_hint(printed) is None and ("(" not in printed or not GLOSS.search(printed)):
            continue
        text, where = normalise(printed)
        if figures and _FIGURE_HINT.search(text) is None:
            continue
        yield prefix, printed, text, where


@lru_cache(maxsize=4096)
def _read_paragraph(text: str, is_office: bool, year: int | None, only: str, cumulative_is_year: bool = False
                    ) -> tuple[tuple[tuple[int, int, Number, tuple[int, int] | None, Reading | None], ...], bool]:
    """The numbers of one paragraph (normalised): ``(sentence start, end, number, its clause, its reading)``.

    Returned with whether the report's 累计 is the year's after this paragraph
    (``cumulative_is_year``: what the paragraphs before said, see
    :class:`~shaoyang_report.read.prose.reading.Paragraph`).

    A paragraph printed again (the same words, the same figures) is read once; one
    printed without a figure (most of them) is passed over before this (it would hold
    an entry of the cache for nothing). Unless
    ``only`` is ``numbers`` (see :func:`read_numbers`), only figures are given, and a
    sentence holding no number in a unit of the catalogue is not read at all (it can
    state no metric); it is only scanned for the topic it names, and only when a later
    sentence of its paragraph holds a figure. With ``metrics``, neither is a sentence
    whose words name no metric (:func:`~shaoyang_report.read.prose.units.may_state_metric`), a
    figure printed in none of the units its measure words may state a metric in
    (:meth:`~shaoyang_report.read.prose.reading.SentenceReader.may_state_metric`) has only its
    topic read (and that only when its sentence hands its topic on), and only the figures
    stating a metric are given.
    """
    found: list[tuple[int, int, Number, tuple[int, int] | None, Reading | None]] = []
    every = only == "numbers"
    hints: list[int] = []
    if not every:
        # (a hint never runs across a sentence end: a sentence holds one if one starts in it)
        hints = [m.start() for m in _FIGURE_HINT.finditer(text)]
        if not hints:
            return (), cumulative_is_year
    paragraph = Paragraph(agency_is_office=is_office, year=year, cumulative_is_year=cumulative_is_year)
    last_hint = hints[-1] if hints else -1
    for a, b in split_sentences(text):
        if a > last_hint and not every:
            break  # no figure in the rest: no sentence of it is read, and what it would hand on goes nowhere
        sentence = text[a:b]
        # (a figure starts with a character a number starts with: the hint alone tells)
        if not (a <= hints[bisect_left(hints, a)] < b if hints[-1] >= a else False) if not every else (
                NUMBER_FIRST is not None and NUMBER_FIRST.isdisjoint(sentence)):
            paragraph.skip(sentence)
            continue
        units = None
        if only == "metrics":
            units = metric_units(sentence, paragraph)
            if not may_state_metric(sentence, paragraph, units):
                paragraph.skip(sentence)
                continue
            chain = hands_on_topic(sentence)
        analysis = analyse(sentence)
        reader = SentenceReader(analysis, paragraph, every_scope=units is None)
        by_start: dict[int, tuple[tuple[int, int], Reading]] = {}
        for index, figure in enumerate(analysis.figures):
            if units is not None and not reader.may_state_metric(index, units):
                reading = reader.topic(index) if chain else Reading()
            else:
                reading = reader.read(index)
            reader.readings.append(reading)
            if units is None:
                by_start[figure.number.start] = (figure.clause, reading)
            elif reading.metrics:  # (the figures are in the order of the numbers)
                found.append((a, b, figure.number, figure.clause, reading))
        if units is None:
            for number in analysis.numbers:
                counted = by_start.get(number.start)
                if counted:
                    found.append((a, b, number, *counted))
                elif every:
                    found.append((a, b, number, None, None))
        hand_on(paragraph, reader, sentence)
    return tuple(found), paragraph.cumulative_is_year


def _span(where: list[int] | None, start: int, end: int) -> tuple[int, int]:
    if where is None:
        return start, end
    return where[start], where[end - 1] + 1 if end > start else where[start]


def _printed(printed: str, where: list[int] | None, start: int, end: int) -> str:
    a, b = _span(where, start, end)
    return printed[a:b]
