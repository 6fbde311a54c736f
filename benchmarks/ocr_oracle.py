"""The OCR oracle: generated reports drawn as table scans, OCR'd, every value compared with its true cell.

Prints figures; asserts nothing (``tests/test_ocr_oracle.py`` asserts them, on the
engine's recorded answers). Usage::

    .venv/bin/python benchmarks/ocr_oracle.py              # 51 scans, the OCR engine itself (about 15 min on 2 cores)
    .venv/bin/python benchmarks/ocr_oracle.py --scans 10   # the first 10
    .venv/bin/python benchmarks/ocr_oracle.py --start 51   # 51 more, seeds 51–101 (no recording: the engine)
    .venv/bin/python benchmarks/ocr_oracle.py --recorded   # the engine's answers recorded for the test (a minute)
    .venv/bin/python benchmarks/ocr_oracle.py --keep DIR   # also keep the page images in DIR

Scan ``n`` is drawn from seed ``n`` (``tests/rendered_scans.py``): a generated report of
either format whose sums hold, its tables ruled, in Noto Serif or Sans CJK (digits in the
CJK face or in Liberation Serif/Sans), at a scale of 0.8–1.5, some turned by up to 0.8°,
with noise, blur and JPEG quality 20–90. Each is read with ``sr.read_report([pages])``
and each printed table cell judged: right, flagged (its row a problem, a failing check it
is in marked ``likely_misread``, or read as unreadable), unplaced, or wrong — a value
on a cell said nowhere to be doubtful, which must not happen.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

#: How many scans the oracle draws (the issue's 51).
SCANS = 51


def run(seeds, folder: Path, log=print) -> tuple[Counter, list]:
    """Read and judge the scans of ``seeds`` (pages written to ``folder``): the counts and the wrong values."""
    import rendered_scans as rs

    import shaoyang_report as sr

    totals: Counter = Counter()
    wrong = []
    for seed in seeds:
        scan = rs.scan(seed)
        start = time.perf_counter()
        report = sr.read_report(scan.write(folder))
        outcome = rs.judge(report, scan.report)
        counts = Counter({k: len(v) for k, v in outcome.items()})
        totals += counts
        totals["scans"] += 1
        wrong += [(scan.name, *entry) for entry in outcome["wrong"]]
        log(f"{scan.name:55s} " + " ".join(f"{k} {counts[k]:3d}" for k in rs.OUTCOMES)
            + f"  {time.perf_counter() - start:5.1f} s")
    return totals, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scans", type=int, default=SCANS, help=f"how many scans (default {SCANS})")
    parser.add_argument("--start", type=int, default=0, help="the first scan's seed (default 0)")
    parser.add_argument("--recorded", action="store_true",
                        help="replay the engine's answers recorded for tests/test_ocr_oracle.py")
    parser.add_argument("--keep", type=Path, help="keep the page images in this folder")
    args = parser.parse_args()
    import ocr_replay
    import rendered_scans as rs

    if not rs.fonts_available():
        sys.exit("the scans are drawn in Noto CJK and Liberation fonts: install fonts-noto-cjk and fonts-liberation")
    replay = ocr_replay.replayed("test_ocr_oracle") if args.recorded else nullcontext()
    with replay, tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        totals, wrong = run(range(args.start, args.start + args.scans), folder)
        seconds = time.perf_counter() - start
    values = sum(totals[k] for k in rs.OUTCOMES)
    print(f"\n{totals['scans']} scans, {values} printed table cells, {seconds:.0f} s "
          f"({'recorded answers' if args.recorded else 'OCR engine'})")
    for k in rs.OUTCOMES:
        print(f"  {k:9s} {totals[k]:6d}  {totals[k] / max(values, 1):6.1%}")
    for name, key, printed, read, location in wrong:
        print(f"  WRONG {name}: {'/'.join(str(x) for x in key if x)} printed {printed!r}, read {read!r} at {location}")


if __name__ == "__main__":
    main()
