"""The ``shaoyang-report`` command line.

Examples::

    shaoyang-report parse data/raw/shaoyang_city_2020.txt -o data/processed/facts.csv
    shaoyang-report check data/raw/shaoyang_city_2020.txt
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
import sys
from pathlib import Path

from shaoyang_report import config, dictionary
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.publish.display import misread_note, report_headline


def _expand(paths: list[str]) -> list[Path] | Path:
    """One folder stays a folder (its catalog.csv is used); several paths are expanded."""
    from shaoyang_report.corpus.core import report_files

    if len(paths) == 1 and Path(paths[0]).is_dir():
        return Path(paths[0])
    out: list[Path] = []
    for p in map(Path, paths):
        out += report_files(p) if p.is_dir() else [p]
    return out


def _by_report(frame):
    """``report_id → its rows`` (grouped once: a corpus of 10^4 reports is not scanned per report)."""
    groups = {rid: rows for rid, rows in frame.groupby("report_id", sort=False)} if len(frame) else {}
    return lambda rid: groups.get(rid, frame.iloc[0:0])


def _print_check(corpus) -> None:
    findings, missing, unplaced, problems = (_by_report(f) for f in (corpus.findings, corpus.missing,
                                                                     corpus.unplaced, corpus.problems))
    for s in corpus.reports.to_dict("records"):
        rid = s["report_id"]
        print(report_headline(s))
        mine = findings(rid)
        for row in mine.itertuples():
            print(f"  ✗ {row.message}{misread_note(row)}")
            total, _, parts = row.locations.partition(" ← ")
            print(f"      总数印于 {total}；各项印于 {len(parts.split('; '))} 处（{parts.split('; ')[0]} 起）")
        for row in missing(rid).itertuples():
            print(f"  缺失: {row.section} {row.item if isinstance(row.item, str) else '（整表）'} — {row.reason}")
        for row in unplaced(rid).itertuples():
            print(f"  无法归位的数字: {row.raw} ({row.section}, {row.location})")
        for row in problems(rid).itertuples():
            print(f"  读取问题: {row.location}: {row.message}")
        if mine.empty:
            print("  ✓ 勾稽关系均相符" if s["checks"] else "  （无可核对的表格）")


def _corpus(paths: list[str], strict: bool | None, **kwargs):
    from shaoyang_report.corpus.core import read_reports

    corpus = read_reports(_expand(paths), strict=strict, **kwargs)
    for row in corpus.errors.itertuples():
        print(f"error: {row.error}", file=sys.stderr)
    return corpus


def _engine(args: argparse.Namespace) -> dict:
    """``engine``/``scheduler`` of read_reports and write_facts from ``--engine`` and ``--scheduler``."""
    engine = args.engine or ("dask" if args.scheduler else "local")
    return {"engine": engine, "scheduler": args.scheduler} if engine == "dask" else {"engine": engine}


def cmd_parse(args: argparse.Namespace) -> int:
    partition_by = [c.strip() for spec in args.partition_by or [] for c in spec.split(",") if c.strip()]
    if partition_by and not args.output:
        print("error: --partition-by needs -o DIR (the folder of the partitioned Parquet dataset)", file=sys.stderr)
        return 2
    if args.scheduler and args.engine == "local":
        print("error: --scheduler names a Dask cluster: it goes with --engine dask", file=sys.stderr)
        return 2
    engine = _engine(args)
    if args.output:  # streamed: flat memory however many reports
        from shaoyang_report.corpus.core import write_facts

        try:
            errors = write_facts(_expand(args.files), args.output, strict=False if args.lenient else None,
                                 workers=args.workers, partition_by=partition_by or None, **engine)
        except (ValueError, FileExistsError, ImportError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        for row in errors.itertuples():
            print(f"error: {row.error}", file=sys.stderr)
        what = f"Parquet dataset partitioned by {', '.join(partition_by)}" if partition_by else "facts"
        print(f"{what} → {args.output} ({len(errors)} unreadable file(s))")
        return 1 if len(errors) else 0
    try:
        corpus = _corpus(args.files, strict=False if args.lenient else None, workers=args.workers, **engine)
    except (ValueError, ImportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    facts = corpus.facts
    from shaoyang_report.corpus.export import safe_frame

    safe_frame(facts).to_csv(sys.stdout, index=False)
    return 1 if len(corpus.errors) else 0


def cmd_check(args: argparse.Namespace) -> int:
    corpus = _corpus(args.files, strict=False if args.lenient else None)
    _print_check(corpus)
    if args.strict_findings and len(corpus.findings):
        return 3
    return 1 if len(corpus.errors) else 0


def cmd_run(args: argparse.Namespace) -> int:
    from shaoyang_report.atomic import OutputSet
    from shaoyang_report.corpus.export import write_frame

    out = Path(args.out)
    corpus = _corpus([args.raw], strict=None)
    for summary in corpus.reports.to_dict("records"):
        print(report_headline(summary))
    if corpus.uncatalogued:
        print(f"note: {len(corpus.uncatalogued)} report file(s) not named in catalog.csv were not read: "
              + ", ".join(corpus.uncatalogued[:5]) + (" …" if len(corpus.uncatalogued) > 5 else ""))
    with OutputSet(out) as outputs:  # both files, or neither: the old pair stays until both are written
        write_frame(corpus.facts, outputs.stage / "facts.csv")
        write_frame(corpus.checks, outputs.stage / "checks.csv")
    facts, checks = out / "facts.csv", out / "checks.csv"
    findings = corpus.findings
    print(f"\n{len(corpus)} report(s) read, {len(corpus.errors)} unreadable; {len(findings)} arithmetic finding(s):")
    for row in findings.itertuples():
        print(f"  ✗ {row.report_id}: {row.message}")
    print(f"\nwritten:\n  {facts}\n  {checks}")
    return 1 if len(corpus.errors) else 0


def cmd_briefing(args: argparse.Namespace) -> int:
    from shaoyang_report.errors import BriefingError
    from shaoyang_report.publish.build import build_briefings

    source = _expand(args.files) if args.files else args.raw  # a folder keeps its catalog.csv
    try:
        outputs = build_briefings(source, args.out, agency=args.agency, catalog=args.catalog, reports=args.report,
                                  audit=not args.no_audit, progress=lambda msg: print(f"… {msg}", flush=True),
                                  workers=args.workers, agencies=args.agencies)
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


_DASHES = "A file whose name begins with '-' goes after '--', which ends the options: shaoyang-report check -- -o.txt"


def _dash_hint(argv: list[str]) -> str | None:
    """A hint when an argument before ``--`` that argparse took for an option names an existing file."""
    before = argv[: argv.index("--")] if "--" in argv else argv
    files = [a for a in before if a.startswith("-") and a != "-" and Path(a).exists()]
    if not files:
        return None
    verb = "is a file" if len(files) == 1 else "are files"
    return f"hint: {', '.join(files)} {verb}; put file names beginning with '-' after '--'"


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
    p.set_defaults(func=cmd_parse)
    c = sub.add_parser("check", help="print where a report's numbers do not add up", epilog=_DASHES)
    c.add_argument("files", nargs="+", help="report files or folders")
    c.add_argument("--lenient", action="store_true", help="list rows with a wrong value count instead of failing")
    c.add_argument("--strict-findings", action="store_true", help="exit with status 3 when there are findings")
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
    b.add_argument("-j", "--workers", type=int, default=1, help="processes to read the reports with (default 1)")
    b.set_defaults(func=cmd_briefing)
    from shaoyang_report.corpus.fetch import add_fetch_parser

    add_fetch_parser(sub)
    from shaoyang_report.corpus.discover import add_discover_parser

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
    except ReportFormatError as exc:  # pragma: no cover - per-file errors are caught above
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. piping into head
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
