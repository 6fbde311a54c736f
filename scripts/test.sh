#!/usr/bin/env bash
# README command 2: run the whole test suite, installing on a clean clone whatever it needs.
# With no arguments: lint (ruff), types (mypy), the wheel installed away from the checkout
# (scripts/check-wheel.sh), then pytest on every core (pytest-xdist). Extra arguments go to
# pytest alone (e.g. `bash scripts/test.sh -m "not slow"`).
set -euo pipefail
cd "$(dirname "$0")/.."
# charts' glyphs; the briefing screenshot test; OpenCV's shared libraries (OCR tests); the faces the
# OCR oracle draws its scans in (tests/rendered_scans.py); LibreOffice (reads .doc/.wps reports;
# converts .xls for the fixtures and the Word briefing in its test)
bash scripts/system-packages.sh fonts-noto-cjk fonts-liberation chromium libgl1 libglib2.0-0 \
  libreoffice-writer-nogui libreoffice-calc-nogui
[ -x .venv/bin/python ] || python3 -m venv .venv
# the test extra brings the publish, ocr and dask extras and the tools below
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
if [ "$#" -eq 0 ]; then
  .venv/bin/ruff check shaoyang_report tests benchmarks
  .venv/bin/mypy
  bash scripts/check-wheel.sh
  exec .venv/bin/python -m pytest --numprocesses=auto
fi
exec .venv/bin/python -m pytest "$@"
