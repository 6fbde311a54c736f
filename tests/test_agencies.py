"""The agency panel (issue 13: 2) on the real corpus: values typed from the documents.

Table 二 values are those typed by hand in ``excerpts/*.json`` (and checked here against
the printed text); table 四 and prose values were typed from the Hongze PDFs and the
excerpt texts.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import RAW, SHARED_REPORTS, shared_report

import shaoyang_report as sr
from shaoyang_report.compare.agencies import infer_level

EXCERPTS = SHARED_REPORTS / "excerpts"


@pytest.fixture(scope="module")
def excerpts() -> pd.DataFrame:
    files = sorted(EXCERPTS.glob("*.txt"))
    assert len(files) == 32, "the real excerpts are missing"
    return sr.compare_agencies(sr.read_reports(files, progress=False)).set_index("agency")


@pytest.fixture(scope="module")
def hongze(tmp_path_factory) -> pd.DataFrame:
    pdfs = [shared_report("huaian/hongze_district_2023.pdf"), shared_report("huaian/hongze_district_2024.pdf")]
    folder = tmp_path_factory.mktemp("hongze")
    catalog = folder / "catalog.csv"
    pd.DataFrame([{"report_id": p.stem, "agency": "洪泽区", "year": int(p.stem[-4:]), "url": "", "local_file": str(p),
                   "completeness": "complete", "note": "", "level": "county"} for p in pdfs]).to_csv(catalog, index=False)
    corpus = sr.read_reports(pdfs, catalog=catalog, progress=False)
    return sr.compare_agencies(corpus, long=True)


@pytest.mark.parametrize(("agency", "permit", "penalty", "coercion", "fee"), [
    ("高陵区", 84598, 19546, 178, 1627.79),  # gaoling_district_2022_slash_pipe
    ("会仪镇人民政府", 213, 5, 2, 0),  # huiyi_town_suijiang_2021_typo
    ("石家庄市桥西区中山街道办事处", 2910, 46, 0, 0.092),  # zhongshan_street_qiaoxi_2021
    ("官洲街道办事处", 0, 1472, 0, 0),  # guanzhou_street_haizhu_2023
])
def test_table_two_indicators_per_agency(excerpts, agency, permit, penalty, coercion, fee):
    row = excerpts.loc[agency]
    assert (row.permit_decisions, row.penalty_decisions, row.coercion_decisions) == (permit, penalty, coercion)
    assert row.fee_amount == pytest.approx(fee)


def test_prose_and_applications_in_the_panel(excerpts):
    row = excerpts.loc["官洲街道办事处"]  # 通过政府门户网站，主动公开政府信息63条; 表三 一、本年新收 总计 1
    assert (row.information_published, row.applications_received, int(row.year)) == (63, 1, 2023)
    assert math.isnan(excerpts.loc["审计局", "applications_received"])  # 表三 not reached: not stated, not 0


@pytest.mark.parametrize(("agency", "level"), [
    ("官洲街道办事处", "township"), ("会仪镇人民政府", "township"), ("丰收乡", "township"),
    ("高陵区", "county"), ("左贡县人民政府", "county"), ("开发区管委会", "county"),
    ("审计局", "department"), ("西安市阎良区机关事务服务中心", "department"), ("区发改局", "department"),
])
def test_levels_are_inferred_from_names_and_marked(excerpts, agency, level):
    assert excerpts.loc[agency, "level"] == level and bool(excerpts.loc[agency, "level_inferred"])


def test_the_catalog_level_wins():
    assert infer_level("邵阳市") == "city" and infer_level("邵阳县(交通运输局)") == "department"
    assert infer_level("Hongze") is None


def test_hongze_review_litigation_and_correction_rate(hongze):
    value = hongze.set_index(["year", "indicator"]).value
    # 2023 表四: 行政复议 维持10 纠正1 其他0 尚未审结0 总计0 (printed 0); 直接起诉 0…0; 复议后起诉 5 0 0 0 总计0
    assert value[(2023, "review_total")] == 0 and value[(2023, "litigation_after_review_total")] == 0
    assert value[(2023, "correction_rate")] == pytest.approx(100 * 1 / 16, abs=0.01)  # 1 corrected of 16 concluded
    # 2024 表四: 1 1 0 0 2 | 1 0 0 0 1 | 2 0 1 0 3
    assert value[(2024, "review_total")] == 2 and value[(2024, "litigation_direct_total")] == 1
    assert value[(2024, "correction_rate")] == pytest.approx(100 * 1 / 6, abs=0.01)
    assert value[(2023, "permit_decisions")] == 550 and value[(2024, "permit_decisions")] == 9487
    # 在政府网站平台主动公开政府信息1136条 / …2428条: the portal's figure, the only one stated
    assert value[(2023, "information_published")] == 1136 and value[(2024, "information_published")] == 2428
    levels = hongze.drop_duplicates("year").set_index("year")
    assert set(levels.level) == {"county"} and not levels.level_inferred.any()  # from the catalog
    # 2023: two table 四 totals printed 0; 2024: none — the prose's 区政府办代表区政府受理…申请17件 is the
    # office's figure (a sub-unit), not the district's 表三 新收 95 (issue 19)
    assert dict(zip(levels.index, levels.findings)) == {2023: 2, 2024: 0}


def test_one_row_per_agency_for_a_year():
    corpus = sr.read_reports(RAW, progress=False)
    panel = sr.compare_agencies(corpus, year=2020).set_index("agency")
    assert sorted(panel.index) == sorted(["邵阳市", "邵阳市人民政府办公室", "邵东市牛马司镇"])
    # 邵阳市 2020 表四: 2 0 9 2 13 | 2 0 0 0 2 | 2 0 0 0 2: no review or litigation case corrected
    assert panel.loc["邵阳市", "correction_rate"] == 0 and panel.loc["邵阳市", "review_total"] == 13
    assert panel.loc["邵阳市", "completeness"] == "complete" and panel.loc["邵阳市", "findings"] == 2
