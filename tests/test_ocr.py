"""Reports published as images, read by OCR (issue 12).

The test pages are the two real Hongze PDFs (../shared/reports/huaian/) drawn as images
here: (a) an image-only PDF at 150 dpi, (b) PNG pages, (c) a degraded copy (110 dpi,
turned 0.7°, JPEG quality 40, light noise), (d) a web page with the pages as ``<img>``,
and a PDF mixing text pages with one scanned page. The expected values are the ones
the text PDF yields (themselves checked against hand-typed values in test_hongze.py):
every OCR'd table value is compared with them cell by cell — value, row and column.

Pages 1–4 hold the title and all three tables; page 5 (closing prose) is left out to
keep the test short. OCR takes 1–6 s a page on a 2-core machine: the pages are read with
what the engine read of them when recorded (tests/ocr_replay.py, tests/ocr_boxes/), the
same on every run; one test (the mixed PDF) runs the engine itself on one page.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import ocr_replay
import pymupdf
import pypdfium2 as pdfium
import pytest
import rapidocr_onnxruntime  # noqa: F401  (the engine the end-to-end test runs: installed by the test extra)
from PIL import Image

import shaoyang_report as sr
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.read.readers import sniff
from shaoyang_report.read.readers.ocr import engine, geometry, pages

pytestmark = pytest.mark.slow

REPORTS = Path(__file__).resolve().parents[1].parent / "shared" / "reports" / "huaian"
YEARS = (2023, 2024)
PAGES = range(1, 5)
KEY = ["section", "item", "measure", "applicant"]


@pytest.fixture(scope="module", autouse=True)
def recorded_ocr():
    """The pages are read with the engine's recorded answers (``SHAOYANG_RECORD_OCR=1``: recorded again)."""
    with ocr_replay.replayed("test_ocr") as found:
        yield found


def _pdf(year: int) -> Path:
    path = REPORTS / f"hongze_district_{year}.pdf"
    if not path.exists():
        pytest.skip("the real Hongze PDFs are not beside the checkout")
    return path


def _render(year: int, dpi: int) -> list:
    pdf = pdfium.PdfDocument(str(_pdf(year)))
    try:
        return [pdf[n - 1].render(scale=dpi / 72).to_pil().convert("RGB") for n in PAGES]
    finally:
        pdf.close()


def _table_cells(report) -> dict[tuple, tuple[float, str]]:
    facts = report.facts[report.facts.section != "prose"]
    return {tuple(key): (value, raw) for key, value, raw in zip(facts[KEY].astype(str).values, facts.value, facts.raw)}


def _score(ocr_report, year: int) -> dict[str, int]:
    """Right / wrong / unplaced table values of an OCR'd report against the text PDF's."""
    expected = _table_cells(sr.read_report(_pdf(year)))
    got = _table_cells(ocr_report)
    right = wrong = 0
    for key, (value, raw) in expected.items():
        if key not in got:
            continue
        value2, raw2 = got[key]
        same = value == value2 or (math.isnan(value) and math.isnan(value2) and raw == raw2)
        right += same
        wrong += not same
    extra = len(set(got) - set(expected))  # a value on a row or column the text PDF does not have
    return {"expected": len(expected), "right": right, "wrong": wrong + extra, "unplaced": len(expected) - right - wrong}


@pytest.fixture(scope="module")
def png_pages(tmp_path_factory):
    """(b) The pages of both reports as PNG files at 150 dpi."""
    folder = tmp_path_factory.mktemp("png")
    out = {}
    for year in YEARS:
        paths = []
        for n, image in zip(PAGES, _render(year, 150)):
            path = folder / f"hongze_{year}_p{n}.png"
            image.save(path)
            paths.append(path)
        out[year] = paths
    return out


@pytest.fixture(scope="module")
def png_reports(png_pages):
    return {year: sr.read_report(paths, report_id=f"hongze_district_{year}") for year, paths in png_pages.items()}


def test_png_pages_give_every_table_value_right(png_reports):
    for year, report in png_reports.items():
        score = _score(report, year)
        assert score == {"expected": 186, "right": 186, "wrong": 0, "unplaced": 0}, (year, score)
        assert report.summary()["applications"] == "161/161"
        assert report.summary()["ocr"] == "page 1, page 2, page 3, page 4"
        assert report.year == year and report.template == "F2021"


def test_ocr_values_name_page_box_and_confidence(png_reports):
    facts = png_reports[2023].facts
    tables = facts[facts.section != "prose"]
    assert tables.confidence.notna().all() and tables.confidence.between(0.6, 1).all()
    # 行政处罚 4119 is printed on page 3 of the 2023 report (hand-checked on the page image)
    cell = tables[(tables["item"] == "administrative_penalty") & (tables.raw == "4119")]
    assert len(cell) == 1
    assert cell.location.iloc[0].startswith("page 3, x ") and ", table 1, row 2, col 2" in cell.location.iloc[0]
    # the table 四 total printed 0 where its parts add up to 1: the text PDF's finding, here too
    # (2024's prose 区政府办…受理17件 is the office's figure: no finding against 表三, issue 19)
    assert len(png_reports[2023].findings) == 2 and len(png_reports[2024].findings) == 0


def test_image_only_pdf_at_150_dpi(tmp_path):
    """(a) An image-only PDF (no text layer): every table value placed right."""
    for year in YEARS:
        pages = _render(year, 150)
        path = tmp_path / f"scan_{year}.pdf"
        pages[0].save(path, "PDF", resolution=150, save_all=True, append_images=pages[1:])
        report = sr.read_report(path, report_id=f"hongze_district_{year}")
        score = _score(report, year)
        assert score == {"expected": 186, "right": 186, "wrong": 0, "unplaced": 0}, (year, score)


def test_degraded_scan_places_nothing_wrong(tmp_path):
    """(c) 110 dpi, turned 0.7°, JPEG quality 40, light noise: no wrong value is placed."""
    import numpy as np

    rng = np.random.default_rng(12)
    scores = {}
    for year in YEARS:
        paths = []
        for n, image in zip(PAGES, _render(year, 110)):
            image = image.rotate(0.7, resample=Image.BICUBIC, expand=False, fillcolor="white")
            pixels = np.asarray(image).astype(np.int16)
            pixels += rng.normal(0, 12, pixels.shape[:2])[..., None].astype(np.int16)
            image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
            path = tmp_path / f"degraded_{year}_p{n}.jpg"
            image.save(path, "JPEG", quality=40)
            paths.append(path)
        report = sr.read_report(paths, report_id=f"hongze_district_{year}")
        scores[year] = _score(report, year)
        assert scores[year]["wrong"] == 0, (year, scores[year])
        # what could not be read is unplaced, with its row a problem
        assert scores[year]["right"] + scores[year]["unplaced"] == 186
        assert (scores[year]["unplaced"] == 0) == (not report.problems)
    print("degraded:", scores)


def test_web_page_with_table_pictures(tmp_path, png_pages, png_reports):
    """(d) A saved page whose report is pictures saved beside it: the same facts as (b)."""
    for year, paths in png_pages.items():
        folder = tmp_path / f"page_{year}"
        files = folder / "report_files"
        files.mkdir(parents=True)
        imgs = []
        for path in paths:
            (files / path.name).write_bytes(path.read_bytes())
            imgs.append(f'<p><img src="report_files/{path.name}" alt=""></p>')
        page = folder / "report.html"
        page.write_text("<html><body><div class='nav'>首页 &gt; 政府信息公开</div>" + "".join(imgs)
                        + '<img src="https://example.org/logo.png"></body></html>', encoding="utf-8")
        report = sr.read_report(page, report_id=f"hongze_district_{year}")
        assert _table_cells(report) == _table_cells(png_reports[year])
        assert report.summary()["ocr"] == "image 1, image 2, image 3, image 4"
        assert report.facts.location.str.startswith("image ").sum() == len(report.facts)


def test_mixed_pdf_reads_only_the_scanned_page_by_ocr(tmp_path):
    """End to end: the OCR engine itself reads the scanned page (the one test that runs it)."""
    year = 2023
    image = _render(year, 150)[2]  # page 3: the end of table 二 and the start of table 三
    png = io.BytesIO()
    image.save(png, "PNG")
    doc = pymupdf.open(str(_pdf(year)))
    rect = doc[2].rect
    doc.delete_page(2)
    page = doc.new_page(2, width=rect.width, height=rect.height)
    page.insert_image(page.rect, stream=png.getvalue())
    path = tmp_path / "mixed.pdf"
    doc.save(str(path))
    before = engine.CALLS["pages"]
    with ocr_replay.engine_itself():
        report = sr.read_report(path, report_id=f"hongze_district_{year}")
    assert engine.CALLS["pages"] - before == 1  # the text pages are not OCR'd
    assert report.summary()["ocr"] == "page 3"
    score = _score(report, year)
    assert score["wrong"] == 0, score
    print("mixed:", score)
    facts = report.facts
    scanned = facts.location.str.match(r"page 3, x ")
    assert scanned.any() and facts.confidence[scanned].notna().all() and facts.confidence[~scanned].isna().all()


def test_text_pdf_does_not_run_ocr():
    before = engine.CALLS["pages"]
    report = sr.read_report(_pdf(2024))
    assert engine.CALLS["pages"] == before and report.facts.confidence.isna().all()
    assert report.summary()["ocr"] == ""


def test_images_are_sniffed_by_their_bytes():
    assert sniff(b"\x89PNG\r\n\x1a\n\x00\x00") == "image"
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image"
    assert sniff(b"II*\x00\x08\x00") == "image" and sniff(b"MM\x00*\x00") == "image"


def test_without_the_extra_an_image_gives_one_error_naming_it(tmp_path, monkeypatch):
    path = tmp_path / "page.png"
    Image.new("RGB", (400, 300), "white").save(path)
    monkeypatch.setattr(pages, "ocr_available", lambda: False)
    with pytest.raises(ReportFormatError) as err:
        sr.read_report(path)
    assert "shaoyang-report[ocr]" in str(err.value) and "page.png" in str(err.value)


def test_unreadable_numbers_are_not_placed(png_pages, monkeypatch):
    """A number read with low confidence stays unplaced, its row a problem (never guessed)."""
    real = geometry.recognise

    def shaky(image):
        return [engine.TextBox(b.quad, b.text, 0.3) if b.text == "4119" else b for b in real(image)]

    monkeypatch.setattr(geometry, "recognise", shaky)
    monkeypatch.setattr(geometry, "read_again", lambda table, image, back: None)
    report = sr.read_report(png_pages[2023], report_id="hongze_district_2023")
    facts = report.facts
    assert not ((facts["item"] == "administrative_penalty") & (facts.section == "active_disclosure")).any()
    assert any("4119?" in message for _, message in report.problems)
    assert _score(report, 2023)["wrong"] == 0


def test_the_agencys_own_findings_are_not_taken_for_misreads(png_reports):
    """The OCR'd reports' findings are the text PDF's (2 in 2023, none in 2024): printed so, not misreads."""
    for year, n in ((2023, 2), (2024, 0)):
        report = png_reports[year]
        summary = report.summary()
        assert summary["findings"] == n and summary["likely_misreads"] == 0, (year, summary)
        assert not report.findings.likely_misread.any()
    # 2023: 行政复议 and 复议后起诉 总计 printed 0 where their parts add up to 11 and 5
    findings = png_reports[2023].findings
    assert sorted(zip(findings.expected, findings.printed)) == [(5.0, 0.0), (11.0, 0.0)]


def test_a_digit_misread_in_an_ocr_document_is_flagged_not_corrected(png_reports):
    """本机关不掌握相关政府信息 (2024, page 3) prints 31 0 0 0 0 0 31; its 自然人 31 read as 81."""
    from dataclasses import replace

    from shaoyang_report.read.document import Line, Token

    report = png_reports[2024]
    facts = report.facts
    cell = facts[(facts["item"] == "unavailable_not_held") & (facts["applicant"] == "natural_person")]
    assert cell.raw.tolist() == ["31"]
    where = cell.location.iloc[0]
    assert where.startswith("page 3, x ")
    lines = [Line(ln.text, ln.location, [Token("81", t.location, t.kind) if t.location == where else t
                                          for t in ln.tokens]) for ln in report.document.lines]
    doc = replace(report.document, lines=lines, cache={})
    misread = sr.parse_document(doc, report_id="hongze_district_2024")
    facts = misread.facts
    assert facts.value[facts.location == where].tolist() == [81.0]  # the value stays as read
    findings = misread.findings
    new = findings[findings.locations.str.contains(where, regex=False)]
    assert len(new) == 2 and new.likely_misread.all()  # its row and its column
    assert (new.misread_alternative == f"{where}: 81 → 31").all()
    assert misread.summary()["findings"] == 2 and misread.summary()["likely_misreads"] == 2
    assert not findings[~findings.locations.str.contains(where, regex=False)].likely_misread.any()


def _png_header(width: int, height: int) -> bytes:
    """A PNG file that says it is ``width``×``height`` (1-bit grey) and holds a few bytes: a decompression bomb."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("width, height", [(10_000, 7_000), (30_000, 30_000)])  # over our cap; over Pillow's too
def test_a_decompression_bomb_is_refused_unread(tmp_path, monkeypatch, width, height):
    from shaoyang_report import limits

    def decode(image):
        raise AssertionError("the image was decoded")

    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(width, height))
    assert path.stat().st_size < 200 and width * height > limits.MAX_IMAGE_PIXELS == 60_000_000
    monkeypatch.setattr(Image.Image, "load", decode)  # refused from its header: its pixels never decoded
    with pytest.raises(ReportFormatError) as err:
        sr.read_report(path)
    message = str(err.value)
    assert message.startswith("bomb.png") and f"{width * height:,} pixels" in message
    assert "MAX_IMAGE_PIXELS in shaoyang_report.limits" in message
    assert Image.MAX_IMAGE_PIXELS is not None  # Pillow's own guard is left on for the rest of the process


def test_pages_are_read_in_parallel_with_the_same_facts(png_pages, png_reports, monkeypatch):
    monkeypatch.setattr(pages, "ProcessPoolExecutor", ocr_replay.pool("test_ocr"))  # the workers replay too
    before = engine.CALLS["pages"]
    report = sr.read_report(png_pages[2023], report_id="hongze_district_2023", workers=2)
    assert engine.CALLS["pages"] - before == 4
    assert _table_cells(report) == _table_cells(png_reports[2023])
    assert report.facts.location.tolist() == png_reports[2023].facts.location.tolist()
    assert report.facts.confidence.tolist() == png_reports[2023].facts.confidence.tolist()
    with pytest.raises(ValueError, match="workers"):
        sr.read_report(png_pages[2023], workers=0)


def test_a_text_pdf_never_imports_the_ocr_engine():
    import subprocess
    import sys

    code = ("import sys, shaoyang_report as sr\n"
            f"r = sr.read_report({str(_pdf(2024))!r}, workers=2)\n"
            "assert r.summary()['applications'] == '161/161'\n"
            "print(sorted(m for m in ('rapidocr_onnxruntime', 'onnxruntime', 'cv2') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_page_is_read_from_its_text_boxes_without_the_engine():
    """Given its text boxes, a page's tables are found with the OCR engine (RapidOCR, ONNX Runtime) not installed."""
    import subprocess
    import sys

    if ocr_replay.recording():
        pytest.skip("it reads the recorded text boxes, which this run writes")
    code = ("import sys\n"
            "sys.modules['rapidocr_onnxruntime'] = sys.modules['onnxruntime'] = None  # as if not installed\n"
            f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
            "import numpy as np, pypdfium2 as pdfium, ocr_replay\n"
            "from shaoyang_report.read.readers.ocr.geometry import read_page\n"
            f"pdf = pdfium.PdfDocument({str(_pdf(2023))!r})\n"
            "image = np.asarray(pdf[2].render(scale=150 / 72).to_pil().convert('RGB'))\n"
            "with ocr_replay.replayed('test_ocr'):\n"
            "    read = read_page(image)\n"
            "print(len(read.tables), [c.text for t in read.tables for c in t.cells].count('4119'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "1"]
