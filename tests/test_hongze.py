"""The two 洪泽区 reports (F2021, PDF with a text layer), read in place from ../shared.

Every expected number below was typed from the PDF pages rendered as images
(``pdftoppm -r 80 -png``), not copied from the parser's output. Both reports print
（六）其他处理 as one row (as F2019 did), so table 三 holds 23 × 7 = 161 values.
"""

from __future__ import annotations

import math

import pytest
from conftest import shared_report

import shaoyang_report as sr

APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total"]
ZERO = [0] * 7

# 二、主动公开政府信息情况: (item, measure) → value
ACTIVE = {
    2023: {
        ("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
        ("normative_documents", "issued"): 0, ("normative_documents", "repealed"): 5,
        ("normative_documents", "in_force"): 5,
        ("administrative_permit", "decisions"): 550,
        ("administrative_penalty", "decisions"): 4119,
        ("administrative_coercion", "decisions"): 195,
        ("administrative_fees", "fee_amount"): 7730.28,
    },
    2024: {
        ("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
        ("normative_documents", "issued"): 3, ("normative_documents", "repealed"): 0,
        ("normative_documents", "in_force"): 8,
        ("administrative_permit", "decisions"): 9487,
        ("administrative_penalty", "decisions"): 2776,
        ("administrative_coercion", "decisions"): 84,
        ("administrative_fees", "fee_amount"): 7545,
    },
}


def _row(n: int) -> list[int]:
    """A row where only 自然人 applied: n natural persons, n in total."""
    return [n, 0, 0, 0, 0, 0, n]


# 三、收到和处理政府信息公开申请情况: row → the seven applicant columns
APPLICATIONS = {
    2023: {
        "new_requests": _row(21), "carried_over": ZERO, "granted": ZERO, "partially_granted": _row(4),
        "withheld_state_secret": _row(1), "withheld_prohibited_by_law": ZERO, "withheld_three_safeties": ZERO,
        "withheld_third_party": ZERO, "withheld_internal_affairs": ZERO, "withheld_process_information": _row(1),
        "withheld_enforcement_files": _row(1), "withheld_inquiry": ZERO,
        "unavailable_not_held": _row(10), "unavailable_needs_creation": _row(3), "unavailable_unclear": ZERO,
        "not_processed_complaint": _row(1), "not_processed_repeated": ZERO, "not_processed_publication": ZERO,
        "not_processed_excessive": ZERO, "not_processed_confirmation": ZERO,
        "other_processing": ZERO, "total_handled": _row(21), "carried_forward": ZERO,
    },
    2024: {
        "new_requests": _row(95), "carried_over": ZERO, "granted": _row(50), "partially_granted": _row(9),
        "withheld_state_secret": ZERO, "withheld_prohibited_by_law": ZERO, "withheld_three_safeties": _row(1),
        "withheld_third_party": ZERO, "withheld_internal_affairs": ZERO, "withheld_process_information": _row(1),
        "withheld_enforcement_files": _row(1), "withheld_inquiry": ZERO,
        "unavailable_not_held": _row(31), "unavailable_needs_creation": _row(1), "unavailable_unclear": ZERO,
        "not_processed_complaint": _row(1), "not_processed_repeated": ZERO, "not_processed_publication": ZERO,
        "not_processed_excessive": ZERO, "not_processed_confirmation": ZERO,
        "other_processing": ZERO, "total_handled": _row(95), "carried_forward": ZERO,
    },
}

# 四、行政复议、行政诉讼: the one row of 15 values, as printed
REVIEW = {
    2023: [10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0],
    2024: [1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3],
}
REVIEW_KEYS = [(item, m) for item in ("administrative_review", "litigation_direct", "litigation_after_review")
               for m in ("upheld", "corrected", "other", "pending", "total")]


@pytest.fixture(scope="module", params=[2023, 2024])
def hongze(request):
    return request.param, sr.read_report(shared_report(f"huaian/hongze_district_{request.param}.pdf"))


def test_metadata_and_format(hongze):
    year, r = hongze
    assert r.document.reader == "pdf"
    assert r.year == year and r.template == "F2021" and r.template_basis == "table labels"
    assert r.agency == {2023: "洪泽区人民政府", 2024: "淮安市洪泽区人民政府"}[year]
    assert r.shapes == {"other_processing": "row"}


def test_every_printed_value_is_present(hongze):
    year, r = hongze
    counts = r.facts.groupby("section").size().to_dict()
    tables = {k: counts.get(k) for k in ("active_disclosure", "applications", "review_litigation")}
    assert tables == {"active_disclosure": 10, "applications": 161, "review_litigation": 15}
    assert r.missing.empty and r.unplaced.empty and r.problems == []


def test_table_two_values(hongze):
    year, r = hongze
    f = r.facts[r.facts.section == "active_disclosure"]
    got = {(row.item, row.measure): row.value for row in f.itertuples()}
    assert got == pytest.approx(ACTIVE[year])
    fees = f[f["item"] == "administrative_fees"].iloc[0]
    assert fees.unit == "万元"


def test_table_three_values(hongze):
    year, r = hongze
    f = r.facts[r.facts.section == "applications"]
    got: dict[str, list[float]] = {}
    for row in f.itertuples():
        got.setdefault(row.item, [math.nan] * 7)[APPLICANTS.index(row.applicant)] = row.value
    assert got == APPLICATIONS[year]
    # the F2021 sub-rows of （六）其他处理 are not expected when it is printed as one row
    assert "other_no_supplement" not in got


def test_table_four_values(hongze):
    year, r = hongze
    f = r.facts[r.facts.section == "review_litigation"]
    got = {(row.item, row.measure): row.value for row in f.itertuples()}
    assert got == dict(zip(REVIEW_KEYS, REVIEW[year]))


def test_2023_table_four_findings_are_reported():
    r = sr.read_report(shared_report("huaian/hongze_district_2023.pdf"))
    findings = r.findings
    assert set(findings.rule) == {"review_litigation_sum"}
    rows = findings.set_index("item")
    assert set(rows.index) == {"administrative_review", "litigation_after_review"}
    assert (rows.loc["administrative_review", "expected"], rows.loc["administrative_review", "printed"]) == (11, 0)
    assert (rows.loc["litigation_after_review", "expected"], rows.loc["litigation_after_review", "printed"]) == (5, 0)
    assert "page 4" in rows.loc["administrative_review", "locations"]


def test_2024_adds_up_and_the_years_chain():
    r23 = sr.read_report(shared_report("huaian/hongze_district_2023.pdf"))
    r24 = sr.read_report(shared_report("huaian/hongze_district_2024.pdf"))
    assert r24.findings[r24.findings.section != "prose"].empty  # the tables add up
    f23 = r23.facts[r23.facts.section == "applications"].set_index(["item", "applicant"])["value"]
    f24 = r24.facts[r24.facts.section == "applications"].set_index(["item", "applicant"])["value"]
    for applicant in APPLICANTS:  # 结转下年度 of 2023 = 上年结转 of 2024
        assert f23[("carried_forward", applicant)] == f24[("carried_over", applicant)]


def test_locations_name_page_and_line(hongze):
    year, r = hongze
    f = r.facts[r.facts.section.isin(["active_disclosure", "applications", "review_litigation"])]
    assert f.location.str.match(r"^page [1-5], line \d+(, value \d+)?$").all()
    permit = f[f["item"] == "administrative_permit"].iloc[0]
    assert permit.location.startswith("page 2, line ")  # printed on page 2, alone on its row
    assert ", value" not in permit.location
    total = f[(f["item"] == "total_handled") & (f.applicant == "total")].iloc[0]
    assert total.location.startswith("page 4, line ") and total.location.endswith(", value 7")
    review_total = f[(f["item"] == "litigation_after_review") & (f.measure == "total")].iloc[0]
    assert review_total.location.startswith("page 4, line ") and review_total.location.endswith(", value 15")


def test_page_numbers_are_not_read():
    doc = sr.read_report(shared_report("huaian/hongze_district_2023.pdf")).document
    texts = [line.text.replace(" ", "") for line in doc.lines]
    assert not any(t in ("-1-", "-2-", "-3-", "-4-", "-5-") for t in texts)
    assert any(t == "三、收到和处理政府信息公开申请情况" for t in texts)


# --------------------------------------------------------------------------- synthetic PDF
# A PDF made here (numbers invented) with what real PDFs do to tables: page numbers
# inside the table, a label broken across a page break, a long label whose numbers are
# set on the line below, and a group label printed beside its rows.


def _synthetic_pdf(tmp_path):
    import pymupdf
    pdf = pymupdf.open()

    def page():
        return pdf.new_page(width=595, height=842)

    def put(pg, y, cells, x0=60, step=40):
        for k, text in enumerate(cells):
            x = x0 if k == 0 else 300 + (k - 1) * step
            pg.insert_text((x, y), str(text), fontname="china-s", fontsize=10)

    p1 = page()
    y = 60
    for text in ["示例县人民政府", "2022年政府信息公开工作年度报告",
                 "本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。",
                 "一、总体情况", "（合成的测试文件，数字为虚构。）", "二、主动公开政府信息情况",
                 "第二十条第（一）项"]:
        put(p1, y, [text]); y += 18
    for cells in [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], ["规章", 0, 0, 1],
                  ["行政规范性文件", 2, 1, 12], ["行政许可", 333], ["行政处罚", 44], ["行政强制", 5],
                  ["行政事业性收费", "6.5"], ["三、收到和处理政府信息公开申请情况"],
                  ["一、本年新收政府信息公开申请数量", 7, 1, 0, 0, 0, 1, 9],
                  ["二、上年结转政府信息公开申请数量", 1, 0, 0, 0, 0, 0, 1],
                  ["（一）予以公开", 3, 1, 0, 0, 0, 0, 4]]:
        put(p1, y, cells); y += 18
    put(p1, y, ["（二）部分公开（区分处理的，只计这一情"]); y += 14
    put(p1, y, ["形，不计其他情形）"]); y += 14
    put(p1, y, ["", 1, 0, 0, 0, 0, 0, 1]); y += 18  # the numbers of 部分公开, on a line of their own
    put(p1, y, ["（三）不予公开"]); y += 18
    for n, label in enumerate(["属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
                               "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项"], 1):
        put(p1, y, [f"{n}.{label}", *([1, 0, 0, 0, 0, 0, 1] if n == 4 else ZERO)]); y += 18
    put(p1, y, ["（四）无法提供"]); y += 18
    put(p1, y, ["1.本机关不掌握相关政府信息", 2, 0, 0, 0, 0, 0, 2]); y += 18
    put(p1, y, ["2.没有现成信息需要另行制作", *ZERO]); y += 18
    put(p1, y, ["3.补正后申请内容仍不明确", *ZERO]); y += 18
    put(p1, y, ["（五）不予处理"]); y += 18
    put(p1, y, ["1.信访举报投诉类申请", *ZERO]); y += 18
    put(p1, y, ["2.重复申请", *ZERO]); y += 18
    put(p1, y, ["3.要求提供公开出版物", *ZERO]); y += 18
    put(p1, y, ["4.无正当理由大量反复申请", *ZERO]); y += 18
    put(p1, y, ["5.要求行政机关"])  # the label breaks at the foot of the page …
    put(p1, 810, ["- 1 -"], x0=280)
    p2 = page()
    put(p2, 40, ["- 2 -"], x0=280)  # … a page number at the head of the next …
    y = 70
    put(p2, y, ["确认或重新出具已获取信息", *ZERO]); y += 18  # … and it ends here, with its numbers
    put(p2, y, ["（六）其他处理", 0, 0, 0, 0, 0, 1, 1]); y += 18
    put(p2, y, ["（七）总计", 7, 1, 0, 0, 0, 1, 9]); y += 18
    put(p2, y, ["四、结转下年度继续办理", 1, 0, 0, 0, 0, 0, 1]); y += 18
    put(p2, y, ["四、政府信息公开行政复议、行政诉讼情况"]); y += 18
    put(p2, y, ["行政复议", "行政诉讼"]); y += 18
    put(p2, y, [3, 0, 0, 0, 3, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0], x0=60, step=20); y += 18
    put(p2, y, ["五、存在的主要问题及改进情况"]); y += 18
    put(p2, y, ["六、其他需要报告的事项"])
    path = tmp_path / "synthetic_f2021.pdf"
    pdf.save(str(path))
    return path


def test_pdf_page_furniture_broken_labels_and_numbers_on_the_next_line(tmp_path):
    r = sr.read_report(_synthetic_pdf(tmp_path))
    assert (r.agency, r.year, r.template) == ("示例县人民政府", 2022, "F2021")
    assert r.missing.empty and r.unplaced.empty and r.problems == []
    f = r.facts[r.facts.section == "applications"].set_index(["item", "applicant"])
    apps = f["value"]
    assert [apps[("partially_granted", a)] for a in APPLICANTS] == [1, 0, 0, 0, 0, 0, 1]
    assert [apps[("not_processed_confirmation", a)] for a in APPLICANTS] == ZERO
    assert [apps[("other_processing", a)] for a in APPLICANTS] == [0, 0, 0, 0, 0, 1, 1]
    assert [apps[("withheld_third_party", a)] for a in APPLICANTS] == [1, 0, 0, 0, 0, 0, 1]
    confirmation = f.loc[("not_processed_confirmation", "total")]
    assert confirmation.location.startswith("page 2, line ") and confirmation.row_label.startswith("5.要求行政机关")
    assert f.loc[("partially_granted", "natural_person"), "location"].startswith("page 1, line ")
    assert r.findings.empty, r.findings.message.tolist()


def test_2023_to_2024_comparison_compares_every_table_indicator(tmp_path):
    """Both years are F2021 and complete: every F2021 table indicator has both values."""
    import pandas as pd

    pdfs = [shared_report("huaian/hongze_district_2023.pdf"), shared_report("huaian/hongze_district_2024.pdf")]
    catalog = tmp_path / "catalog.csv"  # the reports print 洪泽区人民政府 and 淮安市洪泽区人民政府
    pd.DataFrame([{"report_id": p.stem, "agency": "洪泽区", "year": int(p.stem[-4:]), "url": "",
                   "local_file": str(p), "completeness": "complete", "note": ""} for p in pdfs]).to_csv(catalog, index=False)
    corpus = sr.read_reports(pdfs, catalog=catalog, progress=False)
    assert set(corpus.reports.agency) == {"洪泽区"}
    assert set(corpus.reports.agency_printed) == {"洪泽区人民政府", "淮安市洪泽区人民政府"}
    cmp = sr.compare_years(corpus, agency="洪泽区")
    table_indicators = sr.indicator_table().query("F2021.str.match('^(active_disclosure|applications|review_litigation)/')")
    both = cmp[cmp.indicator.isin(table_indicators.indicator)]
    assert both.value.notna().all(), both[both.value.isna()][["indicator", "year", "why_missing"]]
    y24 = both[both.year == 2024].set_index("indicator")
    assert y24.loc["permit_decisions", "change_abs"] == 9487 - 550  # typed from the two PDFs
    assert y24.loc["applications_received", "value"] == 95 and y24.loc["applications_received", "change_abs"] == 95 - 21
    checks = sr.cross_year_checks(cmp, "洪泽区")
    assert len(checks) == 1 and checks.iloc[0].status == "pass"  # 2023 结转下年度 = 2024 上年结转
