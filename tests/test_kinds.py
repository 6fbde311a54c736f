"""Every kind of file agencies publish (issue 21): .doc/.wps, OFD, MHTML, spreadsheets, zip archives.

The files in ``tests/kinds/`` were made by real tools from the real reports
(``tests/kinds/make_fixtures.py`` regenerates them): LibreOffice (.doc, .xls), openpyxl
(.xlsx), Chromium (.mhtml), easyofd (.ofd from the real Hongze 2023 PDF). Each reads to
the facts of its source report, value by value; the sources' own values are checked
against hand-typed figures (the Shaoyang text's 行政许可 4089/-56/7591; the Hongze
PDF's 行政许可 550, 行政处罚 4119, 21 new applications, typed from the PDF).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW, shared_report

import shaoyang_report as sr
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.read.readers import load_document
from shaoyang_report.read.readers.sniff import sniff

KINDS = Path(__file__).resolve().parent / "kinds"
KEY = ["section", "item", "measure", "applicant"]
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice (soffice) is installed by scripts/test.sh")


def _values(report) -> dict:
    return {tuple(None if pd.isna(v) else v for v in row[:4]): row[4]
            for row in report.facts[[*KEY, "value"]].itertuples(index=False)}


@pytest.fixture(scope="module")
def shaoyang():
    report = sr.read_report(RAW / "shaoyang_city_2020.txt")
    facts = report.facts.set_index("item")
    permit = facts.loc["administrative_permit"].set_index("measure")["value"]
    assert (permit["prior_year_items"], permit["change"], permit["decisions"]) == (4089, -56, 7591)  # typed from the page
    return _values(report)


@pytest.fixture(scope="module")
def hongze():
    report = sr.read_report(shared_report("huaian/hongze_district_2023.pdf"))
    values = _values(report)
    assert values[("active_disclosure", "administrative_permit", "decisions", None)] == 550  # typed from the PDF
    assert values[("active_disclosure", "administrative_penalty", "decisions", None)] == 4119
    assert values[("applications", "new_requests", "requests", "total")] == 21
    return values


def _same(report, source: dict) -> None:
    values = _values(report)
    assert len(values) == len(source) > 150
    assert values.keys() == source.keys()
    differ = {k: (values[k], source[k]) for k in source if values[k] != source[k]}
    assert not differ
    assert report.unplaced.empty and report.missing.empty


@pytest.mark.parametrize("kind", ["doc", "wps"])
@needs_soffice
def test_word_97_and_wps_read_through_libreoffice_as_their_source(tmp_path, shaoyang, kind):
    path = tmp_path / f"shaoyang_city_2020.{kind}"
    shutil.copy(KINDS / "shaoyang_city_2020.doc", path)  # WPS writes the Word 97 binary format under .wps
    report = sr.read_report(path)
    assert report.document.reader == kind
    _same(report, shaoyang)
    assert report.facts.location.str.startswith("table ").any()  # tables kept as tables, cells located


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_workbooks_read_sheet_by_sheet_as_their_source(shaoyang, kind):
    report = sr.read_report(KINDS / f"shaoyang_city_2020.{kind}")
    assert report.document.reader == kind
    _same(report, shaoyang)
    first = report.facts.set_index(["item", "measure"]).loc[("administrative_permit", "prior_year_items")]
    assert first["raw"] == "4089" and first["location"].startswith("sheet 1 table 1, row ")


def test_a_page_saved_as_mhtml_by_chromium_reads_as_the_page(shaoyang):
    data = (KINDS / "shaoyang_city_2020.mhtml").read_bytes()
    assert data.startswith(b"From: <Saved by Blink>") and sniff(data) == "mhtml"
    report = sr.read_report(KINDS / "shaoyang_city_2020.mhtml")
    assert report.document.reader == "mhtml"
    _same(report, shaoyang)


def test_an_ofd_made_from_the_real_pdf_reads_as_the_pdf(hongze):
    report = sr.read_report(KINDS / "hongze_district_2023.ofd")
    assert report.document.reader == "ofd"
    _same(report, hongze)
    assert report.summary()["year"] == 2023


def test_sniffing_tells_each_kind_by_its_streams_and_members():
    doc, xls = (KINDS / "shaoyang_city_2020.doc").read_bytes(), (KINDS / "shaoyang_city_2020.xls").read_bytes()
    assert sniff(doc) == "doc" and sniff(doc, "x.wps") == "wps" and sniff(xls) == "xls"
    assert sniff(xls, "misnamed.doc") == "xls" and sniff(doc, "misnamed.xls") == "doc"  # streams, not names
    assert sniff((KINDS / "shaoyang_city_2020.xlsx").read_bytes()) == "xlsx"
    assert sniff((KINDS / "hongze_district_2023.ofd").read_bytes()) == "ofd"
    assert sniff(_zip({"a.txt": b"x"})) == "zip"


def _zip(members: dict[str, bytes], path: Path | None = None) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    if path is not None:
        path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_each_report_of_a_zip_is_its_own_report(tmp_path, shaoyang, hongze):
    inner = _zip({"网页/shaoyang.mhtml": (KINDS / "shaoyang_city_2020.mhtml").read_bytes()})
    _zip({"洪泽区2023.ofd": (KINDS / "hongze_district_2023.ofd").read_bytes(),
          "表格/shaoyang.xlsx": (KINDS / "shaoyang_city_2020.xlsx").read_bytes(),
          "pages.zip": inner, "deeper.zip": _zip({"x.zip": inner}), "说明.css": b"x"}, tmp_path / "reports.zip")
    corpus = sr.read_reports(tmp_path, progress=False)
    assert corpus.errors.empty, corpus.errors
    sources = sorted(corpus.reports.source)
    assert sources == ["reports.zip!pages.zip!网页/shaoyang.mhtml", "reports.zip!洪泽区2023.ofd",
                       "reports.zip!表格/shaoyang.xlsx"]
    _same(sr.read_report(tmp_path / "reports.zip!洪泽区2023.ofd"), hongze)
    _same(sr.read_report(tmp_path / "reports.zip!pages.zip!网页/shaoyang.mhtml"), shaoyang)
    with pytest.raises(ReportFormatError, match="holds 3 reports"):
        sr.read_report(tmp_path / "reports.zip")
    with pytest.raises(ReportFormatError, match="one level deep"):
        load_document(tmp_path / "reports.zip!deeper.zip!x.zip!网页/shaoyang.mhtml")


def test_a_zip_of_one_report_reads_as_that_report(tmp_path, hongze):
    _zip({"hongze.ofd": (KINDS / "hongze_district_2023.ofd").read_bytes()}, tmp_path / "one.zip")
    report = sr.read_report(tmp_path / "one.zip")
    assert report.document.source == "one.zip!hongze.ofd"
    _same(report, hongze)


def test_gbk_member_names_of_chinese_windows_zips_are_read_as_gbk(tmp_path):
    from shaoyang_report.read.readers.archive_reader import archive_reports

    gbk = "报告.ofd".encode("gbk")  # as a Chinese Windows tool writes it: GBK bytes, no UTF-8 flag
    data = _zip({"ABCDEFGH": b"x"}).replace(b"ABCDEFGH", gbk)  # the same length, in both headers
    assert archive_reports(data, "gbk.zip") == ["报告.ofd"]


@needs_soffice
def test_a_folder_of_every_kind_is_read_or_listed_with_its_true_kind(tmp_path, capsys):
    for name in ("doc", "xls", "xlsx", "mhtml"):
        shutil.copy(KINDS / f"shaoyang_city_2020.{name}", tmp_path / f"sy_{name}.{name}")
    shutil.copy(KINDS / "shaoyang_city_2020.doc", tmp_path / "sy_wps.wps")
    shutil.copy(KINDS / "hongze_district_2023.ofd", tmp_path / "hz.ofd")
    _zip({"hz.ofd": (KINDS / "hongze_district_2023.ofd").read_bytes()}, tmp_path / "bundle.zip")
    shutil.copy(KINDS / "shaoyang_city_2020.xls", tmp_path / "tables.bin")  # a workbook under another name
    (tmp_path / "slides.ppt").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "PowerPoint Document".encode("utf-16-le"))
    corpus = sr.read_reports(tmp_path, progress=False)
    assert corpus.errors.empty, corpus.errors
    assert sorted(corpus.reports.source) == ["bundle.zip!hz.ofd", "hz.ofd", "sy_doc.doc", "sy_mhtml.mhtml",
                                             "sy_wps.wps", "sy_xls.xls", "sy_xlsx.xlsx"]
    assert len(corpus.facts) == 5 * 221 + 2 * 189  # every fact of each source report
    skipped = dict(zip(corpus.skipped.path.map(lambda p: Path(p).name), corpus.skipped.kind))
    assert skipped == {"tables.bin": "xls", "slides.ppt": "ppt"}
    assert "name it tables.xls" in corpus.skipped.set_index("kind").loc["xls", "reason"]
    from shaoyang_report.cli import main

    main(["check", str(tmp_path)])
    said = capsys.readouterr().out
    for source in corpus.reports.source:
        read_as = "洪泽区人民政府 2023年 F2021" if source.endswith(".ofd") else "邵阳市 2020年 F2019"
        assert f"\n{source}: {read_as}（" in f"\n{said}", (source, said)
    assert "跳过 2 个文件" in said and "tables.bin — Excel 97-2003 工作簿 (.xls)" in said
    assert "slides.ppt — PowerPoint 演示文稿" in said


def test_without_libreoffice_a_doc_is_one_error_naming_the_program(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReportFormatError, match=r"LibreOffice is needed .*\(soffice\) was not found"):
        sr.read_report(KINDS / "shaoyang_city_2020.doc")


# --------------------------------------------------------------------------- hostile files
# Read in a child process with an address-space limit and a CPU budget, as tests/test_hostile.py
# reads every hostile file (its child, its figures); refused with one ReportFormatError, peak
# RSS under 500 MB.

def _child(path: Path | str, mode: str = "report", before: str = "") -> dict:
    import json
    import os
    import subprocess
    import sys

    from conftest import PROJECT
    from test_hostile import _CHILD, ADDRESS_SPACE, CPU_SECONDS, PEAK_MB

    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    proc = subprocess.run([sys.executable, "-c", before + _CHILD, str(path), str(ADDRESS_SPACE), mode, str(CPU_SECONDS)],
                          cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{Path(str(path)).name}: {outcome['seconds']:.2f} s, {outcome['peak_mb']:.0f} MB")
    assert outcome["peak_mb"] < PEAK_MB, outcome
    return outcome


def _raw_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip written byte by byte: ``(name, deflated bytes, crc, declared size)`` per member."""
    import struct

    local, central = bytearray(), bytearray()
    for name, raw, crc, size in members:
        encoded = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, crc, len(raw), size, len(encoded), 0)
        local += encoded + raw
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0x21, crc, len(raw), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def _gigabyte_of_xml() -> tuple[bytes, int, int]:
    """1 GiB of XML deflated lazily to about 1 MB: one flushed block of 1 MiB, repeated (valid deflate)."""
    import zlib

    chunk = b"<ofd:TextCode>" + b" " * ((1 << 20) - 14)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(chunk, crc)
    return block * 1024 + b"\x03\x00", crc, 1 << 30  # the last, empty block ends the stream


_OFD_XML = (b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0">'
            b'<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
_DOCUMENT_XML = (b'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016">'
                 b'<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>')


@pytest.mark.parametrize("declared", ["truly", "lying"])
def test_an_ofd_with_a_gigabyte_xml_member_is_refused(tmp_path, declared):
    import zlib

    def small(body: bytes) -> tuple[bytes, int, int]:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(body) + c.flush(), zlib.crc32(body), len(body)

    raw, crc, size = _gigabyte_of_xml()
    if declared == "lying":
        size = 4096  # the directory says 4 KB: found out by inflating with a budget
    path = _raw_zip(tmp_path / "bomb.ofd", [("OFD.xml", *small(_OFD_XML)), ("Doc_0/Document.xml", *small(_DOCUMENT_XML)),
                                            ("Doc_0/Pages/Page_0/Content.xml", raw, crc, size)])
    assert path.stat().st_size < 2 << 20 and sniff(path.read_bytes()) == "ofd"
    outcome = _child(path)
    assert outcome["kind"] == "ReportFormatError", outcome
    assert "OFD document" in outcome["message"] and "MAX_DOCX_" in outcome["message"], outcome


def test_a_zip_of_ten_thousand_members_is_refused_alone_and_in_a_folder(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for k in range(10_000):
            archive.writestr(f"r{k}.txt", b"")
    outcome = _child(path)
    assert outcome["kind"] == "ReportFormatError" and "MAX_DOCX_MEMBERS" in outcome["message"], outcome
    assert "10,000 parts" in outcome["message"]
    outcome = _child(tmp_path, "corpus")
    assert outcome["read"] == 0 and len(outcome["errors"]) == 1 and "MAX_DOCX_MEMBERS" in outcome["errors"][0], outcome


def test_a_doc_that_makes_the_converter_hang_is_refused_at_the_wall_clock_limit(tmp_path):
    import os

    # A converter that never ends and starts a process of its own: both are ended at the limit.
    folder = tmp_path / "bin"
    folder.mkdir()
    started = tmp_path / "started.pid"
    (folder / "soffice").write_text(f"#!/bin/sh\nsleep 600 &\necho $! > {started}\nwait\n")
    (folder / "soffice").chmod(0o755)
    path = tmp_path / "hangs.doc"
    shutil.copy(KINDS / "shaoyang_city_2020.doc", path)
    old = os.environ["PATH"]
    os.environ["PATH"] = f"{folder}{os.pathsep}{old}"
    try:
        outcome = _child(path, before="import shaoyang_report.limits as _limits; _limits.MAX_CONVERT_SECONDS = 3\n")
    finally:
        os.environ["PATH"] = old
    assert outcome["kind"] == "ReportFormatError", outcome
    assert "within 3 s" in outcome["message"] and "MAX_CONVERT_SECONDS" in outcome["message"], outcome
    assert 3 <= outcome["seconds"] < 30, outcome
    pid = int(started.read_text())
    state = Path(f"/proc/{pid}/stat")
    assert not state.exists() or state.read_text().split(")")[-1].split()[0] == "Z"  # the converter's child ended too


@needs_soffice
def test_a_damaged_doc_is_one_error(tmp_path):
    path = tmp_path / "cut.doc"
    path.write_bytes((KINDS / "shaoyang_city_2020.doc").read_bytes()[:6000])
    with pytest.raises(ReportFormatError):
        sr.read_report(path)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is installed by scripts/test.sh")
def test_an_mhtml_whose_tables_are_pictures_reads_them_by_ocr_as_the_saved_page(tmp_path):
    """The real Hongze 2023 pages 1–4 as PNG pictures of a page, saved as MHTML by Chromium itself.

    Read with the OCR engine's recorded answers for these pictures (tests/ocr_boxes/test_ocr.json):
    the web archive gives the facts the same page saved as .html with its pictures beside it gives.
    """
    import ocr_replay
    import pypdfium2 as pdfium
    from kinds.make_fixtures import chromium_mhtml

    pdf = pdfium.PdfDocument(str(shared_report("huaian/hongze_district_2023.pdf")))
    files = tmp_path / "page" / "report_files"
    files.mkdir(parents=True)
    try:
        for n in range(1, 5):
            pdf[n - 1].render(scale=150 / 72).to_pil().convert("RGB").save(files / f"hongze_2023_p{n}.png")
    finally:
        pdf.close()
    page = tmp_path / "page" / "report.html"
    page.write_text("<html><body><div class='nav'>首页 &gt; 政府信息公开</div>" + "".join(
        f'<p><img src="report_files/hongze_2023_p{n}.png" alt=""></p>' for n in range(1, 5)) + "</body></html>",
        encoding="utf-8")
    archive = chromium_mhtml(page, tmp_path / "report.mhtml")
    with ocr_replay.replayed("test_ocr"):
        saved, web = sr.read_report(page), sr.read_report(archive)
    assert web.document.reader == "mhtml" and web.summary()["ocr"] == "image 1, image 2, image 3, image 4"
    assert len(web.facts) > 150 and _values(web) == _values(saved)


@pytest.mark.parametrize("attachment", ["shaoyang_2020.xls", "shaoyang_2020.zip"])
def test_fetch_keeps_such_an_attachment_and_completes_the_row_when_it_reads(server, session, tmp_path, shaoyang,
                                                                           attachment):
    from fetch_server import Route, opening_page

    from shaoyang_report.corpus.catalog import COMPLETE, read_catalog
    from shaoyang_report.corpus.fetch import fetch_catalog

    xls = (KINDS / "shaoyang_city_2020.xls").read_bytes()
    body = xls if attachment.endswith(".xls") else _zip({"邵阳市2020年政府信息公开工作年度报告.xls": xls})
    server.routes.update({"/report.shtml": Route(opening_page("shaoyang_city_2019", (
        f"files/{attachment}", "邵阳市2020年政府信息公开工作年度报告"))),
        f"/files/{attachment}": Route(body, content_type="application/octet-stream")})
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "catalog.csv").write_text("report_id,agency,year,url,local_file,completeness,note\n"
                                     f"shaoyang_city_2020,邵阳市,2020,{server.url('/report.shtml')},,opening_only,\n",
                                     "utf-8")
    fetch_catalog(raw / "catalog.csv", session=session, delay=0, retries=1, timeout=2, backoff=0.01, progress=False,
                  allow_private=True)
    row = read_catalog(raw / "catalog.csv").iloc[0]
    assert row.completeness == COMPLETE
    expected = f"{attachment}!邵阳市2020年政府信息公开工作年度报告.xls" if attachment.endswith(".zip") else attachment
    assert row.local_file.endswith(expected)
    corpus = sr.read_reports(raw, progress=False)
    assert corpus.errors.empty and len(corpus) == 1
    _same(sr.read_report(raw / row.local_file), shaoyang)


def test_a_cached_corpus_is_read_again_when_its_archive_changes(tmp_path):
    from shaoyang_report.corpus.cache import corpus_key

    archive = tmp_path / "a.zip"
    _zip({"x.ofd": (KINDS / "hongze_district_2023.ofd").read_bytes()}, archive)
    jobs = [(Path(f"{archive}!x.ofd"), None, None, None)]
    before = corpus_key(jobs, pd.DataFrame(), [])
    _zip({"x.ofd": (KINDS / "hongze_district_2023.ofd").read_bytes(), "y.txt": b"y"}, archive)
    assert corpus_key(jobs, pd.DataFrame(), []) != before


def test_a_workbook_of_too_many_cells_is_refused_as_they_stream(tmp_path):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("大表")
    for _ in range(14_000):
        sheet.append(list(range(11)))  # 154,000 cells: a report's tables hold a few hundred
    book.save(tmp_path / "big.xlsx")
    outcome = _child(tmp_path / "big.xlsx")
    assert outcome["kind"] == "ReportFormatError" and "MAX_CELLS" in outcome["message"], outcome


def test_ofd_runs_in_the_standards_namespace_continue_where_the_last_ended(tmp_path):
    """Beside the real tool's files: the shape GB/T 33190 gives (its namespace, absolute paths, a run without X/Y)."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    content = (f'<ofd:Page {ns}><ofd:Content><ofd:Layer ID="1">'
               '<ofd:TextObject ID="2" Boundary="20 30 120 6" Font="3" Size="5">'
               '<ofd:TextCode X="0" Y="5" DeltaX="g 6 5">邵阳市2020年</ofd:TextCode>'
               '<ofd:TextCode DeltaX="g 11 5">政府信息公开工作年度报告</ofd:TextCode></ofd:TextObject>'
               '<ofd:TextObject ID="4" Boundary="20 40 60 6" Size="5"><ofd:TextCode X="0" Y="5">行政许可</ofd:TextCode>'
               '</ofd:TextObject><ofd:TextObject ID="5" Boundary="90 40 20 6" Size="5">'
               '<ofd:TextCode X="0" Y="5" DeltaX="2.5 2.5 2.5">4089</ofd:TextCode></ofd:TextObject>'
               '</ofd:Layer></ofd:Content></ofd:Page>')
    document = (f'<ofd:Document {ns}><ofd:Pages><ofd:Page ID="1" BaseLoc="/Doc_0/Pages/Page_0/Content.xml"/>'
                '</ofd:Pages></ofd:Document>')
    _zip({"OFD.xml": f'<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody>'
                     '</ofd:OFD>'.encode(), "Doc_0/Document.xml": document.encode(),
          "Doc_0/Pages/Page_0/Content.xml": content.encode()}, tmp_path / "spec.ofd")
    doc = load_document(tmp_path / "spec.ofd")
    assert [(ln.location, ln.text) for ln in doc.lines] == [("page 1, line 1", "邵阳市2020年 政府信息公开工作年度报告"),
                                                           ("page 1, line 2", "行政许可 4089")]
    assert [t.text for t in doc.lines[1].tokens] == ["行政许可", "4089"]
