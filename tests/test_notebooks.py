"""The numbered notebooks: thin, parameterised, saved without outputs, and they all run.

Execution uses :func:`shaoyang_report.publish.notebooks.run_notebook`: papermill with the
``python3`` kernel, which in the venv is ipykernel's own kernelspec run with this
interpreter, so it works on a clean clone without registering a kernelspec. A chart
that lacks a glyph would print matplotlib's ``Glyph … missing from font(s)`` warning to
the cell's stderr; any stderr output fails the test.

``00-quickstart`` is an analyst's tour: its cells may hold short pandas code (see
:data:`_QUICKSTART_LINE`); the briefing notebooks (01 on) stay thin.
"""

from __future__ import annotations

import re
import sys

import nbformat
import pytest
from conftest import RAW

from shaoyang_report.errors import BriefingError
from shaoyang_report.publish import plotting
from shaoyang_report.publish.notebooks import NOTEBOOKS as NOTEBOOK_FOLDER
from shaoyang_report.publish.notebooks import run_notebook

NOTEBOOKS = sorted(NOTEBOOK_FOLDER.glob("*.ipynb"))  # package data, linked from the top-level notebooks/
PARAMETERS = {
    "00-quickstart.ipynb": {"report_file", "data_folder", "agency", "output_folder"},
    "01-year-comparison.ipynb": {"agency", "data_folder", "catalog", "output_folder"},
    "02-consistency-audit.ipynb": {"agency", "data_folder", "catalog", "output_folder"},
    "03-report-explorer.ipynb": {"report_id", "data_folder", "catalog", "output_folder"},
    "04-agency-comparison.ipynb": {"year", "data_folder", "catalog", "output_folder"},
}
# What a thin cell may do: call the package, assign the result, comment.
_THIN_LINE = re.compile(r"^\s*(#.*|from shaoyang_report(\.\w+)* import [\w, ]+|"
                        r"(\w+ = )?(loading|year_briefing|audit|explorer|plotting|agencies)\.\w+\(.*\)( or .*)?|"
                        r"\w+ = \w+ or explorer\.\w+\(.*\)|)$")


# What a quickstart cell may hold: short lines, no functions, classes or loops; imports of
# the package, pandas or matplotlib only; at most six lines a cell.
_QUICKSTART_LINE = re.compile(r"^(?!\s*(def|class|for|while|with|try|lambda)\b)(?!.*\blambda\b).{0,110}$")
_QUICKSTART_IMPORT = re.compile(r"^\s*(import|from)\s+(shaoyang_report|pandas|matplotlib)\b")
_QUICKSTART_CELL_LINES = 6


def _parameters_cell(nb) -> nbformat.NotebookNode:
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "exactly one cell tagged 'parameters'"
    return cells[0]


def test_the_notebooks_are_numbered_and_known():
    assert [p.name for p in NOTEBOOKS] == sorted(PARAMETERS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_clean_and_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    names = set(re.findall(r"^(\w+) = ", _parameters_cell(nb).source, flags=re.M))
    assert names == PARAMETERS[path.name]
    assert nb.cells[0] is _parameters_cell(nb), "the parameters cell comes first"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None, "clear outputs before saving notebooks"
        if "parameters" in cell.metadata.get("tags", []):
            continue
        lines = cell.source.splitlines()
        if path.name.startswith("00-"):
            assert len(lines) <= _QUICKSTART_CELL_LINES, f"{path.name}: a quickstart cell is short: {cell.source!r}"
            for line in lines:
                assert _QUICKSTART_LINE.match(line), f"{path.name}: keep quickstart code short and flat: {line!r}"
                assert not re.match(r"^\s*(import|from)\b", line) or _QUICKSTART_IMPORT.match(line), line
            continue
        for line in lines:
            assert _THIN_LINE.match(line), f"{path.name}: logic belongs in the package, not in a cell: {line!r}"


def test_papermill_injects_the_parameters_after_the_parameters_cell(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("a = 1\nb = 'x'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print(repr(a), repr(b))")])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "p.ipynb"
    nbformat.write(nb, path)
    ran = run_notebook(path, {"a": [RAW, "邵阳市"], "b": None})
    assert [c.metadata.get("tags", []) for c in ran.cells][:2] == [["parameters"], ["injected-parameters"]]
    assert _outputs(ran, "stream")[0].text.strip() == f"[{str(RAW)!r}, '邵阳市'] None"
    assert ran.metadata.papermill.parameters == {"a": [str(RAW), "邵阳市"], "b": None}
    assert nbformat.read(path, as_version=4).cells[0].outputs == [], "the file itself is not changed"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), tmp_path / "q.ipynb")
    with pytest.raises(BriefingError, match="parameters"):
        run_notebook(tmp_path / "q.ipynb", {"x": 2})


def test_a_failing_cell_names_the_notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "broken.ipynb")
    with pytest.raises(BriefingError, match="broken.ipynb: a cell failed:(.|\n)*ZeroDivisionError"):
        run_notebook(tmp_path / "broken.ipynb")


def test_the_kernel_is_this_interpreter():
    from jupyter_client import KernelManager

    km = KernelManager(kernel_name="python3")  # as papermill asks for it
    assert km.format_kernel_cmd()[:3] == [sys.executable, "-m", "ipykernel_launcher"]


def _outputs(nb, output_type=None):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if output_type is None or o.output_type == output_type]


def _assert_ran_cleanly(nb):
    errors = _outputs(nb, "error")
    assert not errors, "\n".join(f"{e.ename}: {e.evalue}" for e in errors)
    stderr = [o.text for o in _outputs(nb, "stream") if o.name == "stderr"]
    assert not stderr, f"the notebook wrote to stderr (missing glyphs? warnings?): {stderr}"


def test_quickstart_notebook_runs(tmp_path):
    nb = run_notebook(NOTEBOOK_FOLDER / "00-quickstart.ipynb",
                               {"data_folder": str(RAW), "report_file": str(RAW / "shaoyang_city_2020.txt"),
                                "output_folder": str(tmp_path)})
    _assert_ran_cleanly(nb)
    html = "".join(o.data.get("text/html", "") for o in _outputs(nb) if "data" in o)
    assert "各项之和为138，（七）总计印为140" in html  # the report's rich display and its findings
    assert "<details>" in html and "161/161" in html
    assert "语料：12 份报告" in html  # the corpus display (data/raw holds 12 catalogued reports)
    assert len([o for o in _outputs(nb) if "image/png" in o.get("data", {})]) == 1  # the chart
    assert (tmp_path / "quickstart.xlsx").stat().st_size > 0


@pytest.mark.slow
def test_year_comparison_notebook_runs(tmp_path):
    nb = run_notebook(NOTEBOOK_FOLDER / "01-year-comparison.ipynb",
                               {"agency": "邵阳市", "data_folder": str(RAW), "output_folder": str(tmp_path)})
    _assert_ran_cleanly(nb)
    images = [o for o in _outputs(nb) if "image/png" in o.get("data", {})]
    assert len(images) == len(plotting.BRIEFING_CHARTS)
    assert all('<img class="sr-chart" alt="邵阳市 ' in o.data["text/html"] for o in images)
    html = "".join(o.data.get("text/html", "") for o in _outputs(nb) if "data" in o)
    for marker in ('id="headline"', 'id="coverage"', 'id="gaps"', 'id="comparison"', 'id="findings"', 'id="sources"'):
        assert marker in html
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == sorted(
        f"邵阳市-{name}.png" for name in plotting.BRIEFING_CHARTS)


@pytest.mark.slow
def test_consistency_audit_notebook_runs(tmp_path):
    nb = run_notebook(NOTEBOOK_FOLDER / "02-consistency-audit.ipynb",
                               {"data_folder": str(RAW), "output_folder": str(tmp_path)})
    _assert_ran_cleanly(nb)
    html = "".join(o.data.get("text/html", "") for o in _outputs(nb) if "data" in o)
    for marker in ('id="audit-overview"', 'id="audit-findings"', 'id="audit-cross-year"', 'id="audit-missing"'):
        assert marker in html
    assert "（七）总计印为140" in html and "2020年结转下年度0件，2021年上年结转1件" in html
    assert (tmp_path / "audit-findings.csv").exists()


@pytest.mark.slow
def test_report_explorer_notebook_runs(tmp_path):
    nb = run_notebook(NOTEBOOK_FOLDER / "03-report-explorer.ipynb",
                               {"report_id": "shaoyang_city_2020", "data_folder": str(RAW),
                                "output_folder": str(tmp_path)})
    _assert_ran_cleanly(nb)
    html = "".join(o.data.get("text/html", "") for o in _outputs(nb) if "data" in o)
    for marker in ('id="table-active_disclosure"', 'id="table-applications"', 'id="table-review_litigation"',
                   'id="prose"', "46,502.47", "满意率99.94%"):
        assert marker in html
    assert (tmp_path / "report-shaoyang_city_2020-facts.csv").exists()
