"""The transparency scorecard (issue 13: 3): one test per criterion, values typed from the documents.

A missing input is "not known" (NaN), never a zero score.
"""

from __future__ import annotations

import math
import shutil

import pandas as pd
import pytest
from conftest import RAW, shared_report

import shaoyang_report as sr
from shaoyang_report.compare.scorecard import criteria, date_line, deadlines, scorecard


@pytest.fixture(scope="module")
def hongze(tmp_path_factory):
    pdfs = [shared_report("huaian/hongze_district_2023.pdf"), shared_report("huaian/hongze_district_2024.pdf")]
    folder = tmp_path_factory.mktemp("hongze")
    catalog = folder / "catalog.csv"
    pd.DataFrame([{"report_id": p.stem, "agency": "洪泽区", "year": int(p.stem[-4:]), "url": "", "local_file": str(p),
                   "completeness": "complete", "note": ""} for p in pdfs]).to_csv(catalog, index=False)
    corpus = sr.read_reports(pdfs, catalog=catalog, progress=False)
    return scorecard(corpus, pdfs).set_index("report_id")


@pytest.fixture(scope="module")
def shaoyang():
    return scorecard(sr.read_reports(RAW, progress=False), RAW).set_index("report_id")


def test_criteria_are_documented_with_source_and_weight():
    keys = [c.key for c in criteria()]
    assert keys == ["on_time", "tables_complete", "arithmetic", "carry_forward", "prose_agrees", "answered_in_year"]
    assert all(c.weight > 0 and c.source_zh and c.computed and c.not_known_when for c in criteria())
    assert deadlines()["department"][:2] == (1, 31) and deadlines()["city"][:2] == (3, 31)


def test_on_time_from_the_pages_date_line(shaoyang):
    # 金紫乡2021年报告: 发布时间:2022-06-17 (a township: deadline 31 January 2022)
    assert shaoyang.loc["chengbu_jinzi_township_2021", "on_time"] == 0
    # 牛马司镇2020年报告: 发布时间:2021-01-20 10:51
    assert shaoyang.loc["shaodong_niumasi_town_2020", "on_time"] == 1
    # the Shaoyang 2020 text prints no date line: not known, not late
    assert math.isnan(shaoyang.loc["shaoyang_city_2020", "on_time"])
    assert shaoyang.loc["shaoyang_city_2020", "on_time_status"] == "not known"
    assert date_line(["(2022年1月)"]) == pd.Timestamp("2022-01-31").date()


def test_on_time_from_the_archives_last_modified(tmp_path):
    raw = tmp_path / "raw"
    (raw / "fetched" / "shaoyang_city_2021").mkdir(parents=True)
    shutil.copy(RAW / "openings" / "shaoyang_city_2021_opening.txt", raw / "fetched" / "shaoyang_city_2021" / "p.txt")
    pd.DataFrame([{"report_id": "shaoyang_city_2021", "agency": "邵阳市", "year": 2021, "url": "",
                   "local_file": "fetched/shaoyang_city_2021/p.txt", "completeness": "opening only", "note": ""}]
                 ).to_csv(raw / "catalog.csv", index=False)
    manifest = raw / "fetched" / "manifest.csv"
    pd.DataFrame([{"report_id": "shaoyang_city_2021", "path": "fetched/shaoyang_city_2021/p.txt",
                   "last_modified": "Tue, 29 Mar 2022 02:00:00 GMT"}]).to_csv(manifest, index=False)
    card = scorecard(sr.read_reports(raw, progress=False), raw).set_index("report_id")
    # 邵阳市 is a city: its own report is due by 31 March 2022
    assert card.loc["shaoyang_city_2021", "on_time"] == 1
    assert "存档记录的页面修改时间 2022-03-29" in card.loc["shaoyang_city_2021", "on_time_evidence"]
    pd.DataFrame([{"report_id": "shaoyang_city_2021", "path": "fetched/shaoyang_city_2021/p.txt",
                   "last_modified": "Mon, 05 Sep 2022 02:00:00 GMT"}]).to_csv(manifest, index=False)
    card = scorecard(sr.read_reports(raw, progress=False), raw).set_index("report_id")
    assert math.isnan(card.loc["shaoyang_city_2021", "on_time"])  # a later edit proves nothing


def test_tables_complete(hongze, shaoyang):
    assert hongze.loc["hongze_district_2023", "tables_complete"] == 1  # 表二 10/10, 表三 161/161, 表四 15/15
    assert shaoyang.loc["shaoyang_city_2020", "tables_complete"] == 1  # 22/22, 161/161, 15/15
    assert math.isnan(shaoyang.loc["beita_district_2021", "tables_complete"])  # an opening: not known, not 0


def test_arithmetic_hongze_2023_table_four_costs_it(hongze, shaoyang):
    # 2023 表四 prints 行政复议 总计 0 for 10+1+0+0 and 复议后起诉 总计 0 for 5+0+0+0
    assert hongze.loc["hongze_district_2023", "arithmetic"] == 0
    assert hongze.loc["hongze_district_2023", "arithmetic_evidence"].startswith("表内勾稽不符 2 项")
    assert hongze.loc["hongze_district_2024", "arithmetic"] == 1
    assert shaoyang.loc["shaoyang_city_2020", "arithmetic"] == 0  # （七）总计 140 against 138


def test_carry_forward_across_years(hongze, shaoyang):
    # 2023 四、结转下年度继续办理 总计 0 = 2024 二、上年结转 总计 0
    assert hongze.loc["hongze_district_2023", "carry_forward"] == 1 == hongze.loc["hongze_district_2024", "carry_forward"]
    # 2020 结转下年度 0, but the 2021 report says 上年度结转办理件1件
    assert shaoyang.loc["shaoyang_city_2020", "carry_forward"] == 0
    assert math.isnan(shaoyang.loc["shaoyang_city_2019", "carry_forward"])


def test_prose_agrees_with_tables(hongze):
    # 2023: 全区受理政府信息公开申请21件 = 表三 新收 21; 2024: 区政府办代表区政府受理…申请17件 is the
    # office's figure (a sub-unit, issue 19), not compared with the district's 表三 新收 95: not known
    assert hongze.loc["hongze_district_2023", "prose_agrees"] == 1
    assert math.isnan(hongze.loc["hongze_district_2024", "prose_agrees"])


def test_answered_in_year_and_the_total(hongze, shaoyang):
    assert hongze.loc["hongze_district_2024", "answered_in_year"] == 1  # 结转下年度 0 of 95 + 0
    assert shaoyang.loc["shaoyang_city_2020", "answered_in_year"] == 1  # 0 of 138 + 2
    row = hongze.loc["hongze_district_2023"]
    # known: tables 20 ×1, arithmetic 20 ×0, carry 10 ×1, prose 10 ×1, answered 20 ×1; on_time not known
    assert row.known_weight == 80 and row.score == pytest.approx(100 * 60 / 80)
    empty = shaoyang.loc["shaoyang_city_office_2020"]  # an opening without date or figures: nothing known
    assert empty.known_weight == 0 and math.isnan(empty.score)
