"""The reproducers the layout fuzzer found (issue 20), each read as it must be.

Each file under ``../shared/reliability/turn3/`` made the reader put numbers on wrong
cells. The expected cells below are read by hand from each file's text (cell by cell,
by position in the row); where the text cannot settle a cell, the row must be unplaced
and listed as a problem.
"""

from __future__ import annotations

import math

import pytest
from conftest import PROJECT

import shaoyang_report as sr

TURN3 = PROJECT.parent / "shared" / "reliability" / "turn3"
REVIEW = [(item, measure) for item in ("administrative_review", "litigation_direct", "litigation_after_review")
          for measure in ("upheld", "corrected", "other", "pending", "total")]


def _read(name: str) -> sr.Report:
    path = TURN3 / name
    if not path.exists():
        pytest.fail(f"reproducer missing: {path} (CI must have ../shared beside the checkout)")
    return sr.read_report(path)


def _table_four(report: sr.Report) -> list[str]:
    """The raw text of table 四's fifteen cells, in the format's order ('' for an empty cell)."""
    facts = report.facts[report.facts.section == "review_litigation"]
    got = {(i, m): raw for i, m, raw in zip(facts["item"], facts["measure"], facts["raw"])}
    return [got[key] for key in REVIEW]


@pytest.mark.parametrize("name", ["md_t4_min.txt", "md_t4_min_norule.txt"])
def test_markdown_table_four_is_read_by_cell_position(name):
    # |  | 11 |  |  |  |  | 12 | 13 | 14 | 15 | 16 | 17 |  | 18 |  | — fifteen cells, the
    # leading and trailing | the row's border (with the rule line, 11 went one column right)
    report = _read(name)
    assert _table_four(report) == ["", "11", "", "", "", "", "12", "13", "14", "15", "16", "17", "", "18", ""]
    assert report.unplaced.empty and report.problems == []


@pytest.mark.parametrize("name", ["md_table4.txt", "md_table4_norule.txt"])
def test_markdown_table_four_with_an_empty_first_cell_is_read(name):
    report = _read(name)
    assert _table_four(report) == ["", "11", "12", "13", "36", "14", "15", "16", "17", "62",
                                   "18", "19", "21", "22", "80"]
    assert report.unplaced.empty


def test_markdown_table_four_with_empty_cells_on_both_sides_of_values():
    # |  | 301 |  |  |  |  | 11286 | 70,578 | 4797 | 61,031 | 72986 | 44,794 |  | 90624 |  |
    assert _table_four(_read("md_min_13.txt")) == ["", "301", "", "", "", "", "11286", "70,578", "4797", "61,031",
                                                   "72986", "44,794", "", "90624", ""]


@pytest.mark.parametrize("name", ["md_t3_min.txt", "md_min_109.txt"])
def test_markdown_total_row_with_one_cell_too_many_is_unplaced(name):
    # | （七）总计 |  | 11 |  | 12 |  |  | 13 |  |: eight cells for seven columns, empty at both
    # ends — the empty cell beside the label, or the one after the last value? Not certain.
    report = _read(name)
    assert report.facts.query("section == 'applications'").empty
    assert len(report.unplaced) == 3
    assert any("（七）总计" in message for _, message in report.problems)


def test_a_row_one_cell_short_under_a_leading_bar_is_unplaced_not_shifted():
    # table 四's row prints 14 cells for 15 columns: which one is missing is not printed
    report = _read("leadbar_t4_missing_cell.txt")
    assert report.facts.query("section == 'review_litigation'").empty
    assert sorted(report.unplaced.raw) == sorted(["35646", "85401", "55633", "5278", "83981", "32545", "55,748",
                                                  "38986", "—", "59656", "83639", "86,334", "12811", "43468"])
    # the table 三 row above it, seven values for seven columns, is read
    row = report.facts.query("item == 'other_no_supplement'").set_index("applicant")["raw"].to_dict()
    assert row == {"natural_person": "32646", "commercial": "73807", "research": "32503", "social_welfare": "22236",
                   "legal_services": "43605", "other_org": "40812", "total": "50621"}


def test_a_label_glued_to_a_number_never_splits_it_into_digits():
    # …已获取信息31411 9665 83997: cells separated by spaces, 31411 is one cell — three
    # values for seven columns
    report = _read("glued_label_split.txt")
    assert report.facts.query("section == 'applications'").empty
    assert sorted(report.unplaced.raw) == ["31411", "83997", "9665"]
    assert any("has 3 values, expected 7" in message for _, message in report.problems)


def test_values_after_an_unknown_label_never_join_the_row_above():
    # （七）总计 prints 4 values, then 分、结转下年度继续办理 (one character off, too far to be
    # read as a label) and 3 more values
    report = _read("unknown_label_absorbed.txt")
    assert report.facts.query("section == 'applications'").empty
    assert sorted(report.unplaced.raw) == sorted(["21029", "33341", "36572", "80498", "82105", "55735", "54085"])
    assert any("分、结转下年度继续办理" in message for _, message in report.problems)


def test_a_duplicated_value_line_makes_the_row_unplaced():
    # the empty first cell (a bare |) and seven values, the last one printed twice: the
    # empty cell is never dropped to make the count fit
    report = _read("dup_line_shift.txt")
    assert report.facts.query("section == 'applications'").empty
    assert report.unplaced.raw.tolist().count("27677") == 2 and len(report.unplaced) == 7
    assert report.problems


def test_no_reproducer_places_a_value_the_text_does_not_print_in_that_cell():
    # every placed raw text is printed on the line its location names
    for path in sorted(TURN3.glob("*.txt")):
        report = sr.read_report(path)
        lines = path.read_text("utf-8").splitlines()
        facts = report.facts[report.facts.section != "prose"]
        for raw, location, value in zip(facts["raw"], facts["location"], facts["value"]):
            if raw:
                number = int(location.split(",")[0].removeprefix("line "))
                assert raw in lines[number - 1], (path.name, raw, location)
            else:
                assert math.isnan(value)
