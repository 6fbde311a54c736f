"""How a report and a corpus show themselves in JupyterLab (HTML) and in a terminal (text).

``Report._repr_html_`` / ``Report.__repr__`` and ``Corpus._repr_html_`` /
``Corpus.__repr__`` call into this module (imported on first display), as pandas and
xarray objects render themselves:

* a report: agency, year, format and source; values read per table against what the
  format requires; each finding and each row that could not be read on one line in
  Chinese (the sentences the checks and the reader wrote); the printed tables and the
  figures stated in the prose in collapsible ``<details>`` blocks, with the briefing's
  marks (``*`` stated in prose, ``°`` read by OCR when the facts carry a recognition
  ``confidence``);
* a corpus: one row per report with the same counts and its findings, the findings
  totalled; a long corpus shows its first :data:`MAX_ROWS` reports and a line
  ``… N more``.

Every text taken from a report or a catalog is HTML-escaped (report text is untrusted),
as in the briefings; the plain-text ``repr`` carries the same headline.

Example:
    >>> import shaoyang_report as sr
    >>> report = sr.read_report("data/raw/shaoyang_city_2020.txt")
    >>> print(repr(report).splitlines()[0])
    <Report shaoyang_city_2020> shaoyang_city_2020.txt: 邵阳市 2020年 F2019（表二 22/22, 表三 161/161, 表四 15/15；正文数字 23 项；勾稽问题 2 项，无法核对 0 项）
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
from markupsafe import Markup

from shaoyang_report.publish.explorer import prose_figures
from shaoyang_report.publish.html import (
    COMPLETENESS_ZH,
    MARK_OCR,
    SECTION_ZH,
    TABLE_SECTIONS,
    agency_zh,
    escape,
    number,
    templates,
    where_printed,
)
from shaoyang_report.publish.wording import cells_zh

if TYPE_CHECKING:
    from shaoyang_report.corpus.corpus import Corpus
    from shaoyang_report.read.report import Report

#: A corpus display lists at most this many reports (then ``… N more``).
MAX_ROWS = 20
#: A report's plain ``repr`` lists at most this many findings and problems.
MAX_LINES = 10


# ---------------------------------------------------------------------------- one report
def _one_report_corpus(report: Report) -> Corpus:
    """The report as a corpus of one, so the briefing's views of a corpus can show it."""
    from shaoyang_report.corpus.corpus import Corpus

    corpus = Corpus()
    corpus.add(report)
    return corpus


#: The tables of a headline, with their numbers.
_TABLE_NUMBERS = (("active_disclosure", "二"), ("applications", "三"), ("review_litigation", "四"))


def report_headline(summary: dict) -> str:
    """One line: source, agency, year, format, values per table (read/required), findings.

    The line ``shaoyang-report check`` prints for each report, from its summary
    (``Report.summary()`` or a row of ``corpus.reports``). Findings that are more likely
    OCR misreads are counted within the findings, when there are any. A table printed
    with every cell blank shows as ``表二 空白（10 格均未填）``, not as values read, and a
    text whose every table is so (an empty template) says so first (``空白表格，未填任何数值：``).
    A report before the national tables (F2008) counts its prose figures and the values of
    its old statistics table instead (``正文数字 5 项；统计表 0 项``).

    Example:
        >>> s = {"source": "x.txt", "agency": None, "year": 2022, "template": "F2021", "active_disclosure": "10/10",
        ...      "applications": "0/161", "review_litigation": "0/15", "blank_tables": "active_disclosure",
        ...      "prose": 0, "findings": 0, "not_checkable": 23}
        >>> report_headline(s)
        'x.txt: （未署名） 2022年 F2021（空白表格，未填任何数值：表二 空白（10 格均未填）, 表三 0/161, 表四 0/15；正文数字 0 项；勾稽问题 0 项，无法核对 23 项）'
    """
    s = summary
    misreads = s.get("likely_misreads") or 0
    findings = f"勾稽问题 {s['findings']} 项" + (f"（其中疑似识别错误 {misreads} 项）" if misreads else "")
    year = s.get("year")
    when = "年份不明" if year is None or pd.isna(year) else f"{int(year)}年"
    template = s.get("template") if isinstance(s.get("template"), str) and s.get("template") else "格式不明"
    who = f"{s['source']}: {agency_zh(s.get('agency'))} {when} {template}"
    old = s.get("statistics")
    if isinstance(old, int | float) and not math.isnan(old):  # a report before the national tables
        return f"{who}（正文数字 {s['prose']} 项；统计表 {int(old)} 项；{findings}，无法核对 {s['not_checkable']} 项）"
    counts = ", ".join(f"表{n} {table_count(s, k)}" for k, n in _TABLE_NUMBERS)
    blank = _blank_tables(s)
    if blank and blank >= {k for k, _ in _TABLE_NUMBERS if str(s[k]).split("/")[0] not in ("0", "")}:
        counts = f"空白表格，未填任何数值：{counts}"
    return f"{who}（{counts}；正文数字 {s['prose']} 项；{findings}，无法核对 {s['not_checkable']} 项）"


def _blank_tables(summary: dict) -> set[str]:
    """The tables a summary says were printed with every cell blank."""
    return set(filter(None, str(summary.get("blank_tables") or "").split(",")))


def table_count(summary: dict, section: str) -> str:
    """A table's count as displayed: values read/required (``161/161``), or for a table printed
    with every cell blank ``空白（10 格均未填）``."""
    count = summary.get(section)
    if section in _blank_tables(summary):
        return f"空白（{str(count).split('/')[0]} 格均未填）"
    return "" if count is None else str(count)


def _finding_lines(checks: pd.DataFrame) -> list[tuple[str, str]]:
    """``(table, sentence)`` per failing check: the check's message and where its total is printed."""
    lines = []
    for r in checks[checks.status == "fail"].itertuples():
        where = where_printed(r.locations)
        lines.append((SECTION_ZH.get(r.section, r.section),
                      f"{cells_zh(r.message, r.section)}{f'（{where}）' if where else ''}{misread_note(r)}"))
    return lines


def misread_note(check) -> str:
    """``；疑似识别错误：<cell>: 81 → 31（未更正）`` for a finding a one-digit OCR misread explains, else ``""``."""
    flag = getattr(check, "likely_misread", False)
    if (flag.item() if hasattr(flag, "item") else flag) is not True:  # numpy's True too; NA, NaN, None: no
        return ""
    alternative = getattr(check, "misread_alternative", None)
    return f"；疑似识别错误：{alternative if isinstance(alternative, str) else ''}（数值未更正）"


def report_text(report: Report) -> str:
    """The plain-text display: the headline, then one line per finding and per problem."""
    headline = report_headline({**report.summary(), "source": report.source})
    lines = [f"  ✗ {table}：{sentence}" for table, sentence in _finding_lines(report.checks)]
    lines += [f"  读取问题：{where}：{message}" for where, message in report.problems]
    more = f"\n  … {len(lines) - MAX_LINES} more" if len(lines) > MAX_LINES else ""
    return "\n".join([f"<Report {report.report_id}> {headline}", *lines[:MAX_LINES]]) + more


def _ocr_flags(facts: pd.DataFrame, template: str | None, section: str, shape: pd.DataFrame) -> pd.DataFrame | None:
    """Which cells of a printed table were read by OCR (a non-empty ``confidence``), or None."""
    from shaoyang_report.read.report import printed_table

    if "confidence" not in facts.columns:
        return None
    ocr = facts["confidence"].notna()
    if not ocr.any():
        return None
    records = facts.assign(value=ocr.astype(float)).to_dict("records")
    flags = printed_table(records, template, section)
    if flags.columns.has_duplicates or flags.shape[0] != shape.shape[0]:
        return None
    flags = flags.reindex(columns=shape.columns)
    return flags.fillna(0.0).astype(bool) if flags.shape == shape.shape else None


def printed_table_html(frame: pd.DataFrame, marks: pd.DataFrame | None = None) -> str:
    """A printed table (``report.table(section)``) as HTML, rendered by pandas' Styler.

    Numbers as the briefing writes them (``46,502.47``), blank cells left blank (never
    0), labels and the table's name (its caption) escaped.

    Args:
        frame: The printed table.
        marks: A frame of the same shape with a mark per cell (``""`` for none), shown
            after the number.
    """
    from pandas.io.formats.style import Styler

    shown = frame.map(number)
    if marks is not None:
        shown = shown + marks.where(shown != "", "")  # a blank cell stays blank
    styler = (Styler(shown, cell_ids=False).format(escape="html")
              .format_index(escape="html", axis=0).format_index(escape="html", axis=1)
              .hide(axis="index", names=True).set_caption(escape(frame.index.name))
              .set_table_attributes('class="sr-table printed"'))
    return styler.to_html()


def _templates():
    return templates("display")


def report_html(report: Report) -> str:
    """The rich display of one report (HTML; every text from the report escaped)."""
    corpus = _one_report_corpus(report)
    rid = report.report_id
    s = corpus.report_summary(rid)
    facts = report.facts
    tables: list[tuple[str, object, Markup | None]] = []
    ocr = False
    for section in TABLE_SECTIONS:
        frame = report.table(section)
        if frame.empty:
            tables.append((SECTION_ZH[section], table_count(s, section), None))
            continue
        flags = _ocr_flags(facts[facts.section == section], report.template, section, frame)
        marks = None
        if flags is not None and flags.to_numpy().any():
            ocr = True
            marks = flags.map(lambda on: MARK_OCR if on else "")
        tables.append((SECTION_ZH[section], table_count(s, section), Markup(printed_table_html(frame, marks))))
    n_prose = int(s.get("prose") or 0)
    return str(_templates().report(
        s, rid, COMPLETENESS_ZH.get(s.get("completeness") or "", s.get("completeness")), _counts_table([s]),
        _finding_lines(corpus.report_checks(rid)), report.problems, tables, n_prose,
        prose_figures(corpus, rid) if n_prose else "", ocr))


# ---------------------------------------------------------------------------- a corpus
def _counts_table(summaries: list[dict], *, with_report: bool = False) -> Markup:
    """One row per report: values per table (read/required), prose figures, findings and gaps."""
    rows = [{"who": [s.get("agency") or "（未署名）", s.get("year") or "", s.get("report_id"), s.get("template") or ""]
             if with_report else [], "tables": [table_count(s, k) for k in TABLE_SECTIONS], "prose": int(s.get("prose") or 0),
             "findings": int(s.get("findings") or 0), "not_checkable": int(s.get("not_checkable") or 0),
             "missing": int(s.get("missing") or 0), "unplaced": int(s.get("unplaced") or 0),
             "problems": int(s.get("problems") or 0)} for s in summaries]
    labels = [f"{SECTION_ZH[k].split()[0]}（读入/应有）" for k in TABLE_SECTIONS]
    return _templates().counts(labels, rows, with_report)


def corpus_headline(corpus: Corpus) -> str:
    """One line: reports, agencies, years, values, findings, unreadable files."""
    reports = corpus.reports
    n = len(corpus)
    if not n:
        return f"语料：0 份报告，无法读取的文件 {len(corpus.errors)} 个"
    years = sorted(int(y) for y in reports.year.dropna().unique())
    span = f"{years[0]}—{years[-1]}年" if len(years) > 1 else (f"{years[0]}年" if years else "年份不明")
    findings = int(reports.findings.fillna(0).sum())
    values = corpus.to_arrow("facts").num_rows  # no frame built
    return (f"语料：{n} 份报告（{reports.agency.nunique()} 个机构，{span}），数值 {values:,} 个，"
            f"勾稽问题合计 {findings} 项，无法读取的文件 {len(corpus.errors)} 个")


def _ordered(corpus: Corpus) -> tuple[list[dict], int]:
    """The first :data:`MAX_ROWS` report summaries (by agency, year, id) and how many reports there are."""
    if not len(corpus):
        return [], 0
    reports = corpus.reports.sort_values(["agency", "year", "report_id"], na_position="last")
    return reports.head(MAX_ROWS).to_dict("records"), len(reports)


def corpus_text(corpus: Corpus) -> str:
    """The plain-text display: the headline, then one line per report (the first :data:`MAX_ROWS`)."""
    summaries, n = _ordered(corpus)
    lines = [f"<Corpus> {corpus_headline(corpus)}"]
    lines += [f"  {report_headline(s)}" for s in summaries]
    if n > MAX_ROWS:
        lines.append(f"  … {n - MAX_ROWS} more")
    lines += [f"  error: {r.error}" for r in corpus.errors.head(MAX_LINES).itertuples()]
    return "\n".join(lines)


def corpus_html(corpus: Corpus) -> str:
    """The rich display of a corpus (HTML; every text from the reports and catalog escaped)."""
    summaries, n = _ordered(corpus)
    total = int(corpus.reports.findings.fillna(0).sum()) if n else 0
    items: list[tuple[str, str, str]] = []  # the first MAX_ROWS findings, looked up per report (the corpus's checks are not built)
    if total:
        for s in summaries:
            if len(items) >= MAX_ROWS:
                break
            if s.get("findings"):
                items += [(s["report_id"], table, sentence)
                          for table, sentence in _finding_lines(corpus.report_checks(s["report_id"]))]
        items = items[:MAX_ROWS]  # (the findings of the reports listed above)
    errors = [[r.path, r.error] for r in corpus.errors.head(MAX_ROWS).itertuples()]
    return str(_templates().corpus(
        corpus_headline(corpus), _counts_table(summaries, with_report=True) if summaries else "",
        n - MAX_ROWS if n > MAX_ROWS else 0, total, items, total - len(items) if total > len(items) else 0,
        len(corpus.errors), errors))


#: What each kind of file not read is called (``corpus.skipped.kind``).
KIND_ZH = {
    "doc": "Word 97-2003 文档 (.doc)", "wps": "WPS 文字文档 (.wps)", "xls": "Excel 97-2003 工作簿 (.xls)",
    "xlsx": "Excel 工作簿 (.xlsx)", "ppt": "PowerPoint 演示文稿", "ole": "OLE2 复合文档", "ofd": "OFD 版式文档 (.ofd)",
    "zip": "zip 压缩包", "mhtml": "MHTML 网页归档", "rtf": "RTF 文档", "notes": "说明文件", "report": "报告文件（目录未列）",
    "text": "文本或数据文件", "image": "图片", "pdf": "PDF", "docx": "Word 文档 (.docx)", "html": "网页",
    "unreadable": "无法打开的文件",
}


def skipped_lines(skipped: pd.DataFrame) -> list[str]:
    """``跳过 N 个文件：`` and one line per file a folder held that was not read: its kind and why.

    Example:
        >>> frame = pd.DataFrame({"path": ["a/old.xls"], "kind": ["xls"], "reason": ["an Excel 97-2003 workbook (.xls)"]})
        >>> print("\\n".join(skipped_lines(frame)))
        跳过 1 个文件：
          a/old.xls — Excel 97-2003 工作簿 (.xls)：an Excel 97-2003 workbook (.xls)
    """
    if skipped is None or not len(skipped):
        return []
    lines = [f"跳过 {len(skipped)} 个文件："]
    lines += [f"  {r.path} — {KIND_ZH.get(r.kind, r.kind)}：{r.reason}" for r in skipped.itertuples()]
    return lines
