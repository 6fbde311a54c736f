#!/usr/bin/env bash
# README command 2: run the whole test suite, installing on a clean clone whatever it needs.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -m "not slow"`).
set -euo pipefail
cd "$(dirname "$0")/.."
# charts' glyphs; the briefing screenshot test; OpenCV's shared libraries (OCR tests)
bash scripts/system-packages.sh fonts-noto-cjk chromium libgl1 libglib2.0-0
[ -x .venv/bin/python ] || python3 -m venv .venv
# the test extra includes dask + distributed: tests/test_dask.py runs a LocalCluster
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
exec .venv/bin/python -m pytest "$@"
