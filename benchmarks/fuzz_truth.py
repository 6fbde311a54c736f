"""The layout fuzzer's misplaced values, each sorted: the reader's mistake, or the fuzzer's truth's.

``layout_fuzz.py`` (in the shared reliability folder, read-only: imported here, never copied)
builds a generated report as a model of table rows whose cells carry their true keys, applies
model variants (a column dropped, a label glued to its first value, two cells swapped…),
renders it in one of nine text layouts, mutates lines (one deleted, printed twice, swapped…)
and judges each value read: a value at key K is *misplaced* if it is none of the values the
fuzzer allows at K. The fuzzer's keys travel with the cells, not with the places the printed
text gives them, so some of its verdicts are its own: after ``drop_col`` removed a column's
header name, the cells a row prints stand under the names the header still prints, whichever
cells the row lost.

This script runs the same cases (the fuzzer's own generator, same seeds, same rng draws) and
works out, for every table row, *where the printed text puts each value*, by position: the
row's printed cells, in order, stand under its printed columns, where their counts agree (a
row printing more or fewer cells than its header names puts nothing anywhere with
certainty). It does so twice:

* from the model as rendered (after the variants, before line mutations): the columns are
  the ones the table's header still names, the cells the row's own (a label's glued digits
  count as the cells they were; digits run together in one value cell are one cell, whose
  number is all of them);
* from the printed lines (after line mutations too): a row's cells are the keyed lines from
  a line printing words (a label, a header, a caption; a unit after a number is no word, a
  footnote the fuzzer inserts no line of the table) to the next, in printed order, whoever's
  keys they are, under the columns of the row whose label starts them (表四, printed without a
  label: the row most of them belong to); empty cells printed as a bare ``|`` after its last
  column may be padding, which prints so too (``cellbar_pad``); where each cell is followed by
  a line holding a bar (``cell_then_bar``), a bar after a bar is an empty cell; 表三's header
  names are those a line of the table's head still prints.

Each misplaced value (and each wrongly blank one: a blank at K where the fuzzer has a number)
is then sorted, in this order:

* **fuzzer truth** — the rendered model puts the value where the reader put it: the variants
  left a row self-consistent under its header; kinds: A ``glue_label`` (or ``digits_run``) +
  ``drop_col`` (the glued cell no longer counted in the row: another column dropped there
  than in the header), B two ``drop_col`` (the second drops the header name by its first
  index, the cell by its reduced one), C ``drop_cell`` + ``drop_col``, D swaps (allowed
  values follow keys, not positions), other variants;
* **corruptions cancel** — only the printed lines put it there: line mutations (a line
  printed twice and another lost, a line printed twice and the row's last cell, empty,
  printed as its padding is, a label line swapped away from its values, a value swapped in
  from another row) left the row with as many cells as columns: a careful reader of the text
  alone would place it so too;
* **raw kept, no value** (blanks only) — the reader placed the printed text but no number
  (an amount without its unit, a unit in a count column): no number is wrong;
* **printed nowhere** (blanks only) — no line of the text prints key K's cell (a dropped
  cell, a deleted line): a blank says what the text shows;
* **real** — the printed text puts the value there by no count: the reader's mistake.

The derivation is by counts and positions only; where a row's counts disagree it says
nothing, so a value it cannot explain is counted real (look at those with ``--list``).

Usage (from the project root, with its venv)::

    python benchmarks/fuzz_truth.py 3000 7                # the 3,000 cases of seed 7 (about a minute)
    python benchmarks/fuzz_truth.py 20000 2024 --list     # and every misplaced value, case by case
    python benchmarks/fuzz_truth.py 20000 2024 --cases 9116 --show   # one case: its text and verdicts

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUZZER = ROOT.parent / "shared" / "reliability" / "layout_fuzz.py"
#: 表三's applicant columns, as its header names them (layout_fuzz's ``drop_col`` removes these).
APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
KINDS = ("A glue_label + drop_col", "B drop_col twice", "C drop_cell + drop_col", "D swaps", "other variants")


def load_fuzzer(path: Path):
    """The fuzzer as a module, its model and render wrapped to note each row's columns and cells."""
    sys.path.insert(0, str(ROOT / "tests"))  # (it imports the project's generated_reports)
    spec = importlib.util.spec_from_file_location("layout_fuzz", path)
    lf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lf)
    model_of, render = lf.model_of, lf.render
    state: dict = {}

    def noting_model_of(report):
        model = model_of(report)
        for kind, rows, _ in model:
            if kind == "table":
                for row in rows:  # the row's columns as generated (dup_row copies them with the row)
                    row["cols"] = [c["key"] for c in row["cells"] if c["key"]]
        return model

    def noting_render(model, style, rng):
        # digits run together in one value cell (digits_run_sep): one printed cell, whose number is all of them
        run = [c for kind, rows, _ in model if kind == "table" for row in rows for c in row["cells"]
               if c["key"] and c["extra_keys"]]
        state["shown"] = {c["key"]: float(c["text"]) for c in run}
        state["inside"] = {k for c in run for k in c["extra_keys"]}
        state["model"] = by_model(model)
        state["rows"] = [(row["cols"], sec, _label(row)) for kind, rows, sec in model if kind == "table"
                         for row in rows if row.get("cols")]
        state["lines"] = render(model, style, rng)  # (the fuzzer then mutates this very list)
        return state["lines"]

    lf.model_of, lf.render = noting_model_of, noting_render
    return lf, state


def _label(row: dict) -> str | None:
    """A row's label as rendered (the fuzzer's: the last text cell before its first value; None: 表四's)."""
    cells = row["cells"]
    first = next((i for i, c in enumerate(cells) if c["key"]), len(cells))
    return next((c["text"] for c in reversed(cells[:first]) if not c["key"] and c["text"] and not c["header"]), None)


def _header(cols: list, sec: str, names: set[str]) -> list:
    """A row's printed columns: in 表三, those whose applicant name its header still prints."""
    if sec != "applications" or len(cols) != len(APPLICANTS):
        return cols
    return [k for k, name in zip(cols, APPLICANTS) if name in names]


def _positions(cols: list, printed: list, out: dict, bare: frozenset = frozenset()) -> None:
    """Where a row's printed cells stand: the k-th under its k-th printed column, where counts agree.

    ``bare``: cells printed as a bare ``|``, as the rows' padding is: after a row's last column, such
    cells may be padding (the fuzzer pads each row with one or two at random).
    """
    printed = list(printed)
    while len(printed) > len(cols) and printed[-1] in bare:
        printed.pop()
    if len(printed) == len(cols):
        for key, at in zip(printed, cols):
            out.setdefault(at, []).append(key)


def by_model(model) -> dict:
    """Printed column key → the keys of the cells the rendered model prints under it."""
    out: dict = {}
    for kind, rows, sec in model:
        if kind != "table":
            continue
        names = {c["text"] for row in rows for c in row["cells"] if c["header"]}
        for row in rows:
            if row.get("cols"):
                # (a label's glued digits are the cells they were; digits run in a value cell are that cell)
                cells = [k for c in row["cells"] for k in ([c["key"]] if c["key"] else c["extra_keys"])]
                _positions(_header(row["cols"], sec, names), cells, out)
    return out


_PIECES = re.compile(r"\s*\|\s*|\s+")
_WORDS = re.compile(r"[\u4e00-\u9fff]")
_UNITS = re.compile(r"[万萬元件]")


def by_lines(rows: list, lines: list, inside: set, notes: tuple[str, ...] = (), bars: bool = False) -> dict:
    """Printed column key → the keys of the cells the printed lines print under it.

    The printed lines fall into runs, each starting at a line that prints words (a label, a
    header, a caption; a unit after a number is no word, a note line ``notes`` no line of the
    table): a run's cells are the keys its lines carry, in printed order, whoever's they are,
    and they stand under the columns of the row whose label starts the run (表四, printed
    without a label: the row most of them belong to). 表三's header names are those a line
    before its first value prints as a cell.
    """
    labelled = {}
    for i, (_, _, label) in enumerate(rows):
        labelled.setdefault(label, i)
    owner = {k: i for i, (cols, _, _) in enumerate(rows) for k in cols}
    runs: list[tuple[str, list]] = [("", [])]
    bare: set = {None}
    before = ""
    for text, keys in lines:
        if text in notes:
            continue
        if _WORDS.search(_UNITS.sub("", text)):
            runs.append((next((p for p in _PIECES.split(text) if p), ""), []))
        runs[-1][1].extend(k for k in keys if k not in inside)
        if text == "|":
            bare.update(keys)
            if bars and before == "|":
                runs[-1][1].append(None)  # (each cell followed by a bar: a bar after a bar is an empty cell)
        before = text
    first_value = next((n for n, (_, keys) in enumerate(lines) if any(k[0] == "applications" for k in keys)),
                       len(lines))
    names = {p for text, _ in lines[:first_value] for p in _PIECES.split(text) if p}
    out: dict = {}
    for start, run in runs:
        row = labelled.get(start)
        if row is None:
            votes = Counter(owner[k] for k in run if k in owner).most_common(2)
            if not votes or (len(votes) == 2 and votes[0][1] == votes[1][1]) or rows[votes[0][0]][2] is not None:
                continue  # (a run after a header, a caption or text no label: whose cells these are is not printed)
            row = votes[0][0]
        cols, sec, _ = rows[row]
        _positions(_header(cols, sec, names), run, out, frozenset(bare))
    return out


def _same(a: float, b: float) -> bool:
    return (a != a and b != b) or (a == a and b == b and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9))


def _kind(variants: list[str]) -> str:
    names = Counter(v.split()[0] for v in variants)
    if names["drop_col"] and (names["glue_label"] or names["digits_run"] or names["digits_run_sep"]):
        return KINDS[0]
    if names["drop_col"] >= 2:
        return KINDS[1]
    if names["drop_col"] and names["drop_cell"]:
        return KINDS[2]
    if names["swap_cells"]:
        return KINDS[3]
    return KINDS[4]


def sort_value(at, value: float, raw: str, shown: dict, model: dict, lines: dict, printed: set,
               variants: list[str]) -> str:
    """The verdict on a value read at ``at`` that the fuzzer calls misplaced (or wrongly blank).

    ``shown``: key → the number its cell prints (the fuzzer's truth, but digits run in one cell).
    """
    if any(_same(shown[k], value) for k in model.get(at, [])):
        return _kind(variants)
    if any(_same(shown[k], value) for k in lines.get(at, [])):
        return "corruptions cancel"
    if value != value and raw:
        return "raw kept, no value"
    if value != value and at not in printed:
        return "printed nowhere"
    return "real"


def _placed(report) -> dict:
    """Key → value of every table fact read (the fuzzer's keys: an applicant or None)."""
    import pandas as pd

    f = report.facts
    f = f[f.section != "prose"]
    return {(s, i, m, None if pd.isna(a) else a): v
            for s, i, m, a, v in zip(f.section, f["item"], f.measure, f.applicant, f.value)}


def run(n: int, seed: int, fuzzer: Path, cases: set[int] | None, show: bool, listing: bool) -> Counter:
    """Read the fuzzer's first ``n`` cases of ``seed`` (or only ``cases``) and sort each misplaced value."""
    import shaoyang_report as sr

    lf, state = load_fuzzer(fuzzer)
    rng = random.Random(seed)
    tally: Counter = Counter()
    for case in range(n):
        try:
            text, truth, allowed, desc = lf.one_case(rng, case)
        except Exception:
            tally["harness_error"] += 1
            continue
        if cases is not None and case not in cases:
            continue
        try:
            report = sr.read_text(text, source=f"case{case}.txt")
            _ = report.facts
        except sr.ReportFormatError:
            tally["format_error"] += 1
            continue
        except Exception:  # noqa: BLE001 - a crash is a figure here
            tally["crash"] += 1
            continue
        mis, blank_wrong, _, _, _ = lf.judge(report, truth, allowed)
        placed = _placed(report)
        tally["cases"] += 1
        tally["values printed"] += sum(1 for v in truth.values() if v == v)
        tally["unplaced"] += len(report.unplaced)
        model = state["model"]
        lines = by_lines(state["rows"], state["lines"], state["inside"], tuple(lf.FOOTNOTES),
                         bars=desc["style"] == "cell_then_bar")
        printed = {k for _, keys in state["lines"] for k in keys}
        shown = {**truth, **state["shown"], None: math.nan}  # (None: an empty cell the lines print)
        verdicts = []
        for what, found in (("misplaced", mis), ("wrong blank", blank_wrong)):
            for key, raw, loc, t in found:
                verdict = sort_value(key, placed[key], raw, shown, model, lines, printed, desc["variants"])
                tally[f"{what}: {verdict}"] += 1
                tally[what] += 1
                verdicts.append((what, verdict, key, raw, loc, t))
        if verdicts:
            tally["cases with wrong values"] += 1
            tally["cases with real ones"] += any(v[1] == "real" for v in verdicts)
        if (listing and verdicts) or show:
            print(f"case {case}: {desc['style']} variants {desc['variants']} mutations {desc['muts']} "
                  f"blank {desc['blank_rate']} {desc['blank_style']}")
            for what, verdict, key, raw, loc, t in verdicts:
                print(f"    {what:11s} {verdict:24s} {key} read {raw!r} at {loc}, the fuzzer's truth {t}")
        if show:
            print(text)
    return tally


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="cases (the fuzzer's first N of the seed)")
    ap.add_argument("seed", type=int)
    ap.add_argument("--fuzzer", type=Path, default=FUZZER, help="layout_fuzz.py (default: the shared one)")
    ap.add_argument("--cases", help="only these cases (comma-separated), e.g. 550,845")
    ap.add_argument("--list", action="store_true", help="every misplaced value, case by case")
    ap.add_argument("--show", action="store_true", help="with --cases: print each case's text too")
    args = ap.parse_args()
    cases = {int(c) for c in args.cases.split(",")} if args.cases else None
    start = time.perf_counter()
    tally = run(args.n, args.seed, args.fuzzer, cases, args.show, args.list)
    print(f"seed {args.seed}, {args.n} cases ({time.perf_counter() - start:.0f} s): {tally['cases']} read, "
          f"{tally['format_error']} refused, {tally['crash']} crashes, {tally['harness_error']} not generated")
    share = 100 * tally["unplaced"] / max(tally["values printed"], 1)
    print(f"values printed {tally['values printed']}, unplaced {tally['unplaced']} ({share:.2f} %)")
    for what in ("misplaced", "wrong blank"):
        print(f"{what} by the fuzzer's truth: {tally[what]}")
        for verdict in (*KINDS, "corruptions cancel", "raw kept, no value", "printed nowhere", "real"):
            if tally[f"{what}: {verdict}"]:
                print(f"    {verdict:26s} {tally[f'{what}: {verdict}']}")
    print(f"cases with a wrong value {tally['cases with wrong values']}, with a real one {tally['cases with real ones']}")


if __name__ == "__main__":
    main()
