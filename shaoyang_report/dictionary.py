"""The data dictionary: every column of the public frames, declared once.

``data/fields.csv`` declares each column's type and meaning; the frames are built,
validated and documented (README) from it.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from shaoyang_report.config import package_csv


@cache
def fields(frame: str = "facts") -> tuple[dict[str, str], ...]:
    """The declared columns of a frame (``facts``, ``checks``, ``prose_numbers``, or the ``identity`` columns of ``corpus.reports``), in order."""
    rows = package_csv("fields.csv")
    return tuple(row for row in rows if row["frame"] == frame)


def columns(frame: str = "facts") -> list[str]:
    """Column names of a frame, in order."""
    return [f["name"] for f in fields(frame)]


def build_frame(records, frame: str = "facts") -> pd.DataFrame:
    """A DataFrame of ``records`` with exactly the declared columns and dtypes.

    Args:
        records: A list of dicts (one per row), or columns: an Arrow table (texts plain
            or dictionary-encoded) with the declared columns.
        frame: ``facts``, ``checks`` or ``prose_numbers``.
    """
    if hasattr(records, "column_names"):  # an Arrow table
        return frame_from_arrow(records, [(f["name"], f["dtype"]) for f in fields(frame)])
    data = {f["name"]: pd.array([r.get(f["name"]) for r in records], dtype=f["dtype"]) for f in fields(frame)}
    return pd.DataFrame(data, copy=False)


def frame_from_arrow(table, columns) -> pd.DataFrame:
    """A DataFrame of an Arrow table's columns with the given pandas dtypes (as :func:`build_frame` makes them).

    Args:
        table: A ``pyarrow.Table``.
        columns: ``(name, dtype)`` pairs, in order (dtype ``string``, ``Int64``, ``float64``, ``boolean`` …).
    """
    import numpy as np

    data = {}
    for name, dtype in columns:
        column = table.column(name)
        pandas_dtype = pd.api.types.pandas_dtype(dtype)
        if hasattr(pandas_dtype, "__from_arrow__"):
            data[name] = pandas_dtype.__from_arrow__(column)
        else:  # numpy dtypes: a missing value becomes NaN
            data[name] = np.asarray(column.to_numpy(), dtype=pandas_dtype)
    return pd.DataFrame(data, copy=False)


def validate(df: pd.DataFrame, frame: str = "facts") -> None:
    """Check a frame against the dictionary: columns, order and dtypes.

    Raises:
        ValueError: naming the first column that does not match.
    """
    expected = columns(frame)
    if list(df.columns) != expected:
        raise ValueError(f"{frame} columns are {list(df.columns)}, expected {expected}")
    for f in fields(frame):
        if str(df[f["name"]].dtype) != str(pd.Series([], dtype=f["dtype"]).dtype):
            raise ValueError(f"{frame}.{f['name']} has dtype {df[f['name']].dtype}, expected {f['dtype']}")


def dictionary_markdown() -> str:
    """The README's data dictionary, generated from ``fields.csv``."""
    parts = []
    for frame, title in (("facts", "`report.facts`"), ("checks", "`report.checks` / `report.findings`"),
                         ("identity", "The agency's identity: `corpus.reports`, `sr.agencies(corpus)`, `report.identity`"),
                         ("prose_numbers", "`report.numbers_in_prose()`")):
        parts.append(f"#### {title}\n\n| column | type | meaning |\n|---|---|---|")
        for f in fields(frame):
            parts.append(f"| `{f['name']}` | {f['dtype']} | {f['description']} |")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


README_START, README_END = "<!-- dictionary:start -->", "<!-- dictionary:end -->"


def readme_with_dictionary(readme: str) -> str:
    """``readme`` with the text between the dictionary markers regenerated."""
    head, rest = readme.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_START}\n{dictionary_markdown()}{README_END}{tail}"

