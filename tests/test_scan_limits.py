"""Scans are bounded in memory and time (issue 20, item 7): pages measured first, decoded and read one at a time.

The OCR itself is stood in for (``geometry.read_page`` → an empty page): these tests
check the order of the work and the caps, not what is read. The hostile scans
themselves (300 pages of 59 million pixels in a 1.3 MB TIFF, …) are read in a child
with a memory limit in test_hostile.py.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from scan_files import pdf_of_blank_pages, tiff_of_blank_pages

import shaoyang_report as sr
from shaoyang_report import limits
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.read.readers.ocr import engine, images, pages
from shaoyang_report.read.readers.ocr.geometry import PageRead


@pytest.fixture
def events(monkeypatch) -> list[str]:
    """What happened, in order: ``decode 2`` (page 2 of an image file decoded), ``draw 3``, ``read (h, w)``."""
    happened: list[str] = []
    decode, draw = images.decode_page, images._draw

    def decoding(data, index, source):
        happened.append(f"decode {index + 1}")
        return decode(data, index, source)

    def drawing(pdf, number, scale, source):
        happened.append(f"draw {number}")
        return draw(pdf, number, scale, source)

    def reading(image):
        happened.append(f"read {image.shape[:2]}")
        return PageRead()

    monkeypatch.setattr(images, "decode_page", decoding)
    monkeypatch.setattr(images, "_draw", drawing)
    monkeypatch.setattr(pages, "read_page", reading)
    return happened


def _tiff(sizes: list[tuple[int, int]]) -> bytes:
    frames = [Image.new("L", size, 255) for size in sizes]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


def test_image_pages_are_decoded_and_read_one_at_a_time(tmp_path, events):
    path = tmp_path / "three.tif"
    path.write_bytes(_tiff([(300, 200), (310, 210), (320, 220)]))
    with pytest.raises(ReportFormatError, match="no text was found by OCR"):
        sr.read_report(path)
    assert events == ["decode 1", "read (200, 300)", "decode 2", "read (210, 310)", "decode 3", "read (220, 320)"]


def test_several_image_files_are_read_one_page_at_a_time(tmp_path, events):
    paths = []
    for k, size in enumerate([(300, 200), (310, 210)]):
        paths.append(tmp_path / f"p{k}.png")
        Image.new("L", size, 255).save(paths[-1])
    with pytest.raises(ReportFormatError, match="no text was found by OCR"):
        sr.read_report(paths)
    assert events == ["decode 1", "read (200, 300)", "decode 1", "read (210, 310)"]


def test_scanned_pdf_pages_are_drawn_and_read_one_at_a_time(tmp_path, events):
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf_of_blank_pages(3, 595, 842, (1240, 1754)))
    with pytest.raises(ReportFormatError, match="OCR found no text"):
        sr.read_report(path)
    assert [e.split(" (")[0] for e in events] == ["draw 1", "read", "draw 2", "read", "draw 3", "read"]
    assert len({e for e in events if e.startswith("read")}) == 1  # the three pages, one size


def test_the_pixels_of_all_pages_are_counted_before_the_first_is_decoded(tmp_path, events, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SCAN_PIXELS", 200_000)
    path = tmp_path / "pages.tif"
    path.write_bytes(tiff_of_blank_pages(400, 300, 3))  # 120,000 pixels a page: the second is over
    with pytest.raises(ReportFormatError) as err:
        sr.read_report(path)
    assert str(err.value) == ("pages.tif: page 2: the page images hold over 200,000 pixels together; a report's scan "
                              "holds far fewer (limit MAX_SCAN_PIXELS in shaoyang_report.limits)")
    assert events == []  # nothing decoded, nothing read


def test_ocr_stops_past_its_time_limit(tmp_path, events, monkeypatch):
    monkeypatch.setattr(limits, "MAX_OCR_SECONDS", 0)
    path = tmp_path / "pages.tif"
    path.write_bytes(tiff_of_blank_pages(400, 300, 3))
    with pytest.raises(ReportFormatError) as err:
        sr.read_report(path)
    message = str(err.value)
    assert message.startswith("pages.tif: page 1: OCR has run for ") and "with 0 of 3 pages read" in message
    assert "MAX_OCR_SECONDS in shaoyang_report.limits" in message and events == []


def test_the_scan_caps_leave_room_for_real_scans():
    """45 A4 pages at 300 dpi, or 100 at 200 dpi, fit; the OCR'd Hongze pages (1240 × 1754) 180 times over."""
    a4_300, a4_200 = 2480 * 3508, 1654 * 2339
    assert 45 * a4_300 < limits.MAX_SCAN_PIXELS and 100 * a4_200 < limits.MAX_SCAN_PIXELS
    assert limits.MAX_SCAN_PIXELS // (1240 * 1754) >= 180
    assert limits.MAX_OCR_SECONDS >= 100 * 6  # 6 s a page, the slowest seen on two cores


def test_running_out_of_memory_while_decoding_is_too_large_not_damaged(tmp_path, monkeypatch):
    path = tmp_path / "page.png"
    Image.new("L", (400, 300), 255).save(path)

    def no_memory(self, *args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(Image.Image, "convert", no_memory)
    with pytest.raises(ReportFormatError) as err:
        sr.read_report(path)
    assert str(err.value) == "page.png: the image is too large to read: decoding it ran out of memory (MemoryError)"


def test_the_engine_running_out_of_memory_is_too_large_not_damaged(tmp_path, monkeypatch):
    """ONNX Runtime says a failed allocation with a C++ ``std::bad_alloc`` in a RuntimeException."""
    class Engine:
        def __call__(self, image):
            raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while "
                               "running Conv node. Status Message: std::bad_alloc")

    monkeypatch.setattr(engine, "_engine", Engine)
    monkeypatch.setattr(pages, "read_page", lambda image: PageRead() if engine.recognise(image) else PageRead())
    path = tmp_path / "page.png"
    Image.new("L", (400, 300), 255).save(path)
    with pytest.raises(ReportFormatError) as err:
        sr.read_report(path)
    assert str(err.value) == "page.png: the image is too large or too deeply nested to read (MemoryError)"
    broken = tmp_path / "cut.png"  # a damaged file is still said to be damaged
    broken.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ReportFormatError, match="damaged or truncated"):
        sr.read_report(broken)


def test_with_workers_at_most_one_page_per_worker_is_decoded_ahead(tmp_path, events, monkeypatch):
    """The pool gets the next page only when one is read (before, every page was decoded and sent at once)."""
    class Deferred:  # a future run when its result is asked for: what was decoded ahead shows in the events
        def __init__(self, fn, arg):
            self.fn, self.arg = fn, arg

        def result(self):
            return self.fn(self.arg)

    class Pool:
        def __init__(self, workers, *, mp_context, initializer, initargs):
            self.workers = workers

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, fn, arg):
            return Deferred(fn, arg)

    monkeypatch.setattr(pages, "ProcessPoolExecutor", Pool)
    path = tmp_path / "four.tif"
    path.write_bytes(_tiff([(300, 200), (310, 210), (320, 220), (330, 230)]))
    with pytest.raises(ReportFormatError, match="no text was found by OCR"):
        sr.read_report(path, workers=2)
    assert events == ["decode 1", "decode 2", "read (200, 300)", "decode 3", "read (210, 310)", "decode 4",
                      "read (220, 320)", "read (230, 330)"]
