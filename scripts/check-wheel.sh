#!/usr/bin/env bash
# The package as `pip install shaoyang-report[publish]` gives it, away from this checkout:
# builds the sdist and wheel (dist/), checks their metadata with twine, installs the wheel
# with the publish extra into a fresh venv in a temporary folder, and builds every briefing
# there from a copy of the bundled data/raw. Run by scripts/test.sh (so by CI).
set -euo pipefail
cd "$(dirname "$0")/.."
project="$PWD"
rm -rf dist
.venv/bin/python -m build --sdist --wheel --outdir dist . >/dev/null
.venv/bin/python -m twine check --strict dist/*
wheel=$(ls dist/*.whl)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "${wheel}[publish]"
cp -r data/raw "$work/raw"
cd "$work"   # outside the checkout: nothing may come from it
"$work/venv/bin/shaoyang-report" briefing raw --out out --agencies
for page in briefing-邵阳市.html audit.html agencies.html report-shaoyang_city_2020.html workbook.xlsx facts.parquet; do
  [ -s "out/$page" ] || { echo "check-wheel: the installed package did not build $page" >&2; exit 1; }
done
"$work/venv/bin/python" - "$project" <<'PY'
import sys
from pathlib import Path

import shaoyang_report

where = Path(shaoyang_report.__file__).resolve()
assert Path(sys.argv[1]).resolve() not in where.parents, f"imported from the checkout: {where}"
print(f"check-wheel: briefings built by the installed wheel ({where.parent})")
PY
