"""The Excel workbook: same numbers back, frozen headers, widths, formats, no formulas."""

from __future__ import annotations

import math

import openpyxl
from conftest import RAW

import shaoyang_report as sr
from shaoyang_report.publish.workbook import write_workbook


def test_workbook_round_trip(tmp_path):
    corpus = sr.read_reports(RAW, progress=False)
    rid = "shaoyang_city_2020"
    tables = {rid: {s: corpus.table(rid, s) for s in ("active_disclosure", "applications", "review_litigation")}}
    facts = corpus.facts.astype({"row_label": "string"})  # a categorical column takes no new text
    facts.loc[0, "row_label"] = "=HYPERLINK(\"http://evil\")"  # a hostile label must not become a formula
    path = write_workbook(tmp_path / "out.xlsx", facts=facts, findings=corpus.findings, tables=tables,
                          sources=corpus.reports[["report_id", "agency", "year", "url"]])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["目录 contents", "事实 facts", "勾稽问题 findings", "来源 sources", "字段 dictionary", rid]
    ws = wb["事实 facts"]
    assert ws.freeze_panes == "A3"  # the Chinese names, then the keys
    header = [c.value for c in ws[2]]
    assert [c.value for c in ws[1]][header.index("value")] == "数值"
    values = [row[header.index("value")] for row in ws.iter_rows(min_row=3, values_only=True)]
    expected = facts["value"].tolist()
    assert len(values) == len(expected)
    for got, want in zip(values, expected):
        assert (got is None and math.isnan(want)) or got == want
    assert ws.cell(row=3, column=header.index("row_label") + 1).value.startswith("'=")
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.column_dimensions["A"].width > 10
    # the printed table 三 sheet: the total row as printed
    sheet = wb[rid]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if r[0]}
    assert rows["（七）总计"][:7] == (139, 0, 0, 1, 0, 0, 140)
    amount_row = next(r for r in sheet.iter_rows() if r[0].value == "政府集中采购")
    assert [c for c in amount_row if c.value == 46502.47][0].number_format == "0.00##"
    # in the facts sheet, the format follows the unit: money in 万元 with decimals, counts without
    unit_col, value_col = header.index("unit"), header.index("value")
    formats = {row[unit_col].value: row[value_col].number_format for row in ws.iter_rows(min_row=3)
               if row[value_col].value is not None}
    assert formats["万元"] == "#,##0.00" and formats["件"] == "#,##0"
    findings = wb["勾稽问题 findings"]
    assert findings.max_row == 4  # two header rows + the two leaf-sum findings
