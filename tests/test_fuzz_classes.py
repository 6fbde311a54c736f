"""Kinds of corrupted text the layout fuzzer still found (issue 20), each on a mutation of a real report.

The base is the real Shaoyang 2020 report (data/raw, a cell per line ending `` |``), whose
values are checked cell by cell in tests/test_shaoyang_2020.py. Each test corrupts it the
way one kind of fuzzed case did and asserts that the row whose cells became uncertain is
unplaced (a problem), never read shifted, while the rows around it read as before.
"""

from __future__ import annotations

import re

from conftest import RAW

import shaoyang_report as sr

SHAOYANG = (RAW / "shaoyang_city_2020.txt").read_text("utf-8")
TABLES = ("active_disclosure", "applications", "review_litigation")


def _cells(report: sr.Report) -> dict[tuple[str, str], str]:
    f = report.facts[report.facts.section.isin(TABLES)]
    return {(i, f"{m}/{a}" if isinstance(a, str) else m): raw
            for i, m, a, raw in zip(f["item"], f.measure, f.applicant, f.raw)}


def _read(text: str) -> dict[tuple[str, str], str]:
    return _cells(sr.read_text(text, source="mutated.txt"))


BASE = _cells(sr.read_text(SHAOYANG, source="base.txt"))


def _rows(cells: dict[tuple[str, str], str], item: str) -> dict[str, str]:
    return {m: raw for (i, m), raw in cells.items() if i == item}


def _same_elsewhere(got: dict[tuple[str, str], str], *items: str) -> None:
    """Every row but ``items`` reads as in the report (nothing else moved or lost)."""
    assert {k: v for k, v in got.items() if k[0] not in items} == {k: v for k, v in BASE.items() if k[0] not in items}


def test_a_complete_row_ending_with_one_empty_cell_more_is_not_placed():
    # 行政处罚 shows an empty cell between values (" |"): the page prints empty cells so. 行政强制,
    # the last row before a caption, prints its first value twice and its last cell empty: three
    # values and an empty cell for three columns, the empty cell being one its table's complete rows
    # never end with. Read by count it would be 89, 89, 21 — two values one column off.
    text = SHAOYANG.replace("行政处罚 |\n1148 |\n327 |\n1614 |", "行政处罚 |\n1148 |\n |\n1614 |") \
        .replace("行政强制 |\n89 |\n21 |\n46 |", "行政强制 |\n89 |\n89 |\n21 |\n |")
    got = _read(text)
    assert _rows(got, "administrative_penalty") == {"prior_year_items": "1148", "change": "", "decisions": "1614"}
    assert _rows(got, "administrative_coercion") == {}
    _same_elsewhere(got, "administrative_coercion", "administrative_penalty")


def test_a_block_header_that_lost_a_name_does_not_shift_a_row_with_a_trailing_empty_cell():
    # the header loses 本年新公开数量 (two names for three columns); 规章 prints an empty cell, 5, an
    # empty cell. Read by the header, 5 would be 对外公开总数量; its three cells fit the format's columns.
    # 规范性文件 prints 49, 57, an empty cell (both rows: two values or fewer before a last empty cell)
    text = SHAOYANG.replace("本年新公开数量 |\n对外公开总数量 |\n规章 |\n0 |\n0 |\n27 |\n规范性文件 |\n49 |\n57 |\n442 |",
                            "对外公开总数量 |\n规章 |\n |\n5 |\n |\n规范性文件 |\n49 |\n57 |\n |")
    got = _read(text)
    assert _rows(got, "rules") in ({}, {"new_made": "", "new_published": "5", "total_published": ""})
    assert _rows(got, "normative_documents") in ({}, {"new_made": "49", "new_published": "57", "total_published": ""})


def _bar_lines(text: str) -> str:
    """The report printed a cell per line with a line holding only ``|`` after each cell."""
    out = []
    for line in text.split("\n"):
        if line.endswith(" |") and line.strip() != "|":
            out += [line[:-2], "|"]
        else:
            out.append(line)
    return "\n".join(out)


def test_a_value_printed_twice_on_adjacent_lines_where_each_cell_is_followed_by_a_bar_is_not_placed():
    # each cell is followed by a line holding only "|"; 其他对外管理服务事项's first value line is
    # printed twice and its last value lost: the count fits, but the copy stands where no cell ends
    base = _bar_lines(SHAOYANG)
    assert "\n277\n|\n290\n|\n37458\n|\n" in base
    text = base.replace("\n277\n|\n290\n|\n37458\n|\n", "\n277\n277\n|\n290\n|\n|\n")
    got = _read(text)
    assert _rows(got, "other_management_services") == {}
    assert _rows(got, "administrative_permit") == _rows(BASE, "administrative_permit")


def test_a_row_printed_again_with_other_values_is_not_placed():
    # 行政强制 printed twice, with different numbers: which copy is the row is not certain
    text = SHAOYANG.replace("行政强制 |\n89 |\n21 |\n46 |", "行政强制 |\n89 |\n21 |\n46 |\n行政强制 |\n8 |\n9 |\n10 |")
    got = _read(text)
    assert _rows(got, "administrative_coercion") == {}
    _same_elsewhere(got, "administrative_coercion")


def test_a_row_printed_again_with_the_same_values_is_read():
    text = SHAOYANG.replace("行政强制 |\n89 |\n21 |\n46 |", "行政强制 |\n89 |\n21 |\n46 |\n行政强制 |\n89 |\n21 |\n46 |")
    assert _rows(_read(text), "administrative_coercion") == {"prior_year_items": "89", "change": "21", "decisions": "46"}


def test_a_row_whose_next_row_after_a_caption_is_lost_is_not_placed():
    # empty cells leave no trace (no bars at all); 规章 prints one value, 规范性文件 two, and the label
    # 规范性文件 is lost: 规章 would show three values, two of them 规范性文件's
    lines = [line[:-2] if line.endswith(" |") else line for line in SHAOYANG.split("\n") if line.strip("|")]
    text = "\n".join(lines).replace("规章\n0\n0\n27\n规范性文件\n49\n57\n442\n", "规章\n27\n57\n442\n")
    got = _read(text)
    assert _rows(got, "rules") == {}
    assert not any(raw in ("57", "442") for (i, _), raw in got.items() if i == "rules")


def test_a_label_that_reads_as_a_header_printed_twice_before_its_values_is_read_as_its_label():
    # 政府集中采购 holds 采购, a word of table 二's block headers (采购项目数量): its label line printed
    # twice read as a header after a row printing no cell, 1383 and 46502.47万 were unplaced and the row
    # placed blank. Printed twice before any cell of its own it is the row's label, as any label so is.
    text = SHAOYANG.replace("政府集中采购 |\n", "政府集中采购 |\n政府集中采购 |\n")
    got = _read(text)
    assert _rows(got, "government_procurement") == {"projects": "1383", "amount": "46502.47万"}
    _same_elsewhere(got, "government_procurement")
    # with a value lost after it, the row is one short: not placed
    got = _read(text.replace("1383 |\n46502.47万 |\n", "1383 |\n"))
    assert _rows(got, "government_procurement") == {}
    _same_elsewhere(got, "government_procurement")


def test_a_row_label_printed_among_the_header_names_is_not_read_as_a_blank_row():
    # table 三's label 2.其他法律行政法规禁止公开 and the header name 法律服务机构 changed lines: the label
    # stands in the header with no cell after it, its seven 0s after 法律服务机构. It was read as a row
    # whose cells are all empty (seven blanks, where 0s are printed); the labels after it are printed
    # where it was due, earlier in the format's order: its cells may be printed later, as they are.
    label = "2.其他法律行政法规禁止公开 |\n"
    assert SHAOYANG.count(label) == 1 and SHAOYANG.count("法律服务机构 |\n") == 1
    text = SHAOYANG.replace("法律服务机构 |\n", "@\n").replace(label, "法律服务机构 |\n").replace("@\n", label)
    got = _read(text)
    assert _rows(got, "withheld_prohibited_by_law") == {}
    # (the rows printed after it, out of order, are not placed either; what is placed reads as in the report)
    assert got and all(BASE[k] == raw for k, raw in got.items())
    assert _rows(got, "withheld_state_secret") == {} and _rows(got, "total_handled") == _rows(BASE, "total_handled")


def test_a_block_header_that_lost_a_name_does_not_shift_rows_ending_with_a_bare_bar():
    # the header loses 本年新制作数量 (two names for three columns); 规章 prints 5, 27 and a bare "|",
    # 规范性文件 49, 57 and a bare "|". A bare "|" is an empty cell in table 二 (行政处罚 prints one
    # between its values, no complete row of three ends with one) but pads rows elsewhere (政府集中采购,
    # two columns, ends with one; 一、本年新收… ends with three): not every bare "|" is a cell, so the
    # two rows do not show the header's count more than the format's. Read by the header, 5 and 49 would
    # be 本年新公开数量.
    text = SHAOYANG
    for old, new in (("本年新制作数量 |\n", ""), ("规章 |\n0 |\n0 |\n27 |\n", "规章 |\n5 |\n27 |\n|\n"),
                     ("49 |\n57 |\n442 |\n", "49 |\n57 |\n|\n"), ("1148 |\n327 |\n1614 |\n", "1148 |\n|\n1614 |\n"),
                     ("46502.47万 |\n", "46502.47万 |\n|\n"),
                     ("137 |\n0 |\n0 |\n1 |\n0 |\n0 |\n138 |\n||\n", "137 |\n|\n0 |\n1 |\n0 |\n0 |\n138 |\n|||\n")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    got = _read(text)
    assert _rows(got, "rules") in ({}, {"new_made": "5", "new_published": "27", "total_published": ""})
    assert _rows(got, "normative_documents") in ({}, {"new_made": "49", "new_published": "57", "total_published": ""})
    assert _rows(got, "government_procurement") == _rows(BASE, "government_procurement")


def _without_column(text: str, header: str, k: int, width: int) -> str:
    """The report with a column printed nowhere: its header line and the k-th of each row's ``width`` value lines."""
    lines = text.split("\n")
    lines.remove(header)
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line.endswith(" |") and line[:-2].replace(",", "").isdigit():
            run.append(line)
            continue
        out += run[:k] + run[k + 1:] if len(run) == width else run
        run = []
        out.append(line)
    return "\n".join(out[:-1])


def test_a_header_that_lost_a_name_over_rows_whose_bars_may_pad_them_is_read_by_no_count():
    # table 三 prints no 社会公益组织 column: the header has six names for the format's seven. Each row prints
    # five values, its last cell (总计) empty as a bare bar, and a bare bar after it, which pads every row
    # of the table; 二、上年结转… prints its second cell empty as a bare bar too. Five values and two bars fit
    # the format's seven cells as well as the header's six (the last bar padding): read by the format, the
    # values printed under 法律服务机构 and 其他 were placed under 社会公益组织 and 法律服务机构.
    text = _without_column(SHAOYANG, "社会公益组织 |", 3, 7)
    head, rest = text.split("三、收到和处理政府信息公开申请情况", 1)
    table, tail = rest.split("四、", 1)
    table = re.sub(r"\n[\d,]+ \|\n\|\|?\n", "\n|\n|\n", table)  # its 总计 empty, one bar of padding
    table = table.replace("申请数量 |\n2 |\n0 |\n", "申请数量 |\n2 |\n|\n")
    text = head + "三、收到和处理政府信息公开申请情况" + table + "四、" + tail
    assert "社会公益组织" not in text and "\n137 |\n0 |\n0 |\n0 |\n0 |\n|\n|\n" in text
    got = _read(text)
    assert not any(raw for (_, m), raw in got.items() if m.endswith("/social_welfare"))
    # every value placed stands where the report prints it (here: no row of table 三 is certain)
    assert all(BASE[k] == raw for k, raw in got.items() if not k[1].endswith(("/social_welfare", "/total")))
    assert _rows(got, "new_requests") == {}


def test_a_row_label_printed_inside_its_block_header_is_not_read_as_a_blank_row():
    # 规章 and the header name 对外公开总数量 changed lines: the label stands inside the header, its 0, 0, 27
    # after the header's last name, with no label. It was read as a row printing every cell empty (three
    # blanks, where numbers are printed) and its numbers unplaced: they may be its cells, so it is not placed.
    text = SHAOYANG.replace("对外公开总数量 |\n规章 |\n", "规章 |\n对外公开总数量 |\n")
    assert text != SHAOYANG
    got = _read(text)
    assert _rows(got, "rules") == {}
    _same_elsewhere(got, "rules")
