"""A transparency scorecard: one row per agency and year, computed only from what the reports and the archive hold.

Each criterion is package data (``data/scorecard.csv``: id, Chinese name, weight, its
legal or format basis, how it is computed and when it is not known), so nothing is
hidden in code. The criteria:

* ``on_time`` — published by the deadline of the agency's level (条例 第四十九条, as
  package data ``deadlines.csv``: departments and townships 31 January, a city or
  county government's own report 31 March of the next year): from the page's date line
  (发布时间:2021-01-20 above the first heading), else the archive's ``Last-Modified``
  (``fetched/manifest.csv``) when it is on or before the deadline.
* ``tables_complete`` — tables 二, 三, 四 printed in full: values read ÷ values required.
* ``arithmetic`` — the report's own sum rules hold (no finding).
* ``carry_forward`` — 结转下年度 of year N equals 上年结转 of year N+1 (both neighbours).
* ``prose_agrees`` — the figures the prose states agree with the tables.
* ``answered_in_year`` — 1 − 结转下年度 ÷ (本年新收 + 上年结转).

A criterion whose input is missing is **not known** (score NaN, status ``not known``),
never 0: an opening-only text says nothing about the tables it does not hold — and a
text that holds none of the three tables is judged so whether or not a catalog says it
is an opening (it may be one). ``score_of_known`` is the weighted mean of the known
criteria (× 100), ``known_weight`` how much of the weight it covers; ``score`` is that
mean only when at least :data:`MIN_KNOWN_SHARE` of the weight is known (NaN otherwise: a
mean over a tenth of the weight says little).

Example:
    >>> import shaoyang_report as sr
    >>> card = scorecard(sr.read_reports("data/raw", progress=False), sources="data/raw")
    >>> row = card.set_index("report_id").loc["shaodong_niumasi_town_2020"]
    >>> float(row.on_time), row.on_time_status, row.on_time_evidence, row.tables_complete_status
    (1.0, 'met', '页面发布时间 2021-01-20，期限 2021-01-31', 'not known')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from shaoyang_report.compare.agencies import agency_levels, panel_long
from shaoyang_report.compare.grouping import agency_names
from shaoyang_report.compare.years import chosen_reports, cross_year_checks
from shaoyang_report.config import package_csv
from shaoyang_report.corpus.catalog import OPENING_ONLY
from shaoyang_report.layout import get_layout
from shaoyang_report.read.metadata import date_line  # noqa: F401 - scorecard.date_line, as before

if TYPE_CHECKING:
    from shaoyang_report.corpus.corpus import Corpus

MET, NOT_MET, PARTLY, NOT_KNOWN = "met", "not met", "partly", "not known"
#: A total score is given only when at least this share of the criteria's weight is known.
MIN_KNOWN_SHARE = 0.5
STATUS_ZH = {MET: "达标", NOT_MET: "未达标", PARTLY: "部分达标", NOT_KNOWN: "无从判断"}
#: The deadline's time zone: China Standard Time.
CST = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Criterion:
    """One criterion of ``data/scorecard.csv``."""

    key: str
    name_zh: str
    weight: float
    source_zh: str
    computed: str
    not_known_when: str


@cache
def criteria() -> tuple[Criterion, ...]:
    """The scorecard's criteria (package data ``scorecard.csv``), in order."""
    rows = package_csv("scorecard.csv")
    return tuple(Criterion(r["criterion"], r["name_zh"], float(r["weight"]), r["source_zh"], r["computed"],
                           r["not_known_when"]) for r in rows)


def criteria_table() -> pd.DataFrame:
    """The criteria as a frame (for the briefing, the workbook and the README)."""
    return pd.DataFrame([c.__dict__ for c in criteria()]).rename(columns={"key": "criterion"})


# ---------------------------------------------------------------------------- publication dates
def _read_from(paths: pd.Series, sources) -> list[bool]:
    """Whether each file (an absolute path, or missing) lies in ``sources``: is a file given, or below a folder given."""
    if sources is None:
        return [False] * len(paths)
    given = [Path(sources)] if isinstance(sources, (str, Path)) else [Path(s) for s in sources]
    absolute = {s.absolute() for s in given}
    resolved = None

    def inside(path) -> bool:
        nonlocal resolved
        if pd.isna(path):
            return False
        p = Path(path)
        if p in absolute or not absolute.isdisjoint(p.parents):
            return True
        if resolved is None:  # through symbolic links, or a path written another way
            resolved = {s.resolve() for s in given}
        p = p.resolve()
        return p in resolved or not resolved.isdisjoint(p.parents)

    return [inside(path) for path in paths]


def publication_dates(corpus: Corpus, sources=None) -> pd.DataFrame:
    """Each report's publication date and where it came from.

    The date line is the one the reader found above the report's first heading
    (``corpus.reports.published``, :func:`~shaoyang_report.read.metadata.date_line`), the
    archive's date the one the corpus kept with the report's file (``corpus.files``: the
    ``Last-Modified`` of the folder's ``fetched/manifest.csv``, as a date in China time):
    the files are not read again.

    Args:
        corpus: The corpus.
        sources: The folder(s) or files the corpus was read from: a report's dates count
            when its file lies there (is one of the files, or below one of the folders).
            None: no report's dates count.

    Returns:
        ``report_id, date_line, last_modified`` (dates or None).
    """
    files = corpus.files
    reports = corpus.reports
    printed_dates = (dict(zip(reports.report_id, reports.published))
                     if len(reports) and "published" in reports else {})
    rows = []
    for rid, counts, stamp in zip(files.report_id, _read_from(files.path, sources), files.last_modified):
        published = printed_dates.get(rid) if counts else None
        rows.append({"report_id": rid,
                     "date_line": date.fromisoformat(published) if isinstance(published, str) else None,
                     "last_modified": stamp.tz_convert(CST).date() if counts and not pd.isna(stamp) else None})
    return pd.DataFrame(rows, columns=["report_id", "date_line", "last_modified"])


# ---------------------------------------------------------------------------- criteria
@cache
def deadlines() -> dict[str, tuple[int, int, str]]:
    """Level → ``(month, day, basis)`` of the publication deadline in the year after the report's (``deadlines.csv``)."""
    rows = package_csv("deadlines.csv")
    return {r["level"]: (int(r["month"]), int(r["day"]), r["source_zh"]) for r in rows}


def _judge(when: date, year: int, level: str | None) -> tuple[bool | None, str]:
    """On time by the level's deadline; with no level, only when every level's deadline agrees."""
    table = deadlines()
    chosen = [table[level]] if level in table else list(table.values())
    verdicts = {when <= date(year + 1, m, d) for m, d, _ in chosen}
    shown = "、".join(sorted({f"{year + 1}-{m:02d}-{d:02d}" for m, d, _ in chosen}))
    return (verdicts.pop() if len(verdicts) == 1 else None), shown


def _on_time(year: int, dates: dict, level: str | None) -> tuple[float, str, str]:
    printed, modified = dates.get("date_line"), dates.get("last_modified")
    start = date(year + 1, 1, 1)
    if printed is not None and printed >= start:
        ok, deadline = _judge(printed, year, level)
        if ok is None:
            return math.nan, NOT_KNOWN, f"页面发布时间 {printed:%Y-%m-%d}；层级不明，期限 {deadline} 之间无法判断"
        return (1.0 if ok else 0.0), MET if ok else NOT_MET, f"页面发布时间 {printed:%Y-%m-%d}，期限 {deadline}"
    if modified is not None and modified >= start:
        ok, deadline = _judge(modified, year, level)
        if ok:
            return 1.0, MET, f"存档记录的页面修改时间 {modified:%Y-%m-%d}，期限 {deadline}"
    why = ("页面发布时间早于报告年度结束，不是发布日期" if printed is not None else
           f"存档记录的页面修改时间 {modified:%Y-%m-%d} 不能说明按时发布（可能是此后修改）" if modified is not None else
           "页面无发布时间，存档也未记录页面修改时间")
    return math.nan, NOT_KNOWN, why


def _gaps(missing: pd.DataFrame) -> tuple[set[str], dict[str, set[str]]]:
    """From the missing rows: the reports whose text ends inside a table, and each report's tables not in the text at all."""
    ends = {str(r) for r in missing.report_id[missing.reason == "the text ends before this row"].unique()}
    whole: dict[str, set[str]] = {}
    rows = missing[missing.item.isna() & (missing.reason == "table not in the text")]
    for rid, section in zip(rows.report_id.tolist(), rows.section.tolist()):
        whole.setdefault(str(rid), set()).add(section)
    return ends, whole


def _tables(summary: dict, ends_early: bool, whole: set[str]) -> tuple[float, str, str]:
    """Tables complete: values read of those the format prints (``ends_early``: the text ends inside a table;
    ``whole``: the tables not in the text at all)."""
    if summary.get("completeness") == OPENING_ONLY:
        return math.nan, NOT_KNOWN, "仅存档报告开头部分"
    if ends_early:
        return math.nan, NOT_KNOWN, "文本在表格结束前中断"
    if whole >= {"active_disclosure", "applications", "review_litigation"}:  # as an opening holds them: cannot judge
        return math.nan, NOT_KNOWN, "文本中三张表格都没有（可能只存有报告开头部分）"
    read = expected = 0
    parts = []
    for section, label in (("active_disclosure", "表二"), ("applications", "表三"), ("review_litigation", "表四")):
        got, _, need = str(summary.get(section, "")).partition("/")
        if not need:
            return math.nan, NOT_KNOWN, "格式不明"
        read, expected = read + int(got), expected + int(need)
        parts.append(f"{label} {got}/{need}")
    score = read / expected if expected else math.nan
    status = MET if score == 1 else NOT_MET if score == 0 else PARTLY
    return score, status, "，".join(parts)


def _rule_counts(checks: pd.DataFrame, rules: set[str]) -> dict[tuple[str, str], int]:
    """``(report_id, status) → count`` of the checks of these rules (counted once for every report)."""
    mine = checks[checks.rule.isin(rules) & checks.status.isin(["fail", "pass"])]
    return {(str(rid), str(status)): int(n) for (rid, status), n in
            mine.groupby(["report_id", "status"], sort=False, observed=True).size().items()}


def _rules(counts: dict[tuple[str, str], int], report_id: str, what: str) -> tuple[float, str, str]:
    failed, passed = counts.get((report_id, "fail"), 0), counts.get((report_id, "pass"), 0)
    if failed:
        return 0.0, NOT_MET, f"{what}不符 {failed} 项（相符 {passed} 项）"
    if passed:
        return 1.0, MET, f"{what}相符 {passed} 项"
    return math.nan, NOT_KNOWN, f"无可核对的{what}"


def _carry(agency_checks: list[tuple[int, str, str]], year: int) -> tuple[float, str, str]:
    """Carried forward as carried over: an agency's cross-year checks ``(year, status, message)`` touching ``year``."""
    mine = [(status, message) for y, status, message in agency_checks if y in (year, year - 1)]
    if not mine:
        return math.nan, NOT_KNOWN, "缺相邻年度的结转数字"
    text = "；".join(message for _, message in mine)
    return (0.0, NOT_MET, text) if any(status == "fail" for status, _ in mine) else (1.0, MET, text)


def _answered(values: dict) -> tuple[float, str, str]:
    new, over, forward = (values.get(k) for k in ("applications_received", "applications_carried_over",
                                                  "applications_carried_forward"))
    if any(v is None or math.isnan(v) for v in (new, over, forward)):
        return math.nan, NOT_KNOWN, "新收、上年结转或结转下年度未载明"
    assert new is not None and over is not None and forward is not None  # ruled out just above
    if new + over == 0:
        return math.nan, NOT_KNOWN, "本年无申请"
    score = max(0.0, 1 - forward / (new + over))
    status = MET if score == 1 else PARTLY
    return score, status, f"结转下年度 {forward:g} 件 ÷（新收 {new:g} + 上年结转 {over:g}）"


#: Columns of :func:`scorecard` with ``long=True``.
LONG_COLUMNS = ["agency", "agency_id", "level", "level_inferred", "year", "report_id", "criterion", "name_zh", "weight", "score",
                "status", "status_zh", "evidence"]


def scorecard(corpus: Corpus, sources=None, *, long: bool = False, chosen: dict | None = None,
              panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score every agency and year on the criteria of ``data/scorecard.csv``.

    Args:
        corpus: A :class:`~shaoyang_report.corpus.corpus.Corpus`.
        sources: Folder(s) or files the corpus was read from: the page's date line and
            the archive's Last-Modified (``<folder>/fetched/manifest.csv``), as the corpus
            keeps them, count for the reports whose files lie there (see
            :func:`publication_dates`). None: publication dates are not known.
        long: One row per agency, year and criterion (:data:`LONG_COLUMNS`) instead of one
            per agency and year.
        chosen: The report of each agency and year, as
            :func:`~shaoyang_report.compare.years.chosen_reports` gives it (chosen here when None).
        panel: The agency panel of those reports, every year, as
            :func:`~shaoyang_report.compare.agencies.panel_long` gives it (built here when None).

    Returns:
        Wide: ``agency, agency_id, level, level_inferred, year, report_id``, per criterion
        ``<criterion>`` (score 0–1, NaN when not known), ``<criterion>_status`` and
        ``<criterion>_evidence``, then ``score`` (weighted mean of the known criteria,
        0–100; NaN when less than :data:`MIN_KNOWN_SHARE` of the weight is known),
        ``known_weight``, ``total_weight`` and ``score_of_known`` (the mean however little
        of the weight is known; NaN when none is).
    """
    chosen = chosen if chosen is not None else chosen_reports(corpus)
    levels = agency_levels(corpus)
    if panel is None:
        panel = panel_long(corpus, chosen=chosen)
    values = dict(zip(zip(panel.report_id.tolist(), panel.indicator.tolist()), panel.value.tolist()))
    checks = corpus.checks
    table_rules = {r.key for r in get_layout().rules}
    arithmetic, prose = _rule_counts(checks, table_rules), _rule_counts(checks, {"prose_vs_table"})
    del checks
    missing = corpus.missing
    ends_early, whole = _gaps(missing[missing.report_id.isin([rf.summary["report_id"] for rf in chosen.values()])])
    dates = publication_dates(corpus, sources).drop_duplicates("report_id", keep="last").set_index("report_id").to_dict("index")
    cross: dict[str, list[tuple[int, str, str]]] = {}
    for key, rows in panel.groupby("agency_id", sort=False):
        if rows.year.nunique() > 1:
            found = cross_year_checks(rows, rows.agency.iloc[-1])  # the panel's rows hold no attrs
            cross[key] = list(zip(found.year.tolist(), found.status.astype(str).tolist(),
                                  found.message.astype(str).tolist()))
    names = agency_names(corpus.reports)
    out, wide = [], []
    for (key, year), rf in chosen.items():
        rid = rf.summary["report_id"]
        agency = names.get(key, key)
        level, inferred = levels.get(agency, (None, True))
        results = {
            "on_time": _on_time(year, dates.get(rid, {}), level),
            "tables_complete": _tables(rf.summary, rid in ends_early, whole.get(rid, set())),
            "arithmetic": _rules(arithmetic, rid, "表内勾稽"),
            "carry_forward": _carry(cross.get(key, []), year),
            "prose_agrees": _rules(prose, rid, "正文与表格核对"),
            "answered_in_year": _answered({k: values.get((rid, k)) for k in (
                "applications_received", "applications_carried_over", "applications_carried_forward")}),
        }
        head = {"agency": agency, "agency_id": key, "level": level, "level_inferred": inferred, "year": year,
                "report_id": rid}
        row = dict(head)
        known_weight, total_weight, weighted = 0.0, 0.0, 0.0
        for c in criteria():
            score, status, evidence = results[c.key]
            if long:
                out.append({**head, "criterion": c.key, "name_zh": c.name_zh, "weight": c.weight, "score": score,
                            "status": status, "status_zh": STATUS_ZH[status], "evidence": evidence})
            row[c.key], row[f"{c.key}_status"], row[f"{c.key}_evidence"] = score, status, evidence
            total_weight += c.weight
            if not math.isnan(score):
                known_weight += c.weight
                weighted += c.weight * score
        row["known_weight"], row["total_weight"] = known_weight, total_weight
        row["score_of_known"] = round(100 * weighted / known_weight, 1) if known_weight else math.nan
        row["score"] = row["score_of_known"] if known_weight >= MIN_KNOWN_SHARE * total_weight else math.nan
        wide.append(row)
    if long:
        return pd.DataFrame(out, columns=LONG_COLUMNS)
    columns = [*LONG_COLUMNS[:6], *(f"{c.key}{s}" for c in criteria() for s in ("", "_status", "_evidence")),
               "score", "known_weight", "total_weight", "score_of_known"]
    return pd.DataFrame(wide, columns=columns)
