"""The shaoyang-report command line on the bundled data."""

from __future__ import annotations

import pandas as pd
from conftest import RAW

from shaoyang_report.cli import main


def test_check_prints_findings_in_chinese(capsys):
    assert main(["check", str(RAW / "shaoyang_city_2020.txt")]) == 0
    out = capsys.readouterr().out
    assert "邵阳市 2020年 F2019" in out and "表三 161/161" in out
    assert "（自然人）：各项之和为137，（七）总计印为139，不符，相差2" in out
    assert "（总计）：各项之和为138，（七）总计印为140，不符，相差2" in out


def test_check_strict_findings_exit_status(capsys):
    assert main(["check", "--strict-findings", str(RAW / "shaoyang_city_2020.txt")]) == 3


def test_parse_to_stdout_and_file(tmp_path, capsys):
    assert main(["parse", str(RAW / "shaoyang_city_2020.txt")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("report_id,agency,agency_printed,year,template,section,item,measure")
    target = tmp_path / "facts.csv"
    assert main(["parse", str(RAW / "shaoyang_city_2020.txt"), "-o", str(target)]) == 0
    facts = pd.read_csv(target, encoding="utf-8-sig")
    permit = facts[(facts["item"] == "administrative_permit") & (facts.measure == "change")].iloc[0]
    assert permit["value"] == -56 and str(permit["raw"]) == "-56"  # a number, not a defused formula


def test_run_reads_the_whole_raw_folder(tmp_path, capsys):
    assert main(["run", "--raw", str(RAW), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "12 report(s) read, 0 unreadable; 2 arithmetic finding(s)" in out
    facts = pd.read_csv(tmp_path / "facts.csv", encoding="utf-8-sig")
    checks = pd.read_csv(tmp_path / "checks.csv", encoding="utf-8-sig")
    tables = facts[facts.section != "prose"]
    assert set(tables.report_id) == {"shaoyang_city_2020", "chengbu_jinzi_township_2021"}  # ids from catalog.csv
    assert {"shaoyang_city_2019", "shaoyang_city_2021"} <= set(facts.report_id)  # openings: prose figures
    assert set(facts.agency[facts.report_id == "chengbu_jinzi_township_2021"]) == {"城步县金紫乡"}
    assert set(facts.agency_printed[facts.report_id == "chengbu_jinzi_township_2021"]) == {"金紫乡"}
    assert (checks.status == "fail").sum() == 2


def test_dictionary_command_prints_the_readme_section(capsys):
    assert main(["dictionary"]) == 0
    assert "| `value` | float64 |" in capsys.readouterr().out


def test_a_command_names_the_extra_it_lacks(tmp_path, monkeypatch, capsys):
    from shaoyang_report import cli

    real = cli.importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec", lambda name, *a: None if name == "papermill" else real(name, *a))
    assert main(["briefing", str(RAW), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "needs the publish extra (papermill not installed)" in err
    assert "pip install 'shaoyang-report[publish]'" in err and not any(tmp_path.iterdir())
