"""The catalogue of prose metrics: which figures a report's sentences state, as data.

Layout knowledge of the prose, used by the reader (:mod:`shaoyang_report.read.prose`,
which reads every figure of the prose as a mention and maps it to a metric) and by the
checks (:mod:`shaoyang_report.check.prose`, which compares the figures with the tables
and with each other). It describes the prose as :mod:`shaoyang_report.layout` describes
the tables: the module loads and validates the catalogue and holds no rule of its own.
The words a clause names its topic, measure and scope with are the vocabulary of
:mod:`shaoyang_report.prose_vocabulary`; a metric here is a topic × measure of it.

The catalogue: ``data/prose_metrics.csv``
-----------------------------------------
One row per metric. Columns:

``item``, ``measure``
    snake_case English keys of the fact (``mayor_mailbox`` / ``closed``); the mention's
    ``metric`` is ``item.measure``.
``name_zh``
    Chinese name of the metric, used in messages.
``unit``
    The unit of the fact's value (条, 件, 个, 次, 通, %, 天, 工作日, 元, 万元).
    Money is converted: a ``万元`` metric printed as ``84565元`` gives 8.4565.
``unit_aliases``
    Other units the printed number may carry (``封 || 条`` for letters); the fact is
    still reported in ``unit``. A number in any other unit is never this metric.
``topic``
    The vocabulary topic the figure must be about (``applications``), or ``*`` (any:
    ``reposted``, ``new_media``).
``channel``
    Where the information must have been published: ``*`` (anywhere), or channel kinds
    separated by `` || ``: ``none`` (no channel named), ``several``, ``portal``,
    ``new_media`` (see the vocabulary's topics).
``measures``
    Vocabulary measures that state the metric, separated by `` || ``; ``none`` where the
    topic alone states it (专题解读15件, 行政复议案件3件, 概况类信息184条).
``with_topic``
    Another topic that must be named in the figure's own words (``25个文件制定解读材料``
    counts documents for ``interpretation``), or empty.
``share_of``
    For a share (measure ``share``, 占总数的23.4%): the measure of the same item whose
    figure, stated right before it, the share is of.
``part_after``
    ``qizhong``: once the topic is named, every figure of the item after 其中 is a part
    (mailboxes, the hotline, online messages); else only a figure after 其中 that
    states the same metric as one before it is.
``shares_number_with``
    Measures of the same item that may be stated by the very same printed number
    (``受理…140件,已全部办结`` states 140 as accepted *and* completed).
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
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import pandas as pd

from shaoyang_report.prose_vocabulary import vocabulary

__all__ = [
    "DIGIT",
    "FULLWIDTH",
    "METRICS",
    "METRICS_BY_ITEM",
    "METRIC_BY_KEY",
    "Metric",
    "ProseCatalogueError",
    "Term",
    "prose_metric_catalogue",
    "to_decimal",
]

_CATALOGUE_FILE = "prose_metrics.csv"
_CATALOGUE_COLUMNS = (
    "item", "measure", "name_zh", "unit", "unit_aliases", "topic", "channel", "measures", "with_topic",
    "share_of", "part_after", "shares_number_with", "at_most", "ratio_of", "compare_with", "compare_with_zh", "note",
)
_CHANNELS = frozenset({"none", "several", "portal", "new_media", "other"})
_SEP = " || "


class ProseCatalogueError(ValueError):
    """The prose-metric catalogue (``data/prose_metrics.csv``) is malformed.

    The message names the file, the row and the metric, and says what is wrong, e.g.
    ``prose_metrics.csv: row 12 (mayor_mailbox/closed): unknown measure 'closing'``.
    """


# --------------------------------------------------------------------------- printed numbers

#: Printed digits: ASCII and full-width.
DIGIT = "0-9０-９"
FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")


@lru_cache(maxsize=4096)
def to_decimal(printed: str) -> Decimal:
    """The value of a printed Arabic number (full-width digits, thousands commas)."""
    return Decimal(printed.translate(FULLWIDTH).replace(",", ""))


# --------------------------------------------------------------------------- catalogue

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
    """One row of the catalogue (see the module docstring for the fields)."""

    item: str
    measure: str
    name_zh: str
    unit: str
    unit_aliases: frozenset[str]
    topic: str
    channels: frozenset[str] | None       # None: any channel (``*``)
    measures: frozenset[str]               # vocabulary measures, or "none"
    with_topic: str
    share_of: str
    part_after_qizhong: bool
    shares_number_with: frozenset[str]
    at_most: str
    ratio_of: tuple[str, str] | None
    compare_with: tuple[tuple[Term, ...], ...]
    compare_with_zh: tuple[str, ...]

    @property
    def key(self) -> str:
        """``item.measure``, the mention's ``metric``."""
        return f"{self.item}.{self.measure}"


def _split(field: str | None) -> list[str]:
    return [part.strip() for part in (field or "").split(_SEP) if part.strip()]


def _catalogue_text() -> str:
    return resources.files("shaoyang_report").joinpath("data", _CATALOGUE_FILE).read_text(encoding="utf-8-sig")


def _load_catalogue() -> tuple[Metric, ...]:
    reader = csv.DictReader(io.StringIO(_catalogue_text()))
    missing = [c for c in _CATALOGUE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ProseCatalogueError(f"{_CATALOGUE_FILE}: missing columns {', '.join(missing)}")
    vocab = vocabulary()
    metrics: list[Metric] = []
    seen: set[tuple[str, str]] = set()
    for row_number, row in enumerate(reader, start=2):
        key = f"{row['item']}/{row['measure']}"
        where = f"{_CATALOGUE_FILE}: row {row_number} ({key})"
        if not _is_key(row["item"]) or not _is_key(row["measure"]):
            raise ProseCatalogueError(f"{where}: item and measure must be snake_case keys")
        if (row["item"], row["measure"]) in seen:
            raise ProseCatalogueError(f"{where}: metric listed twice")
        seen.add((row["item"], row["measure"]))
        if not row["unit"]:
            raise ProseCatalogueError(f"{where}: unit is empty")
        topic = (row["topic"] or "").strip()
        if topic != "*" and topic not in vocab.topics:
            raise ProseCatalogueError(f"{where}: unknown topic {topic!r} (data/prose_topics.csv)")
        with_topic = (row["with_topic"] or "").strip()
        if with_topic and with_topic not in vocab.topics:
            raise ProseCatalogueError(f"{where}: unknown with_topic {with_topic!r}")
        channel = (row["channel"] or "").strip()
        channels = None if channel == "*" else frozenset(_split(channel))
        if channels is not None and (not channels or channels - _CHANNELS):
            raise ProseCatalogueError(f"{where}: channel must be '*' or some of {', '.join(sorted(_CHANNELS))}")
        measures = frozenset(_split(row["measures"]))
        unknown = sorted(m for m in measures if m != "none" and m not in vocab.measures)
        if not measures or unknown:
            raise ProseCatalogueError(f"{where}: unknown measure {', '.join(unknown) or '(none given)'} "
                                      "(data/prose_measures.csv)")
        blocking = sorted(m for m in measures if m != "none" and vocab.measures[m].blocks is not None)
        if blocking:
            raise ProseCatalogueError(f"{where}: {', '.join(blocking)} blocks metrics and cannot state one")
        part_after = (row["part_after"] or "").strip()
        if part_after not in ("", "qizhong"):
            raise ProseCatalogueError(f"{where}: part_after must be empty or 'qizhong'")
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
            unit_aliases=frozenset(_split(row["unit_aliases"])), topic=topic, channels=channels,
            measures=measures, with_topic=with_topic, share_of=(row["share_of"] or "").strip(),
            part_after_qizhong=part_after == "qizhong",
            shares_number_with=frozenset(_split(row["shares_number_with"])),
            at_most=(row["at_most"] or "").strip(), ratio_of=ratio,
            compare_with=tuple(alternatives), compare_with_zh=tuple(labels),
        ))
    by_key = {(m.item, m.measure) for m in metrics}
    for m in metrics:
        for other in [m.at_most, m.share_of, *(m.ratio_of or ()), *m.shares_number_with]:
            if other and (m.item, other) not in by_key:
                raise ProseCatalogueError(f"{_CATALOGUE_FILE}: {m.item}/{m.measure} refers to unknown measure {m.item}/{other}")
        if m.share_of and m.measures != {"share"}:
            raise ProseCatalogueError(f"{_CATALOGUE_FILE}: {m.item}/{m.measure} has share_of: its measure must be 'share'")
    return tuple(metrics)


def _is_key(text: str | None) -> bool:
    """A snake_case key: lower-case ASCII letters, digits and _, a letter first."""
    return bool(text) and re.fullmatch(r"[a-z][a-z0-9_]*", text or "") is not None


#: Every metric, in catalogue order.
METRICS = _load_catalogue()
#: Each item's metrics, in catalogue order.
METRICS_BY_ITEM: dict[str, list[Metric]] = {}
for _m in METRICS:
    METRICS_BY_ITEM.setdefault(_m.item, []).append(_m)
#: The metric of each ``(item, measure)``.
METRIC_BY_KEY = {(m.item, m.measure): m for m in METRICS}


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
