"""Every source form feeds the same reader: text, HTML page, Word, PDF; picked by content.

The HTML page and the Word file are built here from the Shaoyang 2020 text
(tests/fixture_pages.py) in the shape a government CMS publishes; all three renderings
must give the same facts. Bad input of each kind gives one ReportFormatError naming
the file, never a traceback from inside a library.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW, shared_report
from fixture_pages import shaoyang_html, write_docx, write_html

import shaoyang_report as sr
from shaoyang_report.read.readers import load_document, sniff

TEXT = RAW / "shaoyang_city_2020.txt"
KEYS = ["section", "item", "measure", "applicant", "value", "unit", "raw", "is_total"]
TABLES = ["active_disclosure", "applications", "review_litigation"]


@pytest.fixture(scope="module")
def text_report():
    return sr.read_report(TEXT)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    d = tmp_path_factory.mktemp("pages")
    return {
        "html": write_html(d / "shaoyang_city_2020.html"),
        "html_gb18030": write_html(d / "shaoyang_city_2020_gb.html", "gb18030"),
        "docx": write_docx(d / "shaoyang_city_2020.docx"),
    }


@pytest.mark.parametrize("kind", ["html", "html_gb18030", "docx"])
def test_html_and_word_give_the_same_facts_as_the_text(kind, pages, text_report):
    r = sr.read_report(pages[kind])
    assert r.document.reader == kind.split("_")[0]
    assert (r.agency, r.year, r.template) == ("邵阳市", 2020, "F2019")
    assert r.missing.empty and r.unplaced.empty and r.problems == []
    pd.testing.assert_frame_equal(r.facts[KEYS], text_report.facts[KEYS])
    pd.testing.assert_frame_equal(r.findings.drop(columns=["report_id", "locations"]),
                                  text_report.findings.drop(columns=["report_id", "locations"]))


def test_the_gb18030_page_really_is_gb18030(pages):
    data = pages["html_gb18030"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b'charset=gb2312' in data and "邵阳市".encode("gb18030") in data


def _fact(report, item, measure, applicant=None):
    f = report.facts
    rows = f[(f["item"] == item) & (f.measure == measure)]
    rows = rows[rows.applicant == applicant] if applicant else rows[rows.applicant.isna()]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_locations_find_the_cell_again(pages, text_report):
    # text: the line of the copied page (line 41 reads "7591 |")
    assert TEXT.read_text("utf-8").splitlines()[40] == "7591 |"
    assert _fact(text_report, "administrative_permit", "decisions").location == "line 41"
    # HTML: table 1 of the page is its metadata table; table 二 is table 2: two caption
    # rows, two header rows and two item rows come before 行政许可 (row 7), whose
    # 处理决定数量 is grid column 4.
    html = sr.read_report(pages["html"])
    assert _fact(html, "administrative_permit", "decisions").location == "table 2, row 7, col 4"
    # table 三: three header rows, then 一、二 (rows 4–5), 三/(一) … (七)总计 is row 25;
    # its label sits in column 2 beside an empty cell (column 3); 自然人 is column 4.
    seventh = _fact(html, "total_handled", "requests", "natural_person")
    assert seventh.location == "table 3, row 25, col 4" and seventh.value == 139
    # Word: the same grid, but the document has no metadata table before it
    word = sr.read_report(pages["docx"])
    assert _fact(word, "administrative_permit", "decisions").location == "table 1, row 7, col 4"
    assert _fact(word, "total_handled", "requests", "natural_person").location == "table 2, row 25, col 4"


def test_page_furniture_and_scripts_do_not_leak(pages):
    doc = load_document(pages["html"])
    text = "\n".join(line.text for line in doc.lines)
    for leaked in ("999", "document.write", "_hmt", "text-indent", "请启用脚本", "首页", "搜索", "ICP"):
        assert leaked not in text, leaked
    assert doc.lines[0].location == "table 1, row 1"  # the metadata table is kept: it is the page's
    assert any(line.text == "邵阳市2020年政府信息公开工作年度报告" for line in doc.lines)


def test_reader_is_chosen_by_content_not_extension(tmp_path, pages):
    cases = {
        "page.txt": pages["html"].read_bytes(),
        "report.bin": pages["docx"].read_bytes(),
        "hongze.dat": shared_report("huaian/hongze_district_2023.pdf").read_bytes(),
        "copied.html": TEXT.read_bytes(),
    }
    readers = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        readers[name] = sr.read_report(tmp_path / name).document.reader
    assert readers == {"page.txt": "html", "report.bin": "docx", "hongze.dat": "pdf", "copied.html": "text"}
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)
    assert sniff(b"%PDF-1.4\n") == "pdf" and sniff(ole) == "ole" and sniff(ole, "old.doc") == "doc"
    assert sniff(ole + "WordDocument".encode("utf-16-le")) == "doc"  # OLE2 told apart by its streams
    assert sniff(ole + "WordDocument".encode("utf-16-le"), "a.wps") == "wps"
    assert sniff(ole + "Workbook".encode("utf-16-le"), "a.doc") == "xls"
    assert sniff("第一行提到<table>标签\n".encode()) == "text"


# --------------------------------------------------------------------------- encodings

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_text_encodings_are_detected(tmp_path, encoding, text_report):
    text = TEXT.read_text("utf-8")
    if encoding == "gbk":
        text = text.replace("﹝", "〔").replace("﹞", "〕")  # not in GBK; the only such characters
    path = tmp_path / f"shaoyang_{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    r = sr.read_report(path)
    pd.testing.assert_frame_equal(r.facts[KEYS], text_report.facts[KEYS])


def test_full_width_digits_and_thousands_separators(tmp_path):
    text = TEXT.read_text("utf-8")
    text = text.replace("\n7591 |\n", "\n７，５９１ |\n").replace("\n37458 |\n", "\n37，458 |\n")
    text = text.replace("\n46502.47万 |\n", "\n４６５０２．４７万 |\n").replace("\n-56 |\n", "\n－５６ |\n")
    r = sr.read_text(text, source="full_width.txt")
    assert _fact(r, "administrative_permit", "decisions").value == 7591
    assert _fact(r, "administrative_permit", "change").value == -56
    assert _fact(r, "other_management_services", "decisions").value == 37458
    assert _fact(r, "government_procurement", "amount").value == pytest.approx(46502.47)


def test_full_width_values_in_an_html_page(tmp_path):
    page = shaoyang_html().replace(">7591<", ">７，５９１<").replace(">137<", ">１３７<")
    path = tmp_path / "full_width.html"
    path.write_text(page, "utf-8")
    r = sr.read_report(path)
    assert _fact(r, "administrative_permit", "decisions").value == 7591
    assert _fact(r, "new_requests", "requests", "natural_person").value == 137


def test_blank_html_cells_are_not_stated(tmp_path):
    page = shaoyang_html().replace(">7591<", ">&nbsp;<", 1)
    path = tmp_path / "blank.html"
    path.write_text(page, "utf-8")
    r = sr.read_report(path)
    cell = _fact(r, "administrative_permit", "decisions")
    assert math.isnan(cell.value) and cell.raw == "" and cell.location == "table 2, row 7, col 4"
    assert len(r.facts[r.facts.section.isin(TABLES)]) == 198


def test_table_four_left_blank_is_not_stated_and_spacer_rows_hold_nothing(tmp_path):
    page = shaoyang_html()
    head, four = page.split("四、政府信息公开行政复议和行政诉讼情况", 1)
    table, tail = four.split("</table>", 1)
    last_row = table.rindex("<tr>")
    blanked = table[:last_row] + re.sub(r">\d+<", ">&nbsp;<", table[last_row:])
    # an empty row (a spacer, as Word-exported pages have) after 一、本年新收…
    spacer = "<tr>" + "<td>&nbsp;</td>" * 10 + "</tr>"
    row = head.rindex("一、本年新收政府信息公开申请数量")  # the cell, not the decoy in the script
    end = head.index("</tr>", row) + len("</tr>")
    head = head[:end] + spacer + head[end:]
    path = tmp_path / "blank_four.html"
    path.write_text(head + "四、政府信息公开行政复议和行政诉讼情况" + blanked + "</table>" + tail, "utf-8")
    r = sr.read_report(path)
    four = r.facts[r.facts.section == "review_litigation"]
    assert len(four) == 15 and four.value.isna().all() and (four.raw == "").all()
    assert len(r.facts[r.facts.section == "applications"]) == 161 and r.problems == []
    assert (r.checks[r.checks.section == "review_litigation"].status == "not_checkable").all()


# --------------------------------------------------------------------------- bad input

def _expect_error(path: Path, *words: str) -> str:
    with pytest.raises(sr.ReportFormatError) as info:
        sr.read_report(path)
    message = str(info.value)
    assert message.startswith(path.name + ":"), message
    for word in words:
        assert word in message, message
    return message


def test_scanned_pdf_says_ocr_is_needed(tmp_path):
    import pymupdf
    pdf = pymupdf.open()
    for _ in range(2):
        page = pdf.new_page()
        pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 80), False)
        pixmap.clear_with(230)
        page.insert_image(page.rect, pixmap=pixmap)
    path = tmp_path / "scanned.pdf"
    pdf.save(str(path))
    _expect_error(path, "no text layer", "scan", "OCR")


def test_corrupt_and_truncated_pdfs_name_the_file(tmp_path):
    real = shared_report("huaian/hongze_district_2023.pdf").read_bytes()
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    _expect_error(garbage, "damaged")
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(real[: len(real) // 2])
    _expect_error(cut, "damaged", "truncated")


def test_password_protected_pdf(tmp_path):
    import pymupdf
    pdf = pymupdf.open(str(shared_report("huaian/hongze_district_2023.pdf")))
    path = tmp_path / "locked.pdf"
    pdf.save(str(path), encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    _expect_error(path, "password")


def test_zip_bomb_docx_is_refused_without_expanding(tmp_path, pages):
    src = zipfile.ZipFile(pages["docx"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":  # 20 MB of spaces: inflates 1000-fold
                data = data.replace(b"</w:body>", b"<w:p><w:r><w:t>" + b" " * (20 << 20) + b"</w:t></w:r></w:p></w:body>")
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    path = tmp_path / "bomb.docx"
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 1 << 20
    _expect_error(path, "zip bomb", "word/document.xml")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is installed by scripts/test.sh")
def test_other_office_files_are_named(tmp_path):
    doc = tmp_path / "old.doc"  # an OLE2 header and nothing else
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    _expect_error(doc, "Word 97-2003", "damaged", ".docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    xlsx = tmp_path / "table.xlsx"
    xlsx.write_bytes(buf.getvalue())
    _expect_error(xlsx, "Excel workbook", "damaged")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04" + b"word/document.xml" + bytes(200))
    _expect_error(broken, "damaged")


def test_hostile_html(tmp_path):
    deep = tmp_path / "deep.html"
    deep.write_text("<html><body>" + "<div>" * 100_000 + "x" + "</div>" * 100_000 + "</body></html>")
    _expect_error(deep)  # lxml gives up on the nesting: a clear error, not a RecursionError
    spans = tmp_path / "spans.html"
    spans.write_text("<html><body><p>三、收到和处理政府信息公开申请情况</p><table>"
                     + '<tr><td colspan="100000" rowspan="65534">x</td></tr>' * 400 + "</table></body></html>")
    _expect_error(spans, "table 1", "implausibly large")
    scripts = tmp_path / "scripts.html"
    scripts.write_text("<html><head><script>var t='二、主动公开政府信息情况 行政许可 1';</script></head>"
                       "<body><style>p{}</style></body></html>")
    _expect_error(scripts, "holds no text")


def test_cli_parse_reads_every_kind(tmp_path, pages):
    from shaoyang_report.cli import main

    pdf = tmp_path / "hongze_district_2023.pdf"
    shutil.copyfile(shared_report("huaian/hongze_district_2023.pdf"), pdf)  # a temporary copy, not the project
    out = tmp_path / "facts.csv"
    assert main(["parse", str(pdf), str(pages["html"]), str(pages["docx"]), "-o", str(out)]) == 0
    facts = pd.read_csv(out, encoding="utf-8-sig")
    facts = facts[facts.section.isin(TABLES)]
    assert facts.groupby("report_id").size().to_dict() == {
        "hongze_district_2023": 10 + 161 + 15, "shaoyang_city_2020": 2 * (22 + 161 + 15)}
