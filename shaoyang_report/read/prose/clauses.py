"""A sentence read into clauses: its figures, each with its own words, and the vocabulary words it holds.

A sentence (split on ``。；;！？``) is cut into clauses on ``,，:：``; a parenthesis is
a clause of its own (``辦結 31 件(其中1件為2022年結轉本年度辦理)``: the part in brackets
is not 31's words, and 31's words go on after it). Every counted number of a clause (a
quantity or an approximate figure, with its unit) is a *figure*; its own words are

* its *lead*: the words from the previous figure of its clause (or the clause start)
  to the number — ``收到来信52件、办结40件`` gives 40 the lead ``、办结``;
* its *tail*: the words after its unit to the clause end, when no other figure
  follows in the clause (``2件结转下年办理``, ``发送9条信息``);
* two figures joined by a conjunction (``11个文件和28次常务会议制定解读材料``,
  ``新开通3个账号和2个公众号``) share them: the first's noun and the second's tail
  are the first's tail, and the second takes the first's lead;
* a clause holding nothing but the figure (``县长信箱收到信件,183条``, a stray comma)
  takes the words of the clause before it, if that clause holds no figure.

The figure's *object* is the counted noun: the words between the last measure word of
its lead and the number (or, when there are none, the noun after its unit). Which topic,
measure and scope those words name is worked out from the vocabulary
(:mod:`shaoyang_report.prose_vocabulary`) by :mod:`~shaoyang_report.read.prose.mentions`;
this module only cuts the sentence, and what it finds depends on the sentence's text
alone (:func:`analyse` keeps it for sentences printed again).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from shaoyang_report.prose_vocabulary import Token, vocabulary
from shaoyang_report.read.prose.numbers import AFTER_NUMBER_RE, Number, sentence_numbers
from shaoyang_report.read.prose.sentences import mask_titles

__all__ = ["Analysis", "Figure", "Words", "analyse", "sentence_tokens", "sentence_words", "starts_with_conjunction"]

_OPEN, _CLOSE = "(（", ")）"
_SEPARATOR_RE = re.compile("[,，:：]")
_BRACKET_RE = re.compile(f"[{_OPEN}{_CLOSE}]")
_QUOTE_RE = re.compile(r"“[^“”]*”|「[^「」]*」|\"[^\"]*\"|‘[^‘’]*’")
_QUOTE_OPEN_RE = re.compile("[“「\"‘]")
#: A join between two figures of one clause: the second is conjoined to the first.
_CONJOINED_RE = re.compile(r"(?:和|及|与|以及|或|或者|暨|、)\s*$")
_CONJUNCTION_START_RE = re.compile(r"^\s*(?:和|及|与|以及|或|或者|暨|、)")
#: Words that make a figure-less clause before a figure say where it was published.
_CHANNEL_INTRO_RE = re.compile(r"通过|依托|利用|借助|经由|^\s*(?:[0-9０-９]{4}年度?)?\s*在")
_BLANK = " "
_NONE: list = []  # a figure's words before they are found (shared: replaced, never changed in place)
_END_MARKS = "。；;！？!?…"


@dataclass(slots=True)
class Figure:
    """A counted number of a sentence and its own words (offsets in the sentence)."""

    number: Number
    unit_end: int
    region: int                       # 0: the sentence; k: the k-th parenthesis
    clause: tuple[int, int]           # the clause's span (in its region's view)
    lead: tuple[int, int]             # the lead's span
    lead_tokens: list[Token]
    tail_tokens: list[Token]          # empty when the tail is not the figure's own
    tail_spans: list[tuple[int, int]]
    object_text: str                  # the counted noun
    object_span: tuple[int, int]
    object_tokens: list[Token]
    context_start: int                # where the figure-less clauses before it (since the previous figure) start
    channel_context: list[Token]      # the words of those of them that say where (通过…, 在…)
    previous: int | None = None       # the previous figure of its clause
    conjoined: bool = False           # joined to the previous figure by 、/和/及 only
    stray: bool = False               # its own clause holds nothing but the figure

    @property
    def own_tokens(self) -> list[Token]:
        return self.lead_tokens + self.tail_tokens


@dataclass(slots=True)
class Analysis:
    """One sentence: its text (normalised), numbers, figures, vocabulary words and regions."""

    text: str
    masked: str                       # the text with 《title》 contents as □
    numbers: list[Number]
    figures: list[Figure]
    tokens: list[Token]
    region_of: list[int]              # region of each character (-1: a bracket)
    parents: list[int]                # parent region of each region
    views: list[str]                  # each region's view: other regions blanked
    clauses: dict[int, list[tuple[int, int]]]  # each region's clauses (those holding figures)
    quotes: list[tuple[int, int]] = field(default_factory=list)

    def visible(self, region: int, other: int) -> bool:
        """Whether words of region ``other`` are context for a figure of ``region``: the same or an enclosing one."""
        while region >= 0:
            if region == other:
                return True
            region = self.parents[region] if region else -1
        return False

    def in_quotes(self, pos: int) -> bool:
        return any(a < pos < b for a, b in self.quotes)


def _regions(text: str) -> tuple[list[int], list[int], list[tuple[int, int, int]]]:
    """Region of each character (brackets -1), each region's parent, and the runs ``(start, end, region)``.

    A closing bracket with no open one is a character of its region.
    """
    if "(" not in text and "（" not in text:  # _OPEN
        return [0] * len(text), [0], [(0, len(text), 0)]
    region_of: list[int] = []
    parents, stack, runs = [0], [0], []
    pos = 0
    for m in _BRACKET_RE.finditer(text):
        at = m.start()
        if text[at] in _OPEN:
            parents.append(stack[-1])
            opened = len(parents) - 1
        elif len(stack) > 1:
            opened = -1
        else:
            continue  # a closing bracket with none open: a character of region 0
        if at > pos:
            region_of += [stack[-1]] * (at - pos)
            runs.append((pos, at, stack[-1]))
        region_of.append(-1)
        runs.append((at, at + 1, -1))
        if opened < 0:
            stack.pop()
        else:
            stack.append(opened)
        pos = at + 1
    if len(text) > pos:
        region_of += [stack[-1]] * (len(text) - pos)
        runs.append((pos, len(text), stack[-1]))
    return region_of, parents, runs


def _view(text: str, runs: list[tuple[int, int, int]], region: int) -> str:
    """The text with the characters of other regions (and brackets) blanked."""
    return "".join([text[a:b] if r == region else _BLANK * (b - a) for a, b, r in runs])


def _clauses(view: str, runs: list[tuple[int, int, int]], region: int, single: bool = False) -> list[tuple[int, int]]:
    """A region's clauses: ``single`` when the sentence has no other region (every character is the region's).

    A clause starts at the region's first character after a separator of the region and
    ends at the next one (or at the end of the text); characters of other regions
    between do not cut it.
    """
    if single or (region == 0 and _BLANK not in view and "(" not in view and "（" not in view):
        starts = [0] + [m.end() for m in _SEPARATOR_RE.finditer(view)]
        spans = [(a, b - 1) for a, b in zip(starts, starts[1:])]
        # (as the walk below, a blank being a character of the region: no empty clause after a last ',')
        if starts[-1] < len(view) or _BLANK not in view:
            spans.append((starts[-1], len(view)))
        return spans
    spans, start = [], None
    search = _SEPARATOR_RE.search
    for a, b, r in runs:
        if r != region:
            continue
        at = a
        while at < b:
            if start is None:
                start = at
            found = search(view, at, b)  # (the view blanks other regions: a separator found is the region's)
            if found is None:
                break
            spans.append((start, found.start()))
            start = None
            at = found.end()
    if start is not None:
        spans.append((start, len(view)))
    return spans


class _Words:
    """A region's vocabulary words (in text order, not overlapping) and where each starts."""

    __slots__ = ("starts", "tokens")

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.starts = [t.start for t in tokens]

    def between(self, a: int, b: int) -> list[Token]:
        """The words lying within ``a…b``."""
        i = bisect.bisect_left(self.starts, a)
        j = bisect.bisect_left(self.starts, b, lo=i)
        if j > i and self.tokens[j - 1].end > b:
            j -= 1  # the last one runs past b
        return self.tokens[i:j]


def _object(view: str, figure: Figure, words: _Words) -> tuple[str, tuple[int, int], list[Token]]:
    """The counted noun: after the lead's last measure word, else the noun after the unit."""
    start, end = figure.lead
    for t in reversed(figure.lead_tokens):  # the last measure word of the lead
        if t.role == "measure" and start <= t.start and t.end <= end:
            start = t.end
            break
    text = view[start:end].strip().rstrip(_END_MARKS)
    if text:
        return text, (start, end), words.between(start, end)
    if not figure.tail_spans:
        return "", (end, end), []
    a, b = figure.tail_spans[0]
    stop = next((t.start for t in figure.tail_tokens if t.role == "measure" and a <= t.start < b), b)
    return view[a:stop].strip().rstrip(_END_MARKS), (a, stop), words.between(a, stop)


class Words(NamedTuple):
    """A sentence's numbers and vocabulary words: what :func:`analyse` cuts it with."""

    masked: str                       # the text with 《title》 contents as □
    titles: list[tuple[int, int]]
    numbers: list[Number]
    tokens: list[Token]


#: Sentences whose words and cut are kept: a sentence is looked at again only within its paragraph
#: (a paragraph printed again is read once, see :mod:`~shaoyang_report.read.prose.mentions`), and
#: every cut kept is dozens of objects the garbage collector walks while it is kept (32 read the
#: benchmark's prose 3 % faster than 256, and 256 no faster than 4096).
_KEPT = 32


@lru_cache(maxsize=_KEPT)
def sentence_tokens(text: str) -> list[Token]:
    """The vocabulary words of one (normalised) sentence, its 《titles》 left out."""
    return vocabulary().scan(mask_titles(text)[0])


@lru_cache(maxsize=_KEPT)
def sentence_words(text: str) -> Words:
    """The numbers and vocabulary words of one (normalised) sentence."""
    masked, titles = mask_titles(text)
    return Words(masked, titles, sentence_numbers(text, titles), sentence_tokens(text))


@lru_cache(maxsize=_KEPT)
def analyse(text: str) -> Analysis:
    """Cut one (normalised) sentence into clauses and figures; see the module docstring."""
    masked, _, numbers, tokens = sentence_words(text)
    quotes = [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)] if _QUOTE_OPEN_RE.search(text) else []
    region_of, parents, runs = _regions(text)
    views = [_view(masked, runs, r) for r in range(len(parents))] if len(parents) > 1 else [masked]
    counted = [n for n in numbers if n.kind in ("quantity", "approximate") and region_of[n.start] >= 0]
    figures: list[Figure] = []
    by_clause: dict[tuple[int, tuple[int, int]], list[int]] = {}
    single = len(parents) == 1
    clause_lists = {r: _clauses(views[r], runs, r, single) for r in {region_of[n.start] for n in counted}}
    after_number, beyond = AFTER_NUMBER_RE.match, (len(text) + 1,)
    for number in counted:
        start = number.start
        region = region_of[start]
        spans = clause_lists[region]
        clause = spans[max(0, bisect.bisect_right(spans, (start, *beyond)) - 1)]
        siblings = by_clause.setdefault((region, clause), [])
        previous = siblings[-1] if siblings else None
        lead_start = figures[previous].unit_end if previous is not None else clause[0]
        after = after_number(views[region], number.end)
        assert after is not None  # every part of it is optional: it always matches
        unit_end = after.end()
        # (the lists are filled in below; until then every figure shares the empty ones, never changed in place)
        figure = Figure(number, unit_end, region, clause, (lead_start, start), _NONE, _NONE, _NONE, "",
                        (start, start), _NONE, lead_start, _NONE, previous)
        siblings.append(len(figures))
        figures.append(figure)
    if len(parents) == 1:
        by_region = {0: _Words(tokens)}
    else:
        grouped: dict[int, list[Token]] = {}
        for t in tokens:
            grouped.setdefault(region_of[t.start], []).append(t)
        by_region = {region: _Words(found) for region, found in grouped.items()}
    for (region, clause), members in by_clause.items():
        view = views[region]
        mine = by_region.get(region) or _Words([])
        # tails, right to left: a figure conjoined to the next shares its tail
        following: Figure | None = None
        for index in reversed(members):
            figure = figures[index]
            if following is None:
                figure.tail_spans = [(figure.unit_end, clause[1])]
                figure.tail_tokens = mine.between(figure.unit_end, clause[1])
            else:
                between = view[figure.unit_end:following.number.start]
                noun = view[slice(*following.tail_spans[0])] if following.tail_spans else ""
                if _CONJOINED_RE.search(between) and noun.strip().strip(_END_MARKS) and not any(
                        t.role == "measure" for t in mine.between(figure.unit_end, following.number.start)):
                    following.conjoined = True
                    following.lead = (following.number.start, following.number.start)
                    figure.tail_spans = [(figure.unit_end, following.number.start), *following.tail_spans]
                    figure.tail_tokens = mine.between(figure.unit_end, following.number.start) + following.tail_tokens
            following = figure
        for index in members:
            figure = figures[index]
            figure.lead_tokens = mine.between(*figure.lead)
            if figure.conjoined and figure.previous is not None:
                figure.lead_tokens = figures[figure.previous].lead_tokens
        # the figure-less clauses before the first figure of this clause, back to the previous figure
        first = figures[members[0]]
        spans = clause_lists[region]
        at = spans.index(clause)
        back = at
        while back > 0 and (region, spans[back - 1]) not in by_clause:
            back -= 1
        context = spans[back:at]
        channel_context = [t for c in context if _CHANNEL_INTRO_RE.search(view[c[0]:c[1]]) for t in mine.between(*c)]
        for index in members:
            figure = figures[index]
            figure.channel_context = channel_context
            if context:
                figure.context_start = min(figure.context_start, context[0][0])
        if not view[first.lead[0]:first.number.start].strip() and not first.conjoined and context:
            last = context[-1]  # a stray comma: '县长信箱收到信件,183条'
            first.stray = True
            first.lead = last
            first.lead_tokens = mine.between(*last)
        for index in members:
            figure = figures[index]
            figure.object_text, figure.object_span, figure.object_tokens = _object(view, figure, mine)
    return Analysis(text=text, masked=masked, numbers=numbers, figures=figures, tokens=tokens, region_of=region_of,
                    parents=parents, views=views, clauses=clause_lists, quotes=quotes)


def starts_with_conjunction(text: str) -> bool:
    """Whether a lead starts with a conjunction (``、行政规范性文件``): it may share the measure before it."""
    return bool(_CONJUNCTION_START_RE.match(text))
