"""Every number of the prose as a mention (issue 19): topic, measure, metric, scope.

The sentences are real ones from ../shared/reports (file named with each); the few
made-up ones only show what is *not* read (a short topic word before the paragraph
named the topic, a part after 其中), never a metric's wording.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import RAW, shared_report

import shaoyang_report as sr
from shaoyang_report import dictionary
from shaoyang_report.read.prose import MENTION_KEYS, SCOPES, extract_prose_facts, read_mentions


def _read(text: str, **kwargs) -> list[tuple[str, str | None, str | None]]:
    """(printed number, metric, scope) of each counted number."""
    return [(m["raw_number"], m["metric"], m["scope"]) for m in read_mentions([("line 1", text)], **kwargs)
            if m["kind"] in ("quantity", "approximate")]


# --------------------------------------------------------------------------- every number a mention

def test_every_number_is_a_mention_with_its_kind():
    text = "本报告所列数据统计期限为2023年1月1日至2023年12月31日(电话:0911-7999705)。我县全年主动公开信息总数4702条。"
    mentions = read_mentions([("line 4", text)])
    assert [(m["raw_number"], m["kind"]) for m in mentions] == [
        ("2023", "date"), ("1", "date"), ("1", "date"), ("2023", "date"), ("12", "date"), ("31", "date"),
        ("0911-7999705", "phone"), ("4702", "quantity")]
    for m in mentions:
        assert tuple(m) == MENTION_KEYS
    figure = mentions[-1]
    assert (figure["topic"], figure["measure"], figure["metric"], figure["scope"]) == (
        "information", "publish", "information_published.total", "whole")
    assert (figure["topic_phrase"], figure["measure_phrase"]) == ("信息", "主动公开")
    assert figure["clause"] == "我县全年主动公开信息总数4702条。"   # wuqi_county_2023
    assert all(m["metric"] is None and m["scope"] is None for m in mentions[:-1])


def test_numbers_in_prose_is_the_declared_frame():
    report = sr.read_report(RAW / "shaoyang_city_2020.txt")
    numbers = sr.numbers_in_prose(report)
    dictionary.validate(numbers, "prose_numbers")
    assert set(numbers.scope.dropna()) <= set(SCOPES)
    # every prose fact is a mention with its metric, at the same place
    facts = report.facts[report.facts.section == "prose"]
    keyed = set(zip(numbers.metric, numbers.location))
    assert all((f"{f.item}.{f.measure}", f.location) in keyed for f in facts.itertuples())
    # and a number stating two metrics has a row for each (受理…140件,已全部办结)
    assert sorted(numbers[numbers.raw_number == "140"].metric) == ["applications_prose.accepted",
                                                                   "applications_prose.completed"]


def test_a_number_with_no_metric_keeps_its_topic_and_measure():
    # wuqi_county_2023: 答复 of a mailbox is no catalogue measure (prose/README rule 7)
    mentions = read_mentions([("line 1", "县长信箱收到信件,183条,答复183条,答复率达100%。")])
    answered = mentions[1]
    assert (answered["topic"], answered["measure"], answered["metric"]) == ("mayor_mailbox", "answer", None)


# --------------------------------------------------------------------------- what real prose does

@pytest.mark.parametrize("text, expected", [
    # the number before the topic, the measure before the number (suixian_county_2023_trad)
    ("2023年共受理30件依申請公開,辦結 31 件(其中1件為2022年結轉本年度辦理),無結轉下年度繼續辦理。",
     [("30", "applications_prose.accepted", "whole"), ("31", "applications_prose.completed", "whole"),
      ("1", "applications_prose.carried_over", "whole")]),
    # the measure after the number (longyou_county_office_2023)
    ("2023年,全年共收到依申请公开14件(其中信件申请10件,网络申请4件),已办结12件,2件结转下年办理。",
     [("14", "applications_prose.received", "whole"), ("10", None, "whole"), ("4", None, "whole"),
      ("12", "applications_prose.completed", "whole"), ("2", "applications_prose.carried_forward", "whole")]),
    # topic and measure apart, across a stray comma (wuqi_county_2023)
    ("县长信箱收到信件,183条。", [("183", "mayor_mailbox.received", "whole")]),
    # the topic named in an earlier clause: several figures share it (suixian_county_2023_trad)
    ("2023年共制發行政規范性文件12件,廢止3件,現行有效件數25件。",
     [("12", "normative_documents.issued", "whole"), ("3", "normative_documents.repealed", "whole"),
      ("25", "normative_documents.in_force", "whole")]),
    # units other than the first, words between (dazu_district_office_2024): 新闻发布会 is no release
    ("利用文字、图片、媒体发布各类政策解读材料36件、专题解读15件、音视频解读3件、新闻发布会解读2期。",
     [("36", "policy_interpretation.items_published", "whole"), ("15", "policy_interpretation.items_published", "whole"),
      ("3", "policy_interpretation.items_published", "whole"), ("2", None, "whole")]),
    # a 、-list shares its verb; 部 is a unit (guangzhou_office_2023_trad)
    ("以市政府或市政府辦公廳名義發布政府規章4部、行政規范性文件19件。",
     [("4", None, "whole"), ("19", "normative_documents.issued", "whole")]),
    # categories without 信息 are no information total; the channel in the clause before (guanzhou_street_haizhu_2023)
    ("2023年,通过政府门户网站,主动公开政府信息63条,其中,组织机构类信息16条,动态类信息36条。",
     [("63", "information_published.portal", "whole"), ("16", None, "whole"), ("36", None, "whole")]),
    # the topic carried over a semicolon (panyu_district_office_2024)
    ("2024年共办理政府信息公开申请80件,同比增长5.26%;上年结转2件,结转下年办理8件。",
     [("80", None, "whole"), ("5.26", None, "whole"), ("2", "applications_prose.carried_over", "whole"),
      ("8", "applications_prose.carried_forward", "whole")]),
    # outcomes after 其中: no case count (panyu_district_office_2024)
    ("因政府信息公开申请被行政复议5宗、行政诉讼0宗,其中2宗维持原答复,1宗结果纠正。",
     [("5", "review_litigation_prose.administrative_review", "whole"), ("0", "review_litigation_prose.litigation", "whole"),
      ("2", None, "whole"), ("1", None, "whole")]),
    # two topics joined are nobody's figure (hejiang_county_office_2023)
    ("公开书记县长信箱或领导信箱(网上信访)办件22件、12345政务服务热线办件7341件、人大代表建议及答复107件。",
     [("22", None, "whole"), ("7341", None, "whole"), ("107", None, "whole")]),
    # a list of several kinds counted together is no interpretation count (dazu_district_office_2024)
    ("公开发布重大行政决策意见征集、意见反馈、草案解读、决策文件、决策解读等22件。", [("22", None, "whole")]),
])
def test_real_prose(text, expected):
    assert _read(text) == expected


def test_traditional_prose_reads_as_simplified():
    # beipo_town_suixi_2022_trad
    traditional = "2022年我鎮政府網站全年共更新政務動態信息73條,通過“遂溪縣北坡鎮人民政府”微信公眾號發布信息132條。"
    simplified = "2022年我镇政府网站全年共更新政务动态信息73条,通过“遂溪县北坡镇人民政府”微信公众号发布信息132条。"
    assert _read(traditional) == _read(simplified) == [
        ("73", "information_published.government_news", "whole"), ("132", "information_published.new_media", "whole")]
    facts = extract_prose_facts([("line 3", traditional)])
    assert [(f["value"], f["unit"]) for f in facts] == [(73.0, "条"), (132.0, "条")]
    spans = [tuple(map(int, f["location"].split("chars ")[1].split("-"))) for f in facts]
    assert [traditional[a:b] for a, b in spans] == ["73", "132"]   # located as printed
    assert facts[0]["raw"] == traditional   # the sentence as printed


def test_a_pinyin_gloss_is_read_through_and_located_as_printed():
    # xiaguan_town_2009_glossed (pre-2019): glosses after characters, 件 for items
    text = "全年我鎮(zhèn)在政府門戶網(wǎng)站上主動公開信息數(shù)量為46件。"
    [mention] = [m for m in read_mentions([("line 2", text)]) if m["kind"] == "quantity"]
    assert (mention["metric"], mention["raw_number"]) == ("information_published.portal", "46")
    start, end = map(int, mention["location"].split("chars ")[1].split("-"))
    assert text[start:end] == "46"


def test_a_short_topic_word_names_the_topic_only_once_the_paragraph_named_it():
    # longyou_county_office_2023: 申请 after 依申请公开
    named = read_mentions([("line 1", "全年共收到依申请公开14件(其中信件申请10件,网络申请4件)。")])
    assert [m["topic"] for m in named if m["raw_number"] == "10"] == ["applications"]
    alone = read_mentions([("line 1", "其中信件申请10件。")])
    assert [m["topic"] for m in alone if m["raw_number"] == "10"] == [None]


# --------------------------------------------------------------------------- scope

def test_a_sub_units_figures_keep_their_metric_but_are_no_facts():
    # shaoyang_city_2021_opening: the city's figures, then its office's after 其中
    lines = [("line 7", "2021年全市共收到依申请公开件293件,上年度结转办理件1件,共办理完成294件。其中,市政府办公室"
                        "(市行政审批服务局)2021年收到政府信息公开申请24件,结转上年度政府信息公开申请1件,共完成办理25件,办结率100%。")]
    assert _read(lines[0][1], agency="邵阳市", year=2021) == [
        ("293", "applications_prose.received", "whole"), ("1", "applications_prose.carried_over", "whole"),
        ("294", "applications_prose.completed", "whole"), ("24", "applications_prose.received", "sub-unit"),
        ("1", "applications_prose.carried_over", "sub-unit"), ("25", "applications_prose.completed", "sub-unit"),
        ("100", "applications_prose.completion_rate", "sub-unit")]
    assert [f["value"] for f in extract_prose_facts(lines, agency="邵阳市", year=2021)] == [293.0, 1.0, 294.0]


def test_an_offices_own_report_is_no_sub_unit():
    # hejiang_county_office_2023: the office reports on itself
    text = "2023年,合江县人民政府办公室共受理政府信息依申请公开0件。"
    assert _read(text, agency="合江县人民政府办公室") == [("0", "applications_prose.accepted", "whole")]
    assert _read(text, agency="合江县人民政府") == [("0", "applications_prose.accepted", "sub-unit")]


def test_a_part_after_qizhong_states_no_metric():
    # yanliang_culture_tourism_2020_signed: the total, then its channels
    text = ("2020年区文化和旅游体育局共公开政府信息366条,其中通过阎良区人民政府网站发布信息39条,"
            "通过 “阎良区文化馆”“阎良区图书馆”等网站、微信公众号发布信息298条,"
            "通过“西安旅游微官网”微信小程序发布信息10条,西安市信用平台、信息公开栏等途径发布信息19条。")
    assert _read(text) == [("366", "information_published.total", "whole"), ("39", "information_published.portal", "whole"),
                           ("298", None, "part"), ("10", "information_published.new_media", "whole"), ("19", None, "part")]


@pytest.mark.parametrize("text, year, scope", [
    # suining_county_2019_opening: as of a date, over an unknown span
    ("截至2019年12月底,累计主动公开政府信息10220条。", 2019, "cumulative"),
    # gaoling_approval_bureau_2021_slash, zhongshan_street_qiaoxi_2021: 累计 within the report year
    ("2021年全年,区行政审批服务局累计公开政府信息217条。", 2021, "whole"),
    ("中山街道累计对外公示2021年政务135条。", 2021, "whole"),
    # lucheng_stats_bureau_2014 (pre-2019): as of the year's end, since the year's start
    ("截至2014年12月31日,累计主动公开2014年以来的政府信息215条。", 2014, "whole"),
    # leshan_hitech_2010_trad (pre-2019): no year named
    ("高新區管委會累計主動公開政府信息272條。", 2010, "cumulative"),
])
def test_cumulative_figures(text, year, scope):
    [(_, metric, got)] = _read(text, year=year)
    assert got == scope
    assert (metric is None) == (scope == "cumulative")


# --------------------------------------------------------------------------- checks and briefing

def test_prose_checks_leave_a_sub_units_figure_out():
    from shaoyang_report.check.prose import prose_checks

    facts = pd.DataFrame([
        {"section": "prose", "item": "applications_prose", "measure": "accepted", "applicant": None,
         "value": 17.0, "location": "page 1, line 24, chars 6-8", "scope": "sub-unit"},
        {"section": "applications", "item": "new_requests", "measure": "requests", "applicant": "total",
         "value": 95.0, "location": "page 3", "scope": None},
    ])
    assert prose_checks(facts) == []
    facts.loc[0, "scope"] = "whole"
    [check] = prose_checks(facts)
    assert (check["status"], check["printed"], check["expected"]) == ("fail", 17.0, 95.0)


def test_the_year_briefing_marks_no_table_value_for_a_sub_units_figure():
    """hongze_district_2024: 表三 prints 95 new requests; the office's 17 in the prose once marked 95 with !."""
    from shaoyang_report.publish.html import MARK_FINDING
    from shaoyang_report.publish.year_briefing import agency_years, value_cell

    pdfs = [shared_report("huaian/hongze_district_2023.pdf"), shared_report("huaian/hongze_district_2024.pdf")]
    corpus = sr.read_reports(pdfs, progress=False)
    agency = corpus.reports.set_index("report_id").agency["hongze_district_2024"]
    years = agency_years(corpus, agency)
    received = next(years.comparison.query("indicator == 'applications_received' and year == 2024").itertuples())
    assert received.value == 95 and not math.isnan(received.value)
    assert received.source.startswith("hongze_district_2024 page 3")   # the table's cell
    assert received.source not in years.flagged
    assert f">{MARK_FINDING}</sup>" not in str(value_cell(received, years.flagged))
