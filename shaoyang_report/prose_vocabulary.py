"""The prose vocabulary: the words a clause names its topic, its measure and its scope with, as data.

A figure stated in prose is read as a *mention* (:mod:`shaoyang_report.read.prose`):
its number and unit, the topic phrase (what is counted: 政府信息公开申请, 市长信箱,
门户网站 …), the measure phrase (what was done to it: 收到, 办结, 发布 …) and its scope
(the whole reporting body, a part, a sub-unit, a cumulative figure). This module loads
the three vocabularies those are read with; the catalogue
(:mod:`shaoyang_report.prose_metrics`) then maps each topic × measure to a metric. A new
wording costs a word here, not a pattern.

Topics: ``data/prose_topics.csv``
---------------------------------
``topic``
    snake_case key (``applications``, ``mayor_mailbox``, ``website`` …).
``kind``
    ``subject`` — a thing counted or talked about; ``information`` — the generic word
    for information (信息, 政府信息), the topic of a figure only when it is the counted
    noun itself (see ``object``); ``channel`` — a place information is published
    (公开栏, 日报; ``several`` for 各级, 等形式 …), never counted itself.
``channel``
    For a subject that is also a channel information is published through: ``portal``
    (网站, 专栏) or ``new_media`` (微信公众号, 微博 …); for a ``channel`` row its kind
    (``other``, ``several``).
``words``
    Regular expressions separated by `` || `` (no capturing group; each must start with
    known characters). The words of the topics and the measures are read in one
    left-to-right pass (:meth:`Vocabulary.scan`), the longest where several start at
    the same character: 政府信息公开申请 is the topic ``applications``, not 政府信息 and
    公开; 不予受理 the blocking measure ``negation``, not 受理.
``short_words``
    Shorter forms of the topic that name it only once the paragraph has named it in
    full (申请 after 政府信息公开申请).
``object``
    For an ``information`` topic: the regular expression the counted noun (the words
    between the measure and the number) must match in full for the figure to count
    the topic itself: 主动公开各类政府信息N条 counts information, 发布动态类信息N条 a
    category the catalogue does not have.
``note``
    Why.

Measures: ``data/prose_measures.csv``
-------------------------------------
``measure`` (key), ``words`` (as above), ``blocks`` and ``note``. A measure word the
catalogue maps for the figure's topic gives the metric; one it does not map is passed
over (the next measure word of the figure's own words is tried); a *blocking* word —
``blocks`` is ``*`` (every topic) or a list of topics — gives the figure no metric at
all: 不予受理, 同比, 日均, 分别, 转办 (for mailboxes and the hotline), 予以公开 (for
requests), 维持 (for review cases) …

Scopes: ``data/prose_scopes.csv``
---------------------------------
``scope``, ``words``, ``note``, one row per scope word list the reader uses: ``part``
(其中), ``respectively`` (分别), ``cumulative`` (累计), ``as_of`` (截至), ``report_year``
(全年, 本年度) and ``since`` (以来) that confine them to the report year, ``sub_unit``
(办公室 named as a figure's subject) with ``not_subject`` and ``not_subject_before`` (the
words that make an office no subject), ``all`` (the 'all' of '已全部办结') and ``filler``
(the words of a counted noun that name nothing: 共计, 数量, 为 …). Their notes say how each
is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from shaoyang_report.config import package_csv
from shaoyang_report.quick_regex import first_chars, quick_search

__all__ = [
    "TOPIC_KINDS",
    "Measure",
    "ProseVocabularyError",
    "Token",
    "Topic",
    "Vocabulary",
    "vocabulary",
]

_TOPICS_FILE = "prose_topics.csv"
_MEASURES_FILE = "prose_measures.csv"
_SCOPES_FILE = "prose_scopes.csv"
_SEP = " || "
#: Kinds of topic (``data/prose_topics.csv``, column ``kind``).
TOPIC_KINDS = ("subject", "information", "channel")
_CHANNELS = ("portal", "new_media", "other", "several")
_SCOPES = ("part", "respectively", "cumulative", "as_of", "report_year", "since", "sub_unit", "not_subject",
           "not_subject_before", "all", "filler")
_KEY_RE = re.compile(r"[a-z][a-z0-9_]*")


class ProseVocabularyError(ValueError):
    """A prose vocabulary file is malformed; the message names the file, the row and what is wrong."""


@dataclass(frozen=True, slots=True)
class Topic:
    """One row of ``data/prose_topics.csv`` (see the module docstring)."""

    key: str
    kind: str
    channel: str
    object: re.Pattern | None


@dataclass(frozen=True, slots=True)
class Measure:
    """One row of ``data/prose_measures.csv``: ``blocks`` is ``None`` (a measure), ``"*"`` or topic keys."""

    key: str
    blocks: frozenset[str] | str | None

    def blocks_topic(self, topic: str | None) -> bool:
        """Whether this word leaves a figure of ``topic`` without a metric."""
        return self.blocks == "*" or (isinstance(self.blocks, frozenset) and topic in self.blocks)


class Token(NamedTuple):
    """A vocabulary word found in a sentence: ``role`` is ``topic``, ``short`` or ``measure``."""

    start: int
    end: int
    role: str
    key: str


_new_token = tuple.__new__  # Token(...) without the named tuple's Python-level constructor


def _split(field: str | None) -> list[str]:
    return [part.strip() for part in (field or "").split(_SEP) if part.strip()]


def _compile(text: str, where: str) -> re.Pattern:
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise ProseVocabularyError(f"{where}: {text!r} does not compile ({exc})") from None
    if pattern.groups:
        raise ProseVocabularyError(f"{where}: {text!r} has a capturing group: use (?:…)")
    return pattern


def _width(pattern: str) -> tuple[int, int]:
    from re import _parser  # type: ignore[attr-defined]  # the stubs lack re's private modules

    low, high = _parser.parse(pattern).getwidth()
    return min(high, 64), min(low, 64)


class Vocabulary:
    """The three vocabularies, loaded and checked, and the scanner that reads them in a sentence."""

    def __init__(self, topics: list[dict[str, str]], measures: list[dict[str, str]],
                 scopes: list[dict[str, str]]) -> None:
        self.topics: dict[str, Topic] = {}
        self.measures: dict[str, Measure] = {}
        words: list[tuple[str, str, str]] = []  # (regex, role, key)
        for n, row in enumerate(topics, start=2):
            key = (row.get("topic") or "").strip()
            where = f"{_TOPICS_FILE}: row {n} ({key or 'no topic'})"
            if not _KEY_RE.fullmatch(key) or key in self.topics:
                raise ProseVocabularyError(f"{where}: topic must be a new snake_case key")
            kind, channel = (row.get("kind") or "").strip(), (row.get("channel") or "").strip()
            if kind not in TOPIC_KINDS:
                raise ProseVocabularyError(f"{where}: kind must be one of {', '.join(TOPIC_KINDS)}")
            if channel and channel not in _CHANNELS or (kind == "channel" and not channel):
                raise ProseVocabularyError(f"{where}: channel must be one of {', '.join(_CHANNELS)}")
            obj = (row.get("object") or "").strip()
            self.topics[key] = Topic(key, kind, channel, _compile(obj, where) if obj else None)
            if not _split(row.get("words")):
                raise ProseVocabularyError(f"{where}: no words")
            words += [(_compile(w, where).pattern, "topic", key) for w in _split(row.get("words"))]
            words += [(_compile(w, where).pattern, "short", key) for w in _split(row.get("short_words"))]
        for n, row in enumerate(measures, start=2):
            key = (row.get("measure") or "").strip()
            where = f"{_MEASURES_FILE}: row {n} ({key or 'no measure'})"
            if not _KEY_RE.fullmatch(key) or key in self.measures or key == "none":
                raise ProseVocabularyError(f"{where}: measure must be a new snake_case key other than 'none'")
            blocks_text = (row.get("blocks") or "").strip()
            blocks: frozenset[str] | str | None = None
            if blocks_text == "*":
                blocks = "*"
            elif blocks_text:
                blocks = frozenset(_split(blocks_text))
                unknown = sorted(blocks - set(self.topics))
                if unknown:
                    raise ProseVocabularyError(f"{where}: blocks unknown topics {', '.join(unknown)}")
            self.measures[key] = Measure(key, blocks)
            if not _split(row.get("words")):
                raise ProseVocabularyError(f"{where}: no words")
            words += [(_compile(w, where).pattern, "measure", key) for w in _split(row.get("words"))]
        self.scopes: dict[str, re.Pattern] = {}
        self.filler = re.compile("")  # words that name nothing, repeated (scope 'filler')
        for n, row in enumerate(scopes, start=2):
            key = (row.get("scope") or "").strip()
            where = f"{_SCOPES_FILE}: row {n} ({key or 'no scope'})"
            if key not in _SCOPES or key in self.scopes:
                raise ProseVocabularyError(f"{where}: scope must be one of {', '.join(_SCOPES)}, once")
            parts = _split(row.get("words"))
            if not parts:
                raise ProseVocabularyError(f"{where}: no words")
            self.scopes[key] = quick_search(_compile("|".join(f"(?:{p})" for p in parts), where))
            if key == "filler":
                self.filler = re.compile("(?:" + "|".join(f"(?:{p})" for p in parts) + ")*")
        missing = [s for s in _SCOPES if s not in self.scopes]
        if missing:
            raise ProseVocabularyError(f"{_SCOPES_FILE}: scopes missing: {', '.join(missing)}")
        # one pass, longest first at each character: the words grouped by the characters they start with
        words.sort(key=lambda w: _width(w[0]), reverse=True)
        #: Every word of the three files in one pattern, the longest first (each a group ``w<n>``).
        self.pattern = "|".join(f"(?P<w{i}>{w})" for i, (w, _, _) in enumerate(words))
        # one regex per first character, its words the longest first: one match per place a word may start
        firsts: dict[str, list[int]] = {}
        self._words = [(re.compile(text), role, key, _width(text)[0]) for text, role, key in words]
        for i, (pattern, _, _, _) in enumerate(self._words):
            first = first_chars(pattern)
            if first is None:
                raise ProseVocabularyError(f"vocabulary words must start with known characters: {pattern.pattern!r}")
            for ch in first:
                firsts.setdefault(ch, []).append(i)
        # per first character: its words in one pattern (group n is its n-th word) and, for each word,
        # its role and key and the words after it that may match longer (the order is by the longest each may be)
        self._by_first: dict[str, tuple[re.Pattern, list[tuple[str, str, tuple[tuple[int, re.Pattern, str, str], ...]]]]] = {}
        for ch, ids in firsts.items():
            entries = []
            for n, i in enumerate(ids):
                later = tuple((self._words[j][3], self._words[j][0], self._words[j][1], self._words[j][2])
                              for j in ids[n + 1:] if self._words[j][3] > 1)
                entries.append((self._words[i][1], self._words[i][2], later))
            self._by_first[ch] = (re.compile("|".join(f"(?P<w{i}>{self._words[i][0].pattern})" for i in ids)), entries)
        self._starts = re.compile("[" + "".join(re.escape(ch) for ch in sorted(firsts)) + "]")

    def scan(self, text: str) -> list[Token]:
        """Every vocabulary word of ``text``, left to right, the longest where several start together."""
        out = []
        pos = 0
        by_first, search = self._by_first, self._starts.search
        while True:
            m = search(text, pos)
            if m is None:
                break
            at = m.start()
            pattern, entries = by_first[m.group()]
            found = pattern.match(text, at)
            if found is None or found.end() == at:
                pos = at + 1
                continue
            assert found.lastindex is not None  # every alternative is a group
            role, key, later = entries[found.lastindex - 1]
            best = found.end()
            # a word tried later may still be longer (they come the longest first: none after one that may not be)
            for width, word, word_role, word_key in later:
                if width <= best - at:
                    break
                longer = word.match(text, at)
                if longer is not None and longer.end() > best:
                    role, key, best = word_role, word_key, longer.end()
            out.append(_new_token(Token, (at, best, role, key)))
            pos = best
        return out


@cache
def vocabulary() -> Vocabulary:
    """The package's prose vocabulary (read once)."""
    return Vocabulary(package_csv(_TOPICS_FILE), package_csv(_MEASURES_FILE), package_csv(_SCOPES_FILE))
