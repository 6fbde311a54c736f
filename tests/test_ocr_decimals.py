"""A count OCR read with a decimal point is unreadable, not placed (issue 20, item 6).

The scan is the reliability reproducer ``../shared/reliability/turn3/jpeg20_serif_1.0_p{1,2,3}.jpg``
(a generated report's tables rendered in a serif font and saved as JPEG at quality 20).
Its page 2 prints the row 3.补正后申请内容仍不明确 as ``0 523 37 26 53 0 639`` (typed from
the page image); the engine reads the total 639 as ``6.39`` (confidence 0.90). Before,
6.39 was placed as the row's total and the row's sum became a finding no misread explained.

The pages are read with what the engine read of them when recorded (tests/ocr_replay.py,
``tests/ocr_boxes/test_ocr_decimals.json``); record again with ``SHAOYANG_RECORD_OCR=1``.
"""

from __future__ import annotations

import math
from pathlib import Path

import ocr_replay
import pytest

import shaoyang_report as sr

SCAN = Path(__file__).resolve().parents[1].parent / "shared" / "reliability" / "turn3"
PAGES = [SCAN / f"jpeg20_serif_1.0_p{n}.jpg" for n in (1, 2, 3)]
APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total"]


@pytest.fixture(scope="module")
def report():
    if not all(p.exists() for p in PAGES):
        pytest.skip("the reliability reproducers are not beside the checkout")
    with ocr_replay.replayed("test_ocr_decimals"):
        return sr.read_report(PAGES)


def _row(report, item: str) -> dict[str, tuple[str, float, str]]:
    facts = report.facts
    row = facts[(facts.section == "applications") & (facts["item"] == item)]
    return {a: (raw, value, where) for a, raw, value, where in zip(row.applicant, row.raw, row.value, row.location)}


def test_a_count_read_with_a_decimal_point_is_not_placed(report):
    row = _row(report, "unavailable_unclear")
    # 0 523 37 26 53 0 as printed; the total 639 read as 6.39
    assert [row[a][1] for a in APPLICANTS[:-1]] == [0.0, 523.0, 37.0, 26.0, 53.0, 0.0]
    raw, value, where = row["total"]
    assert raw == "6.39" and math.isnan(value)  # the raw text kept, no number taken from it
    assert where.startswith("page 2, x ")
    said = [message for location, message in report.problems if location == where]
    assert len(said) == 1 and "decimal point" in said[0] and "件" in said[0], report.problems


def test_its_sums_are_not_checkable_and_no_finding_is_left_unexplained(report):
    where = _row(report, "unavailable_unclear")["total"][2]
    checks = report.checks
    involved = checks[checks.locations.str.contains(where, regex=False)]
    assert len(involved) >= 1 and (involved.status == "not_checkable").all()
    # before, 0+523+37+26+53+0 = 639 against 6.39 was a finding taken for the agency's own
    assert len(report.findings) == 0, report.findings


def test_the_row_above_is_read_whole(report):
    # 2.没有现成信息需要另行制作: 5 588 0 0 478 0 1071 (typed from page 2)
    row = _row(report, "unavailable_needs_creation")
    assert [row[a][1] for a in APPLICANTS] == [5.0, 588.0, 0.0, 0.0, 478.0, 0.0, 1071.0]
