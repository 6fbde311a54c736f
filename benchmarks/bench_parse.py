"""Speed and memory of reading reports, at corpus scale. Prints figures; asserts nothing.

Usage::

    .venv/bin/python benchmarks/bench_parse.py            # everything (about 25 min on 2 cores)
    .venv/bin/python benchmarks/bench_parse.py --quick    # a subset with smaller corpora (about 3 min)
    .venv/bin/python benchmarks/bench_parse.py --only memory parse   # some sections
    .venv/bin/python benchmarks/bench_parse.py --only prose --before ../old-tree   # prose: this tree and another

Sections (``--only`` takes their names):

* ``import``: import time of the package (fresh interpreter).
* ``kinds``: reports/s per source kind — text (copies of the Shaoyang 2020 report), a
  saved HTML page (the same report as its CMS page, ``tests/fixture_pages.py``) and
  the two five-page 洪泽区 PDFs (``../shared/reports/huaian``) — read with
  ``read_reports`` on 1 and 2 worker processes, and ``write_facts`` for the text.
* ``distinct``: reports/s (1 worker) on 1,000 generated reports that all differ
  (``tests/generated_reports.py``: both formats, empty cells, the three text layouts;
  and as HTML pages): ``kinds`` reads copies of one file, whose printed lines and
  sentences the reader's caches all hold.
* ``identity``: what resolving each report's agency to its identity adds to
  ``read_reports`` (:mod:`shaoyang_report.read.identity`): 10,000 distinct generated
  reports whose titles name real agencies (counties, their offices and bureaus, townships,
  names that fit several places or none, drawn from the package's divisions), read in a
  fresh process as they are and with the resolver replaced by a constant; the difference,
  as a share of the read.
* ``others``: per file, our reader (facts + checks) against ``pandas.read_html`` on the
  same HTML page and ``pdfplumber``'s ``extract_tables`` on the same PDFs (pdfplumber is
  a benchmark-only tool: ``pip install pdfplumber``; it is no dependency of the package).
* ``memory``: ``read_reports`` on 1,000 and 10,000 copies: time, peak RSS, memory held
  per report, and the first and second access of ``corpus.facts``/``checks``/``findings``.
* ``frames``: ``read_reports`` on 1,000, 10,000 and 30,000 distinct generated reports:
  the store and the memory held once ``corpus.facts``/``checks``/``findings`` are built,
  KB per report, and each frame's bytes per row.
* ``parse``: ``shaoyang-report parse <folder> -o facts.parquet`` on 1,000, 10,000 and
  50,000 copies: time and peak RSS (flat: the 50,000 run should stay within 1.2× of 1,000).
* ``briefing``: ``shaoyang-report briefing <folder>`` on 1,000 and 10,000 copies: time and
  peak RSS (of the largest process: the command or one of its notebook kernels).
* ``prose``: ms per report of reading the prose alone — the facts ``read_report`` takes
  (``join_wrapped_lines`` + ``extract_prose_facts``) and every number as a mention
  (``numbers_in_prose``) — on texts that differ: the prose of every real file of
  ``../shared/reports`` (the lines outside the tables' sections; every line of a file
  that does not read as a report), each of them 3 times more with its numbers printed
  with other digits (no sentence repeats), and the prose of 200 generated reports; the
  package's bounded caches emptied before each round (reports that all differ) and kept
  (copies); and the whole ``read_report`` of the real text reports, caches emptied. With
  ``--before TREE`` the same is timed, in a fresh process, for another checkout of the
  project (``git worktree add TREE <commit>``), and the ratio printed.
* ``dask`` (skipped without the extra ``shaoyang-report[dask]``): ``engine="dask"`` on a
  ``LocalCluster`` of 2 worker processes (1 thread each) against the process pool
  (``workers=2``) on 2,000 text copies: ``read_reports`` and
  ``write_facts(..., partition_by=["year"])`` (the workers write the files), reports/s.

Every measurement that reports memory runs in a fresh process (its peak RSS from
``os.wait4``). Corpora are hard links to one file in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHAOYANG_SHARED_REPORTS", PROJECT.parent / "shared" / "reports"))
SOURCE = PROJECT / "data" / "raw" / "shaoyang_city_2020.txt"
PDFS = sorted((SHARED / "huaian").glob("*.pdf"))
SECTIONS = ("import", "kinds", "distinct", "identity", "others", "prose", "memory", "frames", "parse", "briefing",
            "dask")


# ---------------------------------------------------------------------------- helpers
def _env(pythonpath: Path = PROJECT) -> dict:
    env = dict(os.environ, PYTHONPATH=str(pythonpath), PYTHONHASHSEED="0")
    env.pop("SHAOYANG_DATA", None)
    return env


def _popen_wait(argv: list[str], pythonpath: Path = PROJECT) -> tuple[float, float, str]:
    """Like _run, but the child is reaped with wait4 so its own peak RSS is read."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(argv, cwd=PROJECT, env=_env(pythonpath), stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv[:5]))} … failed ({proc.returncode}):\n{stderr[-3000:]}")
    global LAST_CPU
    LAST_CPU = usage.ru_utime + usage.ru_stime  # the command and the processes it waited for
    return seconds, usage.ru_maxrss / 1024, stdout


LAST_CPU = 0.0


def _load() -> str:
    """The machine's load average now (other work on the 2 cores skews the 2-worker figures)."""
    return f"load {os.getloadavg()[0]:.1f}"


def _child(task: str, *args: str, pythonpath: Path = PROJECT) -> dict:
    seconds, peak, out = _popen_wait([sys.executable, str(Path(__file__).resolve()), "--child", task, *args],
                                     pythonpath)
    result = json.loads(out.strip().splitlines()[-1])
    result.setdefault("wall", seconds)
    result["peak_mb"] = peak
    result["cpu"] = LAST_CPU
    return result


def _copies(sources: list[Path], folder: Path, n: int, suffix: str | None = None) -> Path:
    """``n`` files in ``folder`` (hard links to ``sources`` in turn; copies where links fail)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        src = sources[i % len(sources)]
        target = folder / f"report_{i:06d}{suffix or src.suffix}"
        try:
            os.link(src, target)
        except OSError:
            shutil.copyfile(src, target)
    return folder


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _html_file(folder: Path) -> Path:
    sys.path.insert(0, str(PROJECT / "tests"))
    from fixture_pages import write_html

    folder.mkdir(parents=True, exist_ok=True)
    return write_html(folder / "shaoyang_city_2020.html")


def _best(fn, runs: int) -> float:
    fn()
    best = math.inf
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


# ---------------------------------------------------------------------------- child tasks
def child_read(folder: str, workers: str) -> dict:
    import shaoyang_report as sr

    # warm the caches, the imports and the allocator's working set of parsing (a corpus of 64 read and dropped)
    warm = sr.read_reports(sorted(Path(folder).iterdir())[:64], progress=False, workers=int(workers))
    del warm
    before = _rss_now_mb()
    t = time.perf_counter()
    corpus = sr.read_reports(folder, progress=False, workers=int(workers))
    seconds = time.perf_counter() - t
    held = _rss_now_mb() - before
    import resource

    out = {"n": len(corpus), "errors": len(corpus.errors), "seconds": seconds, "held_mb": held,
           "read_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    nbytes = getattr(corpus, "nbytes", None)
    if nbytes is not None:
        out["store_bytes"] = nbytes
    for name in ("facts", "checks", "findings"):
        t = time.perf_counter()
        frame = getattr(corpus, name)
        first = time.perf_counter() - t
        t = time.perf_counter()
        getattr(corpus, name)
        out[name] = {"rows": len(frame), "first": first, "again": time.perf_counter() - t,
                     "bytes": int(frame.memory_usage(deep=True).sum())}
    out["with_frames_mb"] = _rss_now_mb() - before
    return out


def child_speed(folder: str, workers: str, what: str) -> dict:
    import shaoyang_report as sr

    files = sorted(Path(folder).iterdir())
    _ = sr.read_report(files[0]).checks
    t = time.perf_counter()
    if what == "read":
        corpus = sr.read_reports(folder, progress=False, workers=int(workers))
        n, errors = len(corpus), len(corpus.errors)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            errors = len(sr.write_facts(folder, Path(tmp) / "facts.parquet", progress=False, workers=int(workers)))
            n = len(files) - errors
    return {"n": n, "errors": errors, "seconds": time.perf_counter() - t}


def child_identity(folder: str, mode: str) -> dict:
    import shaoyang_report as sr
    from shaoyang_report.read import report as report_module
    from shaoyang_report.read.identity import Identity

    spent = [0.0]
    real = report_module.resolve_agency

    def timed(name, context=None, aliases=None):  # the resolver's own time
        t = time.process_time()
        found = real(name, tuple(context or ()), aliases)
        spent[0] += time.process_time() - t
        return found

    gather = report_module.Report.identity_context

    def gathered(self):  # and the time to gather the report's context for it
        t = time.process_time()
        found = gather(self)
        spent[0] += time.process_time() - t
        return found

    report_module.Report.identity_context = gathered
    report_module.resolve_agency = timed if mode == "on" else (lambda name, context=None, aliases=None: Identity(name, None))
    warm = sr.read_reports(sorted(Path(folder).iterdir())[:64], progress=False)
    del warm
    spent[0] = 0.0
    t, cpu = time.perf_counter(), time.process_time()
    corpus = sr.read_reports(folder, progress=False)
    return {"n": len(corpus), "errors": len(corpus.errors), "seconds": time.perf_counter() - t,
            "cpu_read": time.process_time() - cpu, "cpu_resolving": spent[0],
            "resolved": int(corpus.reports.agency_id.notna().sum())}


def child_dask(folder: str) -> dict:
    from distributed import Client, LocalCluster

    import shaoyang_report as sr

    files = sorted(Path(folder).iterdir())
    out: dict = {"n": len(files)}
    t = time.perf_counter()
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(2)
        out["cluster_start"] = time.perf_counter() - t
        engines = {"pool": {"workers": 2}, "dask": {"engine": "dask", "scheduler": client}}
        for kwargs in engines.values():  # warm: the workers' imports and caches
            sr.read_reports(files[:64], progress=False, **kwargs)
        for label, kwargs in engines.items():
            t = time.perf_counter()
            corpus = sr.read_reports(folder, progress=False, **kwargs)
            out[f"read_{label}"] = time.perf_counter() - t
            assert len(corpus) == len(files)
            del corpus
            with tempfile.TemporaryDirectory() as tmp:
                t = time.perf_counter()
                sr.write_facts(folder, Path(tmp) / "facts", progress=False, partition_by=["year"], **kwargs)
                out[f"write_{label}"] = time.perf_counter() - t
    return out


# ---------------------------------------------------------------------------- sections
def bench_import() -> None:
    code = "import time; t=time.perf_counter(); import shaoyang_report; print(time.perf_counter()-t)"
    best = min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    cwd=PROJECT, env=_env(), check=True).stdout) for _ in range(3))
    print(f"import shaoyang_report: {best * 1000:.0f} ms (best of 3, fresh interpreter)")


def bench_kinds(tmp: Path, sizes: dict[str, int]) -> None:
    html = _html_file(tmp / "html-source")
    kinds = {"text": ([SOURCE], ".txt"), "html": ([html], ".html"), "pdf": (PDFS, ".pdf")}
    print("reports/s per source kind (read_reports; write_facts for text), fresh process each:")
    for kind, (sources, suffix) in kinds.items():
        if not sources:
            print(f"  {kind}: no files")
            continue
        n = sizes[kind]
        folder = _copies(sources, tmp / f"kind-{kind}", n, suffix)
        whats = ("read", "write") if kind == "text" else ("read",)
        for what in whats:
            rates = {}
            for workers in (1, 2):
                load = _load()
                r = _child("speed", str(folder), str(workers), what)
                rates[workers] = r["n"] / r["seconds"]
                print(f"  {kind:<4} {n:>5} reports, {'read_reports' if what == 'read' else 'write_facts '} "
                      f"{workers} worker(s): {r['seconds']:6.2f} s, {rates[workers]:6.0f} reports/s "
                      f"({1000 / rates[workers]:.2f} ms/report), peak RSS {r['peak_mb']:.0f} MB, "
                      f"CPU {r['cpu']:.1f} s in all ({load} before)")
            print(f"  {kind:<4} {'':>5}          {'read_reports' if what == 'read' else 'write_facts '} "
                  f"2 workers vs 1: {rates[2] / rates[1]:.2f}×")
        shutil.rmtree(folder)


def _generated(folder: Path, n: int, kind: str = "text") -> Path:
    """``n`` generated reports that all differ (both formats, empty cells, three text layouts, or HTML pages)."""
    sys.path.insert(0, str(PROJECT / "tests"))
    import generated_reports as g

    layouts = ("cells", "rows", "plain")
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(n):
        report = g.generate(seed, ("F2019", "F2021")[seed % 2], blank_rate=(0.0, 0.1, 0.3)[seed % 3])
        if kind == "text":
            text = g.to_text(g.text_lines(report, layouts[seed % 3], filler=("blank", "pad")[seed % 2]))
            (folder / f"g{seed:05d}.txt").write_text(text, encoding="utf-8")
        else:
            (folder / f"g{seed:05d}.html").write_text(g.html_page(report, nbsp=bool(seed % 2)), encoding="utf-8")
    return folder


def bench_distinct(tmp: Path, n: int) -> None:
    """reports/s on reports that all differ (``kinds`` reads copies of one file).

    The reader keeps what it works out per printed line and per sentence (lines and
    sentences repeat across reports); copies repeat all of them, so ``kinds`` shows the
    most that keeping gives. Here every report is generated with its own numbers
    (``tests/generated_reports.py``, both formats, empty cells, the three text layouts
    and the HTML page), so only what real reports share (labels, headers, boilerplate)
    repeats.
    """
    print(f"reports/s on {n} distinct generated reports per kind (read_reports, 1 worker, fresh process):")
    for kind in ("text", "html"):
        folder = _generated(tmp / f"distinct-{kind}", n, kind)
        load = _load()
        r = _child("speed", str(folder), "1", "read")
        rate = r["n"] / r["seconds"]
        print(f"  {kind:<4} {n:>5} reports: {r['seconds']:6.2f} s, {rate:6.0f} reports/s ({1000 / rate:.2f} ms/report), "
              f"errors {r['errors']}, CPU {r['cpu']:.1f} s in all ({load} before)")
        shutil.rmtree(folder)


def bench_others(tmp: Path) -> None:
    import pandas as pd

    import shaoyang_report as sr

    def ours(path):
        r = sr.read_report(path)
        return r.facts, r.checks

    html = _html_file(tmp / "html-source")
    ms_ours = _best(lambda: ours(html), 20) * 1000
    ms_theirs = _best(lambda: pd.read_html(html, encoding="utf-8"), 20) * 1000
    print("against other tools, same file, best of 20 (ours: read + facts + checks + prose):")
    print(f"  saved HTML page: ours {ms_ours:.1f} ms, pandas.read_html {ms_theirs:.1f} ms "
          f"(tables only) → ours takes {ms_ours / ms_theirs:.2f}× its time")
    try:
        import pdfplumber
    except ImportError:
        print("  PDFs: pdfplumber not installed (pip install pdfplumber; benchmark-only)")
        return

    def plumb(path):
        with pdfplumber.open(path) as pdf:
            [page.extract_tables() for page in pdf.pages]

    for path in PDFS:
        ms_ours = _best(lambda p=path: ours(p), 10) * 1000
        ms_theirs = _best(lambda p=path: plumb(p), 3) * 1000
        print(f"  {path.name} (5 pages): ours {ms_ours:.1f} ms, pdfplumber extract_tables {ms_theirs:.0f} ms "
              f"→ ours takes {ms_ours / ms_theirs:.3f}× its time ({ms_theirs / ms_ours:.0f}× faster)")


def bench_identity(tmp: Path, n: int) -> None:
    """What resolving the agencies adds to read_reports on distinct reports naming real agencies."""
    import csv
    import random

    sys.path.insert(0, str(PROJECT / "tests"))
    import generated_reports as g

    with open(PROJECT / "shaoyang_report" / "data" / "divisions.csv", encoding="utf-8") as f:
        counties = [r["name"] for r in csv.DictReader(f) if r["level"] == "county"]
    with open(PROJECT / "shaoyang_report" / "data" / "townships.csv", encoding="utf-8") as f:
        towns = [t for r in csv.DictReader(f) for t in r["names"].split("|")[:2]]
    rng = random.Random(18)
    organs = ["人民政府", "", "人民政府办公室", "政府办", "交通运输局", "发改局", "审计局"]
    folder = tmp / "identity"
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(n):
        report = g.generate(seed, ("F2019", "F2021")[seed % 2])
        kind = seed % 4
        name = (rng.choice(counties) + rng.choice(organs) if kind < 2 else
                rng.choice(towns) if kind == 2 else rng.choice(["城中区人民政府", "新城街道办事处", "区发改局", "审计局"]))
        text = g.to_text(g.text_lines(report, "cells")).replace(report.agency, name, 1)
        (folder / f"g{seed:05d}.txt").write_text(text, encoding="utf-8")
    load = _load()
    on, off = _child("identity", str(folder), "on"), _child("identity", str(folder), "off")
    share = on["cpu_resolving"] / (on["cpu_read"] - on["cpu_resolving"])
    print(f"agency identity on {n} distinct reports ({on['resolved']} resolved to one agency, the rest ambiguous "
          f"or naming no division): read_reports {on['cpu_read']:.2f} s CPU, of which resolving the agencies "
          f"{on['cpu_resolving']:.2f} s: +{100 * share:.1f} % over the read without it (the read with the resolver "
          f"replaced by a constant: {off['cpu_read']:.2f} s CPU; wall {on['seconds']:.1f} / {off['seconds']:.1f} s, "
          f"{load} before)")
    shutil.rmtree(folder)
def _prose_lines(path: Path) -> tuple[list[tuple[str, str]], str | None, int | None]:
    """A real file's prose lines (those outside the tables' sections), its agency and year as read."""
    import shaoyang_report as sr
    from shaoyang_report.layout import TABLE_SECTIONS
    from shaoyang_report.read.sections import split_sections

    try:
        report = sr.read_report(path)
    except sr.ReportFormatError:  # no table of the formats (older reports, prose files): every line is prose
        text = path.read_text("utf-8")
        return [(f"line {n}", t) for n, t in enumerate(text.splitlines(), 1) if t.strip()], None, None
    doc = report.document
    bounds = split_sections(doc)
    in_tables = {i for s in TABLE_SECTIONS if s in bounds for i in range(*bounds[s])}
    lines = [(ln.location, ln.text) for i, ln in enumerate(doc.lines) if i not in in_tables and ln.text.strip()]
    return lines, report.agency_printed, report.year


def _renumbered(lines: list[tuple[str, str]], rng) -> list[tuple[str, str]]:
    """The lines with every Arabic number but a year printed with other digits (the same count of them)."""
    import re

    def other(m: re.Match) -> str:
        digits = m.group()
        if len(digits) == 4 and m.string[m.end():m.end() + 1] == "年":
            return digits
        first = str(rng.randint(1, 9)) if len(digits) > 1 else str(rng.randint(0, 9))
        return first + "".join(str(rng.randint(0, 9)) for _ in digits[1:])

    return [(where, re.sub(r"[0-9]+", other, text)) for where, text in lines]


def prose_corpus(out: str, variants: str, generated: str) -> dict:
    """The texts the ``prose`` section times, written as JSON: every report's prose lines, agency and year.

    ``real``: the prose lines of every file of ../shared/reports (full reports, openings,
    excerpts, prose files, pre-2019 reports; the lines outside the tables' sections of the
    files that read as reports, every line of the others); ``renumbered``: each of them
    ``variants`` times more with every number but a year printed with other digits, so no
    sentence repeats; ``generated``: the prose of ``generated`` generated reports that all
    differ (``tests/generated_reports.py``, title, period and headings between the tables).
    """
    import random

    sys.path.insert(0, str(PROJECT / "tests"))
    import generated_reports as g

    files = sorted(p for pattern in ("*/*.txt", "*/*/*.txt", "*/*.md", "*/*.pdf") for p in SHARED.glob(pattern)
                   if not p.name.startswith("README"))
    corpus: dict[str, list] = {"real": [], "renumbered": [], "generated": [], "text_reports": []}
    rng = random.Random(27)
    for path in files:
        lines, agency, year = _prose_lines(path)
        if not lines:
            continue
        corpus["real"].append([lines, agency, year])
        corpus["renumbered"] += [[_renumbered(lines, rng), agency, year] for _ in range(int(variants))]
        if path.suffix in (".txt", ".md") and year is not None:
            corpus["text_reports"].append(str(path))
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(int(generated)):
            report = g.generate(seed, ("F2019", "F2021")[seed % 2], blank_rate=(0.0, 0.1, 0.3)[seed % 3])
            path = Path(tmp) / f"g{seed:05d}.txt"
            path.write_text(g.to_text(g.text_lines(report, g.TEXT_LAYOUTS[seed % len(g.TEXT_LAYOUTS)])), "utf-8")
            lines, agency, year = _prose_lines(path)
            corpus["generated"].append([lines, agency, year])
    Path(out).write_text(json.dumps(corpus, ensure_ascii=False), "utf-8")
    return {k: len(v) for k, v in corpus.items()}


def child_prose(corpus_file: str, rounds: str) -> dict:
    """ms per report of the prose reader of the package on PYTHONPATH (this tree's or another's)."""
    import inspect

    import shaoyang_report as sr
    from shaoyang_report.read import prose

    corpus = json.loads(Path(corpus_file).read_text("utf-8"))
    every_number = getattr(prose, "read_mentions", None) or prose.find_numbers  # the mentions, or the numbers before
    mentions_take_hints = "year" in inspect.signature(every_number).parameters
    facts = _prose_facts()

    def numbers(lines, agency, year):
        paragraphs = prose.join_wrapped_lines([tuple(x) for x in lines])
        return every_number(paragraphs, agency=agency, year=year) if mentions_take_hints else every_number(paragraphs)

    def best(fn, texts: list, clear: bool) -> float:
        times = []
        for _ in range(int(rounds)):
            if clear:
                for cached in _bounded():
                    cached.cache_clear()
            t = time.process_time()  # CPU time: what other work on the cores takes is not counted
            for lines, agency, year in texts:
                fn(lines, agency, year)
            times.append(time.process_time() - t)
        return min(times) * 1000 / len(texts)

    every = corpus["real"] + corpus["renumbered"] + corpus["generated"]
    for lines, agency, year in every:  # imports, the vocabulary, the catalogue
        facts(lines, agency, year)
    out: dict = {"facts_count": sum(len(facts(*t)) for t in corpus["real"])}
    for kind in ("real", "renumbered", "generated"):
        out[f"facts_{kind}"] = best(facts, corpus[kind], True)
    out["facts_all_emptied"] = best(facts, every, True)
    out["facts_all_kept"] = best(facts, every, False)
    out["numbers_all_emptied"] = best(numbers, every, True)
    out["numbers_all_kept"] = best(numbers, every, False)
    if hasattr(prose, "read_mentions"):  # the reader by clause: where its time goes
        out["stages"] = _prose_stages(every, best)
    files = []
    for name in corpus["text_reports"]:  # the whole read_report of the real text reports this code reads
        try:
            sr.read_report(name)
            files.append(name)
        except sr.ReportFormatError:
            continue

    def read(name, *_):
        sr.read_report(name)

    out["read_files"] = len(files)
    out["read_report_emptied"] = best(read, [(f, None, None) for f in files], True)
    return out


def _bounded() -> list:
    """The package's bounded caches (what the prose figures empty before each round)."""
    return list(dict.fromkeys(
        f for name, m in list(sys.modules.items()) if name.startswith("shaoyang_report")
        for f in vars(m).values() if callable(f) and hasattr(f, "cache_clear") and hasattr(f, "cache_info")
        and getattr(f, "__module__", "") == name and f.cache_info().maxsize is not None))


def _prose_facts():
    """What ``read_report`` does with a report's prose lines, as the package on PYTHONPATH does it."""
    import inspect

    from shaoyang_report.read import prose

    takes_hints = "year" in inspect.signature(prose.extract_prose_facts).parameters

    def facts(lines, agency, year):
        paragraphs = prose.join_wrapped_lines([tuple(x) for x in lines])
        if takes_hints:
            return prose.extract_prose_facts(paragraphs, agency=agency, year=year)
        return prose.extract_prose_facts(paragraphs)

    return facts


def child_prose_rounds(corpus_file: str, rounds: str) -> dict:
    """The prose facts of every text of the corpus once, then ``rounds`` times more, caches emptied each time.

    For counting instructions, which the load of the machine does not change:
    ``valgrind --tool=callgrind`` on ``--child prose_rounds FILE 4`` minus the same with 0.
    """
    corpus = json.loads(Path(corpus_file).read_text("utf-8"))
    every = corpus["real"] + corpus["renumbered"] + corpus["generated"]
    facts = _prose_facts()
    for text in every:
        facts(*text)
    for _ in range(int(rounds)):
        for cached in _bounded():
            cached.cache_clear()
        for text in every:
            facts(*text)
    return {"texts": len(every), "rounds": int(rounds)}


def _prose_stages(texts: list, best) -> list[tuple[str, float]]:
    """ms per report of the clause reader's stages, added one by one (the facts' path, done by hand)."""
    from shaoyang_report.read import prose
    from shaoyang_report.read.prose import clauses, mentions, reading, sentences, units

    hint = mentions._FIGURE_HINT

    def upto(stage: int):
        def run(lines, agency, year):
            paragraphs = prose.join_wrapped_lines([tuple(x) for x in lines])
            for _, printed in sentences.iter_lines(paragraphs):
                text, _ = sentences.normalise(printed)
                if not hint.search(text):
                    continue
                paragraph = reading.Paragraph(agency_is_office=False, year=year)
                for a, b in sentences.split_sentences(text):
                    sentence = text[a:b]
                    if not hint.search(sentence) or stage < 2:
                        continue
                    clauses.sentence_tokens(sentence)
                    if stage >= 3:
                        clauses.sentence_words(sentence)
                    if stage < 4:
                        continue
                    possible = units.metric_units(sentence, paragraph)
                    if not units.may_state_metric(sentence, paragraph, possible) or stage < 5:
                        continue
                    analysis = clauses.analyse(sentence)
                    if stage >= 6:
                        reader = reading.SentenceReader(analysis, paragraph, every_scope=False)
                        chain = reading.hands_on_topic(sentence)
                        for index in range(len(analysis.figures)):
                            if reader.may_state_metric(index, possible):
                                reader.readings.append(reader.read(index))
                            else:
                                reader.readings.append(reader.topic(index) if chain else reading.Reading())
                        reading.hand_on(paragraph, reader, sentence)
        return run

    names = ("lines joined, normalised, split, hinted", "+ the vocabulary scan", "+ the numbers",
             "+ the metric hint", "+ clauses and figures cut", "+ the figures read")
    return [(name, best(upto(stage), texts, True)) for stage, name in enumerate(names, start=1)]


def bench_prose(tmp: Path, rounds: int, before: Path | None) -> None:
    """ms per report of the prose reader alone (join + facts; every number), this tree's and another's."""
    corpus = tmp / "prose-corpus.json"
    sizes = _child("prose_corpus", str(corpus), "3", "200")
    trees = {"this tree": PROJECT, **({f"before ({before.name})": before} if before else {})}
    results: dict[str, dict] = {}
    for _ in range(3):  # the trees in turn, three times: each figure the best of its runs
        for label, tree in trees.items():
            run = _child("prose", str(corpus), str(rounds), pythonpath=tree)
            before_run = results.get(label, run)
            results[label] = {k: min(v, before_run[k]) if isinstance(v, float) else v for k, v in run.items()}
            if "stages" in run:
                results[label]["stages"] = [(name, min(ms, earlier)) for (name, ms), (_, earlier) in
                                            zip(run["stages"], before_run["stages"])]
    print(f"prose reading, ms per report (CPU time, best of {rounds} rounds in each of 3 fresh processes per tree, "
          f"the trees in turn; bounded caches of the package emptied before each round unless 'kept'): "
          f"{sizes['real']} real reports' prose (../shared/reports), {sizes['renumbered']} of them renumbered "
          f"(no sentence repeats), {sizes['generated']} generated reports ({_load()} after)")
    rows = [("facts (read_report), real", "facts_real"), ("facts, renumbered", "facts_renumbered"),
            ("facts, generated", "facts_generated"), ("facts, all, caches emptied", "facts_all_emptied"),
            ("facts, all, caches kept", "facts_all_kept"),
            ("every number (numbers_in_prose), emptied", "numbers_all_emptied"),
            ("every number, kept", "numbers_all_kept"), ("read_report, real text reports, emptied", "read_report_emptied")]
    labels = list(results)
    print(f"  {'':<44}" + "".join(f"{label[:24]:>26}" for label in labels) + ("      ratio" if len(labels) == 2 else ""))
    for name, key in rows:
        values = [results[label][key] for label in labels]
        ratio = f"   {values[0] / values[1]:6.2f}×" if len(values) == 2 and values[1] else ""
        print(f"  {name:<44}" + "".join(f"{v:23.3f} ms" for v in values) + ratio)
    stages = results["this tree"].get("stages")
    if stages:
        print("  where this tree's time goes (all texts, caches emptied; stages added one by one, the facts' path): "
              + "; ".join(f"{name} {ms:.3f} ms" for name, ms in stages))
    print("  facts read from the real reports: " + ", ".join(f"{label} {results[label]['facts_count']}" for label in labels)
          + "; real text reports read: " + ", ".join(f"{label} {results[label]['read_files']}" for label in labels))


def bench_memory(tmp: Path, sizes: list[int]) -> None:
    print("read_reports memory (fresh process each, warmed by reading 64 reports; "
          "held = RSS with the corpus − RSS before reading):")
    for n in sizes:
        folder = _copies([SOURCE], tmp / f"mem-{n}", n)
        r = _child("read", str(folder), "1")
        store = f", columnar store {r['store_bytes'] / r['n'] / 1024:.1f} KB/report" if "store_bytes" in r else ""
        read_peak = f"{r['read_peak_mb']:6.0f}" if "read_peak_mb" in r else "     ?"
        print(f"  {n:>6} reports: read {r['seconds']:6.1f} s ({n / r['seconds']:.0f}/s), peak RSS of read_reports "
              f"{read_peak} MB, held {r['held_mb']:6.0f} MB = {r['held_mb'] * 1024 / n:5.1f} KB/report{store}")
        frames = "; ".join(f"{k} {r[k]['rows']:,} rows: {r[k]['first']:.2f} s, again {r[k]['again'] * 1000:.1f} ms"
                           for k in ("facts", "checks", "findings"))
        print(f"  {'':>6}          then {frames}; held with these frames {r['with_frames_mb']:.0f} MB, "
              f"peak RSS {r['peak_mb']:.0f} MB")
        shutil.rmtree(folder)


def bench_frames(tmp: Path, sizes: list[int]) -> None:
    """Memory held by a corpus of distinct generated reports once ``corpus.facts``, ``.checks`` and ``.findings`` are built.

    Copies of one report share every text, so ``memory`` flatters the frames' text
    columns; here each report has its own numbers, raw texts and locations.
    """
    print("corpus frames on distinct generated reports (read_reports, 1 worker, fresh process each; "
          "held = RSS − RSS before reading):")
    for n in sizes:
        folder = _generated(tmp / f"frames-{n}", n)
        load = _load()
        r = _child("read", str(folder), "1")
        frames = ", ".join(f"{k} {r[k]['rows'] / r['n']:.0f} rows {r[k]['bytes'] / r[k]['rows']:.0f} B/row"
                           for k in ("facts", "checks", "findings"))
        print(f"  {n:>6} reports ({load} before): store {r['store_bytes'] / r['n'] / 1024:5.1f} KB/report, held after "
              f"reading {r['held_mb'] * 1024 / n:5.1f} KB/report, with facts+checks+findings built "
              f"{r['with_frames_mb'] * 1024 / n:5.1f} KB/report ({r['with_frames_mb']:.0f} MB); per report: {frames}; "
              f"peak RSS {r['peak_mb']:.0f} MB")
        shutil.rmtree(folder)


def bench_parse_cli(tmp: Path, sizes: list[int]) -> None:
    print("shaoyang-report parse <folder> -o facts.parquet (1 worker; fresh process each):")
    peaks = {}
    for n in sizes:
        folder = _copies([SOURCE], tmp / f"parse-{n}", n)
        out = tmp / f"facts-{n}.parquet"
        seconds, peak, _ = _popen_wait([sys.executable, "-m", "shaoyang_report.cli", "parse", str(folder), "-o", str(out)])
        peaks[n] = peak
        print(f"  {n:>6} reports: {seconds:6.1f} s ({n / seconds:.0f}/s), peak RSS {peak:.0f} MB")
        shutil.rmtree(folder)
        out.unlink(missing_ok=True)
    lo, hi = min(sizes), max(sizes)
    print(f"  peak at {hi:,} / peak at {lo:,}: {peaks[hi] / peaks[lo]:.2f}×")


def bench_briefing(tmp: Path, sizes: list[int]) -> None:
    print("shaoyang-report briefing <folder> (agency 邵阳市; fresh process; peak of the largest process):")
    for n in sizes:
        folder = _copies([SOURCE], tmp / f"brief-{n}", n)
        out = tmp / f"brief-out-{n}"
        cache = tmp / f"brief-cache-{n}"
        try:
            seconds, peak, _ = _popen_wait([sys.executable, "-c", _BRIEFING, str(folder), str(out), str(cache)])
            print(f"  {n:>6} reports: {seconds:6.1f} s, peak RSS {peak:.0f} MB; "
                  f"workbook {(out / 'workbook.xlsx').stat().st_size / 2**20:.0f} MB")
        except RuntimeError as exc:
            print(f"  {n:>6} reports: FAILED: {str(exc).strip().splitlines()[-1]}")
        shutil.rmtree(folder)
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


def bench_dask(tmp: Path, n: int) -> None:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        print("engine='dask': not installed (pip install -e '.[dask]'); skipped")
        return
    folder = _copies([SOURCE], tmp / "dask", n)
    load = _load()
    r = _child("dask", str(folder))
    print(f"engine='dask' on a LocalCluster of 2 worker processes (started in {r['cluster_start']:.1f} s) against "
          f"the process pool (workers=2), {n} text reports, workers warmed ({load} before):")
    for what, label in (("read", "read_reports"), ("write", "write_facts partition_by=year")):
        pool, dask_ = r[f"{what}_pool"], r[f"{what}_dask"]
        print(f"  {label:<31} pool {pool:6.2f} s ({n / pool:4.0f} reports/s), dask {dask_:6.2f} s "
              f"({n / dask_:4.0f} reports/s): dask {pool / dask_:.2f}× the pool's speed")
    print(f"  peak RSS of the client process {r['peak_mb']:.0f} MB, CPU {r['cpu']:.1f} s in all")
    shutil.rmtree(folder)


# The briefing command, with its corpus cache in the temporary folder.
_BRIEFING = """
import os
import sys
from shaoyang_report import cli
folder, out, cache = sys.argv[1:4]
os.environ["SHAOYANG_CORPUS_CACHE"] = cache
sys.exit(cli.main(["briefing", folder, "--out", out, "--agency", "邵阳市"]))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller corpora, a few minutes")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--sizes", nargs="+", type=int, metavar="N",
                        help="corpus sizes of the memory, parse and briefing sections (default: see above)")
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="prose section: also time the prose reader of this checkout of the project")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        task, *rest = args.child
        print(json.dumps({"read": child_read, "speed": child_speed, "dask": child_dask,
                          "identity": child_identity, "prose": child_prose,
                          "prose_rounds": child_prose_rounds, "prose_corpus": prose_corpus}[task](*rest)))
        return
    sections = args.only or SECTIONS
    q = args.quick
    print(f"shaoyang_report benchmark ({'quick' if q else 'full'}) on {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}, project {PROJECT}")
    with tempfile.TemporaryDirectory(prefix="sr-bench-") as name:
        tmp = Path(name)
        started = time.perf_counter()
        if "import" in sections:
            bench_import()
        if "kinds" in sections:
            bench_kinds(tmp, {"text": 600 if q else 2000, "html": 200 if q else 2000, "pdf": 40 if q else 400})
        if "distinct" in sections:
            bench_distinct(tmp, 300 if q else 1000)
        if "identity" in sections:
            bench_identity(tmp, 2000 if q else 10000)
        if "others" in sections:
            bench_others(tmp)
        if "prose" in sections:
            bench_prose(tmp, 3 if q else 10, args.before)
        if "memory" in sections:
            bench_memory(tmp, args.sizes or ([1000, 2000] if q else [1000, 10000]))
        if "frames" in sections:
            bench_frames(tmp, args.sizes or ([1000, 2000] if q else [1000, 10000, 30000]))
        if "parse" in sections:
            bench_parse_cli(tmp, args.sizes or ([1000, 5000] if q else [1000, 10000, 50000]))
        if "briefing" in sections:
            bench_briefing(tmp, args.sizes or ([200] if q else [1000, 10000]))
        if "dask" in sections:
            bench_dask(tmp, 600 if q else 2000)
        print(f"benchmark took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
