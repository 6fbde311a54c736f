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
from shaoyang_report.read.readers.ocr import geometry

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


@pytest.mark.slow
def test_no_value_is_wrong_and_unflagged(judged):
    wrong = [(name, *entry) for name, (_, outcome) in judged.items() for entry in outcome["wrong"]]
    assert len(judged) >= 30
    assert wrong == []


@pytest.mark.slow
def test_most_values_are_read_right(judged):
    """Safety is not bought by leaving everything unplaced: most cells are read, and every scan gives some."""
    totals = Counter()
    for name, (_, outcome) in judged.items():
        counts = {k: len(v) for k, v in outcome.items()}
        totals.update(counts)
        assert counts["right"] >= 40, (name, counts)
    printed = sum(totals[k] for k in rs.OUTCOMES)
    assert totals["right"] >= 0.8 * printed, totals


@pytest.mark.slow
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


@pytest.mark.parametrize(("read", "taken"), [
    ("1,115", "1,115"), ("94,905", "94,905"), ("1,115.28万", "1,115.28万"),  # thousands grouped: as printed
    ("6,39", "6,39?"), ("1,11", "1,11?"), ("11,15,3", "11,15,3?"),  # a comma no grouping puts there: unreadable
])
def test_a_comma_is_clean_only_between_thousands(read, taken):
    assert geometry._judge(read, 0.99, False) == taken


@pytest.mark.parametrize(("read", "confidence", "taken"), [
    ("-", 0.29, "-?"), ("—", 0.5, "—?"), ("/", 0.4, "/?"), ("无", 0.3, "无?"),  # a light 1 read as a dash at 0.29
    ("-", 0.95, "-"), ("—", 0.99, "—"), ("无", 0.9, "无"),  # read plainly: the cell states nothing
])
def test_a_not_stated_mark_read_with_low_confidence_is_unreadable(read, confidence, taken):
    assert geometry._judge(read, confidence, False) == taken


def test_a_thin_glyph_no_box_was_found_for_is_a_mark():
    """A light ``0`` (a ring of some 30 pixels, 7 × 10) in a cell without text is ink, not a blank cell."""
    import numpy as np

    patch = np.zeros((30, 60), np.uint8)
    ring = np.zeros((10, 7), np.uint8)
    ring[0, 2:5] = ring[-1, 2:5] = ring[2:8, 0] = ring[2:8, -1] = 255
    ring[1, [1, 5]] = ring[8, [1, 5]] = 255
    patch[10:20, 26:33] = ring
    assert geometry._inked(patch, 25.0)
    specks = np.zeros((30, 60), np.uint8)
    specks[[3, 9, 17, 25], [5, 40, 22, 51]] = 255  # noise: lone pixels
    specks[12:14, 30:32] = 255
    assert not geometry._inked(specks, 25.0)
