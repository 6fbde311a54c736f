"""Reliability: property tests over generated reports and mutations of the real ones (issue 10).

Hypothesis drives every test here, derandomised (the same examples on every run, so CI
is deterministic), with no example database and no deadline (profile ``reliability``
below). The properties:

* nothing escapes the reader but :class:`~shaoyang_report.errors.ReportFormatError`;
* no number is placed on a row or column other than where it was printed: generated
  reports print every number once (distinct integers ≥ 10, money in 万元/元, signed
  本年增/减), so each number read says which cell it came from; the real reports'
  numbers are traced by the line they were printed on;
* a clean rendering (text a cell per line, a row per line, label-and-numbers lines;
  HTML page, Word file, PDF) is read completely; with empty cells, a row whose cells
  are not certain is unplaced, never misplaced; every number read in a table section
  is either placed or listed in ``report.unplaced``;
* a mutation confined to the prose (before 二、主动公开政府信息情况 or after 五、…)
  leaves the table facts identical;
* a text cut inside a number never places that number;
* damaged copies of the real PDFs (cut, bytes changed) raise ReportFormatError or read.

The number of examples is set per test (``max_examples`` below, 5,000 in all);
``RELIABILITY_SCALE=4`` multiplies them for a longer local run. Run with
``--hypothesis-show-statistics`` for the examples run per test; ``-s`` prints the
tally of cases, crashes and misplacements kept by this module. With
``RELIABILITY_CENSUS=1`` a violated property is counted (with an example) instead of
failing the test, so that one run gives how many cases of each test break it.

The last section holds the minimal reproducers of what the properties found, each on
the real Shaoyang report.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import generated_reports as gen
import pandas as pd
import pytest
from conftest import RAW, shared_report
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import shaoyang_report as sr
from shaoyang_report.layout import get_layout
from shaoyang_report.read.cells import is_furniture, split_cells
from shaoyang_report.read.document import VALUE
from shaoyang_report.read.readers import read_document
from shaoyang_report.read.report import parse_document
from shaoyang_report.read.sections import find_heading
from shaoyang_report.read.text import normalize

settings.register_profile(
    "reliability",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
_SCALE = float(os.environ.get("RELIABILITY_SCALE", "1"))


def examples(n: int) -> settings:
    """The CI profile with ``n`` examples (times ``RELIABILITY_SCALE``)."""
    return settings(settings.get_profile("reliability"), max_examples=max(1, int(n * _SCALE)))


# Cases, crashes and misplacements seen per test (printed at the end of the module).
TALLY: dict[str, Counter] = defaultdict(Counter)
# RELIABILITY_CENSUS=1: record failures and go on (to count them), instead of failing.
_CENSUS = os.environ.get("RELIABILITY_CENSUS") == "1"
CENSUS_EXAMPLES: dict[str, list[str]] = defaultdict(list)

KEYS = ["section", "item", "measure", "applicant"]
COMPARE = ["section", "item", "measure", "applicant", "value", "unit", "raw", "is_total"]
SHAOYANG = RAW / "shaoyang_city_2020.txt"
PDFS = ["huaian/hongze_district_2023.pdf", "huaian/hongze_district_2024.pdf"]


@pytest.fixture(scope="module", autouse=True)
def _print_tally():
    yield
    if TALLY:
        print("\nreliability tally (cases / crashes / misplacements / lost / other):")
        for test, c in sorted(TALLY.items()):
            print(f"  {test}: {c['cases']} cases ({c['format_error']} ReportFormatError), {c['crash']} crashes, "
                  f"{c['misplaced']} misplaced, "
                  f"{c['lost']} lost, {c['incomplete']} incomplete, {c['prose_changed']} prose-changed, "
                  f"{c['cut_placed']} cut placed")
        for test, cases in CENSUS_EXAMPLES.items():
            for case in cases[:int(os.environ.get("RELIABILITY_SHOW", "3"))]:
                print(f"  {test} e.g.: {case}")


def verdict(test: str, kind: str, messages: list[str], context: str = "") -> None:
    """Record a property's outcome; fail on a violation (unless taking a census)."""
    if messages:
        TALLY[test][kind] += 1
        if _CENSUS:
            CENSUS_EXAMPLES[test].append(f"{kind}: {messages[:3]} {context[:300]}")
            return
        raise AssertionError(f"{kind}: {len(messages)} violation(s):\n  " + "\n  ".join(messages[:20])
                             + (f"\n{context}" if context else ""))


def read(test: str, reader, *args, **kwargs):
    """Run a read; count it; only ReportFormatError may escape (it gives None here)."""
    TALLY[test]["cases"] += 1
    try:
        return reader(*args, **kwargs)
    except sr.ReportFormatError:
        TALLY[test]["format_error"] += 1
        return None
    except Exception as exc:
        TALLY[test]["crash"] += 1
        if _CENSUS:
            CENSUS_EXAMPLES[test].append(f"crash: {type(exc).__name__}: {exc}")
            return None
        raise


def table_facts(report: sr.Report) -> pd.DataFrame:
    facts = report.facts
    return facts[facts.section != "prose"].reset_index(drop=True)


class Fact(NamedTuple):
    key: tuple  # (section, item, measure, applicant or None)
    value: float
    raw: str
    location: str


@lru_cache(maxsize=4)
def facts_of(report: sr.Report) -> list[Fact]:
    """The table facts of ``report.facts`` as plain tuples (columns read once: fast)."""
    facts = report.facts
    cols = [facts[c].tolist() for c in ("section", "item", "measure", "applicant", "value", "raw", "location")]
    return [Fact((sec, item, measure, None if pd.isna(applicant) else applicant), value, raw, location)
            for sec, item, measure, applicant, value, raw, location in zip(*cols) if sec != "prose"]


@lru_cache(maxsize=4)
def unplaced_of(report: sr.Report) -> list[tuple[str, str]]:
    """``(location, raw)`` of each unplaced number."""
    unplaced = report.unplaced
    return list(zip(unplaced.location.tolist(), unplaced.raw.tolist()))


def _key(row) -> tuple:
    applicant = row.applicant
    return (row.section, row.item, row.measure, None if pd.isna(applicant) else applicant)


def _same_value(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


# --------------------------------------------------------------------------- oracles

def misplaced_generated(report: sr.Report, truth: gen.GeneratedReport) -> list[str]:
    """Facts whose cell does not hold, in the generated report, the number read there."""
    out = []
    by_raw = truth.by_raw
    facts = facts_of(report)
    counts = Counter(f.key for f in facts)
    out += [f"{key} placed {n} times" for key, n in counts.items() if n > 1]
    for fact in facts:
        cell = truth.cells.get(fact.key)
        if cell is None:
            out.append(f"{fact.raw!r} ({fact.location}) placed at {fact.key}, a cell this report does not print")
        elif fact.raw != cell.raw or not _same_value(fact.value, cell.value):
            came = by_raw.get(fact.raw)
            out.append(f"{fact.raw!r} ({fact.location}) placed at {fact.key}, which printed {cell.raw!r}; "
                       f"{fact.raw!r} was printed at {came.key if came else 'no cell'}")
    return out


def lost_numbers(report: sr.Report) -> list[str]:
    """Numbers of a table section that are neither placed nor listed as unplaced.

    Page furniture (``- 3 -``) printed inside a table is no number of the table.
    """
    doc = report.document
    accounted = Counter((f.location, f.raw) for f in facts_of(report))
    accounted += Counter(unplaced_of(report))
    out = []
    section = None
    for line, heading in zip(doc.lines, _sections(tuple(ln.text for ln in doc.lines))):
        if heading:
            section = heading
            continue
        if section in gen.SECTION_HEADINGS and not is_furniture(line.text):
            for tok in line.tokens:
                if tok.kind != VALUE:
                    continue
                if accounted[(tok.location, tok.text)]:
                    accounted[(tok.location, tok.text)] -= 1
                else:
                    out.append(f"{tok.text!r} at {tok.location} ({section}) is neither placed nor unplaced")
    return out


_ORDER = get_layout().section_order


def _sections(texts: tuple[str, ...]) -> list[str | None]:
    """For each line, the section it is the heading of, as the reader splits sections
    (:func:`~shaoyang_report.read.sections.split_sections`: a heading counts only after the previous one)."""
    out, last = [], -1
    for text in texts:
        heading = _heading(text)
        if heading is not None and _ORDER.index(heading) > last:
            last = _ORDER.index(heading)
            out.append(heading)
        else:
            out.append(None)
    return out


_LOCATION = re.compile(r"^line (\d+)(?:, value (\d+))?$")


@lru_cache(maxsize=1 << 14)
def _number_tokens(text: str, number: int) -> tuple:
    return tuple(t for t in split_cells(text, f"line {number}") if t.kind in (VALUE, "glued"))


def misplaced_traced(report: sr.Report, lines: list[gen.TLine]) -> tuple[list[str], int]:
    """Facts of a text read whose number was printed, per the lines' truths, in another cell.

    Each fact's location names the line (and the value on it) it was read from; the
    line carries the true cell of each of its numbers. Facts of numbers whose cell is
    unknown (inserted by a mutation) are not judged.

    Returns:
        The violations, and how many facts could not be judged.
    """
    out, unjudged = [], 0
    for row in facts_of(report):
        if row.raw == "":
            continue  # an empty cell: no number to trace
        m = _LOCATION.match(row.location)
        if m is None:
            out.append(f"{row.raw!r} has location {row.location!r}, not a line of the text")
            continue
        number = int(m.group(1))
        line = lines[number - 1]
        tokens = _number_tokens(line.text, number)
        candidates = [truth for tok, truth in zip(tokens, line.truths)
                      if tok.location == row.location
                      and (tok.text == row.raw or (tok.kind == "glued" and row.raw in tok.text))]
        if not candidates:
            out.append(f"{row.raw!r} read at {row.location}, where line {number} ({line.text!r}) prints no such number")
            continue
        if all(c is gen.UNKNOWN for c in candidates):
            unjudged += 1
            continue
        if row.key not in candidates:
            truths = [c for c in candidates if c is not gen.UNKNOWN]
            out.append(f"{row.raw!r} (line {number}: {line.text!r}) placed at {row.key}; printed at {truths}")
    return out, unjudged


# --------------------------------------------------------------------------- bases

@lru_cache(maxsize=1)
def shaoyang_lines() -> tuple[gen.TLine, ...]:
    """The Shaoyang text's lines, each number's true cell taken from the unmutated read.

    The unmutated read is asserted value by value in test_shaoyang_2020.py.
    """
    text = SHAOYANG.read_text("utf-8")
    base = sr.read_report(SHAOYANG)
    where = {row.location: _key(row) for row in table_facts(base).itertuples()}
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        out.append(gen.TLine(line, [where.get(t.location, gen.UNKNOWN) for t in _number_tokens(line, number)]))
    return tuple(out)


@lru_cache(maxsize=1)
def shaoyang_table_facts() -> pd.DataFrame:
    return _comparable(sr.read_report(SHAOYANG))


def _comparable(report: sr.Report) -> pd.DataFrame:
    return table_facts(report)[COMPARE].sort_values(KEYS, na_position="first").reset_index(drop=True)


FORMATS = st.sampled_from([("F2019", "row"), ("F2021", "row"), ("F2021", "group")])


@st.composite
def generated(draw, blanks: bool | None = None, blank_style: str | None = None):
    """A generated report: format and shape, seed, share of empty cells."""
    fmt, shape = draw(FORMATS)
    seed = draw(st.integers(0, 2**32 - 1))
    has_blanks = draw(st.booleans()) if blanks is None else blanks
    rate = draw(st.sampled_from([0.05, 0.2, 0.5])) if has_blanks else 0.0
    style = blank_style or draw(st.sampled_from(["empty", "dash"]))
    return gen.Spec(seed, fmt, shape, rate, style)


# --------------------------------------------------------------------------- 1. generated renderings

@pytest.mark.slow
@examples(800)
@given(report=generated(), layout=st.sampled_from(gen.TEXT_LAYOUTS), filler=st.sampled_from(["blank", "pad"]))
def test_generated_text_is_read_at_the_true_places(report, layout, filler):
    """Text renderings: placed numbers are where they were printed; none is lost; clean ones complete."""
    name = "generated_text"
    spec, report = report, report.build()
    lines = gen.text_lines(report, layout, filler)
    for line in lines:  # the rendering knows which cell each number the reader will see is
        assert len(_number_tokens(line.text, 0)) == len(line.truths), line
    text = gen.to_text(lines)
    note(f"text: gen.to_text(gen.text_lines({spec!r}.build(), {layout!r}, {filler!r}))")
    r = read(name, sr.read_text, text, source=f"generated_{layout}.txt")
    assert r is not None, "a complete generated report is a report"
    verdict(name, "misplaced", misplaced_generated(r, report))
    verdict(name, "lost", lost_numbers(r))
    if gen.cells_certain(report, layout, filler):
        complete = []
        facts = facts_of(r)
        if len(facts) != len(report.cells):
            complete.append(f"{len(facts)} table facts, {len(report.cells)} printed cells")
        if not r.unplaced.empty:
            complete.append(f"unplaced: {r.unplaced.raw.tolist()[:10]} at {r.unplaced.location.tolist()[:10]}")
        if r.problems:
            complete.append(f"problems: {r.problems[:5]}")
        if (r.template, r.shapes) != (report.fmt, {"other_processing": report.shape}):
            complete.append(f"read as {r.template} {r.shapes}")
        verdict(name, "incomplete", complete)


def _read_bytes(data: bytes, source: str) -> sr.Report:
    return parse_document(read_document(data, source))


@pytest.mark.slow
@examples(200)
@given(report=generated(blank_style="empty"), kind=st.sampled_from(["html", "html-nbsp", "docx"]))
def test_generated_html_and_word_are_read_completely_at_the_true_places(report, kind):
    """Grids print every cell, empty ones too: everything is placed, where it was printed."""
    name = "generated_html_docx"
    report = report.build()
    data = gen.docx_bytes(report) if kind == "docx" else gen.html_page(report, nbsp=kind == "html-nbsp").encode()
    r = read(name, _read_bytes, data, f"generated.{kind[:4]}")
    assert r is not None
    verdict(name, "misplaced", misplaced_generated(r, report))
    verdict(name, "lost", lost_numbers(r))
    complete = []
    if len(facts_of(r)) != len(report.cells):
        complete.append(f"{len(facts_of(r))} table facts, {len(report.cells)} printed cells")
    if not r.unplaced.empty or r.problems:
        complete.append(f"unplaced {r.unplaced.raw.tolist()[:10]}, problems {r.problems[:3]}")
    verdict(name, "incomplete", complete)


@pytest.mark.slow
@examples(60)
@given(report=generated(blank_style="empty"), per_page=st.sampled_from([40, 70, 400]))
def test_generated_pdf_is_read_at_the_true_places(report, per_page):
    """PDF: an empty cell leaves only a gap, so its row is unplaced; nothing is misplaced."""
    name = "generated_pdf"
    report = report.build()
    data = gen.pdf_bytes(report, lines_per_page=per_page)
    r = read(name, _read_bytes, data, "generated.pdf")
    assert r is not None
    verdict(name, "misplaced", misplaced_generated(r, report))
    verdict(name, "lost", lost_numbers(r))
    if not any(c.raw == "" for c in report.cells.values()):
        complete = []
        if len(facts_of(r)) != len(report.cells) or not r.unplaced.empty or r.problems:
            complete.append(f"{len(facts_of(r))} facts of {len(report.cells)}; unplaced "
                            f"{r.unplaced.raw.tolist()[:10]}; problems {r.problems[:3]}")
        verdict(name, "incomplete", complete)


# --------------------------------------------------------------------------- 2. mutations of texts

# Lines a mutation may insert: prose with numbers, a row of another table, bare numbers,
# a caption, padding, text with bars.
PROSE = [
    "2020年，我市共受理政府信息公开申请140件，已全部办结。",
    "全年主动公开政府信息 100899 条，其中规章 27 件。",
    "行政许可 4089 -56 7591",
    "一是加强门户网站建设；二是加强新媒体平台建设。",
    "（注：表中“—”表示不适用，数据统计期限为1月1日至12月31日。）",
    "如对本报告有疑问，请联系（电话：0739-5501987）。",
    "第二十条第（一）项",
    "自然人 法人或其他组织 总计",
    "12 | 34 |",
    "|||",
    " |",
    "无。",
    "- 3 -",
]
_PROSE_CHARS = "的是在政府信息公开年度报告情况处理申请数量一二三四五六七八九十（）()、，。.0123456789 |—-"


def _not_heading(line: str) -> bool:
    return _heading(line) is None


PROSE_LINES = st.one_of(st.sampled_from(PROSE), st.text(_PROSE_CHARS, min_size=1, max_size=30)).filter(_not_heading)
VALUE_WORDS = st.one_of(st.integers(0, 99999).map(str), st.sampled_from(["—", "-7", "3.5万", "1,234", "0"]))
MARKS = ["¹", "①", "*", "²", "※", "⑧"]
CJK = "的是在一二三四五六七八九十规章许可处罚强制收费申请公开"


def _value_line(word: str, lines: list[gen.TLine]) -> str:
    """A value line in the text's own style (cell per line, or a bare number)."""
    piped = sum(ln.text.rstrip().endswith("|") for ln in lines) > len(lines) // 3
    return f"{word} |" if piped else word


@st.composite
def mutation(draw, lines: list[gen.TLine], span: tuple[int, int] | None = None):
    """One mutation of a text's lines: ``(new lines, description)``.

    ``span``: confine it to lines ``[start, end)`` (prose), else anywhere.
    """
    lo, hi = span if span else (0, len(lines))
    if hi <= lo:
        return lines, "nothing"
    kinds = ["delete", "insert_prose", "duplicate", "label_char", "insert_value", "marks", "glue", "swap",
             "replace_digit"]
    kind = draw(st.sampled_from(kinds))
    i = draw(st.integers(lo, hi - 1))
    new = list(lines)
    if kind == "delete":
        del new[i]
        return new, f"delete line {i + 1} {lines[i].text!r}"
    if kind == "insert_prose":
        text = draw(PROSE_LINES)
        at = draw(st.integers(lo, hi))
        new.insert(at, gen.TLine(text, [gen.UNKNOWN] * len(_number_tokens(text, 0))))
        return new, f"insert {text!r} before line {at + 1}"
    if kind == "insert_value":
        text = _value_line(draw(VALUE_WORDS), lines)
        at = draw(st.integers(lo, hi))
        new.insert(at, gen.TLine(text, [gen.UNKNOWN] * len(_number_tokens(text, 0))))
        return new, f"insert value line {text!r} before line {at + 1}"
    if kind == "duplicate":
        new.insert(i, gen.TLine(lines[i].text, list(lines[i].truths)))
        return new, f"duplicate line {i + 1} {lines[i].text!r}"
    if kind == "swap":
        j = draw(st.integers(lo, hi - 1))
        a, b = lines[i], lines[j]
        if "label" in (_line_kind(lines, i), _line_kind(lines, j)):
            # a label on a line of its own names the values printed after it: moving it
            # gives them another row, as printed (the truth moves with it: not judged)
            return lines, f"nothing (no swap of label line {i + 1} or {j + 1})"
        new[i], new[j] = _moved(b, a), _moved(a, b)
        return new, f"swap lines {i + 1} {a.text!r} and {j + 1} {b.text!r}"
    if kind == "glue":
        if i + 1 >= hi:
            return lines, "nothing"
        a, b = lines[i], lines[i + 1]
        tight = draw(st.booleans())
        left = a.text.rstrip()
        if tight:
            left = left.rstrip("|").rstrip()
        text = left + ("" if tight else " ") + b.text.lstrip()
        merged = gen.TLine(a.text + " | " + b.text, a.truths + b.truths)  # before gluing: both lines' numbers
        new[i:i + 2] = [gen.align(merged, text) if tight else _concat(a, b, text)]
        return new, f"glue lines {i + 1} {a.text!r} and {i + 2} {b.text!r} {'tightly' if tight else ''}"
    old = lines[i]
    text = old.text
    if kind == "label_char":
        spots = [k for k, ch in enumerate(text) if "\u3400" <= ch <= "\u9fff"]
        if not spots:
            return lines, "nothing"
        k = draw(st.sampled_from(spots))
        how = draw(st.sampled_from(["replace", "delete", "insert"]))
        ch = draw(st.sampled_from(CJK))
        text = text[:k] + ("" if how == "delete" else ch) + text[k + (0 if how == "insert" else 1):]
    elif kind == "marks":
        spots = [m.end() for m in re.finditer(r"\d+", text)]
        if not spots:
            return lines, "nothing"
        k = draw(st.sampled_from(spots))
        text = text[:k] + draw(st.sampled_from(MARKS)) + text[k:]
    elif kind == "replace_digit":
        spots = [k for k, ch in enumerate(text) if ch.isdigit()]
        if not spots:
            return lines, "nothing"
        k = draw(st.sampled_from(spots))
        text = text[:k] + str(draw(st.integers(0, 9))) + text[k + 1:]
    new[i] = gen.align(old, text)
    return new, f"{kind} line {i + 1}: {old.text!r} -> {text!r}"


def _value_only(text: str) -> bool:
    tokens = split_cells(text, "x")
    return (bool(tokens) and all(t.kind in (VALUE, "blank", "pad") for t in tokens)
            and any(t.kind == VALUE for t in tokens))


def _line_kind(lines: list[gen.TLine], k: int) -> str:
    """``value`` (bare values), ``row`` (text and values), ``label`` (text alone inside the
    tables: a label, caption or header) or ``other`` (prose, padding, blank lines)."""
    tokens = split_cells(lines[k].text, "x")
    numbers = any(t.kind in (VALUE, "glued") for t in tokens)
    text = any(t.kind == "text" for t in tokens)
    if numbers:
        return "row" if text else "value"
    if not text:
        return "other"
    headings = [_heading(ln.text) for ln in lines]
    start = next((n for n, h in enumerate(headings) if h == "active_disclosure"), len(lines))
    end = next((n for n, h in enumerate(headings) if h == "problems"), len(lines))
    return "label" if start < k < end else "other"


@lru_cache(maxsize=1 << 14)
def _heading(text: str) -> str | None:
    """The section a printed line is the heading of (as the reader finds headings)."""
    return find_heading(normalize(text.replace("|", "")))


def _moved(line: gen.TLine, occupant: gen.TLine) -> gen.TLine:
    """A line moved to where ``occupant`` was printed.

    A line with a label carries its numbers' cells along (the label says where they
    go). A line of bare values takes the cells of the value line it replaces (its
    numbers now stand in those cells); put where no value line was, its numbers are in
    no known cell.
    """
    if not _value_only(line.text):
        return line
    if _value_only(occupant.text) and len(occupant.truths) == len(line.truths):
        return gen.TLine(line.text, list(occupant.truths))
    return gen.TLine(line.text, [gen.UNKNOWN] * len(line.truths))


def _concat(a: gen.TLine, b: gen.TLine, text: str) -> gen.TLine:
    """Two lines printed as one (a space between): their numbers in order, if the reader sees them so."""
    return gen.align(gen.TLine(a.text + " | " + b.text, a.truths + b.truths), text)


class Text:
    """A text's lines (with their numbers' true cells) and, as its repr, how it was made.

    A failing example then prints as ``Text(Spec(...), layout='rows'; glue lines 12 …)``
    rather than as hundreds of lines.
    """

    __slots__ = ("lines", "made")

    def __init__(self, lines, made: str) -> None:
        self.lines = list(lines)
        self.made = made

    def __repr__(self) -> str:
        return f"Text({self.made})"


@st.composite
def mutated(draw, base: Text, max_mutations: int = 3):
    """A base text with 1–3 mutations applied anywhere.

    A line deleted and another duplicated leave a row as many cells as it printed: no
    reader can tell the copy from the cell that was lost (the row then does not add up,
    which the checks report), so where both happen the duplicated line's numbers are not
    judged (their truth is unknown), as an inserted value line's are not.
    """
    lines = list(base.lines)
    done, copies = [], []
    for _ in range(draw(st.integers(1, max_mutations))):
        before = {id(line) for line in lines}
        lines, what = draw(mutation(lines))
        done.append(what)
        if what.startswith("duplicate"):  # the copy is inserted before its original
            k = next(k for k, line in enumerate(lines) if id(line) not in before)
            copies += lines[k:k + 2]
    if copies and any(w.startswith("delete") for w in done):
        unknown = {id(line) for line in copies}
        lines = [gen.TLine(line.text, [gen.UNKNOWN] * len(line.truths)) if id(line) in unknown else line
                 for line in lines]
    return Text(lines, f"{base.made}; " + "; ".join(done))


def _check_mutated(name: str, text: Text, source: str) -> None:
    lines = text.lines
    r = read(name, sr.read_text, gen.to_text(lines), source=source)
    if r is None:
        return
    wrong, unjudged = misplaced_traced(r, lines)
    TALLY[name]["unjudged"] += unjudged
    verdict(name, "misplaced", wrong, text.made)
    verdict(name, "lost", lost_numbers(r), text.made)


@pytest.mark.slow
@examples(700)
@given(text=mutated(Text(shaoyang_lines(), "shaoyang_city_2020.txt")))
def test_mutated_shaoyang_text_never_misplaces(text):
    """The real Shaoyang text, mutated: numbers stay where printed or are unplaced."""
    _check_mutated("mutated_shaoyang", text, "shaoyang_mutated.txt")


@lru_cache(maxsize=1)
def shaoyang_plain_lines() -> tuple[gen.TLine, ...]:
    """The Shaoyang report as PDF/Word text (label and numbers per line), traced by its own read."""
    from test_shaoyang_2020 import _as_plain_text

    text = _as_plain_text(SHAOYANG.read_text("utf-8"))
    base = sr.read_text(text, source="shaoyang_plain.txt")
    where = {row.location: _key(row) for row in table_facts(base).itertuples()}
    return tuple(gen.TLine(line, [where.get(t.location, gen.UNKNOWN) for t in _number_tokens(line, n)])
                 for n, line in enumerate(text.splitlines(), start=1))


@pytest.mark.slow
@examples(400)
@given(text=mutated(Text(shaoyang_plain_lines(), "shaoyang_city_2020.txt as label-and-numbers lines")))
def test_mutated_shaoyang_plain_text_never_misplaces(text):
    """The Shaoyang report as PDF/Word text, mutated: numbers stay where printed or are unplaced."""
    _check_mutated("mutated_shaoyang_plain", text, "shaoyang_plain_mutated.txt")


@st.composite
def generated_lines(draw):
    """A generated report as text lines (cell per line, row per line, or label and numbers)."""
    spec = draw(generated())
    layout = draw(st.sampled_from(gen.TEXT_LAYOUTS))
    if layout == "plain" and spec.blank_style == "empty":
        # an empty cell leaves no trace in label-and-numbers text: a value line inserted
        # after such a row would complete it as printed, so its cells print "—" here
        spec = spec._replace(blank_style="dash")
    report = spec.build()
    # an empty cell shows as " |"; padding as bare "|" (a page that used " |" for both
    # would leave even a careful reader no way to tell a deleted cell from padding)
    return Text(gen.text_lines(report, layout, filler="pad"), f"{spec!r}, layout={layout!r}, filler='pad'")


@pytest.mark.slow
@examples(700)
@given(data=st.data())
def test_mutated_generated_text_never_misplaces(data):
    """Generated texts (cell per line, row per line, label and numbers), mutated."""
    text = data.draw(mutated(data.draw(generated_lines(), label="base")), label="mutated")
    _check_mutated("mutated_generated", text, "generated_mutated.txt")


# --------------------------------------------------------------------------- prose and cuts

def _prose_spans(lines) -> list[tuple[int, int]]:
    """Lines before 二、主动公开政府信息情况 and after the 五、 heading."""
    headings = [_heading(ln.text) for ln in lines]
    start = headings.index("active_disclosure")
    five = headings.index("problems")
    return [(0, start), (five + 1, len(lines))]


@examples(200)
@given(data=st.data())
def test_mutation_confined_to_prose_leaves_tables_identical(data):
    """Prose before table 二 or after 五、 mutated (1–3 times): the table facts do not change."""
    name = "prose_mutation"
    if data.draw(st.booleans(), label="shaoyang"):
        lines, expected = list(shaoyang_lines()), shaoyang_table_facts()
    else:
        lines = data.draw(generated_lines(), label="base").lines
        expected = _comparable(sr.read_text(gen.to_text(lines), source="generated.txt"))
    done = []
    for _ in range(data.draw(st.integers(1, 3))):
        span = data.draw(st.sampled_from(_prose_spans(lines)))
        lines, what = data.draw(mutation(lines, span))
        done.append(what)
    note("mutations: " + "; ".join(done))
    r = read(name, sr.read_text, gen.to_text(lines), source="prose_mutated.txt")
    assert r is not None, "a report whose prose changed is still a report"
    got = _comparable(r)
    changed = []
    if not got.equals(expected):
        merged = got.merge(expected, how="outer", on=KEYS, suffixes=("", "_expected"), indicator=True)
        diff = merged[(merged._merge != "both") | (merged.raw != merged.raw_expected)]
        changed = [f"{tuple(row[k] for k in KEYS)}: {row.get('raw')!r} vs {row.get('raw_expected')!r} ({row._merge})"
                   for _, row in diff.head(10).iterrows()] or ["facts differ in value/unit/is_total"]
    verdict(name, "prose_changed", changed, "mutations: " + "; ".join(done))


@st.composite
def cut_text(draw):
    """A text (Shaoyang, or generated) cut at a point inside its tables, or anywhere."""
    if draw(st.booleans()):
        base = Text(shaoyang_lines(), "shaoyang_city_2020.txt")
    else:
        base = draw(generated_lines())
    lines = base.lines
    text = gen.to_text(lines)
    first = [_heading(ln.text) for ln in lines].index("active_disclosure")
    start = len(gen.to_text(lines[:first]))
    if draw(st.booleans()):
        # end inside a number: cut just after one of its digits
        digits = [m.start() + 1 + d for m in re.finditer(r"\d+", text[start:]) for d in range(len(m.group()))]
        at = start + draw(st.sampled_from(digits))
    else:
        at = draw(st.integers(1, len(text)))
    return Text(lines, f"{base.made}, cut after character {at}: …{text[max(at - 40, 0):at]!r}"), at


@pytest.mark.slow
@examples(1320)
@given(case=cut_text())
def test_cut_text_never_places_the_cut_number(case):
    """A text cut short: its last number, if the text ends inside it, is never placed."""
    name = "cut_text"
    base, at = case
    lines = base.lines
    cut = gen.to_text(lines)[:at]
    note(f"cut at {at}: ...{cut[-80:]!r}")
    r = read(name, sr.read_text, cut, source="cut.txt")
    if r is None:
        return
    kept = cut.splitlines()
    cut_lines = [gen.align(lines[k], kept[k]) if k == len(kept) - 1 else lines[k] for k in range(len(kept))]
    wrong, _ = misplaced_traced(r, cut_lines)
    verdict(name, "misplaced", wrong, f"cut at {at}")
    verdict(name, "lost", lost_numbers(r), f"cut at {at}")
    last = kept[-1] if kept else ""
    tokens = _number_tokens(last, len(kept))
    if tokens and tokens[-1].kind == VALUE and last.endswith(tokens[-1].text) and cut[-1:].isdigit():
        tok = tokens[-1]
        verdict(name, "cut_placed", [f"cut number {tok.text!r} ({tok.location}) placed at {f.key}"
                                     for f in facts_of(r) if (f.location, f.raw) == (tok.location, tok.text)],
                f"...{cut[-60:]!r}")


# --------------------------------------------------------------------------- 3. damaged PDFs

@pytest.fixture(scope="module")
def pdf_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("damaged_pdfs")


@lru_cache(maxsize=2)
def _pdf(name: str) -> bytes:
    return shared_report(name).read_bytes()


@st.composite
def damaged_pdf(draw):
    name = draw(st.sampled_from(PDFS))
    data = bytearray(_pdf(name))
    how = draw(st.sampled_from(["truncate", "flip", "both", "zero_run"]))
    if how in ("truncate", "both"):
        data = data[:draw(st.integers(0, len(data) - 1))]
    if how in ("flip", "both") and data:
        for _ in range(draw(st.integers(1, 8))):
            k = draw(st.integers(0, len(data) - 1))
            data[k] = draw(st.integers(0, 255))
    if how == "zero_run" and data:
        k = draw(st.integers(0, len(data) - 1))
        n = draw(st.integers(1, 4096))
        data[k:k + n] = bytes(min(n, len(data) - k))
    return name, how, bytes(data)


@pytest.mark.slow
@examples(620)
@given(case=damaged_pdf())
def test_damaged_real_pdfs_raise_only_report_format_error(case, pdf_dir):
    """The Hongze PDFs cut short, with bytes changed or zeroed: a report or ReportFormatError."""
    name, how, data = case
    path = pdf_dir / Path(name).name
    path.write_bytes(data)
    note(f"{name} {how}, {len(data)} bytes")
    r = read("damaged_pdf", sr.read_report, path)
    if r is not None:
        r.facts, r.checks, r.unplaced, r.problems  # noqa: B018 - building the frames must not fail either


# --------------------------------------------------------------------------- found by the properties
# Minimal reproducers of what the properties above found, on the real Shaoyang report
# (its text, its PDF/Word-style text, its HTML page). Each states what must hold.

def _shaoyang_cells() -> list[str]:
    return SHAOYANG.read_text("utf-8").splitlines()


def _at(report: sr.Report, item: str) -> dict:
    """``{measure or applicant: raw}`` of the facts placed on one row."""
    return {(f.key[3] or f.key[2]): f.raw for f in facts_of(report) if f.key[1] == item}


def test_two_rows_printed_on_one_line_keep_their_own_values():
    # PDF/Word text where two rows of table 二 share a line: the second row's numbers
    # were given to the first row (its label cell swallowed the rest of the line).
    from test_shaoyang_2020 import _as_plain_text

    plain = _as_plain_text(SHAOYANG.read_text("utf-8"))
    two_rows = "行政许可 4089 -56 7591 其他对外管理服务事项 277 290 37458"
    text = plain.replace("行政许可 4089 -56 7591\n其他对外管理服务事项 277 290 37458", two_rows)
    assert two_rows in text
    r = sr.read_text(text, source="two_rows_on_a_line.txt")
    permit, other = _at(r, "administrative_permit"), _at(r, "other_management_services")
    assert permit in ({}, {"prior_year_items": "4089", "change": "-56", "decisions": "7591"}), permit
    assert other in ({}, {"prior_year_items": "277", "change": "290", "decisions": "37458"}), other
    # and none of the six numbers is dropped silently: placed, or listed as unplaced
    seen = {f.raw for f in facts_of(r) if f.key[1] in ("administrative_permit", "other_management_services")}
    seen |= {raw for _, raw in unplaced_of(r)}
    assert {"4089", "-56", "7591", "277", "290", "37458"} <= seen, seen


def test_an_empty_cell_beside_a_short_label_does_not_shift_the_row():
    # The copied page prints an empty cell beside （七）总计 (the HTML's &nbsp;), and the
    # row's 总计 cell is empty: eight cells for seven columns, empty at both ends. The
    # reader dropped the last one and put 139 under 商业企业, 1 under 法律服务机构 …
    lines = _shaoyang_cells()
    k = lines.index("(七)总计 |")
    assert lines[k + 1:k + 8] == ["139 |", "0 |", "0 |", "1 |", "0 |", "0 |", "140 |"]
    text = "\n".join(lines[:k + 1] + [" |"] + lines[k + 1:k + 7] + [" |"] + lines[k + 8:])
    r = sr.read_text(text, source="empty_cell_beside_label.txt")
    row = _at(r, "total_handled")
    printed = {"natural_person": "139", "commercial": "0", "research": "0", "social_welfare": "1",
               "legal_services": "0", "other_org": "0", "total": ""}
    assert row in ({}, printed), row


def _html_table_two(rows: list[tuple[str, ...]]) -> bytes:
    def tr(cells):
        if len(cells) == 1:
            return f'<tr><td colspan="4">{cells[0]}</td></tr>'
        return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"

    return ("<html><body><p>示例县人民政府2020年政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p><table>"
            + "".join(tr(r) for r in rows)
            + "</table><p>五、存在的主要问题及改进情况</p><p>无。</p></body></html>").encode()


# Table 二 (F2019) as a grid whose first value column is empty in most rows.
_SPARSE_TABLE_TWO = [
    ("第二十条第（一）项",), ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
    ("规章", "", "12", "27"), ("规范性文件", "", "57", "442"),
    ("第二十条第（八）项",), ("信息内容", "上一年项目数量", "本年增/减", ""),
    ("行政事业性收费", "", "3", ""),
]


def test_html_grid_with_its_first_value_column_mostly_empty_places_nothing_elsewhere():
    # The grid reader takes the column where most rows' first value stands for the first
    # value column and drops the empty cells left of it: 行政事业性收费's 3, printed under
    # 本年增/减, was read as 上一年项目数量.
    r = parse_document(read_document(_html_table_two(_SPARSE_TABLE_TWO), "sparse.html"))
    assert _at(r, "administrative_fees") in ({}, {"prior_year_items": "", "change": "3"}), _at(r, "administrative_fees")


def test_html_grid_with_its_first_value_column_mostly_empty_is_read_completely():
    # Every cell is printed in a grid: the empty ones are not stated, and nothing is uncertain.
    r = parse_document(read_document(_html_table_two(_SPARSE_TABLE_TWO), "sparse.html"))
    assert _at(r, "rules") == {"new_made": "", "new_published": "12", "total_published": "27"}
    assert _at(r, "normative_documents") == {"new_made": "", "new_published": "57", "total_published": "442"}
    assert r.unplaced.empty and r.problems == []


def test_html_table_four_with_an_empty_first_cell_is_read():
    # The Shaoyang page with 行政复议·结果维持 left empty: the grid shows all fifteen cells,
    # yet the whole row was unplaced (the empty first cell was taken for a label column).
    from fixture_pages import shaoyang_html

    page = shaoyang_html()
    cell = '<span style="font-family:宋体;font-size:12px">2</span>'
    k = page.index(cell, page.rindex("<tr>"))
    page = page[:k] + cell.replace(">2<", ">&nbsp;<") + page[k + len(cell):]
    r = parse_document(read_document(page.encode("utf-8"), "empty_first_cell.html"))
    assert _at(r, "administrative_review") == {"upheld": "", "corrected": "0", "other": "9", "pending": "2",
                                               "total": "13"}
    assert r.unplaced.empty


def test_text_table_four_with_an_empty_first_cell_is_read_where_empty_cells_stand_in_place():
    # Cell-per-line text whose empty cells are printed in place (" |" between 137 and 0
    # of 本年新收, read so): table 四's first cell " |" is on a line before its first
    # value and was not counted, so all fifteen numbers were unplaced.
    lines = _shaoyang_cells()
    k1 = lines.index("一、本年新收政府信息公开申请数量 |") + 2
    k4 = lines.index("五、存在的主要问题及改进情况") - 15
    assert (lines[k1], lines[k4]) == ("0 |", "2 |")
    lines[k1] = lines[k4] = " |"
    r = sr.read_text("\n".join(lines), source="empty_first_cell.txt")
    assert _at(r, "new_requests")["commercial"] == ""  # the empty cell is read in place
    assert _at(r, "administrative_review") == {"upheld": "", "corrected": "0", "other": "9", "pending": "2",
                                               "total": "13"}
    assert r.unplaced.empty


def test_a_row_printed_out_of_order_in_a_cell_with_its_group_label_keeps_its_values():
    # F2021, PDF/Word text: （六）其他处理 printed on the line of its first sub-row (as a
    # grid's rowspan flattens), and 3.其他 printed early (before 8.属于行政查询事项). The
    # late label match read only the first label of the cell: the values of
    # 1.申请人无正当理由逾期不补正… went to （六）其他处理 as a row, beside its sub-row 3.其他.
    from test_formats import F2021_ROWS, f2021_text

    rows, n = [], 100
    for label, values in F2021_ROWS:  # every row's numbers unique: 100…106, 110…116, …
        rows.append((label, None if values is None else list(range(n, n + 7))))
        n += 10 if values is not None else 0
    labels = [label for label, _ in rows]
    k = labels.index("（六）其他处理")
    first_sub_row = rows[k + 1]
    rows[k:k + 2] = [("（六）其他处理 " + first_sub_row[0], first_sub_row[1])]
    other = rows.pop([label for label, _ in rows].index("3.其他"))
    rows.insert([label for label, _ in rows].index("8.属于行政查询事项"), other)
    r = sr.read_text(f2021_text(rows), source="late_row.txt")
    assert _at(r, "other_processing") == {}, _at(r, "other_processing")
    applicants = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total"]
    printed = dict(zip(applicants, map(str, first_sub_row[1]), strict=True))
    assert _at(r, "other_no_supplement") in ({}, printed)


def test_a_value_after_a_row_that_shows_its_empty_cell_does_not_shift_the_row():
    # 行政许可 printed with its 本年增/减 cell empty (" |", read in place), then a stray
    # value line: four cells for three columns. The reader dropped the empty cell and
    # read 7591 (printed under 处理决定数量) as 本年增/减 and the stray 5 as 处理决定数量.
    lines = _shaoyang_cells()
    k = lines.index("行政许可 |")
    assert lines[k + 1:k + 4] == ["4089 |", "-56 |", "7591 |"]
    text = "\n".join(lines[:k + 2] + [" |", "7591 |", "5 |"] + lines[k + 4:])
    r = sr.read_text(text, source="stray_value.txt")
    assert _at(r, "administrative_permit") in ({}, {"prior_year_items": "4089", "change": "", "decisions": "7591"})


def test_a_row_printed_twice_does_not_shift_other_rows():
    # A generated F2019 report as a row per line (" |  |" an empty cell in place, "||"
    # padding) whose （六）其他处理 line is printed twice (a page break repeating it). The
    # repeated line was read as more cells of the same row (its label counts as the
    # row's own text), that row then "showed" padding before its last value, the whole
    # document's bare "|" was taken for empty cells in place — and 1.属于国家秘密, which
    # prints an empty 科研机构 cell, had its empty cell dropped and 91666, 43175, 17616,
    # 48463 moved one column left.
    def applicants(item, *who):
        return [("applications", item, "requests", w) for w in who]

    blank = frozenset(applicants("other_processing", "natural_person", "commercial", "research", "other_org")
                      + applicants("withheld_state_secret", "research"))
    report = gen.generate(1, "F2019", "row", 0.0, "empty", blank)
    text = gen.to_text(gen.text_lines(report, "rows", "pad")).replace("（七）总计 || ", "（七）总计 | ")
    six = next(line for line in text.splitlines() if line.startswith("（六）其他处理"))
    assert six == "（六）其他处理 |  |  |  | 2131 | 40963 |  | 36355 ||"
    secret = next(line for line in text.splitlines() if "1.属于国家秘密" in line)
    assert secret == "（三）不予公开 | 1.属于国家秘密 | 14574 | 27085 |  | 91666 | 43175 | 17616 | 48463 |||"
    assert not misplaced_generated(sr.read_text(text, source="once.txt"), report)
    r = sr.read_text(text.replace(six + "\n", six + "\n" + six + "\n"), source="twice.txt")
    assert _at(r, "withheld_state_secret") in ({}, {"natural_person": "14574", "commercial": "27085", "research": "",
                                                    "social_welfare": "91666", "legal_services": "43175",
                                                    "other_org": "17616", "total": "48463"})
    other = _at(r, "other_processing")
    assert other in ({}, {"natural_person": "", "commercial": "", "research": "", "social_welfare": "2131",
                          "legal_services": "40963", "other_org": "", "total": "36355"}), other


def test_a_row_per_line_text_with_empty_cells_places_every_number_where_printed():
    # A generated F2021 report, a row per line: empty cells print as " |  |", padding and
    # the empty cell beside （七）总计 as bare "|" (so bare "|" is both: not certain).
    # Whatever the reader makes of bare "|", 3.要求提供公开出版物's numbers stay in their
    # columns (81584 under 其他, 69379 under 总计) or are unplaced.
    report = gen.Spec(21, "F2021", "row", 0.5, "empty").build()
    text = gen.to_text(gen.text_lines(report, "rows", "pad"))
    assert "3.要求提供公开出版物 | 95837 | 84591 | 10339 | 17847 |  | 81584 | 69379 ||" in text
    assert "（七）总计 || 42,534 | 53199 |  |  | 65738 | 73,037 |  |||" in text
    r = sr.read_text(text, source="rows.txt")
    assert misplaced_generated(r, report) == []
