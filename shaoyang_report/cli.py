"""The ``shaoyang-report`` command line.

Examples::

    shaoyang-report parse data/raw/shaoyang_city_2020.txt -o data/processed/facts.csv
    shaoyang-report check data/raw/shaoyang_city_2020.txt
    shaoyang-report check --year 2021 --format F2021 excerpt.txt   # what the text does not print
    shaoyang-report run            # the main job on data/raw → data/processed
    shaoyang-report fetch          # download the catalogued reports, complete the catalog
    shaoyang-report briefing       # HTML briefings, facts CSV/Parquet, workbook → data/processed

A file that cannot be read prints one ``error:`` line naming the file and what was
expected (never a traceback) and the command exits with status 1; the other files are
still processed.

A file whose name begins with ``-`` goes after ``--``, which ends the options::

    shaoyang-report check -- -o.txt

Output files are whole or absent: each is written beside its place and renamed into it,
and ``run`` and ``briefing`` write all their files first and rename them at the end, so
an interrupted command leaves the previous outputs as they were
(:mod:`shaoyang_report.atomic`).
"""

from __future__ import annotations

import argparse
import errno
import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from shaoyang_report import config, dictionary
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.publish.display import misread_note, report_headline, skipped_lines
from shaoyang_report.publish.html import location_zh, section_zh, where_printed
from shaoyang_report.publish.wording import cells_zh, message_zh

if TYPE_CHECKING:
    from shaoyang_report.corpus.corpus import Corpus


def _expand(paths: list[str]) -> list[Path] | Path:
    """One folder stays a folder (its catalog.csv is used); several paths are expanded."""
    from shaoyang_report.corpus.files import report_files

    _must_exist(paths)
    if len(paths) == 1 and Path(paths[0]).is_dir():
        return Path(paths[0])
    out: list[Path] = []
    for p in map(Path, paths):
        out += report_files(p) if p.is_dir() else [p]
    return out


def _must_exist(paths: list[str]) -> None:
    """A path given that does not exist is an error (``main`` says so), not an empty corpus nor a CSV of headers only."""
    for p in paths:
        if not Path(p).exists():
            raise FileNotFoundError(errno.ENOENT, "no such file or folder", p)


def _by_report(frame):
    """``report_id → its rows`` (grouped once: a corpus of 10^4 reports is not scanned per report)."""
    groups = {rid: rows for rid, rows in frame.groupby("report_id", sort=False)} if len(frame) else {}
    return lambda rid: groups.get(rid, frame.iloc[0:0])


def _print_check(corpus: Corpus) -> None:
    from shaoyang_report.layout import get_layout

    findings, missing, unplaced, problems = (_by_report(f) for f in (corpus.findings, corpus.missing,
                                                                     corpus.unplaced, corpus.problems))
    for s in corpus.reports.to_dict("records"):
        rid = s["report_id"]
        print(report_headline(s))
        mine = findings(rid)
        for row in mine.itertuples():
            print(f"  ✗ {cells_zh(row.message, row.section)}{misread_note(row)}")
            where = where_printed(row.locations)
            if where:
                print(f"      {where}")
        for row in missing(rid).itertuples():
            what = get_layout().column_label(row.section, "item", row.item) if isinstance(row.item, str) else "（整表）"
            print(f"  缺失: {section_zh(row.section)} {what} — {message_zh(row.reason)}")
        for row in unplaced(rid).itertuples():
            print(f"  无法归位的数字: {row.raw}（{section_zh(row.section)}，{location_zh(row.location)}）")
        for row in problems(rid).itertuples():
            print(f"  读取问题: {location_zh(row.location)}: {message_zh(row.message)}")
        if mine.empty:
            print("  ✓ 勾稽关系均相符" if s["checks"] else "  （无可核对的表格）")


def _corpus(paths: list[str], strict: bool | None, **kwargs):
    from shaoyang_report.corpus.read import read_reports

    corpus = read_reports(_expand(paths), strict=strict, **kwargs)
    for row in corpus.errors.itertuples():
        print(f"error: {row.error}", file=sys.stderr)
    return corpus


def _given(args: argparse.Namespace) -> dict:
    """``year``/``agency``/``format`` of read_reports and write_facts from ``--year``, ``--agency``, ``--format``."""
    return {"year": args.year, "agency": args.agency, "format": args.format}


def _add_given(p: argparse.ArgumentParser) -> None:
    """The options that say what a text does not print (used where it is silent; see read_report)."""
    from shaoyang_report.layout import get_layout

    formats = list(get_layout().formats)
    p.add_argument("--year", type=int, help="the reporting year, used where a text states none (or only lets one be "
                                            "inferred); a year the text states is kept, with a note")
    p.add_argument("--agency", help="the agency's name, used for comparison (the printed name is kept as "
                                    "agency_printed)")
    p.add_argument("--format", choices=formats, type=lambda v: next((f for f in formats if f.lower() == v.lower()), v),
                   help="the national format, used where no table label only one format prints tells it")


def _engine(args: argparse.Namespace) -> dict:
    """``engine``/``scheduler`` of read_reports and write_facts from ``--engine`` and ``--scheduler``."""
    engine = args.engine or ("dask" if args.scheduler else "local")
    return {"engine": engine, "scheduler": args.scheduler} if engine == "dask" else {"engine": engine}


def cmd_parse(args: argparse.Namespace) -> int:
    _must_exist(args.files)  # before anything is written
    partition_by = [c.strip() for spec in args.partition_by or [] for c in spec.split(",") if c.strip()]
    if partition_by and not args.output:
        print("error: --partition-by needs -o DIR (the folder of the partitioned Parquet dataset)", file=sys.stderr)
        return 2
    if args.scheduler and args.engine == "local":
        print("error: --scheduler names a Dask cluster: it goes with --engine dask", file=sys.stderr)
        return 2
    engine = _engine(args)
    if args.output:  # streamed: flat memory however many reports
        from shaoyang_report.corpus.stream import write_facts

        try:
            errors = write_facts(_expand(args.files), args.output, strict=False if args.lenient else None,
                                 workers=args.workers, partition_by=partition_by or None, **engine, **_given(args))
        except (ValueError, FileExistsError, ImportError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        for row in errors.itertuples():
            print(f"error: {row.error}", file=sys.stderr)
        what = f"Parquet dataset partitioned by {', '.join(partition_by)}" if partition_by else "facts"
        print(f"{what} → {args.output} ({len(errors)} unreadable file(s))")
        return 1 if len(errors) else 0
    try:
        corpus = _corpus(args.files, strict=False if args.lenient else None, workers=args.workers, **engine,
                         **_given(args))
    except (ValueError, ImportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    facts = corpus.facts
    from shaoyang_report.corpus.export import safe_frame

    safe_frame(facts).to_csv(sys.stdout, index=False)
    return 1 if len(corpus.errors) else 0


def cmd_check(args: argparse.Namespace) -> int:
    corpus = _corpus(args.files, strict=False if args.lenient else None, **_given(args))
    _print_check(corpus)
    for line in skipped_lines(corpus.skipped):
        print(line)
    if args.strict_findings and len(corpus.findings):
        return 3
    return 1 if len(corpus.errors) else 0


def cmd_run(args: argparse.Namespace) -> int:
    from shaoyang_report.atomic import OutputSet
    from shaoyang_report.corpus.export import write_frame

    out = Path(args.out)
    # both files, or neither: the old pair stays until both are written; another run writing into the same
    # folder (run or briefing) is waited for before the reports are read, so this run's pair lands after its
    with OutputSet(out, waiting=lambda lock: print(f"waiting: another run is writing into {out} ({lock.name} is "
                                                   "held)", file=sys.stderr)) as outputs:
        corpus = _corpus([args.raw], strict=None)
        for summary in corpus.reports.to_dict("records"):
            print(report_headline(summary))
        if corpus.uncatalogued:
            print(f"note: {len(corpus.uncatalogued)} report file(s) not named in catalog.csv were not read: "
                  + ", ".join(corpus.uncatalogued[:5]) + (" …" if len(corpus.uncatalogued) > 5 else ""))
        for line in skipped_lines(corpus.skipped):
            print(line)
        stage = outputs.stage
        assert stage is not None  # set on entering the with block
        write_frame(corpus.facts, stage / "facts.csv")
        write_frame(corpus.checks, stage / "checks.csv")
    facts, checks = out / "facts.csv", out / "checks.csv"
    findings = corpus.findings
    print(f"\n{len(corpus)} report(s) read, {len(corpus.errors)} unreadable; {len(findings)} arithmetic finding(s):")
    for row in findings.itertuples():
        print(f"  ✗ {row.report_id}: {row.message}")
    print(f"\nwritten:\n  {facts}\n  {checks}")
    return 1 if len(corpus.errors) else 0


#: What each optional extra brings that a command needs (pyproject.toml's [project.optional-dependencies])
EXTRAS = {
    "publish": ("nbformat", "nbclient", "nbconvert", "papermill", "ipykernel"),
    "ocr": ("rapidocr_onnxruntime",),
    "dask": ("dask", "distributed"),
}


def missing_extra(extra: str) -> str | None:
    """A message naming the extra to install when a module of ``extra`` is not importable, else None.

    Example:
        >>> missing_extra("publish") is None  # installed with the test extra
        True
    """
    missing = []
    for module in EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a parent package missing, or a module set to None
            found = False
        if not found:
            missing.append(module)
    if not missing:
        return None
    return (f"this command needs the {extra} extra ({', '.join(missing)} not installed): "
            f"pip install 'shaoyang-report[{extra}]'")


def cmd_briefing(args: argparse.Namespace) -> int:
    needed = missing_extra("publish")
    if needed:
        print(f"error: {needed}", file=sys.stderr)
        return 1
    from shaoyang_report.errors import BriefingError
    from shaoyang_report.publish.build import build_briefings

    source = _expand(args.files) if args.files else args.raw  # a folder keeps its catalog.csv
    try:
        outputs = build_briefings(source, args.out, agency=args.agency, catalog=args.catalog, reports=args.report,
                                  audit=not args.no_audit, progress=lambda msg: print(f"… {msg}", flush=True),
                                  workers=args.workers, agencies=args.agencies, docx=args.docx)
    except (BriefingError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"\nwritten in {outputs.seconds:.1f} s:")
    for path in outputs.files.values():
        print(f"  {path}")
    return 0


def cmd_dictionary(args: argparse.Namespace) -> int:
    if args.readme:
        path = Path(args.readme)
        from shaoyang_report.atomic import write_text

        write_text(path, dictionary.readme_with_dictionary(path.read_text("utf-8")))
        print(f"data dictionary written into {path}")
    else:
        print(dictionary.dictionary_markdown(), end="")
    return 0


def add_fetch_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``fetch`` subcommand to ``shaoyang-report``'s subparsers.

    Args:
        subparsers: What ``ArgumentParser.add_subparsers()`` returned.

    Returns:
        The subcommand's parser (its ``func`` returns the exit status).
    """
    from shaoyang_report.corpus.netguard import (
        DEFAULT_DELAY,
        DEFAULT_RETRIES,
        DEFAULT_TIMEOUT,
        MAX_SECONDS,
    )

    p = subparsers.add_parser(
        "fetch", help="download the catalogued report pages into data/raw/fetched and complete the catalog",
        description="Download each catalogued report page (and PDF/Word attachments it links to as the report), "
                    "keep the original bytes under <raw>/fetched/<report_id>/ with a manifest (URL, date, content "
                    "type, SHA-256), and mark a catalog row complete once its archived report has its tables. "
                    "Exit status 0 when every entry was fetched or skipped, 1 when some could not be fetched.")
    p.add_argument("--catalog", default=None, help="the catalog CSV (default data/raw/catalog.csv)")
    p.add_argument("--only", nargs="+", metavar="ID", help="fetch only these report_ids")
    p.add_argument("--refresh", action="store_true",
                   help="download again what is archived (a changed file is kept beside the old one)")
    p.add_argument("--delay", type=float, default=DEFAULT_DELAY,
                   help=f"seconds between requests to one host (default {DEFAULT_DELAY:g})")
    p.add_argument("--retries", type=int, default=DEFAULT_RETRIES,
                   help=f"further attempts after a server error, timeout or lost connection (default {DEFAULT_RETRIES})")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds to wait for a connection or a read (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--max-seconds", type=float, default=MAX_SECONDS,
                   help="longest time one download may take in all, however slowly the server sends "
                        f"(default {MAX_SECONDS:g})")
    p.add_argument("--allow-private", action="store_true",
                   help="also fetch from loopback and private addresses (10.x, 172.16-31.x, 192.168.x, fc00::/7), "
                        "e.g. a local mirror; link-local (169.254.x), multicast and reserved addresses stay refused")
    p.set_defaults(func=cmd_fetch)
    return p


def cmd_fetch(args: argparse.Namespace) -> int:
    """Run ``shaoyang-report fetch``: print one line per entry and a summary; return the exit status."""
    from tqdm.auto import tqdm

    from shaoyang_report.corpus.catalog import COMPLETE
    from shaoyang_report.corpus.fetch import FAILED, fetch_catalog

    def show(row: dict) -> None:
        line = f"{row['report_id']}: {'failed: ' if row['status'] == FAILED else ''}{row['message']}"
        tqdm.write(line, file=sys.stderr if row["status"] == FAILED else sys.stdout)

    try:
        result = fetch_catalog(args.catalog, only=args.only, refresh=args.refresh, delay=args.delay,
                               retries=args.retries, timeout=args.timeout, max_seconds=args.max_seconds,
                               allow_private=args.allow_private, on_entry=show)
    except ReportFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = result.counts()
    complete = int((result.entries["completeness"] == COMPLETE).sum())
    print(f"\n{len(result.entries)} entries: " + ", ".join(f"{n} {s}" for s, n in counts.items())
          + f"; {complete} complete in the catalog; {len(result.catalog_updated)} catalog row(s) updated")
    print(f"catalog:  {result.catalog}\nmanifest: {result.manifest}")
    failed = result.failed
    if len(failed):
        print(f"\nerror: {len(failed)} entr{'y' if len(failed) == 1 else 'ies'} could not be fetched:", file=sys.stderr)
        for row in failed.itertuples():
            print(f"  {row.report_id}  {row.url or '-'}\n      {row.message}", file=sys.stderr)
        if result.offline:
            print("No host could be reached: this machine looks offline (or a proxy/firewall blocks it). "
                  "Nothing archived was changed; run the command again when online.", file=sys.stderr)
    return result.exit_status


def add_discover_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``discover`` subcommand to ``shaoyang-report``'s subparsers."""
    from shaoyang_report.corpus.discover import DEFAULT_PAGES
    from shaoyang_report.corpus.netguard import (
        DEFAULT_DELAY,
        DEFAULT_RETRIES,
        DEFAULT_TIMEOUT,
        MAX_SECONDS,
    )

    p = subparsers.add_parser(
        "discover", help="find annual reports on listing pages and add them to the catalog",
        description="Read listing pages of annual reports (and the pages after them), add one catalog row per report "
                    "link whose title names an agency and a year (existing rows are never changed), then run "
                    "`shaoyang-report fetch` to download them. Exit status 1 when a listing page could not be read.")
    p.add_argument("urls", nargs="+", metavar="URL", help="listing page(s)")
    p.add_argument("--pages", type=int, default=DEFAULT_PAGES,
                   help=f"listing pages to read per URL, the first included (default {DEFAULT_PAGES})")
    p.add_argument("--catalog", default=None, help="the catalog CSV (default data/raw/catalog.csv)")
    p.add_argument("--delay", type=float, default=DEFAULT_DELAY,
                   help=f"seconds between requests to one host (default {DEFAULT_DELAY:g})")
    p.add_argument("--retries", type=int, default=DEFAULT_RETRIES, help="further attempts after an error")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for a read")
    p.add_argument("--max-seconds", type=float, default=MAX_SECONDS, help="longest time for one page")
    p.add_argument("--allow-private", action="store_true", help="also read loopback and private addresses")
    p.set_defaults(func=cmd_discover)
    return p


def cmd_discover(args: argparse.Namespace) -> int:
    """Run ``shaoyang-report discover``: one line per report added, then a summary; return the exit status."""
    from shaoyang_report.corpus.discover import discover_catalog

    try:
        result = discover_catalog(args.urls, args.catalog, pages=args.pages, delay=args.delay, retries=args.retries,
                                  timeout=args.timeout, max_seconds=args.max_seconds,
                                  allow_private=args.allow_private)
    except ReportFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for row in result.added.itertuples():
        print(f"added {row.report_id}: {row.agency} {row.year}  {row.url}")
    read = int((result.pages.status == "read").sum())
    print(f"\n{len(result.added)} report(s) added from {read} listing page(s); {len(result.skipped)} link(s) skipped")
    print(f"catalog: {result.catalog}")
    if len(result.added):
        print("next: shaoyang-report fetch" + (f" --catalog {args.catalog}" if args.catalog else ""))
    for row in result.pages[result.pages.status == "failed"].itertuples():
        print(f"error: {row.listing_page}: {row.message}", file=sys.stderr)
    return result.exit_status


_DASHES = "A file whose name begins with '-' goes after '--', which ends the options: shaoyang-report check -- -o.txt"


def _dash_hint(argv: list[str]) -> str | None:
    """A hint when an argument before ``--`` that argparse took for an option names an existing file."""
    before = argv[: argv.index("--")] if "--" in argv else argv
    files = [a for a in before if a.startswith("-") and a != "-" and Path(a).exists()]
    if not files:
        return None
    verb = "is a file" if len(files) == 1 else "are files"
    return f"hint: {', '.join(files)} {verb}; put file names beginning with '-' after '--'"


def _workers(text: str) -> int:
    """``-j``: a number of processes, or ``auto``: one per CPU this process may use."""
    if text.strip().lower() == "auto":
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        workers = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes or auto, got {text!r}") from None
    if workers < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 process, got {workers}")
    return workers


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="shaoyang-report",
        description="政府信息公开工作年度报告 → tidy facts and arithmetic (勾稽) findings.",
        epilog=_DASHES,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="read reports into the tidy facts table (CSV)", epilog=_DASHES)
    p.add_argument("files", nargs="+", help="report files or folders")
    p.add_argument("-o", "--output", help="write here (.csv or .parquet) instead of standard output")
    p.add_argument("--lenient", action="store_true", help="list rows with a wrong value count instead of failing")
    p.add_argument("-j", "--workers", type=int, default=1, help="processes to read with (default 1)")
    p.add_argument("--partition-by", action="append", metavar="COLUMN[,COLUMN]",
                   help="with -o DIR: write a Hive-partitioned Parquet dataset into DIR (e.g. --partition-by year), "
                        "read directly by DuckDB, Polars and pandas")
    p.add_argument("--engine", choices=["local", "dask"],
                   help="local: this process or -j processes (default); dask: the workers of a Dask cluster "
                        "(needs shaoyang-report[dask]; with --partition-by they write the dataset's files)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="the Dask scheduler's address, e.g. tcp://10.0.0.5:8786 (implies --engine dask; "
                        "default: DASK_SCHEDULER_ADDRESS). Reports and output must be at the same paths on the workers")
    _add_given(p)
    p.set_defaults(func=cmd_parse)
    c = sub.add_parser("check", help="print where a report's numbers do not add up", epilog=_DASHES)
    c.add_argument("files", nargs="+", help="report files or folders")
    c.add_argument("--lenient", action="store_true", help="list rows with a wrong value count instead of failing")
    c.add_argument("--strict-findings", action="store_true", help="exit with status 3 when there are findings")
    _add_given(c)
    c.set_defaults(func=cmd_check)
    r = sub.add_parser("run", help="the main job: every report in data/raw → data/processed")
    r.add_argument("--raw", default=str(config.RAW), help=f"folder of reports (default {config.RAW})")
    r.add_argument("--out", default=str(config.PROCESSED), help=f"output folder (default {config.PROCESSED})")
    r.set_defaults(func=cmd_run)
    b = sub.add_parser("briefing", help="HTML briefings (notebooks run headlessly), facts CSV/Parquet and workbook",
                       epilog=_DASHES)
    b.add_argument("files", nargs="*", help="report files or folders (default: --raw)")
    b.add_argument("--raw", default=str(config.RAW), help=f"folder of reports with catalog.csv (default {config.RAW})")
    b.add_argument("--out", default=str(config.PROCESSED), help=f"output folder (default {config.PROCESSED})")
    b.add_argument("--agency", help="agency of the year comparison (default: the one with most years)")
    b.add_argument("--catalog", help="catalog CSV naming the reports (default: the folder's catalog.csv)")
    b.add_argument("--report", action="append", metavar="REPORT_ID",
                   help="report to export with the explorer notebook (repeatable; default: the agency's reports "
                        "with tables, one per year)")
    b.add_argument("--no-audit", action="store_true", help="skip the consistency audit (audit.html)")
    b.add_argument("--agencies", action="store_true",
                   help="also the agency briefing (agencies.html: scorecard, indicators per agency, findings) "
                        "and its workbook sheets")
    b.add_argument("--docx", action="store_true",
                   help="also the year briefing as a Word document (briefing-<agency>.docx: headline table, charts, "
                        "findings, notes and sources)")
    b.add_argument("-j", "--workers", type=_workers, default="auto",
                   help="processes to read the reports with, or auto: one per CPU this process may use (default)")
    b.set_defaults(func=cmd_briefing)
    add_fetch_parser(sub)
    add_discover_parser(sub)
    d = sub.add_parser("dictionary", help="print the data dictionary (or write it into a README)")
    d.add_argument("--readme", help="rewrite the dictionary section of this README file")
    d.set_defaults(func=cmd_dictionary)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``shaoyang-report`` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        hint = _dash_hint(argv) if exc.code == 2 else None  # 2: argparse rejected the arguments
        if hint:
            print(hint, file=sys.stderr)
        raise
    try:
        return args.func(args)
    except FileNotFoundError as exc:
        print(f"error: no such file or folder: {exc.filename}", file=sys.stderr)
        return 2
    except ReportFormatError as exc:  # pragma: no cover - per-file errors are caught above
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. piping into head
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
