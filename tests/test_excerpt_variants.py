"""The real excerpts and the Shaoyang report as other pages print them (issue 19: 4, 5).

Each test changes a real text the way real pages differ — a table heading missing or
worded otherwise, captions mis-numbered, a 本年增/减 sign written as a word, an empty
cell printed as a line holding only ``|``, a block whose header names fewer columns —
and asserts the values read against those typed by hand (``excerpts/*.json``) or read
from the unchanged text (itself asserted value by value in test_shaoyang_2020.py).
"""

from __future__ import annotations

import json
import math
import re

import pytest
from conftest import RAW, SHARED_REPORTS

import shaoyang_report as sr

EXCERPTS = SHARED_REPORTS / "excerpts"
SHAOYANG = RAW / "shaoyang_city_2020.txt"
HEADING_TWO = re.compile(r"^\s*二、\s*主动公开政府信息情况\s*$")


def _table_facts(report: sr.Report) -> list[tuple]:
    facts = report.facts[report.facts.section != "prose"]
    return sorted(zip(facts["section"], facts["item"], facts["measure"], facts["applicant"].fillna(""), facts["raw"]))


def _typed(slug: str) -> dict:
    return json.loads((EXCERPTS / f"{slug}.json").read_text("utf-8"))


def _lines(slug: str) -> list[str]:
    return (EXCERPTS / f"{slug}.txt").read_text("utf-8").splitlines()


def _active(report: sr.Report) -> dict[str, tuple[float, str]]:
    facts = report.facts[report.facts.section == "active_disclosure"]
    return {f"{i}/{m}": (v, raw) for i, m, v, raw in zip(facts["item"], facts["measure"], facts["value"], facts["raw"])}


def _same(typed, value: float) -> bool:
    if typed is None or typed == "/":
        return math.isnan(value)
    return not math.isnan(value) and abs(value - typed) < 1e-9


SLUGS_WITH_HEADING = sorted(p.stem for p in EXCERPTS.glob("*.txt")
                            if any(HEADING_TWO.match(line) for line in p.read_text("utf-8").splitlines()))


def test_the_excerpts_with_a_simplified_heading_two_are_there():
    assert len(SLUGS_WITH_HEADING) >= 25


@pytest.mark.parametrize("how", ["missing", "worded otherwise"])
@pytest.mark.parametrize("slug", SLUGS_WITH_HEADING)
def test_table_two_is_found_without_its_heading(slug, how):
    lines = _lines(slug)
    k = next(i for i, line in enumerate(lines) if HEADING_TWO.match(line))
    lines[k] = "" if how == "missing" else "二、政府信息主动公开工作开展情况"
    report = sr.read_text("\n".join(lines), source=f"{slug}.txt")
    assert "active_disclosure" not in set(report.missing.loc[report.missing.reason == "table not in the text", "section"])
    typed, ambiguous = _typed(slug), set(_typed(slug).get("ambiguous", []))
    got = _active(report)
    wrong = [key for key, value in typed["table2"].items()
             if key not in ambiguous and (key not in got or not _same(value, got[key][0]))]
    assert not wrong, wrong


SHAOYANG_HEADINGS = {"二": "二、主动公开政府信息情况", "三": "三、收到和处理政府信息公开申请情况",
                     "四": "四、政府信息公开行政复议和行政诉讼情况"}
REWORDED = {"二": "二、政府信息主动公开", "三": "三、依申请公开政府信息情况", "四": "四、复议及诉讼情况"}


@pytest.mark.parametrize("how", ["missing", "worded otherwise"])
@pytest.mark.parametrize("which", [("二",), ("三",), ("四",), ("二", "三", "四")])
def test_shaoyang_tables_are_found_without_their_headings(which, how):
    text = SHAOYANG.read_text("utf-8")
    base = sr.read_text(text, source="shaoyang_city_2020.txt")
    lines = text.splitlines()
    for numeral in which:
        k = lines.index(SHAOYANG_HEADINGS[numeral])
        lines[k] = "" if how == "missing" else REWORDED[numeral]
    report = sr.read_text("\n".join(lines), source="shaoyang_city_2020.txt")
    assert _table_facts(report) == _table_facts(base)
    assert report.missing.empty and report.unplaced.empty


def test_mis_numbered_captions_still_start_table_two():
    # the heading gone and every caption numbered wrongly (第二十一条第(1)项 …): the first
    # caption still starts the table, and the captions are no unknown text
    lines = _lines("xiliu_town_2023_spam")
    k = next(i for i, line in enumerate(lines) if HEADING_TWO.match(line))
    lines[k] = ""
    text = re.sub(r"第二十条第\((.)\)项", lambda m: f"第二十一条第({'一二三四五六七八九'.index(m.group(1)) + 1})项",
                  "\n".join(lines))
    assert "第二十一条第(1)项" in text and "第二十条" not in text
    report = sr.read_text(text, source="xiliu.txt")
    got = _active(report)
    assert {key: got[key][0] for key in _typed("xiliu_town_2023_spam")["table2"]} == \
        _typed("xiliu_town_2023_spam")["table2"]
    assert report.problems == []


def test_a_table_whose_row_labels_are_printed_is_never_reported_absent():
    # no heading and no caption: the first row label starts table 二
    lines = [line for line in _lines("xiliu_town_2023_spam")
             if not HEADING_TWO.match(line) and not line.startswith("第二十条第(一)项")]
    report = sr.read_text("\n".join(lines), source="xiliu.txt")
    assert "active_disclosure" in report.tables_read
    assert _active(report)["rules/issued"][1] == "0" and _active(report)["normative_documents/in_force"][1] == "32"


# --------------------------------------------------------------------------- 本年增/减 as printed

@pytest.mark.parametrize(("slug", "signs"), [
    ("fgj_district_2020_signed_yuan", {"| +1 |": "| 增1 |", "| +173 |": "| 增加 173 |", "| -2 |": "| 减少2 |"}),
    ("fgj_district_2020_signed_yuan", {"| +1 |": "| 增 1 |", "| +173 |": "| + 173 |", "| -2 |": "| - 2 |"}),
    ("fgj_district_2020_signed_yuan", {"| -2 |": "| －2 |", "| +173 |": "| ＋173 |"}),
])
def test_a_change_with_a_word_or_sign_before_its_number_is_read_signed(slug, signs):
    text = "\n".join(_lines(slug))
    for printed, other in signs.items():
        assert printed in text
        text = text.replace(printed, other)
    report = sr.read_text(text, source=f"{slug}.txt")
    got = _active(report)
    typed = _typed(slug)["table2"]
    wrong = [key for key, value in typed.items() if key not in got or not _same(value, got[key][0])]
    assert not wrong, [(key, typed[key], got.get(key)) for key in wrong]
    assert got["administrative_penalty/change"] == (-2.0, signs.get("| -2 |", "| -2 |").strip("| "))


def test_a_plain_text_change_with_a_word_before_its_number():
    # plain lines, a cell per line: 增/减 as printed by the page, one cell each
    lines = _lines("yanliang_culture_tourism_2020_signed")
    text = "\n".join(lines).replace("\n+3\n", "\n增3\n").replace("\n-14\n", "\n减14\n").replace("\n-4\n", "\n减少4\n")
    assert "增3" in text and "减14" in text and "减少4" in text
    got = _active(sr.read_text(text, source="yanliang.txt"))
    typed = _typed("yanliang_culture_tourism_2020_signed")["table2"]
    assert {key: got[key][0] for key in typed if not math.isnan(got[key][0])} == \
        {key: value for key, value in typed.items() if value is not None}


# --------------------------------------------------------------------------- empty cells as lone bars

MEASURES = {"rules_F2019": ["new_made", "new_published", "total_published"],
            "rules_F2021": ["issued", "repealed", "in_force"]}


@pytest.mark.parametrize("position", [0, 1, 2])  # the first, a middle, the last cell
@pytest.mark.parametrize(("slug", "label", "item", "measures"), [
    ("ankang_bureau_2019_unit_in_cell", "规范性文件", "normative_documents", MEASURES["rules_F2019"]),
    ("zhongshan_street_qiaoxi_2021", "规章", "rules", MEASURES["rules_F2021"]),
])
def test_an_empty_cell_printed_as_a_line_holding_only_a_bar_is_read_blank(slug, label, item, measures, position):
    # each cell on its own line, then a line holding only "|": a cell left empty leaves its
    # "|" line only, between the values (or before or after them)
    lines = _lines(slug)
    k = lines.index(label)
    assert lines[k + 1:k + 8:2] == ["|"] * 4
    del lines[k + 2 + 2 * position]
    report = sr.read_text("\n".join(lines), source=f"{slug}.txt")
    base, got = _active(sr.read_report(EXCERPTS / f"{slug}.txt")), _active(report)
    emptied = f"{item}/{measures[position]}"
    others = [key for key in base if key != emptied]
    if position == 2 and slug.startswith("zhongshan"):
        # its rows end with one more "|" line, and its captions are padded with "||||": a
        # last "|" may as well pad the row, so the row is unplaced — never read shifted
        assert emptied not in got and not any(key.startswith(f"{item}/") for key in got)
        others = [key for key in others if not key.startswith(f"{item}/")]
    else:
        assert math.isnan(got[emptied][0]) and got[emptied][1] == ""
    assert {key: got[key] for key in others} == {key: base[key] for key in others}


# --------------------------------------------------------------------------- headers naming fewer columns

def test_a_block_whose_header_names_fewer_columns_is_read_by_its_header():
    # xiliu's block (一) printed without its 本年废止件数 column, header and rows alike
    lines = _lines("xiliu_town_2023_spam")
    edits = {"信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |": "信息内容 | 本年制发件数 | 现行有效件数 |",
             "规章 | 0 | 0 | 0 |": "规章 | 0 | 0 |", "行政规范性文件 | 4 | 0 | 32 |": "行政规范性文件 | 4 | 32 |"}
    lines = [edits.get(line, line) for line in lines]
    report = sr.read_text("\n".join(lines), source="xiliu.txt")
    got = _active(report)
    assert got["normative_documents/issued"][1] == "4" and got["normative_documents/in_force"][1] == "32"
    assert "normative_documents/repealed" not in got and "rules/repealed" not in got
    assert set(report.missing.loc[report.missing.section == "active_disclosure", "item"]) == \
        {"rules", "normative_documents"}
    assert any("本年废止件数" in note for _, note in report.notes)


def test_table_three_whose_header_names_fewer_columns_is_read_by_its_header():
    # gaoling's table 三 printed without 法律服务机构, header and rows alike
    lines = _lines("gaoling_district_2022_slash_pipe")
    out = []
    for line in lines:
        if line.startswith("商业 企业 |"):
            line = line.replace(" 法律服务机构 |", "")
        elif "|" in line and re.search(r"申请数量 \||予以公开 \||部分公开.*\) \||国家秘密 \||禁止公开 \|", line):
            cells = line.split(" | ")
            first = 2 if "予以公开" in line or "国家秘密" in line else 1
            del cells[first + 4]  # the fifth value: 法律服务机构
            line = " | ".join(cells)
        out.append(line)
    report = sr.read_text("\n".join(out), source="gaoling.txt")
    facts = report.facts.query("section == 'applications'")
    rows = {}
    for item, applicant, value in zip(facts["item"], facts["applicant"], facts["value"]):
        rows.setdefault(item, {})[applicant] = value
    assert rows["new_requests"]["natural_person"] == 66 and rows["new_requests"]["total"] == 66
    assert rows["granted"]["natural_person"] == 66 and math.isnan(rows["granted"]["other_org"])
    assert all("legal_services" not in row for row in rows.values())
    assert any("法律服务机构" in why for why in report.missing.reason)
