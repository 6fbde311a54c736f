"""The corpus cache: a corpus read once is saved under a key of what it was read from, and loaded instead of read again.

The key (:func:`corpus_key`) covers every input of the reading: each file's path and
content and the content of every other file reading it opens (the pictures saved beside
a web page, :func:`~shaoyang_report.read.readers.pictures_read`; a Word file's parts are
inside it), their catalog entries and archive dates, the strictness, the catalog, and
the code (:func:`code_fingerprint`): the package's own code and data (its layouts,
confusions and word lists included), its version, and the versions of the libraries
that read files (PDFium, python-docx, lxml, Pillow, OpenCC and the OCR engine, its
models inside its wheel). A cached corpus is used only when reading would give the same
one: a changed picture gives fresh numbers. A cache folder keeps the
:data:`CACHE_ENTRIES` most recently used corpora.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

from shaoyang_report.atomic import is_temporary
from shaoyang_report.config import VERSION
from shaoyang_report.corpus.corpus import SAVE_FORMAT, Corpus
from shaoyang_report.corpus.parse import Job
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.read.readers import pictures_read
from shaoyang_report.read.readers.archive_reader import split_archive_path
from shaoyang_report.read.readers.files import read_bytes

#: Corpora kept in a cache folder (the least recently used are removed beyond this).
CACHE_ENTRIES = 4
#: The distributions whose version changes what is read from a file: the PDF, Word, HTML
#: and image libraries, OpenCC (Traditional → Simplified) and the OCR engine (its
#: models ship in its wheel) with what it runs on.
READING_LIBRARIES = ("pypdfium2", "python-docx", "lxml", "pillow", "numpy", "opencc", "rapidocr-onnxruntime",
                     "onnxruntime", "opencv-python", "opencv-python-headless", "shapely", "pyclipper")


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@cache
def code_fingerprint() -> str:
    """A hash of the package's code and data, its version and the reading libraries' versions.

    Every file of the package counts (the readers, the checks and the corpus code alike,
    and its data: ``layouts.toml``, the confusions, the word lists): a cached corpus is
    stale when any of them changes, or a library that reads the files is updated.
    """
    root = Path(__file__).resolve().parents[1]  # the package, not only this folder
    digest = hashlib.sha256(f"shaoyang-report {VERSION}\n".encode())
    for name in READING_LIBRARIES:
        digest.update(f"{name} {_version(name)}\n".encode())
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".toml", ".csv", ".json") and "__pycache__" not in p.parts:
            digest.update(p.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(p.read_bytes()).digest())
    return digest.hexdigest()


def _inputs_hash(path: Path) -> str:
    """A hash of a report file's content and of every file reading it opens beside it (see :func:`pictures_read`).

    A member of a zip archive (``archive.zip!member.pdf``) is hashed as the archive it is read from.
    """
    inside = split_archive_path(str(path), lambda p: Path(p).is_file()) if not Path(path).exists() else None
    if inside is not None:
        path = Path(inside[0])
    try:
        data = read_bytes(path)  # a regular file of bounded size only: a FIFO or a device is never opened
    except ReportFormatError as exc:
        return f"unreadable: {exc.problem}"
    digest = hashlib.sha256(data)
    for picture in pictures_read(path, data):
        try:
            seen = hashlib.sha256(read_bytes(picture)).hexdigest()
        except ReportFormatError as exc:
            seen = f"unreadable: {exc.problem}"
        digest.update(f"\0{picture}\0{seen}".encode())
    return digest.hexdigest()


def corpus_key(jobs: list[Job], catalog: pd.DataFrame, uncatalogued: list[Path],
               last_modified: Sequence[datetime | None] | None = None, aliases: object = None) -> str:
    """The key of a corpus read from these jobs: the files' paths and the hashes of their
    contents and of the files reading them opens (:func:`_inputs_hash`), their catalog
    entries and archive dates (``last_modified``, one per job), the strictness and the
    caller's hints, the catalog, the agency aliases, and the code (:func:`code_fingerprint`)."""
    digest = hashlib.sha256(f"corpus {SAVE_FORMAT} {code_fingerprint()}\n".encode())
    dates = last_modified if last_modified is not None else [None] * len(jobs)
    for (path, entry, strict, given), when in zip(jobs, dates):
        digest.update(f"{Path(path).absolute()}\0{_inputs_hash(Path(path))}\0{entry!r}\0{strict!r}\0{given!r}\0{when!r}\n"
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
