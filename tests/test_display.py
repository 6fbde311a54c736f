"""Rich displays of a report and a corpus (JupyterLab HTML and plain repr).

Values are typed from data/raw/shaoyang_city_2020.txt: its tables 二/三/四 print 22, 161
and 15 values (F2019); 规章 0 | 0 | 27; 政府集中采购 46502.47万; table 三's outcome rows add
up to 137 (自然人) and 138 (总计) where （七）总计 prints 139 and 140.
"""

from __future__ import annotations

import io
import re

import nbformat
import pandas as pd
import pytest
from conftest import RAW

import shaoyang_report as sr
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.publish import display
from shaoyang_report.publish.html import MARK_OCR
from shaoyang_report.publish.notebooks import run_notebook

TEXT = (RAW / "shaoyang_city_2020.txt").read_text("utf-8")
HOSTILE = "<script>alert(1)</script>"
FINDING_PERSON = "各项之和为137，（七）总计印为139，不符，相差2"
FINDING_TOTAL = "各项之和为138，（七）总计印为140，不符，相差2"


@pytest.fixture(scope="module")
def report() -> sr.Report:
    return sr.read_report(RAW / "shaoyang_city_2020.txt")


def _tables(html: str) -> list[pd.DataFrame]:
    return pd.read_html(io.StringIO(html))


def test_a_report_displays_its_headline_counts_and_findings(report):
    html = report._repr_html_()
    assert "<b>邵阳市</b> 2020年 · 格式 F2019 · 文件 shaoyang_city_2020.txt" in html
    counts = _tables(html)[0]
    assert list(counts.iloc[0, :3]) == ["22/22", "161/161", "15/15"]
    assert counts["勾稽问题"].item() == 2 and counts["读取问题"].item() == 0
    findings = re.findall(r'<li class="fail">(.*?)</li>', html)
    assert len(findings) == 2
    assert FINDING_PERSON in findings[0] and FINDING_TOTAL in findings[1]
    assert "（总数印于第293行；" in findings[1]  # where （七）总计 140 is printed


def test_a_report_shows_its_printed_tables_in_details_blocks(report):
    html = report._repr_html_()
    summaries = re.findall(r"<details><summary>(.*?)</summary>", html)
    assert summaries[:3] == ["表二 主动公开（22/22）", "表三 依申请公开（161/161）", "表四 复议诉讼（15/15）"]
    assert summaries[3].startswith("正文所述数字 23 项") and '<sup class="mk">*</sup>' in summaries[3]
    active = _tables(html)[1].set_index("Unnamed: 0")
    assert list(active.loc["规章"].iloc[:3]) == [0, 0, 27]
    assert active.loc["规章"].iloc[3:].isna().all(), "cells the row does not print stay blank, not 0"
    assert "46,502.47" in html and "满意率99.94%" in html  # procurement amount; a prose sentence
    assert "<b>*</b> 正文所述数字" in html and MARK_OCR not in html  # no OCR here: no OCR mark


def test_the_plain_repr_has_the_same_headline(report):
    lines = repr(report).splitlines()
    assert lines[0] == ("<Report shaoyang_city_2020> shaoyang_city_2020.txt: 邵阳市 2020年 F2019（表二 22/22, 表三 161/161, "
                        "表四 15/15；正文数字 23 项；勾稽问题 2 项，无法核对 0 项）")
    assert len(lines) == 3 and lines[1].startswith("  ✗ 表三 依申请公开：") and FINDING_PERSON in lines[1]
    assert FINDING_TOTAL in lines[2]


def test_values_read_by_ocr_are_marked(report, monkeypatch):
    facts = report.facts.assign(confidence=pd.Series(pd.NA, index=report.facts.index, dtype="Float64"))
    rules = (facts.section == "active_disclosure") & (facts.row_label == "规章")
    facts.loc[rules, "confidence"] = 0.93
    monkeypatch.setitem(report.__dict__, "facts", facts)
    html = report._repr_html_()
    active = _tables(html)[1].set_index("Unnamed: 0")
    assert list(active.loc["规章"].iloc[:3]) == [f"0{MARK_OCR}", f"0{MARK_OCR}", f"27{MARK_OCR}"]
    assert str(active.loc["规范性文件"].iloc[0]) == "49"  # not OCR'd: no mark
    assert f"<b>{MARK_OCR}</b> 由图像识别（OCR）读出的数值" in html
    facts["confidence"] = pd.NA  # the column present but empty: no mark
    assert MARK_OCR not in report._repr_html_()


def _hostile_text() -> str:
    needle = "市长信箱共受理各类信件1718件,"
    assert needle in TEXT
    return TEXT.replace(needle, needle[:-1] + HOSTILE + ",").replace(
        "邵阳市2020年政府信息公开工作年度报告", f"邵阳市{HOSTILE}2020年政府信息公开工作年度报告", 1)


def test_text_from_the_report_is_escaped():
    report = sr.read_text(_hostile_text(), source="evil.txt", report_id="evil_2020")
    corpus = Corpus()
    corpus.add(report)
    for html in (report._repr_html_(), corpus._repr_html_()):
        assert "<script" not in html
    html = report._repr_html_()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # it was there, shown as text


def test_a_corpus_lists_each_report_with_counts_and_totals_findings():
    corpus = sr.read_reports(RAW, progress=False)
    html = corpus._repr_html_()
    headline = "语料：12 份报告（9 个机构，2019—2023年），数值"  # data/raw/catalog.csv: 12 rows, 9 agencies
    assert headline in html and "勾稽问题合计 2 项，无法读取的文件 0 个" in html
    listing = _tables(html)[0]
    assert len(listing) == 12
    row = listing[listing["报告"] == "shaoyang_city_2020"].iloc[0]
    assert (row["机构"], row["年份"], row["格式"]) == ("邵阳市", 2020, "F2019")
    assert list(row[["表二（读入/应有）", "表三（读入/应有）", "表四（读入/应有）"]]) == ["22/22", "161/161", "15/15"]
    assert row["勾稽问题"] == 2
    assert FINDING_TOTAL in html and "more" not in html
    plain = repr(corpus).splitlines()
    assert plain[0].startswith(f"<Corpus> {headline}") and plain[0].endswith("勾稽问题合计 2 项，无法读取的文件 0 个")
    assert len(plain) == 13 and any(line.startswith("  shaoyang_city_2020.txt: 邵阳市 2020年 F2019") for line in plain)


def test_a_long_corpus_is_truncated():
    corpus = Corpus()
    for i in range(display.MAX_ROWS + 5):
        corpus.add(sr.read_text(TEXT, source=f"r{i:02}.txt", report_id=f"r{i:02}"))
    html = corpus._repr_html_()
    assert len(_tables(html)[0]) == display.MAX_ROWS
    assert "… 5 more" in html and f"勾稽问题合计 {2 * (display.MAX_ROWS + 5)} 项" in html
    assert f"… {2 * (display.MAX_ROWS + 5) - display.MAX_ROWS} more" in html  # the findings list too
    lines = repr(corpus).splitlines()
    assert lines[-1] == "  … 5 more" and len(lines) == display.MAX_ROWS + 2


@pytest.mark.slow
def test_report_and_corpus_render_as_html_in_a_notebook(tmp_path):
    (tmp_path / "evil.txt").write_text(_hostile_text(), "utf-8")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import shaoyang_report as sr"),
        nbformat.v4.new_code_cell(f"sr.read_report({str(RAW / 'shaoyang_city_2020.txt')!r})"),
        nbformat.v4.new_code_cell(f"sr.read_reports({str(RAW)!r}, progress=False)"),
        nbformat.v4.new_code_cell(f"sr.read_report({str(tmp_path / 'evil.txt')!r})"),
    ])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "display.ipynb")
    ran = run_notebook(tmp_path / "display.ipynb")
    html = [o.data.get("text/html", "") for c in ran.cells for o in c.outputs if "data" in o]
    assert len(html) == 3 and all(html)
    shown_report, shown_corpus, shown_hostile = html
    for expected in ("<b>邵阳市</b> 2020年", "F2019", "161/161", FINDING_TOTAL, "<details>"):
        assert expected in shown_report
    for expected in ("语料：12 份报告", "shaoyang_city_2020", "161/161", "勾稽问题合计 2 项"):
        assert expected in shown_corpus
    assert "<script" not in shown_hostile and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown_hostile
