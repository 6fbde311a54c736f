"""PDFs are read with PDFium (pypdfium2, BSD-3-Clause/Apache-2.0), not PyMuPDF (AGPL-3.0) (issue 11: 9).

* The Document PDFium gives is the one MuPDF's words gave (the reader was built on
  them): compared line for line, token for token, on the real Hongze PDFs, the
  synthetic PDF of tests/test_hongze.py and generated reports; and the facts of the
  real PDFs are identical. PyMuPDF is only in the ``test`` extra, for this comparison
  and for writing test PDFs; the package never imports it.
* How characters become words (the rules that make the two agree), on characters
  built here.
* Damaged files, and the content guard that measures pages before PDFium parses
  them (:mod:`shaoyang_report.read.readers.pdf_objects`), on PDFs written here.
"""

from __future__ import annotations

import ctypes
import struct
import subprocess
import sys
import tomllib
import zlib
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import generated_reports as gen
import pandas as pd
import pytest
from conftest import PROJECT, shared_report
from test_hongze import _synthetic_pdf

import shaoyang_report as sr
from shaoyang_report.limits import Budget
from shaoyang_report.read.readers import pdf_pdfium, pdf_reader, read_document
from shaoyang_report.read.readers.pdf_objects import page_content_bytes
from shaoyang_report.read.readers.pdf_pdfium import Pages
from shaoyang_report.read.readers.pdf_reader import document_of_pages, read_pdf

PDFS = ["huaian/hongze_district_2023.pdf", "huaian/hongze_district_2024.pdf"]


def _mupdf_pages(data: bytes) -> Pages:
    """The words MuPDF gives (what the reader used before PDFium), as a Pages."""
    import pymupdf
    with pymupdf.open(stream=data, filetype="pdf") as pdf:
        words = [[tuple(w[:5]) for w in page.get_text("words") if w[4].strip()] for page in pdf]
        return Pages(words, 0, pdf.is_repaired, False)


def _lines(doc) -> list:
    return [(line.text, line.location, [(t.text, t.location, t.kind) for t in line.tokens]) for line in doc.lines]


# --------------------------------------------------------------------------- same Document as MuPDF

@pytest.mark.parametrize("relative", PDFS)
def test_the_real_pdfs_read_into_the_documents_mupdf_gave(relative):
    data = shared_report(relative).read_bytes()
    doc = read_pdf(data, "report.pdf")
    assert len(doc.lines) >= 116
    assert _lines(doc) == _lines(document_of_pages(_mupdf_pages(data), "report.pdf"))


@pytest.mark.parametrize("relative", PDFS)
def test_the_real_pdfs_give_the_facts_mupdf_gave(relative, monkeypatch):
    path = shared_report(relative)
    ours = sr.read_report(path)

    def mupdf_read_pages(data, source, budget, before_reading):
        before_reading(5)
        return _mupdf_pages(data)

    monkeypatch.setattr(pdf_reader, "read_pages", mupdf_read_pages)
    theirs = sr.read_report(path)
    assert len(ours.facts) == 189 and (ours.facts.section == "prose").sum() == 3
    pd.testing.assert_frame_equal(ours.facts, theirs.facts)
    pd.testing.assert_frame_equal(ours.numbers_in_prose(), theirs.numbers_in_prose())
    pd.testing.assert_frame_equal(ours.findings, theirs.findings)


def test_the_synthetic_pdf_reads_as_with_mupdf(tmp_path):
    data = _synthetic_pdf(tmp_path).read_bytes()
    assert _lines(read_pdf(data, "s.pdf")) == _lines(document_of_pages(_mupdf_pages(data), "s.pdf"))


@pytest.mark.parametrize("seed", range(8))
def test_generated_pdfs_read_as_with_mupdf(seed):
    fmt = ("F2019", "F2021")[seed % 2]
    report = gen.generate(seed, fmt, shape="group" if seed % 4 == 1 else "row", blank_rate=(0, 0.2)[seed % 3 == 2])
    for per_page in (40, 400):
        data = gen.pdf_bytes(report, lines_per_page=per_page)
        doc = read_pdf(data, "g.pdf")
        assert _lines(doc) == _lines(document_of_pages(_mupdf_pages(data), "g.pdf")), (seed, per_page)


def test_the_package_reads_pdfs_without_pymupdf():
    """PyMuPDF is AGPL-3.0: no core dependency, never imported when reading."""
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text("utf-8"))["project"]
    core = " ".join(project["dependencies"]).lower()
    assert "pypdfium2" in core and "pymupdf" not in core and "fitz" not in core
    code = ("import sys, shaoyang_report as sr; r = sr.read_report(sys.argv[1]); "
            "print(len(r.facts), 'pymupdf' in sys.modules or 'fitz' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(shared_report(PDFS[0]))], cwd=PROJECT, capture_output=True, check=False,
                         text=True, timeout=120)
    assert out.stdout.split() == ["189", "False"], out.stderr[-2000:]


# --------------------------------------------------------------------------- characters → words

class _TextPage:
    """A PDFium text page made here: its characters as PDFium's per-character functions give them.

    Each character is ``(text, loose box (left, top, right, bottom), origin (x, y),
    font size, matrix (a, b, c, d), kind)`` in PDF space (y upwards); ``kind`` is
    ``generated`` (PDFium's own space or line end), ``hyphen``, ``map_error`` or None.
    ``calls`` stands in for :class:`pdf_pdfium._Calls`: the same functions, writing
    into the buffers they are given as PDFium does.
    """

    def __init__(self, chars):
        self.chars = chars
        self.text = "".join(c[0] for c in chars)
        self.calls = SimpleNamespace(
            generated=lambda h, i: int(chars[i][5] == "generated"), hyphen=lambda h, i: int(chars[i][5] == "hyphen"),
            map_error=lambda h, i: int(chars[i][5] == "map_error"), font_size=lambda h, i: chars[i][3],
            loose_box=lambda h, i, at: self._write(at, "=4f", chars[i][1]),
            origin=lambda h, i, x_at, y_at: self._write(x_at, "=d", chars[i][2][:1]) & self._write(y_at, "=d", chars[i][2][1:]),
            matrix=lambda h, i, at: self._write(at, "=4f", chars[i][4]))

    @staticmethod
    def _write(at, layout, values) -> int:
        packed = struct.pack(layout, *values)
        ctypes.memmove(at, packed, len(packed))
        return 1

    def words(self, left=0.0, top=842.0):
        return pdf_pdfium._page_words(self.calls, None, self.text, left, top)


_TOP = 842.0


def _char(text, x0, baseline=100.0, size=10.0, width=None, spaced=False, vertical=False, kind=None):
    """A character as PDFium gives it (set at 20 × ``size`` scaled by 0.05, as in the real reports).

    ``baseline`` is measured from the top of the page; ``spaced``: PDFium inserted a
    space before it; ``vertical``: a glyph of vertical writing, which PDFium boxes by
    the unscaled size both ways.
    """
    width = size * (1 if pdf_pdfium._wide(text) else 0.5) if width is None else width
    y = _TOP - baseline
    unscaled = 20 * size
    box = (x0, y + unscaled, x0 + unscaled, y) if vertical else (x0, y + 0.88 * size, x0 + width, y - 0.12 * size)
    char = (text, box, (x0, y), unscaled, (0.05, 0, 0, 0.05), kind)
    return [(" ", (x0, y, x0, y), (x0, y), 1.0, (1, 0, 0, 1), "generated"), char] if spaced else [char]


def _page(*runs) -> _TextPage:
    return _TextPage([c for run in runs for c in (run if isinstance(run, list) else [run])])


def _texts(*runs) -> list[str]:
    return [w[4] for w in _page(*runs).words()]


def test_chinese_runs_on_across_justified_gaps_but_not_a_cell_gap():
    assert _texts(_char("反", 0), _char("复", 10), _char("申", 14.5), _char("请", 24.5)) == ["反复申请"]  # a 0.45 em gap
    assert _texts(_char("维", 0), _char("持", 19)) == ["维", "持"]  # 0.9 em: a gap between cells


def test_a_gap_after_a_digit_is_a_space_but_not_after_a_chinese_character():
    # 国令第711 号: the digits in another font, 0.26 em after 第; 号 0.2 em after the 1
    assert _texts(_char("第", 0), _char("7", 12.6), _char("1", 17.6), _char("1", 22.6), _char("号", 29.6)) == ["第711", "号"]
    assert _texts(_char("1", 0), _char("2", 5.5)) == ["12"]  # 0.05 em: one number


def test_pdfium_s_own_space_splits_latin_words_only():
    assert _texts(_char("s", 0), _char("f", 4.9, spaced=True)) == ["s", "f"]  # kerned under its space
    assert _texts(_char("第", 0), _char("7", 10.5, spaced=True)) == ["第7"]
    line_end = ("\r", (5, 742, 5, 742), (5, 742), 1.0, (1, 0, 0, 1), "generated")
    assert _texts(_char("s", 0), line_end, _char("f", 4.9)) == ["sf"]  # a line end PDFium inserted is no space


def test_a_printed_space_always_ends_a_word():
    space = (" ", (5, 742, 8, 742), (5, 742), 200.0, (0.05, 0, 0, 0.05), None)
    assert _texts(_char("2", 0), space, _char("年", 5)) == ["2", "年"]
    assert _texts(_char("2", 0), _char("年", 5)) == ["2年"]


def test_a_new_baseline_ends_a_word_unless_it_is_a_small_step_close_by():
    assert _texts(_char("审", 0), _char("结", 10, baseline=112)) == ["审", "结"]  # the next line
    assert _texts(_char("结", 0), _char("总", 17.3, baseline=93.8)) == ["结总"]  # a header cell set higher


def test_letters_of_a_ligature_share_a_box_and_a_word():
    assert _texts(_char("f", 0, width=6), _char("i", 0, width=6), _char("e", 6)) == ["fie"]


def test_a_character_of_vertical_writing_is_a_word_of_its_own_boxed_by_its_scaled_size():
    words = _page(*[_char(c, 85.6, baseline=600 + 10 * k, vertical=True) for k, c in enumerate("三、本")]).words()
    assert [w[4] for w in words] == ["三", "、", "本"]
    x0, top, x1, bottom, _ = words[1]
    assert (x0, top, x1, bottom) == pytest.approx((85.6, 610, 95.6, 620))  # 10 pt, hanging from the origin


def test_hyphens_glyphs_without_a_character_and_control_characters():
    assert _texts(_char("a", 0), _char("\x02", 5, kind="hyphen")) == ["a-"]  # a hyphen ending a line
    assert _texts(_char("a", 0), _char("\x07", 5, kind="map_error")) == ["a\ufffd"]
    assert _texts(_char("a", 0), _char("\x07", 5), _char("b", 5)) == ["ab"]  # a control character is no character


def test_a_character_beyond_u_ffff_given_in_two_pieces_is_one_character():
    first, second = [_char(c, 0, width=10)[0] for c in "\ud840\udc00"]  # 𠀀: two pieces of PDFium's, one box
    assert _texts(first, second, _char("B", 10)) == ["\U00020000B"]
    assert _texts(_char("\udc00", 0), _char("B", 5)) == ["\ufffdB"]  # a piece alone is no character


def test_a_page_s_characters_come_in_one_call_as_pdfium_gives_them_one_by_one():
    """``FPDFText_GetText`` is used only where it gives PDFium's characters one for one."""
    import pypdfium2 as pdfium
    from pypdfium2 import raw

    calls = pdf_pdfium._Calls(raw)
    for data in [shared_report(p).read_bytes() for p in PDFS] + [_non_bmp_pdf(names) for names in (False, True)]:
        pdf = pdfium.PdfDocument(data)
        try:
            for page in pdf:
                textpage = page.get_textpage()
                count = raw.FPDFText_CountChars(textpage.raw)
                one_by_one = "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
                assert pdf_pdfium._page_text(raw, calls, textpage.raw, count) == one_by_one
                textpage.close()
                page.close()
        finally:
            pdf.close()


def _non_bmp_pdf(names: bool) -> bytes:
    """A page of 𠀀B𪛖𠀀B (U+20000, U+2A6D6: beyond U+FFFF), mapped by a ToUnicode CMap, or by glyph names."""
    content = b"BT /F1 12 Tf 72 720 Td (ABCAB) Tj ET"
    if names:
        font = b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding<</Type/Encoding/Differences[65/u20000 66/B 67/u2A6D6]>>>>"
        extra = []
    else:
        cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def\n"
                b"1 begincodespacerange <00> <FF> endcodespacerange\n"
                b"3 beginbfchar <41> <D840DC00> <42> <0042> <43> <D869DED6> endbfchar\n"
                b"endcmap CMapName currentdict /CMap defineresource pop end end")
        font = b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/ToUnicode 6 0 R>>"
        extra = [b"<</Length %d>>stream\n" % len(cmap) + cmap + b"\nendstream"]
    return _pdf([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
                 b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
                 b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream", font] + extra)


@pytest.mark.parametrize("names", [False, True])
def test_characters_beyond_u_ffff_are_read_whole(names):
    """PDFium gives them as two UTF-16 pieces (a ToUnicode pair), or whole (a glyph name): one character either way."""
    doc = read_pdf(_non_bmp_pdf(names), "wide.pdf")
    assert [line.text for line in doc.lines] == ["\U00020000B\U0002A6D6\U00020000B"]
    if not names:  # MuPDF reads the pair too (it reads the glyph names wrongly)
        assert _lines(doc) == _lines(document_of_pages(_mupdf_pages(_non_bmp_pdf(names)), "wide.pdf"))


def test_vertical_writing_on_the_real_page_gets_boxes_of_its_font_size():
    """PDFium boxes the 2023 report's vertical group label by its unscaled size (199 pt)."""
    data = shared_report(PDFS[0]).read_bytes()
    pages = pdf_pdfium.read_pages(data, "h.pdf", Budget("h.pdf"), lambda n: None)
    label = [w for w in pages.words[2] if w[4] in "三、本年度办理结果" and w[0] < 100]
    assert "".join(w[4] for w in sorted(label, key=lambda w: w[1])) == "三、本年度办理结果"
    for x0, top, x1, bottom, _ in label:
        assert x1 - x0 == pytest.approx(9.95, abs=0.05) and bottom - top == pytest.approx(9.95, abs=0.05)
        assert x0 == pytest.approx(85.6, abs=0.1)


def test_reading_from_threads_gives_the_same_documents():
    data = [shared_report(p).read_bytes() for p in PDFS]
    alone = [_lines(read_pdf(d, "t.pdf")) for d in data]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda d: _lines(read_pdf(d, "t.pdf")), data * 6))
    assert together == alone * 6


# --------------------------------------------------------------------------- damaged files

def test_the_file_structure_check():
    real = shared_report(PDFS[0]).read_bytes()
    assert pdf_pdfium._structure(real) == (False, False)
    assert pdf_pdfium._structure(real[:-40]) == (True, True)  # startxref … %%EOF cut off
    at = real.rindex(b"startxref") + len(b"startxref\n")
    moved = real[:at] + real[at:].replace(real[at:].split()[0], b"1000", 1)
    assert pdf_pdfium._structure(moved) == (True, False)


def test_a_pdf_with_a_broken_cross_reference_is_read_whole(tmp_path):
    real = shared_report(PDFS[0]).read_bytes()
    at = real.rindex(b"startxref") + len(b"startxref\n")
    moved = real[:at] + real[at:].replace(real[at:].split()[0], b"1000", 1)
    assert _lines(read_document(moved, "moved.pdf")) == _lines(read_document(real, "moved.pdf"))


def test_a_pdf_cut_short_says_truncated():
    real = shared_report(PDFS[1]).read_bytes()
    for cut in (975, len(real) // 2, len(real) - 300):
        with pytest.raises(sr.ReportFormatError, match=r"^cut\.pdf: the PDF is damaged.*truncated"):
            read_document(real[:cut], "cut.pdf")


# --------------------------------------------------------------------------- the content guard

def _stream(content: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(content)
    return b"<</Length %d/Filter/FlateDecode%s>>stream\n" % (len(packed), extra) + packed + b"\nendstream"


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1; 1 is the catalogue), with its cross-reference table."""
    out, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


_FONT = b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>"


def _pages(contents: list[bytes], forms: bytes = b"") -> bytes:
    """A PDF whose page k draws ``contents[k]`` (object numbers: 1 catalogue, 2 pages, then page, content …)."""
    kids = b" ".join(b"%d 0 R" % (3 + 2 * k) for k in range(len(contents)))
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[%s]/Count %d>>" % (kids, len(contents))]
    for k, content in enumerate(contents):
        objects.append(b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents %d 0 R%s%s>>>>"
                       % (4 + 2 * k, _FONT, forms))
        objects.append(_stream(content))
    return _pdf(objects)


_TEXT = b"BT /F1 12 Tf 72 720 Td (2023) Tj ET\n"


def test_the_guard_measures_each_real_page():
    for relative in PDFS:
        sizes = page_content_bytes(shared_report(relative).read_bytes(), 8 << 20, 64 << 20)
        assert len(sizes.pages) == 5 and sizes.over is None
        assert all(3_000 < n < 50_000 for n in sizes.pages), sizes.pages  # 4–43 KB, as limits.py says


def test_a_page_bomb_is_refused_naming_its_page(monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_PDF_PAGE_CONTENT_BYTES", 100_000)
    data = _pages([_TEXT, _TEXT + b" " * 100_000])
    assert len(data) < 5_000
    with pytest.raises(sr.ReportFormatError, match=r"^bomb\.pdf: page 2: .*beyond 100,000 bytes.*on one page.*"
                       r"MAX_PDF_PAGE_CONTENT_BYTES"):
        read_document(data, "bomb.pdf")
    assert [line.text for line in read_document(_pages([_TEXT, _TEXT]), "ok.pdf").lines] == ["2023", "2023"]


def test_the_pages_together_are_capped(monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_PDF_CONTENT_BYTES", 100_000)
    data = _pages([_TEXT + b" " * 40_000] * 3)
    with pytest.raises(sr.ReportFormatError, match=r"page 3: .*in all.*MAX_PDF_CONTENT_BYTES"):
        read_document(data, "pages.pdf")


def test_a_form_drawn_by_the_page_counts_for_the_page(monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_PDF_PAGE_CONTENT_BYTES", 100_000)
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R" + _FONT
               + b"/XObject<</X1 5 0 R>>>>>>",
               _stream(_TEXT + b"/X1 Do\n"),
               _stream(b" " * 200_000, b"/Type/XObject/Subtype/Form/BBox[0 0 10 10]")]
    with pytest.raises(sr.ReportFormatError, match=r"page 1: .*MAX_PDF_PAGE_CONTENT_BYTES"):
        read_document(_pdf(objects), "form.pdf")


def test_the_guard_follows_object_streams_and_escaped_names():
    pages = b"<</Type/Pages/Kids[3 0 R]/Count 1>>"
    page = b"<</Type/Page/Parent 2 0 R/Contents 4 0 R>>"
    header = b"2 0 3 %d " % len(pages)
    packed = header + pages + page
    objects = [b"<</Type/Catalog/Pages 2 0 R>>",
               # objects 2 and 3 live in object 5's object stream
               b"null", b"null",
               b"<</Length 99999/Filter/Fl#61teDecode>>stream\n" + zlib.compress(b" " * 50_000) + b"\nendstream",
               _stream(packed, b"/Type/ObjStm/N 2/First %d" % len(header))]
    data = _pdf(objects).replace(b"2 0 obj\nnull", b"").replace(b"3 0 obj\nnull", b"")
    sizes = page_content_bytes(data, 10_000, 1_000_000)
    assert sizes.over == (1, "page")
    assert page_content_bytes(data, 60_000, 1_000_000).pages == [50_000]


def test_without_a_page_tree_every_stream_that_could_be_drawn_counts():
    objects = [b"<</Type/Catalog>>", _stream(b" " * 50_000), _stream(b"\xff" * 90_000, b"/Subtype/Image")]
    sizes = page_content_bytes(_pdf(objects), 40_000, 1_000_000)
    assert sizes.pages == [] and sizes.over == (None, "page")  # the image is not counted: 50,000 is
    assert page_content_bytes(_pdf(objects), 60_000, 1_000_000).unplaced == 50_000


def test_a_pdf_of_too_many_objects_is_refused_before_they_are_indexed(monkeypatch):
    monkeypatch.setattr(pdf_reader, "OBJECTS_PER_PAGE", 1)  # 300 objects at most (MAX_PDF_PAGES = 300)
    many = _pages([_TEXT] * 200)  # 2 + 2 × 200 objects
    with pytest.raises(sr.ReportFormatError, match=r"^many\.pdf: the PDF holds over 300 objects.*MAX_PDF_PAGES"):
        read_document(many, "many.pdf")
    assert read_document(_pages([_TEXT] * 140), "fewer.pdf").reader == "pdf"  # 282 objects: read
