"""Readers hold up against damaged files, hidden page content and oversized input.

* Hidden HTML (``display: none``, ``hidden``, ``aria-hidden``, ``visibility: hidden``
  on rows, row groups, cells, tables, divs) is not read as data.
* Damaged or truncated PDFs and Word files — cut at many points or with bytes changed,
  built here from the real PDFs (read in place) and from a python-docx file — give a
  Document or one ReportFormatError naming the file, never a library's exception; the
  command line reports one ``error:`` line and carries on with the other files.
* The caps of :mod:`shaoyang_report.limits` refuse oversized input at once, and leave
  ample room over the largest real reports.

The heavy hostile files (48 MB texts, zip bombs, /dev/zero, FIFOs) are in
``test_hostile.py``, read in a child process under a memory limit.
"""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW, SHARED_REPORTS, shared_report
from fixture_pages import shaoyang_html, write_docx

import shaoyang_report as sr
from shaoyang_report import limits
from shaoyang_report.read.readers import load_document, read_document

KEYS = ["section", "item", "measure", "applicant", "value", "unit", "raw", "is_total"]
TEXT = RAW / "shaoyang_city_2020.txt"
PDFS = ["huaian/hongze_district_2023.pdf", "huaian/hongze_district_2024.pdf"]


@pytest.fixture(scope="module")
def text_report():
    return sr.read_report(TEXT)


# --------------------------------------------------------------------------- hidden HTML

# The page's 行政许可 row (table 二) as the fixture prints it: label, then 4089, -56, 7591.
_PERMIT_ROW = re.compile(r"<tr>\s*<td[^>]*>(?:(?!</tr>).)*?>行政许可<(?:(?!</tr>).)*</tr>", re.S)
_DECOY = "<td>行政许可</td><td>9999</td><td>9999</td><td>9999</td>"


def _page_with(tmp_path: Path, name: str, edit) -> Path:
    page = shaoyang_html()
    match = _PERMIT_ROW.search(page)
    assert match and "4089" in match.group(0)
    path = tmp_path / name
    path.write_text(page[:match.start()] + edit(match.group(0)) + page[match.end():], "utf-8")
    return path


@pytest.mark.parametrize("row_attributes", [
    'style="display:none"',
    'style="DISPLAY : None ;"',
    'style="color:red; display: none !important"',
    "hidden",
    'hidden="hidden"',
    'aria-hidden="true"',
    'aria-hidden=" TRUE "',
    'style="visibility:hidden"',
    'style="Visibility: Collapse"',
])
def test_hidden_rows_are_not_read(tmp_path, text_report, row_attributes):
    path = _page_with(tmp_path, "hidden_row.html", lambda row: f"<tr {row_attributes}>{_DECOY}</tr>\n{row}")
    report = sr.read_report(path)
    assert not any("9999" in t.text for line in report.document.lines for t in line.tokens)
    pd.testing.assert_frame_equal(report.facts[KEYS], text_report.facts[KEYS])


def test_a_row_shown_again_by_a_later_declaration_is_read(tmp_path):
    path = _page_with(tmp_path, "shown.html", lambda row: f'<tr style="display:none; display: table-row">{_DECOY}</tr>'
                      f"\n{row}")
    doc = load_document(path)
    assert any(line.text.startswith("行政许可 9999") for line in doc.lines)


@pytest.mark.parametrize("wrapper", [
    ('<tbody style="display:none">', "</tbody>"),
    ('<tbody hidden>', "</tbody>"),
])
def test_hidden_row_groups_are_not_read(tmp_path, text_report, wrapper):
    start, end = wrapper
    path = _page_with(tmp_path, "hidden_group.html", lambda row: f"{start}<tr>{_DECOY}</tr>{end}\n{row}")
    report = sr.read_report(path)
    pd.testing.assert_frame_equal(report.facts[KEYS], text_report.facts[KEYS])


def test_a_hidden_cell_takes_no_place_in_the_row(tmp_path, text_report):
    def edit(row: str) -> str:
        label_end = row.index("</td>") + len("</td>")
        return row[:label_end] + '<td style="display: none">9999</td>' + row[label_end:]

    report = sr.read_report(_page_with(tmp_path, "hidden_cell.html", edit))
    pd.testing.assert_frame_equal(report.facts[KEYS], text_report.facts[KEYS])


def test_a_cell_hidden_with_visibility_keeps_its_place_blank():
    page = ("<html><body><table><tr><td>行政处罚</td><td>1148</td><td>327</td><td>1614</td></tr>"
            "<tr><td>行政许可</td><td style='visibility: hidden'>4089</td><td>-56</td>"
            "<td>7591</td></tr></table></body></html>")
    _, line = read_document(page.encode(), "v.html").lines
    assert [(t.text, t.kind, t.location) for t in line.tokens] == [
        ("行政许可", "text", "table 1, row 2, col 1"), ("", "blank", "table 1, row 2, col 2"),
        ("-56", "value", "table 1, row 2, col 3"), ("7591", "value", "table 1, row 2, col 4")]


def test_hidden_tables_divs_and_nested_tables():
    page = ("<html><body><p>二、主动公开政府信息情况</p>"
            "<div style='display :NONE'><p>主动公开规章 9999 件</p></div>"
            "<table hidden><tr><td>行政处罚</td><td>9999</td></tr></table>"
            "<table><tr><td>行政许可<table style='display:none'><tr><td>9999</td></tr></table></td>"
            "<td>4089</td></tr></table></body></html>")
    doc = read_document(page.encode(), "h.html")
    assert [line.text for line in doc.lines] == ["二、主动公开政府信息情况", "行政许可 4089"]
    # hidden tables are not counted; a table holding only a hidden table is a data table
    assert [t.location for t in doc.lines[1].tokens] == ["table 1, row 1, col 1", "table 1, row 1, col 2"]


# --------------------------------------------------------------------------- damaged PDFs

def _damaged_versions(data: bytes, seed: int, cuts: int, mutations: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    out = [(f"cut at {c}", data[:c]) for c in sorted({int(len(data) * k / cuts) for k in range(cuts)})]
    for _ in range(mutations):
        at = rng.randrange(len(data))
        how = rng.choice(["flip", "zero", "delete"])
        if how == "flip":
            out.append((f"byte {at} changed", data[:at] + bytes([data[at] ^ (1 + rng.randrange(255))]) + data[at + 1:]))
        elif how == "zero":
            n = rng.randrange(1, 2000)
            out.append((f"{n} bytes zeroed at {at}", data[:at] + bytes(len(data[at:at + n])) + data[at + n:]))
        else:
            n = rng.randrange(1, 2000)
            out.append((f"{n} bytes deleted at {at}", data[:at] + data[at + n:]))
    return out


def _document_or_clean_error(data: bytes, name: str, what: str):
    try:
        return read_document(data, name)
    except sr.ReportFormatError as exc:
        assert str(exc).startswith(f"{name}: "), (what, str(exc))
        return exc
    except Exception as exc:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{name} with {what}: {type(exc).__name__}: {exc}")


def test_a_pdf_cut_where_the_library_loses_its_page_count(tmp_path):
    real = shared_report(PDFS[0]).read_bytes()
    # Cut here, PyMuPDF's page count raised RuntimeError: code=7 (Invalid number of pages);
    # PDFium cannot load the document at all. Either way: damaged or truncated, said so.
    with pytest.raises(sr.ReportFormatError) as info:
        read_document(real[:975], "cut.pdf")
    message = str(info.value)
    assert message.startswith("cut.pdf: the PDF is damaged or truncated") and "PDFium" in message


@pytest.mark.slow
@pytest.mark.parametrize("relative", PDFS)
def test_truncated_and_mutated_pdfs_give_a_document_or_a_clean_error(relative):
    real = shared_report(relative).read_bytes()
    versions = _damaged_versions(real, seed=len(real), cuts=60, mutations=60)
    errors = 0
    for what, data in versions:
        outcome = _document_or_clean_error(data, "damaged.pdf", what)
        if isinstance(outcome, sr.ReportFormatError):
            errors += 1
            assert any(w in str(outcome) for w in ("damaged", "truncated", "no text layer", "no pages",
                                                   "not a PDF", "password")), (what, str(outcome))
    truncated = [d for w, d in versions if w.startswith("cut at") and len(d) < len(real) * 0.9]
    assert errors >= len(truncated)  # a file cut short is never read as if it were whole


# --------------------------------------------------------------------------- damaged Word

@pytest.fixture(scope="module")
def docx_bytes(tmp_path_factory) -> bytes:
    return write_docx(tmp_path_factory.mktemp("docx") / "report.docx").read_bytes()


def test_the_word_fixture_reads(docx_bytes):
    assert read_document(docx_bytes, "report.docx").reader == "docx"


@pytest.mark.slow
def test_truncated_and_mutated_docx_give_a_document_or_a_clean_error(docx_bytes):
    versions = _damaged_versions(docx_bytes, seed=7, cuts=120, mutations=200)
    outcomes = [_document_or_clean_error(data, "damaged.docx", what) for what, data in versions]
    errors = [o for o in outcomes if isinstance(o, sr.ReportFormatError)]
    cut = sum(1 for w, _ in versions if w.startswith("cut at"))
    assert len(errors) >= cut  # a cut zip has no directory: never read
    assert all(any(w in str(e) for w in ("damaged", "truncated", "not a Word", "zip")) for e in errors), errors[:3]


def test_a_docx_part_with_a_bad_checksum_is_damaged(docx_bytes):
    src = zipfile.ZipFile(io.BytesIO(docx_bytes))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info.filename), compress_type=zipfile.ZIP_STORED)
    data = bytearray(buf.getvalue())
    at = data.index(b"<w:body>") + 2  # inside word/document.xml, stored as is
    data[at] ^= 0x20
    with pytest.raises(sr.ReportFormatError, match=r"bad.docx: .*word/document.xml fails its checksum"):
        read_document(bytes(data), "bad.docx")


# --------------------------------------------------------------------------- the command line

def test_cli_check_reports_the_good_file_and_one_error_for_the_damaged_pdf(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(shared_report(PDFS[0]).read_bytes()[:975])
    result = subprocess.run([sys.executable, "-m", "shaoyang_report.cli", "check", str(TEXT), str(bad)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "bad.pdf" in errors[0] and "damaged or truncated" in errors[0], result.stderr
    assert re.search(r"^shaoyang_city_2020\.txt: 邵阳市 2020年 F2019", result.stdout, re.M), result.stdout


# --------------------------------------------------------------------------- caps

@pytest.mark.parametrize(("text", "limit"), [
    ("二、主动公开政府信息情况\n" + "1 |\n" * (limits.MAX_LINES + 1), "MAX_LINES"),
    ("行政许可 " + "4" * (limits.MAX_LINE_CHARS + 1), "MAX_LINE_CHARS"),
    ("行政许可 1 2 3 4 5 6 7 8 9\n" * (limits.MAX_TOKENS // 10 + 1), "MAX_TOKENS"),
    ("行政许可" * (limits.MAX_CHARS // 4 + 1), "MAX_CHARS"),
])
def test_text_beyond_a_cap_is_refused_at_once(text, limit):
    with pytest.raises(sr.ReportFormatError, match=rf"^big\.txt: .*\(limit {limit} in shaoyang_report\.limits\)$"):
        sr.read_text(text, source="big.txt")


def test_text_bytes_beyond_the_cap_are_refused_before_decoding():
    data = "行政许可 4089\n".encode("gb18030") * 200_000  # 2.8 MB: over MAX_CHARS at 4 bytes a character
    with pytest.raises(sr.ReportFormatError, match=r"^big\.txt: the text is 2,800,000 bytes.*MAX_CHARS"):
        read_document(data, "big.txt")


def test_reading_is_bounded_by_what_is_read_not_by_stat(monkeypatch):
    status = Path("/proc/self/status")  # a regular file whose stated size is 0
    if not status.exists() or status.stat().st_size != 0:
        pytest.skip("needs Linux /proc")
    monkeypatch.setattr("shaoyang_report.read.readers.files.MAX_FILE_BYTES", 100)
    with pytest.raises(sr.ReportFormatError, match=r"/proc/self/status: the file is over 100 bytes.*MAX_FILE_BYTES"):
        load_document(status)


def test_a_file_over_the_byte_cap_is_refused(tmp_path):
    big = tmp_path / "big.pdf"
    with open(big, "wb") as f:
        f.truncate(limits.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(sr.ReportFormatError, match=r"big.pdf: the file is 52,428,801 bytes.*MAX_FILE_BYTES"):
        load_document(big)


def test_a_folder_is_not_a_report(tmp_path):
    with pytest.raises(sr.ReportFormatError, match="is a folder, not a regular file"):
        load_document(tmp_path)


def test_a_pdf_beyond_the_page_cap(tmp_path):
    import pymupdf
    pdf = pymupdf.open()
    for _ in range(limits.MAX_PDF_PAGES + 1):
        pdf.new_page()
    data = pdf.tobytes()
    with pytest.raises(sr.ReportFormatError, match=r"pages.pdf: the PDF has 301 pages.*MAX_PDF_PAGES"):
        read_document(data, "pages.pdf")


def test_pdf_text_is_counted_page_by_page(monkeypatch):
    data = shared_report(PDFS[0]).read_bytes()
    monkeypatch.setattr(limits, "MAX_CHARS", 1000)  # the real report has ~2,400 characters of text
    with pytest.raises(sr.ReportFormatError, match=r"^hongze\.pdf: page [1-3]: .*over 1,000 characters.*MAX_CHARS"):
        read_document(data, "hongze.pdf")


def test_word_paragraphs_and_cells_are_counted(monkeypatch, docx_bytes):
    monkeypatch.setattr("shaoyang_report.read.readers.docx_reader.MAX_DOCX_PARAGRAPHS", 50)
    with pytest.raises(sr.ReportFormatError, match=r"over 50 paragraphs.*MAX_DOCX_PARAGRAPHS"):
        read_document(docx_bytes, "report.docx")
    monkeypatch.undo()
    monkeypatch.setattr(limits, "MAX_CELLS", 100)
    with pytest.raises(sr.ReportFormatError, match=r"report.docx: table \d+: .*over 100 cells.*MAX_CELLS"):
        read_document(docx_bytes, "report.docx")


def _real_reports() -> list[Path]:
    return [SHARED_REPORTS / "shaoyang" / "shaoyang_city_2020.txt", *(SHARED_REPORTS / p for p in PDFS),
            *sorted((SHARED_REPORTS / "shanghai").glob("*.md"))]


def test_the_caps_leave_room_over_the_largest_real_reports():
    """Every real report reads, with at least 20 times its size to spare under each cap."""
    reports = _real_reports()
    assert len(reports) == 4 and all(p.exists() for p in reports)
    docs = [load_document(p) for p in reports]
    most = {
        "MAX_LINES": max(len(d.lines) for d in docs),
        "MAX_TOKENS": max(sum(len(line.tokens) for line in d.lines) for d in docs),
        "MAX_CHARS": max(sum(len(line.text) for line in d.lines) for d in docs),
        "MAX_LINE_CHARS": max(len(line.text) for d in docs for line in d.lines),
        "MAX_FILE_BYTES": max(p.stat().st_size for p in reports),
    }
    assert most["MAX_LINES"] >= 300 and most["MAX_CHARS"] >= 4000  # the figures measured, not an empty read
    for name, n in most.items():
        assert 20 * n <= getattr(limits, name), (name, n)
    import pymupdf
    assert max(pymupdf.open(SHARED_REPORTS / p).page_count for p in PDFS) * 20 <= limits.MAX_PDF_PAGES
