"""The prose reader scored on the development prose set (issue 19): every figure typed by hand.

The set: the ``prose`` lists of ``../shared/reports/excerpts/*.json`` and
``../shared/reports/prose/*.json`` — every figure of each opening's prose typed by hand
with its clause, unit and catalogue metric (or none), by the rules of
``prose/README.md``. Each file is read as a user reads it (``sr.read_report``) and
each typed figure is looked up among ``report.numbers_in_prose()`` (the mentions) at
the place it was printed:

* a figure typed with a metric must be read (``read``), with that metric and value;
  no other metric at that place (``wrong metric``), never another value (``wrong value``);
  a whole-body figure must also be in ``report.facts``;
* a figure typed ``null`` must get no metric;
* an ``ambiguous`` figure is not scored (what the reader gave is printed).

``pytest -s tests/test_prose_score.py`` prints read / missed / wrong per metric.

While the reader was developed, four files were held out and read only when the rules
stood: ``prose/chengzhong_district_2024``, ``prose/guangzhou_office_2023_trad``,
``excerpts/huiyi_town_suijiang_2021_typo`` and ``excerpts/yanliang_petition_bureau_2025``
(and the pre-2019 set, ``../shared/reports/pre2019``, as a second check).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from conftest import shared_report

import shaoyang_report as sr
from shaoyang_report.prose_metrics import METRICS

_NUMBER_RE = re.compile(r"[0-9０-９][0-9０-９,.．]*")
_LOCATION_RE = re.compile(r"^(?P<line>.+?), chars (?P<start>\d+)-")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def _typed_files() -> list[Path]:
    files = sorted(shared_report("excerpts").glob("*.json")) + sorted(shared_report("prose").glob("*.json"))
    return [f for f in files if json.loads(f.read_text("utf-8")).get("prose")]


def _where(lines: list[str], entry: dict) -> tuple[str, int]:
    """``(line N, offset)`` of the typed figure's number: its phrase found in the text, the value in it."""
    text = "\n".join(lines)
    at = text.find(entry["phrase"])
    assert at >= 0, f"phrase not in the text: {entry['phrase']}"
    offsets = []
    for m in _NUMBER_RE.finditer(entry["phrase"]):
        printed = m.group().translate(_FULLWIDTH).replace(",", "").rstrip(".")
        if float(printed) == float(entry["value"]):
            after = entry["phrase"][m.end():].lstrip()
            offsets.append((not after.startswith(entry["unit"][:1]), m.start()))
    assert offsets, f"value {entry['value']} not in {entry['phrase']}"
    pos = at + min(offsets)[1]
    line = text.count("\n", 0, pos)
    return f"line {line + 1}", pos - (text.rfind("\n", 0, pos) + 1)


def _printed_value(entry: dict) -> float:
    """The typed value as the reader states numbers: a multiplier applied (4.14万条 → 41400)."""
    value = float(entry["value"])
    return value * 10_000 if entry["unit"].startswith("万") and entry["unit"] != "万元" else value


def score(files: list[Path] | None = None) -> tuple[Counter, dict[str, Counter], list[str]]:
    """Read every typed file; return the totals, the counts per metric and what went wrong."""
    totals: Counter = Counter()
    per_metric: dict[str, Counter] = defaultdict(Counter)
    notes: list[str] = []
    for path in files if files is not None else _typed_files():
        typed = json.loads(path.read_text("utf-8"))
        text_path = path.with_suffix(".txt")
        lines = text_path.read_text("utf-8").splitlines()
        report = sr.read_report(text_path)
        mentions: dict[tuple[str, int], list] = defaultdict(list)
        for m in sr.numbers_in_prose(report).itertuples():
            if isinstance(m.metric, str):
                where = _LOCATION_RE.match(m.location)
                mentions[(where["line"], int(where["start"]))].append((m.metric, m.value, m.scope))
        facts = {(f.item + "." + f.measure, f.location) for f in report.facts[report.facts.section == "prose"].itertuples()}
        for entry in typed["prose"]:
            place = _where(lines, entry)
            got = mentions.get(place, [])
            metric, name = entry["metric"], f"{path.stem}: {entry['phrase']}"
            if entry.get("ambiguous"):
                totals["ambiguous (not scored)"] += 1
                notes.append(f"  ambiguous {name} — typed {metric} {entry.get('scope', '')}, read {got}")
                continue
            if metric is None:
                if got:
                    totals["wrong metric"] += 1
                    notes.append(f"WRONG METRIC {name}: typed null, read {got}")
                else:
                    totals["null, left without metric"] += 1
                continue
            right = [g for g in got if g[0] == metric]
            wrong = [g for g in got if g[0] != metric]
            if wrong:
                totals["wrong metric"] += 1
                per_metric[metric]["wrong metric"] += 1
                notes.append(f"WRONG METRIC {name}: typed {metric}, read {wrong}")
            if not right:
                if not wrong:
                    totals["missed"] += 1
                    per_metric[metric]["missed"] += 1
                    notes.append(f"MISSED {name}: {metric} {entry['value']}")
                continue
            if abs(right[0][1] - _printed_value(entry)) > 1e-9:
                totals["wrong value"] += 1
                per_metric[metric]["wrong value"] += 1
                notes.append(f"WRONG VALUE {name}: {right[0][1]} for {entry['value']}{entry['unit']}")
                continue
            totals["read"] += 1
            per_metric[metric]["read"] += 1
            scope = entry.get("scope", "whole")
            if right[0][2] != scope:
                totals["wrong scope"] += 1
                notes.append(f"WRONG SCOPE {name}: {right[0][2]}, typed {scope}")
            elif scope == "whole" and not any(k == metric and loc.startswith(f"{place[0]}, chars {place[1]}-")
                                                for k, loc in facts):
                totals["not in facts"] += 1
                notes.append(f"NOT IN FACTS {name}")
    return totals, per_metric, notes


@pytest.fixture(scope="module")
def scored():
    totals, per_metric, notes = score()
    print("\nprose score on the development set (excerpts/*.json and prose/*.json):")
    for line in notes:
        print(line)
    print(f"{'metric':<48} {'read':>5} {'missed':>7} {'wrong':>6}")
    for metric in sorted(per_metric):
        c = per_metric[metric]
        print(f"{metric:<48} {c['read']:>5} {c['missed']:>7} {c['wrong metric'] + c['wrong value']:>6}")
    print(", ".join(f"{k}: {v}" for k, v in sorted(totals.items())))
    return totals, per_metric


def test_every_figure_with_a_metric_is_read(scored):
    totals, per_metric = scored
    assert totals["missed"] == 0
    assert totals["read"] >= 90                 # 90 figures are typed with a metric, not ambiguous
    assert set(per_metric) <= {m.key for m in METRICS}


def test_no_value_is_wrong_and_none_is_on_a_wrong_metric(scored):
    totals, _ = scored
    assert (totals["wrong value"], totals["wrong metric"]) == (0, 0)
    assert totals["null, left without metric"] >= 124


def test_every_whole_figure_read_is_a_fact(scored):
    totals, _ = scored
    assert (totals["wrong scope"], totals["not in facts"]) == (0, 0)
