"""Arithmetic as a guard on OCR (issue 12, scope 5): likely misreads vs the agency's own findings.

Fast tests on the Shaoyang 2020 text report (values typed from data/raw/shaoyang_city_2020.txt):
a text report's findings are never taken for misreads; the same text with a document that
says its values were read by OCR (a recognition confidence per location) shows how a
one-digit misread is told from the agency's arithmetic. The OCR'd Hongze reports are
tested in test_ocr.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import shaoyang_report as sr
from shaoyang_report.check.misreads import alternatives, confusions, mark_misreads
from shaoyang_report.read.readers.text_reader import text_document

SHAOYANG_2020 = Path(__file__).resolve().parents[1] / "data" / "raw" / "shaoyang_city_2020.txt"


def _as_if_ocr(text: str):
    """The report read from ``text``, its document saying every value was read by OCR."""
    doc = text_document(text, "shaoyang_city_2020.txt")
    doc.confidence = {tok.location: 0.99 for ln in doc.lines for tok in ln.tokens}
    doc.ocr_pages = ("page 1",)
    return sr.parse_document(doc, report_id="shaoyang_city_2020")


def _misread_text() -> str:
    """Shaoyang 2020 with （一）予以公开's fourth column 1 printed as 7 (line 116; the row: 86 0 0 1 0 0 87)."""
    lines = SHAOYANG_2020.read_text("utf-8").splitlines()
    assert lines[111] == "(一)予以公开 |" and lines[112:119] == ["86 |", "0 |", "0 |", "1 |", "0 |", "0 |", "87 |"]
    lines[115] = "7 |"
    return "\n".join(lines) + "\n"


def test_confusion_pairs_are_package_data():
    assert confusions() == {"3": ("8",), "8": ("3",), "1": ("7",), "7": ("1",), "0": ("6",), "6": ("0",),
                            ".": ("",), ",": ("",)}


def test_alternatives_change_one_digit_and_keep_the_unit():
    assert list(alternatives("31", 31.0)) == [("81", 81.0), ("37", 37.0)]
    assert list(alternatives("0", 0.0)) == [("6", 6.0)]
    assert list(alternatives("60", 60.0)) == [("66", 66.0)]  # 00: no number as printed
    assert list(alternatives("1.5万", 15000.0)) == [("7.5万", 75000.0)]
    assert list(alternatives("", float("nan"))) == [] and list(alternatives("—", float("nan"))) == []
    assert list(alternatives("245", 245.0)) == []
    # a point or comma read between two digits is dropped only in a count of whole things
    assert list(alternatives("2.45", 2.45)) == [] and list(alternatives("24,5", float("nan"))) == []
    assert list(alternatives("2.45", 2.45, count=True)) == [("245", 245.0)]
    assert list(alternatives("1,245", 1245.0, count=True)) == [("7,245", 7245.0)]  # a thousands comma: the same number


def test_a_text_reports_findings_are_never_misreads():
    report = sr.read_report(SHAOYANG_2020)
    findings = report.findings
    # 各项办理结果之和 137 (自然人) and 138 (总计) where （七）总计 prints 139 and 140
    assert sorted(zip(findings.expected, findings.printed)) == [(137.0, 139.0), (138.0, 140.0)]
    assert not findings.likely_misread.any() and findings.misread_alternative.isna().all()
    assert report.summary()["findings"] == 2 and report.summary()["likely_misreads"] == 0
    # a digit off by a shape confusion in a text report is still the agency's (no OCR ran)
    edited = sr.read_text(_misread_text(), source="shaoyang_city_2020.txt")
    assert len(edited.findings) > 2 and not edited.checks.likely_misread.any()


def test_a_one_digit_misread_is_flagged_and_not_corrected():
    report = _as_if_ocr(_misread_text())
    facts = report.facts
    cell = facts[facts.location == "line 116"]
    assert cell["item"].tolist() == ["granted"] and cell.value.tolist() == [7.0]  # stays as read
    findings = report.findings
    new = findings[findings.locations.str.contains(r"\bline 116\b")]
    assert len(new) == 2  # its row (… = 总计 87) and its column (… = （七）总计) no longer add up
    assert new.likely_misread.all()
    # the one change that makes both hold; the row's total 87 → 81 would break the total column: not offered
    assert new.misread_alternative.tolist() == ["line 116: 7 → 1", "line 116: 7 → 1"]
    # the agency's own findings (137 vs 139, 138 vs 140: off by 2, no digit shape) stay its own
    own = findings[~findings.locations.str.contains(r"\bline 116\b")]
    assert len(own) == 2 and not own.likely_misread.any() and own.misread_alternative.isna().all()
    summary = report.summary()
    assert summary["findings"] == 4 and summary["likely_misreads"] == 2
    # the displays say so beside the finding, and that nothing was corrected
    text = repr(report)
    assert "勾稽问题 4 项（其中疑似识别错误 2 项）" in text
    assert text.count("；疑似识别错误：line 116: 7 → 1（数值未更正）") == 2
    assert "疑似识别错误" not in repr(sr.read_report(SHAOYANG_2020))


def test_unedited_report_read_as_ocr_has_no_misreads():
    report = _as_if_ocr(SHAOYANG_2020.read_text("utf-8"))
    assert len(report.findings) == 2 and not report.checks.likely_misread.any()


def test_a_change_that_breaks_a_holding_rule_is_not_offered():
    facts = [{"location": "t", "raw": "13", "value": 13.0, "confidence": 0.9},
             {"location": "a", "raw": "10", "value": 10.0, "confidence": 0.9},
             {"location": "b", "raw": "8", "value": 8.0, "confidence": 0.9},
             {"location": "c", "raw": "5", "value": 5.0, "confidence": 0.9}]
    checks = [{"status": "fail", "difference": -5.0, "locations": "t ← a; b"},
              {"status": "pass", "difference": 0.0, "locations": "b ← c; z"}]
    marked = mark_misreads(checks, facts)
    assert marked[0]["likely_misread"] and marked[0]["misread_alternative"] == "t: 13 → 18"
    assert not marked[1]["likely_misread"]
    # without confidence (not OCR'd), nothing is flagged
    plain = [{k: v for k, v in f.items() if k != "confidence"} for f in facts]
    assert not mark_misreads([dict(checks[0])], plain)[0]["likely_misread"]


@pytest.mark.parametrize("difference", [-2.0, 5.0, 1.0, -60.0])
def test_a_difference_no_digit_shape_explains_is_the_agencys(difference):
    facts = [{"location": "t", "raw": "31", "value": 31.0, "confidence": 0.9},
             {"location": "a", "raw": "31", "value": 31.0, "confidence": 0.9}]
    checks = [{"status": "fail", "difference": difference, "locations": "t ← a"}]
    assert not mark_misreads(checks, facts)[0]["likely_misread"]


def test_a_point_read_in_a_count_explains_a_finding_only_in_a_count():
    """639 read as 6.39: the row's parts add up to 639 (the reliability scan's row, issue 20 item 6)."""
    parts = [("a", "523", 523.0), ("b", "37", 37.0), ("c", "26", 26.0), ("d", "53", 53.0)]

    def marked(unit: str) -> dict:
        facts = [{"location": loc, "raw": raw, "value": value, "unit": unit, "confidence": 0.95}
                 for loc, raw, value in parts]
        facts.append({"location": "t", "raw": "6.39", "value": 6.39, "unit": unit, "confidence": 0.9})
        checks = [{"status": "fail", "difference": 6.39 - 639, "locations": "t ← a; b; c; d"}]
        return mark_misreads(checks, facts)[0]

    assert marked("件")["likely_misread"] and marked("件")["misread_alternative"] == "t: 6.39 → 639"
    assert not marked("万元")["likely_misread"]  # money has decimals: 6.39万元 is printed so


def test_a_count_printed_with_a_decimal_point_is_unreadable():
    """Shaoyang 2020's (一)予以公开 自然人 86 printed as 8.6 (line 113): not read, the row's other values kept."""
    lines = SHAOYANG_2020.read_text("utf-8").splitlines()
    assert lines[111] == "(一)予以公开 |" and lines[112] == "86 |"
    lines[112] = "8.6 |"
    report = sr.read_text("\n".join(lines) + "\n", source="shaoyang_city_2020.txt")
    facts = report.facts
    row = facts[(facts["item"] == "granted") & (facts.section == "applications")]
    assert row.raw.tolist() == ["8.6", "0", "0", "1", "0", "0", "87"]
    assert row.value.isna().tolist() == [True] + [False] * 6
    assert ("line 113", "'8.6' has a decimal point in a column of whole 件 (a speck read as a point?): not read") \
        in report.problems
    # money keeps its decimals (政府集中采购 采购总金额 46502.47万)
    amount = facts[(facts["item"] == "government_procurement") & (facts.measure == "amount")]
    assert amount.value.tolist() == [46502.47]
