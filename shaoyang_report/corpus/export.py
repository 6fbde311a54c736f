"""Writing frames for colleagues: CSV that spreadsheets open safely.

Text cells that a spreadsheet would run as a formula (``=…``, ``+…``, ``@…``, or
``-…`` that is not a number) are written with a leading apostrophe, so a hostile label
in a source document cannot become a formula in someone's Excel.

Files are written atomically (:func:`shaoyang_report.atomic.replacing`): a crash while
writing leaves the previous file, never a shorter one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from shaoyang_report.atomic import replacing

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?[^\d]{0,2}$")


def defuse(text: object) -> object:
    """Make a text cell safe from spreadsheet formula injection.

    Example:
        >>> defuse("=HYPERLINK(\\"http://x\\")"), defuse("-56"), defuse("行政许可")
        ('\\'=HYPERLINK("http://x")', '-56', '行政许可')
    """
    if isinstance(text, str) and text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text columns (``category`` columns of texts too) are defused (see :func:`defuse`).

    Only the cells that begin like a formula are looked at one by one (a vectorised
    ``startswith`` finds them), so a frame of millions of rows is defused in a moment.
    """
    out = df.copy(deep=False)
    for col in out.columns:
        column = out[col]
        if isinstance(column.dtype, pd.CategoricalDtype):  # the corpus frames' texts: each distinct text once
            texts = column.cat.categories
            if texts.dtype == object or isinstance(texts.dtype, pd.StringDtype):
                defused = safe_frame(pd.DataFrame({"text": texts}))["text"]
                if not defused.equals(pd.Series(texts, name="text")):
                    out[col] = column.cat.rename_categories(defused.tolist()) if defused.is_unique \
                        else column.astype(object).map(defuse, na_action="ignore")
            continue
        if not (column.dtype == object or isinstance(column.dtype, pd.StringDtype)):
            continue
        try:
            risky = column.str.startswith(_FORMULA_START, na=False).to_numpy(dtype=bool)
        except (AttributeError, TypeError, ValueError):  # not texts after all: every cell
            risky = None
        if risky is None:
            out[col] = column.map(defuse, na_action="ignore").astype(column.dtype)
        elif risky.any():
            values = column.copy()
            values[risky] = [defuse(v) for v in column[risky]]
            out[col] = values
    return out


def write_frame(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a frame as CSV (UTF-8 with BOM, so Excel shows Chinese) or Parquet, by suffix.

    The file is written beside and renamed into place: it is the old file or the whole
    new one, whatever happens while writing.

    Returns:
        ``path``.
    """
    path = Path(path)
    with replacing(path) as tmp:
        if path.suffix.lower() == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            safe_frame(df).to_csv(tmp, index=False, encoding="utf-8-sig")
    return path
