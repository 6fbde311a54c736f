"""Reports on 2008–2018 (issue 25): read as the format before the national tables, scored on the
development set ``../shared/reports/pre2019`` (prose figures typed by hand; two blank old
statistics forms, filled here with values the test chooses, in the layouts the readers meet).

``pytest -s tests/test_pre2019.py`` prints the counts.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest
from conftest import shared_report
from test_prose_score import score

import shaoyang_report as sr
from shaoyang_report.read.prose import read_mentions
from shaoyang_report.read.text import normalize

PRE2019 = shared_report("pre2019")
FORMS = ("dingxi_stats_form_template", "putian_2009_notice_table_template")


def _typed(stem: str) -> dict:
    return json.loads((PRE2019 / f"{stem}.json").read_text("utf-8"))


# --------------------------------------------------------------------------- the reports

def test_no_page_whose_year_is_printed_is_refused_and_each_is_read_as_its_format():
    counts = {"pages": 0, "year typed": 0, "refused": 0, "F2008": 0, "year read as typed": 0, "year not found": 0}
    for path in sorted(PRE2019.glob("*.txt")):
        typed = _typed(path.stem)
        counts["pages"] += 1
        counts["year typed"] += typed["year"] is not None
        try:
            report = sr.read_report(path)
        except sr.ReportFormatError:
            counts["refused"] += 1
            continue
        counts["F2008"] += report.template == "F2008"
        if report.year is None:
            counts["year not found"] += 1
        else:
            assert report.year == typed["year"], path.stem  # a year read is never another
            counts["year read as typed"] += 1
        # the 2016 page printed in the 2019 table layout is read as printed; every other is F2008
        assert report.template == ("F2019" if "f2019table" in path.stem else "F2008"), path.stem
        if report.template == "F2008":
            assert report.missing.empty  # the 2019 tables are not required of it
            assert "统计表" in repr(report).splitlines()[0] and "表二" not in repr(report).splitlines()[0]
    print("\npre2019 pages:", counts)
    assert counts["refused"] == 0 and counts["pages"] == 20 and counts["F2008"] == 19
    assert counts["year read as typed"] >= 16


def test_an_agency_read_from_a_page_is_a_form_of_the_name_it_prints_never_a_clause():
    """A clause about the body (成立了本办…, 扎实推进我乡…) is never taken for its name: each agency
    read is part of the name typed from the page (Traditional and glosses aside), or none."""
    read = {}
    for typed in sorted(PRE2019.glob("*.json")):
        agency = sr.read_report(typed.with_suffix(".txt")).agency
        name = _typed(typed.stem).get("agency")
        if agency is None:
            continue
        read[typed.stem] = agency
        assert name is not None, (typed.stem, agency)
        assert agency in normalize(name), (typed.stem, name, agency)
    assert {"haitang_district_2015", "penglai_stats_2010", "zhangyi_town_2008", "xiniu_town_2015"} <= set(read)


def test_every_catalogued_prose_figure_is_read_none_wrong():
    files = [f for f in sorted(PRE2019.glob("*.json")) if json.loads(f.read_text("utf-8")).get("prose")]
    totals, per_metric, notes = score(files)
    print("\nprose score on the pre-2019 set:")
    for line in notes:
        print(line)
    print(", ".join(f"{k}: {v}" for k, v in sorted(totals.items())))
    assert (totals["wrong value"], totals["wrong metric"], totals["wrong scope"], totals["not in facts"]) == (0, 0, 0, 0)
    assert totals["null, left without metric"] == 66
    # 15 figures are typed with a metric (not ambiguous), all read: among them 累计公开各类政府信息215条
    # (lucheng 2014), a 累计 the report's earlier sentence confined to 2014 (截至…累计…2014年以来)
    assert (totals["read"], totals["missed"]) == (15, 0)


def test_a_cumulative_the_report_confined_to_its_year_stays_the_years():
    """截至…累计…<report year>年以来 says what the report's 累计 means; without it a bare 累计 is cumulative."""
    defined = [("line 6", "截至2014年12月31日,累计主动公开2014年以来的政府信息215条。"),
               ("line 7", "主动公开政府信息的主要类别情况:累计公开各类政府信息215条。")]
    mentions = [m for m in read_mentions(defined, year=2014) if m["value"] == 215]
    assert [(m["metric"], m["scope"]) for m in mentions] == [("information_published.total", "whole")] * 2
    alone = [m for m in read_mentions(defined[1:], year=2014) if m["value"] == 215]
    assert [(m["metric"], m["scope"]) for m in alone] == [(None, "cumulative")]
    since_2008 = [("line 6", "截至2014年12月31日,累计主动公开2008年以来的政府信息2150条。"), defined[1]]
    assert [m["scope"] for m in read_mentions(since_2008, year=2014) if m["value"] == 215] == ["cumulative"]


def test_old_headings_delimit_prose_and_old_wordings_are_read():
    text = ("2012年某县人民政府政府信息公开工作年度报告\n一、概述\n2012年,本县主动公开政府信息1200条。\n"
            "二、主动公开政府信息情况\n全年通过政府信息公开平台、政府网站主动公开政府信息1200条。\n"
            "三、依申请公开政府信息情况\n全年收到依申请公开申请8宗,受理政府信息公开申请15起。\n"
            "四、政府信息公开的收费及减免情况\n全年收取检索、复制费用200元。\n"
            "五、因政府信息公开申请行政复议、提起行政诉讼的情况\n全年因政府信息公开申请行政复议1件,提起行政诉讼2件。")
    report = sr.read_text(text, source="x.txt")
    assert (report.template, report.year) == ("F2008", 2012)
    facts = report.facts
    got = {(f.item + "." + f.measure, f.value) for f in facts.itertuples()}
    assert got >= {("information_published.total", 1200.0), ("applications_prose.received", 8.0),
                   ("applications_prose.accepted", 15.0), ("information_processing_fee.charged", 200.0),
                   ("review_litigation_prose.administrative_review", 1.0), ("review_litigation_prose.litigation", 2.0)}
    assert set(facts.section) == {"prose"}
    assert re.search(r"F2008（正文数字 7 项；统计表 0 项；勾稽问题 0 项，无法核对 \d+ 项）$", repr(report).splitlines()[0])


# --------------------------------------------------------------------------- the old statistics table

def _fill(rows: list[dict], width: int) -> list[list[str]]:
    """Values the test puts in the form: a number per cell, some cells left blank (never a guess)."""
    out = []
    for i, _ in enumerate(rows):
        cells = [str(7 * i + 3 + 100 * k) for k in range(width)]
        if i % 5 == 2:
            cells[-1] = ""  # the second column blank
        if i % 7 == 4:
            cells = [""] * width  # a row left blank
        out.append(cells)
    return out


def _dingxi_rows() -> tuple[list[dict], list[str]]:
    return _typed("dingxi_stats_form_template")["table"], ["本期实际", "本年累计"]


def _putian_rows() -> tuple[list[dict], list[str]]:
    return _typed("putian_2009_notice_table_template")["table"], ["2009年度", "历年累计"]


def _as_printed(stem: str, values: list[list[str]]) -> str:
    """The form's own text with the test's values put in its blank cells (its own layout)."""
    lines = (PRE2019 / f"{stem}.txt").read_text("utf-8").split("\n")
    rows = _typed(stem)["table"]
    labels = [r["row"] for r in rows]
    k = 0
    for i, line in enumerate(lines):
        if k < len(labels) and line.strip() == labels[k].strip():
            if stem.startswith("dingxi"):  # | unit, | code, then a "|" line per cell
                for j, v in enumerate(values[k]):
                    if i + 3 + j < len(lines) and lines[i + 3 + j] == "|":
                        lines[i + 3 + j] = f"| {v}" if v else "|"
            else:  # an empty line, then a line per cell (one space when blank), empty lines between
                for j, v in enumerate(values[k]):
                    assert lines[i + 2 + 2 * j].strip() == ""
                    lines[i + 2 + 2 * j] = v or " "
            k += 1
    assert k == len(labels)
    return "\n".join(lines)


def _units(rows: list[dict]) -> list[str]:
    return [r["unit"] or "" for r in rows]


def _bar_rows(rows: list[dict], header: list[str], values: list[list[str]], *, code: bool, lead: bool) -> str:
    start = "| " if lead else ""
    head = [f"{start}指标名称 | 计量单位 | {'代码 | ' if code else ''}{' | '.join(header)} |"]
    for i, (r, vals) in enumerate(zip(rows, values)):
        head.append(f"{start}{r['row']} | {r['unit'] or ''} | {f'{i + 1:02d} | ' if code else ''}{' | '.join(vals)} |")
    return "附表 政府信息公开情况统计表\n" + "\n".join(head)


def _html(rows: list[dict], header: list[str], values: list[list[str]], *, code: bool) -> str:
    def tr(cells: list[str]) -> str:
        return "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
    body = [tr(["指标名称", "计量单位", *(["代码"] if code else []), *header])]
    body += [tr([r["row"], r["unit"] or "", *([f"{i + 1:02d}"] if code else []), *vals])
             for i, (r, vals) in enumerate(zip(rows, values))]
    return f"<html><body><p>附表 政府信息公开情况统计表</p><table>{''.join(body)}</table></body></html>"


def _label_numbers(rows: list[dict], header: list[str], values: list[list[str]]) -> str:
    """PDF text: a row per line, label, unit and numbers separated by spaces (no empty cell shows)."""
    lines = ["指标名称 计量单位 " + " ".join(header)]
    lines += [f"{r['row']} {r['unit'] or ''} {' '.join(v for v in vals if v)}".rstrip() for r, vals in zip(rows, values)]
    return "附表 政府信息公开情况统计表\n" + "\n".join(lines)


def _check_placed(report: sr.Report, rows: list[dict], values: list[list[str]], measures: list[str],
                  *, positional: bool) -> dict[str, int]:
    """Every filled value on its row and column, blank cells blank; where a layout shows no empty
    cell (``positional`` False), a row with fewer numbers than columns is unplaced, never guessed."""
    facts = report.facts[report.facts.section == "statistics"]
    counts = {"placed": 0, "blank": 0, "unplaced rows": 0}
    unplaced = set(report.unplaced.raw)
    for r, vals in zip(rows, values):
        mine = facts[[normalize(x) == normalize(r["row"]) for x in facts.row_label]]
        shown = [v for v in vals if v]
        if not positional and 0 < len(shown) < len(vals):
            assert mine.empty and set(shown) <= unplaced, r["row"]
            counts["unplaced rows"] += 1
            continue
        assert list(mine.measure) == measures, r["row"]
        for (_, f), v in zip(mine.iterrows(), vals):
            if v:
                assert (f.value, f.raw) == (float(v), v), r["row"]
                counts["placed"] += 1
            else:
                assert math.isnan(f.value) and f.raw == "", r["row"]
                counts["blank"] += 1
            if r["unit"]:
                assert f.unit == r["unit"]
    return counts


@pytest.mark.parametrize("stem", FORMS)
def test_the_blank_forms_as_printed_read_every_cell_blank(stem):
    report = sr.read_report(PRE2019 / f"{stem}.txt")
    typed = _typed(stem)["table"]
    facts = report.facts[report.facts.section == "statistics"]
    assert len(facts) == 2 * len(typed) and facts.value.isna().all() and (facts.raw == "").all()
    assert report.unplaced.empty and not report.problems
    units = {normalize(r["row"]): r["unit"] for r in typed if r["unit"]}
    assert all(f.unit == units[normalize(f.row_label)] for f in facts.itertuples() if normalize(f.row_label) in units)


@pytest.mark.parametrize("layout", ["as printed", "bar rows", "markdown rows", "html", "label and numbers"])
@pytest.mark.parametrize("form", ["dingxi", "putian"])
def test_a_filled_form_is_placed_by_row_label_and_column(layout, form, tmp_path: Path):
    rows, header = _dingxi_rows() if form == "dingxi" else _putian_rows()
    stem = FORMS[0] if form == "dingxi" else FORMS[1]
    measures = ["year", "year_to_date"] if form == "dingxi" else ["year", "cumulative"]
    values = _fill(rows, 2)
    code = form == "dingxi"
    if layout == "as printed":
        if form == "dingxi":  # its last row is cut after its code: no value cell to fill
            values[-1] = ["", ""]
        path = tmp_path / "form.txt"
        path.write_text(_as_printed(stem, values), "utf-8")
    elif layout in ("bar rows", "markdown rows"):
        path = tmp_path / "form.txt"
        path.write_text(_bar_rows(rows, header, values, code=code, lead=layout == "markdown rows"), "utf-8")
    elif layout == "html":
        path = tmp_path / "form.html"
        path.write_text(_html(rows, header, values, code=code), "utf-8")
    else:
        path = tmp_path / "form.txt"
        path.write_text(_label_numbers(rows, header, values), "utf-8")
    report = sr.read_report(path, year=2010)
    assert report.template == "F2008"
    # the label-and-numbers lines show no empty cell; nor does the notice's page, whose rows print two
    # cells under three headers (计量单位, 2009年度, 历年累计): a row holding one number is not placed there
    shows_empties = layout != "label and numbers" and (form, layout) != ("putian", "as printed")
    counts = _check_placed(report, rows, values, measures, positional=shows_empties)
    print(f"\n{form} {layout}: {counts}")
    assert counts["placed"] > len(rows)
    assert report.summary()["statistics"] == len(report.facts[report.facts.section == "statistics"])


def test_a_row_missing_a_cell_is_never_placed_on_a_guess():
    text = ("附表 政府信息公开情况统计表\n指标名称 | 计量单位 | 本年度 | 历年累计 |\n主动公开信息数 | 条 | 12 | 340 |\n"
            "申请总数 | 件 | 7 |\n对申请的答复总数 | 件 | 6 | 50 |\n行政复议数 | 件 | 0 | 1 |")
    report = sr.read_text(text, source="x.txt", year=2011)
    facts = report.facts[report.facts.section == "statistics"]
    assert "requests_received" not in set(facts.item) and list(report.unplaced.raw) == ["7"]
    assert any("申请总数" in message for _, message in report.problems)
    assert facts.set_index(["item", "measure"]).value.to_dict() == {
        ("information_published", "year"): 12.0, ("information_published", "cumulative"): 340.0,
        ("answers", "year"): 6.0, ("answers", "cumulative"): 50.0,
        ("administrative_review", "year"): 0.0, ("administrative_review", "cumulative"): 1.0}
    assert re.search(r"统计表 6 项", repr(report))


# --------------------------------------------------------------------------- across the 2019 break

#: Figures of the generated reports for the years before 2019 the set lacks (of one agency, 邵阳市).
OLD_YEARS = {2016: (1520, 14, 14, 1, 0), 2017: (1688, 21, 20, 0, 1), 2018: (1835, 9, 9, 2, 0)}


def old_report(year: int, agency: str, published: int, received: int, answered: int, review: int,
               litigation: int) -> str:
    """A report before 2019 as they were written: prose under the old headings, the old statistics table."""
    return "\n".join([
        f"{agency}{year}年政府信息公开工作年度报告",
        "一、概述",
        f"{year}年,{agency}认真贯彻落实《中华人民共和国政府信息公开条例》,政府信息公开工作有序开展。",
        "二、政府信息主动公开情况",
        f"{year}年,通过政府信息公开平台、政府网站主动公开政府信息{published}条。",
        "三、依申请公开政府信息情况",
        f"{year}年,共受理政府信息公开申请{received}件,均已按期答复。",
        "四、政府信息公开的收费及减免情况",
        "未收取任何费用。",
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        f"因政府信息公开申请行政复议{review}件,提起行政诉讼{litigation}件。",
        "六、政府信息公开工作存在的主要问题及改进情况",
        "公开内容还需进一步丰富。",
        "附表 政府信息公开情况统计表",
        f"指标名称 | 计量单位 | {year}年度 | 历年累计 |",
        f"主动公开信息数 | 条 | {published} | {published * 6} |",
        f"申请总数 | 件 | {received} | {received * 5} |",
        f"对申请的答复总数 | 件 | {answered} | {answered * 5} |",
        f"行政复议数 | 件 | {review} | {review + 3} |",
        f"行政诉讼数 | 件 | {litigation} | {litigation + 1} |",
    ])


def break_corpus(folder: Path) -> Path:
    """The bundled 邵阳市 reports (2019–2023), generated ones for 2016–2018 and the development pages."""
    import shutil

    raw = Path(__file__).resolve().parents[1] / "data" / "raw"
    shutil.copytree(raw, folder)
    catalog = (folder / "catalog.csv").read_text("utf-8").rstrip("\n").split("\n")
    for year, figures in OLD_YEARS.items():
        name = f"shaoyang_city_{year}.txt"
        (folder / name).write_text(old_report(year, "邵阳市人民政府", *figures), "utf-8")
        catalog.append(f"shaoyang_city_{year},邵阳市,{year},,{name},full,generated: a report before 2019 (test)")
    (folder / "catalog.csv").write_text("\n".join(catalog) + "\n", "utf-8")
    (folder / "pre2019").mkdir()
    for page in sorted(PRE2019.glob("*.txt")):
        shutil.copy(page, folder / "pre2019" / page.name)
    return folder


def test_compare_years_runs_across_the_break_and_the_charts_mark_it(tmp_path: Path):
    from shaoyang_report.publish import plotting

    corpus = sr.read_reports(break_corpus(tmp_path / "raw"), progress=False)
    assert set(corpus.reports.template) >= {"F2008", "F2019"}
    cmp = sr.compare_years(corpus, agency="邵阳市")
    assert min(cmp.year) == 2016 and {2019, 2020, 2021} <= set(cmp.year)
    old = cmp[cmp.year < 2019]
    assert set(old.template) == {"F2008"}
    received = old[old.indicator == "applications_received"].set_index("year")
    assert received.value.to_dict() == {y: float(f[1]) for y, f in OLD_YEARS.items()}
    assert set(received.basis) == {"printed table"} and received.caveat_zh.str.contains("2019年前").all()
    assert (received.comparability == "caveat").all()
    review = old[old.indicator == "review_total"].set_index("year").value.to_dict()
    assert review == {y: float(f[3]) for y, f in OLD_YEARS.items()}
    published = old[old.indicator == "information_published"].set_index("year").value.to_dict()
    assert published == {y: float(f[0]) for y, f in OLD_YEARS.items()}
    # what 2019 and later give keeps its own caveat and comparability
    new = cmp[(cmp.year >= 2019) & (cmp.indicator == "applications_received")]
    assert (new.comparability == "direct").all() and new.caveat_zh.isna().all()
    # not in the old format: the 2019 tables' rows
    assert old[old.indicator == "permit_decisions"].why_missing.eq("not in that year's format").all()
    assert plotting.format_break(cmp) == 2019
    assert plotting.format_break(cmp[cmp.year >= 2019]) is None  # no break: charts as before
    chart = plotting.applications(cmp, "邵阳市")
    texts = [t.get_text() for ax in chart.figure.axes for t in ax.texts]
    assert "2019年起全国统一格式" in texts


def test_the_audit_overview_shows_no_national_tables_for_an_old_report():
    """An F2008 report has no 表二/三/四: the audit's per-report table says "—" there, not 0."""
    from shaoyang_report.publish import audit
    from shaoyang_report.publish.word import html_rows

    corpus = sr.read_reports([PRE2019 / "jianxin_town_2018.txt",
                              shared_report("shaoyang") / "shaoyang_city_2020.txt"], progress=False)
    rows = {row[0]: row for row in html_rows(str(audit.audit_overview(corpus)))[1:]}
    assert rows["邵阳市"][4:7] == ["22/22", "161/161", "15/15"]  # values read / printed cells, table by table
    old = next(row for name, row in rows.items() if name != "邵阳市")
    assert old[2] == "F2008" and old[4:7] == ["—", "—", "—"]
