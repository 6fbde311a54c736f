"""Agency, year and national format of a report, read from its text.

Every pattern and word list used here is package data (the ``[metadata]`` section of
``data/layouts.toml``); the code names no agency, site or file. Patterns run on
*normalised* text (:func:`shaoyang_report.read.text.normalize`: Traditional characters read
as Simplified, pinyin glosses dropped, no whitespace); what is reported as printed is
cut from the original line through a per-character index map, so a Traditional name
stays Traditional and keeps its glosses (``沅陵縣二酉苗族鄉(xiāng)人民政府``).

Evidence, strongest first:

* **agency** — a title line (``会仪镇人民政府2021年信息公开年度报告``; a title broken
  over two lines; a title after a breadcrumb or after spam such as ``xx官网@:``), else
  a report named in an opening sentence (``现将北坡鎮2022年政府信息公開工作年度報告进行公开``,
  ``现编制形成了《…西柳镇人民政府2023年…》``), else the subject of a clause that opens
  a paragraph of the opening or of 一、总体情况 (``2020年,区发改局以…``: *inferred*).
* **year** — the statistics period (``统计期限从2020年1月1日…``, also with lost
  separators: ``202011日至1231日``, ``20201月1日起``), else the title, else the
  opening sentence, else the year most often opening a sentence of the opening and
  overview (``2023年,审计局…``, ``截止2023年12月31日``: *inferred*), else the
  publication date minus one (``发布时间:2024-01-30`` → 2023: *inferred*).

Example:
    >>> from shaoyang_report.read.readers.text_reader import text_document
    >>> meta = read_metadata(text_document("当前位置:首页 > 年报\\n"
    ...     "沅陵縣二酉苗族鄉(xiāng)人民政府2020年政府信息公開工作年度報告\\n一、總體情況", "x.txt"))
    >>> meta.agency, meta.year, meta.provenance()["year"]
    ('沅陵縣二酉苗族鄉(xiāng)人民政府', 2020, Evidence(basis='title', location='line 2', inferred=False))
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

from shaoyang_report.layout import get_layout
from shaoyang_report.read.document import Document, Line
from shaoyang_report.read.format_labels import detect_format
from shaoyang_report.read.provenance import Evidence, Metadata, caller_notes
from shaoyang_report.read.text import GLOSS, normalize, simplify

if TYPE_CHECKING:  # pragma: no cover
    from shaoyang_report.read.entry import CallerHints, CatalogEntry

__all__ = ["Evidence", "Metadata", "date_line", "read_metadata"]


# ----------------------------------------------------------------------------- text map
_CJK = re.compile(r"[\u3400-\u9fff]")
_TERMINAL = ("。", ":", ";", "!", "?")


class _Mapped:
    """One printed line, normalised, with the original span of each normalised character.

    The span map is built only when a printed name is cut out of the line (rarely: most
    lines of a report's head match no pattern).
    """

    __slots__ = ("location", "text", "norm", "_map")

    def __init__(self, line: Line) -> None:
        self.location = line.location
        self.text = line.text
        self.norm = normalize(line.text)
        self._map: tuple[tuple[int, ...], tuple[int, ...], frozenset[int]] | None = None

    @property
    def starts(self) -> tuple[int, ...]:
        """Original index where normalised character k starts."""
        return self._spans()[0]

    @property
    def ends(self) -> tuple[int, ...]:
        """Original index after normalised character k (a pinyin gloss after it included)."""
        return self._spans()[1]

    @property
    def gaps(self) -> frozenset[int]:
        """k such that whitespace was printed just before normalised character k."""
        return self._spans()[2]

    def printed(self, start: int, end: int) -> str:
        """The original text of normalised characters ``start:end``."""
        return self.text[self.starts[start]:self.ends[end - 1]].strip()

    def _spans(self) -> tuple[tuple[int, ...], tuple[int, ...], frozenset[int]]:
        """Normalise the line character by character, keeping where each was printed.

        Gives the same string as :func:`~shaoyang_report.read.text.normalize` (checked; where a
        character's normalisation depends on its neighbours, every character maps to the
        whole line).
        """
        if self._map is not None:
            return self._map
        text = self.text
        pieces = [(c, i) for i, ch in enumerate(text) for c in unicodedata.normalize("NFKC", ch)]
        nfkc = "".join(c for c, _ in pieces)
        glossed: set[int] = set()
        if "(" in nfkc:
            dropped = {k for m in GLOSS.finditer(nfkc) for k in range(m.start(), m.end())}
            glossed = {pieces[k][1] for k in dropped}
            pieces = [p for k, p in enumerate(pieces) if k not in dropped]
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        gaps: set[int] = set()
        previous = -1
        for c, i in pieces:
            c = simplify(c)
            if not c or c.isspace():
                continue
            if any(text[j].isspace() for j in range(previous + 1, i)):
                gaps.add(len(chars))
            end = i + 1
            while end in glossed:
                end += 1
            chars.append(c)
            starts.append(i)
            ends.append(end)
            previous = i
        if "".join(chars) != self.norm:
            starts, ends, gaps = [0] * len(self.norm), [len(text)] * len(self.norm), set()
        self._map = (tuple(starts), tuple(ends), frozenset(gaps))
        return self._map


def _mapped(line: Line) -> _Mapped:
    """A line with its normalised text (the span map is built when needed)."""
    return _Mapped(line)


# ----------------------------------------------------------------------------- rules as data
@dataclass(frozen=True)
class _Rules:
    head_lines: int
    title: tuple[re.Pattern[str], ...]
    title_no_year: tuple[re.Pattern[str], ...]
    title_rest: tuple[re.Pattern[str], ...]
    agency_line: re.Pattern[str]
    breadcrumb: re.Pattern[str]
    sentence: tuple[re.Pattern[str], ...]
    sentence_verbs: re.Pattern[str]
    period: tuple[re.Pattern[str], ...]
    prose_year: tuple[re.Pattern[str], ...]
    publication_date: tuple[re.Pattern[str], ...]
    suffix: re.Pattern[str]
    predicate: re.Pattern[str]
    preposition: re.Pattern[str]
    clause_lead: re.Pattern[str]
    run_in_heading: re.Pattern[str]
    not_agency: re.Pattern[str]
    max_subject_chars: int
    page_title_separator: re.Pattern[str]


def _alternation(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


@cache
def _rules() -> _Rules:
    meta = get_layout().metadata

    def patterns(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in meta[key])

    def one(key: str) -> re.Pattern[str]:
        return re.compile(meta[key])

    return _Rules(
        head_lines=int(meta["head_lines"]),
        title=patterns("title"),
        title_no_year=patterns("title_no_year"),
        title_rest=patterns("title_year_only"),
        agency_line=one("agency_line"),
        breadcrumb=one("breadcrumb"),
        sentence=patterns("sentence"),
        sentence_verbs=re.compile(f"(?:{_alternation(meta['sentence_verbs'])})"),
        period=patterns("period"),
        prose_year=patterns("prose_year"),
        publication_date=patterns("publication_date"),
        suffix=re.compile(f"(?:{_alternation(meta['agency_suffixes'])})$"),
        predicate=re.compile(f"(?:{_alternation(meta['agency_predicates'])})"),
        preposition=re.compile(f"(?:{_alternation(meta['clause_prepositions'])})"),
        clause_lead=one("clause_lead"),
        run_in_heading=one("run_in_heading"),
        not_agency=one("not_agency"),
        max_subject_chars=int(meta["max_subject_chars"]),
        page_title_separator=one("page_title_separator"),
    )


def _is_agency(name: str, *, need_suffix: bool) -> bool:
    """Whether ``name`` (normalised) can be an agency's own name (not 我局, 街道, 区政府 …)."""
    rules = _rules()
    if len(name) < 2 or not all(_CJK.match(c) for c in name) or rules.not_agency.search(name):
        return False
    if not need_suffix:
        return True
    m = rules.suffix.search(name)
    return m is not None and m.start() > 0


# ----------------------------------------------------------------------------- finding
_V = TypeVar("_V")


class _Found(NamedTuple, Generic[_V]):
    value: _V
    evidence: Evidence
    title: str | None = None


def _span_location(first: _Mapped, last: _Mapped) -> str:
    if first is last:
        return first.location
    a, b = re.match(r"(.*?)(\d+)$", first.location), re.match(r"(.*?)(\d+)$", last.location)
    if a and b and a[1] == b[1]:
        return f"{first.location}-{b[2]}"
    return f"{first.location}; {last.location}"


def _title_start(line: _Mapped) -> int:
    """Where a title may start in a line: after a breadcrumb's last item (首页 > … > 年报 title)."""
    crumbs = list(_rules().breadcrumb.finditer(line.norm))
    if not crumbs:
        return 0
    after = crumbs[-1].end()
    gap = next((k for k in sorted(line.gaps) if k > after), None)
    return gap if gap is not None else len(line.norm)


def _titles(lines: list[_Mapped]) -> tuple[_Found[str] | None, _Found[int] | None]:
    """Agency and year from a title line, or from a title broken over two lines."""
    rules = _rules()
    agency = year = None
    # one line
    for line in lines:
        start = _title_start(line)
        text = line.norm[start:]
        for pattern in rules.title:
            m = pattern.search(text)
            if m is None:
                continue
            title = line.printed(start + m.start(), start + m.end())
            where = Evidence("title", line.location)
            if _is_agency(m["agency"], need_suffix=False):
                a, b = start + m.start("agency"), start + m.end("agency")
                return _Found(line.printed(a, b), where, title), _Found(int(m["year"]), where, title)
            year = year or _Found(int(m["year"]), where, title)  # 本局2021年…: the year, not the name
        if year is None:
            for pattern in rules.title_rest:
                m = pattern.match(text)
                if m and m["year"]:
                    year = _Found(int(m["year"]), Evidence("title", line.location), line.printed(start, len(line.norm)))
    # two lines: the agency (and maybe the year) on the first, the rest of the title on the next
    for first, second in zip(lines, lines[1:]):
        if not (rules.agency_line.match(first.norm) and any(p.match(second.norm) for p in rules.title_rest)):
            continue
        joined = first.norm + second.norm
        for pattern in rules.title:
            m = pattern.match(joined)
            if m and m.end("agency") <= len(first.norm) and _is_agency(m["agency"], need_suffix=True):
                title = first.text.strip() + second.text.strip()
                where = Evidence("title", _span_location(first, second))
                return _Found(first.printed(0, m.end("agency")), where, title), _Found(int(m["year"]), where, title)
    # a title without a year
    for line in lines:
        start = _title_start(line)
        for pattern in rules.title_no_year:
            m = pattern.search(line.norm[start:])
            if m and _is_agency(m["agency"], need_suffix=True):
                a, b = start + m.start("agency"), start + m.end("agency")
                title = line.printed(start + m.start(), start + m.end())
                return _Found(line.printed(a, b), Evidence("title", line.location), title), year
    return agency, year


def _sentences(norm: str) -> list[tuple[int, int]]:
    """Spans of the sentences of a normalised line."""
    out, start = [], 0
    for m in re.finditer(r"[。!?]", norm):
        out.append((start, m.end()))
        start = m.end()
    if start < len(norm):
        out.append((start, len(norm)))
    return out


def _opening_sentence(lines: list[_Mapped]) -> _Found[tuple[str, int]] | None:
    """A sentence presenting the report by name: 现将北坡镇2022年政府信息公开工作年度报告…"""
    rules = _rules()
    for line in lines:
        for s, e in _sentences(line.norm):
            sentence = line.norm[s:e]
            verb_ends = [v.end() for v in rules.sentence_verbs.finditer(sentence)]
            if not verb_ends:
                continue
            for pattern in rules.sentence:
                for m in pattern.finditer(sentence):
                    a, b = m.start("agency"), m.end("agency")
                    k = bisect_right(verb_ends, b)
                    if k == 0:
                        continue
                    a = max(a, verb_ends[k - 1])  # 现将北坡镇 → 北坡镇
                    name = sentence[a:b]
                    if not _is_agency(name, need_suffix=True):
                        continue
                    where = Evidence("opening sentence", line.location)
                    title = line.printed(s + min(a, m.start("year")), s + m.end())
                    return _Found((line.printed(s + a, s + b), int(m["year"])), where, title)
    return None


def _first_match(lines: list[_Mapped], patterns: tuple[re.Pattern[str], ...]) -> tuple[_Mapped, re.Match[str]] | None:
    for line in lines:
        for pattern in patterns:
            m = pattern.search(line.norm)
            if m:
                return line, m
    return None


def _paragraph_starts(lines: list[_Mapped], reader: str) -> list[_Mapped]:
    """Lines that begin a paragraph (a PDF line continuing a wrapped sentence does not)."""
    out = []
    for k, line in enumerate(lines):
        prev = lines[k - 1].norm if k else ""
        if reader in ("pdf", "ofd") and len(prev) > 30 and not prev.endswith(_TERMINAL):
            continue
        out.append(line)
    return out


def _prose_year(lines: list[_Mapped]) -> _Found[int] | None:
    """The year that most often opens a sentence of the opening and overview."""
    votes: Counter[int] = Counter()
    where: dict[int, str] = {}
    for line in lines:
        for pattern in _rules().prose_year:
            for m in pattern.finditer(line.norm):
                year = int(m["year"])
                votes[year] += 1
                where.setdefault(year, line.location)
    if not votes:
        return None
    year = votes.most_common(1)[0][0]
    return _Found(year, Evidence("prose", where[year], inferred=True))


def _subject(clause: str) -> tuple[int, int] | None:
    """The shortest leading name ending in an organ word and followed by a predicate."""
    rules = _rules()
    for end in range(2, min(len(clause), rules.max_subject_chars) + 1):
        if not _CJK.match(clause[end - 1]):
            return None
        name = clause[:end]
        if rules.predicate.match(clause, end) and _is_agency(name, need_suffix=True):
            return 0, end
    return None


def _prose_agency(lines: list[_Mapped], reader: str) -> _Found[str] | None:
    """The subject of the first clause of a paragraph: 2020年,区发改局以… → 区发改局."""
    rules = _rules()
    for line in _paragraph_starts(lines, reader):
        for s, e in _sentences(line.norm)[:2]:
            found = None
            clause_start = s
            for m in re.finditer(r"[,;:。!?]|$", line.norm[s:e]):
                clause_end = s + m.start()
                lead = rules.clause_lead.match(line.norm, clause_start, clause_end)
                start = lead.end() if lead else clause_start
                clause = line.norm[start:clause_end]
                clause_start = s + m.end()
                if not clause or rules.preposition.match(clause) or rules.run_in_heading.search(clause):
                    continue
                span = _subject(clause)
                if span is not None:
                    where = Evidence("prose", line.location, inferred=True)
                    found = _Found(line.printed(start, start + span[1]), where)
                break
            if found:
                return found
            if len(line.norm[s:e]) > 20:
                break  # only a short run-in heading (（一）主动公开情况。) lets the next sentence count
    return None


def _publication_year(lines: list[_Mapped]) -> _Found[int] | None:
    hit = _first_match(lines, _rules().publication_date)
    if hit is None:
        return None
    line, m = hit
    return _Found(int(m["year"]) - 1, Evidence("publication date", line.location, inferred=True))


_DATE = re.compile(r"(?P<y>(19|20)\d\d)(年|-|/|\.)(?P<m>\d{1,2})(月|-|/|\.)?((?P<d>\d{1,2})日?)?")


def _publication_date(norms: Iterable[str]) -> date | None:
    """The first publication date in normalised head lines (before the first heading), or None."""
    for norm in norms:
        for pattern in _rules().publication_date:
            m = pattern.search(norm)
            d = _DATE.match(norm, m.start("year")) if m else None
            if d is None:
                continue
            year, month = int(d["y"]), int(d["m"])
            if not 1 <= month <= 12:
                continue
            day = int(d["d"]) if d["d"] else None
            try:
                return date(year, month, day) if day else (date(year + month // 12, month % 12 + 1, 1) - timedelta(1))
            except ValueError:
                continue
    return None


def date_line(lines: Iterable[str]) -> date | None:
    """The publication date a page prints above its first heading (发布时间:2021-01-20 …), or None.

    Lines are matched by the reader's ``publication_date`` patterns (``layouts.toml``),
    within its head lines; a month without a day (``(2022年1月)``) gives the month's last
    day. :func:`read_metadata` finds the same date (``Metadata.published``).

    Example:
        >>> date_line(["金紫乡2021年政府信息公开工作年度报告", "发布时间:2022-06-17 信息来源:城步县"])
        datetime.date(2022, 6, 17)
    """
    every = tuple(get_layout().section_order)
    norms = []
    for k, line in enumerate(lines):
        if k >= _rules().head_lines:
            break
        norm = normalize(line)
        if _is_heading(norm, every):
            break
        norms.append(norm)
    return _publication_date(norms)


def _zones(doc: Document) -> tuple[list[_Mapped], list[_Mapped], list[_Mapped]]:
    """Head lines; lines before the first heading (title, site chrome); opening + overview."""
    layout = get_layout()
    rules = _rules()
    head = [_mapped(ln) for ln in doc.lines[: rules.head_lines] if ln.text.strip()]

    tables = tuple(s for s in layout.section_order if s != "overview")
    every = tuple(layout.section_order)
    first_heading = next((k for k, ln in enumerate(head) if _is_heading(ln.norm, every)), len(head))
    first_table = next((k for k, ln in enumerate(head) if _is_heading(ln.norm, tables)), len(head))
    return head, head[:first_heading], head[:first_table]


@lru_cache(maxsize=1 << 12)
def _is_heading(norm: str, sections: tuple[str, ...]) -> bool:
    """Whether a normalised line is the heading of one of ``sections`` (lines repeat across reports: kept)."""
    layout = get_layout()
    return len(norm) <= layout.max_heading_chars and any(
        p.search(norm) for s in sections for p in layout.section_patterns.get(s, ()))


def read_metadata(doc: Document, *, catalog_entry: CatalogEntry | None = None,
                  given: CallerHints | None = None) -> Metadata:
    """Find agency, year and format in a Document.

    See the module docstring for the evidence used and its order; the agency is the
    printed text, the year an int, and where each came from is kept (see
    :meth:`Metadata.provenance`). A saved page's ``<title>`` (``Document.title``) is a
    title too, after the title lines of the text. The format comes from the labels
    only one format prints, else the caller's, else the year's (see
    :func:`~shaoyang_report.read.format_labels.detect_format`).

    Args:
        doc: The document.
        catalog_entry: The report's catalog row, if any: its year is used where the
            text states none or only lets it be inferred.
        given: What the caller says: used before the catalog, where the text is silent;
            where the text says otherwise the text's is kept and ``notes`` says so.

    Example:
        >>> from shaoyang_report.read.readers.text_reader import text_document
        >>> doc = text_document("一、总体情况\\n2022年度,区秦岭保护局全面贯彻落实区委、区政府的各项工作部署。\\n"
        ...                     "二、主动公开政府信息情况", "x.txt")
        >>> m = read_metadata(doc)
        >>> m.agency, m.year, m.agency_evidence.describe(), m.year_evidence.describe()
        ('区秦岭保护局', 2022, 'prose (inferred)', 'prose (inferred)')
    """
    head, top, prose = _zones(doc)
    agency, title_year = _titles(top)
    if (agency is None or title_year is None) and doc.title is not None:
        page_agency, page_year = _titles(_page_title(doc.title))
        agency, title_year = agency or page_agency, title_year or page_year
    sentence = _opening_sentence(prose)
    found = agency or title_year
    title = found.title if found else None
    if agency is None and sentence is not None:
        agency = _Found(sentence.value[0], sentence.evidence, sentence.title)
        title = sentence.title
    if agency is None:
        agency = _prose_agency(prose, doc.reader)
    year: _Found[int] | None = None
    period = _first_match(head, _rules().period)
    if period is not None:
        year = _Found(int(period[1]["year"]), Evidence("statistics period", period[0].location))
    year = year or title_year
    if year is None and sentence is not None:
        year = _Found(sentence.value[1], sentence.evidence)
        title = title or sentence.title
    year = year or _prose_year(prose) or _publication_year(top)
    meta = Metadata(
        agency=str(agency.value) if agency else None,
        year=int(year.value) if year else None,
        title=title,
        template=None,
        template_basis=None,
        agency_evidence=agency.evidence if agency else None,
        year_evidence=year.evidence if year else None,
        published=_publication_date(line.norm for line in top),
        catalog_entry=catalog_entry,
        given=given,
    )
    used, used_from = meta.used_year(), meta.provenance()["year"]
    outside = used_from.basis if used_from is not None and used_from.basis in ("caller", "catalog") else None
    template, basis = detect_format(doc, used, given=given.format if given else None, year_from=outside)
    return replace(meta, template=template, template_basis=basis, notes=tuple(caller_notes(doc, meta, template, basis)))


def _page_title(line: Line) -> list[_Mapped]:
    """A page's ``<title>`` cut at the separators sites put between the report's title and
    the site's name (``…年度报告_邵阳市人民政府``), each piece a title line."""
    pieces = re.split(_rules().page_title_separator, line.text)
    return [_mapped(Line(p.strip(), line.location)) for p in pieces if p.strip()]
