"""The workbook's columns in Chinese: each column key's name and the number format its kind takes.

Names and kinds are package data (``data/columns_zh.csv``: ``name, zh, kind``), with the
indicators' own names and units (``indicators.csv``) and the scorecard's criteria
(``scorecard.csv``: ``<criterion>`` 得分, ``_status`` 结果, ``_evidence`` 依据). A kind
gives a number format (:data:`KIND_FORMATS`); ``by_unit`` says a column (``value``,
``expected`` …) takes its row's unit's.
"""

from __future__ import annotations

from functools import cache

from shaoyang_report.config import package_csv

#: A column's number format by its kind (years plain, counts, 万元, shares as printed: 62.14 → 62.14%).
KIND_FORMATS = {"year": "0", "count": "#,##0", "money": "#,##0.00", "share": '0.00"%"', "score": "0.0",
                "score01": "0.00", "decimal": "0.00##"}


@cache
def _columns_zh() -> dict[str, tuple[str, str]]:
    """Column key → (Chinese name, kind of number): ``columns_zh.csv``, the indicators', the criteria's."""
    from shaoyang_report.compare.scorecard import criteria
    from shaoyang_report.compare.years import indicators

    names = {r["name"]: (r["zh"], r["kind"]) for r in package_csv("columns_zh.csv")}
    for ind in indicators():
        kind = "share" if ind.unit == "%" else "money" if ind.unit in ("万元", "元") else "count"
        names.setdefault(ind.key, (f"{ind.name_zh}（{ind.unit}）" if ind.unit else ind.name_zh, kind))
    for c in criteria():
        names.setdefault(c.key, (f"{c.name_zh}得分", "score01"))
        names.setdefault(f"{c.key}_status", (f"{c.name_zh}结果", ""))
        names.setdefault(f"{c.key}_evidence", (f"{c.name_zh}依据", ""))
    return names


def column_kind(name: str) -> str:
    """A column's kind of number (``year``, ``count``, ``money``, ``share``, ``by_unit`` …; ``""``: none known)."""
    return _columns_zh().get(name, ("", ""))[1]


def column_zh(name: str) -> str:
    """A column's Chinese name (the key itself when none is known).

    Example:
        >>> column_zh("year"), column_zh("share_granted"), column_zh("on_time_status")
        ('年份', '予以公开占比（%）', '按时公布结果')
    """
    return _columns_zh().get(name, (name, ""))[0]


def column_format(name: str) -> str | None:
    """A numeric column's number format by its kind; None: by each row's unit, or by the number's wholeness.

    Example:
        >>> column_format("year"), column_format("fee_amount"), column_format("share_granted"), column_format("value")
        ('0', '#,##0.00', '0.00"%"', None)
    """
    return KIND_FORMATS.get(column_kind(name))
