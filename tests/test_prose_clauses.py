"""Each number takes the measure of its own clause (issue 9, item 7): shaoyang_report.read.prose.

In ``收到来信52件，办结40件，不予受理12件`` only 52 is ``received`` and 40 ``closed``; 12 is
counted by a measure the catalogue does not have (不予受理) and is emitted under no other.
Sentences here are the clause lists of the issue and their variants; the real prose,
typed by hand, is scored by ``test_prose_score.py``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from shaoyang_report import prose_vocabulary
from shaoyang_report.config import package_csv
from shaoyang_report.prose_metrics import prose_metric_catalogue
from shaoyang_report.prose_vocabulary import ProseVocabularyError
from shaoyang_report.read.prose import extract_prose_facts

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
    # after 其中 only a figure stating the same metric again is a part: 办结20 is the body's own
    ("收到政府信息公开申请20件，其中予以公开15件，办结20件。",
     [("applications_prose", "received", 20, "20"), ("applications_prose", "completed", 20, "20")]),
    ("收到政府信息公开申请20件，其中网上申请15件，收到信函申请5件。",
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
    # 新开通 counts both, each listed one by one (as prose/README rule 5 types new-media accounts)
    ("新开通3个账号和2个公众号。",
     [("new_media_accounts", "opened", 3, "3"), ("new_media_accounts", "opened", 2, "2")]),
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


def test_blocking_measure_words_are_package_data():
    rows = list(csv.DictReader(io.StringIO(
        (Path(prose_vocabulary.__file__).parent / "data" / "prose_measures.csv").read_text("utf-8"))))
    blocking = " || ".join(r["words"] for r in rows if r["blocks"])
    for word in ("不予", "转办", "退回", "予以公开", "部分公开", "同比", "分别"):   # the issues' examples
        assert word in blocking
    topics = set(prose_vocabulary.vocabulary().topics)
    for row in rows:
        assert row["note"]
        assert row["blocks"] in ("", "*") or set(row["blocks"].split(" || ")) <= topics


def test_every_vocabulary_row_says_why():
    for name in ("prose_topics.csv", "prose_measures.csv", "prose_scopes.csv"):
        for row in package_csv(name):
            assert row["note"].strip(), (name, row)


@pytest.mark.parametrize("topics, measures, problem", [
    ([{"topic": "Mailbox", "kind": "subject", "words": "信箱"}], [], "topic must be a new snake_case key"),
    ([{"topic": "mailbox", "kind": "thing", "words": "信箱"}], [], "kind must be one of"),
    ([{"topic": "mailbox", "kind": "subject", "words": ""}], [], "no words"),
    ([{"topic": "mailbox", "kind": "subject", "words": "信(箱"}], [], "does not compile"),
    ([{"topic": "mailbox", "kind": "subject", "words": "(信)箱"}], [], "has a capturing group"),
    ([{"topic": "mailbox", "kind": "subject", "words": "信箱"}],
     [{"measure": "forwarded", "words": "转办", "blocks": "hotline"}], "blocks unknown topics hotline"),
    ([{"topic": "mailbox", "kind": "subject", "words": "信箱"}], [{"measure": "none", "words": "x"}], "other than 'none'"),
])
def test_malformed_vocabulary_is_a_vocabulary_error(topics, measures, problem):
    scopes = package_csv("prose_scopes.csv")
    with pytest.raises(ProseVocabularyError, match=re.escape(problem)):
        prose_vocabulary.Vocabulary(topics, measures, scopes)


def test_a_scope_missing_from_the_vocabulary_is_named():
    scopes = [r for r in package_csv("prose_scopes.csv") if r["scope"] != "sub_unit"]
    with pytest.raises(ProseVocabularyError, match="scopes missing: sub_unit"):
        prose_vocabulary.Vocabulary([{"topic": "mailbox", "kind": "subject", "words": "信箱"}], [], scopes)


def test_catalogue_rows_name_known_vocabulary():
    vocab = prose_vocabulary.vocabulary()
    catalogue = prose_metric_catalogue()
    for row in catalogue.itertuples():
        assert row.topic == "*" or row.topic in vocab.topics
        assert all(m == "none" or m in vocab.measures for m in row.measures.split(" || "))


def test_part_after_qizhong_counts_once_the_topic_was_named():
    catalogue = prose_metric_catalogue()
    assert set(catalogue.loc[catalogue["part_after"] == "qizhong", "item"]) == {
        "mayor_mailbox", "hotline_12345", "online_messages"}
    # 其中 makes a part only once the item's own subject was named before it
    _check("留言板收到留言164条，其中办结160条。", [("online_messages", "received", 164, "164")])
    _check("其中，留言板收到留言164条，办结160条。",
           [("online_messages", "received", 164, "164"), ("online_messages", "closed", 160, "160")])
