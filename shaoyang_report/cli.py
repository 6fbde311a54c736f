"""The ``shaoyang-report`` command line.

Examples::

    shaoyang-report parse data/raw/shaoyang_city_2020.txt -o data/processed/facts.csv
    shaoyang-report check data/raw/shaoyang_city_2020.txt
    shaoyang-report run            # the main job on data/raw → data/processed

A file that cannot be read prints one ``error:`` line naming the file and what was
expected (never a traceback) and the command exits with status 1; the other files are
still processed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import config, dictionary
from .errors import ReportFormatError
from .report import Report, read_report

def _expand(paths: list[str]) -> list[Path]:
    from .corpus import REPORT_SUFFIXES

    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES)
        else:
            out.append(p)
    return out


def _read_all(paths: list[str], strict: bool) -> tuple[list[Report], list[str]]:
    reports, errors = [], []
    for path in _expand(paths):
        try:
            reports.append(read_report(path, strict=strict))
        except ReportFormatError as exc:
            errors.append(str(exc))
            print(f"error: {exc}", file=sys.stderr)
    return reports, errors


def _describe(report: Report) -> str:
    s = report.summary()
    counts = ", ".join(f"表{n} {s[k]}" for k, n in (("active_disclosure", "二"), ("applications", "三"),
                                                      ("review_litigation", "四")))
    return (f"{report.source}: {report.agency or '（未署名）'} {report.year or '?'}年 {report.template or '?'}"
            f"（{counts}；勾稽问题 {s['findings']} 项，无法核对 {s['not_checkable']} 项）")


def _print_check(report: Report) -> None:
    print(_describe(report))
    for row in report.findings.itertuples():
        print(f"  ✗ {row.message}")
        total, _, parts = row.locations.partition(" ← ")
        print(f"      总数印于 {total}；各项印于 {len(parts.split('; '))} 处（{parts.split('; ')[0]} 起）")
    for row in report.missing.itertuples():
        print(f"  缺失: {row.section} {row.item or '（整表）'} — {row.reason}")
    for row in report.unplaced.itertuples():
        print(f"  无法归位的数字: {row.raw} ({row.section}, {row.location})")
    for where, message in report.problems:
        print(f"  读取问题: {where}: {message}")
    if not len(report.findings):
        print("  ✓ 表内勾稽关系均相符" if len(report.checks) else "  （无可核对的表格）")


def _corpus(paths: list[str], strict: bool, **kwargs):
    from .corpus import read_reports

    corpus = read_reports(_expand(paths), strict=strict, **kwargs)
    for row in corpus.errors.itertuples():
        print(f"error: {row.error}", file=sys.stderr)
    return corpus


def cmd_parse(args: argparse.Namespace) -> int:
    if args.output:  # streamed: flat memory however many reports
        from .corpus import write_facts

        files = _expand(args.files)
        errors = write_facts(files, args.output, strict=False if args.lenient else None, workers=args.workers)
        for row in errors.itertuples():
            print(f"error: {row.error}", file=sys.stderr)
        print(f"{len(files) - len(errors)} report(s) → {args.output}")
        return 1 if len(errors) else 0
    corpus = _corpus(args.files, strict=False if args.lenient else None, workers=args.workers)
    facts = corpus.facts
    from .export import safe_frame

    safe_frame(facts).to_csv(sys.stdout, index=False)
    return 1 if len(corpus.errors) else 0


def cmd_check(args: argparse.Namespace) -> int:
    reports, errors = _read_all(args.files, strict=False if args.lenient else None)
    for report in reports:
        _print_check(report)
    if args.strict_findings and any(len(r.findings) for r in reports):
        return 3
    return 1 if errors else 0


def cmd_run(args: argparse.Namespace) -> int:
    from .corpus import read_reports
    from .export import write_frame
    raw, out = Path(args.raw), Path(args.out)
    corpus = read_reports(raw)
    for row in corpus.errors.itertuples():
        print(f"error: {row.error}", file=sys.stderr)
    for row in corpus.reports.itertuples():
        print(f"{row.source}: {row.agency} {row.year}年 {row.template}（表二 {row.active_disclosure}, "
              f"表三 {row.applications}, 表四 {row.review_litigation}；勾稽问题 {row.findings} 项）")
    facts = write_frame(corpus.facts, out / "facts.csv")
    checks = write_frame(corpus.checks, out / "checks.csv")
    findings = corpus.findings
    print(f"\n{len(corpus)} report(s) read, {len(corpus.errors)} unreadable; {len(findings)} arithmetic finding(s):")
    for row in findings.itertuples():
        print(f"  ✗ {row.report_id}: {row.message}")
    print(f"\nwritten:\n  {facts}\n  {checks}")
    return 1 if len(corpus.errors) else 0


def cmd_dictionary(args: argparse.Namespace) -> int:
    if args.readme:
        path = Path(args.readme)
        path.write_text(dictionary.readme_with_dictionary(path.read_text("utf-8")), "utf-8")
        print(f"data dictionary written into {path}")
    else:
        print(dictionary.dictionary_markdown(), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="shaoyang-report",
        description="政府信息公开工作年度报告 → tidy facts and arithmetic (勾稽) findings.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="read reports into the tidy facts table (CSV)")
    p.add_argument("files", nargs="+", help="report files or folders")
    p.add_argument("-o", "--output", help="write here (.csv or .parquet) instead of standard output")
    p.add_argument("--lenient", action="store_true", help="list rows with a wrong value count instead of failing")
    p.add_argument("-j", "--workers", type=int, default=1, help="processes to read with (default 1)")
    p.set_defaults(func=cmd_parse)
    c = sub.add_parser("check", help="print where a report's numbers do not add up")
    c.add_argument("files", nargs="+", help="report files or folders")
    c.add_argument("--lenient", action="store_true", help="list rows with a wrong value count instead of failing")
    c.add_argument("--strict-findings", action="store_true", help="exit with status 3 when there are findings")
    c.set_defaults(func=cmd_check)
    r = sub.add_parser("run", help="the main job: every report in data/raw → data/processed")
    r.add_argument("--raw", default=str(config.RAW), help=f"folder of reports (default {config.RAW})")
    r.add_argument("--out", default=str(config.PROCESSED), help=f"output folder (default {config.PROCESSED})")
    r.set_defaults(func=cmd_run)
    d = sub.add_parser("dictionary", help="print the data dictionary (or write it into a README)")
    d.add_argument("--readme", help="rewrite the dictionary section of this README file")
    d.set_defaults(func=cmd_dictionary)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``shaoyang-report`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ReportFormatError as exc:  # pragma: no cover - per-file errors are caught above
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. piping into head
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
