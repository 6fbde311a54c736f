"""engine="dask": a Dask cluster's workers parse the reports (and write the partitioned dataset),
giving what a local read gives. Run on a LocalCluster of 2 worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dask
import pandas as pd
import pyarrow.dataset as ds
import pytest
from conftest import PROJECT, RAW, SHARED_REPORTS
from distributed import Client, LocalCluster

import shaoyang_report as sr
from shaoyang_report.cli import main
from shaoyang_report.corpus import distributed as dask_engine
from shaoyang_report.corpus import engine as engine_module
from shaoyang_report.corpus import stream
from shaoyang_report.corpus.parquet import read_facts

REPORT = RAW / "shaoyang_city_2020.txt"
EXCERPTS = SHARED_REPORTS / "excerpts"
FRAMES = ("facts", "checks", "findings", "reports", "missing", "unplaced", "problems", "errors")


@pytest.fixture(scope="module")
def client():
    """A cluster of two worker processes (one thread each), as a distributed.Client that is nobody's default."""
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(2)
        yield client


@pytest.fixture
def here_only(monkeypatch):
    """Parsing or writing in this process fails: what passes was done by the cluster's worker processes."""
    def refuse(*args, **kwargs):
        raise AssertionError("parsed or written in the client process")

    for module, name in ((engine_module, "parse_files"), (dask_engine, "parse_files"),
                         (stream, "write_partitioned"), (dask_engine, "write_partitioned"),
                         (ds, "write_dataset")):
        monkeypatch.setattr(module, name, refuse)


def _assert_same_corpus(got: sr.Corpus, want: sr.Corpus) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), obj=name)
    assert got.report_ids == want.report_ids and got.uncatalogued == want.uncatalogued
    pd.testing.assert_frame_equal(got.catalog, want.catalog, obj="catalog")


# ---------------------------------------------------------------------------- read_reports
@pytest.mark.parametrize("source", [RAW, EXCERPTS], ids=["data-raw", "excerpts"])
def test_the_workers_read_the_corpus_a_local_read_gives(client, source, monkeypatch, request):
    want = sr.read_reports(source, progress=False)
    request.getfixturevalue("here_only")
    got = sr.read_reports(source, progress=False, engine="dask", scheduler=client)
    _assert_same_corpus(got, want)
    assert len(got) == len(want) > 10
    if source == EXCERPTS:  # the folder's README.md is notes, not a report: skipped and said so, not an error
        assert got.errors.empty
        notes = got.skipped[got.skipped.kind == "notes"]
        assert [Path(p).name for p in notes.path] == ["README.md"]
        pd.testing.assert_frame_equal(got.skipped, want.skipped)


def test_error_rows_name_the_files_as_given(client, monkeypatch):
    monkeypatch.chdir(PROJECT)  # relative paths: the workers get them absolute, the rows show them as given
    files = ["data/raw/shaoyang_city_2020.txt", "data/raw/nowhere.txt", "data/raw/shaoyang_city_2020.txt",
             os.path.relpath(EXCERPTS / "README.md"), "data/raw/nowhere.txt",
             str(RAW / "openings" / "shaoyang_city_2021_opening.txt")]
    want = sr.read_reports(files, progress=False)
    got = sr.read_reports(files, progress=False, engine="dask", scheduler=client)
    _assert_same_corpus(got, want)
    assert got.errors.path.tolist() == ["data/raw/nowhere.txt", os.path.relpath(EXCERPTS / "README.md"),
                                        "data/raw/nowhere.txt"]
    assert got.report_ids == ["shaoyang_city_2020", "shaoyang_city_2020", "shaoyang_city_2021_opening"]
    pd.testing.assert_frame_equal(got.files, want.files)  # each report with the file it came from, made absolute
    assert got.files.path.tolist() == [str(PROJECT / files[0]), str(PROJECT / files[2]), files[5]]


# ---------------------------------------------------------------------------- write_facts
def test_the_workers_write_the_partitioned_dataset_a_local_write_gives(client, tmp_path, request):
    import duckdb
    files = sorted(RAW.rglob("*.txt")) + sorted(EXCERPTS.glob("*.txt")) + [EXCERPTS / "README.md"]
    local_errors = sr.write_facts(files, tmp_path / "local", progress=False, partition_by=["year"])
    want = read_facts(tmp_path / "local")
    request.getfixturevalue("here_only")
    target = tmp_path / "facts"
    errors = sr.write_facts(files, target, progress=False, partition_by=["year"], engine="dask", scheduler=client)
    pd.testing.assert_frame_equal(errors, local_errors)
    assert [Path(p).name for p in errors.path] == ["README.md"]
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in (tmp_path / "local").iterdir())
    assert "year=__HIVE_DEFAULT_PARTITION__" in {p.name for p in target.iterdir()}
    parts = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert all(Path(p).name.startswith("part-") and p.endswith("-0.parquet") for p in parts)
    assert len({Path(p).name for p in parts}) > 4  # several tasks wrote files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts", "local"]  # no staging folder left
    pd.testing.assert_frame_equal(read_facts(target), want)
    counted = duckdb.sql(f"select count(*) from read_parquet('{target.as_posix()}/**/*.parquet', "
                         "hive_partitioning = true)").fetchall()[0][0]
    assert counted == len(want)


def test_one_file_written_here_from_the_workers_columns(client, tmp_path):
    files = sorted(RAW.rglob("*.txt")) + sorted(EXCERPTS.glob("*.txt")) + [EXCERPTS / "README.md"]
    for suffix in (".csv", ".parquet"):
        local = sr.write_facts(files, tmp_path / f"local{suffix}", progress=False)
        errors = sr.write_facts(files, tmp_path / f"dask{suffix}", progress=False, engine="dask", scheduler=client)
        pd.testing.assert_frame_equal(errors, local)
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask.parquet"), pd.read_parquet(tmp_path / "local.parquet"))


def test_files_the_workers_wrote_out_of_sight_replace_nothing(client, tmp_path):
    """Workers that write to disks this process does not see (no shared filesystem): an error, the old dataset kept."""
    target = tmp_path / "facts"
    sr.write_facts(RAW, target, progress=False, partition_by=["year"])
    before = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))

    def out_of_sight() -> None:  # on each worker: what it writes disappears from here
        import shaoyang_report.corpus.distributed as engine

        real = engine.write_partitioned

        def write(tables, folder, partition_by, basename, file_visitor=None):
            seen = []
            real(tables, folder, partition_by, basename, file_visitor=lambda f: (seen.append(f.path), file_visitor(f)))
            for path in seen:
                os.remove(path)

        engine._real_write_partitioned = real
        engine.write_partitioned = write

    def restore() -> None:
        import shaoyang_report.corpus.distributed as engine

        engine.write_partitioned = engine.__dict__.pop("_real_write_partitioned", engine.write_partitioned)

    client.run(out_of_sight)
    try:
        with pytest.raises(OSError, match="shared filesystem"):
            sr.write_facts(EXCERPTS, target, progress=False, partition_by=["year"], engine="dask", scheduler=client)
    finally:
        client.run(restore)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["facts"]


# ---------------------------------------------------------------------------- the cluster
def test_the_cluster_by_address_cluster_or_current_client(client, monkeypatch, tmp_path):
    want = sr.read_reports([REPORT], progress=False).facts
    address = client.scheduler.address
    assert address.startswith("tcp://")
    pd.testing.assert_frame_equal(sr.read_reports([REPORT], progress=False, engine="dask", scheduler=address).facts,
                                  want)
    with client.as_current():
        pd.testing.assert_frame_equal(sr.read_reports([REPORT], progress=False, engine="dask").facts, want)
    with dask.config.set({"scheduler-address": address}):
        pd.testing.assert_frame_equal(sr.read_reports([REPORT], progress=False, engine="dask").facts, want)
    with dask.config.set({"scheduler-address": None}), \
            pytest.raises(ValueError, match="needs a cluster: scheduler='tcp://host:8786'"):
        sr.read_reports([REPORT], progress=False, engine="dask")
    with pytest.raises(TypeError, match="scheduler must be an address"):
        sr.read_reports([REPORT], progress=False, engine="dask", scheduler=8786)


def test_the_parse_command_on_a_cluster(client, tmp_path, capsys):
    target = tmp_path / "facts"
    address = client.scheduler.address
    assert main(["parse", str(RAW), "-o", str(target), "--partition-by", "year", "--scheduler", address]) == 0
    assert "partitioned by year" in capsys.readouterr().out
    sr.write_facts(RAW, tmp_path / "local", progress=False, partition_by=["year"])
    pd.testing.assert_frame_equal(read_facts(target), read_facts(tmp_path / "local"))
    assert main(["parse", str(REPORT), "--engine", "dask", "--scheduler", address]) == 0
    assert capsys.readouterr().out == sr.read_report(REPORT).facts.to_csv(index=False)
    assert main(["parse", str(REPORT), "--engine", "local", "--scheduler", address]) == 2
    assert "goes with --engine dask" in capsys.readouterr().err
    assert main(["parse", str(REPORT), "--scheduler", address, "-j", "2"]) == 2
    assert "workers= is for engine='local'" in capsys.readouterr().err


# ---------------------------------------------------------------------------- without a cluster
def test_engine_arguments_that_do_not_go_together():
    with pytest.raises(ValueError, match="engine must be one of 'local', 'dask', not 'spark'"):
        sr.read_reports([REPORT], progress=False, engine="spark")
    with pytest.raises(ValueError, match="goes with engine='dask'"):
        sr.write_facts([REPORT], "x.parquet", progress=False, scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="workers= is for engine='local'"):
        sr.read_reports([REPORT], progress=False, engine="dask", workers=2, scheduler="tcp://127.0.0.1:8786")
    assert not Path("x.parquet").exists()


def test_without_dask_the_package_works_and_the_engine_names_the_extra(monkeypatch):
    for name in ("dask", "dask.bag", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)  # import fails as when it is not installed
    with pytest.raises(ImportError, match=r"pip install 'shaoyang-report\[dask\]'"):
        sr.read_reports([REPORT], progress=False, engine="dask")
    code = ("import sys\n"
            "sys.modules.update(dask=None, distributed=None)\n"
            "import shaoyang_report as sr\n"
            "corpus = sr.read_reports('data/raw', progress=False, workers=1)\n"
            "print(len(corpus), len(corpus.facts), [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed') "
            "and sys.modules[m] is not None])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["12", str(len(sr.read_reports(RAW, progress=False).facts)), "[]"]
