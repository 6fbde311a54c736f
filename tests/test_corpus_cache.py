"""The corpus cache sees every input (issue 20, item 9): the pictures beside a saved page, the code, the libraries.

A saved page whose report is a picture beside it (``report_files/t1.png``): the OCR is
stood in for by a reader that prints the picture's first pixel value as a figure of
prose, so a changed picture must give a changed number — read again, not loaded from
the cache.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import shaoyang_report as sr
from shaoyang_report.corpus import cache as corpus_cache
from shaoyang_report.corpus import engine
from shaoyang_report.read.readers import pictures_read
from shaoyang_report.read.readers.ocr import pages
from shaoyang_report.read.readers.ocr.geometry import PageRead, ProseLine

PROJECT = Path(__file__).resolve().parents[1]


def _picture(path: Path, level: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (400, 300), level).save(path)


@pytest.fixture
def page_folder(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "report.html").write_text(
        "<html><body><p>邵阳市2020年政府信息公开工作年度报告</p><p><img src='report_files/t1.png'></p>"
        "<p><img src='https://example.org/logo.png'></p></body></html>", "utf-8")
    _picture(folder / "report_files" / "t1.png", 41)

    def read_page(image):  # stands in for the OCR: the picture's first pixel, printed as a figure
        text = f"2020年度，我市共发布政府信息{int(image[0, 0, 0])}条。"
        return PageRead(prose=[ProseLine(10, text, (0, 0, 399, 20), 0.99)])

    monkeypatch.setattr(pages, "read_page", read_page)
    return folder


def _published(corpus) -> list[float]:
    facts = corpus.facts
    return facts[(facts["item"] == "information_published") & (facts.measure == "total")].value.tolist()


def test_a_pages_pictures_are_what_reading_it_opens(page_folder):
    page = page_folder / "report.html"
    assert pictures_read(page, page.read_bytes()) == [(page_folder / "report_files" / "t1.png").resolve()]
    assert pictures_read(page_folder / "report_files" / "t1.png", b"\x89PNG\r\n\x1a\n") == []


def test_a_changed_picture_gives_fresh_numbers(page_folder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = sr.read_reports(page_folder, progress=False, cache=cache)
    assert _published(first) == [41.0]
    real = engine.parse_files

    def no_parsing(jobs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(engine, "parse_files", no_parsing)
    assert _published(sr.read_reports(page_folder, progress=False, cache=cache)) == [41.0]  # from the cache
    monkeypatch.setattr(engine, "parse_files", real)
    _picture(page_folder / "report_files" / "t1.png", 42)  # the page's own bytes are the same
    assert _published(sr.read_reports(page_folder, progress=False, cache=cache)) == [42.0]
    assert len(list(cache.glob("corpus-*"))) == 2


def test_a_reading_librarys_version_is_in_the_key(monkeypatch):
    before = corpus_cache.code_fingerprint()
    monkeypatch.setattr(corpus_cache, "_version", lambda name: "9.9" if name == "rapidocr-onnxruntime" else "1")
    corpus_cache.code_fingerprint.cache_clear()
    try:
        assert corpus_cache.code_fingerprint() != before
    finally:
        corpus_cache.code_fingerprint.cache_clear()
    assert {"pypdfium2", "python-docx", "lxml", "pillow", "opencc", "rapidocr-onnxruntime",
            "onnxruntime"} <= set(corpus_cache.READING_LIBRARIES)


def test_a_change_to_the_reader_or_its_layout_data_makes_the_cache_stale(tmp_path):
    """Before, only the corpus/ folder was hashed: a parser change in read/ kept old corpora."""
    copy = tmp_path / "pkg"
    shutil.copytree(PROJECT / "shaoyang_report", copy / "shaoyang_report",
                    ignore=shutil.ignore_patterns("__pycache__", "notebooks", "templates"))

    def fingerprint() -> str:
        code = "from shaoyang_report.corpus.cache import code_fingerprint; print(code_fingerprint())"
        out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(copy), "PATH": ""},
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    first = fingerprint()
    walk = copy / "shaoyang_report" / "read" / "walk.py"
    walk.write_text(walk.read_text("utf-8") + "\n# a change to the table reader\n", "utf-8")
    second = fingerprint()
    layouts = copy / "shaoyang_report" / "data" / "layouts.toml"
    layouts.write_text(layouts.read_text("utf-8") + "\n# a change to the layout data\n", "utf-8")
    assert len({first, second, fingerprint()}) == 3
