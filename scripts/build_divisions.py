"""Build the package's data set of China's administrative divisions from JioNLP's.

The agency resolver (:mod:`shaoyang_report.identity`) needs every province, city and
county with its GB/T 2260 code, the townships (乡、镇、街道) under each, and the
divisions renamed or re-coded over the years (a 县 that became a 市 or a 区). It reads
them from three files of package data, which this script writes from the data set
JioNLP maintains and ships in its wheel (``jionlp/dictionary/china_location.zip`` and
``china_location_change.txt``; Apache-2.0, https://github.com/dongrixinyu/JioNLP):

* ``shaoyang_report/data/divisions.csv``: ``code, name, short, level, parent`` for the
  provinces, cities and counties (``level`` province / city / county; ``parent`` the code
  of the division above, empty for a province);
* ``shaoyang_report/data/townships.csv``: ``parent, names`` — each county's (or a city
  without counties') townships, ``|``-separated, in the data set's order;
* ``shaoyang_report/data/division_changes.csv``: ``date, old, new, code`` — each rename
  as full names (``湖北省襄樊市`` → ``湖北省襄阳市``), ``code`` the division's code today.

Nothing is typed by hand: to refresh the data, run (needs the network to PyPI)::

    .venv/bin/python scripts/build_divisions.py            # the version pinned below
    .venv/bin/python scripts/build_divisions.py --version 1.5.32

and commit the three files with ``shaoyang_report/data/DIVISIONS.md`` (which records the
version read).
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

JIONLP_VERSION = "1.5.31"
DATA = Path(__file__).resolve().parents[1] / "shaoyang_report" / "data"
# JioNLP groups the counties a province governs directly under a pseudo-city (河南省's
# 济源市, 湖北省's 仙桃市 …): its name is not a division's.
PSEUDO_CITY = "省直辖行政区划"


def _wheel(version: str, folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
                    f"jionlp=={version}", "-d", str(folder)], check=True)
    (wheel,) = folder.glob("jionlp-*.whl")
    return wheel


def _read(wheel: Path) -> tuple[str, str]:
    with zipfile.ZipFile(wheel) as whl:
        inner = whl.read("jionlp/dictionary/china_location.zip")
        changes = whl.read("jionlp/dictionary/china_location_change.txt").decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(inner)) as z:
        locations = z.read("china_location.txt").decode("utf-8")
    return locations, changes


def divisions(locations: str) -> tuple[list[dict], dict[str, list[str]]]:
    """The coded divisions and each one's townships, from JioNLP's tab-indented tree."""
    rows: list[dict] = []
    seen: set[str] = set()
    towns: dict[str, list[str]] = {}
    province = city = county = None
    for raw in locations.splitlines():
        depth = len(raw) - len(raw.lstrip("\t"))
        fields = raw.strip().split("\t")
        if depth == 4 or not fields[0]:
            continue  # villages and communities: below what the resolver needs
        if depth == 3:
            parent = county or city
            if parent:
                towns.setdefault(parent, [])
                if fields[0] not in towns[parent]:
                    towns[parent].append(fields[0])
            continue
        if len(fields) != 3:
            if depth == 2:
                county = None  # a county without a code (Taiwan's): its townships have no parent
            continue
        name, code, alias = fields
        if depth == 0:
            province, city, county = code, None, None
            level, parent = "province", ""
        elif depth == 1:
            county = None
            if name == PSEUDO_CITY or code == province:  # 直辖市: the city is the province itself
                city = province
                continue
            city, level, parent = code, "city", province
        else:
            county, level, parent = code, "county", city or province
        if code in seen:
            continue
        seen.add(code)
        rows.append({"code": code, "name": name, "short": alias, "level": level, "parent": parent})
    return rows, towns


def changes(text: str) -> list[dict]:
    """Renames and re-codings, old and new as full names."""
    out = []
    for line in text.splitlines():
        if "=>" not in line:
            continue
        left, right = line.split("=>", 1)
        old = left.split("\t")
        new = [f for f in right.split("\t") if f]
        date, names = old[0], old[2::2]  # full names (the short ones between them)
        out.append({"date": date, "old": "".join(names), "new": "".join(new)})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default=JIONLP_VERSION, help=f"JioNLP version (default {JIONLP_VERSION})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        locations, change_text = _read(_wheel(args.version, Path(tmp)))
    rows, towns = divisions(locations)
    by_code = {r["code"]: r for r in rows}
    by_name = {}
    for r in rows:
        chain, at = [], r
        while at:
            chain.append(at["name"])
            at = by_code.get(at["parent"])
        by_name["".join(reversed(chain))] = r["code"]
    with open(DATA / "divisions.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, ["code", "name", "short", "level", "parent"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    with open(DATA / "townships.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["parent", "names"])
        for parent, names in towns.items():
            w.writerow([parent, "|".join(names)])
    with open(DATA / "division_changes.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, ["date", "old", "new", "code"], lineterminator="\n")
        w.writeheader()
        for c in changes(change_text):
            w.writerow({**c, "code": by_name.get(c["new"], "")})
    (DATA / "DIVISIONS.md").write_text(
        "# China's administrative divisions (package data)\n\n"
        "`divisions.csv`, `townships.csv` and `division_changes.csv` are built by\n"
        "`scripts/build_divisions.py` from the data set of JioNLP "
        f"{args.version} (https://github.com/dongrixinyu/JioNLP,\n"
        "`jionlp/dictionary/china_location.zip` and `china_location_change.txt`), which is\n"
        "licensed under the Apache License 2.0; these files are a derived work under the same\n"
        "licence. Codes are GB/T 2260 county-level codes; townships carry no code of their own.\n\n"
        f"{len(rows)} provinces, cities and counties; {sum(len(v) for v in towns.values())} townships; "
        f"{len(changes(change_text))} renames.\n", encoding="utf-8")
    print(f"{len(rows)} divisions, {sum(len(v) for v in towns.values())} townships written to {DATA}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
