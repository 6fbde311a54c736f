# The verbs of the project. The README's two commands are scripts/setup.sh and scripts/test.sh.
.PHONY: setup data briefings test test-fast lint bench docs fuzz fuzz-truth

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

# The layout fuzzer of the reliability reproducers (../shared/reliability/): generated reports in
# the layouts real sites print, mutated, every value judged against the cell that printed it.
# Its figures (misplaced values, crashes, the share of printed values left unplaced) go in the
# closing note of a change to the reader. `make fuzz FUZZ_SEED=7 FUZZ_CASES=20000`.
FUZZ_CASES ?= 20000
FUZZ_SEED ?= 7
fuzz:           ## layout fuzzer: FUZZ_CASES generated reports (seed FUZZ_SEED), figures in fuzz_out/
	.venv/bin/python ../shared/reliability/layout_fuzz.py $(FUZZ_CASES) $(FUZZ_SEED) fuzz_out

# The same cases, each value the fuzzer calls misplaced sorted: its own truth's error (by kind),
# two corruptions that cancel, or the reader's (benchmarks/README.md, "The fuzzer's truth").
fuzz-truth:     ## layout fuzzer's misplaced values sorted by whose error they are (FUZZ_CASES, FUZZ_SEED)
	.venv/bin/python benchmarks/fuzz_truth.py $(FUZZ_CASES) $(FUZZ_SEED)

docs:           ## regenerate the README's data dictionary from fields.csv
	.venv/bin/shaoyang-report dictionary --readme README.md
