"""SQL over the corpus (DuckDB): ``corpus.sql`` on the Arrow columns, ``sr.sql`` on the Parquet files written.

Values typed from the Shaoyang 2020 document (../shared/reports/shaoyang): 行政许可
处理决定数量 7591, 行政处罚 1614; table 三 一、本年新收 总计 138, （七）总计 140.
"""

from __future__ import annotations

import pytest
from conftest import PROJECT, RAW, SHARED_REPORTS

import shaoyang_report as sr
from shaoyang_report.corpus.sql import parquet_views

SHAOYANG = SHARED_REPORTS / "shaoyang"
DECISIONS = ("select row_label, value from facts where report_id = 'shaoyang_city_2020' and measure = 'decisions' "
             "and row_label in ('行政许可', '行政处罚') order by value")
#: The README quickstart's query.
README_SQL = ("select year, sum(value) as new_requests from facts where section = 'applications' "
              "and item = 'new_requests' and applicant = 'total' group by year order by year")


@pytest.fixture(scope="module")
def shaoyang():
    return sr.read_reports(SHAOYANG, progress=False)


def test_corpus_sql_reads_the_printed_values(shaoyang):
    got = shaoyang.sql(DECISIONS)
    assert got.values.tolist() == [["行政处罚", 1614.0], ["行政许可", 7591.0]]
    totals = shaoyang.sql("select item, value from facts where report_id = 'shaoyang_city_2020' "
                          "and applicant = 'total' and item in ('new_requests', 'total_handled') order by item")
    assert totals.values.tolist() == [["new_requests", 138.0], ["total_handled", 140.0]]


def test_corpus_sql_sees_every_frame_as_the_frames_are(shaoyang):
    for frame in ("facts", "checks", "findings", "missing", "unplaced", "problems", "reports"):
        assert shaoyang.sql(f"select count(*) as n from {frame}").n[0] == len(getattr(shaoyang, frame))
    by_rule = shaoyang.sql("select rule, count(*) as n from findings group by rule order by rule")
    want = shaoyang.findings.rule.astype(str).value_counts().sort_index()
    assert by_rule.set_index("rule").n.to_dict() == want.to_dict() and len(by_rule)
    # the Shaoyang 2020 table 三: 各项办理结果之和 138 against （七）总计 printed 140
    failing = shaoyang.sql("select expected, printed from findings where rule = 'leaf_sum' and applicant = 'total' "
                           "and report_id = 'shaoyang_city_2020'")
    assert failing.values.tolist() == [[138.0, 140.0]]


def test_sql_over_a_partitioned_parquet_folder(tmp_path, shaoyang):
    target = tmp_path / "facts"
    assert sr.write_facts(SHAOYANG, target, progress=False, partition_by=["year"]).empty
    assert sr.sql(target, DECISIONS).values.tolist() == [["行政处罚", 1614.0], ["行政许可", 7591.0]]
    years = sr.sql(target, "select year, count(*) as n from facts group by year order by year")
    want = shaoyang.facts.groupby("year").size()
    assert years.set_index("year").n.to_dict() == want.to_dict()
    got = sr.sql(target, README_SQL)
    assert got.set_index("year").new_requests.to_dict()[2020] == 138  # the README's query, on the document's total


def test_sql_over_a_facts_file_and_a_saved_corpus(tmp_path, shaoyang):
    sr.write_facts(SHAOYANG, tmp_path / "facts.parquet", progress=False)
    assert sr.sql(tmp_path / "facts.parquet", DECISIONS).value.tolist() == [1614.0, 7591.0]
    saved = sr.read_reports(RAW, progress=False)
    saved.save(tmp_path / "corpus")
    assert set(parquet_views(tmp_path / "corpus")) == {"facts", "checks", "missing", "unplaced", "problems", "catalog"}
    assert sr.sql(tmp_path / "corpus", "select count(*) as n from findings").n[0] == len(saved.findings) > 0
    assert sr.sql(tmp_path / "corpus", DECISIONS).value.tolist() == [1614.0, 7591.0]


def test_sql_says_what_it_cannot_read(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such"):
        sr.sql(tmp_path / "absent", "select 1")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no Parquet"):
        sr.sql(tmp_path / "empty", "select 1")


def test_the_readme_shows_the_query():
    readme = " ".join((PROJECT / "README.md").read_text("utf-8").split())
    assert " ".join(README_SQL.split()) in readme
