"""Project paths, defined once (cookiecutter-data-science style).

``RAW`` holds the immutable source reports and ``catalog.csv``; ``PROCESSED`` is
rebuilt by ``shaoyang-report run``. Both default to the project checkout's ``data/``
folders and can be moved with the ``SHAOYANG_DATA`` environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SHAOYANG_DATA", PROJECT / "data"))
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
