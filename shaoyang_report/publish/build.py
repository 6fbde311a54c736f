"""The ``briefing`` command's job: read the corpus once, write the facts and the workbook, run and export the notebooks.

:func:`build_briefings` is what ``shaoyang-report briefing`` runs: it reads the corpus
(:func:`~shaoyang_report.publish.loading.load_corpus`, kept in the corpus cache),
writes the tidy facts (CSV and Parquet) and the Excel workbook, then executes

* ``01-year-comparison.ipynb`` → ``briefing-<agency>.html`` (headline table of the
  latest year against the one before, charts, what cannot be compared and why,
  arithmetic findings, sources with their URLs; :mod:`~shaoyang_report.publish.year_briefing`);
* ``02-consistency-audit.ipynb`` → ``audit.html`` (every finding across the corpus, per
  agency and year, cross-year checks, what is missing or could not be placed;
  :mod:`~shaoyang_report.publish.audit`);
* ``03-report-explorer.ipynb`` → ``report-<report_id>.html`` (one report's tables as
  printed, with its prose figures; :mod:`~shaoyang_report.publish.explorer`);
* with ``agencies``, ``04-agency-comparison.ipynb`` → ``agencies.html`` (scorecard, panel,
  findings per agency; :mod:`~shaoyang_report.publish.agencies`),

each run and exported by :mod:`~shaoyang_report.publish.notebooks`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pandas as pd

from shaoyang_report import config
from shaoyang_report.compare.grouping import agency_reports
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.errors import BriefingError
from shaoyang_report.publish.agencies import agency_panel, scorecard_frames
from shaoyang_report.publish.explorer import explorer_reports
from shaoyang_report.publish.html import TABLE_SECTIONS, slug
from shaoyang_report.publish.loading import load_corpus
from shaoyang_report.publish.notebooks import (
    AGENCIES,
    AUDIT,
    EXPLORER,
    NOTEBOOKS,
    YEAR_COMPARISON,
    export_html,
    run_notebook,
)
from shaoyang_report.publish.year_briefing import agency_years

#: At most this many reports get a sheet of printed tables in the briefing's workbook.
WORKBOOK_REPORT_SHEETS = 100
#: At most this many rows in a sheet of the briefing's workbook (the facts, the findings): the
#: whole data is in ``facts.parquet``/``facts.csv`` and ``audit-findings.csv`` beside it, and a
#: sheet of a million rows takes a spreadsheet minutes to open and the briefing minutes to write.
WORKBOOK_ROWS = 100_000
#: At most this many notebook kernels run at once (each holds the corpus); ``workers`` says how many CPUs to use.
MAX_KERNELS = 2


def tables_read(corpus: Corpus, agency: str | None = None) -> list[str]:
    """Report ids (of an agency) from which at least one table was read."""
    reports = agency_reports(corpus.reports, agency)
    return [r.report_id for r in reports.sort_values(["year", "report_id"]).itertuples()
            if isinstance(r.tables_read, str) and r.tables_read]


@dataclass
class BriefingOutputs:
    """What :func:`build_briefings` wrote, and how long it took.

    Attributes:
        files: Label → path written (``briefing``, ``audit``, ``report:<id>``, ``facts.csv`` …).
        seconds: Wall time of the whole build.
    """

    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0


def _sources_arg(data_folder: str | Path | Sequence[str | Path]) -> str | list[str]:
    if isinstance(data_folder, (list, tuple)):
        return [str(Path(p).resolve()) for p in data_folder]
    return str(Path(cast("str | Path", data_folder)).resolve())  # one folder: the lists are lists or tuples


def build_briefings(
    data_folder: str | Path | Sequence[str | Path] = config.RAW,
    output_folder: str | Path = config.PROCESSED,
    *,
    agency: str | None = None,
    catalog: str | Path | None = None,
    reports: Sequence[str] | None = None,
    audit: bool = True,
    progress=None,
    workers: int = 1,
    agencies: bool = False,
    docx: bool = False,
) -> BriefingOutputs:
    """Write the briefing, the audit, the report pages, the facts and the workbook.

    Every file, those the notebooks write included (charts, ``audit-findings.csv``,
    report facts), is written into a staging folder first and renamed into
    ``output_folder`` only when all are written (:class:`~shaoyang_report.atomic.OutputSet`):
    a failed or interrupted build leaves the previous files as they were. Another run
    writing into the same folder is waited for before the reports are read; the facts
    and their checks (``facts.csv``, ``checks.csv``) are always one run's.

    Args:
        data_folder: A folder of reports (with ``catalog.csv``) or a list of report files.
        output_folder: Where everything is written (created if needed).
        agency: The agency of the year-comparison briefing; default
            :func:`~shaoyang_report.publish.year_briefing.default_agency`.
        catalog: A catalog CSV to use instead of the folder's.
        reports: Report ids to export with the explorer notebook; default: the agency's
            reports from which a table was read, one per year
            (:func:`~shaoyang_report.publish.explorer.explorer_reports`).
        audit: Also export the consistency audit (``audit.html``).
        progress: Called with a short message before each step (e.g. ``print``).
        workers: Processes to read the reports with, and notebooks run at once (at most
            :data:`MAX_KERNELS`, each in its own kernel, while this process writes the facts
            and the workbook). The corpus read is kept in
            :func:`~shaoyang_report.publish.loading.corpus_cache`, from where each notebook loads it.
        agencies: Also export the agency briefing (``agencies.html``: scorecard, panel,
            findings per agency; notebook ``04-agency-comparison``) and add its sheets to
            the workbook.
        docx: Also write the year briefing as a Word document (``briefing-<agency>.docx``:
            headline table, charts, findings, notes and sources;
            :func:`~shaoyang_report.publish.word.write_briefing_docx`).

    Returns:
        The files written and the time taken.

    Raises:
        BriefingError: A notebook failed or the corpus holds nothing to brief on.
    """
    from shaoyang_report.atomic import OutputSet

    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    out = Path(output_folder)
    outputs = BriefingOutputs()
    # another run writing into the same folder (briefing or run) is waited for before the reports are read
    with OutputSet(out, waiting=lambda lock: say(f"waiting: another run is writing into {out} ({lock.name} is held)")
                   ) as staged:
        say("reading the reports")
        corpus = load_corpus(data_folder, catalog, workers=workers)
        if not len(corpus):
            raise BriefingError(f"no report could be read from {data_folder}")
        b = agency_years(corpus, agency)
        stage = staged.stage
        assert stage is not None  # set on entering the with block
        explorer_ids = list(reports) if reports is not None else explorer_reports(corpus, b.agency_id)
        params = {"data_folder": _sources_arg(data_folder),
                  "catalog": str(Path(catalog).resolve()) if catalog else None,
                  "output_folder": str(stage.resolve())}  # what the notebooks write is staged too
        pages = [_Page("briefing", f"year comparison for {b.agency}", YEAR_COMPARISON, {"agency": b.agency_id},
                       f"briefing-{slug(b.agency)}.html",
                       f"{b.agency} 政府信息公开年度报告 {b.years[0]}—{b.years[-1]}年比较")]
        if audit:
            pages.append(_Page("audit", "consistency audit of the corpus", AUDIT, {"agency": None}, "audit.html",
                               "政府信息公开年度报告 勾稽与缺失核查"))
        if agencies:
            pages.append(_Page("agencies", "agency comparison and scorecard", AGENCIES, {"year": None}, "agencies.html",
                               "政府信息公开年度报告 各机构比较与透明度评分"))
        for rid in explorer_ids:
            row = corpus.report_summary(rid) if rid in corpus else {}
            name = f"{row.get('agency') if isinstance(row.get('agency'), str) else '（未署名）'} {_year(row)}"
            pages.append(_Page(f"report:{rid}", f"report explorer for {rid}", EXPLORER, {"report_id": rid},
                               f"report-{slug(rid)}.html", f"{name}报告 表格与正文数字"))
        # the notebooks run in their own kernels (each loads the corpus from the cache) while this
        # process writes the facts and the workbook: the pages are built side by side on several CPUs
        with ThreadPoolExecutor(max_workers=max(1, min(workers, MAX_KERNELS))) as pool:
            built = [pool.submit(_build_page, page, params, stage, say) for page in pages]
            try:
                say(f"facts, checks and workbook for {len(corpus)} report(s)")
                for label, path in _write_data(corpus, b, stage, data_folder, explorer_ids, agencies).items():
                    outputs.files[label] = staged.final(path)
                if docx:
                    from shaoyang_report.publish.word import write_briefing_docx

                    say(f"Word copy of the year comparison for {b.agency}")
                    outputs.files["docx"] = staged.final(write_briefing_docx(b, stage / f"briefing-{slug(b.agency)}.docx"))
                for page, future in zip(pages, built):
                    outputs.files[page.label] = staged.final(future.result())
            finally:
                for future in built:  # a failure stops the pages not yet started
                    future.cancel()
        say(f"moving {len(staged.staged_files())} file(s) into {out}")
    outputs.seconds = time.perf_counter() - started
    return outputs


@dataclass(frozen=True)
class _Page:
    """One page of the briefing: a notebook run with its parameters and exported as HTML."""

    label: str
    step: str
    notebook: str
    parameters: dict
    file: str
    title: str


def _build_page(page: _Page, params: dict, stage: Path, say) -> Path:
    """Run one page's notebook in its own kernel and export it into the staging folder."""
    say(page.step)
    nb = run_notebook(NOTEBOOKS / page.notebook, {**page.parameters, **params})
    return export_html(nb, stage / page.file, title=page.title)


def _write_data(corpus: Corpus, b, stage: Path, data_folder, explorer_ids: list[str], agencies: bool
                ) -> dict[str, Path]:
    """The facts (CSV, Parquet), their checks (CSV) and the workbook, written into the staging folder: label → path."""
    from shaoyang_report.corpus.export import write_frame
    from shaoyang_report.publish.workbook import write_workbook

    facts = corpus.facts
    files = {"facts.csv": write_frame(facts, stage / "facts.csv"), "facts.parquet": write_frame(facts, stage / "facts.parquet"),
             # the checks of these facts, beside them: never the checks of another run's (``run`` writes the pair too)
             "checks.csv": write_frame(corpus.checks, stage / "checks.csv")}
    with_tables = tables_read(corpus)
    sheet_ids = list(dict.fromkeys([r for r in explorer_ids if r in set(with_tables)] + with_tables))
    notes = []
    if len(sheet_ids) > WORKBOOK_REPORT_SHEETS:
        notes.append(f"{len(sheet_ids):,} 份报告读到了表格，本工作簿只为其中 {WORKBOOK_REPORT_SHEETS} 份各设一张表"
                     f"（先列 {b.agency} 的报告）；其余报告的数值见“事实 facts”表及 facts.parquet。")
        sheet_ids = sheet_ids[:WORKBOOK_REPORT_SHEETS]
    tables = {rid: {s: corpus.table(rid, s) for s in TABLE_SECTIONS} for rid in sheet_ids}
    findings_all = pd.concat([corpus.findings, b.cross_year[b.cross_year.status == "fail"]], ignore_index=True) \
        if len(b.cross_year) else corpus.findings
    files["workbook.xlsx"] = write_workbook(
        stage / "workbook.xlsx", facts=facts, findings=findings_all, comparison=b.comparison, tables=tables,
        sources=corpus.reports[["report_id", "agency", "agency_printed", "year", "template", "completeness", "url",
                                "source"]], facts_files=["facts.parquet", "facts.csv"], notes=notes,
        sheets=_agency_sheets(corpus, data_folder) if agencies else None, max_rows=WORKBOOK_ROWS)
    return files


def _year(summary: dict) -> str:
    """``2020年`` from a report's summary, or ``年份不明``."""
    year = summary.get("year")
    return "年份不明" if year is None or pd.isna(year) else f"{int(year)}年"


def _agency_sheets(corpus: Corpus, sources) -> dict[str, pd.DataFrame]:
    """The agency scorecard, its criteria and the panel, for the workbook."""
    return scorecard_frames(agency_panel(corpus, sources=sources))
