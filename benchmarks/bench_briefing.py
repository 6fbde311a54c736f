"""The briefing at corpus scale: ``shaoyang-report briefing <folder> --agencies`` on distinct reports.

Each corpus is made of generated reports that all differ (``tests/generated_reports.py``:
both formats, empty cells, three text layouts), their agencies spread over ``--places``
made-up counties so that the agency pages have many rows. For each size it prints the
machine's load before the run, the wall and CPU time, the peak RSS (the largest of the
command, its reading workers and its notebook kernels, from ``os.wait4``; and the largest
sum of them all at once, sampled from ``/proc``) and the size of every generated HTML
page, the largest first. It asserts nothing. The briefing runs with ``-j auto`` (one
process per CPU, two kernels at once), ``-j 1`` for one at a time (and for checkouts
older than ``-j auto``).

```bash
python benchmarks/bench_briefing.py --sizes 1000 10000
python benchmarks/bench_briefing.py --sizes 1000 --tree OTHER_CHECKOUT -j 1   # the same corpora, other code
python benchmarks/bench_briefing.py --sizes 1000 --stages                # the notebooks' steps, one process
```

``--stages`` reads the corpus in this process and times each step of the audit and agency
notebooks in turn (CPU seconds, the process's peak RSS after it, the size of what it drew):
where the time and memory of a briefing go.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
_PLACE = "青白红黄金银东西南北上下大小新老长平安远"
_NAME = "山水河湖林田石桥城阳"


def make_corpus(folder: Path, n: int, places: int) -> Path:
    """``n`` distinct generated text reports in ``folder`` (kept: made once per size)."""
    done = folder / ".complete"
    if done.exists():
        return folder
    sys.path.insert(0, str(PROJECT / "tests"))
    import generated_reports as g

    folder.mkdir(parents=True, exist_ok=True)
    layouts = ("cells", "rows", "plain")
    for seed in range(n):
        report = g.generate(seed, ("F2019", "F2021")[seed % 2], blank_rate=(0.0, 0.1, 0.3)[seed % 3])
        k = seed % places
        place = f"{_PLACE[k % len(_PLACE)]}{_NAME[k // len(_PLACE) % len(_NAME)]}"
        text = g.to_text(g.text_lines(report, layouts[seed % 3], filler=("blank", "pad")[seed % 2]))
        text = text.replace(report.agency, f"{place}{report.agency}")
        (folder / f"g{seed:06d}.txt").write_text(text, encoding="utf-8")
    done.touch()
    return folder


_RUN = """
import os
import sys
from shaoyang_report import cli
folder, out, cache, workers = sys.argv[1:5]
os.environ["SHAOYANG_CORPUS_CACHE"] = cache
sys.exit(cli.main(["briefing", folder, "--out", out, "--agencies", "-j", workers]))
"""


def tree_rss_mb(root: int) -> float:
    """The resident memory (MB) of a process and all its descendants now (from ``/proc``)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    parents[int(entry.name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    family, todo = set(), [root]
    while todo:
        pid = todo.pop()
        family.add(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid and child not in family)
    pages = 0
    for pid in family:
        try:
            with open(f"/proc/{pid}/statm") as f:
                pages += int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_briefing(folder: Path, out: Path, cache: Path, tree: Path, workers: str = "auto") -> dict:
    """One briefing in a fresh process: wall and CPU seconds, peak RSS (MB), the HTML sizes (bytes).

    ``peak_mb`` is the largest process's peak (the command, a reading worker or a notebook
    kernel); ``tree_peak_mb`` the largest sum over the command and all its processes at
    once, sampled every quarter second.
    """
    import threading

    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0")
    env.pop("SHAOYANG_DATA", None)
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([sys.executable, "-c", _RUN, str(folder), str(out), str(cache), workers], cwd=tree,
                                env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
        tree_peak = [0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                tree_peak[0] = max(tree_peak[0], tree_rss_mb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
        seconds = time.perf_counter() - started
        log.seek(0)
        text = log.read()
    code = os.waitstatus_to_exitcode(status)
    failed = [line for line in text.splitlines() if "Error" in line or line.startswith("error")][-2:] if code else []
    pages = sorted(((p.stat().st_size, p.name) for p in out.glob("*.html")), reverse=True) if out.exists() else []
    files = sorted((p.stat().st_size, p.name) for p in out.iterdir() if p.is_file()) if out.exists() else []
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "tree_peak_mb": tree_peak[0],
            "pages": pages, "files": files, "failed": failed,
            "steps": [line for line in text.splitlines() if line.startswith("… ")][-1:]}


def stages(folder: Path) -> None:
    """Each step of the audit and agency notebooks on the corpus of ``folder``, in this process."""
    import resource

    import shaoyang_report as sr
    from shaoyang_report.publish import agencies, audit, year_briefing

    def peak() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def step(name, fn, *args):
        started = time.process_time()
        out = fn(*args)
        size = f", {len(out) / 2**20:.2f} MB drawn" if isinstance(out, str) else ""
        print(f"  {name:<28} {time.process_time() - started:7.2f} s CPU, peak RSS {peak():6.0f} MB{size}", flush=True)
        return out

    corpus = step("read_reports", lambda: sr.read_reports(folder, progress=False))
    for frame in ("facts", "checks", "findings"):
        step(f"corpus.{frame}", lambda f=frame: getattr(corpus, f))
    for fn in (audit.audit_summary, audit.audit_findings, audit.audit_cross_year, audit.audit_overview,
               audit.audit_missing, audit.audit_unplaced, audit.audit_sources):
        step(fn.__name__, fn, corpus)
    with tempfile.TemporaryDirectory() as out:
        step("write_audit", audit.write_audit, corpus, out)
    panel = step("agency_panel", agencies.agency_panel, corpus)
    for fn in (agencies.panel_table, agencies.scorecard_table, agencies.findings_by_agency):
        step(fn.__name__, fn, panel)
    step("small_multiples", lambda: agencies.small_multiples(panel).png.decode("latin-1"))
    step("sources", year_briefing.sources, corpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000], metavar="N")
    parser.add_argument("--places", type=int, default=200, help="made-up counties the agencies are spread over")
    parser.add_argument("--tree", type=Path, default=PROJECT, help="checkout whose code runs the briefing")
    parser.add_argument("--corpora", type=Path, help="folder keeping the generated corpora between runs")
    parser.add_argument("--keep", type=Path, help="keep the briefing's output here (one folder per size)")
    parser.add_argument("--stages", action="store_true", help="time the notebooks' steps in this process instead")
    parser.add_argument("-j", "--workers", default="auto", help="the briefing's -j (default auto: one per CPU)")
    args = parser.parse_args()
    if args.stages:
        sys.path.insert(0, str(args.tree.resolve()))
        for n in args.sizes:
            print(f"{n} distinct reports ({args.places} places), load {os.getloadavg()[0]:.1f}:", flush=True)
            stages(make_corpus((args.corpora or Path(tempfile.gettempdir())) / f"distinct-{n}-{args.places}", n,
                               args.places))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-briefing-"))
    try:
        for n in args.sizes:
            folder = make_corpus((args.corpora or tmp) / f"distinct-{n}-{args.places}", n, args.places)
            out = (args.keep or tmp) / f"out-{n}"
            shutil.rmtree(out, ignore_errors=True)
            load = os.getloadavg()[0]
            r = run_briefing(folder, out, tmp / f"cache-{n}", args.tree.resolve(), args.workers)
            size, name = r["pages"][0] if r["pages"] else (0, "-")
            if r["failed"]:
                print(f"{n:>6} distinct reports ({args.places} places): FAILED after {r['seconds']:.1f} s wall, "
                      f"CPU {r['cpu']:.1f} s, peak RSS {r['peak_mb']:.0f} MB, at {' '.join(r['steps'])}: "
                      f"{' | '.join(r['failed'])} (load {load:.1f} before)", flush=True)
                continue
            print(f"{n:>6} distinct reports ({args.places} places): {r['seconds']:6.1f} s wall, CPU {r['cpu']:.1f} s, "
                  f"peak RSS {r['peak_mb']:.0f} MB (largest process), {r['tree_peak_mb']:.0f} MB (all its processes at "
                  f"once); largest HTML {name} {size / 2**20:.2f} MB "
                  f"(load {load:.1f} before, {os.getloadavg()[0]:.1f} after)", flush=True)
            print("        files: " + ", ".join(f"{nm} {sz / 2**20:.2f} MB" for sz, nm in sorted(r["files"], reverse=True)),
                  flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
