"""The OCR engine: RapidOCR on ONNX Runtime, the text boxes of a page image.

RapidOCR (``rapidocr-onnxruntime``, Apache-2.0; its Chinese PP-OCR models ship in the
wheel, nothing is downloaded at run time) is the optional extra ``shaoyang-report[ocr]``;
without it an image report gives one :class:`OcrUnavailable` naming the extra.

RapidOCR finds a page's text lines and reads them, each with a recognition confidence
(0–1). Its own score cut-off is off: every box is kept, and what a box's text is taken
as is decided by :mod:`.geometry`.

The engine is created once per process, when the first image is read: this module
imports nothing of it (nor ONNX Runtime) until then.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from shaoyang_report.errors import ReportFormatError

#: The optional extra that installs the OCR engine.
OCR_EXTRA = "shaoyang-report[ocr]"


class OcrUnavailable(ReportFormatError):
    """The OCR extra is not installed."""


def unavailable(source: object) -> OcrUnavailable:
    """The error an image report gives without the OCR extra: it names the extra."""
    return OcrUnavailable(
        source, "the report is an image (or a scan without a text layer) and needs OCR, which is the optional "
        f"extra {OCR_EXTRA}: install it with `pip install '{OCR_EXTRA}'` (or `bash scripts/setup.sh`)")


def ocr_available() -> bool:
    """Whether the OCR extra (RapidOCR on ONNX Runtime, OpenCV) is installed."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr_onnxruntime", "cv2", "numpy"))


_THREADS = {"n": -1}  # ONNX Runtime threads per engine: -1 = its default (all cores)


@cache
def _engine():
    """The RapidOCR engine of this process, created at first use."""
    import logging

    from rapidocr_onnxruntime import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    threads = _THREADS["n"]
    return RapidOCR(text_score=0.0, use_cls=False, print_verbose=False,
                    intra_op_num_threads=threads, inter_op_num_threads=threads)


def use_threads(threads: int) -> None:
    """This process's engine runs ONNX Runtime on ``threads`` threads (-1: its default, all cores).

    The engine already made is dropped: the next page makes a new one.
    """
    _THREADS["n"] = threads
    _engine.cache_clear()


#: How many times the engine ran in this process (tests count it).
CALLS = {"pages": 0}
_RESULTS: OrderedDict[bytes, list] = OrderedDict()
_RESULTS_KEPT = 32


def forget_results() -> None:
    """Forget the text boxes kept of the page images read in this process."""
    _RESULTS.clear()


@dataclass(frozen=True, slots=True)
class TextBox:
    """A line of text the OCR read: its corners in the page image, text and confidence."""

    quad: tuple[tuple[float, float], ...]
    text: str
    confidence: float

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        xs = [p[0] for p in self.quad]
        ys = [p[1] for p in self.quad]
        return round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))


# How ONNX Runtime and OpenCV say that an allocation failed (C++ std::bad_alloc, their own messages).
_OUT_OF_MEMORY = ("bad_alloc", "Failed to allocate", "Insufficient memory")


@contextmanager
def _memory_errors() -> Iterator[None]:
    """The engine's own error for an allocation that failed, raised as the ``MemoryError`` it is."""
    try:
        yield
    except MemoryError:
        raise
    except Exception as exc:
        if any(word in str(exc) for word in _OUT_OF_MEMORY):
            raise MemoryError(f"the OCR engine ran out of memory ({type(exc).__name__})") from None
        raise


def recognise(image) -> list[TextBox]:
    """The text boxes of a page image (an RGB ``numpy`` array), kept per image in this process.

    Raises:
        OcrUnavailable: The OCR extra is not installed.
        MemoryError: The engine ran out of memory on the page.
    """
    import numpy as np

    key = hashlib.sha1(np.ascontiguousarray(image).data).digest() + repr(image.shape).encode()  # no copy of the pixels
    if key in _RESULTS:
        _RESULTS.move_to_end(key)
        return _RESULTS[key]
    CALLS["pages"] += 1
    with _memory_errors():
        result, _ = _engine()(image)
    boxes = [TextBox(tuple((float(x), float(y)) for x, y in quad), str(text).strip(), float(score))
             for quad, text, score in (result or []) if str(text).strip()]
    _RESULTS[key] = boxes
    while len(_RESULTS) > _RESULTS_KEPT:
        _RESULTS.popitem(last=False)
    return boxes


def read_crops(crops: list) -> list[tuple[str, float]]:
    """The text and confidence of each small image (a cell cut out of a page), read without detection.

    The recogniser alone reads each crop as one line of text.

    Raises:
        MemoryError: The engine ran out of memory.
    """
    with _memory_errors():
        results, _ = _engine().text_rec(crops)
    return [(str(text), float(score)) for text, score in results]
