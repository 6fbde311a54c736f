"""The project's own promises: two commands, CI, dependencies, docs in step with code."""

from __future__ import annotations

import re
import tomllib

from conftest import PROJECT

from shaoyang_report import config, dictionary
from shaoyang_report.corpus.export import defuse, safe_frame

README = (PROJECT / "README.md").read_text("utf-8")


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].strip().lower() for r in requirements}


#: PyPI names that conda-forge spells otherwise
_CONDA_NAMES = {"build": "python-build"}


def test_environment_yml_lists_the_pyproject_dependencies():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = _names(project["dependencies"]) | {n for extra in project["optional-dependencies"].values() for n in _names(extra)}
    wanted = {_CONDA_NAMES.get(n, n) for n in wanted - {project["name"]}}  # the test extra names the others
    env = (PROJECT / "environment.yml").read_text("utf-8").split("dependencies:", 1)[1]
    listed = set(re.findall(r"^  - ([A-Za-z0-9_.\-]+)", env, flags=re.M)) - {"python", "pip"}
    assert {n.lower() for n in listed} == wanted


def test_the_version_is_said_once():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text("utf-8"))["project"]
    assert config.VERSION == project["version"]


def test_readme_data_dictionary_is_generated_from_fields_csv():
    assert dictionary.readme_with_dictionary(README) == README, "run `make docs`"


def test_readme_gives_two_commands_and_ci_runs_the_second():
    assert "bash scripts/setup.sh" in README and "bash scripts/test.sh" in README
    ci = (PROJECT / ".ci" / "run").read_text("utf-8")
    assert "bash scripts/test.sh" in ci


def test_formula_injection_is_defused_but_numbers_are_not():
    assert defuse("=1+1") == "'=1+1"
    assert defuse("@SUM(A1)") == "'@SUM(A1)"
    assert defuse("-56") == "-56" and defuse("+3") == "+3" and defuse("-") == "'-"
    import pandas as pd

    frame = safe_frame(pd.DataFrame({"raw": pd.array(["=cmd|' /C calc'!A0", "137"], dtype="string"), "value": [1.0, 2.0]}))
    assert frame.raw.tolist() == ["'=cmd|' /C calc'!A0", "137"] and frame["value"].tolist() == [1.0, 2.0]


def test_a_corpus_frames_category_texts_are_defused_in_its_csv(tmp_path):
    """The corpus keeps its texts as ``category`` columns: they are defused too (they once were not)."""
    import pandas as pd

    import shaoyang_report as sr
    from shaoyang_report.corpus.export import write_frame

    (tmp_path / "r.txt").write_text((PROJECT / "data" / "raw" / "shaoyang_city_2020.txt").read_text("utf-8"), "utf-8")
    (tmp_path / "catalog.csv").write_text('report_id,agency,year,local_file\nr,"=HYPERLINK(""http://evil"")",2020,r.txt\n',
                                          "utf-8")
    facts = sr.read_reports(tmp_path, progress=False, cache=None).facts
    assert facts.agency.str.startswith("=").all()  # the catalog's agency, as given
    assert isinstance(facts.agency.dtype, pd.CategoricalDtype)
    assert safe_frame(facts).agency.str.startswith("'=").all()
    written = pd.read_csv(write_frame(facts, tmp_path / "facts.csv"), encoding="utf-8-sig", dtype=str)
    assert not written.map(lambda v: isinstance(v, str) and v[:1] in "=@").any().any()
    # 行政许可 处理决定数量 as printed in the Shaoyang 2020 report, a number, not a defused text
    assert "7591" in set(written.raw)
