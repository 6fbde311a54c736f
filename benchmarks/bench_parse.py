"""Speed and memory of reading reports. Prints figures; asserts nothing.

Usage::

    .venv/bin/python benchmarks/bench_parse.py [--copies 2000]

Figures:
  * import time of the package (fresh interpreter);
  * time to read the Shaoyang 2020 report (text file → facts + checks), best of N;
  * throughput of write_facts over batches of copies (1 and 2 worker processes) and the
    peak memory (RSS), which should stay flat as the batch grows fourfold.
"""

from __future__ import annotations

import argparse
import math
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


def bench_pdf(runs: int = 10) -> None:
    """Best time to read each five-page 洪泽区 PDF (facts + checks), read in place."""
    for path in sorted((PROJECT.parent / "shared" / "reports" / "huaian").glob("*.pdf")):
        sr.read_report(path)  # warm
        best = math.inf
        for _ in range(runs):
            t = time.perf_counter()
            r = sr.read_report(path)
            _ = r.facts, r.checks
            best = min(best, time.perf_counter() - t)
        print(f"read {path.name} (5-page PDF, facts + checks): best of {runs} {best * 1000:.1f} ms")


def bench_briefing() -> None:
    """Build the bundled data's briefings once (notebooks run headlessly)."""
    from shaoyang_report import briefing

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        briefing.build_briefings(PROJECT / "data" / "raw", Path(tmp), agency="邵阳市")
        print(f"briefing of the bundled data (3 notebooks, workbook, facts): {time.perf_counter() - t:.1f} s")


def bench_batch(copies: int, workers: int) -> None:
    """Stream ``copies`` reports' facts to Parquet with write_facts; report speed and memory."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        data = SOURCE.read_bytes()
        for i in range(copies):
            (folder / f"report_{i:06d}.txt").write_bytes(data)
        rss0 = _rss_mb()
        t = time.perf_counter()
        errors = sr.write_facts(folder, Path(tmp) / "facts.parquet", progress=False, workers=workers)
        elapsed = time.perf_counter() - t
        assert errors.empty
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"write_facts, {copies} reports, {workers} worker(s): {elapsed:.2f} s, {copies / elapsed:.0f} reports/s, "
          f"{elapsed / copies * 1000:.2f} ms/report; peak RSS {_rss_mb():.0f} MB (start {rss0:.0f} MB)"
          + (f", largest worker {children:.0f} MB" if workers > 1 else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2000)
    parser.add_argument("--briefing", action="store_true", help="also time the briefing build")
    args = parser.parse_args()
    print(f"import shaoyang_report: {bench_import() * 1000:.0f} ms (best of 3, fresh interpreter)")
    first, best = bench_single()
    print(f"read Shaoyang 2020 (facts + checks): first {first * 1000:.1f} ms, best {best * 1000:.1f} ms")
    bench_pdf()
    if args.briefing:
        bench_briefing()
    for workers in (1, 2):
        bench_batch(args.copies // 4, workers)
        bench_batch(args.copies, workers)


if __name__ == "__main__":
    main()
