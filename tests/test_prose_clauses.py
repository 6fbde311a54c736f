"""Each number takes the measure of its own clause (issue 9, item 7): shaoyang_report.read.prose.

In ``收到来信52件，办结40件，不予受理12件`` only 52 is ``received`` and 40 ``closed``; 12 is
counted by a measure the catalogue does not have (不予受理) and is emitted under no other.
Sentences here are the clause lists of the issue and their variants; the last tests
run the real excerpts, whose figures were typed from reading the documents.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from conftest import shared_report

from shaoyang_report import prose_metrics
from shaoyang_report.prose_metrics import ProseCatalogueError, prose_metric_catalogue
from shaoyang_report.read.prose import extract_prose_facts, join_wrapped_lines

LOCATION_RE = re.compile(r"^(?P<prefix>.+), chars (?P<start>\d+)-(?P<end>\d+)$")


def _facts(sentence: str) -> list[tuple[str, str, float, str]]:
    """(item, measure, value, printed number) of each fact, in order."""
    out = []
    for f in extract_prose_facts([("line 1", sentence)]):
        m = LOCATION_RE.match(f["location"])
        out.append((f["item"], f["measure"], f["value"], sentence[int(m["start"]):int(m["end"])]))
    return out


def _check(sentence: str, expected: list[tuple[str, str, float, str]]) -> None:
    assert sorted(_facts(sentence)) == sorted((i, m, float(v), p) for i, m, v, p in expected)


# --------------------------------------------------------------------------- clause lists across topics

CLAUSE_LISTS = [
    # the example, under each mailbox name and with each separator
    ("市长信箱收到来信52件，办结40件，不予受理12件。",
     [("mayor_mailbox", "received", 52, "52"), ("mayor_mailbox", "closed", 40, "40")]),
    ("县长信箱收到来信52件、办结40件、不予受理12件。",
     [("mayor_mailbox", "received", 52, "52"), ("mayor_mailbox", "closed", 40, "40")]),
    ("区长信箱收到来信52件办结40件不予受理12件。",
     [("mayor_mailbox", "received", 52, "52"), ("mayor_mailbox", "closed", 40, "40")]),
    ("市长信箱共受理来信100件，退回12件，办结88件。",
     [("mayor_mailbox", "received", 100, "100"), ("mayor_mailbox", "closed", 88, "88")]),
    ("县长信箱共收到来信200件，转交相关部门办理150件，直接回复50件。",
     [("mayor_mailbox", "received", 200, "200")]),
    # hotline: 转办 and 直接答复 are not catalogue measures
    ("12345热线共受理来电1000件，转办300件，直接答复700件，满意率98%。",
     [("hotline_12345", "calls", 1000, "1000"), ("hotline_12345", "satisfaction_rate", 98, "98")]),
    ("12345热线受理来电1000件，退回工单20件，办结工单950件。",
     [("hotline_12345", "calls", 1000, "1000"), ("hotline_12345", "closed", 950, "950")]),
    # applications: the outcomes of table 三 are not received / completed
    ("共收到政府信息公开申请20件，不予公开2件，予以公开15件。",
     [("applications_prose", "received", 20, "20")]),
    ("2023年共收到政府信息公开申请20件，予以公开15件、部分公开3件、不予公开2件。",
     [("applications_prose", "received", 20, "20")]),
    ("全年新收政府信息公开申请20件，上年结转2件，办结22件，结转下年度0件。",
     [("applications_prose", "received", 20, "20"), ("applications_prose", "carried_over", 2, "2"),
      ("applications_prose", "completed", 22, "22"), ("applications_prose", "carried_forward", 0, "0")]),
    # online messages: 未办结 holds the catalogue word 办结
    ("网上留言板收到留言164条，办结160条，未办结4条。",
     [("online_messages", "received", 164, "164"), ("online_messages", "closed", 160, "160")]),
]


@pytest.mark.parametrize("sentence, expected", CLAUSE_LISTS)
def test_clause_lists_give_each_number_its_own_measure(sentence, expected):
    _check(sentence, expected)


# --------------------------------------------------------------------------- 其中 enumerations

QIZHONG = [
    # after 其中 the hotline's figures are parts; 98% may be the direct answers' rate
    ("12345热线共受理来电1000件，其中转办300件，直接答复700件，满意率98%。",
     [("hotline_12345", "calls", 1000, "1000")]),
    # one mailbox of several is a part of the figure named before 其中
    ("市长信箱受理来信52件，其中县长信箱受理30件。", [("mayor_mailbox", "received", 52, "52")]),
    ("市长信箱共受理信件1718件，其中县长信箱300件。", [("mayor_mailbox", "received", 1718, "1718")]),
    ("市长信箱受理来信100件，其中办结98件。", [("mayor_mailbox", "received", 100, "100")]),
    # a closed parenthesis ends the part
    ("市长信箱受理来信100件（其中转办30件），办结98件。",
     [("mayor_mailbox", "received", 100, "100"), ("mayor_mailbox", "closed", 98, "98")]),
    # 其中 before the mailbox is named: the mailbox is the part, its figures are its own
    ("全市共受理群众诉求5万件，其中市长信箱受理信件1718件，办结1655件。",
     [("mayor_mailbox", "received", 1718, "1718"), ("mayor_mailbox", "closed", 1655, "1655")]),
    ("收到政府信息公开申请20件，其中予以公开15件，办结20件。",
     [("applications_prose", "received", 20, "20")]),
]


@pytest.mark.parametrize("sentence, expected", QIZHONG)
def test_qizhong_enumerations(sentence, expected):
    _check(sentence, expected)


# --------------------------------------------------------------------------- measure before / after the number

@pytest.mark.parametrize("sentence, expected", [
    # measure word before the number
    ("市长信箱受理信件100件。", [("mayor_mailbox", "received", 100, "100")]),
    ("市长信箱受理来信中转办30件，办结98件。", [("mayor_mailbox", "closed", 98, "98")]),
    # measure word after the number
    ("对11个文件和28次常务会议制定解读材料。",
     [("policy_interpretation", "documents", 11, "11"), ("policy_interpretation", "executive_meetings", 28, "28")]),
    ("对11个文件转载解读材料。", []),                      # reposted, not interpretations made
    ("政府集中采购项目30个，3个流标的采购项目。", [("procurement", "projects", 30, "30")]),
    # after the number, across the comma only where the pattern spells it out
    ("共受理政府信息公开申请140件，已全部办结。",
     [("applications_prose", "accepted", 140, "140"), ("applications_prose", "completed", 140, "140")]),
])
def test_measure_before_or_after_the_number(sentence, expected):
    _check(sentence, expected)


# --------------------------------------------------------------------------- two numbers in one clause

@pytest.mark.parametrize("sentence, expected", [
    ("市长信箱收到来信52件办结40件。",
     [("mayor_mailbox", "received", 52, "52"), ("mayor_mailbox", "closed", 40, "40")]),
    # 受理 names the 1718 visits, not the 300 letters after them
    ("市长信箱受理信访1718人次其中信件300件。", []),
    # 新开通 counts both: 3 is not the number of accounts opened
    ("新开通3个账号和2个公众号。", []),
    ("新开通3个政务公众号。", [("new_media_accounts", "opened", 3, "3")]),
    # 分别 gives numbers in order to a list: not read
    ("市长信箱受理、办结信件分别为52件、40件。", []),
    ("12345热线来电52557通，比上年增加3000通。", [("hotline_12345", "calls", 52557, "52557")]),
])
def test_two_numbers_in_one_clause(sentence, expected):
    _check(sentence, expected)


# --------------------------------------------------------------------------- a clause without a measure word

@pytest.mark.parametrize("sentence", [
    "市长信箱受理信件100件，98件。",
    "市长信箱受理信件100件、98件。",
    "市长信箱受理信件100件；98件。",
])
def test_a_number_without_a_measure_word_inherits_none(sentence):
    _check(sentence, [("mayor_mailbox", "received", 100, "100")])


# --------------------------------------------------------------------------- non-metric measure words

@pytest.mark.parametrize("sentence, printed", [
    # a catalogue word inside a non-metric one, or earlier in the number's clause
    ("市长信箱受理信件100件，不予受理12件。", "12"),
    ("市长信箱受理来信中退回12件。", "12"),
    ("市长信箱受理信件100件，未办结3件。", "3"),
    ("市长信箱按时办结率98%。", "98"),
    ("12345热线转办有效工单300件。", "300"),
    ("12345热线直接办结300件。", "300"),
    ("12345热线日均接听来电300个。", "300"),
    ("12345热线不满意率2%。", "2"),
    ("收到的政府信息公开申请中予以公开15件。", "15"),
    ("收到的政府信息公开申请中不予公开2件。", "2"),
    ("政府集中采购节约资金50万元。", "50"),
    ("本年度减免信息处理费100元。", "100"),
])
def test_non_metric_measure_words_block(sentence, printed):
    assert printed not in [p for *_, p in _facts(sentence)]


def test_non_metric_words_csv_is_well_formed():
    text = prose_metrics.non_metric_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    items = set(prose_metric_catalogue()["item"])
    assert {r["item"] for r in rows} <= items | {"*"}
    named = " || ".join(r["words"] for r in rows)
    for word in ("不予", "转办", "退回", "予以公开", "部分公开"):   # the examples
        assert word in named
    for row in rows:
        assert row["note"]
        for word in row["words"].split(" || "):
            re.compile(word)


@pytest.mark.parametrize("text, problem", [
    ("item,words\nmayor_mailbox,转办\n", "missing columns note"),
    ("item,words,note\nmailbox,转办,x\n", "row 2 (mailbox): item is neither"),
    ("item,words,note\nmayor_mailbox,,x\n", "row 2 (mayor_mailbox): no words"),
    ("item,words,note\nmayor_mailbox,转(办,x\n", "does not compile"),
])
def test_malformed_non_metric_words_csv_is_a_catalogue_error(monkeypatch, text, problem):
    monkeypatch.setattr(prose_metrics, "non_metric_text", lambda: text)
    with pytest.raises(ProseCatalogueError, match=re.escape(problem)):
        prose_metrics.load_non_metric_words(["mayor_mailbox"])


def test_topic_macro_in_not_before_is_the_items_topic():
    catalogue = prose_metric_catalogue()
    rows = catalogue[catalogue["not_before"].str.contains("{TOPIC}", regex=False)]
    assert set(rows["item"]) == {"mayor_mailbox", "hotline_12345", "online_messages"}
    # 其中 counts only once the item's own subject was named before it
    _check("留言板收到留言164条，其中办结160条。", [("online_messages", "received", 164, "164")])
    _check("其中，留言板收到留言164条，办结160条。",
           [("online_messages", "received", 164, "164"), ("online_messages", "closed", 160, "160")])


# --------------------------------------------------------------------------- real excerpts

EXCERPT_FACTS = {  # typed from reading each excerpt's prose
    "ankang_bureau_2019_unit_in_cell.txt": [
        ("information_published", "total", 380, 5, "380"),            # 主动公开政府信息380条
        ("information_published", "government_news", 94, 5, "94"),   # 政务动态信息94条
    ],
    "changchun_styjrswj_2023.txt": [
        ("information_published", "overview", 150, 2, "150"),         # 概况类信息150条
        ("applications_prose", "accepted", 2, 3, "2"),                # 共受理政府信息公开申请2件
    ],
    "guanzhou_street_haizhu_2023.txt": [("information_published", "total", 63, 2, "63")],
    "hedong_town_lufeng_2021_5col.txt": [("procurement", "projects", 30, 12, "30")],   # 政府集中采购30项
    "huiyi_town_suijiang_2021_typo.txt": [("information_published", "portal", 31, 4, "31")],
    "lzq_street_2019_mirror.txt": [("applications_prose", "accepted", 0, 3, "0")],
    "nanhu_yueyang_bureau_2019_pipes.txt": [
        ("information_published", "total", 25, 4, "25"),
        ("applications_prose", "received", 3, 5, "3"),                # 收到依申请公开信息3条
    ],
    "qingchuan_bureau_2023_spam_barepipe.txt": [("information_published", "total", 52, 3, "52")],
    "xiliu_town_2023_spam.txt": [  # the prose prints 0/0/0 (for 2022) while 表二 prints 4/0/32
        ("normative_documents", "issued", 0, 5, "0"),
        ("normative_documents", "repealed", 0, 5, "0"),
        ("normative_documents", "in_force", 0, 5, "0"),
    ],
    "yanliang_culture_tourism_2020_signed.txt": [("information_published", "total", 366, 11, "366")],
    "yanliang_petition_bureau_2025.txt": [
        ("applications_prose", "received", 0, 5, "0"),                # 共收到政府信息公开申请0件
        ("review_litigation_prose", "administrative_review", 0, 5, "0"),  # 行政复议案件0宗
    ],
    "yunlin_street_xishan_2019_backslash.txt": [("information_published", "total", 172, 13, "172")],
}


def _excerpt_lines(path: Path) -> list[tuple[str, str]]:
    return [(f"line {n}", t) for n, t in enumerate(path.read_text("utf-8").splitlines(), 1) if t.strip()]


def test_excerpt_prose_facts_are_the_typed_ones():
    folder = shared_report("excerpts")
    paths = sorted(folder.glob("*.txt"))
    assert len(paths) == 32
    for path in paths:
        lines = _excerpt_lines(path)
        text = dict(lines)
        got = []
        for f in extract_prose_facts(join_wrapped_lines(lines)):
            m = LOCATION_RE.match(f["location"])
            got.append((f["item"], f["measure"], f["value"], int(m["prefix"].split()[1]),
                        text[m["prefix"]][int(m["start"]):int(m["end"])]))
        want = [(i, m, float(v), line, p) for i, m, v, line, p in EXCERPT_FACTS.get(path.name, [])]
        assert sorted(got) == sorted(want), path.name
