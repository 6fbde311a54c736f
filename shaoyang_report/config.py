"""Project paths, defined once (cookiecutter-data-science style).

``RAW`` holds the immutable source reports and ``catalog.csv``; ``PROCESSED`` is
rebuilt by ``shaoyang-report run``. Both default to the project checkout's ``data/``
folders and can be moved with the ``SHAOYANG_DATA`` environment variable.
"""

from __future__ import annotations

import csv
import io
import os
from importlib import resources
from pathlib import Path

#: The package's version (pyproject.toml's; ``tests/test_project.py`` keeps the two equal).
VERSION = "0.1.0"

PROJECT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SHAOYANG_DATA", PROJECT / "data"))
RAW = DATA / "raw"
PROCESSED = DATA / "processed"


def package_csv(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file of the package's own data (``shaoyang_report/data/<name>``).

    Layout knowledge, the data dictionary, the indicators' crosswalk, the scorecard's
    criteria … are kept as such files; this is the one place that reads them.
    """
    text = resources.files("shaoyang_report").joinpath("data", name).read_text("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))
