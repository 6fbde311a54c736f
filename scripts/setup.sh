#!/usr/bin/env bash
# README command 1: set up .venv/ and run the main job on the bundled Shaoyang data.
# Works on a fresh Debian machine with Python 3.11 (no conda needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh fonts-noto-cjk   # Chinese glyphs in the charts
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
# the test extra, and the dask extra: engine="dask" (dask + distributed, BSD-3-Clause)
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,dask]"
.venv/bin/shaoyang-report run
.venv/bin/shaoyang-report briefing   # briefings (HTML), facts CSV/Parquet, workbook; prints where they are
