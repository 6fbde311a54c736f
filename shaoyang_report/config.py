"""Project paths, defined once (cookiecutter-data-science style), and the package's own files.

``RAW`` holds the immutable source reports and ``catalog.csv``; ``PROCESSED`` is
rebuilt by ``shaoyang-report run``. Both live in a project's ``data/`` folder: the one
named by the ``SHAOYANG_DATA`` environment variable, else the nearest ``data/`` folder
holding a ``raw/`` folder in the working directory or one of its parents (so a notebook
started in ``notebooks/`` finds the project's data, as git finds ``.git``), else
``./data``. Nothing is derived from where the package is installed: the files the
package itself opens at run time (layouts, dictionary, notebooks, templates) are package
data, read through :func:`package_file`.
"""

from __future__ import annotations

import csv
import io
import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

#: The package's version (pyproject.toml's; ``tests/test_project.py`` keeps the two equal).
VERSION = "0.1.0"


def find_data(start: Path | None = None) -> Path:
    """The project's ``data/`` folder seen from ``start`` (default: the working directory).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as root:
        ...     (Path(root) / "data" / "raw").mkdir(parents=True)
        ...     (Path(root) / "notebooks").mkdir()
        ...     find_data(Path(root) / "notebooks") == Path(root) / "data"
        True
    """
    if os.environ.get("SHAOYANG_DATA"):
        return Path(os.environ["SHAOYANG_DATA"])
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "raw").is_dir():
            return folder / "data"
    return here / "data"


DATA = find_data()
RAW = DATA / "raw"
PROCESSED = DATA / "processed"


def package_file(*parts: str) -> Traversable:
    """A file of the package's own data (``shaoyang_report/<parts>``), wherever it is installed."""
    return resources.files("shaoyang_report").joinpath(*parts)


def package_csv(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file of the package's own data (``shaoyang_report/data/<name>``).

    Layout knowledge, the data dictionary, the indicators' crosswalk, the scorecard's
    criteria … are kept as such files; this is the one place that reads them.
    """
    text = package_file("data", name).read_text("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))
