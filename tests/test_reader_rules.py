"""Rules of the template reader, each on a mutation of a real report.

"Never a wrong number": a number whose row or column is not certain is unplaced and its
row is a problem; a blank cell is NaN; nothing is guessed. The base text is the real
Shaoyang 2020 report (data/raw), whose values are checked cell by cell in
tests/test_shaoyang_2020.py.
"""

from __future__ import annotations

import math
import re

import opencc
import pytest
from conftest import RAW
from fixture_pages import shaoyang_html

import shaoyang_report as sr

SHAOYANG = (RAW / "shaoyang_city_2020.txt").read_text("utf-8")
TABLES = ("active_disclosure", "applications", "review_litigation")


def _read(text: str, name: str = "mutated.txt", **kwargs) -> sr.Report:
    return sr.read_text(text, source=name, **kwargs)


def _cells(report: sr.Report) -> dict[tuple, float]:
    f = report.facts[report.facts.section.isin(TABLES)]
    return {(s, i, m, a): v for s, i, m, a, v in zip(f.section, f["item"], f.measure, f.applicant.fillna(""), f.value)}


BASE = _cells(sr.read_text(SHAOYANG, source="base.txt"))


def _placed_as_printed(report: sr.Report) -> None:
    """Every value placed is the base report's value for that cell (no number moved)."""
    for key, value in _cells(report).items():
        assert key in BASE, key
        assert (math.isnan(value) and math.isnan(BASE[key])) or value == BASE[key], (key, value, BASE[key])


# --------------------------------------------------------------------------- groups

def test_a_group_never_takes_the_values_of_a_sub_row_whose_label_is_unknown():
    text = SHAOYANG.replace("1.信访举报投诉类申请 |", "1.来信来访类的各种申请 |")
    r = _read(text)
    _placed_as_printed(r)
    assert "not_processed" not in set(r.facts["item"])
    assert "not_processed_complaint" in set(r.missing["item"])
    assert len(r.unplaced) == 7 and any("no row label" in m for _, m in r.problems)
    assert r.summary()["applications"] == "154/161"
    # the real leaf-sum findings are not_checkable now (a leaf is unplaced), never false
    assert r.findings.empty


def test_a_sub_row_label_one_character_off_is_read_as_that_row_with_a_note():
    text = SHAOYANG.replace("1.本机关不掌握相关政府信息 |", "1.本机关不拿握相关政府信息 |")
    r = _read(text)
    assert _cells(r) == BASE
    assert any("read as 1.本机关不掌握相关政府信息" in note for _, note in r.notes)


def test_an_empty_label_cell_in_html_gives_its_values_to_no_row(tmp_path):
    page = shaoyang_html()
    page, n = re.subn(r">\s*1\.信访举报投诉类申请\s*<", "><", page, count=1)
    assert n == 1
    path = tmp_path / "empty_label.html"
    path.write_text(page, "utf-8")
    r = sr.read_report(path)
    _placed_as_printed(r)
    assert "not_processed" not in set(r.facts["item"]) and "not_processed_complaint" in set(r.missing["item"])
    assert len(r.unplaced) == 7


# --------------------------------------------------------------------------- cut texts

@pytest.mark.parametrize(("printed", "cut"), [("7591 |", "75"), ("140 |", "14"), ("46502.47万 |", "46502.4")])
def test_a_text_cut_inside_a_number_never_places_the_cut_number(printed, cut):
    text = SHAOYANG[: SHAOYANG.index(printed) + len(cut)]
    r = _read(text, "cut.txt")
    _placed_as_printed(r)
    assert cut in r.unplaced.raw.tolist()
    assert any("ends inside this number" in m for _, m in r.problems)


def test_a_text_cut_after_a_whole_cell_keeps_it():
    text = SHAOYANG[: SHAOYANG.index("7591 |") + len("7591 |")]
    r = _read(text, "cut.txt")
    permit = r.facts.query("item == 'administrative_permit'").set_index("measure")
    assert permit.loc["decisions", "value"] == 7591


def test_a_row_the_text_ends_inside_is_missing_not_placed():
    text = SHAOYANG[: SHAOYANG.index("(七)总计 |")] + "(七)总计 |\n139 |\n0 |\n"
    r = _read(text, "cut.txt")
    assert "total_handled" not in set(r.facts["item"])
    reason = r.missing.set_index("item").loc["total_handled", "reason"]
    assert "ends after 2 of its 7 values" in reason


# --------------------------------------------------------------------------- marks and numbers

@pytest.mark.parametrize("mark", ["¹", "①", "²", "*"])
def test_a_footnote_mark_is_not_a_digit(mark):
    r = _read(SHAOYANG.replace("行政许可 |\n4089 |", f"行政许可 |\n4089{mark} |"))
    permit = r.facts.query("item == 'administrative_permit'").set_index("measure")
    assert permit.loc["prior_year_items", "value"] == 4089
    assert permit.loc["prior_year_items", "raw"] == f"4089{mark}"
    assert any("footnote mark" in note for _, note in r.notes)


def test_a_cell_that_is_only_a_mark_is_no_number():
    r = _read(SHAOYANG.replace("行政许可 |\n4089 |", "行政许可 |\n⑧ |"))
    assert 8 not in r.facts.query("item == 'administrative_permit'").value.tolist()
    assert "administrative_permit" in set(r.missing["item"]) and r.problems


def test_a_number_too_long_for_a_figure_is_refused():
    r = _read(SHAOYANG.replace("行政许可 |\n4089 |", "行政许可 |\n" + "9" * 400 + " |"))
    value = r.facts.query("item == 'administrative_permit' and measure == 'prior_year_items'").value.iloc[0]
    assert math.isnan(value) and any("more digits" in m for _, m in r.problems)


def test_an_encoding_artifact_before_a_number_is_dropped_with_a_note():
    r = _read(SHAOYANG.replace("行政许可 |\n4089 |", "行政许可 |\n? 4089 |"))
    cell = r.facts.query("item == 'administrative_permit' and measure == 'prior_year_items'").iloc[0]
    assert cell.value == 4089 and cell.raw == "? 4089"


# --------------------------------------------------------------------------- row counts

def test_an_overfull_row_places_none_of_its_values():
    r = _read(SHAOYANG.replace("行政许可 |\n4089 |", "行政许可 |\n5 |\n4089 |"))
    _placed_as_printed(r)
    assert "administrative_permit" not in set(r.facts["item"])
    assert r.unplaced.raw.tolist() == ["5", "4089", "-56", "7591"]
    assert any("has more than 3 values" in m for _, m in r.problems)


def test_table_four_with_one_value_too_many_places_none():
    r = _read(SHAOYANG.replace("|||||\n2 |\n0 |\n9 |", "|||||\n7 |\n2 |\n0 |\n9 |"))
    assert r.facts.query("section == 'review_litigation'").empty
    assert len(r.unplaced) == 16


def test_a_row_printed_with_every_cell_empty_is_blank():
    text = SHAOYANG.replace("行政强制 |\n89 |\n21 |\n46 |\n", "行政强制 |\n")
    r = _read(text)
    coercion = r.facts.query("item == 'administrative_coercion'")
    assert len(coercion) == 3 and coercion.value.isna().all() and (coercion.raw == "").all()
    assert r.problems == []


@pytest.mark.parametrize(("glued", "expected"), [("规章000", [0, 0, 0]), ("规章 0 0 0", [0, 0, 0]), ("规章0 0 27", [0, 0, 27])])
def test_cells_run_together_are_split_only_where_certain(glued, expected):
    r = _read(SHAOYANG.replace("规章 |\n0 |\n0 |\n27 |", glued))
    assert r.facts.query("item == 'rules'").value.tolist() == expected


def test_cells_run_together_that_cannot_be_split_are_unplaced():
    r = _read(SHAOYANG.replace("规章 |\n0 |\n0 |\n27 |", "规章0027"))
    assert "rules" not in set(r.facts["item"])
    assert any("cannot be split" in m for _, m in r.problems)


def test_strict_reading_raises_at_the_first_doubt():
    text = SHAOYANG.replace("行政许可 |\n4089 |", "行政许可 |\n5 |\n4089 |")
    with pytest.raises(sr.ReportFormatError, match=r"mutated.txt: line \d+: table 二 row 行政许可 has more than 3 values"):
        _read(text, strict=True)


# --------------------------------------------------------------------------- scripts and labels

def test_a_report_printed_in_traditional_characters_reads_the_same():
    trad = opencc.OpenCC("s2t").convert(SHAOYANG)
    assert trad != SHAOYANG and "規章" in trad
    r = _read(trad, "traditional.txt")
    assert _cells(r) == BASE
    assert r.facts.query("item == 'rules'").row_label.iloc[0] == "規章"  # the printed text is kept


@pytest.mark.parametrize(("printed", "variant"), [
    ("规范性文件 |", "行政规范性文件 |"),
    ("本年新公开数量 |", "本年新 |"),
    ("第二十条第(五)项 |", "第二十条第 |"),
    ("二、上年结转政府信息公开申请数量 |", "上年结转政府信息公开数量 |"),
    ("(一)予以公开 |", "予以公开 |"),
    ("行政事业性收费 |", "行政事业型收费 |"),
])
def test_labels_as_printed_in_the_wild(printed, variant):
    r = _read(SHAOYANG.replace(printed, variant, 1))
    assert _cells(r) == BASE, variant


def _edits(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def test_labels_are_far_enough_apart_for_a_typo_to_name_one_row():
    """A label one character off is read as its row only if no other label is that close."""
    from shaoyang_report.layout import get_layout
    from shaoyang_report.read.labels import FUZZY_MIN_CHARS, label_core
    from shaoyang_report.read.text import normalize

    for table in get_layout().tables.values():
        cores = {label_core(normalize(r.label_zh)) for r in table.rows if r.patterns}
        long_ = [c for c in cores if len(c) >= FUZZY_MIN_CHARS]
        for a in long_:
            for b in long_:
                assert a == b or _edits(a, b) > 2, (a, b)


def test_empty_header_cells_of_table_four_are_no_values(tmp_path):
    """Merged headers unmerged (as .docx/HTML exports do): header rows of empty cells hold no values."""
    page = shaoyang_html()
    head, four = page.split("四、政府信息公开行政复议和行政诉讼情况", 1)
    table, tail = four.split("</table>", 1)
    for span in (5, 10):
        table = re.sub(rf'<th colspan="{span}"([^>]*)>(.*?)</th>', lambda m, n=span: f"<th{m[1]}>{m[2]}</th>" + "<th></th>" * (n - 1), table)
    table = table.replace(' rowspan="2"', "")
    rows = table.split("<tr>")
    rows[3] = "<th></th>" * 5 + rows[3]  # the cells the rowspans covered, now empty
    path = tmp_path / "unmerged.html"
    path.write_text(head + "四、政府信息公开行政复议和行政诉讼情况" + "<tr>".join(rows) + "</table>" + tail, "utf-8")
    r = sr.read_report(path)
    four = r.facts[r.facts.section == "review_litigation"]
    assert four.value.tolist() == [2, 0, 9, 2, 13, 2, 0, 0, 0, 2, 2, 0, 0, 0, 2]
    assert r.unplaced.empty and r.problems == []
