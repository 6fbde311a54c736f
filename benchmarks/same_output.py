"""Everything the package reads from a fixed set of inputs, saved to compare two versions.

A refactor must change no output: run ``write`` with the old code and with the new one,
then ``compare`` the two files; every field of every report is compared.

Usage (from the project root)::

    .venv/bin/python benchmarks/same_output.py write /tmp/before.pkl
    # … change the code …
    .venv/bin/python benchmarks/same_output.py write /tmp/after.pkl
    .venv/bin/python benchmarks/same_output.py compare /tmp/before.pkl /tmp/after.pkl

The inputs: every real report, opening, excerpt and reproducer in ``../shared``, the
bundled ``data/raw``, and generated reports in every layout (text renderings read
leniently and strictly, HTML pages, Word files and PDFs), plus the corpus frames and the
year comparisons of the real corpus.
"""

from __future__ import annotations

import io
import pickle
import re
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "tests"))

warnings.simplefilter("ignore")


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    return df.reset_index(drop=True)


def _report_record(report) -> dict:
    out = {}
    for name in ("agency", "agency_printed", "year", "template", "template_basis", "title",
                 "published", "shapes", "tables_read", "problems", "notes"):
        out[name] = getattr(report, name)
    out["provenance"] = {k: (None if v is None else tuple(v)) for k, v in report.provenance.items()}
    for name in ("facts", "checks", "findings", "missing", "unplaced"):
        out[name] = _frame(getattr(report, name))
    out["prose_numbers"] = _frame(report.numbers_in_prose())
    out["summary"] = report.summary()
    out["repr"] = repr(report)
    out["html"] = re.sub(r"T_[0-9a-f]{5}", "T_", report._repr_html_())  # Styler's random table id
    out["tables"] = {s: _frame(report.table(s)) for s in report.tables_read}
    return out


def _read(sr, key, source, results, **kw) -> None:
    try:
        results[key] = _report_record(sr.read_report(source, **kw))
    except sr.ReportFormatError as exc:
        results[key] = ("error", str(exc).replace(str(ROOT), "<root>"))


def _name(path: Path) -> str:
    """A file's name in the results, the same from any checkout of the project."""
    if path.is_relative_to(ROOT):
        return "project/" + path.relative_to(ROOT).as_posix()
    return "shared/" + path.relative_to(SHARED).as_posix()


def _inputs() -> list[Path]:
    files = sorted(p for p in SHARED.rglob("*") if p.is_file()
                   and p.suffix in {".txt", ".md", ".pdf", ".html"} and p.name != "README.md")
    files += sorted((ROOT / "data" / "raw").rglob("*.txt"))
    return files


def write(out: Path) -> None:
    import generated_reports as gen

    import shaoyang_report as sr

    results: dict = {}
    for path in _inputs():
        for strict in (None, False):
            _read(sr, (_name(path), strict), path, results, strict=strict)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for seed in range(60):
            fmt = ("F2019", "F2021")[seed % 2]
            shape = "group" if fmt == "F2021" and seed % 4 == 1 else "row"
            rep = gen.generate(seed, fmt, shape=shape, blank_rate=0.1 * (seed % 3),
                               blank_style=("empty", "dash")[seed % 2])
            for layout in gen.TEXT_LAYOUTS:
                text = gen.to_text(gen.text_lines(rep, layout))
                for strict in (None, False):
                    try:
                        results[("gen", seed, layout, strict)] = _report_record(
                            sr.read_text(text, strict=strict))
                    except sr.ReportFormatError as exc:
                        results[("gen", seed, layout, strict)] = ("error", str(exc))
            if seed % 3 == 0:
                page = tmp / f"g{seed}.html"
                page.write_text(gen.html_page(rep), encoding="utf-8")
                _read(sr, ("gen", seed, "html"), page, results)
                doc = tmp / f"g{seed}.docx"
                doc.write_bytes(gen.docx_bytes(rep))
                _read(sr, ("gen", seed, "docx"), doc, results)
            if seed % 6 == 0:
                pdf = tmp / f"g{seed}.pdf"
                pdf.write_bytes(gen.pdf_bytes(rep))
                _read(sr, ("gen", seed, "pdf"), pdf, results)
    corpus = sr.read_reports(SHARED / "reports" / "shaoyang", progress=False)
    results["corpus"] = {name: _frame(getattr(corpus, name))
                         for name in ("reports", "facts", "checks", "findings", "missing",
                                      "unplaced", "problems", "errors")}
    results["corpus_repr"] = repr(corpus)
    for agency in sorted(corpus.reports.agency.dropna().unique()):
        try:
            cmp = sr.compare_years(corpus, agency)
            results[("compare", agency)] = {"table": _frame(sr.comparison_table(cmp))}
        except Exception as exc:  # noqa: BLE001 - recorded as output
            results[("compare", agency)] = ("error", type(exc).__name__, str(exc))
    buf = io.BytesIO()
    pickle.dump(results, buf)
    out.write_bytes(buf.getvalue())
    print(f"{len(results)} entries written to {out}")


def _same(a, b) -> bool:
    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        return a.equals(b) and list(a.columns) == list(b.columns) and (a.dtypes == b.dtypes).all()
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b) or (a != a and b != b)
    except (TypeError, ValueError):
        return False


def compare(before: Path, after: Path) -> int:
    a = pickle.loads(before.read_bytes())
    b = pickle.loads(after.read_bytes())
    diffs = 0
    for key in sorted(set(a) | set(b), key=repr):
        if key not in a or key not in b:
            print("only in one:", key)
            diffs += 1
            continue
        x, y = a[key], b[key]
        if isinstance(x, dict) and isinstance(y, dict):
            for field in sorted(set(x) | set(y)):
                if not _same(x.get(field), y.get(field)):
                    print("differs:", key, field)
                    diffs += 1
        elif not _same(x, y):
            print("differs:", key)
            diffs += 1
    print(f"{len(a)} entries compared, {diffs} difference(s)")
    return 1 if diffs else 0


if __name__ == "__main__":
    verb, *args = sys.argv[1:]
    if verb == "write":
        write(Path(args[0]))
    elif verb == "compare":
        sys.exit(compare(Path(args[0]), Path(args[1])))
    else:
        sys.exit(__doc__)
