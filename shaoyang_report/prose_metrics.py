"""The catalogue of prose metrics: which figures a report's sentences state, as data.

Layout knowledge of the prose, used by the reader (:mod:`shaoyang_report.read.prose`,
which finds the figures) and by the checks (:mod:`shaoyang_report.check.prose`, which
compares them with the tables and with each other). It describes the prose as
:mod:`shaoyang_report.layout` describes the tables: the module loads and validates the
two CSV files of package data and holds no rule of its own.

The catalogue: ``data/prose_metrics.csv``
-----------------------------------------
One row per metric. All layout knowledge lives there; the reader has no if-branch
about a particular phrase. Columns:

``item``, ``measure``
    snake_case English keys of the fact (``mayor_mailbox`` / ``closed``).
``name_zh``
    Chinese name of the metric, used in messages.
``unit``
    The unit of the fact's value (条, 件, 个, 次, 通, %, 天, 工作日, 元, 万元).
    Money is converted: a ``万元`` metric printed as ``84565元`` gives 8.4565.
``unit_aliases``
    Other measure words the printed number may carry (``封 || 条`` for letters); the
    fact is still reported in ``unit``.
``topic``
    Regular expression naming the subject of the item (``[市县区]长信箱``). Every row of
    an item repeats the same topic. A number belongs to an item only if that item's
    topic is the *active topic* at the number: the last topic named before the number in
    its clause (clauses are split on ``,，:：``), else the first named after it in the
    clause, else the last named in an earlier clause of the same sentence. So
    ``市长信箱共受理各类信件1718件,办结1655件`` gives 1655 to the mailbox, and in
    ``12345热线和市长信箱共受理1000件`` (two topics joined by 和/及/与/、) nothing is
    given to anybody.
``patterns``
    One or more regular expressions separated by `` || `` (space, two bars, space; a
    plain ``|`` inside a pattern is ordinary alternation). Each holds exactly one
    ``{N}``, the number. Macros: ``{N}`` a number (Arabic with optional 万/亿/千
    multiplier, or Chinese numerals), ``{GAP}`` any text within the clause (``[^,，:：]*?``),
    ``{WORDS}`` the same but not across the enumeration comma ``、``, ``{PCT}`` ``%`` or
    ``％``. Patterns are matched on the sentence with the contents of 《书名号》 masked,
    so words inside document titles never trigger a metric.
``not_before``
    Optional regular expression; if it matches the sentence text before the number, the
    row does not take the number (``其中`` marks a part — another agency, the portal —
    not the total; ``累计`` may be cumulative over years). ``{TOPIC}`` stands for the
    item's topic: ``{TOPIC}.*?其中(?![^()（）]*[)）])`` is 其中 after the subject was
    named and not closed by a parenthesis, so in ``12345热线共受理来电1000件,其中转办300件,
    直接答复700件,满意率98%`` the 98% (perhaps the direct answers' rate) is not read,
    while ``受理来信100件(其中转办30件),办结98件`` still gives 98.
``shares_number_with``
    Measures of the same item that may be stated by the very same printed number
    (``受理…140件,已全部办结`` states 140 as accepted *and* completed). A number claimed
    by two metrics not declared compatible is ambiguous and is emitted for neither.
``at_most``
    Measure of the same item this one cannot exceed (closed ≤ received) — rule
    ``closed_le_received``.
``ratio_of``
    ``numerator / denominator`` (measures of the same item) the stated percentage is
    computed from — rule ``stated_rate``.
``compare_with``, ``compare_with_zh``
    Table facts the prose figure must equal — rule ``prose_vs_table``. Alternatives are
    separated by `` || ``; each alternative is a sum of terms ``section/item/measure/
    applicant`` joined by `` + `` (``*`` matches anything). The check passes if any
    alternative equals the prose figure. ``compare_with_zh`` names the alternatives.
``note``
    Why the row is written as it is.

Non-metric measure words: ``data/prose_non_metric_words.csv``
---------------------------------------------------------------
Columns ``item`` (a catalogue item, or ``*`` for every item), ``words`` (regular
expressions separated by `` || ``) and ``note``. They are the measure words a report
uses for figures the catalogue does not have — 不予受理, 转办, 退回, 予以公开, 不予公开,
按时办结率, 日均, 同比… — and they block: a number whose own words hold one is emitted
under no metric of the item, even when a catalogue word is inside (不予**受理**12件) or
earlier in the clause (受理来信中转办30件).

"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

import pandas as pd

from shaoyang_report.quick_regex import quick_search

__all__ = [
    "DIGIT",
    "FULLWIDTH",
    "MACROS",
    "METRICS",
    "METRICS_BY_ITEM",
    "METRIC_BY_KEY",
    "NON_METRIC_BY_ITEM",
    "TOPIC_RES",
    "Metric",
    "ProseCatalogueError",
    "Term",
    "load_non_metric_words",
    "non_metric_text",
    "prose_metric_catalogue",
    "to_decimal",
]

_CATALOGUE_FILE = "prose_metrics.csv"
_NON_METRIC_FILE = "prose_non_metric_words.csv"
_CATALOGUE_COLUMNS = (
    "item", "measure", "name_zh", "unit", "unit_aliases", "topic", "patterns", "not_before",
    "shares_number_with", "at_most", "ratio_of", "compare_with", "compare_with_zh", "note",
)
_SEP = " || "


class ProseCatalogueError(ValueError):
    """The prose-metric catalogue (``data/prose_metrics.csv``) is malformed.

    The message names the file, the row and the metric, and says what is wrong, e.g.
    ``prose_metrics.csv: row 12 (mayor_mailbox/closed): pattern has 0 {N}, expected 1``.
    """


# --------------------------------------------------------------------------- printed numbers

#: Printed digits: ASCII and full-width.
DIGIT = "0-9０-９"
FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")


def to_decimal(printed: str) -> Decimal:
    """The value of a printed Arabic number (full-width digits, thousands commas)."""
    return Decimal(printed.translate(FULLWIDTH).replace(",", ""))


# --------------------------------------------------------------------------- catalogue

_NUMBER_PATTERN = (
    rf"\s*(?P<n>(?<![{DIGIT}.．])(?:[{DIGIT}]{{1,3}}(?:,[{DIGIT}]{{3}})+|[{DIGIT}]+)(?:[.．][{DIGIT}]+)?"
    rf"(?:[万亿](?!元)|千)?(?![{DIGIT}])|[零〇一二两三四五六七八九十百千万亿]+)\s*"  # PDF text: "2428 条"
)
MACROS = {
    "{N}": _NUMBER_PATTERN,
    "{GAP}": r"[^,，:：]*?",
    "{WORDS}": r"[^,，:：、]*?",
    "{PCT}": r"[%％]",
}


@dataclass(frozen=True, slots=True)
class Term:
    """One table fact a prose figure is compared with: ``section/item/measure/applicant`` (``*`` any)."""

    section: str
    item: str
    measure: str
    applicant: str

    def label(self) -> str:
        return "/".join((self.section, self.item, self.measure, self.applicant))


@dataclass(frozen=True, slots=True)
class Metric:
    """One row of the catalogue, its patterns compiled (see the module docstring for the fields)."""

    item: str
    measure: str
    name_zh: str
    unit: str
    unit_aliases: frozenset[str]
    patterns: tuple[re.Pattern, ...]
    not_before: re.Pattern | None
    shares_number_with: frozenset[str]
    at_most: str
    ratio_of: tuple[str, str] | None
    compare_with: tuple[tuple[Term, ...], ...]
    compare_with_zh: tuple[str, ...]


def _split(field: str | None) -> list[str]:
    return [part.strip() for part in (field or "").split(_SEP) if part.strip()]


def _catalogue_text() -> str:
    return resources.files("shaoyang_report").joinpath("data", _CATALOGUE_FILE).read_text(encoding="utf-8-sig")


def _load_catalogue() -> tuple[tuple[Metric, ...], tuple[tuple[re.Pattern, str], ...]]:
    reader = csv.DictReader(io.StringIO(_catalogue_text()))
    missing = [c for c in _CATALOGUE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ProseCatalogueError(f"{_CATALOGUE_FILE}: missing columns {', '.join(missing)}")
    metrics: list[Metric] = []
    topics: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for row_number, row in enumerate(reader, start=2):
        key = f"{row['item']}/{row['measure']}"
        where = f"{_CATALOGUE_FILE}: row {row_number} ({key})"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", row["item"] or "") or not re.fullmatch(r"[a-z][a-z0-9_]*", row["measure"] or ""):
            raise ProseCatalogueError(f"{where}: item and measure must be snake_case keys")
        if (row["item"], row["measure"]) in seen:
            raise ProseCatalogueError(f"{where}: metric listed twice")
        seen.add((row["item"], row["measure"]))
        if not row["unit"]:
            raise ProseCatalogueError(f"{where}: unit is empty")
        topic = (row["topic"] or "").strip()
        if not topic:
            raise ProseCatalogueError(f"{where}: topic is empty")
        if topics.setdefault(row["item"], topic) != topic:
            raise ProseCatalogueError(f"{where}: topic differs from the item's first row")
        patterns = []
        for text in _split(row["patterns"]):
            count = text.count("{N}")
            if count != 1:
                raise ProseCatalogueError(f"{where}: pattern has {count} {{N}}, expected 1: {text}")
            for macro, expansion in MACROS.items():
                text = text.replace(macro, expansion)
            try:
                patterns.append(quick_search(re.compile(text)))
            except re.error as exc:
                raise ProseCatalogueError(f"{where}: pattern does not compile ({exc}): {text}") from None
        if not patterns:
            raise ProseCatalogueError(f"{where}: no pattern")
        try:
            re.compile(topic)
            # {TOPIC} in not_before is the item's topic (其中 after the subject was named)
            not_before = row["not_before"].replace("{TOPIC}", f"(?:{topic})")
            not_before = quick_search(re.compile(not_before)) if not_before else None
        except re.error as exc:
            raise ProseCatalogueError(f"{where}: topic or not_before does not compile ({exc})") from None
        ratio = None
        if row["ratio_of"]:
            parts = [p.strip() for p in row["ratio_of"].split("/")]
            if len(parts) != 2 or not all(parts):
                raise ProseCatalogueError(f"{where}: ratio_of must be 'numerator / denominator'")
            ratio = (parts[0], parts[1])
        alternatives = []
        for alternative in _split(row["compare_with"]):
            terms = []
            for term in alternative.split(" + "):
                pieces = term.strip().split("/")
                if len(pieces) != 4:
                    raise ProseCatalogueError(f"{where}: compare_with term {term!r} must be section/item/measure/applicant")
                terms.append(Term(*pieces))
            alternatives.append(tuple(terms))
        labels = _split(row["compare_with_zh"])
        if len(labels) != len(alternatives):
            raise ProseCatalogueError(f"{where}: compare_with_zh must name each compare_with alternative")
        metrics.append(Metric(
            item=row["item"], measure=row["measure"], name_zh=row["name_zh"], unit=row["unit"],
            unit_aliases=frozenset(_split(row["unit_aliases"])), patterns=tuple(patterns),
            not_before=not_before, shares_number_with=frozenset(_split(row["shares_number_with"])),
            at_most=(row["at_most"] or "").strip(), ratio_of=ratio,
            compare_with=tuple(alternatives), compare_with_zh=tuple(labels),
        ))
    by_key = {(m.item, m.measure) for m in metrics}
    for m in metrics:
        for other in [m.at_most, *(m.ratio_of or ()), *m.shares_number_with]:
            if other and (m.item, other) not in by_key:
                raise ProseCatalogueError(f"{_CATALOGUE_FILE}: {m.item}/{m.measure} refers to unknown measure {m.item}/{other}")
    # one regex per item, matched separately: topics may overlap (政府信息公开信息处理费
    # names 公开信息 and 信息处理费), and the later one must not be hidden by the earlier
    topic_res = tuple((quick_search(re.compile(pattern)), item) for item, pattern in topics.items())
    return tuple(metrics), topic_res


#: Every metric, in catalogue order; and each item's topic regex, ``(regex, item)``.
METRICS, TOPIC_RES = _load_catalogue()
#: Each item's metrics, in catalogue order.
METRICS_BY_ITEM: dict[str, list[Metric]] = {}
for _m in METRICS:
    METRICS_BY_ITEM.setdefault(_m.item, []).append(_m)
#: The metric of each ``(item, measure)``.
METRIC_BY_KEY = {(m.item, m.measure): m for m in METRICS}


def non_metric_text() -> str:
    """The text of ``data/prose_non_metric_words.csv``."""
    return resources.files("shaoyang_report").joinpath("data", _NON_METRIC_FILE).read_text(encoding="utf-8-sig")


def load_non_metric_words(items: Iterable[str]) -> dict[str, re.Pattern]:
    """One regex per catalogue item: its non-metric measure words and those of every item (``*``)."""
    reader = csv.DictReader(io.StringIO(non_metric_text()))
    missing = [c for c in ("item", "words", "note") if c not in (reader.fieldnames or [])]
    if missing:
        raise ProseCatalogueError(f"{_NON_METRIC_FILE}: missing columns {', '.join(missing)}")
    known = set(items)
    words: dict[str, list[str]] = {}
    for row_number, row in enumerate(reader, start=2):
        item = (row["item"] or "").strip()
        where = f"{_NON_METRIC_FILE}: row {row_number} ({item or 'no item'})"
        if item != "*" and item not in known:
            raise ProseCatalogueError(f"{where}: item is neither '*' nor an item of {_CATALOGUE_FILE}")
        parts = _split(row["words"])
        if not parts:
            raise ProseCatalogueError(f"{where}: no words")
        for part in parts:
            try:
                re.compile(part)
            except re.error as exc:
                raise ProseCatalogueError(f"{where}: {part!r} does not compile ({exc})") from None
        words.setdefault(item, []).extend(parts)
    return {item: quick_search(re.compile("|".join(f"(?:{w})" for w in words.get(item, []) + words.get("*", [])) or "(?!)"))
            for item in known}


#: Each item's non-metric measure words (its own and those of every item) as one regex.
NON_METRIC_BY_ITEM = load_non_metric_words(METRICS_BY_ITEM)


def prose_metric_catalogue() -> pd.DataFrame:
    """The catalogue of prose metrics (``data/prose_metrics.csv``) as a DataFrame.

    Returns:
        One row per metric with the columns described in the module docstring.

    Example:
        >>> cat = prose_metric_catalogue()
        >>> cat.loc[cat["item"].eq("mayor_mailbox"), "measure"].tolist()[:3]
        ['received', 'closed', 'completion_rate']
    """
    return pd.read_csv(io.StringIO(_catalogue_text()), dtype=str, keep_default_na=False)

