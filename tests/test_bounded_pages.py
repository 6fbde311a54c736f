"""Briefing pages bounded by what a reader can read, whatever the corpus's size.

The audit page summarises the findings (counted by rule, by agency and by year; the worst
with where they were printed) and links every finding as CSV and Parquet; every table of
the audit and agency pages lists at most ``ROWS_SHOWN`` rows and says how many there are
in all. Here the limits are made small and the corpus is of generated reports whose
totals do not add up (every number is unique), spread over several agencies, so that
every cut happens; the counts are checked against the findings frame, and the Shaoyang
2020 report's two findings (印为139 and 140 where the items sum to 137 and 138) against
what the report prints.
"""

from __future__ import annotations

import re

import generated_reports as gen
import pandas as pd
import pytest
from conftest import RAW

import shaoyang_report as sr
from shaoyang_report.publish import agencies, audit, year_briefing
from shaoyang_report.publish.word import html_rows

SHOWN = 3
PLACES = "青白红黄金"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> sr.Corpus:
    folder = tmp_path_factory.mktemp("generated")
    for seed in range(24):
        report = gen.generate(seed, ("F2019", "F2021")[seed % 2], blank_rate=(0.0, 0.1)[seed % 2])
        text = gen.to_text(gen.text_lines(report, ("cells", "rows", "plain")[seed % 3]))
        text = text.replace(report.agency, f"{PLACES[seed % len(PLACES)]}山{report.agency}")
        (folder / f"g{seed:03d}.txt").write_text(text, encoding="utf-8")
    return sr.read_reports(folder, progress=False)


@pytest.fixture
def small(monkeypatch):
    for module in (audit, agencies, year_briefing):
        monkeypatch.setattr(module, "ROWS_SHOWN", SHOWN)
    monkeypatch.setattr(audit, "WORST", 2)
    monkeypatch.setattr(agencies, "FINDINGS_PER_REPORT", 1)


def _table(page: str, table_id: str) -> list[list[str]]:
    start = page.index(f'id="{table_id}"')
    return html_rows(page[page.rindex("<table", 0, start):page.index("</table>", start) + 8])


def test_the_audit_counts_every_finding_and_lists_the_worst(corpus, small):
    found = corpus.findings
    assert len(found) > 20 and corpus.reports.agency.nunique() > SHOWN  # every cut below happens
    page = audit.audit_findings(corpus)
    by_rule = _table(page, "audit-by-rule")[1:]
    assert sum(int(r[1].replace(",", "")) for r in by_rule) == len(found)
    assert {r[0] for r in by_rule} == set(found.rule_zh)
    by_year = _table(page, "audit-by-year")[1:]
    assert {r[0]: int(r[1].replace(",", "")) for r in by_year} == \
        {f"{y}年": n for y, n in found.groupby("year").size().items()}
    assert len(_table(page, "audit-by-agency")) == 1 + SHOWN
    assert f"共 {found.agency.nunique()} 个机构有不符项" in page
    worst = _table(page, "audit-findings")[1:]
    assert len(worst) == 2
    largest = found.difference.abs().nlargest(2).tolist()
    assert [abs(float(r[5].replace(",", "").replace("+", "").replace("−", "-"))) for r in worst] == largest
    assert 'href="audit-findings.csv"' in page and 'href="audit-findings.parquet"' in page


def test_the_audit_tables_are_cut_and_say_how_many(corpus, small):
    overview = audit.audit_overview(corpus)
    rows = _table(overview, "audit-overview")[1:]
    assert len(rows) == SHOWN
    most = sorted(corpus.reports.findings, reverse=True)[:SHOWN]
    assert sorted((int(r[9]) for r in rows), reverse=True) == most  # the reports with the most findings
    assert f"共 {len(corpus)} 份报告" in overview and 'href="audit-reports.csv"' in overview
    sources = audit.audit_sources(corpus)
    assert len(_table(sources, "audit-sources")) == 1 + SHOWN and f"共 {len(corpus)} 行" in sources
    cross = audit.audit_cross_year(corpus)
    if 'id="audit-cross-year"' in cross and "<table" in cross:
        assert len(_table(cross, "audit-cross-year")) <= 1 + SHOWN
    assert len(year_briefing.sources(corpus).split("<tr>")) - 2 == SHOWN


def test_the_audit_files_hold_every_finding(corpus, tmp_path):
    audit.write_audit(corpus, tmp_path)
    written = pd.read_csv(tmp_path / "audit-findings.csv")
    assert (written.status == "fail").sum() >= len(corpus.findings)
    assert len(pd.read_parquet(tmp_path / "audit-findings.parquet")) == len(written)
    reports = pd.read_csv(tmp_path / "audit-reports.csv")
    assert sorted(reports.report_id) == sorted(corpus.reports.report_id)
    assert reports.findings.sum() == len(corpus.findings)


def test_the_agency_page_is_cut_to_each_agencys_latest_year(corpus, small):
    p = agencies.agency_panel(corpus)
    panel = agencies.panel_table(p)
    assert len(_table(panel, "agency-panel")) == 1 + SHOWN
    assert "每个机构只列最近一年" in panel and "“机构比较”工作表" in panel
    card = agencies.scorecard_table(p)
    assert len(_table(card, "scorecard")) == 1 + SHOWN
    findings = agencies.findings_by_agency(p)
    assert findings.count("<li><b>") == SHOWN
    assert f"共 {corpus.findings.report_id.nunique()} 份报告、{len(corpus.findings)} 项不符" in findings
    assert "另有" in findings  # one finding stated per report, the rest counted


def test_a_year_kept_is_every_agencys_latest():
    frame = pd.DataFrame({"agency": ["甲", "甲", "乙", "乙", "丙"], "agency_id": ["a", "a", "b", "b", "c"],
                          "year": [2020, 2021, 2019, 2022, 2020], "value": range(5)})
    kept, said = agencies.bounded_years(frame, rows=4)
    assert list(kept.value) == [1, 3, 4] and said == {"total": 5, "agencies": 3, "shown": 3, "latest_only": True}
    kept, said = agencies.bounded_years(frame, rows=2)
    assert list(kept.value) == [3, 4]  # the latest years of the first two agencies by name (丙, 乙)
    assert said["shown"] == 2
    kept, said = agencies.bounded_years(frame, rows=5)
    assert kept is frame and not said["latest_only"]


def test_the_shaoyang_findings_summarised():
    page = audit.audit_findings(sr.read_reports(RAW, progress=False))
    assert _table(page, "audit-by-rule")[1:] == [["各项办理结果之和等于（七）总计", "2", "1"]]
    worst = _table(page, "audit-findings")[1:]
    assert sorted((r[3], r[4]) for r in worst) == [("137", "139"), ("138", "140")]
    assert all(re.search(r"总数印于第(287|293)行", r[7]) for r in worst)


def test_a_briefing_workbook_sheet_is_cut_at_its_own_limit(tmp_path):
    import openpyxl

    from shaoyang_report.publish import workbook

    facts = sr.read_reports(RAW, progress=False).facts
    path = workbook.write_workbook(tmp_path / "w.xlsx", facts=facts, facts_files=["facts.parquet"], max_rows=20)
    rows = list(openpyxl.load_workbook(path)["事实 facts"].iter_rows(values_only=True))
    assert len(rows) == 20 and rows[2][facts.columns.get_loc("value")] == facts.value.iloc[0]
    assert "前 17 行" in rows[-1][0] and f"共 {len(facts):,} 行" in rows[-1][0] and "本工作簿每表 20 行的上限" in rows[-1][0]


def test_a_check_message_prints_every_digit_of_large_values():
    """%g printed 1337150 as 1.33715e+06 (six digits, an exponent): a rounded number in a finding."""
    from shaoyang_report.check.checks import message_number

    assert [message_number(v) for v in (1337150.0, 46502.47, 12.5, -56.0, float("nan"))] == \
        ["1337150", "46502.47", "12.5", "-56", "空"]


def test_the_audits_cross_year_checks_are_worked_out_once_for_its_page_and_its_file(tmp_path, monkeypatch):
    calls = []
    real = audit.cross_year_checks
    monkeypatch.setattr(audit, "cross_year_checks", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    corpus = sr.read_reports(RAW, progress=False)
    page = str(audit.audit_cross_year(corpus))
    audit.write_audit(corpus, tmp_path)
    assert calls == ["邵阳市"]  # the one agency of the bundled data with reports in consecutive years
    # 邵阳市 2020 → 2021 as printed: table 三 结转下年度继续办理 总计 0; the 2021 text 上年度结转办理件1件
    assert "2020年结转下年度0件，2021年上年结转1件，不符" in page
    findings = pd.read_csv(tmp_path / audit.FINDINGS_FILE, encoding="utf-8-sig", dtype=str)
    assert "2020→2021" in set(findings.report_id)
    corpus.add(sr.read_report(RAW / "shaoyang_city_2020.txt"))  # a report added: worked out again
    audit.audit_cross_year(corpus)
    assert calls == ["邵阳市", "邵阳市"]
