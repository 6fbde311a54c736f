"""The speed-ups of issue 11 (4) read exactly as before: patterns found by a first-character
lookahead match what the patterns match, and the year comparison builds only the report
it picks per year."""

from __future__ import annotations

import re
import shutil

import pandas as pd
from conftest import RAW, SHARED_REPORTS

import shaoyang_report as sr
from shaoyang_report.compare import years
from shaoyang_report.config import package_csv
from shaoyang_report.layout import get_layout
from shaoyang_report.prose_vocabulary import vocabulary
from shaoyang_report.quick_regex import first_chars, quick_search


def _texts() -> list[str]:
    texts = [(RAW / "shaoyang_city_2020.txt").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((SHARED_REPORTS / "excerpts").glob("*.txt"))]
    assert len(texts) > 30
    return texts


def _patterns() -> list[str]:
    """Every pattern text the readers search prose and tables with (vocabulary, layout)."""
    texts = []
    for name, column in (("prose_topics.csv", "words"), ("prose_topics.csv", "short_words"),
                         ("prose_measures.csv", "words"), ("prose_scopes.csv", "words")):
        for row in package_csv(name):
            texts += [part.strip() for part in row[column].split(" || ") if part.strip()]
    texts.append(vocabulary().pattern)  # the one scan of all words
    layout = get_layout()
    texts += [p.pattern for table in layout.tables.values() for p in table.frame]
    texts += [p.pattern for patterns in layout.section_patterns.values() for p in patterns]
    texts += [cs.header.pattern for cs in layout.column_sets.values() if cs.header is not None]  # tell the formats apart
    return texts


def test_a_quick_pattern_finds_exactly_what_the_pattern_finds():
    texts = _texts()
    quickened = 0
    for text in _patterns():
        pattern = re.compile(text)
        quick = quick_search(pattern)
        quickened += quick is not pattern
        for doc in texts:
            for line in doc.splitlines():
                expected = [(m.span(), m.groupdict(), m.lastgroup) for m in pattern.finditer(line)]
                assert [(m.span(), m.groupdict(), m.lastgroup) for m in quick.finditer(line)] == expected, text
                if len(line) > 4:  # a search that stops early (the prose reader's not_before)
                    end = len(line) // 2
                    a, b = pattern.search(line, 0, end), quick.search(line, 0, end)
                    assert (a and a.span()) == (b and b.span()), text
    assert quickened > 50  # most patterns start with a known character


def test_what_cannot_be_quickened_is_left_as_it_is():
    for text in (r".{2}公开", r"[^公]开", r"a?", r"(?:公开)?", r"\W+"):
        pattern = re.compile(text)
        assert quick_search(pattern) is pattern
    flagged = re.compile("abc", re.IGNORECASE)
    assert quick_search(flagged) is flagged
    assert quick_search(re.compile("公开信息|长信箱")).pattern == "(?=[公长])(?:公开信息|长信箱)"
    assert quick_search(re.compile(r"(?<!申请)公开")).pattern == "(?=[公])(?:(?<!申请)公开)"
    assert quick_search(re.compile(r"\d*x")).pattern == r"(?=[\dx])(?:\d*x)"


def test_first_characters_of_a_pattern():
    assert first_chars(re.compile("(?<!申请)公开(?:政府)?信息|[市县区]长信箱")) == frozenset("公市县区")
    assert first_chars(re.compile(r"(?:关闭|整合)[^,]{0,6}网站")) == frozenset("关整")
    assert first_chars(re.compile(r"[0-3]号|第")) == frozenset("0123第")
    assert first_chars(re.compile(r"\s*\d")) is None  # a category: no short list
    assert first_chars(re.compile(r"[一-龥]")) is None  # a long range
    assert first_chars(re.compile(r"x*")) is None  # may match nothing


def test_the_year_comparison_builds_only_the_report_it_picks(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    folder.mkdir()
    full = (RAW / "shaoyang_city_2020.txt").read_text(encoding="utf-8")
    lines = full.splitlines()
    cut = next(i for i, line in enumerate(lines) if line.startswith("四、政府信息公开行政复议"))
    (folder / "a_without_table_4.txt").write_text("\n".join(lines[:cut]) + "\n", encoding="utf-8")
    shutil.copy(RAW / "shaoyang_city_2020.txt", folder / "b_complete.txt")
    shutil.copy(RAW / "shaoyang_city_2020.txt", folder / "c_complete_again.txt")
    corpus = sr.read_reports(folder, progress=False)
    assert corpus.reports.year.tolist() == [2020, 2020, 2020]
    built = []

    class Counted(years.ReportFacts):
        def __init__(self, summary, facts):
            built.append(summary["report_id"])
            super().__init__(summary, facts)

    monkeypatch.setattr(years, "ReportFacts", Counted)
    comparison = sr.compare_years(corpus, agency="邵阳市")
    # the two complete copies tie on every count: the first is taken, the second never built
    assert built == ["b_complete"]
    row = comparison[(comparison.indicator == "permit_decisions") & (comparison.year == 2020)].iloc[0]
    assert row.value == 7591 and row.source.startswith("b_complete ")
    alone = sr.compare_years(sr.read_reports([folder / "b_complete.txt"], progress=False), agency="邵阳市")
    pd.testing.assert_frame_equal(comparison, alone)
