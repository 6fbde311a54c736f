"""Comparing years of the bundled Shaoyang data (values typed from the documents)."""

from __future__ import annotations

import pytest
from conftest import RAW

import shaoyang_report as sr


@pytest.fixture(scope="module")
def comparison():
    return sr.compare_years(sr.read_reports(RAW, progress=False), agency="邵阳市")


def _row(comparison, indicator, year):
    return comparison[(comparison.indicator == indicator) & (comparison.year == year)].iloc[0]


def test_years_span_the_catalog(comparison):
    assert sorted(comparison.year.unique()) == [2019, 2020, 2021, 2022, 2023]


def test_2020_table_values_and_2019_values_from_the_2020_report(comparison):
    assert _row(comparison, "permit_decisions", 2020).value == 7591
    assert _row(comparison, "procurement_amount", 2020).value == 46502.47
    permits_2019 = _row(comparison, "permit_items", 2019)
    assert permits_2019.value == 4089 and permits_2019.basis.startswith("derived: 2020 report, 上一年项目数量")
    permits_2020 = _row(comparison, "permit_items", 2020)
    assert permits_2020.value == 4089 - 56 and permits_2020.change_abs == -56
    assert _row(comparison, "fee_items", 2019).value == 37


def test_prose_figures_of_the_openings(comparison):
    published = comparison[comparison.indicator == "information_published"].set_index("year").value
    assert published[2019] == 175213 and published[2020] == 100899 and published[2021] == 33455
    received = _row(comparison, "applications_received", 2021)
    assert received.value == 293 and received.basis == "prose"
    assert _row(comparison, "applications_received", 2020).basis == "printed table"


def test_gaps_say_why(comparison):
    assert _row(comparison, "permit_decisions", 2022).why_missing == "report not available"
    assert _row(comparison, "permit_decisions", 2021).why_missing == "only the opening of the report is available"
    assert _row(comparison, "fee_amount", 2020).why_missing == "not in that year's format"
    assert _row(comparison, "other_services_decisions", 2023).why_missing_zh == "该年格式无此项"
    assert _row(comparison, "other_services_decisions", 2022).why_missing == "report not available"
    assert comparison[comparison.value.isna()].why_missing.notna().all()
    assert comparison[comparison.value.notna()].why_missing.isna().all()


def test_caveats_travel_with_the_numbers(comparison):
    issued = comparison[comparison.indicator == "normative_documents_issued"]
    assert (issued.comparability == "caveat").all()
    assert issued.caveat_zh.str.contains("本年新制作数量").all()
    assert _row(comparison, "normative_documents_issued", 2023).value == 251  # stated in the 2023 opening


def test_outcome_shares(comparison):
    # 予以公开 87 of （七）总计 140
    assert _row(comparison, "share_granted", 2020).value == round(100 * 87 / 140, 2)
    # 不予公开: 3 + 5 + 1 = 9 of 140
    assert _row(comparison, "share_withheld", 2020).value == round(100 * 9 / 140, 2)


def test_carried_forward_check_across_years(comparison):
    checks = sr.cross_year_checks(comparison, "邵阳市")
    # 2020 report: 结转下年度 0; 2021 opening: 上年度结转办理件1件
    assert len(checks) == 1
    check = checks.iloc[0]
    assert (check.report_id, check.status, check.printed, check.expected) == ("2020→2021", "fail", 0, 1)
    assert "2021年数字取自正文" in check.message  # the basis travels with the finding


def test_unknown_agency_is_a_clear_error():
    corpus = sr.read_reports(RAW, progress=False)
    with pytest.raises(ValueError, match="no report of '长沙市' in the corpus; it holds .*邵阳市"):
        sr.compare_years(corpus, agency="长沙市")


def test_crosswalk_is_package_data_for_both_formats():
    table = sr.indicator_table()
    assert {"F2019", "F2021", "comparability", "caveat_zh"} <= set(table.columns)
    assert set(table.comparability) <= {"direct", "caveat", "F2019 only", "F2021 only", "prose"}
    only_2019 = table[table.comparability == "F2019 only"]
    assert (only_2019.F2021 == "").all() and (only_2019.F2019 != "").all()


def test_a_catalogued_folder_is_read_as_its_catalog_says(tmp_path):
    import shutil

    folder = tmp_path / "raw"
    shutil.copytree(RAW, folder)
    (folder / "stray.txt").write_text((RAW / "shaoyang_city_2020.txt").read_text("utf-8"), "utf-8")
    (folder / "openings" / "suining_county_2019_opening.txt").unlink()  # catalogued, but gone
    corpus = sr.read_reports(folder, progress=False)
    assert [p.endswith("stray.txt") for p in corpus.uncatalogued] == [True]
    assert "stray" not in set(corpus.reports.report_id)  # not read: the catalog is the index
    assert len(corpus) == 11 and len(corpus.errors) == 1
    assert "suining_county_2019_opening.txt: cannot open the file" in corpus.errors.error[0]


def test_values_read_by_ocr_carry_the_ocr_mark_into_the_comparison_and_briefing():
    """A value made of numbers read by OCR says so in its basis, and the briefing marks it °."""
    from shaoyang_report.publish import year_briefing

    report = sr.read_report(RAW / "shaoyang_city_2020.txt")
    for record in report.records("facts"):  # as the OCR reader leaves them: a recognition confidence per value
        if (record["item"], record["measure"]) == ("administrative_permit", "decisions") or record["section"] == "prose":
            record["confidence"] = 0.97
    corpus = sr.Corpus()
    corpus.add(report)
    comparison = sr.compare_years(corpus, agency="邵阳市").set_index(["indicator", "year"])
    permits = comparison.loc[("permit_decisions", 2020)]
    assert permits.value == 7591 and permits.basis == "printed table (OCR)"
    assert comparison.loc[("procurement_amount", 2020)].basis == "printed table"  # not OCR'd: no mark
    assert "°" in year_briefing.value_cell(permits) and "°" not in year_briefing.value_cell(comparison.loc[("procurement_amount", 2020)])
    assert "°" in year_briefing.legend([], comparison)  # the legend explains the mark when a value carries it
    assert "°" not in year_briefing.legend([], sr.compare_years(sr.read_reports(RAW, progress=False), agency="邵阳市"))
