"""The corpus's columns: each frame's fields, its Arrow schema, and records turned into columns and back.

A corpus keeps every frame as Apache Arrow columns, each text column
dictionary-encoded (an agency, a label or a location printed in many reports is stored
once); the public frames have the dtypes of :func:`shaoyang_report.dictionary.build_frame`.

Example:
    >>> [name for name, _ in frame_fields("problems")]
    ['report_id', 'location', 'message']
    >>> to_pandas(arrow_table(record_columns([{"report_id": "a", "location": "line 3"}], "problems"),
    ...                       "problems"), "problems")
      report_id location message
    0         a   line 3    <NA>
"""

from __future__ import annotations

import operator
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa

from shaoyang_report import dictionary
from shaoyang_report.read.report import MISSING_COLUMNS, PROBLEM_COLUMNS, RECORD_FRAMES, UNPLACED_COLUMNS

#: ``corpus.skipped``: the files below a folder that were not read as reports, and why.
SKIPPED_COLUMNS = ["path", "kind", "reason"]
#: The frames a corpus keeps per report, in this order.
FRAMES = RECORD_FRAMES
_OTHER_COLUMNS = {"missing": MISSING_COLUMNS, "unplaced": UNPLACED_COLUMNS, "problems": PROBLEM_COLUMNS}
_ARROW_TYPES = {"string": pa.dictionary(pa.int32(), pa.string()), "Int64": pa.int64(), "float64": pa.float64(),
                "boolean": pa.bool_()}


@cache
def frame_fields(frame: str) -> tuple[tuple[str, str], ...]:
    """``(column, dtype)`` of a frame (the data dictionary's for facts and checks; texts for the others)."""
    if frame in _OTHER_COLUMNS:
        return tuple((c, "string") for c in _OTHER_COLUMNS[frame])
    return tuple((f["name"], f["dtype"]) for f in dictionary.fields(frame))


@cache
def frame_schema(frame: str) -> pa.Schema:
    """The corpus's own Arrow schema of a frame: texts dictionary-encoded."""
    return pa.schema([(name, _ARROW_TYPES[dtype]) for name, dtype in frame_fields(frame)])


def _arrow_array(values: list, dtype: str) -> pa.Array:
    """One column as Arrow; values that Arrow will not take as they are go through pandas (as build_frame does)."""
    try:
        return pa.array(values, type=_ARROW_TYPES[dtype])
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        normal = pd.array(values, dtype=dtype)
        if dtype == "string":
            return pa.array(normal, type=pa.large_string()).cast(pa.string()).dictionary_encode()
        return pa.array(np.asarray(normal, dtype=float) if dtype == "float64" else normal, type=_ARROW_TYPES[dtype])


def arrow_table(columns: dict[str, list], frame: str) -> pa.Table:
    """Columns of a frame (name → values, every field of the frame) as one Arrow table of :func:`frame_schema`."""
    fields = frame_fields(frame)
    return pa.Table.from_arrays([_arrow_array(columns[name], dtype) for name, dtype in fields],
                                schema=frame_schema(frame))


def to_pandas(table: pa.Table, frame: str = "facts") -> pd.DataFrame:
    """A frame of the corpus's columns with the public dtypes (those of :func:`dictionary.build_frame`).

    Args:
        table: Columns of ``frame`` (dictionary-encoded or plain texts).
        frame: ``facts``, ``checks``, ``missing``, ``unplaced`` or ``problems``.
    """
    return dictionary.frame_from_arrow(table, frame_fields(frame))


def compact_frame(table: pa.Table, frame: str = "facts") -> pd.DataFrame:
    """A frame of the corpus's columns as compact as the store: the corpus frames' dtypes.

    Each text column becomes a ``category`` column on the store's dictionary (each
    distinct text held once, a small integer code per row; no Python string per row);
    numbers, years and flags keep the public dtypes (``year`` stays ``Int64``: in a
    smaller integer, ``year * 100 + month`` would overflow). The values and column names
    are those of :func:`to_pandas`: :func:`public_dtypes` of it equals it.

    Args:
        table: Columns of ``frame`` (texts dictionary-encoded, as the corpus keeps them).
        frame: ``facts``, ``checks``, ``missing``, ``unplaced`` or ``problems``.
    """
    fields = frame_fields(frame)
    frame_df = dictionary.frame_from_arrow(table, [(name, dtype) for name, dtype in fields if dtype != "string"])
    for position, (name, dtype) in enumerate(fields):
        if dtype == "string":
            column = table.column(name)
            if not pa.types.is_dictionary(column.type):
                column = column.dictionary_encode()
            # a Categorical on the chunks' dictionaries unified (each text once, as in the store)
            frame_df.insert(position, name, column.to_pandas())
            pa.default_memory_pool().release_unused()  # what unifying the dictionaries took
            drop_lookup(frame_df[name].cat.categories)
    return frame_df


def release_freed_memory() -> None:
    """Hand the memory freed while building a frame back to the system.

    Arrow's pool keeps what it freed until asked (``release_unused``); glibc's ``malloc``
    keeps freed blocks of the heap in the process (``malloc_trim``), so a process that
    built a frame of a million rows through temporaries otherwise holds them as if in use.
    Elsewhere than glibc only Arrow's pool is asked.
    """
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim():
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def drop_lookup(index: pd.Index) -> None:
    """Free the hash table pandas builds on an index to check it (every text as a Python string).

    Checking a category column's texts unique builds it and pandas keeps it; a column
    of texts that are nearly all different (a check's message, a number as printed)
    would hold each twice. It is built again on the first lookup that needs it.
    """
    getattr(index, "_cache", {}).pop("_engine", None)  # pandas' cache of the index (not public)


def rows_of(frame: pd.DataFrame, mask, shared: tuple[str, ...] = ()) -> pd.DataFrame:
    """The rows of a :func:`compact_frame` where ``mask`` holds, each category column naming only the texts it holds
    (a count by value lists no text of the rows left out).

    Args:
        frame: A :func:`compact_frame`.
        mask: Which rows.
        shared: Category columns that keep ``frame``'s texts instead: columns of texts
            nearly every row has its own (a check's message), which a count by value
            would not group, held once for both frames instead of copied.
    """
    rows = frame[mask].reset_index(drop=True)
    for name, dtype in rows.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype) and name not in shared:
            rows[name] = rows[name].cat.remove_unused_categories()
            drop_lookup(rows[name].cat.categories)
    return rows


def count_by(frame: pd.DataFrame, column: str) -> dict[str, int]:
    """Rows of ``frame`` per value of ``column`` (a text column, ``category`` or not), keyed by plain texts.

    A count grouped on a ``category`` column is indexed by a ``CategoricalIndex``, and
    looking a text up in one that holds a few of many categories can overflow its codes
    (pandas 3.1: ``OverflowError: Python integer 545 out of bounds for int8``); a dict
    of plain texts looks up safely.

    Example:
        >>> count_by(pd.DataFrame({"report_id": pd.Categorical(["a", "b", "a"])}), "report_id")
        {'a': 2, 'b': 1}
    """
    counts = frame.groupby(column, observed=True, sort=False).size()
    return {str(key): int(n) for key, n in zip(counts.index.tolist(), counts.to_numpy())}


def public_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """A corpus frame with its ``category`` text columns (:func:`compact_frame`) back in the public ``string`` dtype.

    Example:
        >>> table = arrow_table(record_columns([{"report_id": "a", "location": "line 3"}], "problems"), "problems")
        >>> public_dtypes(compact_frame(table, "problems")).equals(to_pandas(table, "problems"))
        True
    """
    return frame.astype({column: "string" for column, dtype in frame.dtypes.items()
                         if isinstance(dtype, pd.CategoricalDtype)})


def record_columns(records: list[dict], frame: str) -> dict[str, list]:
    """Records of one frame as columns (absent keys are missing values)."""
    columns = {}
    for name, _ in frame_fields(frame):
        try:
            columns[name] = list(map(operator.itemgetter(name), records))  # at C speed
        except KeyError:  # some record lacks it
            columns[name] = [r.get(name) for r in records]
    return columns


def reports_frame(summaries: dict[str, list] | list[dict]) -> pd.DataFrame:
    """``corpus.reports`` from the reports' summaries (columns, or one dict per report): the
    agency's identity columns as the data dictionary declares them (``identity``), ``year``
    a nullable ``Int64`` as in the facts."""
    reports = pd.DataFrame(summaries)
    for f in dictionary.fields("identity"):
        if f["name"] in reports:
            reports[f["name"]] = pd.array(reports[f["name"]].tolist(), dtype=f["dtype"])
    if "year" in reports:  # as in every other frame: whole years, empty when unknown (never 2024.0 or nan)
        reports["year"] = pd.array([None if pd.isna(y) else int(y) for y in reports["year"].tolist()], dtype="Int64")
    return reports
