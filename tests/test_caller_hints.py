"""What the text lacks, the caller may say; the format from table labels alone; empty templates (issue 19, item 6).

Real texts: the 32 excerpts of ``../shared/reports/excerpts`` (their JSON gives the format,
agency and year typed by hand), ``xuwen_bureau_noyear_blanks.txt`` (prints no year and no
agency), the pre-2019 pages and blank forms of ``../shared/reports/pre2019``; small texts
built here for each rule.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from conftest import SHARED_REPORTS, cli_command

import shaoyang_report as sr
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.read.entry import CallerHints, CatalogEntry
from shaoyang_report.read.format_labels import distinguishing_labels, format_evidence, format_signs
from shaoyang_report.read.metadata import Evidence
from shaoyang_report.read.readers import load_document
from shaoyang_report.read.readers.text_reader import text_document
from shaoyang_report.read.sections import split_sections

EXCERPTS = SHARED_REPORTS / "excerpts"
PRE2019 = SHARED_REPORTS / "pre2019"
XUWEN = EXCERPTS / "xuwen_bureau_noyear_blanks.txt"


def _excerpts() -> list[str]:
    if not EXCERPTS.is_dir():
        pytest.fail(f"real corpus folder missing: {EXCERPTS}")
    return sorted(p.stem for p in EXCERPTS.glob("*.json"))


def _typed(name: str) -> dict:
    return json.loads((EXCERPTS / f"{name}.json").read_text(encoding="utf-8"))


def _tables_only(path) -> str:
    """A real excerpt from its first table heading on, without the lines that print a year
    (prose between the tables, a project named with its year): no title, no period, no year."""
    doc = load_document(path)
    start = min(b[0] for s, b in split_sections(doc).items() if s != "overview")
    return "\n".join(line.text for line in doc.lines[start:] if not re.search(r"(19|20)\d\d", line.text))


# --------------------------------------------------------------------------- the format from labels alone

def test_the_labels_that_tell_the_formats_apart_come_from_the_layout():
    signs = format_signs()
    rows = {(s.format, s.label_zh) for s in signs["active_disclosure"].rows}
    assert rows == {("F2019", "其他对外管理服务事项"), ("F2019", "政府集中采购"), ("F2019", "第二十条第（九）项")}
    # F2021 may print (六)其他处理 as a group of three sub-rows, F2019 only as one row
    assert {s.format for s in signs["applications"].rows} == {"F2021"} and len(signs["applications"].rows) == 3
    blocks = {b.block: ({k: cs.name for k, cs in b.sets.items()}, b.shape) for b in signs["active_disclosure"].blocks}
    assert blocks["第二十条第（五）项"] == ({"F2019": "items_F2019", "F2021": "decisions_F2021"}, True)
    assert blocks["第二十条第（八）项"] == ({"F2019": "fees_F2019", "F2021": "fees_F2021"}, True)
    assert blocks["第二十条第（一）项"][1] is False  # three columns in both formats: fixes no shape
    assert not signs["review_litigation"].rows and not signs["review_litigation"].blocks
    labels = distinguishing_labels(limit=20)
    assert "上一年项目数量" in labels["F2019"] and "本年收费金额（单位：万元）" in labels["F2021"]
    assert not hasattr(sr.layout.get_layout().formats["F2019"], "markers")  # no hand list


@pytest.mark.parametrize("name", _excerpts())
def test_every_excerpt_cut_to_its_tables_gets_its_format_from_the_labels(name):
    """No title, period or prose year left: the labels alone give the format typed in the JSON."""
    text = _tables_only(EXCERPTS / f"{name}.txt")
    report = sr.read_text(text, source=f"{name}.txt")
    assert (report.year, report.template, report.template_basis) == (None, _typed(name)["format"], "table labels")


@pytest.mark.parametrize(("text", "expected", "label"), [
    ("二、主动公开政府信息情况\n第二十条第(八)项 |\n信息内容 | 本年收费金额(单位:万元) |\n行政事业性收费 | 0 |",
     "F2021", "本年收费金额（单位：万元）"),
    ("二、主动公开政府信息情况\n第二十条第(八)项 |\n信息内容 | 上一年项目数量 | 本年增/减 |\n行政事业性收费 | 0 | 0 |",
     "F2019", "上一年项目数量 | 本年增/减"),
    # a header the text ends after, before its row
    ("二、主动公开政府信息情况\n第二十条第(五)项\n信息内容\n上一年项目数量\n本年增\\减\n处理决定数量",
     "F2019", "上一年项目数量 | 本年增/减 | 处理决定数量"),
    ("二、主动公开政府信息情况\n第二十条第(五)项 |\n信息内容 | 本年处理决定数量 |\n行政许可 | 3 |", "F2021", "本年处理决定数量"),
    ("三、收到和处理政府信息公开申请情况\n(六)其他处理\n1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
     "F2021", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
])
def test_a_label_only_one_format_prints_tells_the_format_without_a_year(text, expected, label):
    report = sr.read_text(text, source="x.txt")
    assert (report.year, report.template, report.template_basis) == (None, expected, "table labels")
    assert format_evidence(report.document).seen == {expected: [label]}


def test_block_one_headers_decide_only_when_nothing_else_does():
    """Block (一) prints three columns in both formats (an F2021 table may print the F2019 headers)."""
    block = "二、主动公开政府信息情况\n第二十条第(一)项 |\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n规章 | 0 | 0 | 0 |"
    alone = sr.read_text(block, source="x.txt")
    assert (alone.template, alone.template_basis) == ("F2021", "table headers")
    dated = sr.read_text("统计期限从2020年1月1日至12月31日。\n" + block, source="x.txt")
    assert (dated.year, dated.template, dated.template_basis) == (2020, "F2019", "year")
    said = sr.read_text(block, source="x.txt", format="F2019")
    assert (said.template, said.template_basis) == ("F2019", "caller")


def test_the_refusal_says_what_was_looked_for():
    shared_only = "二、主动公开政府信息情况\n规章 | 0 | 0 | 0 |\n行政许可 | 0 |"
    with pytest.raises(ReportFormatError) as caught:
        sr.read_text(shared_only, source="x.txt")
    message = str(caught.value)
    assert "the table labels printed fit both formats" in message and "the text prints no year" in message
    assert "上一年项目数量" in message and "本年处理决定数量" in message and "--format/--year" in message
    assert "no table labels" not in message
    both = ("二、主动公开政府信息情况\n第二十条第(五)项 |\n信息内容 | 本年处理决定数量 |\n行政许可 | 0 |\n"
            "第二十条第(八)项 |\n信息内容 | 上一年项目数量 | 本年增/减 |\n行政事业性收费 | 0 | 0 |")
    with pytest.raises(ReportFormatError, match=r"labels of both formats, as many of each \(F2019: 上一年项目数量 \| "
                                                r"本年增/减; F2021: 本年处理决定数量\)"):
        sr.read_text(both, source="x.txt")


def test_real_pre2019_pages_are_read_as_the_format_before_the_tables():
    # (issue 25: they were refused for lacking the 2019 tables.) A 2009 notice with a blank statistics
    # form of the old kind and no year of its own: told by its old headings, read as F2008
    notice = sr.read_report(PRE2019 / "putian_2009_notice_table_template.txt")
    assert (notice.template, notice.template_basis, notice.year) == ("F2008", "old headings", None)
    assert notice.missing.empty and notice.summary()["statistics"] == 34  # 17 rows × 2 columns, every cell blank
    # a 2013 report: its year tells the format before the tables
    report = sr.read_report(PRE2019 / "daoxian_culture_bureau_2013.txt")
    assert (report.template, report.template_basis, report.year) == ("F2008", "year", 2013)
    # a blank statistics form alone (附件3 …统计报表): its rows tell it
    form = sr.read_report(PRE2019 / "dingxi_stats_form_template.txt")
    assert (form.template, form.template_basis) == ("F2008", "old statistics table")
    # the caller may still say the format: nothing of it is printed, and the report says so
    said = sr.read_report(PRE2019 / "putian_2009_notice_table_template.txt", format="F2019")
    assert said.provenance["format"] == Evidence("caller") and said.facts.empty
    assert set(said.missing.section) == {"active_disclosure", "applications", "review_litigation"}


def test_a_text_with_no_year_and_no_mark_of_any_format_is_refused_saying_what_was_looked_for():
    with pytest.raises(ReportFormatError) as caught:
        sr.read_text("二、主动公开政府信息情况\n本机关全年主动公开政府信息12条。", source="x.txt")
    message = str(caught.value)
    assert "the table sections print no table label" in message and "the text prints no year" in message
    assert "F2008: 2008–2018" in message and "三、依申请公开政府信息情况" in message
    with pytest.raises(ReportFormatError, match="not a 政府信息公开工作年度报告.*附表 政府信息公开情况统计表"):
        sr.read_text("本机关全年主动公开政府信息12条。", source="x.txt")


# --------------------------------------------------------------------------- what the caller says

def test_a_real_excerpt_without_year_or_agency_takes_the_callers():
    plain = sr.read_report(XUWEN)
    assert (plain.agency, plain.year, plain.template) == (None, None, "F2021")
    given = sr.read_report(XUWEN, year=2021, agency="徐闻县某局", format="F2021")
    assert (given.agency, given.agency_printed, given.year, given.template) == ("徐闻县某局", None, 2021, "F2021")
    assert given.provenance == {"agency": Evidence("caller"), "agency_printed": None, "year": Evidence("caller"),
                                "format": Evidence("table labels")}
    assert given.summary()["year_basis"] == "caller" and set(given.facts.year) == {2021}
    # the values are the same as read without hints (typed in the JSON)
    typed = _typed("xuwen_bureau_noyear_blanks")["table2"]
    facts = given.facts[given.facts.section == "active_disclosure"]
    assert {f"{r.item}/{r.measure}": r.value for r in facts.itertuples()} == typed
    assert given.notes == plain.notes  # nothing the text says was contradicted


def test_what_the_text_states_is_kept_and_the_disagreement_is_a_note(shaoyang_2020):
    report = sr.read_report(shaoyang_2020, year=2021, format="F2021", agency="长沙市")
    assert (report.year, report.template, report.agency_printed) == (2020, "F2019", "邵阳市")
    assert report.agency == "长沙市"  # the compared name, as a catalog's would be
    assert report.provenance["year"] == Evidence("statistics period", "line 2")
    assert report.provenance["agency"] == Evidence("caller")
    notes = dict((message.split(";")[0], (where, message)) for where, message in report.notes)
    assert notes["the caller gives the year 2021"] == (
        "line 2", "the caller gives the year 2021; the text states 2020 (statistics period): 2020 is used")
    where, message = notes["the caller gives the format F2021"]
    assert message.startswith("the caller gives the format F2021; the tables print labels only F2019 prints (")
    assert "其他对外管理服务事项" in message and message.endswith("): read as F2019")
    assert notes["the caller gives the agency 长沙市"][0] == "line 1"
    # a name the printed one holds is no disagreement
    same = sr.read_report(shaoyang_2020, agency="邵阳市人民政府")
    assert not any("caller" in message for _, message in same.notes)
    # the values read are the same
    assert report.facts.drop(columns=["agency", "year"]).equals(
        sr.read_report(shaoyang_2020).facts.drop(columns=["agency", "year"]))


def test_the_callers_year_replaces_an_inferred_one_and_comes_before_the_catalogs():
    text = "发布时间:2024-01-30\n一、总体情况\n审计局紧紧围绕中心工作。\n"
    inferred = sr.read_text(text, source="x.txt")
    assert (inferred.year, inferred.summary()["year_basis"]) == (2023, "publication date (inferred)")
    given = sr.read_text(text, source="x.txt", year=2022)
    assert (given.year, given.template, given.template_basis) == (2022, "F2021", "year (caller)")
    assert given.notes == [("line 1", "the caller gives the year 2022, used; the text lets 2023 be inferred "
                                      "(publication date)")]
    entry = CatalogEntry("x", "示例县审计局", 2020)
    catalog = sr.parse_document(text_document(text, "x.txt"), catalog_entry=entry)
    assert (catalog.year, catalog.template, catalog.template_basis) == (2020, "F2019", "year (catalog)")
    both = sr.parse_document(text_document(text, "x.txt"), catalog_entry=entry, year=2022, agency="审计局")
    assert (both.year, both.agency, both.template) == (2022, "审计局", "F2021")
    assert both.provenance["year"] == both.provenance["agency"] == Evidence("caller")


def test_the_callers_format_comes_before_the_years():
    text = "统计期限从2022年1月1日至12月31日。\n一、总体情况\n我局积极推进。\n"
    report = sr.read_text(text, source="x.txt", format="f2019")
    assert (report.year, report.template, report.template_basis) == (2022, "F2019", "caller")
    assert report.notes == [("", "the tables are read as F2019, as the caller says, in a 2022 report")]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"format": "F2020"}, "format must be one of F2019, F2021"),
    ({"year": "二〇二一"}, "year must be a year"),
    ({"year": True}, "year must be a year"),
    ({"year": 21}, "year must be a year"),
    ({"agency": "  "}, "agency must be a name"),
])
def test_a_hint_that_is_none_is_refused_before_reading(kwargs, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        sr.read_report(tmp_path / "not read.txt", **kwargs)
    with pytest.raises(ValueError, match=message):
        sr.read_reports([XUWEN], progress=False, **kwargs)
    assert CallerHints.of() is None


def test_read_reports_passes_the_hints_to_every_file():
    corpus = sr.read_reports([XUWEN], progress=False, year=2021, agency="徐闻县某局")
    row = corpus.reports.iloc[0]
    assert (row.agency, row.year, row.year_basis, row.agency_printed) == ("徐闻县某局", 2021, "caller", None)
    assert set(corpus.facts.year) == {2021}


def test_cli_check_and_parse_take_year_agency_and_format(tmp_path):
    import subprocess

    check = subprocess.run([*cli_command(), "check", "--year", "2021", "--agency", "徐闻县某局", "--format", "f2021",
                            str(XUWEN)], capture_output=True, text=True, encoding="utf-8")
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines()[0].startswith("xuwen_bureau_noyear_blanks.txt: 徐闻县某局 2021年 F2021（表二 10/10")
    out = tmp_path / "facts.csv"
    parse = subprocess.run([*cli_command(), "parse", "--year", "2021", "-o", str(out), str(XUWEN)],
                           capture_output=True, text=True, encoding="utf-8")
    assert parse.returncode == 0, parse.stderr
    import pandas as pd

    assert set(pd.read_csv(out).year) == {2021}
    wrong = subprocess.run([*cli_command(), "check", "--format", "F2020", str(XUWEN)], capture_output=True, text=True,
                           encoding="utf-8")
    assert wrong.returncode == 2 and "invalid choice: 'F2020'" in wrong.stderr


# --------------------------------------------------------------------------- a page's <title>

_TITLED = ["damiao_township_zhushan_2024", "gaoling_approval_bureau_2021_slash", "hedong_town_lufeng_2021_5col",
           "jinzi_township_chengbu_2021_f2019_yuan", "huiyi_town_suijiang_2021_typo",
           "zhongshan_street_qiaoxi_2021"]


@pytest.mark.parametrize("name", _TITLED)
def test_a_pages_title_element_is_a_title(name, tmp_path):
    """A real excerpt whose first line is its title, saved as a page with that title only in <title>."""
    first, *rest = (EXCERPTS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    body = "".join(f"<p>{html.escape(line)}</p>" for line in rest)
    page = tmp_path / f"{name}.html"
    page.write_text(f"<html><head><title>{html.escape(first)}_政务公开</title></head><body>{body}</body></html>",
                    encoding="utf-8")
    report = sr.read_report(page)
    typed = _typed(name)
    assert (report.agency_printed, report.year) == (typed["agency"], typed["year"])
    assert report.provenance["agency_printed"] == Evidence("title", "<title>")
    assert report.document.title.text == f"{first}_政务公开"
    # without the <title>, the page does not give that agency from a title
    page.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    untitled = sr.read_report(page)
    assert untitled.provenance["agency_printed"] is None or untitled.provenance["agency_printed"].basis != "title"


def test_a_site_name_title_names_no_agency():
    from shaoyang_report.read.readers.html_reader import read_html

    doc = read_html("<html><head><title>首页 - 某某县人民政府网</title></head><body><p>一、总体情况</p>"
                    "<p>我局积极推进公开。</p></body></html>".encode(), "p.html")
    assert doc.title.location == "<title>"
    assert sr.parse_document(doc, format="F2021").agency is None


# --------------------------------------------------------------------------- empty templates

def _blank_numbers(text: str) -> str:
    """The text with every number in its tables removed: the cells stay, empty."""
    head, sep, tables = text.partition("二、主动公开政府信息情况")
    return head + sep + re.sub(r"(?<=\|) [\d.]+ (?=\|)", " ", tables)


def test_a_real_excerpt_with_every_number_taken_out_says_it_is_an_empty_template():
    blank = sr.read_text(_blank_numbers(XUWEN.read_text(encoding="utf-8")), source="blank.txt")
    assert blank.facts.raw.eq("").all() and len(blank.unplaced) == 0
    assert blank.summary()["blank_tables"] == "active_disclosure,applications"
    headline = repr(blank).splitlines()[0]
    # (row 5.属于三类内部事务信息, cut by the end of the text, has no cell that can be placed: a problem)
    assert "（空白表格，未填任何数值：表二 空白（10 格均未填）, 表三 空白（56 格均未填）, 表四 0/15；" in headline
    assert "表二 10/10" not in headline
    filled = repr(sr.read_report(XUWEN)).splitlines()[0]
    assert "（表二 10/10, 表三 63/161, 表四 0/15；" in filled and "空白" not in filled


def test_a_table_with_a_number_unplaced_is_not_blank():
    """xiongxian prints one 0 after 规章 (its column unknown) and 表三 as labels only."""
    report = sr.read_report(EXCERPTS / "xiongxian_township_2019_sparse.txt")
    assert report.summary()["blank_tables"] == "applications"
    assert "（表二 19/22, 表三 空白（161 格均未填）, 表四 0/15；" in repr(report)


@pytest.mark.parametrize("fmt", ["F2019", "F2021"])
def test_a_complete_empty_template_in_every_layout(fmt):
    import generated_reports as gen

    rep = gen.generate(7, fmt, blank_rate=1.0)
    for layout in gen.TEXT_LAYOUTS:
        report = sr.read_text(gen.to_text(gen.text_lines(rep, layout)), source="t.txt")
        summary = report.summary()
        printed = {s for s in ("active_disclosure", "applications", "review_litigation") if summary[s][0] != "0"}
        assert {"active_disclosure", "applications"} <= printed and len(report.unplaced) == 0, layout
        # (table 四, all blank and a cell per line, is not found in two layouts: listed as missing)
        assert set(summary["blank_tables"].split(",")) == printed, layout
        assert "空白表格，未填任何数值：表二 空白（" in repr(report), layout
        assert "空白（161 格均未填）" in report._repr_html_()
