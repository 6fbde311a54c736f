"""Every catalogue metric read in real wordings, each typed by hand from a report in ../shared/reports.

Each row names a report, words of the clause as printed, the number as printed and the
metric the clause states (by the rules of ``../shared/reports/prose/README.md``); the
test reads the report as a user does and finds that number, in that clause, read as
that metric with that value. No wording here is invented.

A *wording* is the clause's words with its numbers left out: ``办结率100%`` printed in two
reports is one wording, ``转载转发…重要信息913条`` and ``…1612条`` too. The corpus does not
hold three wordings of every metric: ``FEWER_THAN_THREE`` says how many it holds for the
others, so a new real wording added to the corpus (and here) shows in this file. They
were looked for in every file of ../shared/reports — the full reports (text, the two PDFs'
text), the openings, the excerpts and their ``prose`` lists, ``prose/``, ``pre2019/``,
``shanghai/`` — by their topic words in any wording (信箱, 12345/热线/来电/工单, 满意率,
办结率, 占…%, 解读 with 文件/常务会议, 采购, 处理费/收费, 网站 or 新媒体/账号/公众号 with
关停/注销/关闭/整合/迁移/集约/新开/开通/开设/新建/上线, 留言, 转载/转发, 废止/失效). Figures
the typed lists mark ``ambiguous`` (``书记县长信箱或领导信箱…办件22件``, ``近17250件`` of
12345 and a work group together, ``废止文件0件`` where the table says 规范性文件, ``国安23条``
after ``转发疫情防控9条``) are not counted as wordings of a metric.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache

import pytest
from conftest import shared_report

import shaoyang_report as sr
from shaoyang_report.prose_metrics import METRICS
from shaoyang_report.read.prose import join_wrapped_lines, read_mentions

# (report, words of the clause as printed, the number as printed, metric)
WORDINGS = [
    ("excerpts/ankang_bureau_2019_unit_in_cell.txt", "主动公开政府信息380条", "380", "information_published.total"),
    ("prose/dazu_district_office_2024.txt", "全年主动公开各类信息5236条", "5236", "information_published.total"),
    ("prose/wuqi_county_2023.txt", "我县全年主动公开信息总数4702条", "4702", "information_published.total"),
    ("shaoyang/shaoyang_city_2020.txt", "共发布政府信息100899条", "100899", "information_published.total"),
    ("excerpts/zhongshan_street_qiaoxi_2021.txt", "累计对外公示2021年政务135条", "135", "information_published.total"),
    ("prose/longyou_county_office_2023.txt", "通过政府网站主动公开信息总数773条", "773", "information_published.portal"),
    ("prose/suixian_county_2023_trad.txt", "門戶網站主動發布各類信息17086條", "17086", "information_published.portal"),
    ("excerpts/tuanjie_township_tongyu_2020.txt", "团结乡政府门户网站共发送9条信息", "9", "information_published.portal"),
    ("excerpts/guanzhou_street_haizhu_2023.txt", "主动公开政府信息63条", "63", "information_published.portal"),
    ("shaoyang/openings/shaoyang_city_2019_opening.txt", "占总数的23.4%", "23.4", "information_published.portal_share"),
    ("excerpts/changchun_styjrswj_2023.txt", "概况类信息150条", "150", "information_published.overview"),
    ("prose/suixian_county_2023_trad.txt", "其中概況類信息184條", "184", "information_published.overview"),
    ("pre2019/leshan_hitech_2010_trad.txt", "概況類1條", "1", "information_published.overview"),
    ("excerpts/ankang_bureau_2019_unit_in_cell.txt", "政务动态信息94条", "94", "information_published.government_news"),
    ("excerpts/beipo_town_suixi_2022_trad.txt", "全年共更新政務動態信息73條", "73", "information_published.government_news"),
    ("shaoyang/openings/suining_county_2019_opening.txt", "政务动态信息更新量为4792条", "4792",
     "information_published.government_news"),
    ("prose/suixian_county_2023_trad.txt", "信息公開目錄信息14478條", "14478", "information_published.disclosure_catalogue"),
    ("shaoyang/openings/suining_county_2019_opening.txt", "信息公开目录信息更新量为5403条", "5403",
     "information_published.disclosure_catalogue"),
    ("shaoyang/openings/shaoyang_econ_dev_zone_2021_opening.txt", "信息公开目录信息108条", "108",
     "information_published.disclosure_catalogue"),
    ("shaoyang/openings/shaoyang_city_2019_opening.txt", "转载转发国务院、省政府重要信息913条", "913", "information_published.reposted"),
    ("shaoyang/shaoyang_city_2020.txt", "转载转发国务院、省政府重要信息1612条", "1612", "information_published.reposted"),
    ("prose/shuozhou_foreign_affairs_2023.txt", "转发疫情防控9条", "9", "information_published.reposted"),
    ("prose/chengzhong_district_2024.txt", "及时公开重点领域政府信息2424条", "2424", "information_published.key_areas"),
    ("prose/panyu_district_office_2024.txt", "共加载重点领域信息3561条", "3561", "information_published.key_areas"),
    ("prose/wuqi_county_2023.txt", "教育等重点领域信息 1323条", "1323", "information_published.key_areas"),
    ("excerpts/beipo_town_suixi_2022_trad.txt", "微信公眾號發布信息132條", "132", "information_published.new_media"),
    ("prose/luzhi_town_zhangping_2023_spam.txt", "通过微信公众号公开工作动态(含原创、转发等)379条", "379",
     "information_published.new_media"),
    ("excerpts/xiliu_town_2023_spam.txt", "微博账号(1个)发布信息149条", "149", "information_published.new_media"),
    ("shaoyang/openings/suining_county_2019_opening.txt", "中国绥宁微信公众号信息发布量82条", "82",
     "information_published.new_media"),
    ("shaoyang/openings/shaoyang_city_2019_opening.txt", "等25个文件制定解读材料", "25", "policy_interpretation.documents"),
    ("shaoyang/shaoyang_city_2020.txt", "等11个文件和28次市政府常务会议制定解读材料", "11", "policy_interpretation.documents"),
    ("shaoyang/shaoyang_city_2020.txt", "等11个文件和28次市政府常务会议制定解读材料", "28",
     "policy_interpretation.executive_meetings"),
    ("prose/chengzhong_district_2024.txt", "发布政策解读24篇", "24", "policy_interpretation.items_published"),
    ("prose/panyu_district_office_2024.txt", "发布政策解读18份", "18", "policy_interpretation.items_published"),
    ("prose/guangzhou_office_2023_trad.txt", "發布重大行政決策宣傳解讀材料49項", "49", "policy_interpretation.items_published"),
    ("prose/dazu_district_office_2024.txt", "专题解读15件", "15", "policy_interpretation.items_published"),
    ("huaian/hongze_district_2024.pdf", "解读信息发布7 条", "7", "policy_interpretation.items_published"),
    ("shaoyang/shaoyang_city_2020.txt", "等重点工作建设专题专栏 11个", "11", "special_columns.created"),
    ("shaoyang/openings/shaoyang_city_2023_opening.txt", "5个重点专栏", "5", "special_columns.created"),
    ("shaoyang/openings/suining_county_2019_opening.txt", "新开设专栏6个", "6", "special_columns.created"),
    ("shaoyang/shaoyang_city_2020.txt", "市长信箱共受理各类信件1718件", "1718", "mayor_mailbox.received"),
    ("prose/wuqi_county_2023.txt", "县长信箱收到信件,183条", "183", "mayor_mailbox.received"),
    ("pre2019/wulong_county_2011.txt", "县长信箱收件758件", "758", "mayor_mailbox.received"),
    ("shaoyang/shaoyang_city_2020.txt", "办结1655件", "1655", "mayor_mailbox.closed"),
    ("shaoyang/shaoyang_city_2020.txt", "办结率96.33%", "96.33", "mayor_mailbox.completion_rate"),
    ("shaoyang/shaoyang_city_2020.txt", "平均办理时间5天", "5", "mayor_mailbox.average_days"),
    ("shaoyang/shaoyang_city_2020.txt", "公开答复数量共378件", "378", "mayor_mailbox.answered_publicly"),
    ("shaoyang/shaoyang_city_2020.txt", "12345热线接听群众来电52557通", "52557", "hotline_12345.calls"),
    ("shaoyang/shaoyang_city_2020.txt", "有效工单54195件", "54195", "hotline_12345.valid_work_orders"),
    ("shaoyang/shaoyang_city_2020.txt", "办结53668件", "53668", "hotline_12345.closed"),
    ("shaoyang/shaoyang_city_2020.txt", "满意率99.94%", "99.94", "hotline_12345.satisfaction_rate"),
    ("prose/dazu_district_office_2024.txt", "全年收到政府信息公开申请17件", "17", "applications_prose.received"),
    ("prose/longyou_county_office_2023.txt", "全年共收到依申请公开14件", "14", "applications_prose.received"),
    ("excerpts/nanhu_yueyang_bureau_2019_pipes.txt", "全年收到依申请公开信息3条", "3", "applications_prose.received"),
    ("prose/chengzhong_district_2024.txt", "结转上年后新收到依申请公开事项47件", "47", "applications_prose.received"),
    ("excerpts/changchun_styjrswj_2023.txt", "共受理政府信息公开申请2件", "2", "applications_prose.accepted"),
    ("prose/suixian_county_2023_trad.txt", "2023年共受理30件依申請公開", "30", "applications_prose.accepted"),
    ("prose/hejiang_county_office_2023.txt", "共受理政府信息依申请公开0件", "0", "applications_prose.accepted"),
    ("huaian/hongze_district_2023.pdf", "全区受理政府信息公开申请21 件", "21", "applications_prose.accepted"),
    ("prose/panyu_district_office_2024.txt", "上年结转2件", "2", "applications_prose.carried_over"),
    ("shaoyang/openings/shaoyang_city_2021_opening.txt", "上年度结转办理件1件", "1", "applications_prose.carried_over"),
    ("prose/suixian_county_2023_trad.txt", "其中1件為2022年結轉本年度辦理", "1", "applications_prose.carried_over"),
    ("prose/chengzhong_district_2024.txt", "已答复59件", "59", "applications_prose.completed"),
    ("prose/longyou_county_office_2023.txt", "已办结12件", "12", "applications_prose.completed"),
    ("prose/suixian_county_2023_trad.txt", "辦結 31 件", "31", "applications_prose.completed"),
    ("shaoyang/openings/shaoyang_city_2021_opening.txt", "共办理完成294件", "294", "applications_prose.completed"),
    ("prose/longyou_county_office_2023.txt", "2件结转下年办理", "2", "applications_prose.carried_forward"),
    ("prose/panyu_district_office_2024.txt", "结转下年办理8件", "8", "applications_prose.carried_forward"),
    ("shanghai/shanghai_stcsm_2024.pdf-text.md", "转下一年度办理答复的有 1 件", "1", "applications_prose.carried_forward"),
    ("prose/dazu_district_office_2024.txt", "办结率100%", "100", "applications_prose.completion_rate"),
    ("shaoyang/openings/shaoyang_city_2021_opening.txt", "办结率100%", "100", "applications_prose.completion_rate"),
    ("prose/dazu_district_office_2024.txt", "因政府信息公开产生行政复议案件3件", "3", "review_litigation_prose.administrative_review"),
    ("prose/longyou_county_office_2023.txt", "因政府信息公开引起的行政复议案件9件", "9",
     "review_litigation_prose.administrative_review"),
    ("prose/panyu_district_office_2024.txt", "因政府信息公开申请被行政复议5宗", "5", "review_litigation_prose.administrative_review"),
    ("pre2019/tongling_suburb_township_2017.txt", "我乡收到有关政府信息公开行政复议申请0件", "0",
     "review_litigation_prose.administrative_review"),
    ("prose/dazu_district_office_2024.txt", "行政诉讼案件3件", "3", "review_litigation_prose.litigation"),
    ("prose/panyu_district_office_2024.txt", "行政诉讼0宗", "0", "review_litigation_prose.litigation"),
    ("shanghai/shanghai_stcsm_2024.pdf-text.md", "涉及的行政诉讼数为0 件", "0", "review_litigation_prose.litigation"),
    ("excerpts/hedong_town_lufeng_2021_5col.txt", "公示了政府集中采购30项", "30", "procurement.projects"),
    ("excerpts/hedong_town_lufeng_2021_5col.txt", "公示总金额198249.8元", "198249.8", "procurement.amount"),
    ("huaian/hongze_district_2023.pdf", "全年收取政府信息公开信息处理费0 元", "0", "information_processing_fee.charged"),
    ("huaian/hongze_district_2024.pdf", "全年收取政府信息公开信息处理费0 元", "0", "information_processing_fee.charged"),
    ("shaoyang/shaoyang_city_2020.txt", "共45家政府网站全部迁移至全市统一的政府网站集约化平台", "45", "websites.integrated"),
    ("shaoyang/shaoyang_city_2020.txt", "重复建设等突出问题的新媒体账号12个", "12", "new_media_accounts.closed"),
    ("shaoyang/openings/suining_county_2019_opening.txt", "收到留言164条", "164", "online_messages.received"),
    ("shaoyang/openings/suining_county_2019_opening.txt", "办结164条", "164", "online_messages.closed"),
    ("prose/suixian_county_2023_trad.txt", "2023年共制發行政規范性文件12件", "12", "normative_documents.issued"),
    ("shaoyang/openings/shaoyang_city_2023_opening.txt", "全市共制发规范性文件251件", "251", "normative_documents.issued"),
    ("prose/longyou_county_office_2023.txt", "印发并公开的行政规范性文件17件", "17", "normative_documents.issued"),
    ("prose/guangzhou_office_2023_trad.txt", "行政規范性文件19件", "19", "normative_documents.issued"),
    ("prose/suixian_county_2023_trad.txt", "廢止3件", "3", "normative_documents.repealed"),
    ("shaoyang/openings/shaoyang_city_2023_opening.txt", "废止规范性文件66件", "66", "normative_documents.repealed"),
    ("excerpts/xiliu_town_2023_spam.txt", "废止规范性文件0件", "0", "normative_documents.repealed"),
    ("prose/suixian_county_2023_trad.txt", "現行有效件數25件", "25", "normative_documents.in_force"),
    ("shaoyang/openings/shaoyang_city_2023_opening.txt", "现行有效规范性文件952件", "952", "normative_documents.in_force"),
    ("excerpts/xiliu_town_2023_spam.txt", "现行有效的规范性文件0件", "0", "normative_documents.in_force"),
]

#: Metrics the corpus states in fewer than three wordings, and how many it holds (looked for
#: in every file of ../shared/reports, as the module docstring says).
FEWER_THAN_THREE = {
    "information_published.portal_share": 1,
    "information_published.reposted": 2,
    "policy_interpretation.documents": 2,
    "policy_interpretation.executive_meetings": 1,
    "mayor_mailbox.closed": 1,
    "mayor_mailbox.completion_rate": 1,
    "mayor_mailbox.average_days": 1,
    "mayor_mailbox.average_working_days": 0,
    "mayor_mailbox.answered_publicly": 1,
    "mayor_mailbox.satisfaction_rate": 0,
    "hotline_12345.calls": 1,
    "hotline_12345.valid_work_orders": 1,
    "hotline_12345.closed": 1,
    "hotline_12345.completion_rate": 0,
    "hotline_12345.satisfaction_rate": 1,
    "applications_prose.completion_rate": 1,
    "procurement.projects": 1,
    "procurement.amount": 1,
    "information_processing_fee.charged": 1,
    "websites.integrated": 1,
    "websites.opened": 0,
    "websites.closed": 0,
    "new_media_accounts.opened": 0,
    "new_media_accounts.closed": 1,
    "online_messages.received": 1,
    "online_messages.closed": 1,
    "normative_documents.repealed": 2,
}


@cache
def _mentions(relative: str) -> tuple[dict, ...]:
    path = shared_report(relative)
    try:
        return tuple(sr.numbers_in_prose(sr.read_report(path)).to_dict("records"))
    except sr.ReportFormatError:  # a report older than the 2019 format: its prose read as lines
        typed = json.loads(path.with_suffix(".json").read_text("utf-8"))
        lines = [(f"line {n}", t) for n, t in enumerate(path.read_text("utf-8").splitlines(), 1) if t.strip()]
        return tuple(read_mentions(join_wrapped_lines(lines), agency=typed.get("agency"), year=typed.get("year")))


def _wording(words: str) -> str:
    """The clause's words with its numbers left out."""
    return re.sub(r"[0-9０-９][0-9０-９.,]*", "N", words)


@pytest.mark.parametrize("relative, words, printed, metric", WORDINGS)
def test_real_wording_is_read_as_its_metric(relative, words, printed, metric):
    found = [m for m in _mentions(relative) if m["raw_number"] == printed and isinstance(m["clause"], str)
             and (words in m["clause"] or m["clause"] in words)]
    assert found, f"{printed} in {words!r} not read"
    assert metric in {m["metric"] for m in found}, [(m["metric"], m["clause"]) for m in found]
    assert {m["value"] for m in found if m["metric"] == metric} == {float(printed)}


def test_every_metric_has_three_real_wordings_or_all_the_corpus_holds():
    wordings: dict[str, set[str]] = {}
    for _, words, _, metric in WORDINGS:
        wordings.setdefault(metric, set()).add(_wording(words))
    counts = Counter({metric: len(found) for metric, found in wordings.items()})
    for m in METRICS:
        assert counts[m.key] == FEWER_THAN_THREE.get(m.key, counts[m.key]), m.key
        assert counts[m.key] >= 3 or m.key in FEWER_THAN_THREE, m.key
    assert set(FEWER_THAN_THREE) <= {m.key for m in METRICS}
