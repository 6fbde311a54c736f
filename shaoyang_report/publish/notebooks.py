"""Running the numbered notebooks headlessly (papermill) and exporting them as self-contained HTML (nbconvert).

The notebooks are package data (``shaoyang_report/notebooks/``, which the checkout's top-level
``notebooks/`` links to), found with :mod:`importlib.resources` wherever the package is
installed. They are thin: each cell calls a function of a briefing
module (:mod:`~shaoyang_report.publish.year_briefing`, :mod:`~shaoyang_report.publish.audit`,
:mod:`~shaoyang_report.publish.explorer`, :mod:`~shaoyang_report.publish.agencies`,
:mod:`~shaoyang_report.publish.plotting`) that returns a piece of the briefing. They are
run with papermill: it adds a cell tagged ``injected-parameters`` after the cell tagged
``parameters`` (``papermill notebooks/01-year-comparison.ipynb out.ipynb -p agency 邵阳市``
does the same from a shell). The kernel is ``python3``, which in the virtualenv is
ipykernel's own kernelspec, run with this interpreter, so a clean clone with only
``.venv`` works (no kernelspec to register). The HTML is exported with nbconvert's
``HTMLExporter(exclude_input=True)`` into ``templates/notebook-page.html.j2``; charts are
PNGs embedded as base64, no script or stylesheet is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from shaoyang_report import config
from shaoyang_report.errors import BriefingError

#: Where the numbered notebooks live: the package's own ``notebooks/`` folder (a wheel's too).
NOTEBOOKS = Path(str(config.package_file("notebooks")))
YEAR_COMPARISON = "01-year-comparison.ipynb"
AUDIT = "02-consistency-audit.ipynb"
EXPLORER = "03-report-explorer.ipynb"
AGENCIES = "04-agency-comparison.ipynb"  # the agency briefing (shaoyang_report.publish.agencies)


def _literal(value: object) -> object:
    """A parameter value papermill writes as a Python literal (paths as strings)."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_literal(v) for v in value]
    return value


def run_notebook(path: str | Path, parameters: Mapping[str, object] | None = None, *, timeout: int = 600):
    """Execute a notebook headlessly with parameters, with papermill.

    papermill adds a cell tagged ``injected-parameters`` after the cell tagged
    ``parameters`` and runs the notebook in the ``python3`` kernel, in the notebook's
    folder. Kernel traffic is encrypted (CurveZMQ) where this jupyter_client and pyzmq can.

    Args:
        path: The ``.ipynb`` file.
        parameters: Name → value (str, int, float, bool, None, paths, or lists of them).
        timeout: Seconds a cell may run.

    Returns:
        The executed notebook (nbformat node); the file itself is not changed.

    Raises:
        BriefingError: The notebook has no cell tagged ``parameters`` while parameters
            are given, or a cell raised an error (the message names the notebook and the error).
    """
    import nbformat
    import papermill
    import zmq
    from jupyter_client import KernelManager
    from traitlets.config import Config

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    if parameters and not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        raise BriefingError(f"{path.name}: the notebook has no cell tagged 'parameters'")
    config = Config()
    if zmq.has("curve") and "transport_encryption" in KernelManager.class_trait_names():
        config.KernelManager.transport_encryption = "auto"
    try:
        return papermill.execute_notebook(
            nb, None, parameters={k: _literal(v) for k, v in (parameters or {}).items()}, kernel_name="python3",
            progress_bar=False, execution_timeout=timeout, config=config, shutdown_kernel="immediate",
            resources={"metadata": {"path": str(path.parent)}})  # the kernel's working folder
    except papermill.PapermillExecutionError as exc:
        raise BriefingError(f"{path.name}: a cell failed:\n{exc}") from None


def export_html(nb, path: str | Path, *, title: str) -> Path:
    """Export an executed notebook as one self-contained HTML file, code hidden.

    Uses nbconvert's ``HTMLExporter(exclude_input=True)`` on the ``lab`` template with
    the network scripts (require.js, MathJax, mermaid) left out; images stay embedded
    as base64 data URIs.

    Args:
        nb: The executed notebook.
        path: The HTML file to write (written beside and renamed into place).
        title: The page title (escaped).
    """
    from importlib.resources import files

    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    page = files("shaoyang_report.publish").joinpath("templates", "notebook-page.html.j2").read_text("utf-8")
    exporter = HTMLExporter(
        template_name="lab", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        embed_images=True, extra_loaders=[DictLoader({"briefing.html.j2": page})], template_file="briefing.html.j2",
    )
    if "language_code" in exporter.trait_names():
        exporter.language_code = "zh-CN"
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    from shaoyang_report.atomic import write_text

    return write_text(path, body)
