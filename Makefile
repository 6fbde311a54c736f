# The verbs of the project. The README's two commands are scripts/setup.sh and scripts/test.sh.
.PHONY: setup data briefings test test-fast lint bench docs

setup:          ## create .venv and run the main job
	bash scripts/setup.sh

data:           ## rebuild data/processed from data/raw
	.venv/bin/shaoyang-report run

briefings:      ## HTML briefings (notebooks run headlessly), facts CSV/Parquet, workbook → data/processed
	.venv/bin/shaoyang-report briefing

test:           ## the whole suite (what CI runs)
	bash scripts/test.sh

test-fast:      ## skip the slow end-to-end tests
	bash scripts/test.sh -m "not slow"

lint:           ## ruff and mypy, as the test command runs them
	.venv/bin/ruff check shaoyang_report tests benchmarks
	.venv/bin/mypy

bench:          ## speed and memory figures
	.venv/bin/python benchmarks/bench_parse.py

docs:           ## regenerate the README's data dictionary from fields.csv
	.venv/bin/shaoyang-report dictionary --readme README.md
