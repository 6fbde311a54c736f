"""Partial reports: what is there is read, what is not is listed — never an error, never a guess.

* The Shaoyang openings (the first ~2000 bytes of each page, read in place) hold prose
  only: metadata and the list of missing tables.
* The Shanghai 科委 2024 markdown (a third-party PDF conversion, read in place) has
  every number but scrambled rows: labels moved away from their numbers, value rows
  without labels. Every number whose row is certain is read; the rest is listed as
  unplaced. The expectations below were worked out by reading the markdown line by
  line (line numbers are the file's), and checked against its own prose (同意公开 9 件,
  无法提供 10 件, 其他处理 14 件 …).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from conftest import SHARED_REPORTS, shared_report

import shaoyang_report as sr

TABLES = ("active_disclosure", "applications", "review_litigation")
APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total"]


def _openings() -> list[str]:
    folder = SHARED_REPORTS / "shaoyang" / "openings"
    if not folder.is_dir():
        pytest.fail(f"real corpus folder missing: {folder}")
    return sorted(p.name for p in folder.glob("*_opening.txt"))


@pytest.mark.parametrize("name", _openings())
def test_every_opening_parses_with_metadata_and_lists_missing_tables(name):
    r = sr.read_report(shared_report(f"shaoyang/openings/{name}"))
    year = int(re.search(r"_(\d{4})_opening", name).group(1))
    assert r.year == year
    assert r.template == ("F2019" if year <= 2020 else "F2021") or name.startswith("chengbu_jinzi")
    tables = r.facts[r.facts.section.isin(TABLES)]
    # every table without facts is listed: as a whole, or row by row when the text is
    # cut just after its heading
    assert set(r.missing.section) >= set(TABLES) - set(tables.section)
    assert {"applications", "review_litigation"} <= set(r.missing.section)
    assert "review_litigation" in set(r.missing.loc[r.missing.item.isna(), "section"])
    assert r.unplaced.empty and r.problems == []


def test_opening_without_tables_says_table_not_in_the_text():
    r = sr.read_report(shared_report("shaoyang/openings/shaoyang_culture_tourism_bureau_2022_opening.txt"))
    assert (r.agency, r.year, r.template) == ("邵阳市文化旅游广电体育局", 2022, "F2021")
    assert r.facts[r.facts.section.isin(TABLES)].empty
    assert sorted(r.missing.section) == sorted(TABLES)
    assert (r.missing.reason == "table not in the text").all()


# --------------------------------------------------------------------------- Shanghai

SHANGHAI = "shanghai/shanghai_stcsm_2024.pdf-text.md"

# Every row whose label and numbers share a line of the markdown → that line.
CERTAIN_LINES = {
    "administrative_permit": 77, "administrative_penalty": 80, "administrative_coercion": 81,
    "administrative_fees": 84, "rules": 88, "normative_documents": 89,
    "new_requests": 102, "carried_over": 103, "granted": 104, "withheld_state_secret": 114,
    "withheld_three_safeties": 118, "withheld_third_party": 120, "withheld_process_information": 130,
    "withheld_enforcement_files": 132, "withheld_inquiry": 133, "not_processed_complaint": 145,
    "not_processed_repeated": 147, "not_processed_publication": 148, "other_other": 175,
    "total_handled": 177, "carried_forward": 178,
    "administrative_review": 189, "litigation_direct": 189, "litigation_after_review": 189,
}
# Rows whose numbers are on lines of their own, away from their labels: not certain.
UNCERTAIN_ROWS = {
    "partially_granted", "withheld_prohibited_by_law", "withheld_internal_affairs", "unavailable_not_held",
    "unavailable_needs_creation", "unavailable_unclear", "not_processed_excessive",
    "not_processed_confirmation", "other_no_supplement", "other_fee_unpaid",
}
# The value-only lines (7 numbers each) and the lone "1" of line 172.
UNPLACED_LINES = {105, 116, 128, 134, 141, 143, 159, 161, 163, 173}


@pytest.fixture(scope="module")
def shanghai():
    return sr.read_report(shared_report(SHANGHAI), strict=False)


def _line(location: str) -> int:
    return int(re.match(r"line (\d+)", location).group(1))


def test_shanghai_metadata_and_counts(shanghai):
    r = shanghai
    assert (r.year, r.template) == (2024, "F2021")
    assert r.shapes == {"other_processing": "group"}  # 1./2./3. sub-rows are printed (3.其他 on line 175)
    tables = r.facts[r.facts.section.isin(TABLES)]
    assert tables.groupby("section").size().to_dict() == {
        "active_disclosure": 10, "applications": 15 * 7, "review_litigation": 15}


def test_shanghai_every_placed_number_sits_on_its_rows_line(shanghai):
    tables = shanghai.facts[shanghai.facts.section.isin(TABLES)]
    placed = {}
    for row in tables.itertuples():
        placed.setdefault(row.item, set()).add(_line(row.location))
    assert placed == {item: {line} for item, line in CERTAIN_LINES.items()}
    assert not UNCERTAIN_ROWS & set(tables["item"])


def test_shanghai_values_typed_from_the_markdown(shanghai):
    f = shanghai.facts[shanghai.facts.section.isin(TABLES)]
    active = {(r.item, r.measure): r.value for r in f[f.section == "active_disclosure"].itertuples()}
    assert active == {
        ("administrative_permit", "decisions"): 97, ("administrative_penalty", "decisions"): 0,
        ("administrative_coercion", "decisions"): 0, ("administrative_fees", "fee_amount"): 0,
        ("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
        ("normative_documents", "issued"): 13, ("normative_documents", "repealed"): 0,
        ("normative_documents", "in_force"): 55,
    }
    apps = f[f.section == "applications"]
    rows: dict[str, list[float]] = {}
    for r in apps.itertuples():
        rows.setdefault(r.item, [None] * 7)[APPLICANTS.index(r.applicant)] = r.value
    assert rows["new_requests"] == [32, 2, 0, 0, 0, 0, 34]
    assert rows["carried_over"] == [2, 0, 0, 0, 0, 0, 2]
    assert rows["granted"] == [9, 0, 0, 0, 0, 0, 9]
    assert rows["withheld_process_information"] == [1, 0, 0, 0, 0, 0, 1]
    assert rows["other_other"] == [4, 0, 0, 0, 0, 0, 4]
    assert rows["total_handled"] == [33, 2, 0, 0, 0, 0, 35]
    # the total of 结转下年度 is an empty cell in the markdown: not stated, not 0
    assert rows["carried_forward"][:6] == [1, 0, 0, 0, 0, 0] and math.isnan(rows["carried_forward"][6])
    for item in ("withheld_state_secret", "withheld_three_safeties", "withheld_third_party",
                 "withheld_enforcement_files", "withheld_inquiry", "not_processed_complaint",
                 "not_processed_repeated", "not_processed_publication"):
        assert rows[item] == [0] * 7, item
    review = f[f.section == "review_litigation"].set_index(["item", "measure"])["value"]
    assert review[("administrative_review", "upheld")] == 1 and review[("administrative_review", "total")] == 1
    assert review.sum() == 2


def test_shanghai_the_rest_is_unplaced_and_the_rows_missing(shanghai):
    r = shanghai
    lines = [_line(loc) for loc in r.unplaced.location]
    assert set(lines) == UNPLACED_LINES | {172}
    assert len(lines) == 7 * len(UNPLACED_LINES) + 1
    assert set(r.unplaced.section) == {"applications"}
    missing = set(r.missing.loc[r.missing.section == "applications", "item"])
    assert missing == UNCERTAIN_ROWS
    assert r.problems  # each loss of step is said, with its place
    assert all(re.match(r"line \d+", where) for where, _ in r.problems)


def test_shanghai_is_read_leniently_by_default_as_converted_markdown():
    report = sr.read_report(shared_report(SHANGHAI))
    assert len(report.unplaced) > 0 and report.problems  # listed, not raised
    assert report.findings.empty  # rows it lacks make checks not_checkable, never false findings
    assert (report.checks.status == "not_checkable").any()


def test_shanghai_strict_reading_stops_at_the_first_doubt():
    with pytest.raises(sr.ReportFormatError) as info:
        sr.read_report(shared_report(SHANGHAI), strict=True)
    message = str(info.value)
    assert message.startswith("shanghai_stcsm_2024.pdf-text.md: line 105")
    assert "（一）予以公开 has more than 7 values" in message


def _label_and_numbers(web_text: str) -> list[str]:
    """The copied page as PDF/Word text gives it: a row's label and its numbers on one line."""
    from shaoyang_report.read.text import is_value

    out: list[str] = []
    for line in web_text.splitlines():
        cell = line.rstrip()
        if not cell.endswith("|"):
            out.append(line)
        elif cell.strip("|").strip():
            cell = cell.strip("|").strip()
            if is_value(cell) and out:
                out[-1] += " " + cell
            else:
                out.append(cell)
    return out


def test_unknown_label_with_numbers_is_never_given_to_the_row_before():
    """A row whose label the format does not know keeps its numbers to itself."""
    from conftest import RAW

    lines = _label_and_numbers((RAW / "shaoyang_city_2020.txt").read_text("utf-8"))
    i = lines.index("2.重复申请 2 0 0 0 0 0 2")
    lines[i] = "2.重复提交的申请 2 0 0 0 0 0 2"  # a label no format prints
    text = "\n".join(lines)
    r = sr.read_text(text, source="renamed_row.txt", strict=False)
    f = r.facts[r.facts.section == "applications"]
    assert list(f[f["item"] == "not_processed_complaint"].value) == [0] * 7
    assert "not_processed_repeated" in set(r.missing["item"])
    assert r.unplaced.raw.tolist() == ["2", "0", "0", "0", "0", "0", "2"]
    assert set(r.unplaced.location) == {f"line {i + 1}, value {k}" for k in range(1, 8)}
    # the rows after it are read again once a label and its numbers share a line
    assert list(f[f["item"] == "not_processed_publication"].value) == [0] * 7
    with pytest.raises(sr.ReportFormatError, match=r"values after '2.重复提交的申请', which is no row label"):
        sr.read_text(text, source="renamed_row.txt", strict=True)


def test_paths_are_read_in_place():
    assert Path(shared_report(SHANGHAI)).is_relative_to(SHARED_REPORTS)
