"""One sentence's figures read: topic, channel, measure, catalogue metric and scope.

The rules are those of :mod:`~shaoyang_report.read.prose.mentions` (its docstring says
them); this module applies them to the figures of one sentence
(:class:`SentenceReader`, on the cut of :mod:`~shaoyang_report.read.prose.clauses`),
with what the paragraph's earlier sentences hand on (:class:`Paragraph`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal

from shaoyang_report.prose_metrics import METRICS, Metric
from shaoyang_report.prose_vocabulary import Token, vocabulary
from shaoyang_report.quick_regex import first_chars
from shaoyang_report.read.prose.clauses import Analysis, Figure, sentence_tokens, starts_with_conjunction

__all__ = ["MONEY", "Paragraph", "Reading", "SentenceReader", "hand_on", "hands_on_topic", "last_subject", "unit_value"]

#: The units a sum of money may be printed in, each in yuan.
MONEY = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_COMBINED = "\x00combined"           # two topics joined: nobody's figure
_JOIN_RE = re.compile(r"、|和|及|与|以及|或|暨")
_ONLY_JOIN_RE = re.compile(r"\s*(?:、|和|及|与|以及|或|或者|暨|/)\s*")
_SENTENCE_CHAIN = frozenset(";；")   # a sentence ending so hands its topic on
_END_MARKS = "。；;！？!?…"
_BY_MEASURE: dict[str, list[Metric]] = {}
for _m in METRICS:
    for _key in _m.measures:
        _BY_MEASURE.setdefault(_key, []).append(_m)
#: The metrics a measure may state for a topic (its own and those of any topic), in catalogue order.
_BY_MEASURE_TOPIC = {(key, topic): [m for m in metrics if m.topic in ("*", topic)]
                     for key, metrics in _BY_MEASURE.items() for topic in (*vocabulary().topics, None)}
@dataclass(slots=True)
class Paragraph:
    """What the sentences of one paragraph hand on to the next."""

    agency_is_office: bool
    year: int | None
    named: set[str] = field(default_factory=set)       # topics named in full so far
    carry: tuple[str, str] | None = None                # (topic, phrase) handed on by a ';'
    previous_metrics: set[str] = field(default_factory=set)
    unread: list[str] = field(default_factory=list)     # sentences not read, not yet scanned
    # the report said its 累计 starts in the report year (截至2014年12月31日,累计…2014年以来…):
    # a later 累计 of the report that names no span is the year's
    cumulative_is_year: bool = False

    def names(self, topic: str) -> bool:
        """Whether the paragraph named the topic in full before (the sentences not read scanned only now)."""
        if self.unread:
            for sentence in self.unread:
                self.named |= {t.key for t in sentence_tokens(sentence) if t.role == "topic"}
            self.unread.clear()
        return topic in self.named

    def skip(self, sentence: str) -> None:
        """A sentence not read (its figures state no metric): what it hands on is worked out only if needed."""
        self.unread.append(sentence)
        self.previous_metrics = set()
        self.carry = None
        if hands_on_topic(sentence):
            self.carry = last_subject(sentence_tokens(sentence), sentence)


@dataclass(slots=True)
class Reading:
    """What one figure was read as: its topic and measure (key and printed words), metrics and scope."""

    topic: str | None = None
    topic_phrase: str | None = None
    measure: str | None = None
    measure_phrase: str | None = None
    metrics: list[tuple[Metric, float]] = field(default_factory=list)
    scope: str = "whole"


def unit_value(metric: Metric, unit: str | None, value: Decimal | None) -> float | None:
    """The value in the metric's unit, or None if the printed unit does not fit."""
    if value is None or unit is None:
        return None
    if metric.unit in MONEY:
        return float(value * MONEY[unit] / MONEY[metric.unit]) if unit in MONEY else None
    return float(value) if unit == metric.unit or unit in metric.unit_aliases else None


class SentenceReader:
    """One sentence's figures read in turn (see the module docstring).

    Args:
        analysis: The sentence cut into figures.
        paragraph: What the sentences before it hand on.
        every_scope: Work out the scope of the figures stating no metric too (else they keep ``whole``).
    """

    def __init__(self, analysis: Analysis, paragraph: Paragraph, *, every_scope: bool = True) -> None:
        self.a = analysis
        self.p = paragraph
        self.every_scope = every_scope
        self.vocab = vocabulary()
        self.readings: list[Reading] = []
        self.offices: list[re.Match] | None = None   # the offices the sentence names, once looked for
        self.own_topics: dict[int, set[str]] = {}         # each figure's own topics, once worked out
        self.channels: dict[int, str] = {}                # where each figure was published, once worked out
        self._qizhong: list[tuple[int, int]] | None = None  # where each 其中 applies, once looked for
        self._cumulative_words: bool | None = None          # whether 累计/截至 may be there, once looked for

    @property
    def qizhong(self) -> list[tuple[int, int]]:
        """Each 其中 of the sentence: where it starts and where its region ends."""
        if self._qizhong is None:
            self._qizhong = [(m.start(), self._region_end(m.start()))
                             for m in self.vocab.scopes["part"].finditer(self.a.text)]
        return self._qizhong

    @property
    def cumulative_words(self) -> bool:
        """Whether the sentence may hold a word of 累计 or 截至."""
        if self._cumulative_words is None:
            text = self.a.text
            self._cumulative_words = _may_hold(text, "as_of") or _may_hold(text, "cumulative")
        return self._cumulative_words

    def _region_end(self, pos: int) -> int:
        region = self.a.region_of[pos] if pos < len(self.a.region_of) else 0
        if region <= 0:
            return len(self.a.text)
        return max(i for i, r in enumerate(self.a.region_of) if r == region) + 1

    def _topic(self, token: Token) -> str | None:
        """The topic a token names here (a short form only once the paragraph named it in full)."""
        if token.role == "topic":
            return token.key
        if token.role == "short" and (self.p.names(token.key) or any(
                t.role == "topic" and t.key == token.key and t.start < token.start for t in self.a.tokens)):
            return token.key
        return None

    def _usable(self, token: Token) -> bool:
        """Words inside quotation marks are names: only channels and blocking words count there."""
        if not self.a.quotes or not self.a.in_quotes(token.start):
            return True
        if token.role == "measure":
            return self.vocab.measures[token.key].blocks is not None
        topic = self.vocab.topics[token.key]
        return bool(topic.channel)

    def _subjects(self, tokens: list[Token], *, channels: bool | None) -> list[Token]:
        """Subject topic words (channel-bearing ones only, none of them, or both: None)."""
        out = []
        topics, quotes = self.vocab.topics, self.a.quotes
        for t in tokens:
            if t.role == "measure":
                continue
            key = t.key if t.role == "topic" else self._topic(t)
            if key is None:
                continue
            topic = topics[key]
            if topic.kind != "subject" or (channels is not None and bool(topic.channel) != channels):
                continue
            if not quotes or self._usable(t):
                out.append(t)
        return out

    def _combined(self, chosen: Token, span: tuple[int, int], tokens: list[Token]) -> bool:
        """Whether the words of ``span`` join the chosen topic to another one (A和B, A、B等)."""
        text = self.a.views[self.a.region_of[chosen.start]]
        joins = [m.end() for m in _JOIN_RE.finditer(text, span[0], span[1])]
        if not joins:
            return False  # one part, naming the chosen topic
        key = self._topic(chosen)
        cuts = [span[0], *joins, span[1]]
        topics = self.vocab.topics
        for a, b in zip(cuts, cuts[1:]):
            keys = set()
            for t in tokens:
                if a <= t.start < b and t.role != "measure" and self._usable(t):
                    found = self._topic(t)
                    if found and topics[found].kind == "subject":
                        keys.add(found)
            if keys and key not in keys:
                return True
        return False

    def _noun(self, figure: Figure, token: Token | None) -> str:
        """The counted noun of a measure word of the lead, its head after 等 (empty if it names nothing).

        The words after the measure word; if none, the noun after the unit
        (``发送9条信息``); if none, the words before it (``业务工作类信息主动公开210条``).
        """
        view = self.a.views[figure.region]
        if token is None or not (figure.lead[0] <= token.start and token.end <= figure.lead[1]):
            return self._clean(view, *figure.object_span)
        after = self._clean(view, token.end, figure.lead[1])
        if after:
            return after
        if figure.tail_spans:
            a, b = figure.tail_spans[0]
            stop = next((t.start for t in figure.tail_tokens if t.role == "measure" and a <= t.start < b), b)
            tail = self._clean(view, a, stop)
            if tail:
                return tail
        before = [t for t in figure.lead_tokens if t.role == "measure" and t.end <= token.start]
        return self._clean(view, before[-1].end if before else figure.lead[0], token.start)

    def _clean(self, view: str, a: int, b: int) -> str:
        cut = view.rfind("等", a, b)
        if cut >= 0 and view[cut + 1:b].strip():
            a = cut + 1
        noun = view[a:b].strip().rstrip(_END_MARKS).strip()
        return "" if self.vocab.filler.fullmatch(noun) else noun

    def _head(self, figure: Figure) -> tuple[int, int]:
        """The counted noun's head: the words after its last 等, when some follow."""
        a, b = figure.object_span
        text = self.a.views[figure.region]
        cut = text.rfind("等", a, b)
        if cut >= 0 and text[cut + 1:b].strip():
            return cut + 1, b
        return a, b

    def _primary(self, index: int) -> tuple[str | None, str | None]:
        figure = self.a.figures[index]
        head = self._head(figure)
        in_head = [t for t in figure.object_tokens if head[0] <= t.start < head[1]]
        near = figure.number.start
        if in_head:  # the counted noun names the topic
            subjects = self._subjects(in_head, channels=False)
            if subjects:
                chosen = min(subjects, key=lambda t: abs(near - t.end))
                if self._combined(chosen, head, in_head):
                    return _COMBINED, None
                return self._topic(chosen), self.a.text[chosen.start:chosen.end]
            info = [t for t in in_head if t.role == "topic" and self.vocab.topics[t.key].kind == "information"]
            if info:
                return info[-1].key, self.a.text[info[-1].start:info[-1].end]
            subjects = self._subjects(in_head, channels=True)
            if subjects:
                chosen = min(subjects, key=lambda t: abs(near - t.end))
                return self._topic(chosen), self.a.text[chosen.start:chosen.end]
        own = [t for t in figure.own_tokens if not (figure.object_span[0] <= t.start < figure.object_span[1])]
        subjects = self._subjects(own, channels=None)
        if subjects:
            non_channel = [t for t in subjects if not self.vocab.topics[self._topic(t) or ""].channel] or subjects
            chosen = min(non_channel, key=lambda t: abs(near - t.end) if t.end <= near else abs(t.start - figure.unit_end))
            lead = figure.lead
            if lead[0] <= chosen.start < lead[1] and self._joined(chosen, figure):
                return _COMBINED, None
            return self._topic(chosen), self.a.text[chosen.start:chosen.end]
        if self._names_something(figure.object_text):
            return None, None  # a noun the vocabulary does not have: not the topic before it
        return self._inherited(figure)

    def _names_something(self, noun: str) -> bool:
        """Whether a counted noun holds more than words that name nothing (共计, 数量, 为 …)."""
        return not self.vocab.filler.fullmatch(noun.strip().rstrip(_END_MARKS))

    def _joined(self, chosen: Token, figure: Figure) -> bool:
        """The chosen topic joined by a conjunction alone to another in the lead: '12345热线和市长信箱共受理'."""
        view = self.a.views[figure.region]
        subjects = self._subjects(figure.lead_tokens, channels=None)
        key = self._topic(chosen)
        for one, two in zip(subjects, subjects[1:]):
            keys = {self._topic(one), self._topic(two)}
            if key in keys and len(keys) == 2 and _ONLY_JOIN_RE.fullmatch(view[one.end:two.start]):
                return True
        return False

    def _inherited(self, figure: Figure) -> tuple[str | None, str | None]:
        """The topic last named before the figure (this sentence, then a ';' before it)."""
        best = None
        for t in self.a.tokens:
            if t.start >= figure.number.start:
                break
            if not self.a.visible(figure.region, self.a.region_of[t.start]) or not self._usable(t):
                continue
            key = self._topic(t)
            if key is not None and self.vocab.topics[key].kind != "channel":
                best = t
        if best is not None:
            return self._topic(best), self.a.text[best.start:best.end]
        return self.p.carry if self.p.carry else (None, None)

    def _channel(self, index: int) -> str:
        """Where the figure says it was published: a channel kind, ``mixed`` or ``none``."""
        found = self.channels.get(index)
        if found is None:
            found = self.channels[index] = self._channel_named(self.a.figures[index])
        return found

    def _channel_named(self, figure: Figure) -> str:
        before_object = [t for t in figure.lead_tokens if t.end <= figure.object_span[0]]
        kinds = set()
        for t in before_object + figure.channel_context:
            if t.role != "topic":
                continue
            channel = self.vocab.topics[t.key].channel
            if channel:
                kinds.add(channel)
        if "several" in kinds:
            return "several"
        if len(kinds) > 1:
            return "mixed"
        return kinds.pop() if kinds else "none"

    def _own_topics(self, index: int) -> set[str]:
        """The topics the figure's own words name."""
        found = self.own_topics.get(index)
        if found is None:
            figure = self.a.figures[index]
            found = self.own_topics[index] = {k for t in figure.own_tokens + figure.object_tokens if (k := self._topic(t))}
        return found

    def _previous_reading(self, index: int) -> Reading | None:
        figure = self.a.figures[index]
        for j in range(index - 1, -1, -1):
            if self.a.visible(figure.region, self.a.figures[j].region):
                return self.readings[j]
        return None

    def _candidates(self, key: str, index: int, topic: str | None,
                    token: Token | None = None) -> list[tuple[Metric, float]]:
        """The metrics the measure ``key`` states for the figure: its topic's, where it was published, its unit."""
        if topic == _COMBINED:
            return []
        metrics = _BY_MEASURE_TOPIC.get((key, topic))
        if metrics is None:
            metrics = [m for m in _BY_MEASURE.get(key, ()) if m.topic in ("*", topic)]
        figure = self.a.figures[index]
        number = figure.number
        found = []
        noun = None
        for metric in metrics:
            if metric.channels is not None and self._channel(index) not in metric.channels:
                continue
            if metric.with_topic and metric.with_topic not in self._own_topics(index):
                continue
            if metric.topic != "*":
                rule = self.vocab.topics[metric.topic].object
                if rule is not None:
                    if noun is None:
                        noun = self._noun(figure, token)
                    if noun and not rule.fullmatch(noun):
                        continue
            if metric.share_of:
                before = self._previous_reading(index)
                if before is None or not any(m.item == metric.item and m.measure == metric.share_of
                                             for m, _ in before.metrics):
                    continue
            value = unit_value(metric, number.unit, number.value)
            if value is not None:
                found.append((metric, value))
        if len(found) > 1 and (len({m.item for m, _ in found}) > 1 or not _compatible([m for m, _ in found])):
            return []  # ambiguous: two metrics read the same printed number
        return found

    def _measures(self, figure: Figure) -> list[Token]:
        """The figure's measure words in the order they are tried: the nearest first.

        Unless a 的 follows them: then the words before it may be inside a clause
        describing the counted noun ('关闭存在…重复建设等突出问题的新媒体账号12个': 建设
        describes the accounts, 关闭 is what was done), and the first is tried first.
        """
        quotes = self.a.quotes
        lead = [t for t in figure.lead_tokens if t.role == "measure" and (not quotes or self._usable(t))]
        tail = [t for t in figure.tail_tokens if t.role == "measure" and (not quotes or self._usable(t))]
        view = self.a.views[figure.region]
        if lead and "的" in view[lead[0].end:figure.lead[1]]:
            return lead + tail
        return list(reversed(lead)) + tail

    def may_state_metric(self, index: int, units: Mapping[str, AbstractSet[str]]) -> bool:
        """Whether the figure is printed in a unit a metric of one of its measure words (or of none) takes.

        Its measure words are those :meth:`read` may try: its own, and those of the
        figure before it in its clause (which it may share); ``units`` is what
        :func:`~shaoyang_report.read.prose.units.metric_units` gives for the sentence. A figure that may not states no metric.
        """
        figure = self.a.figures[index]
        unit = figure.number.unit
        if unit in units["none"]:
            return True
        figures = (figure,) if figure.previous is None else (figure, self.a.figures[figure.previous])
        return any(t.role == "measure" and unit in units[t.key]
                   for f in figures for tokens in (f.lead_tokens, f.tail_tokens) for t in tokens)

    def topic(self, index: int) -> Reading:
        """The figure's topic only, as :meth:`read` gives it (for a figure that can state no metric)."""
        topic, phrase = self._primary(index)
        return Reading(topic=None if topic == _COMBINED else topic, topic_phrase=phrase)

    def read(self, index: int) -> Reading:
        figure = self.a.figures[index]
        topic, phrase = self._primary(index)
        reading = Reading(topic=None if topic == _COMBINED else topic, topic_phrase=phrase)
        measures = self._measures(figure)
        shared = False
        if not measures and figure.previous is not None and figure.object_text.strip() and (
                figure.conjoined or starts_with_conjunction(self.a.views[figure.region][figure.lead[0]:figure.lead[1]])):
            measures = self._measures(self.a.figures[figure.previous])
            shared = True
        for token in measures:
            if self.vocab.measures[token.key].blocks_topic(topic):
                if shared:
                    measures = []
                    break
                reading.measure, reading.measure_phrase = token.key, self.a.text[token.start:token.end]
                return self._scoped(index, reading)
        for token in measures:
            found = self._candidates(token.key, index, topic, token)
            if found:
                reading.measure, reading.measure_phrase = token.key, self.a.text[token.start:token.end]
                reading.metrics = found
                return self._scoped(index, reading)
        if measures and not reading.measure:
            reading.measure = measures[0].key
            reading.measure_phrase = self.a.text[measures[0].start:measures[0].end]
        found = self._candidates("none", index, topic)
        if found:
            reading.metrics = found
        return self._scoped(index, reading)

    def _scoped(self, index: int, reading: Reading) -> Reading:
        figure = self.a.figures[index]
        if reading.metrics:
            reading.metrics += self._all_clause(index, reading)
        elif not self.every_scope:
            return reading
        if self._sub_unit(figure):
            reading.scope = "sub-unit"
        elif self._cumulative(figure, stated=bool(reading.metrics)):
            reading.scope = "cumulative"
        elif self._part(index, reading):
            reading.scope = "part"
        if reading.scope in ("part", "cumulative"):
            reading.metrics = []
        return reading

    def _cumulative(self, figure: Figure, *, stated: bool) -> bool:
        """累计/截至 in the figure's words, not confined to the report year.

        A figure stating a metric whose 累计 the sentence confines to a span starting in the
        report year (``截至2014年12月31日,累计主动公开2014年以来的政府信息215条``) says what the
        report's 累计 means: a later 累计 naming no span (``累计公开各类政府信息215条``) is the
        year's too.
        """
        if not self.cumulative_words:
            return False
        scopes = self.vocab.scopes
        end = max([figure.unit_end, *(b for _, b in figure.tail_spans)])
        own = self.a.views[figure.region][figure.context_start:end]
        as_of = scopes["as_of"].search(own)
        if not as_of and not scopes["cumulative"].search(own):
            return False
        year = self.p.year
        named = [n for n in self.a.numbers if year is not None and n.kind in ("year", "date") and n.value == year
                 and n.start < end]
        if as_of:  # as of a date: the year's only when its words confine it to the year or name it as the start
            since = any(scopes["since"].match(self.a.text, n.end + 1, n.end + 4) for n in named)
            if since and stated and scopes["cumulative"].search(own):
                self.p.cumulative_is_year = True
            return not (scopes["report_year"].search(own) or since)
        return not (named or scopes["report_year"].search(self.a.text, 0, end) or self.p.cumulative_is_year)

    def _sub_unit(self, figure: Figure) -> bool:
        """An office of the body named before the figure in its sentence as the subject (see data/prose_scopes.csv)."""
        if self.p.agency_is_office:
            return False
        scopes = self.vocab.scopes
        text = self.a.masked  # an office inside a 《title》 is no subject
        if self.offices is None:
            self.offices = list(scopes["sub_unit"].finditer(text))
        if not self.offices:
            return False
        for m in self.offices:
            if m.end() > figure.number.start:
                break
            if not self.a.visible(figure.region, self.a.region_of[m.start()]) or self.a.in_quotes(m.end() - 1):
                continue
            if any(t.role == "topic" and self.vocab.topics[t.key].channel and m.end() <= t.start <= m.end() + 1
                   for t in self.a.tokens):
                continue  # the office's column or account: where, not who
            clause_start = max(text.rfind(c, 0, m.start()) for c in ",，:：") + 1
            clause_end = min([i for i in (text.find(c, m.end()) for c in ",，:：") if i >= 0] or [len(text)])
            if scopes["not_subject"].search(text, clause_start, clause_end) or \
                    scopes["not_subject_before"].search(text, max(clause_start, m.start() - 12), m.start()):
                continue
            return True
        return False

    def _part(self, index: int, reading: Reading) -> bool:
        figure = self.a.figures[index]
        if reading.measure == "respectively":
            return True
        if not reading.metrics:
            return False
        for start, end in self.qizhong:
            if not (start < figure.number.start < end) or not self.a.visible(figure.region, self.a.region_of[start]):
                continue
            keys = {m.key for m, _ in reading.metrics}
            before = {m.key for j, r in enumerate(self.readings) if self.a.figures[j].number.start < start
                      for m, _ in r.metrics}
            if not self.a.text[:start].strip(" 0123456789年度,，"):
                before |= self.p.previous_metrics  # 其中 opens the sentence: the one before is broken down
            if keys & before:
                return True
            for metric, _ in reading.metrics:
                if metric.part_after_qizhong and any(
                        self._topic(t) == metric.topic and t.start < start for t in self.a.tokens):
                    return True
        return False

    def _all_clause(self, index: int, reading: Reading) -> list[tuple[Metric, float]]:
        """'受理…140件,已全部办结': the clause after the figure states it once more."""
        figures = self.a.figures
        figure = figures[index]
        clause, region = figure.clause, figure.region
        for later in range(index + 1, len(figures)):
            if figures[later].clause == clause and figures[later].region == region:
                return []  # the figures are in text order: a later one in its clause
        view = self.a.views[region]
        for after in self.a.clauses[region]:
            if after[0] >= clause[1]:
                break
        else:
            return []
        a, b = after
        for f in figures:
            if a <= f.number.start < b:
                return []
        measures = [t for t in self.a.tokens if a <= t.start < b and t.role == "measure"]
        if len(measures) != 1:
            return []
        token = measures[0]
        words = self.vocab.scopes["all"]
        rest = view[token.end:b].strip().rstrip(_END_MARKS)
        if not words.fullmatch(view[a:token.start].strip()) or not view[a:token.start].strip() or rest not in ("", "完毕", "了"):
            return []
        out = []
        for metric, _ in reading.metrics:
            for other in METRICS:
                if other.item == metric.item and token.key in other.measures and other is not metric and (
                        other.measure in metric.shares_number_with or metric.measure in other.shares_number_with):
                    value = unit_value(other, figure.number.unit, figure.number.value)
                    if value is not None:
                        out.append((other, value))
        return out


def _first_chars_re(pattern: re.Pattern) -> re.Pattern | None:
    first = first_chars(pattern)
    return None if first is None else re.compile("[" + "".join(re.escape(ch) for ch in sorted(first)) + "]")


_FIRST_CHARS = {key: _first_chars_re(pattern) for key, pattern in vocabulary().scopes.items()}


def _may_hold(text: str, scope: str) -> bool:
    """Whether the text may hold a word of the scope (not if it holds none of the characters they start with)."""
    first = _FIRST_CHARS[scope]
    return first is None or first.search(text) is not None


def _compatible(metrics: list[Metric]) -> bool:
    for i, a in enumerate(metrics):
        for b in metrics[i + 1:]:
            if a.item != b.item or not (b.measure in a.shares_number_with or a.measure in b.shares_number_with):
                return False
    return True


def hands_on_topic(sentence: str) -> bool:
    """Whether the sentence ends with a ';': its figures' topic is handed on to the next sentence."""
    return sentence.rstrip()[-1:] in _SENTENCE_CHAIN


def hand_on(paragraph: Paragraph, reader: SentenceReader, sentence: str) -> None:
    """Update what the paragraph's next sentence inherits from a sentence read."""
    tokens = reader.a.tokens
    paragraph.named |= {t.key for t in tokens if t.role == "topic"}
    paragraph.previous_metrics = {m.key for r in reader.readings for m, _ in r.metrics}
    if not hands_on_topic(sentence):
        paragraph.carry = None
        return
    last = None
    for index, reading in enumerate(reader.readings):
        if reading.topic and reader.a.region_of[reader.a.figures[index].number.start] == 0:
            last = (reading.topic, reading.topic_phrase or "")
    paragraph.carry = last if last is not None else last_subject(tokens, sentence)


def last_subject(tokens: Sequence[Token], sentence: str) -> tuple[str, str] | None:
    """The last topic of a sentence that is a subject (``kind == "subject"``), as ``(key, printed words)``, or None."""
    for t in reversed(tokens):
        if t.role == "topic" and vocabulary().topics[t.key].kind == "subject":
            return t.key, sentence[t.start:t.end]
    return None
