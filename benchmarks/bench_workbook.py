"""Time and memory of writing the Excel workbook's facts sheet. Prints figures; asserts nothing.

Usage::

    .venv/bin/python benchmarks/bench_workbook.py                      # 100,000 and 1,000,000 fact rows
    .venv/bin/python benchmarks/bench_workbook.py --rows 1100000       # past Excel's row limit: a cut sheet

The facts are the Shaoyang 2020 report's (221 rows, 16 columns) repeated, each copy under
its own report id (a corpus of copies), to the number of rows asked for. Each size runs
in a fresh process: it builds the frame, notes its peak RSS so far, writes the workbook
(``write_workbook(path, facts=...)``) and reports the time and CPU time of that call;
the parent reads the process's peak RSS from ``os.wait4``. "Writing's own peak" is that
peak minus the peak before writing: what the workbook writer adds on top of the frame
it is given. The machine's 1-minute load average before each run is printed: on shared
cores the CPU seconds are the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(rows: int, out: str) -> None:
    import pandas as pd

    import shaoyang_report as sr
    from shaoyang_report.publish.workbook import write_workbook

    source = Path(sr.__file__).resolve().parents[1] / "data" / "raw" / "shaoyang_city_2020.txt"
    facts = sr.read_reports([source], progress=False).facts
    copies = -(-rows // len(facts))
    big = pd.concat([facts] * copies, ignore_index=True).head(rows)
    big["report_id"] = pd.array([f"r{k:05d}" for k in range(copies)], dtype="string").repeat(len(facts))[:rows]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    write_workbook(out, facts=big, facts_files=["facts.parquet"])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"rows": len(big), "seconds": seconds, "cpu": cpu, "peak_before_mb": before,
                      "size_mb": Path(out).stat().st_size / 2**20}))


def run(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "workbook.xlsx")
        env = dict(os.environ, PYTHONHASHSEED="0")
        load = os.getloadavg()[0]
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--child", str(rows), out], env=env,
                                stdout=subprocess.PIPE, text=True)
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"the child failed ({os.waitstatus_to_exitcode(status)})")
    got = json.loads(stdout)
    peak = usage.ru_maxrss / 1024
    print(f"{got['rows']:>10,} fact rows: write_workbook {got['seconds']:6.1f} s (CPU {got['cpu']:6.1f} s), "
          f"workbook {got['size_mb']:5.1f} MB; peak RSS {peak:5.0f} MB (before writing {got['peak_before_mb']:4.0f} MB: "
          f"writing's own peak {peak - got['peak_before_mb']:+4.0f} MB); process {wall:5.1f} s, load {load:.1f} before")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--child", nargs=2, metavar=("ROWS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1])
        return
    for rows in args.rows:
        run(rows)


if __name__ == "__main__":
    main()
