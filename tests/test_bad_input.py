"""Bad input gets one clear ReportFormatError naming the file and what was expected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RAW

import shaoyang_report as sr

SHAOYANG = (RAW / "shaoyang_city_2020.txt").read_text("utf-8")


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.txt", b"", "empty"),
        ("spaces.txt", b"  \n\n ", "empty"),
        ("image.txt", bytes(range(256)) * 4, "binary"),
        ("latin.txt", "Ceci n'est pas un rapport, voilà tout.".encode("utf-16"), "binary"),
        ("recipe.txt", "红烧肉做法\n五花肉500克，冰糖30克。\n", "not a 政府信息公开工作年度报告"),
    ],
)
def test_not_a_report(tmp_path, name, data, expected):
    path = _write(tmp_path, name, data)
    with pytest.raises(sr.ReportFormatError) as info:
        sr.read_report(path)
    assert name in str(info.value) and expected in str(info.value)


def test_missing_file_names_it(tmp_path):
    with pytest.raises(sr.ReportFormatError, match="nowhere.txt: cannot open"):
        sr.read_report(tmp_path / "nowhere.txt")


def test_row_with_too_few_values(tmp_path):
    lines = SHAOYANG.splitlines()
    i = lines.index("四、结转下年度继续办理 |")
    del lines[i + 1 : i + 3]  # the row now holds 5 values where the format has 7
    path = _write(tmp_path, "short_row.txt", "\n".join(lines))
    with pytest.raises(sr.ReportFormatError) as info:
        sr.read_report(path, strict=True)
    message = str(info.value)
    assert message.startswith(f"short_row.txt: line {i + 1}: ")
    assert "table 三 row 四、结转下年度继续办理 has 5 values, expected 7" in message


def test_row_with_too_many_values(tmp_path):
    text = SHAOYANG.replace("行政强制 |\n89 |\n21 |\n46 |\n", "行政强制 |\n89 |\n21 |\n46 |\n5 |\n")
    path = _write(tmp_path, "long_row.txt", text)
    with pytest.raises(sr.ReportFormatError, match=r"long_row.txt: line \d+: table 二 row 行政强制 has more than 3 values"):
        sr.read_report(path, strict=True)


def test_lenient_reading_places_nothing_from_a_bad_row(tmp_path):
    lines = SHAOYANG.splitlines()
    i = lines.index("四、结转下年度继续办理 |")
    del lines[i + 1 : i + 3]
    r = sr.read_text("\n".join(lines), source="short_row.txt", strict=False)
    assert "carried_forward" not in set(r.facts["item"])
    assert ("carried_forward" in set(r.missing["item"])) and len(r.unplaced) == 5
    assert r.problems and "has 5 values, expected 7" in r.problems[0][1]


def test_value_in_the_wrong_unit_is_kept_as_printed_and_reported(tmp_path):
    text = SHAOYANG.replace("行政处罚 |\n1148 |", "行政处罚 |\n1148元 |")
    r = sr.read_text(text, source="unit.txt")
    row = r.facts[(r.facts["item"] == "administrative_penalty") & (r.facts.measure == "prior_year_items")].iloc[0]
    assert row["raw"] == "1148元" and row["value"] != row["value"]  # NaN, never guessed
    assert any("unit 元 cannot be read as 项" in message for _, message in r.problems)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shaoyang_report.cli", *args], capture_output=True, text=True)


def test_cli_error_is_one_line_without_traceback(tmp_path):
    bad = _write(tmp_path, "empty.txt", b"")
    result = _cli("check", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == "error: empty.txt: the file is empty; expected the text of a 政府信息公开工作年度报告"


def test_cli_batch_goes_on_after_a_bad_file(tmp_path):
    bad = _write(tmp_path, "binary.txt", b"\x00\x01\x02" * 100)
    out = tmp_path / "facts.csv"
    result = _cli("parse", str(bad), str(RAW / "shaoyang_city_2020.txt"), "-o", str(out))
    assert result.returncode == 1
    assert "binary.txt" in result.stderr and "Traceback" not in result.stderr
    assert f"facts → {out} (1 unreadable file(s))" in result.stdout
    import pandas as pd

    facts = pd.read_csv(out, encoding="utf-8-sig")
    assert len(facts[facts.section != "prose"]) == 198 and set(facts.report_id) == {"shaoyang_city_2020"}
