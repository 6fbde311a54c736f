"""The corpus a briefing is made from: read once, then loaded from the corpus cache.

``shaoyang-report briefing`` reads the reports, and each of its notebooks — every one in
its own kernel — calls :func:`load_corpus` with the same sources, which loads the corpus
from :func:`corpus_cache` instead of reading every report again.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from shaoyang_report import config
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.corpus.read import read_reports

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

    source = [Path(p) for p in data_folder] if isinstance(data_folder, (list, tuple)) \
        else Path(cast("str | Path", data_folder))  # one folder: the lists are lists or tuples
    with warnings.catch_warnings():  # in a kernel without ipywidgets tqdm.auto warns on import; no bar is shown
        warnings.simplefilter("ignore")
        import tqdm.auto  # noqa: F401
    return read_reports(source, catalog=catalog, progress=False, workers=workers, cache=corpus_cache())
