"""Figures stated in prose (issue 4): shaoyang_report.read.prose and shaoyang_report.check.prose.

Every expected value here was typed from reading the documents, never copied from the
parser's output.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW, shared_report

from shaoyang_report.check.prose import prose_checks
from shaoyang_report.prose_metrics import prose_metric_catalogue
from shaoyang_report.read.prose import (
    NUMBER_KINDS,
    extract_prose_facts,
    find_numbers,
)

FACT_KEYS = {"section", "item", "measure", "applicant", "value", "unit", "raw", "location"}
CHECK_KEYS = {"rule", "rule_zh", "section", "item", "measure", "applicant", "expected", "printed",
              "status", "cells", "locations", "message"}
NUMBER_KEYS = {"value", "unit", "raw_number", "sentence", "location", "kind"}
LOCATION_RE = re.compile(r"^(?P<prefix>.+), chars (?P<start>\d+)-(?P<end>\d+)$")


def _lines(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    return [(f"line {n}", line) for n, line in enumerate(text.splitlines(), start=1)]


def _span(fact: dict, lines: list[tuple[str, str]]) -> tuple[str, str]:
    """(the line's text, the printed text at the fact's location)."""
    m = LOCATION_RE.match(fact["location"])
    assert m, fact["location"]
    text = dict(lines)[m["prefix"]]
    return text, text[int(m["start"]):int(m["end"])]


def _keyed(facts: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for fact in facts:
        out.setdefault((fact["item"], fact["measure"]), []).append(fact)
    return out


def _assert_facts(facts, lines, expected):
    """Each expected (item, measure, value, unit, line, printed) is there, once, and nothing else."""
    keyed = _keyed(facts)
    for item, measure, value, unit, line, printed in expected:
        found = keyed.get((item, measure), [])
        assert len(found) == 1, f"{item}/{measure}: {found}"
        fact = found[0]
        assert fact["value"] == pytest.approx(value), (item, measure)
        assert fact["unit"] == unit, (item, measure)
        assert fact["location"].startswith(f"line {line}, chars "), (item, measure, fact["location"])
        text, at = _span(fact, lines)
        assert at == printed, (item, measure, at)
        assert fact["raw"] in text and printed in fact["raw"]
    got = sorted((f["item"], f["measure"], f["value"]) for f in facts)
    want = sorted((i, m, float(v)) for i, m, v, *_ in expected)
    assert got == want


# --------------------------------------------------------------------------- Shaoyang 2020

SHAOYANG_2020 = [
    # item, measure, value, unit, line, printed number
    ("information_published", "total", 100899, "条", 6, "100899"),
    ("information_published", "portal", 23558, "条", 6, "23558"),
    ("information_published", "overview", 418, "条", 6, "418"),
    ("information_published", "government_news", 15272, "条", 6, "15272"),
    ("information_published", "disclosure_catalogue", 1792, "条", 6, "1792"),
    ("information_published", "reposted", 1612, "条", 6, "1612"),
    ("information_published", "key_areas", 1213, "条", 6, "1213"),
    ("policy_interpretation", "documents", 11, "个", 6, "11"),
    ("policy_interpretation", "executive_meetings", 28, "次", 6, "28"),
    ("special_columns", "created", 11, "个", 6, "11"),
    ("applications_prose", "accepted", 140, "件", 8, "140"),
    ("applications_prose", "completed", 140, "件", 8, "140"),
    ("mayor_mailbox", "received", 1718, "件", 10, "1718"),
    ("mayor_mailbox", "closed", 1655, "件", 10, "1655"),
    ("mayor_mailbox", "completion_rate", 96.33, "%", 10, "96.33"),
    ("mayor_mailbox", "average_days", 5, "天", 10, "5"),
    ("mayor_mailbox", "answered_publicly", 378, "件", 10, "378"),
    ("hotline_12345", "calls", 52557, "通", 10, "52557"),
    ("hotline_12345", "valid_work_orders", 54195, "件", 10, "54195"),
    ("hotline_12345", "closed", 53668, "件", 10, "53668"),
    ("hotline_12345", "satisfaction_rate", 99.94, "%", 10, "99.94"),
    ("websites", "integrated", 45, "个", 14, "45"),
    ("new_media_accounts", "closed", 12, "个", 14, "12"),
]

SENTENCE_TOTAL = "2020年度,我市通过各级政府网站作为第一平台主动公开政府信息,共发布政府信息100899条。"
SENTENCE_PORTAL = "其中在市本级政府门户网站各个栏目共发布信息23558条,包含概况类信息418条,政务动态信息15272条,信息公开目录信息1792条。"
SENTENCE_APPLICATIONS = "2020年共受理政府信息公开申请140件,已全部办结。"
SENTENCE_MAILBOX = "2020年,市长信箱共受理各类信件1718件,办结1655件,办结率96.33%,平均办理时间5天,公开答复数量共378件。"
SENTENCE_HOTLINE = "全市12345热线接听群众来电52557通,有效工单54195件,办结53668件,满意率99.94%。"


@pytest.fixture(scope="module")
def shaoyang_lines() -> list[tuple[str, str]]:
    return _lines(RAW / "shaoyang_city_2020.txt")


@pytest.fixture(scope="module")
def shaoyang_facts(shaoyang_lines) -> list[dict]:
    return extract_prose_facts(shaoyang_lines)


def test_shaoyang_2020_prose_figures(shaoyang_facts, shaoyang_lines):
    _assert_facts(shaoyang_facts, shaoyang_lines, SHAOYANG_2020)


@pytest.mark.parametrize("measures, sentence", [
    ([("information_published", "total")], SENTENCE_TOTAL),
    ([("information_published", m) for m in ("portal", "overview", "government_news", "disclosure_catalogue")],
     SENTENCE_PORTAL),
    ([("applications_prose", "accepted"), ("applications_prose", "completed")], SENTENCE_APPLICATIONS),
    ([("mayor_mailbox", m) for m in ("received", "closed", "completion_rate", "average_days", "answered_publicly")],
     SENTENCE_MAILBOX),
    ([("hotline_12345", m) for m in ("calls", "valid_work_orders", "closed", "satisfaction_rate")], SENTENCE_HOTLINE),
])
def test_shaoyang_2020_raw_is_the_sentence(shaoyang_facts, measures, sentence):
    keyed = _keyed(shaoyang_facts)
    for key in measures:
        assert [f["raw"] for f in keyed[key]] == [sentence], key


def test_fact_records_have_exactly_the_tidy_keys(shaoyang_facts):
    for fact in shaoyang_facts:
        assert set(fact) == FACT_KEYS
        assert fact["section"] == "prose"
        assert fact["applicant"] is None
        assert isinstance(fact["value"], float)


def test_percentages_stay_percentages(shaoyang_facts):
    rates = {(f["item"], f["measure"]): (f["value"], f["unit"]) for f in shaoyang_facts if f["unit"] == "%"}
    assert rates == {("mayor_mailbox", "completion_rate"): (96.33, "%"),
                     ("hotline_12345", "satisfaction_rate"): (99.94, "%")}


def test_hotline_name_is_not_a_count(shaoyang_facts, shaoyang_lines):
    assert 12345.0 not in [f["value"] for f in shaoyang_facts]
    hotline_name = [n for n in find_numbers(shaoyang_lines) if n["raw_number"] == "12345"]
    assert [(n["kind"], n["location"]) for n in hotline_name] == [("name", "line 10, chars 73-78")]


def test_shaoyang_2020_heading_numbers_are_marked(shaoyang_lines):
    line_2 = [(n["raw_number"], n["kind"]) for n in find_numbers(shaoyang_lines) if n["location"].startswith("line 2,")]
    assert line_2 == [
        ("711", "document_number"),     # 国务院令711号
        ("2019", "document_number"),    # 国办公开办函﹝2019﹞60号
        ("60", "document_number"),
        ("2020", "date"), ("1", "date"), ("1", "date"),   # 2020年1月1日
        ("12", "date"), ("31", "date"),                   # 12月31日
        ("0739-5501987", "phone"),
    ]


def test_no_metric_from_table_lines(shaoyang_facts):
    """The whole file was passed; table cells (1383, 46502.47万, 137 …) give no prose fact."""
    lines_used = {int(LOCATION_RE.match(f["location"])["prefix"].split()[1]) for f in shaoyang_facts}
    assert lines_used == {6, 8, 10, 14}


# --------------------------------------------------------------------------- openings

OPENINGS = {
    "shaoyang_city_2019_opening.txt": [
        ("information_published", "total", 175213, "条", 5, "175213"),
        ("information_published", "portal", 41039, "条", 5, "41039"),
        ("information_published", "portal_share", 23.4, "%", 5, "23.4"),
        ("information_published", "overview", 67, "条", 5, "67"),
        ("information_published", "government_news", 33452, "条", 5, "33452"),
        ("information_published", "disclosure_catalogue", 7520, "条", 5, "7520"),
        ("information_published", "reposted", 913, "条", 5, "913"),
        ("information_published", "key_areas", 1513, "条", 5, "1513"),
        ("policy_interpretation", "documents", 25, "个", 5, "25"),
    ],
    "shaoyang_city_2021_opening.txt": [
        ("information_published", "total", 33455, "条", 5, "33455"),
        ("applications_prose", "received", 293, "件", 7, "293"),
        ("applications_prose", "carried_over", 1, "件", 7, "1"),
        ("applications_prose", "completed", 294, "件", 7, "294"),
        # not the 市政府办公室's 24 / 1 / 25 / 100% after 其中: a part, not the city
    ],
    "shaoyang_city_2023_opening.txt": [
        # the opening is cut before any published-information or application figure
        ("special_columns", "created", 5, "个", 3, "5"),
        ("normative_documents", "issued", 251, "件", 3, "251"),
        ("normative_documents", "repealed", 66, "件", 3, "66"),
        ("normative_documents", "in_force", 952, "件", 3, "952"),
    ],
    "shaoyang_econ_dev_zone_2021_opening.txt": [
        ("information_published", "total", 587, "条", 9, "587"),
        ("information_published", "overview", 16, "条", 9, "16"),
        ("information_published", "government_news", 303, "条", 9, "303"),
        ("information_published", "disclosure_catalogue", 108, "条", 9, "108"),
    ],
    "shaoyang_county_transport_2023_opening.txt": [
        ("information_published", "total", 168, "条", 10, "168"),
        ("information_published", "portal", 168, "条", 10, "168"),
        ("information_published", "new_media", 152, "条", 10, "152"),
        ("applications_prose", "received", 0, "件", 11, "0"),     # 收到的依申请公开申请 0条
        ("applications_prose", "completed", 0, "件", 11, "0"),    # 受理办结0条
    ],
    "suining_county_2019_opening.txt": [
        # 累计主动公开政府信息10220条 is left out: 累计 may be cumulative over years
        ("information_published", "government_news", 4792, "条", 3, "4792"),
        ("information_published", "disclosure_catalogue", 5403, "条", 3, "5403"),
        ("special_columns", "created", 6, "个", 3, "6"),
        ("policy_interpretation", "items_published", 44, "条", 3, "44"),
        ("online_messages", "received", 164, "条", 3, "164"),
        ("online_messages", "closed", 164, "条", 3, "164"),
        # 中国绥宁微信公众号信息发布量82条: every new-media figure is new_media (prose/README rule 5)
        ("information_published", "new_media", 82, "条", 3, "82"),
    ],
    # stated only approximately (1730余篇, 200余条) or not at all: no prose fact
    "beita_district_2021_opening.txt": [],
    "chengbu_jinzi_township_2021_opening.txt": [],
    "shaodong_niumasi_town_2020_opening.txt": [],
    "shaoyang_city_office_2020_opening.txt": [],
    "shaoyang_culture_tourism_bureau_2022_opening.txt": [],
}


@pytest.mark.parametrize("name", sorted(OPENINGS))
def test_openings(name):
    lines = _lines(shared_report(f"shaoyang/openings/{name}"))
    _assert_facts(extract_prose_facts(lines), lines, OPENINGS[name])


def test_shaoyang_2021_sub_agency_figures_after_qizhong_are_left_out():
    lines = _lines(shared_report("shaoyang/openings/shaoyang_city_2021_opening.txt"))
    values = [f["value"] for f in extract_prose_facts(lines) if f["item"] == "applications_prose"]
    assert 24.0 not in values and 25.0 not in values and 100.0 not in values


@pytest.mark.parametrize("name, printed, unit", [
    ("beita_district_2021_opening.txt", "1730", "篇"),   # 北塔网站全年公开信息达到1730余篇
    ("beita_district_2021_opening.txt", "150", "篇"),    # 每月…均达到150篇以上
    ("chengbu_jinzi_township_2021_opening.txt", "200", "条"),  # 相关领域信息共计200余条
])
def test_approximations_are_listed_not_emitted(name, printed, unit):
    lines = _lines(shared_report(f"shaoyang/openings/{name}"))
    listed = [n for n in find_numbers(lines) if n["raw_number"] == printed]
    assert [(n["kind"], n["unit"]) for n in listed] == [("approximate", unit)]
    assert float(printed) not in [f["value"] for f in extract_prose_facts(lines)]


def test_every_fact_is_a_listed_quantity_at_its_printed_place():
    """Across the corpus: text[start:end] is the printed number, and find_numbers lists it as a quantity."""
    files = [RAW / "shaoyang_city_2020.txt", *sorted((RAW / "openings").glob("*.txt"))]
    assert len(files) == 12
    for path in files:
        lines = _lines(path)
        quantities = {n["location"]: n for n in find_numbers(lines) if n["kind"] == "quantity"}
        for fact in extract_prose_facts(lines):
            number = quantities[fact["location"]]
            _, at = _span(fact, lines)
            assert at == number["raw_number"]
            assert fact["raw"] == number["sentence"]


# --------------------------------------------------------------------------- tempting sentences

TEMPTING = [
    "2020年共受理政府信息公开申请。",                                      # 2020 is a year
    "2020年共受理政府信息公开申请情况详见下表。",
    "2019-2020年度共受理政府信息公开申请。",
    "本年度报告中所列数据统计期限从2020年1月1日到12月31日止。",
    "市长信箱(电话:0739-5501987)全年受理来信。",                            # phone number
    "咨询电话12345,共受理政府信息公开申请。",
    "根据国办公开办函〔2019〕60号要求,受理政府信息公开申请。",             # document numbers
    "按照国办公开办函﹝2021﹞30号要求,共发布政府信息。",
    "根据《中华人民共和国政府信息公开条例》(国务院令第711号)共发布政府信息。",
    "根据《条例》(国务院令711号)受理政府信息公开申请。",
    "依据《条例》第二十条主动公开政府信息。",                                # ordinals
    "通过各级政府网站作为第一平台主动公开政府信息。",
    "第3季度共发布政府信息。",
    "全市12345热线全年运行正常,办结率较上年提高。",                         # 12345 is a name
    "12345热线受理群众来电。",
    "一是共发布政府信息;二是受理政府信息公开申请。",                         # list numbering
    "1、市长信箱办结情况;2、12345热线满意率情况。",
    "2021年1月1日起,市长信箱受理时间为每日8时至18时。",                     # dates and hours
    "按照《关于发布政府信息1000条的通知》要求,共发布政府信息。",             # inside a title
    "共发布政府信息约1.2万条,市长信箱办结率99%以上。",                        # approximate
    "北塔网站全年主动公开信息1730余篇。",
    "市长信箱平均办理时间3-5天。",                                             # a range
    "12345热线和市长信箱共受理来信来电1000件。",                             # two subjects, one figure
    "市长信箱、12345热线共受理群众诉求1000件。",
    "累计主动公开政府信息10220条。",                                          # cumulative or this year?
    "其中,市政府办公室收到政府信息公开申请24件,共完成办理25件。",          # a part, not the whole
    "不予受理政府信息公开申请3件。",                                          # not accepted
]


@pytest.mark.parametrize("sentence", TEMPTING)
def test_tempting_sentences_give_no_metric(sentence):
    assert extract_prose_facts([("line 1", sentence)]) == []


def test_information_confined_to_the_portal_is_the_portals():
    """A figure the sentence confines to the government website is the portal's (prose/README rule 5)."""
    facts = extract_prose_facts([("line 1", "市政府门户网站共发布政府信息23558条。")])
    assert [(f["item"], f["measure"], f["value"]) for f in facts] == [("information_published", "portal", 23558.0)]


@pytest.mark.parametrize("sentence, printed, kind", [
    ("本报告统计期限从2020年1月1日到12月31日止。", "2020", "date"),
    ("2020年度,我市共发布政府信息。", "2020", "year"),
    ("2020年共受理政府信息公开申请。", "2020", "year"),
    ("请与市行政审批服务局联系(电话:0739-5501987)。", "0739-5501987", "phone"),
    ("国办公开办函〔2019〕60号。", "60", "document_number"),
    ("国办公开办函〔2019〕60号。", "2019", "document_number"),
    ("国办公开办函﹝2021﹞30号。", "30", "document_number"),
    ("《条例》(国务院令711号)。", "711", "document_number"),
    ("《条例》(国务院令第711号)。", "711", "document_number"),
    ("依据第二十条公开。", "二十", "ordinal"),
    ("作为第一平台。", "一", "ordinal"),
    ("一是加强门户网站建设。", "一", "list_marker"),
    ("1、围绕民生关注重点,加强政策发布解读;", "1", "list_marker"),
    ("(一)主动公开方面", "一", "list_marker"),
    ("全市12345热线接听群众来电。", "12345", "name"),
    ("邮编:422000。", "422000", "identifier"),
    ("全年公开信息达到1730余篇。", "1730", "approximate"),
])
def test_number_kinds(sentence, printed, kind):
    numbers = [n for n in find_numbers([("line 1", sentence)]) if n["raw_number"] == printed]
    assert numbers and {n["kind"] for n in numbers} == {kind}
    assert kind in NUMBER_KINDS


def test_find_numbers_records():
    text = "积极回应群众关切。2020年,市长信箱共受理各类信件1718件,办结1655件。"
    numbers = find_numbers([("line 16", text)])
    assert [(n["raw_number"], n["kind"], n["unit"]) for n in numbers] == [
        ("2020", "year", None), ("1718", "quantity", "件"), ("1655", "quantity", "件")]
    for n in numbers:
        assert set(n) == NUMBER_KEYS
        m = LOCATION_RE.match(n["location"])
        assert m["prefix"] == "line 16"
        assert text[int(m["start"]):int(m["end"])] == n["raw_number"]
        assert n["sentence"] == "2020年,市长信箱共受理各类信件1718件,办结1655件。"


# --------------------------------------------------------------------------- numerals, units, sentences

@pytest.mark.parametrize("sentence, printed, value, unit", [
    ("共发布政府信息1.2万条。", "1.2万", 12000.0, "条"),
    ("等十一个文件制定解读材料。", "十一", 11.0, "个"),
    ("和二十八次市政府常务会议。", "二十八", 28.0, "次"),
    ("采购总金额46502.47万元。", "46502.47", 46502.47, "万元"),
    ("办结率96.33%。", "96.33", 96.33, "%"),
    ("共发布信息1,234条。", "1,234", 1234.0, "条"),
])
def test_numerals_and_multipliers(sentence, printed, value, unit):
    numbers = [n for n in find_numbers([("line 1", sentence)]) if n["raw_number"] == printed]
    assert [(n["value"], n["unit"], n["kind"]) for n in numbers] == [(value, unit, "quantity")]


def test_chinese_numerals_and_multipliers_in_facts():
    text = "对十一个文件和二十八次市政府常务会议制定解读材料;共发布政府信息1.2万条。"
    facts = extract_prose_facts([("line 3", text)])
    got = [(f["measure"], f["value"], f["unit"], text[slice(*map(int, LOCATION_RE.match(f["location"]).group("start", "end")))])
           for f in facts]
    assert got == [("documents", 11.0, "个", "十一"), ("executive_meetings", 28.0, "次", "二十八"),
                   ("total", 12000.0, "条", "1.2万")]


def test_money_is_converted_to_the_metric_unit():
    facts = extract_prose_facts([
        ("line 1", "政府集中采购项目1383个,采购总金额46502.47万元。"),
        ("line 2", "政府采购金额84565元。"),
        ("line 3", "本年度共收取信息处理费0.5万元。"),
    ])
    assert [(f["item"], f["measure"], f["value"], f["unit"]) for f in facts] == [
        ("procurement", "projects", 1383.0, "个"),
        ("procurement", "amount", 46502.47, "万元"),
        ("procurement", "amount", 8.4565, "万元"),
        ("information_processing_fee", "charged", 5000.0, "元"),
    ]


def test_sentences_split_on_full_stops_and_semicolons_not_commas():
    text = "积极回应群众关切。2020年,市长信箱共受理各类信件1718件,办结1655件;全市12345热线有效工单54195件"
    raws = {f["measure"]: f["raw"] for f in extract_prose_facts([("line 9", text)])}
    assert raws == {
        "received": "2020年,市长信箱共受理各类信件1718件,办结1655件;",
        "closed": "2020年,市长信箱共受理各类信件1718件,办结1655件;",
        "valid_work_orders": "全市12345热线有效工单54195件",
    }


def test_subject_carries_over_commas_but_not_sentences():
    facts = extract_prose_facts([("line 1", "市长信箱共受理信件100件。办结98件。")])
    assert [(f["measure"], f["value"]) for f in facts] == [("received", 100.0)]


def test_new_media_websites_fees_and_review_in_prose():
    facts = extract_prose_facts([
        ("line 1", "新开通政务新媒体账号3个,关停政务微博2个。"),
        ("line 2", "关停网站2个,新建网站1个。"),
        ("line 3", "被申请行政复议2起,行政诉讼3起。"),
        ("line 4", "县长信箱受理信件100封,办结98封,平均办理时间3个工作日。"),
    ])
    assert [(f["item"], f["measure"], f["value"], f["unit"]) for f in facts] == [
        ("new_media_accounts", "opened", 3.0, "个"),
        ("new_media_accounts", "closed", 2.0, "个"),
        ("websites", "closed", 2.0, "个"),
        ("websites", "opened", 1.0, "个"),
        ("review_litigation_prose", "administrative_review", 2.0, "件"),
        ("review_litigation_prose", "litigation", 3.0, "件"),
        ("mayor_mailbox", "received", 100.0, "件"),
        ("mayor_mailbox", "closed", 98.0, "件"),
        ("mayor_mailbox", "average_working_days", 3.0, "工作日"),
    ]


# --------------------------------------------------------------------------- catalogue

def test_catalogue_covers_the_issue():
    catalogue = prose_metric_catalogue()
    for column in ("item", "measure", "name_zh", "unit", "topic", "channel", "measures"):
        assert column in catalogue.columns
    keys = set(zip(catalogue["item"], catalogue["measure"]))
    required = {
        ("information_published", m) for m in ("total", "portal", "overview", "government_news", "disclosure_catalogue")
    } | {("policy_interpretation", "documents")} | {
        ("mayor_mailbox", m) for m in ("received", "closed", "completion_rate", "average_days", "answered_publicly")
    } | {("hotline_12345", m) for m in ("calls", "valid_work_orders", "closed", "satisfaction_rate")} | {
        ("applications_prose", "received"), ("applications_prose", "completed"),
        ("procurement", "projects"), ("procurement", "amount"), ("information_processing_fee", "charged"),
        ("websites", "opened"), ("websites", "closed"), ("new_media_accounts", "opened"), ("new_media_accounts", "closed"),
    }
    assert required <= keys
    assert len(keys) == len(catalogue)
    assert catalogue["item"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    assert catalogue["measure"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    assert (catalogue["name_zh"].str.len() > 0).all()
    assert (catalogue["measures"].str.len() > 0).all() and (catalogue["topic"].str.len() > 0).all()


# --------------------------------------------------------------------------- prose_checks

def _prose(item, measure, value, location="line 10, chars 0-1", raw="", report_id="r"):
    return {"report_id": report_id, "section": "prose", "item": item, "measure": measure, "applicant": None,
            "value": value, "unit": None, "raw": raw, "location": location}


def _table(item, value, location, section="applications", measure="requests", applicant="total", report_id="r"):
    return {"report_id": report_id, "section": section, "item": item, "measure": measure, "applicant": applicant,
            "value": value, "unit": "件", "raw": str(value), "location": location}


SHAOYANG_TABLE_3 = [  # typed from table 三 of the Shaoyang 2020 report, 总计 column
    _table("new_requests", 138.0, "line 100", report_id="shaoyang_city_2020"),
    _table("carried_over", 2.0, "line 109", report_id="shaoyang_city_2020"),
    _table("total_handled", 140.0, "line 293", report_id="shaoyang_city_2020"),
    _table("carried_forward", 0.0, "line 302", report_id="shaoyang_city_2020"),
]


def _by_rule(checks):
    return {(c["rule"], c["item"], c["measure"]): c for c in checks}


def test_prose_checks_on_shaoyang_2020(shaoyang_facts):
    prose = pd.DataFrame(shaoyang_facts).assign(report_id="shaoyang_city_2020")
    checks = prose_checks(pd.concat([prose, pd.DataFrame(SHAOYANG_TABLE_3)], ignore_index=True))
    by_rule = _by_rule(checks)
    assert {k: (c["status"], c["expected"], c["printed"]) for k, c in by_rule.items()} == {
        # 受理140件 = 一 (138) + 二 (2), not 一 alone
        ("prose_vs_table", "applications_prose", "accepted"): ("pass", 140.0, 140.0),
        # 已全部办结: 140 = （七）总计
        ("prose_vs_table", "applications_prose", "completed"): ("pass", 140.0, 140.0),
        ("closed_le_received", "mayor_mailbox", "closed"): ("pass", 1718.0, 1655.0),
        ("stated_rate", "mayor_mailbox", "completion_rate"): ("pass", 96.33, 96.33),
        # 53668 closed work orders > 52557 calls, but ≤ 54195 valid work orders
        ("closed_le_received", "hotline_12345", "closed"): ("pass", 54195.0, 53668.0),
    }
    for check in checks:
        assert set(check) == CHECK_KEYS
        assert check["section"] == "prose" and check["applicant"] is None
        assert check["message"]
    accepted = by_rule[("prose_vs_table", "applications_prose", "accepted")]
    assert accepted["locations"] == "line 8, chars 61-64; line 100; line 109"
    rate = by_rule[("stated_rate", "mayor_mailbox", "completion_rate")]
    assert "line 10, chars 43-48" in rate["locations"]


def test_prose_checks_fail_cases():
    facts = pd.DataFrame([
        _prose("applications_prose", "received", 150.0, "line 8, chars 1-4"),
        _prose("applications_prose", "accepted", 139.0, "line 8, chars 9-12"),
        _prose("mayor_mailbox", "received", 1718.0, "line 10, chars 26-30"),
        _prose("mayor_mailbox", "closed", 1800.0, "line 10, chars 34-38"),
        _table("new_requests", 138.0, "line 100"),
        _table("carried_over", 2.0, "line 109"),
    ])
    by_rule = _by_rule(prose_checks(facts))
    received = by_rule[("prose_vs_table", "applications_prose", "received")]
    assert (received["status"], received["expected"], received["printed"]) == ("fail", 138.0, 150.0)
    accepted = by_rule[("prose_vs_table", "applications_prose", "accepted")]
    assert accepted["status"] == "fail"           # neither 138 nor 140
    closed = by_rule[("closed_le_received", "mayor_mailbox", "closed")]
    assert (closed["status"], closed["expected"], closed["printed"]) == ("fail", 1718.0, 1800.0)
    assert closed["locations"] == "line 10, chars 34-38; line 10, chars 26-30"


@pytest.mark.parametrize("stated, status, expected", [
    (96.33, "pass", 96.33),   # 1655 / 1718 = 96.3329…
    (96.3, "pass", 96.3),     # one decimal printed: 96.3 is a correct rounding
    (96.34, "fail", 96.33),
    (96.4, "fail", 96.3),
    (100.0, "fail", 96.0),
])
def test_stated_rate_tolerance_is_the_printed_rounding(stated, status, expected):
    raw = f"市长信箱共受理各类信件1718件,办结1655件,办结率{stated:g}%。"
    facts = pd.DataFrame([
        _prose("mayor_mailbox", "received", 1718.0, raw=raw),
        _prose("mayor_mailbox", "closed", 1655.0, raw=raw),
        _prose("mayor_mailbox", "completion_rate", stated, raw=raw),
    ])
    rate = _by_rule(prose_checks(facts))[("stated_rate", "mayor_mailbox", "completion_rate")]
    assert (rate["status"], rate["expected"], rate["printed"]) == (status, expected, stated)


def test_prose_checks_not_checkable_is_never_a_fail():
    facts = pd.DataFrame([
        _prose("applications_prose", "received", 293.0),                 # no table 三 at all
        _prose("applications_prose", "completed", 294.0),
        _prose("mayor_mailbox", "closed", 1655.0),                       # received not stated
        _prose("hotline_12345", "completion_rate", 99.0),                # counts not stated
        _prose("review_litigation_prose", "administrative_review", 2.0),
        _table("administrative_review", float("nan"), "line 330", section="review_litigation",
               measure="total", applicant=None),                          # blank cell
    ])
    checks = prose_checks(facts)
    assert {c["status"] for c in checks} == {"not_checkable"}
    assert {(c["rule"], c["item"], c["measure"]) for c in checks} == {
        ("prose_vs_table", "applications_prose", "received"),
        ("prose_vs_table", "applications_prose", "completed"),
        ("prose_vs_table", "review_litigation_prose", "administrative_review"),
        ("closed_le_received", "mayor_mailbox", "closed"),
        ("stated_rate", "hotline_12345", "completion_rate"),
    }
    for check in checks:
        assert math.isnan(check["expected"])


def test_prose_checks_keep_reports_apart():
    facts = pd.DataFrame([
        _prose("mayor_mailbox", "received", 100.0, report_id="a"),
        _prose("mayor_mailbox", "closed", 500.0, report_id="b"),
    ])
    assert [c["status"] for c in prose_checks(facts)] == ["not_checkable", "not_checkable"]


def test_prose_checks_review_litigation_sums_both_litigation_groups():
    facts = pd.DataFrame([
        _prose("review_litigation_prose", "litigation", 4.0),
        _table("litigation_direct", 2.0, "line 335", section="review_litigation", measure="total", applicant=None),
        _table("litigation_after_review", 2.0, "line 340", section="review_litigation", measure="total", applicant=None),
    ])
    [check] = prose_checks(facts)
    assert (check["status"], check["expected"], check["printed"]) == ("pass", 4.0, 4.0)


def test_prose_checks_without_prose_facts():
    assert prose_checks(pd.DataFrame(SHAOYANG_TABLE_3)) == []
    assert prose_checks(pd.DataFrame(columns=["section", "item", "measure", "value"])) == []
