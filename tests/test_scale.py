"""Corpus scale: the columnar corpus gives the frames the records give, once; look-ups by id;
workers; the saved corpus; partitioned Parquet for DuckDB; a workbook within Excel's limits."""

from __future__ import annotations

import gc
import os
import re
import shutil

import openpyxl
import pandas as pd
import pytest
from conftest import PROJECT, RAW, SHARED_REPORTS

import shaoyang_report as sr
from shaoyang_report import dictionary
from shaoyang_report.cli import main
from shaoyang_report.corpus import corpus as corpus_module
from shaoyang_report.corpus import engine, parse
from shaoyang_report.corpus import read as read_module
from shaoyang_report.corpus.columns import public_dtypes, reports_frame
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.corpus.files import read_jobs
from shaoyang_report.corpus.parquet import read_facts
from shaoyang_report.publish import build, explorer, loading, workbook
from shaoyang_report.read.report import MISSING_COLUMNS, PROBLEM_COLUMNS, UNPLACED_COLUMNS, read_report

REPORT = RAW / "shaoyang_city_2020.txt"
EXCERPTS = SHARED_REPORTS / "excerpts"
FRAMES = ("facts", "checks", "findings", "reports", "missing", "unplaced", "problems")

#: The README's DuckDB query over the partitioned facts (README, "Many reports").
README_QUERY = """
select year, agency, value as applications_received
from read_parquet('facts/**/*.parquet', hive_partitioning = true)
where section = 'applications' and item = 'new_requests' and applicant = 'total'
order by year, agency
"""


def _from_records(source) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The corpus frames built from each report's records, as the corpus built them before it was columnar."""
    jobs = read_jobs(source, None, None).jobs
    reports, errors = [], []
    for path, entry, strict, _ in jobs:
        try:
            reports.append(read_report(path, strict=strict, catalog_entry=entry))
        except sr.ReportFormatError:
            errors.append(str(path))
    checks = dictionary.build_frame([c for r in reports for c in r.records("checks")], "checks")
    frames = {
        "facts": dictionary.build_frame([f for r in reports for f in r.records("facts")], "facts"),
        "checks": checks,
        "findings": checks[checks["status"] == "fail"].reset_index(drop=True),
        "reports": reports_frame([parse.report_columns(r).summary for r in reports]),
        "missing": pd.DataFrame([m for r in reports for m in r.records("missing")], columns=MISSING_COLUMNS).astype("string"),
        "unplaced": pd.DataFrame([u for r in reports for u in r.records("unplaced")],
                                 columns=UNPLACED_COLUMNS).astype("string"),
        "problems": pd.DataFrame([{"report_id": r.report_id, "location": w, "message": m}
                                  for r in reports for w, m in r.problems], columns=PROBLEM_COLUMNS).astype("string"),
    }
    return frames, errors


def _assert_same_corpus(got: Corpus, want: Corpus) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(public_dtypes(getattr(got, name)), public_dtypes(getattr(want, name)), obj=name)
    pd.testing.assert_frame_equal(got.errors, want.errors, obj="errors")
    assert got.report_ids == want.report_ids and got.uncatalogued == want.uncatalogued


@pytest.fixture(scope="module")
def excerpts() -> Corpus:
    return sr.read_reports(EXCERPTS, progress=False)


# ---------------------------------------------------------------------------- the columnar corpus
@pytest.mark.parametrize("source", [RAW, EXCERPTS], ids=["data-raw", "excerpts"])
def test_columnar_frames_are_the_frames_of_the_records(source):
    corpus = sr.read_reports(source, progress=False)
    want, errors = _from_records(source)
    assert len(want["problems"]) or source == RAW  # the excerpts exercise problems and unplaced numbers too
    for name in FRAMES:
        pd.testing.assert_frame_equal(public_dtypes(getattr(corpus, name)), want[name], obj=name)
    dictionary.validate(public_dtypes(corpus.facts), "facts")
    dictionary.validate(public_dtypes(corpus.checks), "checks")
    assert list(corpus.errors.path) == errors
    assert corpus.nbytes < 40_000 * len(corpus)


def test_the_corpus_holds_columns_not_records(excerpts):
    table = excerpts.to_arrow("facts")
    assert table.num_rows == len(excerpts.facts)
    texts = [f.name for f in table.schema if str(f.type).startswith("dictionary")]
    assert {"report_id", "agency", "section", "item", "measure", "unit", "location"} <= set(texts)
    assert not hasattr(excerpts, "_parsed") and all(isinstance(v, list) for v in excerpts._summaries.values())


def test_frames_are_built_once_and_again_when_a_report_is_added(monkeypatch):
    corpus = sr.read_reports([REPORT], progress=False)
    built = []
    real = corpus_module.compact_frame
    monkeypatch.setattr(corpus_module, "compact_frame",
                        lambda table, frame="facts": built.append(frame) or real(table, frame))
    first = corpus.facts
    first.loc[0, "value"] = -1.0  # a changed copy leaves the corpus as it was
    second = corpus.facts
    assert built == ["facts"] and second.loc[0, "value"] != -1.0
    assert corpus.findings is not corpus.findings and built == ["facts", "checks"]
    corpus.add(read_report(RAW / "openings" / "shaoyang_city_2021_opening.txt", report_id="added"))
    third = corpus.facts
    assert built == ["facts", "checks", "facts"]
    assert len(third) > len(second) and third.report_id.iloc[-1] == "added" and "added" in corpus
    assert corpus.reports.report_id.tolist() == ["shaoyang_city_2020", "added"]


def test_reports_are_looked_up_by_id(excerpts):
    facts, checks = excerpts.facts, excerpts.checks
    for rid in excerpts.report_ids[::7]:
        mine = facts[facts.report_id == rid].reset_index(drop=True)
        pd.testing.assert_frame_equal(excerpts.report_facts(rid), public_dtypes(mine))
        pd.testing.assert_frame_equal(excerpts.report_checks(rid),
                                      public_dtypes(checks[checks.report_id == rid].reset_index(drop=True)))
        summary = excerpts.report_summary(rid)
        row = excerpts.reports[excerpts.reports.report_id == rid].iloc[0]
        assert summary["report_id"] == rid and summary["checks"] == row.checks and summary["source"] == row.source
    for view in excerpts.parsed:  # each report's records, as compare_years takes them
        mine = facts[facts.report_id == view.report_id].reset_index(drop=True)
        pd.testing.assert_frame_equal(dictionary.build_frame(view.facts, "facts"), public_dtypes(mine))
        assert view.summary == excerpts.report_summary(view.report_id)
    report = read_report(REPORT)
    corpus = sr.read_reports(RAW, progress=False)
    for section in ("active_disclosure", "applications", "review_litigation"):
        pd.testing.assert_frame_equal(corpus.table("shaoyang_city_2020", section), report.table(section))
    with pytest.raises(KeyError, match="no report 'nowhere'"):
        corpus.report_facts("nowhere")
    assert "nowhere" not in corpus and "shaoyang_city_2020" in corpus


def test_a_corpus_of_many_segments_gives_the_same_frames_and_records(monkeypatch, excerpts):
    monkeypatch.setattr(read_module, "_BATCH", 3)  # batches of 3 reports, segments of 2 batches
    monkeypatch.setattr(corpus_module, "_SEGMENT", 2)
    small = sr.read_reports(EXCERPTS, progress=False)
    assert len(small._segments["facts"]) > 4
    _assert_same_corpus(small, excerpts)
    for view, other in zip(small.parsed, excerpts.parsed):
        for frame in ("facts", "checks"):
            pd.testing.assert_frame_equal(dictionary.build_frame(getattr(view, frame), frame),
                                          dictionary.build_frame(getattr(other, frame), frame))
    last = small.report_ids[-1]
    pd.testing.assert_frame_equal(small.report_facts(last), excerpts.report_facts(last))
    pd.testing.assert_frame_equal(small.table(last, "active_disclosure"), excerpts.table(last, "active_disclosure"))


def test_parsing_runs_with_the_garbage_collector_paused(monkeypatch):
    seen = []
    real = parse.read_report
    monkeypatch.setattr(parse, "read_report", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    assert gc.isenabled()
    sr.read_reports([REPORT, REPORT], progress=False)
    assert seen == [False, False] and gc.isenabled()


def test_two_workers_give_what_one_gives(tmp_path):
    files = sorted(RAW.rglob("*.txt")) + sorted(EXCERPTS.glob("*.txt")) + [EXCERPTS / "README.md"]
    one = sr.read_reports(files, progress=False)
    two = sr.read_reports(files, progress=False, workers=2)
    _assert_same_corpus(two, one)
    assert len(one.errors) == 1
    for suffix in (".parquet", ".csv"):
        sr.write_facts(files, tmp_path / f"one{suffix}", progress=False)
        errors = sr.write_facts(files, tmp_path / f"two{suffix}", progress=False, workers=2, batch=5)
        assert (tmp_path / f"one{suffix}").read_bytes() == (tmp_path / f"two{suffix}").read_bytes() or suffix == ".parquet"
        assert list(errors.path) == list(one.errors.path)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "two.parquet"), public_dtypes(one.facts))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one.parquet"), public_dtypes(one.facts))


# ---------------------------------------------------------------------------- saving and the cache
def test_a_saved_corpus_loads_as_it_was(tmp_path, excerpts):
    excerpts.save(tmp_path / "saved")
    loaded = Corpus.load(tmp_path / "saved")
    _assert_same_corpus(loaded, excerpts)
    raw = sr.read_reports(RAW, progress=False)
    loaded = Corpus.load(raw.save(tmp_path / "raw"))
    _assert_same_corpus(loaded, raw)
    pd.testing.assert_frame_equal(loaded.catalog, raw.catalog)
    pd.testing.assert_frame_equal(loaded.table("shaoyang_city_2020", "applications"),
                                  raw.table("shaoyang_city_2020", "applications"))


def test_the_cache_is_read_when_the_files_are_the_same(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    shutil.copytree(RAW, folder)
    cache = tmp_path / "cache"
    first = sr.read_reports(folder, progress=False, cache=cache)
    assert len(list(cache.glob("corpus-*"))) == 1

    def no_parsing(jobs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(engine, "parse_files", no_parsing)
    _assert_same_corpus(sr.read_reports(folder, progress=False, cache=cache), first)
    monkeypatch.undo()
    text = (folder / "shaoyang_city_2020.txt").read_text("utf-8")
    (folder / "shaoyang_city_2020.txt").write_text(text.replace("139", "138", 1), "utf-8")  # same size, new content
    changed = sr.read_reports(folder, progress=False, cache=cache)
    assert len(list(cache.glob("corpus-*"))) == 2
    assert not changed.facts.equals(first.facts)


def _archived_folder(tmp_path, stamp: str):
    """data/raw with the 2021 opening archived into fetched/ (catalogued there) and dated by the manifest."""
    folder = tmp_path / "raw"
    if not folder.exists():
        shutil.copytree(RAW, folder)
        (folder / "fetched" / "shaoyang_city_2021").mkdir(parents=True)
        shutil.move(folder / "openings" / "shaoyang_city_2021_opening.txt", folder / "fetched" / "shaoyang_city_2021" / "p.txt")
        catalog = pd.read_csv(folder / "catalog.csv", dtype=str, keep_default_na=False)
        catalog.loc[catalog.report_id == "shaoyang_city_2021", "local_file"] = "fetched/shaoyang_city_2021/p.txt"
        catalog.to_csv(folder / "catalog.csv", index=False)
    pd.DataFrame([{"report_id": "shaoyang_city_2021", "path": "fetched/shaoyang_city_2021/p.txt", "last_modified": stamp},
                  {"report_id": "shaoyang_city_2020", "path": "shaoyang_city_2020.txt", "last_modified": "no date"}]
                 ).to_csv(folder / "fetched" / "manifest.csv", index=False)
    return folder


def test_the_corpus_keeps_each_reports_file_and_archive_date(tmp_path, monkeypatch):
    import pickle

    folder = _archived_folder(tmp_path, "Tue, 29 Mar 2022 02:00:00 GMT")
    corpus = sr.read_reports(folder, progress=False)
    files = corpus.files.set_index("report_id")
    assert list(corpus.files.columns) == ["report_id", "path", "last_modified"]
    assert list(files.index) == corpus.report_ids and "path" not in corpus.reports  # the reports frame is as it was
    assert files.loc["shaoyang_city_2021", "path"] == str(folder / "fetched" / "shaoyang_city_2021" / "p.txt")
    assert files.loc["shaoyang_city_2020", "path"] == str(folder / "shaoyang_city_2020.txt")
    assert files.loc["shaoyang_city_2021", "last_modified"] == pd.Timestamp("2022-03-29 02:00", tz="UTC")
    assert files.last_modified.notna().sum() == 1  # "no date" and files the manifest does not name: missing
    assert sr.read_reports([folder / "shaoyang_city_2020.txt"], progress=False).files.last_modified.isna().all()
    monkeypatch.chdir(tmp_path)  # paths given relative are kept absolute
    assert sr.read_reports("raw", progress=False).files.equals(corpus.files)
    # the same with two workers, saved and loaded, pickled, from the cache, and after a report is added
    pd.testing.assert_frame_equal(sr.read_reports(folder, progress=False, workers=2).files, corpus.files)
    pd.testing.assert_frame_equal(Corpus.load(corpus.save(tmp_path / "saved")).files, corpus.files)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(corpus)).files, corpus.files)
    cache = tmp_path / "cache"
    sr.read_reports(folder, progress=False, cache=cache)
    pd.testing.assert_frame_equal(sr.read_reports(folder, progress=False, cache=cache).files, corpus.files)
    _archived_folder(tmp_path, "Mon, 05 Sep 2022 02:00:00 GMT")  # a new archive date: the cached corpus is stale
    later = sr.read_reports(folder, progress=False, cache=cache).files.set_index("report_id")
    assert later.loc["shaoyang_city_2021", "last_modified"] == pd.Timestamp("2022-09-05 02:00", tz="UTC")
    corpus.add(read_report(REPORT, report_id="added"))
    assert corpus.files.report_id.iloc[-1] == "added" and corpus.files.iloc[-1][["path", "last_modified"]].isna().all()
    assert len(corpus.files) == len(corpus) == len(corpus.reports)


def test_the_briefing_notebooks_load_the_corpus_the_briefing_read(tmp_path, monkeypatch):
    monkeypatch.setenv("SHAOYANG_CORPUS_CACHE", str(tmp_path / "cache"))
    read = []
    real = engine.parse_files
    monkeypatch.setattr(engine, "parse_files", lambda jobs: read.append(len(jobs)) or real(jobs))
    corpus = loading.load_corpus(RAW)
    assert read == [12]
    again = loading.load_corpus(RAW)  # what a notebook kernel does
    assert read == [12]
    _assert_same_corpus(again, corpus)
    monkeypatch.setenv("SHAOYANG_CORPUS_CACHE", "")
    loading.load_corpus(RAW)
    assert read == [12, 12]


def test_the_explorer_shows_one_report_per_year(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("a_2020.txt", "b_2020.txt"):
        shutil.copy(REPORT, folder / name)
    shutil.copy(RAW / "openings" / "shaoyang_city_2021_opening.txt", folder / "c_2021.txt")
    corpus = sr.read_reports(folder, progress=False)
    assert explorer.explorer_reports(corpus, "邵阳市") == ["a_2020"]
    assert explorer.explorer_reports(sr.read_reports(RAW, progress=False), "邵阳市") == ["shaoyang_city_2020"]


# ---------------------------------------------------------------------------- partitioned output
def test_partitioned_facts_for_duckdb_polars_and_pandas(tmp_path, monkeypatch, excerpts):
    import duckdb
    target = tmp_path / "facts"
    assert sr.write_facts(RAW, target, progress=False, partition_by=["year"]).empty
    facts = sr.read_reports(RAW, progress=False).facts
    assert sorted(p.name for p in target.iterdir()) == [f"year={y}" for y in sorted(facts.year.unique())]
    read = pd.read_parquet(target)  # pandas directly: the year from the folder names
    assert len(read) == len(facts) and read.year.astype(int).tolist() == sorted(facts.year.tolist())
    monkeypatch.chdir(tmp_path)
    got = duckdb.sql(README_QUERY).df()
    want = facts.query("section == 'applications' and item == 'new_requests' and applicant == 'total'")
    assert got.values.tolist() == want[["year", "agency", "value"]].values.tolist() and len(got) == 1
    readme = (PROJECT / "README.md").read_text("utf-8")
    assert " ".join(README_QUERY.split()) in " ".join(readme.split())  # the README shows this very query
    # a report without a year goes to year=__HIVE_DEFAULT_PARTITION__, read back as missing
    sr.write_facts(EXCERPTS, target, progress=False, partition_by=["year"])
    assert (target / "year=__HIVE_DEFAULT_PARTITION__").is_dir()
    whole = excerpts.facts.sort_values("year", kind="stable", na_position="last").reset_index(drop=True)
    pd.testing.assert_frame_equal(read_facts(target), public_dtypes(whole))
    missing = duckdb.sql("select count(*) from read_parquet('facts/**/*.parquet', hive_partitioning = true) "
                         "where year is null").fetchall()[0][0]
    assert missing == excerpts.facts.year.isna().sum() > 0


def test_a_partitioned_write_is_whole_or_absent(tmp_path, monkeypatch):
    import pyarrow.dataset as ds

    target = tmp_path / "facts"
    sr.write_facts(RAW, target, progress=False, partition_by=["year"])
    before = sorted(str(p.relative_to(target)) for p in target.rglob("*"))
    real = ds.write_dataset

    def dies(data, base_dir, **kwargs):
        real(iter(list(data)[:1]), base_dir, **kwargs)  # some files written, then killed
        raise RuntimeError("killed")

    monkeypatch.setattr(ds, "write_dataset", dies)
    with pytest.raises(RuntimeError, match="killed"):
        sr.write_facts([REPORT], target, progress=False, partition_by=["year"])
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts"]  # no staging folder left
    monkeypatch.undo()
    sr.write_facts([REPORT], target, progress=False, partition_by=["year"])
    assert [p.name for p in target.iterdir()] == ["year=2020"]  # replaced whole: no old years left
    with pytest.raises(ValueError, match="not a facts column"):
        sr.write_facts([REPORT], tmp_path / "x", progress=False, partition_by=["province"])


def test_the_parse_command_writes_a_partitioned_dataset(tmp_path, capsys):
    target = tmp_path / "facts"
    assert main(["parse", str(RAW), "-o", str(target), "--partition-by", "year"]) == 0
    assert "partitioned by year" in capsys.readouterr().out
    assert len(read_facts(target)) == len(sr.read_reports(RAW, progress=False).facts)
    assert main(["parse", str(REPORT), "--partition-by", "year"]) == 2
    assert "needs -o DIR" in capsys.readouterr().err


# ---------------------------------------------------------------------------- Excel's limits
def test_a_sheet_beyond_excel_limits_holds_what_fits_and_says_where_the_rest_is(tmp_path, monkeypatch):
    facts = sr.read_reports([REPORT], progress=False).facts.astype({"item": "string"})  # categorical: no new text
    facts.loc[3, "item"] = "长" * 80
    monkeypatch.setattr(workbook, "MAX_ROWS", 50)
    monkeypatch.setattr(workbook, "MAX_COLUMNS", 10)
    monkeypatch.setattr(workbook, "MAX_CELL_CHARS", 40)
    rid = "a_report_id_much_longer_than_thirty_one_characters"
    tables = {rid: {"applications": read_report(REPORT).table("applications")}}
    path = workbook.write_workbook(tmp_path / "w.xlsx", facts=facts, findings=facts.iloc[:3, :10], tables=tables,
                                   facts_files=["facts.parquet", "facts.csv"])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["目录 contents", "说明 notes", "事实 facts", "勾稽问题 findings", "字段 dictionary", rid[:31]]
    contents = {r[0]: r for r in wb["目录 contents"].iter_rows(values_only=True)}
    assert contents[rid[:31]][2] == rid[:39] + "…"  # the cut sheet name, mapped to the report id (cells cut at 40 here)
    ws = wb["事实 facts"]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 50 and ws.max_column == 10
    assert list(rows[1]) == list(facts.columns[:10])  # the keys, under the Chinese names
    assert [r[9] for r in rows[2:49]] == facts["value"].head(47).tolist()
    note = rows[49][0]
    assert "前 47 行、10 列" in note and f"共 {len(facts)} 行、{facts.shape[1]} 列" in note and "facts.parquet" in note
    assert any("事实 facts" in (c.value or "") for c in wb["说明 notes"]["A"])
    assert all(len(c.value) <= 40 for row in ws.iter_rows(max_row=49) for c in row if isinstance(c.value, str))
    assert rows[5][facts.columns.get_loc("item")] == "长" * 39 + "…"  # cut to the cell limit, and marked
    assert wb["勾稽问题 findings"].max_row == 5  # within the limits: no note row
    assert wb[rid[:31]].max_row <= 50


def test_streamed_sheets_keep_types_blanks_and_formats(tmp_path):
    frame = pd.DataFrame({"year": pd.array([2020, None], dtype="Int64"), "flag": pd.array([True, None], dtype="boolean"),
                          "value": [1.5, float("nan")], "unit": pd.array(["%", "件"], dtype="string"),
                          "text": pd.array([" padded ", "=1+1"], dtype="string"), "mixed": [3, "x"]})
    wb = openpyxl.load_workbook(workbook.write_workbook(tmp_path / "t.xlsx", facts=frame))
    ws = wb["事实 facts"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=3)] == [
        [2020, True, 1.5, "%", " padded ", 3], [None, None, None, "件", "'=1+1", "x"]]
    assert ws["C3"].number_format == '0.00"%"'  # the value by its row's unit
    assert ws["A3"].number_format == "0"  # a year: plain, whatever the row's unit
    assert ws.freeze_panes == "A3" and ws["A1"].font.b and ws.column_dimensions["E"].width >= 10


def test_the_briefing_workbook_keeps_a_sheet_per_report_within_a_bound(tmp_path, monkeypatch):
    def no_notebooks(path, parameters=None, timeout=600):
        import nbformat

        return nbformat.v4.new_notebook()

    monkeypatch.setattr(build, "run_notebook", no_notebooks)
    monkeypatch.setattr(build, "WORKBOOK_REPORT_SHEETS", 2)
    monkeypatch.setenv("SHAOYANG_CORPUS_CACHE", "")
    folder = tmp_path / "reports"
    folder.mkdir()
    for k in range(4):
        os.link(REPORT, folder / f"copy_{k}.txt")
    out = tmp_path / "out"
    build.build_briefings(folder, out, agency="邵阳市", audit=False)
    wb = openpyxl.load_workbook(out / "workbook.xlsx", read_only=True)
    assert [n for n in wb.sheetnames if n.startswith("copy_")] == ["copy_0", "copy_1"]
    notes = [row[0] for row in wb["说明 notes"].iter_rows(values_only=True)]
    assert any(re.search(r"4 份报告读到了表格.*只为其中 2 份", n or "") for n in notes)
    assert [p.name for p in out.glob("report-*.html")] == ["report-copy_0.html"]
