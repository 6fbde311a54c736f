"""Prose figures arrive in the same tidy frame, with their sentence, and are cross-checked.

Expected numbers typed from the documents.
"""

from __future__ import annotations

from conftest import RAW

import shaoyang_report as sr


def _prose(report: sr.Report) -> dict[tuple[str, str], tuple[float, str, str, str]]:
    p = report.facts[report.facts.section == "prose"]
    return {(r.item, r.measure): (r.value, r.unit, r.raw, r.location) for r in p.itertuples()}


def test_shaoyang_2020_prose_figures_with_their_sentences():
    report = sr.read_report(RAW / "shaoyang_city_2020.txt")
    prose = _prose(report)
    expected = {
        ("information_published", "total"): (100899, "条"),
        ("information_published", "portal"): (23558, "条"),
        ("mayor_mailbox", "received"): (1718, "件"),
        ("mayor_mailbox", "closed"): (1655, "件"),
        ("mayor_mailbox", "completion_rate"): (96.33, "%"),
        ("mayor_mailbox", "average_days"): (5, "天"),
        ("mayor_mailbox", "answered_publicly"): (378, "件"),
        ("hotline_12345", "calls"): (52557, "通"),
        ("hotline_12345", "valid_work_orders"): (54195, "件"),
        ("hotline_12345", "closed"): (53668, "件"),
        ("hotline_12345", "satisfaction_rate"): (99.94, "%"),
        ("applications_prose", "completed"): (140, "件"),
    }
    lines = (RAW / "shaoyang_city_2020.txt").read_text("utf-8").splitlines()
    for key, (value, unit) in expected.items():
        got_value, got_unit, sentence, location = prose[key]
        assert (got_value, got_unit) == (value, unit), key
        # the location finds the printed number again, inside the quoted sentence
        line_no, chars = location.split(", chars ")
        start, end = map(int, chars.split("-"))
        text = lines[int(line_no.split()[1]) - 1]
        assert sentence in text and text[start:end] in sentence
        assert float(text[start:end]) == value
    assert prose[("hotline_12345", "satisfaction_rate")][2] == "全市12345热线接听群众来电52557通,有效工单54195件,办结53668件,满意率99.94%。"
    # table numbers are not read as prose, and prose numbers not as table values
    assert report.summary()["applications"] == "161/161"


def test_prose_cross_checks_agree_with_table_three():
    report = sr.read_report(RAW / "shaoyang_city_2020.txt")
    checks = report.checks[report.checks.section == "prose"].set_index(["rule", "item", "measure"])
    handled = checks.loc[("prose_vs_table", "applications_prose", "completed")]
    assert (handled.status, handled.expected, handled.printed) == ("pass", 140, 140)
    rate = checks.loc[("stated_rate", "mayor_mailbox", "completion_rate")]
    assert rate.status == "pass" and rate.printed == 96.33
    assert report.findings.section.eq("applications").all()  # prose adds no false finding


def test_numbers_in_prose_lists_everything_with_its_kind():
    report = sr.read_report(RAW / "shaoyang_city_2020.txt")
    numbers = sr.numbers_in_prose(report)
    kinds = dict(zip(numbers.raw_number, numbers.kind))
    assert kinds["0739-5501987"] == "phone"
    assert kinds["52557"] == "quantity"
    assert numbers.sentence.str.len().gt(0).all()


def test_openings_give_their_prose_figures():
    r2019 = sr.read_report(RAW / "openings" / "shaoyang_city_2019_opening.txt")
    assert _prose(r2019)[("information_published", "total")][0] == 175213
    r2021 = sr.read_report(RAW / "openings" / "shaoyang_city_2021_opening.txt")
    p2021 = _prose(r2021)
    assert p2021[("information_published", "total")][0] == 33455
    assert p2021[("applications_prose", "received")][0] == 293


def _line_text(report: sr.Report, location: str) -> tuple[str, int, int]:
    where, chars = location.split(", chars ")
    start, end = map(int, chars.split("-"))
    line = next(ln for ln in report.document.lines if ln.location == where)
    return line.text, start, end


def test_pdf_prose_wrapped_across_lines_is_read_and_located():
    from conftest import shared_report

    r24 = sr.read_report(shared_report("huaian/hongze_district_2024.pdf"))
    prose = _prose(r24)
    # "我区在政府网站平台主动发布各类政府信息2428 条" wraps over two printed lines of page 1;
    # confined to the government website: the portal's figure (prose/README rule 5)
    value, unit, sentence, location = prose[("information_published", "portal")]
    assert (value, unit) == (2428, "条") and "主动发布各类政府信息2428" in sentence
    text, start, end = _line_text(r24, location)
    assert location.startswith("page 1, ") and text[start:end] == "2428"
    assert prose[("information_processing_fee", "charged")][:2] == (0, "元")  # 信息处理费0 元


def test_a_sub_units_figure_is_no_finding():
    """'区政府办代表区政府受理政府信息公开申请17 件': the office's 17, not the district's 95 (table 三)."""
    from conftest import shared_report

    r24 = sr.read_report(shared_report("huaian/hongze_district_2024.pdf"))
    numbers = sr.numbers_in_prose(r24)
    office = numbers[numbers.raw_number == "17"].iloc[0]
    assert (office.metric, office.scope, office.topic_phrase) == ("applications_prose.accepted", "sub-unit", "政府信息公开申请")
    assert ("applications_prose", "accepted") not in _prose(r24)   # not the district's figure
    assert r24.findings[r24.findings.section == "prose"].empty
    assert r24.checks[r24.checks.section == "prose"].rule.tolist() == []  # nothing compared
    new_requests = r24.facts.query("section == 'applications' and item == 'new_requests' and applicant == 'total'")
    assert new_requests.value.tolist() == [95]


def test_web_text_lines_are_not_joined():
    from shaoyang_report.read.prose import join_wrapped_lines

    lines = [(f"line {i}", t) for i, t in enumerate((RAW / "shaoyang_city_2020.txt").read_text("utf-8").splitlines(), 1)
             if t.strip() and "|" not in t]
    assert join_wrapped_lines(lines) == lines
