#!/usr/bin/env bash
# README command 1: set up .venv/ and run the main job on the bundled Shaoyang data.
# Works on a fresh Debian machine with Python 3.11 (no conda needed).
set -euo pipefail
cd "$(dirname "$0")/.."
# Chinese glyphs in the charts; OpenCV's shared libraries for OCR (the ocr extra); LibreOffice,
# which converts .doc/.wps reports (writer) and old workbooks (calc)
bash scripts/system-packages.sh fonts-noto-cjk libgl1 libglib2.0-0 libreoffice-writer-nogui libreoffice-calc-nogui
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
# the test extra brings the publish extra (briefings), the dask extra: engine="dask" (dask +
# distributed, BSD-3-Clause) and the ocr extra: reports published as images (RapidOCR)
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
.venv/bin/shaoyang-report run
.venv/bin/shaoyang-report briefing --agencies   # briefings (HTML, the agency briefing too), facts CSV/Parquet, workbook; prints where they are
