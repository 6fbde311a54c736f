"""Agency, year and their provenance (issue 9, item 6).

The real excerpts (``../shared/reports/excerpts``) carry the agency as printed and the
year in their JSON; every rule also has a small synthetic case here.
"""

from __future__ import annotations

import json

import pytest
from conftest import SHARED_REPORTS

import shaoyang_report as sr
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.read.entry import CatalogEntry
from shaoyang_report.read.metadata import Evidence, read_metadata
from shaoyang_report.read.readers import load_document
from shaoyang_report.read.readers.text_reader import text_document

EXCERPTS = SHARED_REPORTS / "excerpts"
WEAK = {"prose", "publication date"}


def _excerpts() -> list[str]:
    if not EXCERPTS.is_dir():
        pytest.fail(f"real corpus folder missing: {EXCERPTS}")
    names = sorted(p.stem for p in EXCERPTS.glob("*.json"))
    assert len(names) >= 30
    return names


def _same_agency(read: str | None, expected: str) -> bool:
    """Equal, or equal but for a trailing 人民政府 on one side (渔洋镇 / 渔洋镇人民政府)."""
    return read is not None and read.removesuffix("人民政府") == expected.removesuffix("人民政府")


def _read(path):
    """(printed agency, year, provenance): from the Report, or from the text alone when
    the tables cannot be read yet."""
    try:
        r = sr.read_report(path)
    except ReportFormatError:
        m = read_metadata(load_document(path))
        return m.agency, m.year, m.provenance()
    assert r.summary()["year_basis"] == (r.provenance["year"].describe() if r.provenance["year"] else None)
    return r.agency_printed, r.year, r.provenance


def meta(text: str):
    return read_metadata(text_document(text, "x.txt"))


# --------------------------------------------------------------------------- real excerpts

@pytest.mark.parametrize("name", _excerpts())
def test_excerpt_agency_and_year_as_printed(name):
    expected = json.loads((EXCERPTS / f"{name}.json").read_text(encoding="utf-8"))
    agency, year, provenance = _read(EXCERPTS / f"{name}.txt")
    if expected["agency"] is None:
        assert agency is None, "the text names the body only as 我局/我乡 or not at all"
        assert provenance["agency_printed"] is None
    else:
        assert _same_agency(agency, expected["agency"]), (agency, expected["agency"])
        assert provenance["agency_printed"].basis in {"title", "opening sentence", "prose"}
    assert year == expected["year"]
    if year is None:
        assert provenance["year"] is None
    else:
        ev = provenance["year"]
        assert ev.location and ev.inferred == (ev.basis in WEAK)


def test_excerpt_figures():
    """Every excerpt whose JSON names the agency / year gets it right."""
    agency_right = agency_named = year_right = year_named = 0
    for name in _excerpts():
        expected = json.loads((EXCERPTS / f"{name}.json").read_text(encoding="utf-8"))
        m = read_metadata(load_document(EXCERPTS / f"{name}.txt"))
        if expected["agency"]:
            agency_named += 1
            agency_right += _same_agency(m.agency, expected["agency"])
        if expected["year"]:
            year_named += 1
            year_right += m.year == expected["year"]
    assert (agency_right, year_right) == (agency_named, year_named) == (24, 31)


def test_traditional_agency_keeps_its_script_and_glosses():
    m = read_metadata(load_document(EXCERPTS / "eryou_township_yuanling_2020_trad.txt"))
    assert m.agency == "沅陵縣二酉苗族鄉(xiāng)人民政府"
    assert m.agency_evidence == Evidence("title", "line 1")
    assert m.year_evidence == Evidence("statistics period", "line 8")  # 202011日至1231日


def test_shaoyang_2020_provenance_and_summary(shaoyang_2020):
    r = sr.read_report(shaoyang_2020)
    assert r.provenance["agency"] == r.provenance["agency_printed"] == Evidence("title", "line 1")
    assert r.provenance["year"] == Evidence("statistics period", "line 2")
    assert r.provenance["format"] == Evidence("table labels")
    assert r.summary()["year_basis"] == "statistics period"


# --------------------------------------------------------------------------- titles

@pytest.mark.parametrize(
    ("text", "agency", "year"),
    [
        ("会仪镇人民政府2021年信息公开年度报告", "会仪镇人民政府", 2021),  # no 政府 before 信息公开
        ("衡阳市衡东县杨林镇2023年政府信息公开年度报告", "衡阳市衡东县杨林镇", 2023),  # no 工作
        ("河东镇2021年度政府信息公开工作年度报告", "河东镇", 2021),
        ("云林街道2019年度政府信息公开工作报告", "云林街道", 2019),  # 工作报告 without 年度
        ("示例县审计局2022年政府信息公开年报", "示例县审计局", 2022),
        ("示例县审计局政府信息公开工作2022年度报告", "示例县审计局", 2022),  # year after 工作
        ("示例县人民政府政府信息公开工作2022年度报告", "示例县人民政府", 2022),
        ("2024年上海市科委政府信息公开工作", "上海市科委", 2024),  # year first, 年度报告 on the next line
        ("uedbet体育_uedbet官网@:西柳镇人民政府2023年政府信息公开工作年度报告", "西柳镇人民政府", 2023),
        ("当前位置：首页 > 政府信息公开 > 年度报告 云林街道2019年度政府信息公开工作报告", "云林街道", 2019),
        ("示例县２０２２年政府信息公开工作年度报告", "示例县", 2022),  # full-width digits
        ("本溪市2022年政府信息公开工作年度报告", "本溪市", 2022),  # 本 here is no pronoun
        ("全州县人民政府2022年政府信息公开工作年度报告", "全州县人民政府", 2022),
        ("贵阳市审计局2022年政府信息公开工作年度报告", "贵阳市审计局", 2022),
    ],
)
def test_title_line(text, agency, year):
    m = meta(f"{text}\n一、总体情况\n")
    assert (m.agency, m.year) == (agency, year)
    assert m.agency_evidence == m.year_evidence == Evidence("title", "line 1")


def test_title_after_site_chrome_and_breadcrumb_lines():
    m = meta("登录 |   注册\n您当前的位置:首页 > 云林街道 > 政府信息公开 > 年度报告\n发布日期:2020-02-20  分享到:\n"
             "云林街道2019年度政府信息公开工作报告\n云林街道2019年度政府信息公开工作报告\n一、总体情况\n")
    assert (m.agency, m.year, m.title) == ("云林街道", 2019, "云林街道2019年度政府信息公开工作报告")
    assert m.agency_evidence == Evidence("title", "line 4")  # not the breadcrumb, not the date


def test_breadcrumb_item_alone_is_no_title():
    m = meta("当前页面:\n首页\n> 政务公开\n> 乡镇信息公开年度报告\n一、总体情况\n我镇积极推进公开。\n")
    assert m.agency is None and m.year is None


@pytest.mark.parametrize(
    ("lines", "agency", "year", "where"),
    [
        (["左贡县人民政府2021年度", "信息公开年度报告"], "左贡县人民政府", 2021, "line 3-4"),
        (["西安市閻良區機關事務服務中心", "政府信息公開工作2021年度報告"], "西安市閻良區機關事務服務中心", 2021, "line 3-4"),
        (["邵阳市人民政府办公室", "2020年政府信息公开工作年度报告"], "邵阳市人民政府办公室", 2020, "line 3-4"),
    ],
)
def test_title_over_two_lines(lines, agency, year, where):
    m = meta("瀏覽次數:次\n左贡县人民政府\n" + "\n".join(lines) + "\n一、总体情况\n")
    assert (m.agency, m.year) == (agency, year)
    assert m.agency_evidence == Evidence("title", where)


def test_title_without_year_takes_the_year_from_the_period():
    m = meta("示例县审计局政府信息公开工作年度报告\n本报告统计期限从2022年1月1日至12月31日止。\n一、总体情况\n")
    assert (m.agency, m.year) == ("示例县审计局", 2022)
    assert m.agency_evidence.basis == "title" and m.year_evidence == Evidence("statistics period", "line 2")


def test_title_without_year_and_no_other_year_gives_none():
    m = meta("示例县审计局政府信息公开工作年度报告\n一、总体情况\n我局积极推进政府信息公开工作。\n")
    assert (m.agency, m.year, m.year_evidence) == ("示例县审计局", None, None)


def test_pronoun_title_gives_its_year_but_no_agency():
    m = meta("本局2021年政府信息公开工作年度报告\n一、总体情况\n")
    assert (m.agency, m.year, m.year_evidence) == (None, 2021, Evidence("title", "line 1"))


# --------------------------------------------------------------------------- opening sentence

@pytest.mark.parametrize(
    ("sentence", "agency", "year"),
    [
        ("按照《条例》、以及省、市uedbet体育_uedbet官网@:做好 2023 年政府信息公开工作年度报告编制发布等工作的具体工作要求,"
         "现编制形成了《uedbet体育_uedbet官网@:西柳镇人民政府2023年政府信息公开工作年度报告》。", "西柳镇人民政府", 2023),
        ("根據《條例》規定,現將北坡鎮2022年政府信息公開工作年度報告進行公開。", "北坡鎮", 2022),
        ("根据《条例》,特向社会公布渔洋镇人民政府2022年度信息公开工作年度报告。", "渔洋镇人民政府", 2022),
        ("根据有关规定,现公布2021年北塔区政府信息公开工作年度报告。", "北塔区", 2021),
        ("现将邵阳经开区2021年度政府信息公开情况公布如下:", "邵阳经开区", 2021),
    ],
)
def test_report_named_in_the_opening_sentence(sentence, agency, year):
    m = meta(f"{sentence}\n一、总体情况\n2020年,我镇认真落实。\n")
    assert (m.agency, m.year) == (agency, year)
    assert m.agency_evidence == m.year_evidence == Evidence("opening sentence", "line 1")


def test_a_notice_about_the_report_names_no_agency():
    m = meta("根据《关于做好2024年政府信息公开工作年度报告编制和发布工作的通知》文件精神,我乡严格按照要求。\n一、总体情况\n")
    assert m.agency is None


# --------------------------------------------------------------------------- statistics period

@pytest.mark.parametrize(
    "period",
    [
        "本报告的统计数据时限为202011日至1231日",
        "本报告中所列数据的统计期限自20201月1日起至202012月31日止",
        "统计期限从2020年1月1日至12月31止",
        "本報告的統(tǒng)計數(shù)據(jù)時限為2020年1月1日至2020年12月31日",
    ],
)
def test_statistics_period_even_without_separators(period):
    m = meta(f"示例乡2019年政府信息公开工作年度报告\n一、总体情况\n{period}。\n")
    assert m.year == 2020  # the period beats the title
    assert m.year_evidence == Evidence("statistics period", "line 3")


# --------------------------------------------------------------------------- prose

@pytest.mark.parametrize(
    ("paragraph", "agency"),
    [
        ("2020年,区发改局以习近平新时代中国特色社会主义思想为指导,全面贯彻党的十九大精神。", "区发改局"),
        ("2021年,开发区管委会政务信息工作紧紧围绕区委区政府中心工作。", "开发区管委会"),
        ("2022年度,区秦岭保护局全面贯彻落实区委、区政府的各项工作部署。", "区秦岭保护局"),
        ("2025年度,西安市阎良区信访局认真贯彻落实《中华人民共和国政府信息公开条例》。", "西安市阎良区信访局"),
        ("2022年以来,丰收乡在县委县政府的正确领导下,认真围绕重点工作。", "丰收乡"),
        ("2023年,在区委、区政府的坚强领导下,官洲街道办事处认真贯彻落实《条例》。", "官洲街道办事处"),
        ("2022年,按照省、市政务公开办公室工作要求,围绕区委、区政府工作重点,在市电子政务办精心指导下,高陵区紧扣工作重点。", "高陵区"),
        ("2023年,审计局紧紧围绕县委、县政府中心工作。", "审计局"),
        ("2021年,區機關事務服務中心深入貫徹落實《條例》。", "區機關事務服務中心"),
        ("2020年,二酉苗族鄉(xiāng)认真落实《条例》。", "二酉苗族鄉(xiāng)"),
        ("2021年,经开区管委会认真贯彻落实《条例》。", "经开区管委会"),  # 经 is no preposition here
        ("2023年,自然资源局以公开为常态、不公开为例外。", "自然资源局"),
        ("(一)主动公开情况。2023年,示例县审计局主动公开信息52条。", "示例县审计局"),  # run-in heading
    ],
)
def test_agency_from_the_first_clause_of_the_overview(paragraph, agency):
    m = meta(f"一、总体情况\n{paragraph}\n二、主动公开政府信息情况\n")
    assert m.agency == agency
    assert m.agency_evidence == Evidence("prose", "line 2", inferred=True)
    assert m.year_evidence.basis == "prose" and m.year_evidence.inferred


@pytest.mark.parametrize(
    "paragraph",
    [
        "2019年,我局按照《条例》规定和市政府办公室有关要求,认真落实。",
        "2019年,我乡明确专人负责政务内网及政务公开工作。",
        "本局2023年度未收到信息公开申请。",
        "2021年,全区各级各部门认真贯彻落实《条例》。",
        "该局高度重视政府信息公开工作。",
        "2019年度街道受理信息公开申请0件。",
        "2019年度街道发生针对本部门有关政府信息公开事务的行政复议案0件。",
        "2021年以来,在县委、县政府的坚强领导下,镇党委、政府高度重视政府信息公开工作。",
        "2021年,在区委、区政府的正确领导下,按照《条例》的相关要求,紧密结合实际,我局高度重视政府信息公开工作。",
        "县人民政府高度重视政府信息公开工作。",
        "2022年,全州各级各部门认真贯彻落实《条例》。",
        "2022年,各部门认真贯彻落实《条例》。",
        "2022年,本单位认真贯彻落实《条例》。",
    ],
)
def test_pronouns_and_bare_levels_are_no_agency(paragraph):
    assert meta(f"一、总体情况\n{paragraph}\n二、主动公开政府信息情况\n").agency is None


def test_prose_after_the_overview_is_not_read():
    m = meta("一、总体情况\n我局积极推进公开。\n二、主动公开政府信息情况\n2023年,审计局紧紧围绕中心工作。\n")
    assert (m.agency, m.year) == (None, None)


def test_prose_year_is_the_most_frequent_sentence_opening_year():
    m = meta("一、总体情况\n(一)主动公开情况。2023年,我局主动公开信息52条。\n"
             "(二)依申请公开情况。2023年,未收到申请。\n"
             "(三)政府信息管理情况。2022年,我局制定规范性文件0件。截至2021年底,我局尚无申请。\n"
             "二、主动公开政府信息情况\n")
    assert m.year == 2023
    assert m.year_evidence == Evidence("prose", "line 2", inferred=True)


def test_period_end_in_prose_counts():
    m = meta("一、总体情况\n(一)主动公开信息情况。本年度我局门户网站不断充实内容。截止2023年12月31日我局发布信息34条。\n")
    assert (m.year, m.year_evidence.basis) == (2023, "prose")


def test_title_year_beats_a_wrong_year_in_prose():
    m = meta("渔洋镇2022年政府信息公开工作年度报告\n一、总体情况\n2021年,我镇积极推进。\n2021年,我镇认真落实。\n")
    assert (m.year, m.year_evidence.basis) == (2022, "title")


# --------------------------------------------------------------------------- publication date

@pytest.mark.parametrize(
    ("line", "year"),
    [
        ("发布时间:2024-01-30", 2023),
        ("发布日期:2021-01-29 10:17", 2020),
        ("发布时间:2022年01月30日 15:52", 2021),
        ("(2022年1月)", 2021),
        ("2022-01-29 10:27:52 陆丰市人民政府办公室 字体:", 2021),
    ],
)
def test_publication_date_gives_the_year_before_marked_inferred(line, year):
    m = meta(f"{line}\n一、总体情况\n我局积极推进公开。\n")
    assert m.year == year
    assert m.year_evidence == Evidence("publication date", "line 1", inferred=True)


def test_prose_year_beats_the_publication_date():
    m = meta("发布时间:2024-06-30\n一、总体情况\n2022年,我局积极推进公开。\n")
    assert (m.year, m.year_evidence.basis) == (2022, "prose")


def test_summary_says_the_year_is_inferred():
    r = sr.read_text("发布时间:2024-01-30\n一、总体情况\n我局积极推进政府信息公开工作。\n", source="x.txt")
    assert r.year == 2023
    assert r.summary()["year_basis"] == "publication date (inferred)"
    assert r.provenance["year"] == Evidence("publication date", "line 1", inferred=True)
    assert r.provenance["agency"] is None and r.provenance["format"] == Evidence("year")


def test_catalog_year_beats_an_inferred_year_not_a_stated_one():
    entry = CatalogEntry("x", "示例县审计局", 2022)
    inferred = sr.parse_document(text_document("一、总体情况\n2023年,审计局紧紧围绕中心工作。\n", "x.txt"),
                                 catalog_entry=entry)
    assert (inferred.year, inferred.summary()["year_basis"]) == (2022, "catalog")
    assert inferred.provenance["agency"] == Evidence("catalog")
    assert inferred.provenance["agency_printed"] == Evidence("prose", "line 2", inferred=True)
    stated = sr.parse_document(text_document("审计局2023年政府信息公开工作年度报告\n一、总体情况\n", "x.txt"),
                               catalog_entry=entry)
    assert (stated.year, stated.summary()["year_basis"]) == (2023, "title")


# --------------------------------------------------------------------------- printed text

def test_printed_agency_is_cut_from_the_original_line():
    # NFKC changes 「⽂」 (a Kangxi radical) into 文 and full-width digits into ASCII:
    # the match is in normalised text, the name is reported as printed.
    m = meta("示例县⽂化局　２０２２年政府信息公开工作年度报告\n")
    assert (m.agency, m.year) == ("示例县⽂化局", 2022)
