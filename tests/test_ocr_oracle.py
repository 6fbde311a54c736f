"""The OCR oracle (issue 20): generated reports drawn as table scans, read by OCR, every value judged.

51 reports of both formats whose every cell is known and whose sums hold
(tests/rendered_scans.py) are drawn as ruled table scans in Noto Serif or Sans CJK, at
a scale of 0.8–1.5, some turned, with noise, blur and JPEG quality 20–90, and read with
``sr.read_report([pages])``. Each printed table cell is right, flagged (its row a
problem, a failing check it is in a ``likely_misread``, or unreadable), unplaced — or
wrong: placed with a value it does not print and said nowhere to be doubtful. The last
must never happen.

The pages are read with what the engine read of them when recorded (tests/ocr_replay.py,
``tests/ocr_boxes/test_ocr_oracle.json``): the pages are drawn from fixed seeds, so their
pixels — the recording's keys — are the same on every run with the same Pillow and fonts.
Record again with ``SHAOYANG_RECORD_OCR=1 python -m pytest tests/test_ocr_oracle.py``
(about 15 minutes on 2 cores); ``benchmarks/ocr_oracle.py`` prints the same figures
with the engine itself.
"""

from __future__ import annotations

import math
import random
from collections import Counter

import generated_reports as gen
import ocr_replay
import pytest
import rendered_scans as rs

import shaoyang_report as sr

pytestmark = pytest.mark.slow

SCANS = range(51)


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> dict[str, tuple[rs.Scan, dict]]:
    if not rs.fonts_available():
        pytest.fail("the scans are drawn in Noto CJK and Liberation fonts: install fonts-noto-cjk and "
                    "fonts-liberation (scripts/test.sh does)")
    folder = tmp_path_factory.mktemp("scans")
    out = {}
    with ocr_replay.replayed("test_ocr_oracle"):
        for seed in SCANS:
            scan = rs.scan(seed)
            out[scan.name] = (scan, rs.judge(sr.read_report(scan.write(folder)), scan.report))
    return out


def test_no_value_is_wrong_and_unflagged(judged):
    wrong = [(name, *entry) for name, (_, outcome) in judged.items() for entry in outcome["wrong"]]
    assert len(judged) >= 30
    assert wrong == []


def test_most_values_are_read_right(judged):
    """Safety is not bought by leaving everything unplaced: most cells are read, and every scan gives some."""
    totals = Counter()
    for name, (_, outcome) in judged.items():
        counts = {k: len(v) for k, v in outcome.items()}
        totals.update(counts)
        assert counts["right"] >= 40, (name, counts)
    printed = sum(totals[k] for k in rs.OUTCOMES)
    assert totals["right"] >= 0.8 * printed, totals


def test_the_scans_vary_as_scans_do(judged):
    styles = [scan.style for scan, _ in judged.values()]
    assert {s.face for s in styles} == {"serif", "sans"} and {s.latin for s in styles} == {True, False}
    assert min(s.scale for s in styles) < 0.9 and max(s.scale for s in styles) > 1.4
    assert min(s.quality for s in styles) < 30 and max(s.quality for s in styles) > 80
    assert sum(1 for s in styles if s.angle) >= 10
    assert {scan.report.fmt for scan, _ in judged.values()} == {"F2019", "F2021"}


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_generated_report_adds_up(seed):
    """The redrawn numbers make every sum rule hold: a misread is then a finding, which a misread can explain."""
    report = rs.consistent(gen.generate(seed, ("F2019", "F2021")[seed % 2], "group" if seed == 3 else "row"),
                           random.Random(seed))
    read = sr.read_text(gen.to_text(gen.text_lines(report, "rows_lead")))
    checks = read.checks
    assert (checks.status == "pass").sum() >= 40
    assert (checks.status == "fail").sum() == 0, checks[checks.status == "fail"].message.tolist()
    outcome = rs.judge(read, report)
    assert len(outcome["right"]) == len(report.cells) and not outcome["wrong"]


def test_the_judge_sees_a_wrong_value():
    """A value other than the one printed, in a row nothing is said of, is counted wrong (the oracle can fail)."""
    report = rs.consistent(gen.generate(5, "F2019"), random.Random(5))
    read = sr.read_text(gen.to_text(gen.text_lines(report, "rows_lead")))
    key = ("active_disclosure", "administrative_permit", "decisions", None)
    printed = report.cells[key]
    report.cells[key] = gen.PrintedCell(key, printed.raw + "1", printed.value * 10 + 1)
    outcome = rs.judge(read, report)
    assert [entry[0] for entry in outcome["wrong"]] == [key]
    assert not math.isnan(printed.value)
