"""The corpus cache: a corpus read once is saved under a key of what it was read from, and loaded instead of read again.

The key (:func:`corpus_key`) covers the files' paths and contents, their catalog
entries and archive dates, the strictness, the catalog, and the package's own code: a
cached corpus is used only when reading would give the same one. A cache folder keeps
the :data:`CACHE_ENTRIES` most recently used corpora.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

from shaoyang_report.atomic import is_temporary
from shaoyang_report.corpus.corpus import SAVE_FORMAT, Corpus
from shaoyang_report.corpus.parse import Job

#: Corpora kept in a cache folder (the least recently used are removed beyond this).
CACHE_ENTRIES = 4


@cache
def _package_fingerprint() -> str:
    """A hash of the package's own code and data: a cached corpus is stale when they change."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".toml", ".csv", ".json") and "__pycache__" not in p.parts:
            digest.update(p.relative_to(root).as_posix().encode())
            digest.update(p.read_bytes())
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        return f"unreadable: {type(exc).__name__}"


def corpus_key(jobs: list[Job], catalog: pd.DataFrame, uncatalogued: list[Path],
               last_modified: Sequence[datetime | None] | None = None, aliases: object = None) -> str:
    """The key of a corpus read from these jobs: the files' paths and content hashes, their
    catalog entries and archive dates (``last_modified``, one per job), the strictness and
    the caller's hints, the catalog, the agency aliases, and the package's code."""
    digest = hashlib.sha256(f"corpus {SAVE_FORMAT} {_package_fingerprint()}\n".encode())
    dates = last_modified if last_modified is not None else [None] * len(jobs)
    for (path, entry, strict, given), when in zip(jobs, dates):
        digest.update(f"{Path(path).absolute()}\0{_file_hash(path)}\0{entry!r}\0{strict!r}\0{given!r}\0{when!r}\n"
                      .encode())
    digest.update(pd.util.hash_pandas_object(catalog, index=False).values.tobytes() if len(catalog.columns) else b"")
    digest.update(repr(list(catalog.columns)).encode())
    digest.update("\n".join(map(str, uncatalogued)).encode())
    digest.update(repr(aliases).encode())
    return digest.hexdigest()[:32]


def load_cached(cache_dir: Path, key: str) -> Corpus | None:
    """The corpus saved under ``key`` in the cache folder, or None (also when it cannot be loaded)."""
    folder = cache_dir / f"corpus-{key}"
    if not (folder / "corpus.json").is_file():
        return None
    try:
        corpus = Corpus.load(folder)
    except (ValueError, OSError, pa.ArrowException):
        return None
    os.utime(folder)  # most recently used
    return corpus


def save_cached(cache_dir: Path, key: str, corpus: Corpus) -> None:
    """Save a corpus under ``key`` (a cache that cannot be written is no error); forget the least recently used."""
    try:
        corpus.save(cache_dir / f"corpus-{key}")
    except FileExistsError:
        return
    except OSError:  # a cache that cannot be written is no error
        return
    kept = sorted((p for p in cache_dir.glob("corpus-*") if p.is_dir() and not is_temporary(p.name)),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[CACHE_ENTRIES:]:
        shutil.rmtree(old, ignore_errors=True)
