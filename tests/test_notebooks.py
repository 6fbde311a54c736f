"""The numbered notebooks: thin, parameterised, saved without outputs, and they all run.

Execution uses :func:`shaoyang_report.publish.briefing.run_notebook`: nbclient with the
``python3`` kernel resolved to this interpreter (the venv's), so it works on a clean
clone without registering a kernelspec. A chart that lacks a glyph would print
matplotlib's ``Glyph … missing from font(s)`` warning to the cell's stderr; any stderr
output fails the test.
"""

from __future__ import annotations

import re
import sys

import nbformat
import pytest
from conftest import PROJECT, RAW

from shaoyang_report.publish import briefing

NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.ipynb"))
PARAMETERS = {
    "01-year-comparison.ipynb": {"agency", "data_folder", "catalog", "output_folder"},
    "02-consistency-audit.ipynb": {"agency", "data_folder", "catalog", "output_folder"},
    "03-report-explorer.ipynb": {"report_id", "data_folder", "catalog", "output_folder"},
}
# What a thin cell may do: call the package, assign the result, comment.
_THIN_LINE = re.compile(r"^\s*(#.*|from shaoyang_report(\.\w+)* import [\w, ]+|"
                        r"(\w+ = )?(briefing|plotting)\.\w+\(.*\)( or .*)?|\w+ = \w+ or briefing\.\w+\(.*\)|)$")


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
        for line in cell.source.splitlines():
            assert _THIN_LINE.match(line), f"{path.name}: logic belongs in the package, not in a cell: {line!r}"


def test_parameters_are_injected_after_the_parameters_cell():
    nb = nbformat.read(PROJECT / "notebooks" / "03-report-explorer.ipynb", as_version=4)
    briefing.inject_parameters(nb, {"report_id": "x<y", "data_folder": [RAW / "a.txt"], "catalog": None})
    briefing.inject_parameters(nb, {"report_id": "again"})  # replaces the earlier injection
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and nb.cells[1] is injected[0]
    assert "report_id = 'again'" in injected[0].source
    namespace: dict = {}
    exec(briefing.inject_parameters(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["parameters"]})]),
        {"a": [RAW, "邵阳市"], "b": None}).cells[1].source, namespace)
    assert namespace["a"] == [str(RAW), "邵阳市"] and namespace["b"] is None
    with pytest.raises(briefing.BriefingError, match="parameters"):
        briefing.inject_parameters(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), {"x": 2})


def test_the_kernel_is_this_interpreter():
    km = briefing._kernel_manager()
    assert km.kernel_name == "python3"
    assert km.kernel_spec.argv[:3] == [sys.executable, "-m", "ipykernel_launcher"]


def _outputs(nb, output_type=None):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if output_type is None or o.output_type == output_type]


def _assert_ran_cleanly(nb):
    errors = _outputs(nb, "error")
    assert not errors, "\n".join(f"{e.ename}: {e.evalue}" for e in errors)
    stderr = [o.text for o in _outputs(nb, "stream") if o.name == "stderr"]
    assert not stderr, f"the notebook wrote to stderr (missing glyphs? warnings?): {stderr}"


@pytest.mark.slow
def test_year_comparison_notebook_runs(tmp_path):
    nb = briefing.run_notebook(PROJECT / "notebooks" / "01-year-comparison.ipynb",
                               {"agency": "邵阳市", "data_folder": str(RAW), "output_folder": str(tmp_path)})
    _assert_ran_cleanly(nb)
    images = [o for o in _outputs(nb) if "image/png" in o.get("data", {})]
    assert len(images) == len(briefing.plotting.BRIEFING_CHARTS)
    assert all('<img class="sr-chart" alt="邵阳市 ' in o.data["text/html"] for o in images)
    html = "".join(o.data.get("text/html", "") for o in _outputs(nb) if "data" in o)
    for marker in ('id="headline"', 'id="coverage"', 'id="gaps"', 'id="comparison"', 'id="findings"', 'id="sources"'):
        assert marker in html
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == sorted(
        f"邵阳市-{name}.png" for name in briefing.plotting.BRIEFING_CHARTS)


@pytest.mark.slow
def test_consistency_audit_notebook_runs(tmp_path):
    nb = briefing.run_notebook(PROJECT / "notebooks" / "02-consistency-audit.ipynb",
                               {"data_folder": str(RAW), "output_folder": str(tmp_path)})
    _assert_ran_cleanly(nb)
    html = "".join(o.data.get("text/html", "") for o in _outputs(nb) if "data" in o)
    for marker in ('id="audit-overview"', 'id="audit-findings"', 'id="audit-cross-year"', 'id="audit-missing"'):
        assert marker in html
    assert "（七）总计印为140" in html and "2020年结转下年度0件，2021年上年结转1件" in html
    assert (tmp_path / "audit-findings.csv").exists()


@pytest.mark.slow
def test_report_explorer_notebook_runs(tmp_path):
    nb = briefing.run_notebook(PROJECT / "notebooks" / "03-report-explorer.ipynb",
                               {"report_id": "shaoyang_city_2020", "data_folder": str(RAW),
                                "output_folder": str(tmp_path)})
    _assert_ran_cleanly(nb)
    html = "".join(o.data.get("text/html", "") for o in _outputs(nb) if "data" in o)
    for marker in ('id="table-active_disclosure"', 'id="table-applications"', 'id="table-review_litigation"',
                   'id="prose"', "46,502.47", "满意率99.94%"):
        assert marker in html
    assert (tmp_path / "report-shaoyang_city_2020-facts.csv").exists()
