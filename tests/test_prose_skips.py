"""What the prose facts' path leaves unread (a sentence, a figure, a sentence's numbers) states no fact.

The facts' path (``extract_prose_facts``) skips what cannot state a metric, for speed;
reading every number into a mention does not. On the prose of every real text of
../shared/reports both give the same facts, and the hint that lets a sentence's numbers
go unread is found wherever a number is printed in a unit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED_REPORTS

from shaoyang_report.read.prose import extract_prose_facts, facts_of_mentions, find_numbers, join_wrapped_lines, read_mentions
from shaoyang_report.read.prose.numbers import unit_hint


def _texts() -> list[Path]:
    files = sorted(p for pattern in ("*/*.txt", "*/*/*.txt", "*/*.md") for p in SHARED_REPORTS.glob(pattern)
                   if not p.name.startswith("README"))
    if not files:
        pytest.fail(f"real corpus missing: {SHARED_REPORTS}")
    return files


def _lines(path: Path) -> list[tuple[str, str]]:
    return [(f"line {n}", t) for n, t in enumerate(path.read_text("utf-8").splitlines(), 1) if t.strip()]


def test_the_facts_path_reads_the_facts_every_mention_holds():
    compared = 0
    for path in _texts():
        paragraphs = join_wrapped_lines(_lines(path))
        facts = extract_prose_facts(paragraphs)
        assert facts == facts_of_mentions(read_mentions(paragraphs)), path.name
        compared += len(facts)
    assert compared > 100


def test_the_unit_hint_is_found_wherever_a_number_is_printed_in_a_unit():
    checked = 0
    for path in _texts():
        for number in find_numbers(_lines(path)):
            if number["unit"] is None or number["kind"] not in ("quantity", "approximate"):
                continue
            assert unit_hint(frozenset({number["unit"]})).search(number["sentence"]), (path.name, number)
            checked += 1
    assert checked > 300
    assert not unit_hint(frozenset({"件"})).search("2023年共收到申请。")


def test_a_line_printed_in_traditional_characters_gives_the_facts_of_the_same_line_simplified():
    # lines with no figure are passed over before they are normalised: a figure printed
    # in Traditional characters (條, 個, 項, 萬元 …) must not be taken for none
    import opencc

    from shaoyang_report.read.text import simplify_chars

    to_traditional = opencc.OpenCC("s2t")
    compared = changed = 0
    for path in _texts():
        traditional = [(where, to_traditional.convert(text)) for where, text in _lines(path)]
        simplified = [(where, simplify_chars(text)) for where, text in traditional]
        changed += sum(t != s for (_, t), (_, s) in zip(traditional, simplified))
        read = [(f["item"], f["measure"], f["value"], f["location"])
                for f in extract_prose_facts(join_wrapped_lines(traditional))]
        assert read == [(f["item"], f["measure"], f["value"], f["location"])
                        for f in extract_prose_facts(join_wrapped_lines(simplified))], path.name
        compared += len(read)
    assert compared > 100
    assert changed > 1000
