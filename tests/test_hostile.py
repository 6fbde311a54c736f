"""Hostile files are refused quickly, in bounded memory, with one clear ReportFormatError.

Each file is built here (nothing hostile is committed) and read in a child process
with an address-space limit (``RLIMIT_AS``) and a CPU-time budget (``RLIMIT_CPU``: the
kernel stops a child that computes past it, so the bound holds however loaded the
machine is, and no wall clock is asserted); the child reports how long the read took
and its peak resident memory. The bar (issue 10): a clean ``ReportFormatError`` naming
the file and the limit within the budget and under 500 MB peak RSS — the package import
(pandas, lxml …) included in both.

Before the caps these files took minutes and gigabytes: /dev/zero climbed to 9 GB in
15 s, a FIFO blocked for ever, a 1 MB zip bomb .docx took 2.2 GB, a 48 MB text of
value lines was killed at 600 s and 7.75 GB. Scans (issue 20): a 1.3 MB TIFF of 300
pages of 59 million pixels reached 5.8 GB, 300 blank A4 pages in a 106 KB PDF 4.1 GB, a
20-page PDF of 200-inch pages 4.5 GB (every page drawn or decoded before the first was read).

The slowest read and the highest peak are printed at the end of the module (run with
``-s`` to see them) and recorded as test properties.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import PROJECT, RAW
from scan_files import pdf_of_blank_pages, tiff_of_blank_pages

CPU_SECONDS = 10  # the child's CPU budget, the package import (about 2 s) included
PEAK_MB = 500  # the child's peak RSS, import included
ADDRESS_SPACE = 1536 << 20  # RLIMIT_AS of the child: 1.5 GB
SHAOYANG = (RAW / "shaoyang_city_2020.txt").read_bytes()

# The child reads with the package's public API and prints one JSON line.
_CHILD = r"""
import json, resource, sys, time
limit, cpu = int(sys.argv[2]), int(sys.argv[4])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
import shaoyang_report as sr
mode, target = sys.argv[3], sys.argv[1]
start = time.perf_counter()
try:
    if mode == "corpus":
        corpus = sr.read_reports(target, progress=False)
        outcome = {"kind": "errors", "errors": [str(e) for e in corpus.errors["error"]], "read": len(corpus)}
    else:
        sr.read_report(target)
        outcome = {"kind": "read"}
except sr.ReportFormatError as exc:
    outcome = {"kind": "ReportFormatError", "message": str(exc)}
outcome["seconds"] = time.perf_counter() - start
# Peak RSS of this program: VmHWM (ru_maxrss would also count the forking test process).
with open("/proc/self/status") as status:
    outcome["peak_mb"] = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
print(json.dumps(outcome, ensure_ascii=False))
"""

_FIGURES: list[tuple[str, float, float]] = []


def _read_in_child(path: Path | str, mode: str = "report") -> dict:
    """Read ``path`` in a child process under the memory limit; its outcome and figures."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(ADDRESS_SPACE), mode, str(CPU_SECONDS)],
                              cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:  # blocked, not computing (a FIFO, a socket): the CPU budget cannot stop it
        pytest.fail(f"reading {path} blocked for 600 s")
    assert proc.returncode != -signal.SIGXCPU, f"reading {path} ran past its CPU budget of {CPU_SECONDS} s"
    assert proc.returncode == 0, f"the child failed (status {proc.returncode}):\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr
    outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    _FIGURES.append((Path(str(path)).name, outcome["seconds"], outcome["peak_mb"]))
    assert outcome["peak_mb"] < PEAK_MB, outcome
    return outcome


def _refused(path: Path | str, *words: str) -> str:
    outcome = _read_in_child(path)
    assert outcome["kind"] == "ReportFormatError", outcome
    message = outcome["message"]
    assert message.startswith(f"{path}:") or message.startswith(f"{Path(str(path)).name}:"), message
    for word in words:
        assert word in message, message
    return message


@pytest.fixture(scope="module", autouse=True)
def _figures(request):
    yield
    if _FIGURES:
        slowest = max(_FIGURES, key=lambda f: f[1])
        peak = max(_FIGURES, key=lambda f: f[2])
        summary = (f"hostile files: {len(_FIGURES)} read; slowest {slowest[1]:.2f} s ({slowest[0]}); "
                   f"highest peak RSS {peak[2]:.0f} MB ({peak[0]})")
        print("\n" + summary)
        for name, seconds, peak_mb in sorted(_FIGURES, key=lambda f: -f[1]):
            print(f"  {name}: {seconds:.3f} s, {peak_mb:.0f} MB")


# --------------------------------------------------------------------------- not files

def test_dev_zero_by_its_path_is_refused_at_once():
    _refused("/dev/zero", "character device", "not a regular file")


def test_dev_zero_through_a_symlink_is_refused_at_once(tmp_path):
    link = tmp_path / "report.txt"
    link.symlink_to("/dev/zero")
    _refused(link, "character device", "not a regular file")


def test_dev_zero_named_by_a_catalog_is_one_error_of_the_batch(tmp_path):
    (tmp_path / "report.txt").symlink_to("/dev/zero")
    (tmp_path / "shaoyang_city_2020.txt").write_bytes(SHAOYANG)
    (tmp_path / "catalog.csv").write_text(
        "report_id,agency,year,url,local_file,completeness,note\n"
        "zero_2020,邵阳市,2020,,report.txt,complete,\n"
        "direct_2020,邵阳市,2020,,/dev/zero,complete,\n"
        "shaoyang_city_2020,邵阳市,2020,,shaoyang_city_2020.txt,complete,\n", "utf-8")
    outcome = _read_in_child(tmp_path, mode="corpus")
    assert outcome["read"] == 1, outcome
    assert len(outcome["errors"]) == 2 and all("not a regular file" in e for e in outcome["errors"]), outcome


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)  # no writer: opening it for reading would block for ever
    _refused(fifo, "FIFO", "not a regular file")


def test_a_socket_file_is_refused(tmp_path):
    path = tmp_path / "r.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        _refused(path, "socket", "not a regular file")
    finally:
        server.close()


# --------------------------------------------------------------------------- large text

@pytest.mark.slow
def test_a_report_followed_by_millions_of_value_lines(tmp_path):
    path = tmp_path / "report_and_values.txt"
    path.write_bytes(SHAOYANG + b"1 |\n" * 12_000_000)  # 48 MB
    assert path.stat().st_size > 48_000_000
    _refused(path, "MAX_CHARS", "characters")


@pytest.mark.slow
def test_a_48_mb_line_of_digits(tmp_path):
    path = tmp_path / "digits.txt"
    path.write_bytes(b"4089 " * 9_600_000)  # one line, 48 MB
    _refused(path, "MAX_CHARS")


# --------------------------------------------------------------------------- Word

def _blank_docx_parts() -> list[tuple[str, bytes]]:
    import docx

    buf = io.BytesIO()
    word = docx.Document()
    word.add_paragraph("2020年政府信息公开工作年度报告")
    word.save(buf)
    with zipfile.ZipFile(buf) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


@pytest.mark.slow
def test_a_docx_with_60_mb_of_xml(tmp_path):
    parts = dict(_blank_docx_parts())
    body = '<w:p><w:r><w:t>行政许可 4089 -56 7591</w:t></w:r></w:p>'.encode() * 1_200_000
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body>" + body)
    assert len(parts["word/document.xml"]) > 60_000_000
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    path = tmp_path / "big.docx"
    path.write_bytes(buf.getvalue())
    _refused(path, "word/document.xml", "MAX_DOCX")


def test_a_docx_of_a_million_empty_paragraphs(tmp_path):
    parts = dict(_blank_docx_parts())
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * 1_100_000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:  # stored: no ratio to give it away
        for name, data in parts.items():
            z.writestr(name, data)
    path = tmp_path / "paragraphs.docx"
    path.write_bytes(buf.getvalue())
    _refused(path, "word/document.xml", "MAX_DOCX_XML_TAGS")


def _zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive written by hand: (name, stored bytes, method, declared size, CRC) each."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, raw, method, declared, crc in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(raw), declared,
                              len(encoded), 0) + encoded + raw)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(raw),
                                  declared, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central.getvalue()),
                          start, 0))
    return out.getvalue()


def _deflated(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def _zeros_block() -> bytes:
    """64 MiB of zeros deflated into a self-contained, non-final block run (~64 KB)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(bytes(64 << 20)) + c.flush(zlib.Z_FULL_FLUSH)  # dictionary reset: blocks can be repeated


_FINAL = b"\x03\x00"  # an empty final deflate block


def _gibibyte_of_zeros_deflated() -> bytes:
    """A raw deflate stream that inflates to 1 GiB, about 1 MB long (built in ~0.1 s)."""
    return _zeros_block() * 16 + _FINAL


def _inflated_length(stream: bytes) -> int:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total, pending = 0, stream
    while not inflater.eof:
        total += len(inflater.decompress(pending, 64 << 20))
        pending = inflater.unconsumed_tail
    return total


def test_the_zip_bomb_stream_really_inflates_to_a_gibibyte():
    block = _zeros_block()
    assert _inflated_length(block + _FINAL) == 64 << 20
    assert _inflated_length(block * 2 + _FINAL) == 128 << 20  # repeated blocks inflate one after another
    stream = _gibibyte_of_zeros_deflated()
    assert stream == block * 16 + _FINAL and len(stream) < 1_100_000  # so 16 × 64 MiB = 1 GiB


@pytest.mark.slow
def test_a_zip_bomb_docx_whose_declared_sizes_lie(tmp_path):
    members = []
    for name, data in _blank_docx_parts():
        if name == "word/document.xml":  # declares 2 KB, inflates to 1 GiB
            members.append((name, _gibibyte_of_zeros_deflated(), 8, 2048, zlib.crc32(bytes(2048))))
        else:
            members.append((name, _deflated(data), 8, len(data), zlib.crc32(data)))
    path = tmp_path / "bomb.docx"
    path.write_bytes(_zip(members))
    assert path.stat().st_size < 1_200_000
    with zipfile.ZipFile(path) as z:  # the directory tells the lie
        assert z.getinfo("word/document.xml").file_size == 2048
    _refused(path, "word/document.xml", "zip bomb", "declares 2,048")


def test_a_docx_part_longer_than_declared_is_damaged(tmp_path):
    parts = _blank_docx_parts()
    members = []
    for name, data in parts:
        declared = len(data) // 2 if name == "word/document.xml" else len(data)
        members.append((name, _deflated(data), 8, declared, zlib.crc32(data[:declared])))
    path = tmp_path / "lying.docx"
    path.write_bytes(_zip(members))
    _refused(path, "damaged", "word/document.xml", f"declares {len(dict(parts)['word/document.xml']) // 2:,}")


# --------------------------------------------------------------------------- PDF

@pytest.mark.slow
def test_a_pdf_whose_page_content_inflates_to_29_mb(tmp_path):
    import pymupdf
    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((50, 50), "2020年政府信息公开工作年度报告", fontname="china-s")
    xref = page.get_contents()[0]
    ops = pdf.xref_stream(xref)
    pdf.update_stream(xref, ops + b"BT /helv 9 Tf 50 50 Td " + b"(1 2 3 4 5 6 7 8) Tj 0 -1 Td " * 1_000_000 + b"ET")
    path = tmp_path / "bomb.pdf"
    pdf.save(str(path), deflate=True)
    assert path.stat().st_size < 200_000
    _refused(path, "page 1", "PDF bomb", "MAX_PDF_PAGE_CONTENT_BYTES")


# --------------------------------------------------------------------------- HTML

@pytest.mark.slow
def test_deeply_nested_html(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div><table><tr><td>" * 90_000 + "行政许可 1" + "</td></tr></table></div>" * 90_000
                    + "</body></html>", "utf-8")
    _refused(path, "MAX_HTML_TAGS")


@pytest.mark.slow
def test_deeply_nested_html_under_the_tag_cap(tmp_path):
    path = tmp_path / "deep_under.html"
    path.write_text("<html><body>" + "<div><table><tr><td>" * 45_000 + "行政许可 1" + "</td></tr></table></div>" * 45_000
                    + "</body></html>", "utf-8")
    _refused(path)  # lxml keeps 255 levels; the rest is read (and is not a report)


@pytest.mark.slow
def test_a_huge_html_page(tmp_path):
    path = tmp_path / "huge.html"
    numbers = b"<p>" + b"4089 " * 8_000 + b"</p>\n"  # 40 KB paragraphs of numbers
    path.write_bytes(b"<html><body>" + numbers * 1_200 + b"</body></html>")  # 48 MB
    _refused(path, "MAX_TOKENS")
    spaces = tmp_path / "spaces.html"  # 48 MB of indentation around short paragraphs
    spaces.write_bytes(b"<html><body>" + (b"<p>4089</p>" + b" " * 99_989) * 480 + b"</body></html>")
    _refused(spaces, "MAX_HTML_RAW_TEXT")


@pytest.mark.slow
def test_html_tables_of_too_many_cells_or_rows(tmp_path):
    cells = tmp_path / "cells.html"
    cells.write_text("<html><body><p>二、主动公开政府信息情况</p><table>" + "<tr><td>行政许可<td>1<td>2<td>3" * 15_000
                     + "</table></body></html>", "utf-8")
    _refused(cells, "MAX_CELLS", "table 1")
    rows = tmp_path / "rows.html"
    rows.write_text("<html><body><p>二、主动公开政府信息情况</p><table>" + "<tr><td>行政许可<td>1" * 90_000
                    + "</table></body></html>", "utf-8")
    _refused(rows, "MAX_LINES", "table 1")


# --------------------------------------------------------------------------- scans (issue 20)

def test_a_small_tiff_of_300_pages_of_59_megapixels(tmp_path):
    path = tmp_path / "pages.tif"
    path.write_bytes(tiff_of_blank_pages(7680, 7680, 300))
    assert path.stat().st_size < 1_400_000  # 300 × 7680 × 7680 = 17.7 billion pixels
    _refused(path, "MAX_SCAN_PIXELS", "pixels together")


def test_300_blank_a4_pages_in_a_small_pdf(tmp_path):
    path = tmp_path / "blank.pdf"
    path.write_bytes(pdf_of_blank_pages(300, 595, 842, (1654, 2339)))  # each drawn at 200 dpi
    assert path.stat().st_size < 120_000
    _refused(path, "MAX_SCAN_PIXELS", "pixels together")


def test_a_pdf_of_20_pages_of_200_inches(tmp_path):
    path = tmp_path / "huge.pdf"
    path.write_bytes(pdf_of_blank_pages(20, 14_400, 14_400, (100, 100)))  # 14,400 pt: the largest page PDF allows
    _refused(path, "MAX_SCAN_PIXELS", "pixels together")
