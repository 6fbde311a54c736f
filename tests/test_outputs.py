"""Output files are whole or absent, and awkward input files do not stop a batch.

A writer that dies part-way (an exception after part of the data, or SIGKILL of the
command) must leave the previous outputs byte for byte, and an error must leave no
temporary file behind. ``run`` and ``briefing`` rename their files into place only when
all are written. A file named ``-o.txt`` is read after ``--``; a dangling symbolic link
in a folder is an error row, not a silent gap.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW, cli_command

import shaoyang_report as sr
from shaoyang_report import atomic
from shaoyang_report.cli import main
from shaoyang_report.corpus import files as files_module
from shaoyang_report.corpus import stream
from shaoyang_report.corpus.export import write_frame
from shaoyang_report.errors import BriefingError
from shaoyang_report.publish import build
from shaoyang_report.publish.notebooks import AUDIT
from shaoyang_report.publish.workbook import write_workbook

REPORT = RAW / "shaoyang_city_2020.txt"
OPENING = RAW / "openings" / "shaoyang_city_2019_opening.txt"
CLI = cli_command()


class Crash(RuntimeError):
    """Stands for whatever kills a writer half-way."""


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones included, the output set's empty lock file not) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != atomic.LOCK_NAME}


def _leftovers(folder: Path) -> list[str]:
    return [str(p.relative_to(folder)) for p in folder.rglob("*") if atomic.is_temporary(p.relative_to(folder))]


def _one_report_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(REPORT, folder / REPORT.name)
    return folder


def _partial_then_crash(real, fraction=0.5):
    """Wrap a writer ``real(self, path, ...)``: write the whole output, cut it to ``fraction``, raise."""

    def writer(self, path, *args, **kwargs):
        real(self, path, *args, **kwargs)
        data = Path(path).read_bytes()
        Path(path).write_bytes(data[: int(len(data) * fraction)])
        raise Crash(f"killed while writing {path}")

    return writer


# ---------------------------------------------------------------------------- one file
def test_replacing_keeps_the_old_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "facts.csv"
    target.write_bytes(b"old\n")
    with pytest.raises(Crash):
        with atomic.replacing(target) as tmp:
            tmp.write_bytes(b"new but cut sh")
            raise Crash
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.csv"]


def test_new_files_get_ordinary_permissions_and_replaced_ones_keep_theirs(tmp_path):
    umask = os.umask(0o022)
    try:
        fresh = atomic.write_text(tmp_path / "fresh.csv", "x")
        kept = tmp_path / "kept.csv"
        kept.write_text("old")
        kept.chmod(0o640)
        atomic.write_text(kept, "new")
    finally:
        os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_text() == "new"


@pytest.mark.parametrize("name, method", [("facts.csv", "to_csv"), ("facts.parquet", "to_parquet")])
def test_write_frame_crash_leaves_the_old_file(tmp_path, monkeypatch, name, method):
    old_frame = sr.read_reports([OPENING], progress=False).facts
    new_frame = sr.read_reports([REPORT], progress=False).facts
    target = write_frame(old_frame, tmp_path / name)
    before = target.read_bytes()
    monkeypatch.setattr(pd.DataFrame, method, _partial_then_crash(getattr(pd.DataFrame, method)))
    with pytest.raises(Crash):
        write_frame(new_frame, target)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []
    monkeypatch.undo()
    assert len(write_frame(new_frame, target).read_bytes()) != len(before)  # the writer does replace it


def test_workbook_crash_leaves_the_old_workbook_readable(tmp_path, monkeypatch):
    import openpyxl

    facts = sr.read_reports([REPORT], progress=False).facts
    target = write_workbook(tmp_path / "workbook.xlsx", facts=facts.head(10))
    before = target.read_bytes()
    monkeypatch.setattr(openpyxl.Workbook, "save", _partial_then_crash(openpyxl.Workbook.save))
    with pytest.raises(Crash):
        write_workbook(target, facts=facts)
    assert target.read_bytes() == before
    assert openpyxl.load_workbook(target).sheetnames == ["目录 contents", "事实 facts", "字段 dictionary"]  # still a workbook
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_streamed_facts_crash_after_some_batches_leaves_the_old_file(tmp_path, monkeypatch, suffix):
    folder = tmp_path / "reports"
    folder.mkdir()
    for k in range(4):
        shutil.copy(REPORT, folder / f"r{k}.txt")
    target = tmp_path / f"facts{suffix}"
    assert sr.write_facts([OPENING], target, progress=False).empty
    before = target.read_bytes()
    calls = []
    real = stream.dictionary.build_frame

    def build_frame(records, table):  # the third batch dies, after two were written
        calls.append(len(records))
        if len(calls) == 3:
            raise Crash("killed during the third batch")
        return real(records, table)

    monkeypatch.setattr(stream.dictionary, "build_frame", build_frame)
    with pytest.raises(Crash):
        sr.write_facts(folder, target, progress=False, batch=1)
    assert len(calls) == 3 and min(calls[:2]) > 100  # two reports' facts did reach the temporary file
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


# ---------------------------------------------------------------------------- a run's set of files
def test_run_crash_before_the_last_file_leaves_the_old_pair(tmp_path, monkeypatch, capsys):
    out = tmp_path / "processed"
    assert main(["run", "--raw", str(_one_report_folder(tmp_path / "one")), "--out", str(out)]) == 0
    before = _snapshot(out)
    assert set(before) == {"facts.csv", "checks.csv"}
    import shaoyang_report.corpus.export as export

    real = export.write_frame

    def write_frame_dying_on_checks(frame, path):
        if Path(path).name == "checks.csv":
            raise Crash("killed before checks.csv")
        return real(frame, path)

    monkeypatch.setattr(export, "write_frame", write_frame_dying_on_checks)
    with pytest.raises(Crash):
        main(["run", "--raw", str(RAW), "--out", str(out)])  # 12 reports: a different facts.csv
    assert _snapshot(out) == before  # facts.csv of the 12 was written, but not put in place
    monkeypatch.undo()
    capsys.readouterr()
    assert main(["run", "--raw", str(RAW), "--out", str(out)]) == 0
    after = _snapshot(out)
    assert set(after) == {"facts.csv", "checks.csv"} and after["facts.csv"] != before["facts.csv"]
    assert "12 report(s) read" in capsys.readouterr().out


def _fake_notebooks(monkeypatch, fail_on: str | None = None):
    """Notebooks that write a file into their output folder as the real ones do, quickly."""
    import nbformat

    def run_notebook(path, parameters=None, *, timeout=600):
        if Path(path).name == fail_on:
            raise BriefingError(f"{Path(path).name}: a cell failed")
        folder = Path(parameters["output_folder"])
        atomic.write_bytes(folder / "figures" / f"{Path(path).stem}.png", b"\x89PNG fake")
        return nbformat.v4.new_notebook()

    monkeypatch.setattr(build, "run_notebook", run_notebook)


def test_briefing_files_and_what_the_notebooks_write_arrive_together(tmp_path, monkeypatch):
    _fake_notebooks(monkeypatch)
    out = tmp_path / "processed"
    outputs = build.build_briefings(RAW, out, reports=["shaoyang_city_2020"])
    written = set(_snapshot(out))
    assert written == {"facts.csv", "facts.parquet", "checks.csv", "workbook.xlsx", "briefing-邵阳市.html", "audit.html",
                       "report-shaoyang_city_2020.html", "figures/01-year-comparison.png",
                       "figures/02-consistency-audit.png", "figures/03-report-explorer.png"}
    assert all(p.parent == out and p.is_file() for p in outputs.files.values())  # final places, not the stage


def test_briefing_that_fails_half_way_leaves_the_old_set(tmp_path, monkeypatch, capsys):
    out = tmp_path / "processed"
    _fake_notebooks(monkeypatch)
    build.build_briefings(_one_report_folder(tmp_path / "one"), out, agency="邵阳市")
    before = _snapshot(out)
    _fake_notebooks(monkeypatch, fail_on=AUDIT)
    assert main(["briefing", "--raw", str(RAW), "--out", str(out)]) == 1
    assert "02-consistency-audit.ipynb: a cell failed" in capsys.readouterr().err
    assert _snapshot(out) == before  # no new facts, workbook or year-comparison page, no staging folder


# ---------------------------------------------------------------------------- runs take turns (issue 20: 10)
def _pair(folder: Path) -> tuple[set[str], set[str]]:
    """The report ids of ``facts.csv`` and of ``checks.csv``."""
    facts = pd.read_csv(folder / "facts.csv", encoding="utf-8-sig", dtype=str)
    checks = pd.read_csv(folder / "checks.csv", encoding="utf-8-sig", dtype=str)
    return set(facts.report_id), set(checks.report_id)


def _raw_pair() -> tuple[set[str], set[str]]:
    corpus = sr.read_reports(RAW, progress=False)
    return set(corpus.facts.report_id), set(corpus.checks.report_id)


def test_output_sets_of_one_folder_take_turns(tmp_path):
    import threading

    out = tmp_path / "processed"
    log: list[str] = []
    a_inside = threading.Event()

    def write(name: str, pause: float) -> None:
        with atomic.OutputSet(out, waiting=lambda lock: log.append(f"{name} waits for {lock.name}")) as outputs:
            log.append(f"{name} writes")
            a_inside.set()
            atomic.write_text(outputs.stage / "facts.csv", name)
            time.sleep(pause)
            atomic.write_text(outputs.stage / "checks.csv", name)
        log.append(f"{name} done")

    first = threading.Thread(target=write, args=("A", 0.5))
    first.start()
    assert a_inside.wait(30)
    write("B", 0)
    first.join()
    assert log == ["A writes", "B waits for .sr-outputs.lock", "A done", "B writes", "B done"]
    assert (out / "facts.csv").read_text() == (out / "checks.csv").read_text() == "B"
    with pytest.raises(Crash), atomic.OutputSet(out):  # a set that fails lets the next one in
        raise Crash("killed")
    with atomic.OutputSet(out, timeout=1) as outputs:
        atomic.write_text(outputs.stage / "facts.csv", "C")
    assert (out / "facts.csv").read_text() == "C"


def test_a_second_run_waits_for_the_first_and_reads_after_it(tmp_path):
    """A ``run`` started while another run writes into the same folder waits, then writes its own pair whole."""
    out = tmp_path / "processed"
    one = _one_report_folder(tmp_path / "one")
    err = tmp_path / "stderr.txt"
    with atomic.OutputSet(out) as outputs:  # the first run, here: it holds the folder
        with open(err, "wb") as stderr:
            second = subprocess.Popen([*CLI, "run", "--raw", str(RAW), "--out", str(out)], cwd=tmp_path,
                                      stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + 120
        while "waiting: another run is writing into" not in err.read_text("utf-8"):
            assert second.poll() is None, err.read_text("utf-8")
            assert time.monotonic() < deadline, "the second run never said it waits"
            time.sleep(0.05)
        assert second.poll() is None and _snapshot(out) == {}  # it waits: nothing of it is in the folder
        write_frame(sr.read_reports(one, progress=False).facts, outputs.stage / "facts.csv")
    first = pd.read_csv(out / "facts.csv", encoding="utf-8-sig", dtype=str)
    assert set(first.report_id) == {"shaoyang_city_2020"}  # the first run's, until the second's pair lands whole
    assert second.wait(300) == 0, err.read_text("utf-8")
    assert _pair(out) == _raw_pair()  # the second run's pair, both of it


def test_run_then_briefing_leaves_one_runs_facts_beside_its_checks(tmp_path, monkeypatch, capsys):
    """``briefing`` writes the checks of its facts too: never facts of one run beside checks of another."""
    _fake_notebooks(monkeypatch)
    out = tmp_path / "processed"
    assert main(["run", "--raw", str(RAW), "--out", str(out)]) == 0
    assert _pair(out) == _raw_pair()
    build.build_briefings(_one_report_folder(tmp_path / "one"), out, agency="邵阳市")
    facts, checks = _pair(out)
    assert facts == checks == {"shaoyang_city_2020"}  # before, checks.csv still held the run's 12 reports


# ---------------------------------------------------------------------------- SIGKILL
@pytest.fixture(scope="module")
def many_reports(tmp_path_factory) -> Path:
    """520 copies of one report: three batches of the streamed writer, a facts file of 115k rows."""
    folder = tmp_path_factory.mktemp("many")
    first = Path(shutil.copy(REPORT, folder / "r000.txt"))
    for k in range(1, 520):
        os.link(first, folder / f"r{k:03d}.txt")  # same folder, same file system
    return folder


def _kill_when(command: list[str], ready, cwd: Path, timeout: float = 120) -> None:
    """Start ``command``, SIGKILL it as soon as ``ready()`` is true."""
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            assert proc.poll() is None, "the command ended before it could be killed mid-write"
            assert time.monotonic() < deadline, "the command never started writing"
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _writing(folder: Path):
    """A test for "some output below ``folder`` is being written" (its files' stats, temporaries' sizes)."""

    def stats() -> dict[str, tuple]:
        found = {}
        for p in folder.rglob("*"):
            try:
                if p.is_file():
                    found[str(p.relative_to(folder))] = (p.stat().st_size, p.stat().st_mtime_ns)
            except FileNotFoundError:  # renamed or removed meanwhile
                pass
        return found

    before = {k: v for k, v in stats().items() if not atomic.is_temporary(k)}

    def ready() -> bool:
        now = stats()
        changed = any(now.get(k) != v for k, v in before.items())
        return changed or any(atomic.is_temporary(k) and size > 0 for k, (size, _) in now.items())

    return ready


@pytest.mark.slow
def test_sigkill_while_streaming_facts_leaves_the_old_file(tmp_path, many_reports):
    target = tmp_path / "facts.csv"
    assert main(["parse", str(OPENING), "-o", str(target)]) == 0
    before = target.read_bytes()
    _kill_when([*CLI, "parse", str(many_reports), "-o", str(target)], _writing(tmp_path), cwd=tmp_path)
    assert target.read_bytes() == before
    left = _leftovers(tmp_path)
    assert len(left) == 1 and left[0].startswith(".facts.csv.sr-")  # hidden, marked, not an output
    assert main(["parse", str(REPORT), "-o", str(target)]) == 0
    assert _leftovers(tmp_path) == []  # the next write of the file removes what the killed one left
    assert len(pd.read_csv(target, encoding="utf-8-sig")) == len(sr.read_reports([REPORT], progress=False).facts)


@pytest.mark.slow
def test_sigkill_during_run_leaves_the_old_set(tmp_path, many_reports):
    out = tmp_path / "processed"
    assert main(["run", "--raw", str(_one_report_folder(tmp_path / "one")), "--out", str(out)]) == 0
    before = _snapshot(out)
    _kill_when([*CLI, "run", "--raw", str(many_reports), "--out", str(out)], _writing(out), cwd=tmp_path)
    assert {k: v for k, v in _snapshot(out).items() if not atomic.is_temporary(k)} == before
    assert main(["run", "--raw", str(_one_report_folder(tmp_path / "two")), "--out", str(out)]) == 0
    assert _leftovers(out) == []  # the killed run's staging folder is gone after the next run


# ---------------------------------------------------------------------------- awkward input files
def test_a_file_named_like_an_option_is_read_after_double_dash(tmp_path, monkeypatch, capsys):
    shutil.copy(REPORT, tmp_path / "-o.txt")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--", "-o.txt"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("-o.txt: 邵阳市 2020年 F2019")
    with pytest.raises(SystemExit) as exc:
        main(["check", "-o.txt"])
    assert exc.value.code == 2
    assert "hint: -o.txt is a file; put file names beginning with '-' after '--'" in capsys.readouterr().err


def test_the_installed_command_passes_double_dash_through(tmp_path):
    shutil.copy(REPORT, tmp_path / "-o.txt")
    done = subprocess.run([*CLI, "check", "--", "-o.txt"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("-o.txt: 邵阳市 2020年 F2019")
    assert "'-' goes after '--'" in subprocess.run([*CLI, "check", "--help"], capture_output=True, text=True,
                                                    timeout=120).stdout


def test_a_dangling_symlink_is_an_error_row_and_the_batch_goes_on(tmp_path, capsys):
    folder = _one_report_folder(tmp_path / "reports")
    (folder / "gone.txt").symlink_to(folder / "deleted-2021.txt")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    (folder / "notes.csv").symlink_to(folder / "missing.csv")  # not a report suffix: not listed
    corpus = sr.read_reports(folder, progress=False)
    assert len(corpus) == 1 and corpus.reports.report_id.tolist() == ["shaoyang_city_2020"]
    assert sorted(Path(p).name for p in corpus.errors.path) == ["gone.txt", "loop.md"]
    assert all("cannot open the file" in e for e in corpus.errors.error)
    assert main(["check", str(folder)]) == 1
    captured = capsys.readouterr()
    assert "邵阳市 2020年 F2019" in captured.out
    assert [line.split(":")[1].strip().split("/")[-1] for line in captured.err.splitlines()] == ["gone.txt", "loop.md"]


def test_temporaries_of_unfinished_writes_are_not_read_as_reports(tmp_path):
    folder = _one_report_folder(tmp_path / "reports")
    stage = folder / ".sr-staging-4242-0a1b2c3d"
    stage.mkdir()
    shutil.copy(REPORT, stage / "copy.txt")
    shutil.copy(REPORT, folder / ".copy.txt.sr-4242-0a1b2c3d.tmp")
    (folder / ".hidden-but-real.txt").write_bytes(REPORT.read_bytes())  # an ordinary hidden file is still read
    assert [p.name for p in files_module.report_files(folder)] == [".hidden-but-real.txt", REPORT.name]


# ---------------------------------------------------------------------------- pages side by side (issue 24: 2)
@pytest.mark.slow
def test_pages_built_side_by_side_are_those_built_one_at_a_time(tmp_path, monkeypatch):
    """Two kernels at once (``workers=2``) give the same pages and files as one at a time, byte for byte
    (but for the random cell ids papermill gives each run; the workbook's timestamps aside)."""
    import re

    monkeypatch.setenv("SHAOYANG_CORPUS_CACHE", str(tmp_path / "cache"))
    one = build.build_briefings(RAW, tmp_path / "one", agencies=True, workers=1)
    two = build.build_briefings(RAW, tmp_path / "two", agencies=True, workers=2)
    assert sorted(one.files) == sorted(two.files)
    assert {"briefing", "audit", "agencies", "report:shaoyang_city_2020"} <= set(one.files)
    for label, path in one.files.items():
        if path.suffix == ".xlsx":
            continue
        a, b = path.read_bytes(), two.files[label].read_bytes()
        if path.suffix == ".html":
            a, b = (re.sub(rb"cell-id=[0-9a-f-]+", b"cell-id=", x) for x in (a, b))
        assert a == b, label
    # what the pages say, as the Shaoyang 2020 report prints it: 行政许可 4089, -56, 7591
    assert "<td>行政许可</td>" in one.files["report:shaoyang_city_2020"].read_text("utf-8")
    assert "<td>4,089</td><td>-56</td><td>7,591</td>" in one.files["report:shaoyang_city_2020"].read_text("utf-8")
