"""What the OCR engine read of the test pages, recorded once and replayed: OCR tests without the model.

The engine's answers — the text boxes of each page image (:func:`engine.recognise
<shaoyang_report.read.readers.ocr.engine.recognise>`) and the second readings of the
cells it cut out (:func:`engine.read_crops <shaoyang_report.read.readers.ocr.engine.read_crops>`)
— are kept in ``tests/ocr_boxes/<test module>.json``, keyed by a hash of the image's
pixels, and fed to :mod:`~shaoyang_report.read.readers.ocr.geometry` in the engine's
place: the pages go through the same code as with the engine, in a fraction of the time,
and always read the same. An image without a recording fails the test (it is never read
by the engine behind the test's back).

Record them again (after an update of rapidocr-onnxruntime, onnxruntime, Pillow or
pypdfium2, which draw or read the pages) by running the tests with the engine::

    SHAOYANG_RECORD_OCR=1 .venv/bin/python -m pytest tests/test_ocr.py

The file names the versions it was recorded with.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from shaoyang_report.read.readers.ocr import engine, geometry
from shaoyang_report.read.readers.ocr.engine import TextBox

STORE = Path(__file__).resolve().parent / "ocr_boxes"
#: Set to 1, the tests run the engine and write what it read (see the module's docstring).
RECORD_ENV = "SHAOYANG_RECORD_OCR"
_PACKAGES = ("rapidocr-onnxruntime", "onnxruntime", "pillow", "pypdfium2")


def recording() -> bool:
    """Whether this run records the engine's answers instead of replaying them."""
    return os.environ.get(RECORD_ENV) == "1"


def _key(images: list) -> str:
    digest = hashlib.sha1()
    for image in images:
        digest.update(repr(image.shape).encode())
        digest.update(np.ascontiguousarray(image).tobytes())
    return digest.hexdigest()[:20]


def _versions() -> str:
    return ", ".join(f"{name} {importlib.metadata.version(name)}" for name in _PACKAGES)


def _put(x: float) -> float | str:
    """A number as stored: the shortest decimal of its float32 when it is one (most are), else exact, quoted."""
    short = float(str(np.float32(x)))
    if float(np.float32(short)) != x:
        return repr(x)
    return int(short) if short.is_integer() else short


def _get(v: float | str) -> float:
    return float(v) if isinstance(v, str) else float(np.float32(v))


class Recording:
    """The engine's answers for one test module's page images: replayed, or (recording) made."""

    def __init__(self, name: str):
        self.path = STORE / f"{name}.json"
        self.pages: dict[str, list] = {}
        self.crops: dict[str, list] = {}
        self.versions = ""
        if not recording():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.pages, self.crops, self.versions = data["pages"], data["crops"], data["engine"]

    def _missing(self, what: str, key: str):
        raise LookupError(f"{self.path.name} holds no OCR of this {what} ({key}): it is drawn differently than "
                          f"when recorded ({self.versions}; now {_versions()}). Record again: "
                          f"{RECORD_ENV}=1 python -m pytest tests/{self.path.stem}.py")

    def recognise(self, image) -> list[TextBox]:
        key = _key([image])
        if recording():
            boxes = engine.recognise(image)
            self.pages[key] = [[[_put(v) for point in b.quad for v in point], b.text, _put(b.confidence)]
                               for b in boxes]
            return boxes
        if key not in self.pages:
            self._missing("page image", key)
        return [TextBox(tuple(zip(map(_get, quad[::2]), map(_get, quad[1::2]))), text, _get(confidence))
                for quad, text, confidence in self.pages[key]]

    def read_crops(self, crops: list) -> list[tuple[str, float]]:
        key = _key(crops)
        if recording():
            read = engine.read_crops(crops)
            self.crops[key] = [[text, _put(score)] for text, score in read]
            return read
        if key not in self.crops:
            self._missing("set of cells read again", key)
        return [(text, _get(score)) for text, score in self.crops[key]]

    def save(self) -> None:
        """Write what was recorded, a box a line."""
        def block(entries: dict[str, list]) -> str:
            return ",\n".join(f'  "{key}": [\n' + ",\n".join("   " + json.dumps(item, ensure_ascii=False)
                                                             for item in items) + "\n  ]"
                              for key, items in sorted(entries.items()))

        STORE.mkdir(exist_ok=True)
        self.path.write_text(
            "{\n" + f' "engine": {json.dumps(_versions())},\n'
            + f' "recorded": {json.dumps(f"{RECORD_ENV}=1 python -m pytest tests/{self.path.stem}.py")},\n'
            + ' "pages": {\n' + block(self.pages) + "\n },\n"
            + ' "crops": {\n' + block(self.crops) + "\n }\n}\n", encoding="utf-8")


@contextmanager
def replayed(name: str) -> Iterator[Recording]:
    """Within the block, pages are read with the recorded answers of ``tests/ocr_boxes/<name>.json``.

    Recording (:func:`recording`), the engine runs and the file is written at the end.
    """
    found = Recording(name)
    saved = geometry.recognise, geometry.read_crops
    geometry.recognise, geometry.read_crops = found.recognise, found.read_crops
    try:
        yield found
    finally:
        geometry.recognise, geometry.read_crops = saved
    if recording():
        found.save()


@contextmanager
def engine_itself() -> Iterator[None]:
    """Within the block, pages are read by the engine itself (the end-to-end test)."""
    saved = geometry.recognise, geometry.read_crops
    geometry.recognise, geometry.read_crops = engine.recognise, engine.read_crops
    try:
        yield
    finally:
        geometry.recognise, geometry.read_crops = saved


def in_worker(name: str, initializer, *initargs) -> None:
    """A page-reading worker process's start: the recorded answers, then the pool's own initializer."""
    if not recording():
        found = Recording(name)
        geometry.recognise, geometry.read_crops = found.recognise, found.read_crops
    initializer(*initargs)


def pool(name: str):
    """A stand-in for :class:`ProcessPoolExecutor` whose worker processes replay the recording too."""
    from concurrent.futures import ProcessPoolExecutor

    def start(workers: int, *, mp_context, initializer, initargs) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=mp_context, initializer=in_worker,
                                   initargs=(name, initializer, *initargs))

    return start
