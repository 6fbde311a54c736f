"""The national formats as package data, and reading both formats and both shapes.

The F2021 texts here are synthetic (built in the test, numbers invented and marked
so): the real F2021 reports of the corpus are PDFs, read in tests/test_hongze.py.
"""

from __future__ import annotations

import math

import pytest
from conftest import RAW

import shaoyang_report as sr
from shaoyang_report.layout import get_layout


def test_value_counts_follow_the_spec():
    layout = get_layout()
    assert layout.table_for("F2019", "active_disclosure").value_count() == 22
    assert layout.table_for("F2021", "active_disclosure").value_count() == 10
    assert layout.table_for("F2019", "applications").value_count({"other_processing": "row"}) == 161
    assert layout.table_for("F2021", "applications").value_count({"other_processing": "row"}) == 161
    assert layout.table_for("F2021", "applications").value_count({"other_processing": "group"}) == 175
    for fmt in ("F2019", "F2021"):
        assert layout.table_for(fmt, "review_litigation").value_count() == 15


def test_formats_share_tables_three_and_four_and_differ_in_two():
    layout = get_layout()
    f19, f21 = layout.formats["F2019"], layout.formats["F2021"]
    assert f19.tables["applications"] == f21.tables["applications"]
    assert f19.tables["active_disclosure"] != f21.tables["active_disclosure"]
    assert set(f19.years) == {2019, 2020} and 2021 in f21.years


F2021_ROWS = [
    ("一、本年新收政府信息公开申请数量", [10, 1, 0, 0, 0, 1, 12]),
    ("二、上年结转政府信息公开申请数量", [1, 0, 0, 0, 0, 0, 1]),
    ("三、本年度办理结果", None),
    ("（一）予以公开", [5, 1, 0, 0, 0, 0, 6]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [1, 0, 0, 0, 0, 0, 1]),
    ("（三）不予公开", None),
    ("1.属于国家秘密", [0] * 7), ("2.其他法律行政法规禁止公开", [0] * 7),
    ("3.危及“三安全一稳定”", [0] * 7), ("4.保护第三方合法权益", [0] * 7),
    ("5.属于三类内部事务信息", [0] * 7), ("6.属于四类过程性信息", [0] * 7),
    ("7.属于行政执法案卷", [0] * 7), ("8.属于行政查询事项", [0] * 7),
    ("（四）无法提供", None),
    ("1.本机关不掌握相关政府信息", [2, 0, 0, 0, 0, 1, 3]),
    ("2.没有现成信息需要另行制作", [0] * 7), ("3.补正后申请内容仍不明确", [0] * 7),
    ("（五）不予处理", None),
    ("1.信访举报投诉类申请", [0] * 7), ("2.重复申请", [1, 0, 0, 0, 0, 0, 1]),
    ("3.要求提供公开出版物", [0] * 7), ("4.无正当理由大量反复申请", [0] * 7),
    ("5.要求行政机关确认或重新出具已获取信息", [0] * 7),
    ("（六）其他处理", None),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", [1, 0, 0, 0, 0, 0, 1]),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", [0] * 7),
    ("3.其他", [0] * 7),
    ("（七）总计", [10, 1, 0, 0, 0, 1, 12]),
    ("四、结转下年度继续办理", [1, 0, 0, 0, 0, 0, 1]),
]


def f2021_text(rows=F2021_ROWS) -> str:
    """A synthetic F2021 report as label-and-numbers lines (invented numbers)."""
    lines = [
        "示例县人民政府2022年政府信息公开工作年度报告",
        "本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。",
        "一、总体情况", "（合成的测试文本，数字为虚构。）",
        "二、主动公开政府信息情况",
        "第二十条第（一）项", "信息内容 本年制发件数 本年废止件数 现行有效件数",
        "规章 0 0 0", "行政规范性文件 3 1 20",
        "第二十条第（五）项", "信息内容 本年处理决定数量", "行政许可 1,234",
        "第二十条第（六）项", "信息内容 本年处理决定数量", "行政处罚 56", "行政强制 —",
        "第二十条第（八）项", "信息内容 本年收费金额（单位：万元）", "行政事业性收费 12.5",
        "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "申请人情况", "自然人 法人或其他组织 总计", "商业企业 科研机构 社会公益组织 法律服务机构 其他",
    ]
    for label, values in rows:
        lines.append(label if values is None else f"{label} {' '.join(map(str, values))}")
    lines += [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议 行政诉讼", "结果维持 结果纠正 其他结果 尚未审结 总计",
        "1 0 0 0 1 0 0 0 0 0 0 0 0 0 0",
        "五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。",
    ]
    return "\n".join(lines) + "\n"


def test_f2021_with_other_processing_as_three_sub_rows():
    r = sr.read_text(f2021_text(), source="synthetic_f2021.txt")
    assert (r.agency, r.year, r.template, r.template_basis) == ("示例县人民政府", 2022, "F2021", "table labels")
    assert r.shapes == {"other_processing": "group"}
    counts = r.facts.groupby("section").size().to_dict()
    assert counts == {"active_disclosure": 10, "applications": 175, "review_litigation": 15}
    assert r.missing.empty and r.unplaced.empty
    f = r.facts[r.facts.section == "active_disclosure"].set_index("item")
    assert f.loc["administrative_permit", "value"] == 1234 and f.loc["administrative_permit", "raw"] == "1,234"
    assert f.loc["administrative_fees", "unit"] == "万元" and f.loc["administrative_fees", "value"] == 12.5
    assert math.isnan(f.loc["administrative_coercion", "value"]) and f.loc["administrative_coercion", "raw"] == "—"
    assert r.findings.empty, r.findings.message.tolist()
    leaf = r.checks[r.checks.rule == "leaf_sum"]
    assert len(leaf) == 7 and (leaf.status == "pass").all()


def test_f2021_other_processing_printed_as_one_row_is_accepted():
    rows = [row for row in F2021_ROWS if not row[0].startswith(("1.申请人", "2.申请人", "3.其他"))]
    rows = [(label, [1, 0, 0, 0, 0, 0, 1]) if label == "（六）其他处理" else (label, v) for label, v in rows]
    r = sr.read_text(f2021_text(rows), source="synthetic_f2021_row.txt")
    assert r.shapes == {"other_processing": "row"}
    assert r.facts.groupby("section").size()["applications"] == 161
    assert r.missing.empty


def test_a_group_label_holds_no_values():
    # A report that prints numbers beside the 无法提供 group label: the format gives a
    # group no cells, so they are no subtotal to be checked but numbers with no row.
    rows = [(lbl, [2, 0, 0, 0, 0, 0, 2]) if lbl == "（四）无法提供" else (lbl, v) for lbl, v in F2021_ROWS]
    r = sr.read_text(f2021_text(rows), source="synthetic_subtotal.txt")
    assert "unavailable" not in set(r.facts["item"])
    assert r.unplaced.raw.tolist() == ["2", "0", "0", "0", "0", "0", "2"]
    assert any("（四）无法提供 is a group label, which holds no values" in m for _, m in r.problems)
    # its sub-rows are read as printed and the report still adds up
    sub = r.facts[r.facts["item"] == "unavailable_not_held"]
    assert sub.value.tolist() == [2, 0, 0, 0, 0, 1, 3]
    assert (r.checks[r.checks.rule == "leaf_sum"].status == "pass").all()
    with pytest.raises(sr.ReportFormatError, match="is a group label, which holds no values"):
        sr.read_text(f2021_text(rows), source="synthetic_subtotal.txt", strict=True)


def test_a_sub_row_whose_label_is_not_known_does_not_give_its_values_to_its_group():
    # 1.本机关不掌握相关政府信息 printed with a label no format has: its numbers are not
    # the 无法提供 group's, and not the next row's.
    rows = [("1.某种不在格式中的情形", v) if lbl == "1.本机关不掌握相关政府信息" else (lbl, v) for lbl, v in F2021_ROWS]
    r = sr.read_text(f2021_text(rows), source="unknown_sub_row.txt")
    assert not {"unavailable", "unavailable_not_held"} & set(r.facts["item"])
    assert r.unplaced.raw.tolist() == ["2", "0", "0", "0", "0", "1", "3"]
    assert "unavailable_not_held" in set(r.missing["item"])
    assert r.facts[r.facts["item"] == "unavailable_needs_creation"].value.tolist() == [0] * 7
    assert (r.checks.rule != "group_sum").all() and r.findings.empty


@pytest.mark.parametrize(
    ("name", "agency", "year"),
    [
        ("shaoyang_city_2019_opening.txt", None, 2019),
        ("shaoyang_city_2021_opening.txt", "邵阳市", 2021),
        ("shaoyang_city_2023_opening.txt", "邵阳市人民政府", 2023),
        ("shaoyang_city_office_2020_opening.txt", "邵阳市人民政府办公室", 2020),
        ("beita_district_2021_opening.txt", "北塔区", 2021),
        ("shaoyang_econ_dev_zone_2021_opening.txt", "邵阳经开区", 2021),
        ("suining_county_2019_opening.txt", "绥宁县人民政府", 2019),
        ("shaodong_niumasi_town_2020_opening.txt", "邵东市牛马司镇", 2020),
    ],
)
def test_openings_give_metadata_and_say_which_tables_are_missing(name, agency, year):
    r = sr.read_report(RAW / "openings" / name)
    assert (r.agency, r.year) == (agency, year)
    assert set(r.facts.section) <= {"prose"}  # no table values, maybe prose figures
    assert set(r.missing.section) == {"active_disclosure", "applications", "review_litigation"}
    assert (r.missing.reason == "table not in the text").all()


def test_opening_cut_inside_the_tables_keeps_what_it_has():
    # 金紫乡 2021 prints F2019 labels (本年新制作数量) in a 2021 report; its page is cut
    # just after the header of table 三.
    r = sr.read_report(RAW / "openings" / "chengbu_jinzi_township_2021_opening.txt")
    assert (r.agency, r.year, r.template, r.template_basis) == ("金紫乡", 2021, "F2019", "table labels")
    active = r.facts[r.facts.section == "active_disclosure"]
    assert len(active) == 22
    procurement = active[active["item"] == "government_procurement"].set_index("measure")
    assert procurement.loc["projects", "value"] == 28
    assert procurement.loc["amount", "raw"] == "84565元" and procurement.loc["amount", "value"] == pytest.approx(8.4565)
    assert r.facts[r.facts.section == "applications"].empty
    missing = r.missing.set_index("section")
    assert missing.loc["review_litigation", "reason"] == "table not in the text"
    cut = r.missing[r.missing.section == "applications"]
    assert len(cut) == 23 and (cut.reason == "the text ends before this row").all()  # every row of table 三
