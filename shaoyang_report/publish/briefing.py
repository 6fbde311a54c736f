"""Briefings: the numbered notebooks run headlessly and exported as self-contained HTML.

The notebooks in ``notebooks/`` are thin: each cell calls a function of this module
(or of :mod:`shaoyang_report.publish.plotting`) that returns a piece of the briefing — an HTML
table or list (:class:`Html`, escaped) or a chart (:class:`~shaoyang_report.publish.plotting.Chart`).
:func:`build_briefings` is what ``shaoyang-report briefing`` runs: it reads the corpus,
writes the tidy facts (CSV and Parquet) and the Excel workbook, then executes

* ``01-year-comparison.ipynb`` → ``briefing-<agency>.html`` (headline table of the
  latest year against the one before, charts, what cannot be compared and why,
  arithmetic findings, sources with their URLs);
* ``02-consistency-audit.ipynb`` → ``audit.html`` (every finding across the corpus, per
  agency and year, cross-year checks, what is missing or could not be placed);
* ``03-report-explorer.ipynb`` → ``report-<report_id>.html`` (one report's tables as
  printed, with its prose figures).

The notebooks are run with papermill: it adds a cell tagged ``injected-parameters``
after the cell tagged ``parameters`` (``papermill notebooks/01-year-comparison.ipynb
out.ipynb -p agency 邵阳市`` does the same from a shell). The kernel is ``python3``,
which in the virtualenv is ipykernel's own kernelspec, run with this interpreter, so a
clean clone with only ``.venv`` works (no kernelspec to register). The HTML is exported with
nbconvert's ``HTMLExporter(exclude_input=True)``; charts are PNGs embedded as base64,
no script or stylesheet is fetched from the network, and every text taken from a
report is HTML-escaped.

Example:
    >>> import shaoyang_report as sr
    >>> from shaoyang_report.publish import briefing
    >>> years = briefing.agency_years(sr.read_reports("data/raw", progress=False), "邵阳市")
    >>> years.years[0], years.years[-1], years.latest, years.previous
    (2019, 2023, 2023, 2022)
"""

from __future__ import annotations

import html
import math
import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shaoyang_report import config
from shaoyang_report.compare.years import compare_years, cross_year_checks
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.corpus.read import read_reports
from shaoyang_report.publish import plotting

#: Where the numbered notebooks live (the project checkout's ``notebooks/``).
NOTEBOOKS = config.PROJECT / "notebooks"
YEAR_COMPARISON = "01-year-comparison.ipynb"
AUDIT = "02-consistency-audit.ipynb"
EXPLORER = "03-report-explorer.ipynb"
AGENCIES = "04-agency-comparison.ipynb"  # the agency briefing (shaoyang_report.publish.agencies)

#: Indicators of the headline table, in order (those with no value in any year are left out).
HEADLINE = (
    "permit_decisions", "penalty_decisions", "permit_items", "penalty_items", "procurement_amount",
    "fee_amount", "normative_documents_issued", "normative_documents_in_force", "applications_received",
    "applications_handled", "share_granted", "review_total", "information_published",
    "hotline_satisfaction", "mailbox_completion_rate",
)
SECTION_ZH = {"active_disclosure": "表二 主动公开", "applications": "表三 依申请公开",
              "review_litigation": "表四 复议诉讼", "prose": "正文"}
MARK_DERIVED, MARK_PROSE, MARK_FINDING = "‡", "*", "!"
MARK_OCR = "°"  # read by OCR (a value with a recognition confidence)
_STATUS_ZH = {"pass": "相符", "fail": "不符", "not_checkable": "无法核对"}
_COMPLETENESS_ZH = {"complete": "完整", "opening only": "仅有报告开头部分", "": "未编目"}
_REASON_ZH = {"table not in the text": "文本中没有该表", "row not found": "未找到该行",
              "the text ends before this row": "文本在该行之前结束"}
_TABLE_SECTIONS = ("active_disclosure", "applications", "review_litigation")


class Html(str):
    """A piece of HTML a notebook displays as such (every text inside is escaped)."""

    def _repr_html_(self) -> str:
        return str(self)


class BriefingError(RuntimeError):
    """A briefing could not be built (a notebook failed, or nothing to brief on)."""


def _e(text: object) -> str:
    """Escape a text for HTML (None and NaN become empty)."""
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return ""
    return html.escape(str(text), quote=True)


def _link(url: object, text: object | None = None) -> str:
    """A link for http(s) URLs only; anything else is shown as text."""
    label = _e(text if text is not None else url)
    if isinstance(url, str) and re.match(r"^https?://", url.strip(), flags=re.I):
        return f'<a href="{_e(url.strip())}">{label}</a>'
    return label


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, table_id: str = "", caption: str = "",
           css: str = "sr-table") -> str:
    """An HTML table from already-escaped cell HTML."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    ident = f' id="{_e(table_id)}"' if table_id else ""
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f'<table class="{css}"{ident}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _number(value: float, unit: str | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if unit == "%":
        return f"{value:.2f}%"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _signed(value: float, unit: str | None = None) -> str:
    text = _number(abs(value), unit)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _slug(text: str) -> str:
    """A file-name part: letters (Chinese included) and digits kept, the rest dashed."""
    return re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_") or "agency"


# ---------------------------------------------------------------------------- data
#: Where a briefing keeps the corpus it read (Parquet, keyed by the report files' contents),
#: so that its notebooks load it instead of reading every report again. The
#: ``SHAOYANG_CORPUS_CACHE`` environment variable moves it; set it to an empty string to
#: read the reports every time.
CORPUS_CACHE = config.PROCESSED / "cache"


def corpus_cache() -> Path | None:
    """The corpus cache folder in force (see :data:`CORPUS_CACHE`), or None when switched off."""
    chosen = os.environ.get("SHAOYANG_CORPUS_CACHE")
    if chosen is None:
        return CORPUS_CACHE
    return Path(chosen) if chosen.strip() else None


def load_corpus(data_folder: str | Path | Sequence[str | Path] = config.RAW,
                catalog: str | Path | None = None, *, workers: int = 1) -> Corpus:
    """Read the reports a briefing is made from (or load them from the corpus cache).

    The corpus read is kept in :func:`corpus_cache`, keyed by the files' paths and
    contents, their catalog and the package's code: the briefing's notebooks, each in
    its own kernel, load it from there instead of reading every report again.

    Args:
        data_folder: A folder of reports (with its ``catalog.csv``), or a list of files.
        catalog: A catalog CSV to use instead of the folder's.
        workers: Processes to read with.

    Returns:
        The :class:`~shaoyang_report.corpus.corpus.Corpus`.
    """
    import warnings

    source = [Path(p) for p in data_folder] if isinstance(data_folder, (list, tuple)) else Path(data_folder)
    with warnings.catch_warnings():  # in a kernel without ipywidgets tqdm.auto warns on import; no bar is shown
        warnings.simplefilter("ignore")
        import tqdm.auto  # noqa: F401
    return read_reports(source, catalog=catalog, progress=False, workers=workers, cache=corpus_cache())


def default_agency(corpus: Corpus) -> str:
    """The agency a briefing is about when none is named: the one with most years read.

    Ties go to the agency with more values read from tables, then the name.

    Raises:
        BriefingError: The corpus holds no report that names its agency.
    """
    reports = corpus.reports
    if reports.empty or reports.agency.dropna().empty:
        raise BriefingError("no report in the corpus names its agency; nothing to brief on")
    facts = corpus.facts
    table_values = facts[facts.section != "prose"].groupby("agency").size()
    scores = {a: (g.year.nunique(), int(table_values.get(a, 0)), a) for a, g in reports.groupby("agency")}
    return max(scores, key=lambda a: (scores[a][0], scores[a][1], [-ord(c) for c in a]))


@dataclass
class AgencyYears:
    """Everything the year-comparison briefing shows about one agency.

    Attributes:
        corpus: The corpus read.
        agency: The agency (as named for comparison).
        comparison: :func:`~shaoyang_report.compare_years` for the agency.
        cross_year: :func:`~shaoyang_report.cross_year_checks` on it.
        reports: The agency's rows of ``corpus.reports``.
        years: Every year from the first to the last report or catalog entry.
        latest: The last of those years.
        previous: The year before it (None when the span is one year).
        charts: Charts drawn so far (see :func:`chart`).
        by_key: Comparison rows by ``(indicator, year)``, filled on first use.
        flagged: Where the agency's reports print a total that does not add up
            (``"<report_id> <location>"``): values read there are marked ``!``.
    """

    corpus: Corpus
    agency: str
    comparison: pd.DataFrame
    cross_year: pd.DataFrame
    reports: pd.DataFrame
    years: list[int] = field(default_factory=list)
    latest: int | None = None
    previous: int | None = None
    charts: dict[str, plotting.Chart] = field(default_factory=dict, repr=False)
    by_key: dict[tuple[str, int], tuple] = field(default_factory=dict, repr=False)
    flagged: set[str] = field(default_factory=set, repr=False)


def agency_years(corpus: Corpus, agency: str | None = None) -> AgencyYears:
    """Compare one agency's years (the data behind the year-comparison notebook).

    Args:
        corpus: The corpus.
        agency: The agency; default :func:`default_agency`.

    Raises:
        ValueError: The agency is not in the corpus.
    """
    agency = agency or default_agency(corpus)
    comparison = compare_years(corpus, agency=agency)
    years = sorted(int(y) for y in comparison.year.unique())
    reports = corpus.reports
    reports = reports[reports.agency == agency].sort_values(["year", "report_id"]).reset_index(drop=True)
    latest = years[-1]
    previous = latest - 1 if latest - 1 in years else None
    found = corpus.findings
    flagged = {f"{r.report_id} {where}" for r in found[found.agency == agency].itertuples()
               for where in str(r.locations).partition(" ← ")[0].split("; ")}
    return AgencyYears(corpus=corpus, agency=agency, comparison=comparison,
                       cross_year=cross_year_checks(comparison, agency), reports=reports,
                       years=years, latest=latest, previous=previous, flagged=flagged)


def _row(b: AgencyYears, indicator: str, year: int | None):
    """The comparison row of an indicator and year (a named tuple), or None."""
    if not b.by_key:
        b.by_key.update({(r.indicator, int(r.year)): r for r in b.comparison.itertuples(index=False)})
    return b.by_key.get((indicator, year)) if year is not None else None


def _value_cell(row, flagged: frozenset[str] | set[str] = frozenset()) -> str:
    """A value with its marks (‡ derived, * prose, ! a total that does not add up), or why it is missing."""
    if row is None:
        return '<span class="gap">—</span>'
    if isinstance(row.value, float) and math.isnan(row.value):
        reason = row.why_missing_zh if isinstance(row.why_missing_zh, str) else "无数据"
        short = plotting.WHY_SHORT.get(reason, reason)
        return f'<span class="gap" title="{_e(reason)}">{_e(short)}</span>'
    kind = plotting.basis_kind(row.basis)
    mark = {plotting.BASIS_DERIVED: MARK_DERIVED, plotting.BASIS_PROSE: MARK_PROSE}.get(kind, "")
    css = {plotting.BASIS_DERIVED: "derived", plotting.BASIS_PROSE: "prose"}.get(kind, "printed")
    if plotting.read_by_ocr(row.basis):
        mark += MARK_OCR
    if flagged and isinstance(row.source, str) and any(p in flagged for p in re.split(r"; | ÷ ", row.source)):
        mark += MARK_FINDING
    sup = f'<sup class="mk">{mark}</sup>' if mark else ""
    return f'<span class="{css}">{_e(_number(row.value, row.unit))}</span>{sup}'


def _legend(notes: Sequence[str], comparison: pd.DataFrame | None = None) -> str:
    """The marks' legend; the OCR mark's line only when a value of ``comparison`` was read by OCR."""
    ocr = comparison is not None and any(plotting.read_by_ocr(basis) for basis in comparison.basis)
    items = [f"<li><b>{MARK_DERIVED}</b> 由次年报告的“上一年”栏（上一年项目数量、上年结转）推得，非该年报告所印</li>",
             f"<li><b>{MARK_PROSE}</b> 正文所述数字（非表格），各年表述与口径可能不同</li>",
             *([f"<li><b>{MARK_OCR}</b> 由扫描件或图片经文字识别（OCR）读出，置信度见事实表 confidence 列</li>"]
               if ocr else []),
             f"<li><b>{MARK_FINDING}</b> 报告印出的总数与其各项之和不符，或由这样的总数算得（见“勾稽问题”）</li>",
             "<li><span class=\"gap\">灰字</span> 该年无数值及原因：无报告＝无该年报告；仅开头＝只有报告开头部分，无表格；"
             "格式无此项＝该年的全国格式不含此项；未载明＝报告未写；空白＝报告中该格为空（不是0）</li>"]
    items += [f"<li>{_e(n)}</li>" for n in notes]
    return '<ul class="notes">' + "".join(items) + "</ul>"


def _name_cell(row: pd.Series, marks: Mapping[str, str]) -> str:
    mark = marks.get(row.indicator, "")
    return f'{_e(row.name_zh)}<sup class="mk">{_e(mark)}</sup>' if mark else _e(row.name_zh)


def _with_values(comparison: pd.DataFrame) -> list[str]:
    has = comparison.groupby("indicator", sort=False).value.apply(lambda v: v.notna().any())
    return [k for k in comparison.indicator.drop_duplicates() if has.get(k, False)]


# ---------------------------------------------------------------------------- 01: year comparison
def title(b: AgencyYears) -> Html:
    """The briefing's heading and one paragraph saying what it covers."""
    complete = b.reports[b.reports.completeness.fillna("") == "complete"]
    read = "、".join(f"{int(y)}年" for y in sorted(b.reports.year.dropna().unique()))
    note = (f"共读入该机构 {len(b.reports)} 份报告（{read}），其中完整报告 {len(complete)} 份。"
            if len(b.reports) else "")
    return Html(f'<h1 class="sr-title">{_e(b.agency)} 政府信息公开工作年度报告：{b.years[0]}—{b.years[-1]}年比较</h1>'
                f'<p class="lead">本简报由 shaoyang_report 从各年《政府信息公开工作年度报告》自动生成。{_e(note)}'
                "数字均按报告原样引用，不作更正；报告自身算不平的地方列在“勾稽问题”中。</p>")


def coverage(b: AgencyYears) -> Html:
    """Per year: which report, which format, what it holds — and what is missing."""
    derived_years = {int(r.year) for r in b.comparison.itertuples()
                     if plotting.basis_kind(r.basis) == plotting.BASIS_DERIVED}
    rows = []
    for year in b.years:
        mine = b.reports[b.reports.year == year]
        if mine.empty:
            rows.append([f"{year}年", '<span class="gap">无</span>', "—", '<span class="gap">无该年报告</span>',
                         f"无法与{year - 1}年、{year + 1}年比较" if year not in (b.years[0], b.years[-1]) else "无法比较"])
            continue
        for r in mine.itertuples():
            tables = [f"{SECTION_ZH[s].split()[0]} {getattr(r, s)}" for s in _TABLE_SECTIONS]
            content = f"表格值 {'，'.join(tables)}；正文数字 {int(r.prose)} 项"
            completeness = _COMPLETENESS_ZH.get(r.completeness if isinstance(r.completeness, str) else "", r.completeness)
            notes = []
            if year in derived_years:
                notes.append(f"部分数值由{year + 1}年报告的“上一年”栏推得（标{MARK_DERIVED}）")
            if int(r.findings):
                notes.append(f"勾稽问题 {int(r.findings)} 项")
            rows.append([f"{year}年", _link(r.url, r.report_id) if isinstance(r.url, str) and r.url else _e(r.report_id),
                         _e(r.template), f"{_e(completeness)}<br><small>{_e(content)}</small>", _e("；".join(notes))])
    return Html(_table(["年份", "报告", "格式", "完整程度与内容", "说明"], rows, table_id="coverage"))


def _latest_pair(b: AgencyYears) -> int | None:
    """The later year of the latest pair of consecutive years with an indicator stated in both, or None."""
    compared = b.comparison[b.comparison.change_abs.notna()]
    return int(compared.year.max()) if len(compared) else None


def _why_not_compared(b: AgencyYears, years: Sequence[int]) -> str:
    """Why two years share no indicator: each year's commonest reason for a gap."""
    parts = []
    for year in years:
        reasons = b.comparison[(b.comparison.year == year) & b.comparison.value.isna()].why_missing_zh.dropna()
        parts.append(f"{year}年：{reasons.mode().iloc[0] if len(reasons) else '无数值'}")
    return "；".join(parts)


def headline(b: AgencyYears) -> Html:
    """The latest pair of years that can be compared; one line when the two latest years cannot be."""
    keys = [k for k in HEADLINE if k in set(_with_values(b.comparison))]
    marks, notes = plotting.caveat_marks(b.comparison, keys)
    pair = _latest_pair(b)
    lead = ""
    if b.previous is not None and pair != b.latest:
        lead = (f'<p class="gap" id="headline-note">{b.previous}→{b.latest}年：没有两年都有数值的指标'
                f"（{_e(_why_not_compared(b, (b.previous, b.latest)))}）。"
                + (f"下表为最近一次可比较的相邻两年 {pair - 1}→{pair}年。" if pair else "没有任何相邻两年可比较。") + "</p>")
        if pair is None:
            return Html(lead)
    years = [pair - 1, pair] if pair is not None else [y for y in (b.previous, b.latest) if y is not None]
    rows = []
    for key in keys:
        series = b.comparison[b.comparison.indicator == key].sort_values("year")
        first = series.iloc[0]
        cells = [_name_cell(first, marks), _e(first.unit)]
        cells += [_value_cell(_row(b, key, y), b.flagged) for y in years]
        latest = _row(b, key, years[-1])
        if latest is not None and not math.isnan(latest.change_abs):
            change = _signed(latest.change_abs, latest.unit)
            if not math.isnan(latest.change_rel):
                change += f"（{_signed(latest.change_rel, '%')}）"
            cells.append(_e(change))
        else:
            cells.append('<span class="gap">无法比较</span>')
        pairs = series[series.change_abs.notna()]
        if len(pairs):
            last = pairs.iloc[-1]
            before = _row(b, key, int(last.year) - 1)
            rel = "" if math.isnan(last.change_rel) else f"（{_signed(last.change_rel, '%')}）"
            cells.append(f"{int(last.year) - 1}→{int(last.year)}年：{_value_cell(before, b.flagged)} → {_value_cell(last, b.flagged)}，"
                         f"{_e(_signed(last.change_abs, last.unit))}{_e(rel)}")
        else:
            cells.append('<span class="gap">没有相邻两年都有数值</span>')
        rows.append(cells)
    headers = ["指标", "单位", *[f"{y}年" for y in years], f"{years[-1]}年较上年变化" if len(years) == 2 else "变化",
               "最近一次可比的相邻两年"]
    names = b.comparison.drop_duplicates("indicator").set_index("indicator").name_zh
    omitted = [names[k] for k in HEADLINE if k not in keys and k in names.index]
    tail = f'<p class="small">各年均无数值、未列入上表的指标：{_e("、".join(omitted))}。</p>' if omitted else ""
    return Html(lead + _table(headers, rows, table_id="headline") + _legend(notes, b.comparison) + tail)


def gaps(b: AgencyYears) -> Html:
    """Which year-to-year comparisons the data can make, and which it cannot and why."""
    items = []
    cmp = b.comparison
    names = cmp.drop_duplicates("indicator").set_index("indicator").name_zh
    for year in b.years[1:]:
        before, now = cmp[cmp.year == year - 1].set_index("indicator"), cmp[cmp.year == year].set_index("indicator")
        both = [k for k in now.index if not math.isnan(now.loc[k, "value"]) and not math.isnan(before.loc[k, "value"])]
        missing = [k for k in now.index if k not in both]
        reasons: dict[str, int] = {}
        for k in missing:
            for y, side in ((year - 1, before), (year, now)):
                if math.isnan(side.loc[k, "value"]):
                    why = side.loc[k, "why_missing_zh"]
                    label = f"{y}年：{why if isinstance(why, str) else '无数值'}"
                    reasons[label] = reasons.get(label, 0) + 1
        reason_text = "；".join(f"{label}（{n} 项）" for label, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
        if not both:
            items.append(f'<li class="cannot"><b>{year - 1}→{year}年：无法比较任何指标。</b>{_e(reason_text)}。</li>')
            continue
        shown = []
        for k in both:
            marks = "".join(m for m, on in (
                (MARK_DERIVED, plotting.BASIS_DERIVED in {plotting.basis_kind(before.loc[k, "basis"]), plotting.basis_kind(now.loc[k, "basis"])}),
                (MARK_PROSE, plotting.BASIS_PROSE in {plotting.basis_kind(before.loc[k, "basis"]), plotting.basis_kind(now.loc[k, "basis"])}),
                (MARK_OCR, plotting.read_by_ocr(before.loc[k, "basis"]) or plotting.read_by_ocr(now.loc[k, "basis"])),
            ) if on)
            shown.append(f"{names[k]}{marks}")
        items.append(f"<li><b>{year - 1}→{year}年：可比较 {len(both)} 项</b>（{_e('、'.join(shown))}）；"
                     f"其余 {len(missing)} 项无法比较：{_e(reason_text)}。</li>")
    no_value = [names[k] for k in names.index if cmp[cmp.indicator == k].value.isna().all()]
    if no_value:
        items.append(f"<li>各年均无数值的指标（{len(no_value)} 项）：{_e('、'.join(no_value))}。</li>")
    return Html('<ul class="gaps" id="gaps">' + "".join(items) + "</ul>")


def comparison_full(b: AgencyYears) -> Html:
    """Every indicator with a value in some year, year by year, with marks and reasons for gaps."""
    keys = _with_values(b.comparison)
    marks, notes = plotting.caveat_marks(b.comparison, keys)
    rows = []
    for key in keys:
        series = b.comparison[b.comparison.indicator == key]
        first = series.iloc[0]
        rows.append([_name_cell(first, marks), _e(first.unit), *[_value_cell(_row(b, key, y), b.flagged) for y in b.years]])
    return Html(_table(["指标", "单位", *[f"{y}年" for y in b.years]], rows, table_id="comparison")
                + _legend(notes, b.comparison))


def _location_of_total(locations: object) -> str:
    text = locations if isinstance(locations, str) else ""
    return text.partition(" ← ")[0]


def findings(b: AgencyYears) -> Html:
    """The agency's arithmetic findings and cross-year checks, stated plainly."""
    corpus_findings = b.corpus.findings
    mine = corpus_findings[corpus_findings.agency == b.agency].sort_values(["year", "report_id"])
    checks = b.corpus.checks
    checks = checks[checks.agency == b.agency]
    items = []
    for r in mine.itertuples():
        where = _location_of_total(r.locations)
        items.append(f"<li><b>{_e(r.year)}年报告（{_e(r.report_id)}），{_e(SECTION_ZH.get(r.section, r.section))}</b>："
                     f"{_e(r.message)}{f'（总数印于 {_e(where)}）' if where else ''}。</li>")
    for r in b.cross_year.itertuples():
        css = "fail" if r.status == "fail" else "pass"
        items.append(f'<li class="{css}"><b>跨年核对 {_e(r.report_id)}</b>：{_e(r.message)}。</li>')
    counts = checks.status.value_counts()
    summary = (f"<p>该机构各报告共核对 {len(checks)} 项：相符 {int(counts.get('pass', 0))} 项，"
               f"不符 {int(counts.get('fail', 0))} 项，无法核对（格为空或缺）{int(counts.get('not_checkable', 0))} 项；"
               f"跨年核对 {len(b.cross_year)} 项，不符 {int((b.cross_year.status == 'fail').sum())} 项。</p>")
    if not items:
        items.append("<li>未发现勾稽问题。</li>")
    return Html(summary + '<ul class="findings" id="findings">' + "".join(items) + "</ul>")


def sources(b: AgencyYears | Corpus) -> Html:
    """The reports used, with the URLs of the published pages (from the catalog)."""
    reports = b.reports if isinstance(b, AgencyYears) else b.reports
    rows = []
    for r in reports.sort_values(["agency", "year", "report_id"]).itertuples():
        url = r.url if isinstance(r.url, str) and r.url else ""
        completeness = _COMPLETENESS_ZH.get(r.completeness if isinstance(r.completeness, str) else "", r.completeness)
        rows.append([_e(r.agency), _e(r.year), _e(r.report_id), _e(completeness), _e(r.source),
                     _link(url) if url else '<span class="gap">（目录中无网址）</span>'])
    return Html(_table(["机构", "年份", "报告", "完整程度", "文件", "网址"], rows, table_id="sources"))


def chart(b: AgencyYears, name: str) -> plotting.Chart:
    """One of the briefing's charts (see :data:`shaoyang_report.publish.plotting.BRIEFING_CHARTS`), drawn once."""
    if name not in b.charts:
        b.charts[name] = plotting.BRIEFING_CHARTS[name](b.comparison, b.agency)
    return b.charts[name]


def save_charts(b: AgencyYears, folder: str | Path) -> list[Path]:
    """Write every briefing chart as a PNG into ``folder`` (``<agency>-<chart>.png``)."""
    from shaoyang_report.atomic import write_bytes

    folder = Path(folder)
    return [write_bytes(folder / f"{_slug(b.agency)}-{name}.png", chart(b, name).png)
            for name in plotting.BRIEFING_CHARTS]


# ---------------------------------------------------------------------------- 02: consistency audit
def audit_summary(corpus: Corpus, agency: str | None = None) -> Html:
    """The audit's heading: how many reports, agencies, checks and findings."""
    reports = corpus.reports
    checks = corpus.checks
    if agency:
        reports = reports[reports.agency == agency]
        checks = checks[checks.agency == agency]
    counts = checks.status.value_counts()
    scope = _e(agency) if agency else "全部机构"
    return Html(f'<h1 class="sr-title">政府信息公开工作年度报告：勾稽与缺失核查（{scope}）</h1>'
                f'<p class="lead">共读入 {len(reports)} 份报告，涉及 {reports.agency.nunique()} 个机构、'
                f"{reports.year.nunique()} 个年份；无法读取的文件 {len(corpus.errors)} 个。"
                f"表内勾稽共核对 {len(checks)} 项：相符 {int(counts.get('pass', 0))} 项，"
                f"<b>不符 {int(counts.get('fail', 0))} 项</b>，无法核对 {int(counts.get('not_checkable', 0))} 项。"
                "数字均按报告原样引用，不作更正。</p>")


def write_audit(corpus: Corpus, folder: str | Path, agency: str | None = None) -> Path:
    """Write every finding and every cross-year check to ``audit-findings.csv`` in ``folder``."""
    from shaoyang_report.corpus.export import write_frame

    agencies = sorted(a for a in corpus.reports.agency.dropna().unique() if not agency or a == agency)
    frames = [corpus.findings if not agency else corpus.findings[corpus.findings.agency == agency]]
    for name in agencies:
        if corpus.reports[corpus.reports.agency == name].year.nunique() > 1:
            frames.append(cross_year_checks(compare_years(corpus, agency=name), name))
    frames = [f for f in frames if len(f)]
    frame = pd.concat(frames, ignore_index=True) if frames else corpus.findings
    return write_frame(frame, Path(folder) / "audit-findings.csv")


def audit_overview(corpus: Corpus, agency: str | None = None) -> Html:
    """One row per report: agency, year, format, values read per table, checks and findings."""
    reports = corpus.reports
    if agency:
        reports = reports[reports.agency == agency]
    checks = corpus.checks
    passed = checks[checks.status == "pass"].groupby("report_id", sort=False).size()  # once, not per report
    rows = []
    for r in reports.sort_values(["agency", "year", "report_id"]).itertuples():
        mine = {"pass": passed.get(r.report_id, 0)}
        completeness = _COMPLETENESS_ZH.get(r.completeness if isinstance(r.completeness, str) else "", r.completeness)
        css = ' class="fail"' if int(r.findings) else ""
        rows.append([_e(r.agency), _e(r.year), _e(r.report_id), _e(r.template), _e(completeness),
                     *[_e(getattr(r, s)) for s in _TABLE_SECTIONS], _e(int(r.prose)),
                     _e(int(mine.get("pass", 0))), f"<b{css}>{int(r.findings)}</b>", _e(int(r.not_checkable)),
                     _e(int(r.missing)), _e(int(r.unplaced))])
    return Html(_table(["机构", "年份", "报告", "格式", "完整程度", "表二", "表三", "表四", "正文数字", "相符",
                        "不符", "无法核对", "缺失", "无法归位"], rows, table_id="audit-overview"))


def audit_findings(corpus: Corpus, agency: str | None = None) -> Html:
    """Every failing check, per agency and year, with where the numbers were printed."""
    found = corpus.findings
    if agency:
        found = found[found.agency == agency]
    if found.empty:
        return Html('<p id="audit-findings">语料中未发现勾稽问题。</p>')
    rows = []
    for r in found.sort_values(["agency", "year", "report_id"]).itertuples():
        rows.append([_e(r.agency), _e(r.year), _e(r.report_id), _e(SECTION_ZH.get(r.section, r.section)),
                     _e(r.rule_zh), _e(_number(r.expected)), _e(_number(r.printed)), _e(_signed(r.difference)),
                     _e(r.message), f"<small>{_e(r.locations)}</small>"])
    return Html(_table(["机构", "年份", "报告", "表", "规则", "各项之和", "印出的总数", "相差", "说明", "位置"],
                       rows, table_id="audit-findings"))


def audit_cross_year(corpus: Corpus, agency: str | None = None) -> Html:
    """Cross-year checks for every agency with reports in consecutive years."""
    agencies = sorted(a for a in corpus.reports.agency.dropna().unique() if not agency or a == agency)
    rows = []
    for name in agencies:
        years = set(corpus.reports[corpus.reports.agency == name].year.dropna().astype(int))
        if not any(y + 1 in years for y in years):
            continue
        for r in cross_year_checks(compare_years(corpus, agency=name), name).itertuples():
            rows.append([_e(name), _e(r.report_id), f'<span class="{_e(r.status)}">{_e(_STATUS_ZH.get(r.status, r.status))}</span>',
                         _e(r.message), f"<small>{_e(r.locations)}</small>"])
    if not rows:
        return Html('<p id="audit-cross-year">没有可作跨年核对的相邻两年（同一机构相邻两年都有数值）。</p>')
    return Html(_table(["机构", "年份", "结果", "说明", "位置"], rows, table_id="audit-cross-year"))


def audit_missing(corpus: Corpus, agency: str | None = None) -> Html:
    """What each report's format requires but its text lacks, one row per report and kind of gap."""
    from shaoyang_report.layout import get_layout

    missing = corpus.missing
    reports = corpus.reports.set_index("report_id")
    if agency:
        missing = missing[missing.report_id.map(reports.agency) == agency]
    if missing.empty:
        return Html('<p id="audit-missing">各报告均含其格式要求的全部表格和行。</p>')
    layout = get_layout()
    rows = []
    order = {rid: i for i, rid in enumerate(reports.sort_values(["agency", "year"]).index)}
    groups = sorted(missing.groupby("report_id", sort=False), key=lambda g: order.get(g[0], len(order)))
    for rid, report_gaps in groups:
        meta = reports.loc[rid] if rid in reports.index else None
        who = [_e(meta.agency if meta is not None else ""), _e(meta.year if meta is not None else ""), _e(rid)]
        whole = report_gaps[report_gaps.item.isna()]
        if len(whole):
            tables = "、".join(SECTION_ZH.get(s, s).split()[0] for s in whole.section)
            rows.append([*who, _e(tables), _e("、".join(_REASON_ZH.get(r, r) for r in whole.reason.unique())), "整张表"])
        for (section, reason), group in report_gaps[report_gaps.item.notna()].groupby(["section", "reason"], sort=False):
            labels = [layout.column_label(section, "item", k) for k in group.item]
            what = f"{len(labels)} 行：{'、'.join(labels[:5])}{' …' if len(labels) > 5 else ''}"
            rows.append([*who, _e(SECTION_ZH.get(section, section).split()[0]), _e(_REASON_ZH.get(reason, reason)), _e(what)])
    return Html(_table(["机构", "年份", "报告", "表", "原因", "缺什么"], rows, table_id="audit-missing"))


def audit_unplaced(corpus: Corpus, agency: str | None = None) -> Html:
    """Numbers printed in a table section that could not be placed in a row, and unreadable files."""
    unplaced = corpus.unplaced
    if agency:
        unplaced = unplaced[unplaced.report_id.map(corpus.reports.set_index("report_id").agency) == agency]
    parts = []
    if unplaced.empty:
        parts.append('<p id="audit-unplaced">没有无法归位的数字。</p>')
    else:
        rows = [[_e(r.report_id), _e(SECTION_ZH.get(r.section, r.section)), _e(r.raw), _e(r.location)]
                for r in unplaced.itertuples()]
        parts.append(_table(["报告", "表", "印出的数字", "位置"], rows, table_id="audit-unplaced"))
    if len(corpus.errors):
        rows = [[_e(r.path), _e(r.error)] for r in corpus.errors.itertuples()]
        parts.append("<p>无法读取的文件：</p>" + _table(["文件", "错误"], rows, table_id="audit-errors"))
    else:
        parts.append("<p>所有文件均可读取。</p>")
    return Html("".join(parts))


# ---------------------------------------------------------------------------- 03: report explorer
def _report_row(corpus: Corpus, report_id: str) -> pd.Series:
    """The report's summary (looked up by id)."""
    if report_id not in corpus:
        ids = corpus.report_ids
        listed = ", ".join(ids[:10]) + (f" … ({len(ids)} reports)" if len(ids) > 10 else "")
        raise KeyError(f"no report {report_id!r} in the corpus; it holds {listed}")
    return pd.Series(corpus.report_summary(report_id), dtype=object)


def default_report(corpus: Corpus, agency: str | None = None) -> str:
    """The report the explorer shows when none is named: the latest with the most table values."""
    reports = corpus.reports
    if agency:
        reports = reports[reports.agency == agency]
    if reports.empty:
        raise BriefingError("no report to explore")
    values = reports[list(_TABLE_SECTIONS)].map(lambda t: int(str(t).split("/")[0])).sum(axis=1)
    order = reports.assign(_v=values).sort_values(["_v", "year"], ascending=False)
    return str(order.report_id.iloc[0])


def explorer_reports(corpus: Corpus, agency: str) -> list[str]:
    """The reports a briefing shows with the explorer: the agency's reports with tables, one per year.

    Of several reports of one year, the most complete (as :func:`~shaoyang_report.compare_years`
    picks it: a complete text before an opening, then more tables, then more values;
    the first read on a tie).
    """
    reports = corpus.reports
    if reports.empty:
        return []
    reports = reports[(reports.agency == agency) & reports.tables_read.fillna("").astype(bool)]
    chosen: dict[object, tuple] = {}
    for order, r in enumerate(reports.itertuples()):
        values = sum(int(str(getattr(r, s)).split("/")[0]) for s in _TABLE_SECTIONS) + int(r.prose)
        key = (r.completeness != "opening only", len(str(r.tables_read).split(",")) + (r.prose > 0), values, -order)
        year = None if pd.isna(r.year) else int(r.year)
        if year not in chosen or key > chosen[year][0]:
            chosen[year] = (key, r.report_id)
    return [rid for _, (_, rid) in sorted(chosen.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))]


#: At most this many reports get a sheet of printed tables in the briefing's workbook.
WORKBOOK_REPORT_SHEETS = 100


def tables_read(corpus: Corpus, agency: str | None = None) -> list[str]:
    """Report ids (of an agency) from which at least one table was read."""
    reports = corpus.reports
    if agency:
        reports = reports[reports.agency == agency]
    return [r.report_id for r in reports.sort_values(["year", "report_id"]).itertuples()
            if isinstance(r.tables_read, str) and r.tables_read]


def report_header(corpus: Corpus, report_id: str) -> Html:
    """The report's agency, year, format, source and URL."""
    r = _report_row(corpus, report_id)
    completeness = _COMPLETENESS_ZH.get(r.completeness if isinstance(r.completeness, str) else "", r.completeness)
    printed = f"（报告自称：{_e(r.agency_printed)}）" if isinstance(r.agency_printed, str) and r.agency_printed else ""
    url = _link(r.url) if isinstance(r.url, str) and r.url else "目录中无网址"
    return Html(f'<h1 class="sr-title">{_e(r.agency)} {_e(r.year)}年政府信息公开工作年度报告</h1>'
                f'<p class="lead">{printed}报告 {_e(r.report_id)}，格式 {_e(r.template)}，{_e(completeness)}；'
                f"文件 {_e(r.source)}；原文：{url}。勾稽问题 {_e(r.findings)} 项。</p>")


def _printed_table_html(frame: pd.DataFrame, table_id: str) -> str:
    headers = [_e(frame.index.name), *[_e(c) for c in frame.columns]]
    rows = []
    for label, values in frame.iterrows():
        cells = [_e(label)]
        for v in values:
            cells.append(_e(_number(v)) if not (isinstance(v, float) and math.isnan(v)) else '<span class="gap"></span>')
        rows.append(cells)
    return _table(headers, rows, table_id=table_id, css="sr-table printed")


def printed_tables(corpus: Corpus, report_id: str) -> Html:
    """The report's tables 二, 三, 四 as printed (Chinese labels, blank cells left blank)."""
    parts = []
    for section in _TABLE_SECTIONS:
        frame = corpus.table(report_id, section)
        if frame.empty:
            parts.append(f'<h3>{_e(SECTION_ZH[section])}</h3><p class="gap">报告中没有读到这张表。</p>')
        else:
            parts.append(f"<h3>{_e(SECTION_ZH[section])}</h3>" + _printed_table_html(frame, f"table-{section}"))
    return Html("".join(parts))


def report_findings(corpus: Corpus, report_id: str) -> Html:
    """The report's own checks that fail, and how many pass or cannot be made."""
    mine = corpus.report_checks(report_id)
    counts = mine.status.value_counts()
    items = [f"<li><b>{_e(SECTION_ZH.get(r.section, r.section))}</b>：{_e(r.message)}"
             f"（{_e(r.locations)}）</li>" for r in mine[mine.status == "fail"].itertuples()]
    head = (f"<p>共核对 {len(mine)} 项：相符 {int(counts.get('pass', 0))} 项，不符 {int(counts.get('fail', 0))} 项，"
            f"无法核对 {int(counts.get('not_checkable', 0))} 项。</p>")
    return Html(head + ('<ul class="findings">' + "".join(items) + "</ul>" if items else ""))


def _prose_names() -> dict[tuple[str, str], str]:
    from shaoyang_report.prose_metrics import prose_metric_catalogue

    catalogue = prose_metric_catalogue()
    return {(r.item, r.measure): r.name_zh for r in catalogue.itertuples()}


def prose_figures(corpus: Corpus, report_id: str) -> Html:
    """The figures stated in the report's prose, each with its sentence and place."""
    facts = corpus.report_facts(report_id)
    prose = facts[facts.section == "prose"]
    if prose.empty:
        return Html('<p class="gap" id="prose">正文中没有识别出的数字。</p>')
    names = _prose_names()
    rows = [[_e(names.get((r.item, r.measure), f"{r.item}/{r.measure}")), _e(_number(r.value, r.unit)), _e(r.unit),
             f'<span class="sentence">{_e(r.raw)}</span>', f"<small>{_e(r.location)}</small>"]
            for r in prose.itertuples()]
    return Html(_table(["指标", "数值", "单位", "原句", "位置"], rows, table_id="prose"))


def write_report_facts(corpus: Corpus, report_id: str, folder: str | Path) -> Path:
    """Write one report's facts to ``report-<report_id>-facts.csv`` in ``folder``."""
    from shaoyang_report.corpus.export import write_frame

    return write_frame(corpus.report_facts(report_id), Path(folder) / f"report-{_slug(report_id)}-facts.csv")


# ---------------------------------------------------------------------------- running notebooks
def _literal(value: object) -> object:
    """A parameter value papermill writes as a Python literal (paths as strings)."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_literal(v) for v in value]
    return value


def run_notebook(path: str | Path, parameters: Mapping[str, object] | None = None, *, timeout: int = 600):
    """Execute a notebook headlessly with parameters, with papermill.

    papermill adds a cell tagged ``injected-parameters`` after the cell tagged
    ``parameters`` and runs the notebook in the ``python3`` kernel, in the notebook's
    folder. Kernel traffic is encrypted (CurveZMQ) where this jupyter_client and pyzmq can.

    Args:
        path: The ``.ipynb`` file.
        parameters: Name → value (str, int, float, bool, None, paths, or lists of them).
        timeout: Seconds a cell may run.

    Returns:
        The executed notebook (nbformat node); the file itself is not changed.

    Raises:
        BriefingError: The notebook has no cell tagged ``parameters`` while parameters
            are given, or a cell raised an error (the message names the notebook and the error).
    """
    import nbformat
    import papermill
    import zmq
    from jupyter_client import KernelManager
    from traitlets.config import Config

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    if parameters and not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        raise BriefingError(f"{path.name}: the notebook has no cell tagged 'parameters'")
    config = Config()
    if zmq.has("curve") and "transport_encryption" in KernelManager.class_trait_names():
        config.KernelManager.transport_encryption = "auto"
    try:
        return papermill.execute_notebook(
            nb, None, parameters={k: _literal(v) for k, v in (parameters or {}).items()}, kernel_name="python3",
            progress_bar=False, execution_timeout=timeout, config=config, shutdown_kernel="immediate",
            resources={"metadata": {"path": str(path.parent)}})  # the kernel's working folder
    except papermill.PapermillExecutionError as exc:
        raise BriefingError(f"{path.name}: a cell failed:\n{exc}") from None


_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{% block extra_css %}<style type="text/css">__CSS__</style>{% endblock extra_css %}
"""

_CSS = """
body, .jp-Notebook, .jp-RenderedHTMLCommon { font-family: "Noto Sans CJK SC", "Source Han Sans SC",
  "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 0 16px 48px; }
.jp-RenderedHTMLCommon { font-size: 15px; line-height: 1.65; }
.sr-title { font-size: 26px; margin: 20px 0 8px; }
.lead { color: #333; }
.jp-RenderedHTMLCommon table.sr-table { border-collapse: collapse; margin: 8px 0 4px; font-size: 13.5px;
  table-layout: auto; }
.jp-RenderedHTMLCommon table.sr-table th { background: #e8eef6; text-align: left; padding: 4px 8px;
  border: 1px solid #c9d3e0; }
.jp-RenderedHTMLCommon table.sr-table td { padding: 3px 8px; border: 1px solid #dde3ea; vertical-align: top;
  text-align: left; max-width: 40em; }
.jp-RenderedHTMLCommon table.sr-table.printed td:not(:first-child),
.jp-RenderedHTMLCommon table.sr-table.printed th:not(:first-child) { text-align: right; min-width: 3.5em; }
.jp-RenderedHTMLCommon table.sr-table tbody tr:nth-child(odd) { background: #fafbfc; }
.gap { color: #8a8a8a; }
.derived { font-style: italic; }
.prose { text-decoration: underline dotted; }
sup.mk { color: #b03a2e; font-weight: bold; margin-left: 1px; }
ul.notes { font-size: 12.5px; color: #555; margin-top: 2px; }
ul.gaps li.cannot, .fail { color: #b03a2e; }
.pass { color: #2a7d4f; }
ul.findings li { margin: 4px 0; }
.small, small { font-size: 12px; color: #555; }
.sentence { color: #333; }
img.sr-chart { max-width: 100%; height: auto; display: block; margin: 6px 0; }
"""


def export_html(nb, path: str | Path, *, title: str) -> Path:
    """Export an executed notebook as one self-contained HTML file, code hidden.

    Uses nbconvert's ``HTMLExporter(exclude_input=True)`` on the ``lab`` template with
    the network scripts (require.js, MathJax, mermaid) left out; images stay embedded
    as base64 data URIs.

    Args:
        nb: The executed notebook.
        path: The HTML file to write (written beside and renamed into place).
        title: The page title (escaped).
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        embed_images=True, extra_loaders=[DictLoader({"briefing.html.j2": _TEMPLATE.replace("__CSS__", _CSS)})],
        template_file="briefing.html.j2",
    )
    if "language_code" in exporter.trait_names():
        exporter.language_code = "zh-CN"
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    from shaoyang_report.atomic import write_text

    return write_text(path, body)


# ---------------------------------------------------------------------------- the command's job
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
    return str(Path(data_folder).resolve())


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
) -> BriefingOutputs:
    """Write the briefing, the audit, the report pages, the facts and the workbook.

    Every file, those the notebooks write included (charts, ``audit-findings.csv``,
    report facts), is written into a staging folder first and renamed into
    ``output_folder`` only when all are written (:class:`~shaoyang_report.atomic.OutputSet`):
    a failed or interrupted build leaves the previous files as they were.

    Args:
        data_folder: A folder of reports (with ``catalog.csv``) or a list of report files.
        output_folder: Where everything is written (created if needed).
        agency: The agency of the year-comparison briefing; default :func:`default_agency`.
        catalog: A catalog CSV to use instead of the folder's.
        reports: Report ids to export with the explorer notebook; default: the agency's
            reports from which a table was read, one per year (:func:`explorer_reports`).
        audit: Also export the consistency audit (``audit.html``).
        progress: Called with a short message before each step (e.g. ``print``).
        workers: Processes to read the reports with. The corpus read is kept in
            :func:`corpus_cache`, from where each notebook loads it.
        agencies: Also export the agency briefing (``agencies.html``: scorecard, panel,
            findings per agency; notebook ``04-agency-comparison``) and add its sheets to
            the workbook.

    Returns:
        The files written and the time taken.

    Raises:
        BriefingError: A notebook failed or the corpus holds nothing to brief on.
    """
    from shaoyang_report.atomic import OutputSet
    from shaoyang_report.corpus.export import write_frame
    from shaoyang_report.publish.workbook import write_workbook

    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    out = Path(output_folder)
    say("reading the reports")
    corpus = load_corpus(data_folder, catalog, workers=workers)
    if not len(corpus):
        raise BriefingError(f"no report could be read from {data_folder}")
    b = agency_years(corpus, agency)
    outputs = BriefingOutputs()
    with OutputSet(out) as staged:
        stage = staged.stage
        say(f"facts and workbook for {len(corpus)} report(s)")
        facts = corpus.facts
        outputs.files["facts.csv"] = staged.final(write_frame(facts, stage / "facts.csv"))
        outputs.files["facts.parquet"] = staged.final(write_frame(facts, stage / "facts.parquet"))
        explorer_ids = list(reports) if reports is not None else explorer_reports(corpus, b.agency)
        with_tables = tables_read(corpus)
        sheet_ids = list(dict.fromkeys([r for r in explorer_ids if r in set(with_tables)] + with_tables))
        notes = []
        if len(sheet_ids) > WORKBOOK_REPORT_SHEETS:
            notes.append(f"{len(sheet_ids):,} 份报告读到了表格，本工作簿只为其中 {WORKBOOK_REPORT_SHEETS} 份各设一张表"
                         f"（先列 {b.agency} 的报告）；其余报告的数值见“事实 facts”表及 facts.parquet。")
            sheet_ids = sheet_ids[:WORKBOOK_REPORT_SHEETS]
        tables = {rid: {s: corpus.table(rid, s) for s in _TABLE_SECTIONS} for rid in sheet_ids}
        findings_all = pd.concat([corpus.findings, b.cross_year[b.cross_year.status == "fail"]], ignore_index=True) \
            if len(b.cross_year) else corpus.findings
        outputs.files["workbook.xlsx"] = staged.final(write_workbook(
            stage / "workbook.xlsx", facts=facts, findings=findings_all, comparison=b.comparison, tables=tables,
            sources=corpus.reports[["report_id", "agency", "agency_printed", "year", "template", "completeness", "url",
                                    "source"]], facts_files=["facts.parquet", "facts.csv"], notes=notes,
            sheets=_agency_sheets(corpus, data_folder) if agencies else None))
        del facts
        params = {"data_folder": _sources_arg(data_folder),
                  "catalog": str(Path(catalog).resolve()) if catalog else None,
                  "output_folder": str(stage.resolve())}  # what the notebooks write is staged too
        say(f"year comparison for {b.agency}")
        nb = run_notebook(NOTEBOOKS / YEAR_COMPARISON, {"agency": b.agency, **params})
        outputs.files["briefing"] = staged.final(export_html(
            nb, stage / f"briefing-{_slug(b.agency)}.html",
            title=f"{b.agency} 政府信息公开年度报告 {b.years[0]}—{b.years[-1]}年比较"))
        if audit:
            say("consistency audit of the corpus")
            nb = run_notebook(NOTEBOOKS / AUDIT, {"agency": None, **params})
            outputs.files["audit"] = staged.final(
                export_html(nb, stage / "audit.html", title="政府信息公开年度报告 勾稽与缺失核查"))
        if agencies:
            say("agency comparison and scorecard")
            nb = run_notebook(NOTEBOOKS / AGENCIES, {"year": None, **params})
            outputs.files["agencies"] = staged.final(
                export_html(nb, stage / "agencies.html", title="政府信息公开年度报告 各机构比较与透明度评分"))
        for rid in explorer_ids:
            say(f"report explorer for {rid}")
            nb = run_notebook(NOTEBOOKS / EXPLORER, {"report_id": rid, **params})
            outputs.files[f"report:{rid}"] = staged.final(export_html(nb, stage / f"report-{_slug(rid)}.html",
                                                                      title=f"{rid} 报告表格与正文数字"))
        say(f"moving {len(staged.staged_files())} file(s) into {out}")
    outputs.seconds = time.perf_counter() - started
    return outputs


def _agency_sheets(corpus: Corpus, sources) -> dict[str, pd.DataFrame]:
    """The agency scorecard, its criteria and the panel, for the workbook."""
    from shaoyang_report.publish.agencies import agency_panel, scorecard_frames

    return scorecard_frames(agency_panel(corpus, sources=sources))
