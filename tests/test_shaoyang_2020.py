"""The Shaoyang 2020 city report, read from its copied web-page text.

Every expected number below was typed by hand from the document
(../shared/reports/shaoyang/shaoyang_city_2020.txt), not copied from parser output.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import RAW, shared_report

import shaoyang_report as sr

# Table 二, as printed: item -> values in printed column order.
ACTIVE_DISCLOSURE = {
    "rules": {"new_made": 0, "new_published": 0, "total_published": 27},
    "normative_documents": {"new_made": 49, "new_published": 57, "total_published": 442},
    "administrative_permit": {"prior_year_items": 4089, "change": -56, "decisions": 7591},
    "other_management_services": {"prior_year_items": 277, "change": 290, "decisions": 37458},
    "administrative_penalty": {"prior_year_items": 1148, "change": 327, "decisions": 1614},
    "administrative_coercion": {"prior_year_items": 89, "change": 21, "decisions": 46},
    "administrative_fees": {"prior_year_items": 37, "change": 3},
    "government_procurement": {"projects": 1383, "amount": 46502.47},
}

APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total"]
Z = [0, 0, 0, 0, 0, 0, 0]
# Table 三, as printed: row -> the seven columns 自然人 … 总计.
APPLICATIONS = {
    "new_requests": [137, 0, 0, 1, 0, 0, 138],
    "carried_over": [2, 0, 0, 0, 0, 0, 2],
    "granted": [86, 0, 0, 1, 0, 0, 87],
    "partially_granted": [3, 0, 0, 0, 0, 0, 3],
    "withheld_state_secret": Z,
    "withheld_prohibited_by_law": Z,
    "withheld_three_safeties": Z,
    "withheld_third_party": [3, 0, 0, 0, 0, 0, 3],
    "withheld_internal_affairs": [5, 0, 0, 0, 0, 0, 5],
    "withheld_process_information": [1, 0, 0, 0, 0, 0, 1],
    "withheld_enforcement_files": Z,
    "withheld_inquiry": Z,
    "unavailable_not_held": [33, 0, 0, 0, 0, 0, 33],
    "unavailable_needs_creation": Z,
    "unavailable_unclear": Z,
    "not_processed_complaint": Z,
    "not_processed_repeated": [2, 0, 0, 0, 0, 0, 2],
    "not_processed_publication": Z,
    "not_processed_excessive": Z,
    "not_processed_confirmation": Z,
    "other_processing": [4, 0, 0, 0, 0, 0, 4],
    "total_handled": [139, 0, 0, 1, 0, 0, 140],
    "carried_forward": Z,
}

# Table 四, the one row of 15 numbers.
REVIEW_LITIGATION = {
    "administrative_review": [2, 0, 9, 2, 13],
    "litigation_direct": [2, 0, 0, 0, 2],
    "litigation_after_review": [2, 0, 0, 0, 2],
}
REVIEW_MEASURES = ["upheld", "corrected", "other", "pending", "total"]


@pytest.fixture(scope="module")
def report() -> sr.Report:
    return sr.read_report(RAW / "shaoyang_city_2020.txt")


def _value(facts: pd.DataFrame, section: str, item: str, measure: str, applicant: str | None = None) -> float:
    sel = facts[(facts.section == section) & (facts["item"] == item) & (facts.measure == measure)]
    sel = sel[sel.applicant.isna()] if applicant is None else sel[sel.applicant == applicant]
    assert len(sel) == 1, f"{section}/{item}/{measure}/{applicant}: {len(sel)} facts"
    return float(sel["value"].iloc[0])


def test_bundled_copy_is_the_published_text():
    assert (RAW / "shaoyang_city_2020.txt").read_bytes() == shared_report("shaoyang/shaoyang_city_2020.txt").read_bytes()


def test_metadata(report):
    assert (report.agency, report.year, report.template) == ("邵阳市", 2020, "F2019")
    assert report.template_basis == "table labels"
    assert report.title == "邵阳市2020年政府信息公开工作年度报告"


def test_every_table_value_is_present(report):
    counts = report.facts.groupby("section").size().to_dict()
    assert counts.pop("prose") > 0  # figures stated in prose: see test_prose_in_reports.py
    assert counts == {"active_disclosure": 22, "applications": 161, "review_litigation": 15}
    assert report.missing.empty and report.unplaced.empty and report.problems == []
    assert report.shapes == {"other_processing": "row"}


def test_active_disclosure_values(report):
    for item, measures in ACTIVE_DISCLOSURE.items():
        for measure, expected in measures.items():
            assert _value(report.facts, "active_disclosure", item, measure) == expected, (item, measure)


def test_application_values(report):
    for item, row in APPLICATIONS.items():
        for applicant, expected in zip(APPLICANTS, row):
            assert _value(report.facts, "applications", item, "requests", applicant) == expected, (item, applicant)


def test_review_litigation_values(report):
    for item, row in REVIEW_LITIGATION.items():
        for measure, expected in zip(REVIEW_MEASURES, row):
            assert _value(report.facts, "review_litigation", item, measure) == expected, (item, measure)


def test_units_raw_text_and_locations(report):
    f = report.facts.set_index(["section", "item", "measure"]).sort_index()
    amount = f.loc[("active_disclosure", "government_procurement", "amount")]
    assert (amount["unit"], amount["raw"], amount["value"]) == ("万元", "46502.47万", 46502.47)
    change = f.loc[("active_disclosure", "administrative_permit", "change")]
    assert (change["raw"], change["value"], change["unit"]) == ("-56", -56.0, "项")
    # line 41 of the file is "7591 |" (行政许可 处理决定数量)
    decisions = f.loc[("active_disclosure", "administrative_permit", "decisions")]
    assert decisions["location"] == "line 41"
    lines = (RAW / "shaoyang_city_2020.txt").read_text("utf-8").splitlines()
    for row in report.facts[report.facts.section != "prose"].itertuples():
        number = int(row.location.split()[1].rstrip(","))
        assert lines[number - 1].startswith(row.raw + " |"), row


def test_totals_are_flagged(report):
    totals = report.facts[report.facts.is_total]
    assert set(totals.section) == {"applications", "review_litigation"}
    assert len(totals) == 7 + 22 + 3  # 总计 row, 总计 column of the other 22 rows, 3 totals of table 四


def test_findings_are_the_leaf_sum_disagreement_and_nothing_else(report):
    findings = report.findings
    got = {(r.rule, r.applicant): (r.expected, r.printed) for r in findings.itertuples()}
    assert got == {("leaf_sum", "natural_person"): (137.0, 139.0), ("leaf_sum", "total"): (138.0, 140.0)}
    checks = report.checks
    stated = checks[checks.rule == "stated_balance"]
    assert len(stated) == 7 and (stated.status == "pass").all()  # the rule the table states holds
    assert (checks[checks.rule == "row_sum"].status == "pass").all()
    assert (checks[checks.rule == "review_litigation_sum"].status == "pass").sum() == 3
    assert "自然人" in findings.message[0] and "137" in findings.message[0] and "139" in findings.message[0]


def test_wide_tables_with_chinese_labels(report):
    apps = report.table("applications")
    assert list(apps.columns) == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert apps.loc["（七）总计", "总计"] == 140
    assert apps.loc["一、本年新收政府信息公开申请数量", "自然人"] == 137
    assert apps.loc["（三）不予公开"].isna().all()  # a group label has no numbers of its own
    active = report.table("active_disclosure")
    assert active.loc["行政许可", "本年增/减"] == -56
    assert active.loc["政府集中采购", "采购总金额"] == 46502.47
    review = report.table("review_litigation")
    assert review.loc["行政复议", "总计"] == 13 and review.loc["复议后起诉", "结果维持"] == 2


def test_facts_follow_the_data_dictionary(report):
    from shaoyang_report import dictionary

    dictionary.validate(report.facts, "facts")
    dictionary.validate(report.checks, "checks")


def _as_plain_text(web_text: str) -> str:
    """The same report as PDF/Word text extraction gives it: a label and its numbers per line."""
    from shaoyang_report.read.text import is_value

    out: list[str] = []
    for line in web_text.splitlines():
        cell = line.rstrip()
        if not cell.endswith("|"):
            out.append(line)  # prose and headings
            continue
        cell = cell.strip("|").strip()
        if not cell:
            continue
        if is_value(cell) and out:
            out[-1] += " " + cell
        else:
            out.append(cell)
    return "\n".join(out) + "\n"


def test_plain_label_and_numbers_text_gives_identical_facts(report):
    plain = _as_plain_text((RAW / "shaoyang_city_2020.txt").read_text("utf-8"))
    assert "行政许可 4089 -56 7591" in plain
    assert "一、本年新收政府信息公开申请数量 137 0 0 1 0 0 138" in plain
    other = sr.read_text(plain, source="shaoyang_city_2020.txt")
    keys = ["section", "item", "measure", "applicant", "value", "unit", "raw", "is_total"]
    pd.testing.assert_frame_equal(report.facts[keys], other.facts[keys])
    assert other.facts.location.str.contains(", value ").any()
    pd.testing.assert_frame_equal(
        report.findings.drop(columns=["locations"]), other.findings.drop(columns=["locations"])
    )


def test_blank_cell_is_nan_not_zero_and_makes_checks_not_checkable():
    text = (RAW / "shaoyang_city_2020.txt").read_text("utf-8").splitlines()
    assert text[40] == "7591 |" and text[93] == "137 |"
    text[40] = " |"      # 行政许可 处理决定数量 left blank
    text[93] = "— |"    # 自然人 本年新收 printed as a dash
    r = sr.read_text("\n".join(text), source="blanked.txt")
    f = r.facts.set_index(["section", "item", "measure", "applicant"]).sort_index()
    cell = f.loc[("active_disclosure", "administrative_permit", "decisions", pd.NA)]
    assert math.isnan(cell["value"]) and cell["raw"] == ""
    dash = f.loc[("applications", "new_requests", "requests", "natural_person")]
    assert math.isnan(dash["value"]) and dash["raw"] == "—"
    checks = r.checks
    stated = checks[(checks.rule == "stated_balance") & (checks.applicant == "natural_person")].iloc[0]
    assert stated.status == "not_checkable" and "new_requests" in stated.message
    assert len(r.facts[r.facts.section != "prose"]) == 198
