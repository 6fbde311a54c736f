"""Speed and memory of reading reports. Prints figures; asserts nothing.

Usage::

    .venv/bin/python benchmarks/bench_parse.py [--copies 2000]

Figures:
  * import time of the package (fresh interpreter);
  * time to read the Shaoyang 2020 report (text file → facts + checks), best of N;
  * throughput over a batch of copies, and peak memory (RSS) growth while streaming the
    batch's facts to CSV, which should stay flat as the batch grows.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

import shaoyang_report as sr  # noqa: E402

SOURCE = PROJECT / "data" / "raw" / "shaoyang_city_2020.txt"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_import() -> float:
    code = "import time; t=time.perf_counter(); import shaoyang_report; print(time.perf_counter()-t)"
    best = min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    cwd=PROJECT, check=True).stdout) for _ in range(3))
    return best


def bench_single(runs: int = 20) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = sr.read_report(SOURCE)
        _ = r.facts, r.checks
        times.append(time.perf_counter() - t)
    first = times[0]
    return first, min(times)


def bench_batch(copies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = SOURCE.read_bytes()
        for i in range(copies):
            (folder / f"report_{i:06d}.txt").write_bytes(data)
        out = folder / "facts.csv"
        rss0 = _rss_mb()
        t = time.perf_counter()
        marks = {}
        with out.open("w", encoding="utf-8") as fh:
            for i, path in enumerate(sorted(folder.glob("report_*.txt")), start=1):
                r = sr.read_report(path)
                r.facts.to_csv(fh, header=(i == 1), index=False)
                _ = r.findings
                if i in (copies // 4, copies):
                    marks[i] = _rss_mb()
        elapsed = time.perf_counter() - t
    print(f"batch of {copies} reports: {elapsed:.2f} s, {copies / elapsed:.0f} reports/s, "
          f"{elapsed / copies * 1000:.2f} ms/report")
    for i, rss in marks.items():
        print(f"  peak RSS after {i:>6} reports: {rss:.0f} MB (start {rss0:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2000)
    args = parser.parse_args()
    print(f"import shaoyang_report: {bench_import() * 1000:.0f} ms (best of 3, fresh interpreter)")
    first, best = bench_single()
    print(f"read Shaoyang 2020 (facts + checks): first {first * 1000:.1f} ms, best {best * 1000:.1f} ms")
    bench_batch(args.copies)


if __name__ == "__main__":
    main()
