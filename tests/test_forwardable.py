"""A briefing a colleague can forward: Chinese throughout, whole years, honest scores, tidy charts,
a workbook that opens right, a Word copy, and the rough edges a new user met.

The values asserted are the real reports' (``data/raw`` and ``../shared/reports``): the
Hongze 2023 report prints 行政许可 550 and 行政强制 195 处理决定 (the labels that used to
overlap), 予以公开占比 0.00% in 2023 and 52.63% in 2024 (95 new requests, 50 granted);
the Shaoyang 2020 report prints （七）总计 140 on line 293, its items from line 119.

The end-to-end test (marked ``slow``) builds every briefing of ``../shared/reports`` with
``briefing --agencies --docx``, scans every page and the Word copy for Latin words
(:mod:`latin_words`), lays each page out in headless Chromium at 1280 px (no horizontal
scroll), keeps screenshots at 1280 and 390 px, and converts the Word copy to PDF with
LibreOffice (``soffice``, which the test command installs: its absence is a failure).
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import PROJECT, RAW, SHARED_REPORTS, shared_report
from latin_words import html_latin, latin_words

import shaoyang_report as sr
from shaoyang_report.cli import main
from shaoyang_report.compare.scorecard import MIN_KNOWN_SHARE, scorecard
from shaoyang_report.publish import agencies, build, plotting, year_briefing
from shaoyang_report.publish.html import change_text, location_zh, where_printed
from shaoyang_report.publish.wording import UNKNOWN_ZH, message_zh

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def shared():
    return sr.read_reports(SHARED_REPORTS, progress=False)


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------------------- years
def test_years_are_whole_numbers_in_every_frame(shared):
    assert str(shared.reports.year.dtype) == "Int64"
    # xuwen prints no year, nor do the two blank pre-2019 forms; dashilan's and tongling's
    # wordings of theirs are not read (yet): years missing, never a float
    assert set(shared.reports.report_id[shared.reports.year.isna()]) == {
        "xuwen_bureau_noyear_blanks", "dingxi_stats_form_template", "putian_2009_notice_table_template",
        "dashilan_street_2009", "tongling_suburb_township_2017"}
    for frame in (shared.facts, shared.checks, shared.findings):
        assert str(frame.year.dtype) == "Int64"
    text = repr(shared) + shared._repr_html_()
    assert not re.search(r"\d\.0年|nan年|<NA>年", text)
    unsigned = sr.read_reports([shared_report("excerpts/xuwen_bureau_noyear_blanks.txt")], progress=False)
    assert "（未署名） 年份不明 F2021" in repr(unsigned)


def test_check_names_an_unsigned_report_not_nan():
    status, out, _ = _run(["check", str(shared_report("excerpts/xuwen_bureau_noyear_blanks.txt"))])
    assert status == 0
    first = out.splitlines()[0]
    assert first.startswith("xuwen_bureau_noyear_blanks.txt: （未署名） 年份不明 F2021")
    assert "nan" not in out and "缺失: 表四 复议诉讼 （整表） — 文本中没有该表" in out


# ---------------------------------------------------------------------------- Chinese words
def test_locations_are_said_in_chinese():
    assert location_zh("page 4, line 18, value 5") == "第4页第18行第5个数"
    # Shaoyang 2020: （七）总计 140 printed on line 293, its 19 items from line 119
    assert where_printed("line 293 ← " + "; ".join(f"line {n}" for n in range(119, 138))) == \
        "总数印于第293行；各项印于 19 处（第119行起）"


def test_a_finding_without_a_total_keeps_its_places(shared):
    """The check command used to end such a finding ``各项印于 1 处（ 起）``, its places lost."""
    status, out, _ = _run(["check", str(shared_report("excerpts/changchun_styjrswj_2023.txt"))])
    assert "（ 起）" not in out and "各项印于 1 处" not in out
    # the prose says 受理…2件 (line 3, characters 103–104); table 三 prints 3 on line 24
    assert "印于第3行第103—104字、第24行第7个数" in out
    locations = shared.findings.locations.tolist()
    assert all(where_printed(x) and "line" not in where_printed(x) for x in locations)


def test_the_readers_notes_are_said_in_chinese(shared):
    notes = [*shared.missing.reason, *shared.problems.message, *shared.errors.error]
    said = [message_zh(n) for n in notes]
    assert UNKNOWN_ZH not in said, [n for n, s in zip(notes, said) if s == UNKNOWN_ZH][:3]
    assert all(not latin_words(re.sub(r"\S+\.(txt|pdf|docx?|html?|md)\b|\S+-text\b", "", s)) for s in said)
    assert message_zh("the text ends after 0 of its 7 values") == "文本在该行应有的 7 个数值中读到 0 个后结束"


# ---------------------------------------------------------------------------- cross-year checks
def test_cross_year_checks_take_the_agency_the_comparison_holds(shared):
    comparison = sr.compare_years(shared, agency="洪泽区")
    checks = sr.cross_year_checks(comparison)
    assert comparison.attrs["agency"] and set(checks.agency) == {comparison.attrs["agency"]}
    # 2023 结转下年度继续办理 0 = 2024 上年结转 0 (Hongze's two reports)
    assert checks.status.tolist() == ["pass"] and checks.printed.tolist() == [0.0] and checks.expected.tolist() == [0.0]


# ---------------------------------------------------------------------------- scores
def test_an_opening_only_report_scores_the_same_with_or_without_its_catalog():
    with_catalog = scorecard(sr.read_reports(RAW, progress=False), sources=RAW).set_index("report_id")
    judged = 0
    for path in sorted((RAW / "openings").glob("*.txt")):
        card = scorecard(sr.read_reports([path], progress=False), sources=[path])
        if card.empty:  # shaoyang_city_2019's opening names no agency: alone, it is no agency's year
            continue
        alone, judged = card.iloc[0], judged + 1
        rid = path.stem.removesuffix("_opening")
        catalogued = with_catalog.loc[rid]
        assert alone.tables_complete_status == catalogued.tables_complete_status == "not known", path.name
        assert math.isnan(alone.tables_complete) and math.isnan(catalogued.tables_complete)
    assert judged == 10


def test_a_score_is_given_only_over_half_the_weight():
    card = scorecard(sr.read_reports(RAW, progress=False), sources=RAW).set_index("report_id")
    low = card[card.known_weight < MIN_KNOWN_SHARE * card.total_weight]
    assert len(low) and low.score.isna().all() and low.score_of_known.notna().any()
    # the complete Shaoyang 2020 report: tables 198/198, two sum findings, a carry-forward that does not agree
    full = card.loc["shaoyang_city_2020"]
    assert full.known_weight >= 50 and full.score == full.score_of_known
    html = agencies.scorecard_table(agencies.agency_panel(sr.read_reports(RAW, progress=False), sources=RAW))
    assert "<b>0.0</b>" not in html and 'title="可判断的权重不足一半，不给总分">—</span>' in html


# ---------------------------------------------------------------------------- charts
def _label_boxes(chart) -> list:
    """The drawn boxes of a chart's value labels (display pixels)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = chart.figure
    canvas = FigureCanvasAgg(fig)
    with matplotlib.rc_context(plotting.style()):
        canvas.draw()
    renderer = canvas.get_renderer()
    return [t.get_window_extent(renderer) for ax in fig.axes for t in ax.texts
            if re.fullmatch(r"[\d,.%]+", t.get_text())]


def test_hongze_charts_drop_empty_panels_and_labels_never_overlap():
    corpus = sr.read_reports(sorted((SHARED_REPORTS / "huaian").glob("*.pdf")), progress=False)
    comparison = sr.compare_years(corpus, agency="洪泽区")
    chart = plotting.permits_and_penalties(comparison)
    # F2021 reports print no 事项数: the panel is dropped, one line says which indicators have none
    assert len(chart.figure.axes) == 1
    assert "各年均无数值、未绘出：行政许可事项数、行政处罚事项数、行政强制事项数" in chart.footnotes
    boxes = _label_boxes(chart)
    texts = sorted(t.get_text() for t in chart.figure.axes[0].texts)
    assert "550" in texts and "9,487" in texts  # 2023 行政许可 550, 2024 9,487
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    if "195" not in texts:  # 行政强制 195 sits under 550: left to the table, and said so
        assert plotting.LABELS_LEFT_OUT in chart.footnotes
    procurement = plotting.procurement(comparison)
    assert not procurement.drawn and "未绘出：政府集中采购总金额、政府集中采购项目数" in procurement.footnotes[-1]
    assert procurement._repr_html_().startswith('<p class="gap">')


def test_a_shares_change_is_in_percentage_points():
    assert change_text(52.63, math.nan, "%") == "+52.6 个百分点"
    corpus = sr.read_reports(sorted((SHARED_REPORTS / "huaian").glob("*.pdf")), progress=False)
    html = year_briefing.headline(year_briefing.agency_years(corpus, "洪泽区"))
    text = re.sub(r"<[^>]+>", "", str(html))
    assert "2023→2024年：0.00% → 52.63%，+52.6 个百分点" in text and "+52.63%" not in text


# ---------------------------------------------------------------------------- the workbook
def test_the_workbook_opens_right(tmp_path, monkeypatch):
    """Must show: a year cell's format is plain, every data sheet has an autofilter and a frozen header."""
    import nbformat

    monkeypatch.setattr(build, "run_notebook", lambda path, parameters=None, timeout=600: nbformat.v4.new_notebook())
    monkeypatch.setattr(build, "export_html", lambda nb, path, title: Path(path))  # no page: the workbook is tested
    monkeypatch.setenv("SHAOYANG_CORPUS_CACHE", "")
    build.build_briefings(RAW, tmp_path, agency="邵阳市", agencies=True)
    wb = openpyxl.load_workbook(tmp_path / "workbook.xlsx")
    contents = {row[0]: row for row in wb["目录 contents"].iter_rows(min_row=2, values_only=True)}
    assert set(contents) == set(wb.sheetnames) - {"目录 contents"}
    assert contents["shaoyang_city_2020"][2:] == ("shaoyang_city_2020", "邵阳市", 2020)
    for ws in wb.worksheets:
        assert ws.auto_filter.ref, ws.title
        assert ws.freeze_panes in ("A2", "A3", "B3"), ws.title
    for name in ("事实 facts", "勾稽问题 findings", "年度比较 comparison", "来源 sources", "机构评分 scorecard",
                 "机构比较 agencies"):
        ws = wb[name]
        chinese, keys = [c.value for c in ws[1]], [c.value for c in ws[2]]
        assert not latin_words(" ".join(chinese)), (name, latin_words(" ".join(chinese)))
        year = ws.cell(3, keys.index("year") + 1)
        assert isinstance(year.value, int) and 2019 <= year.value <= 2023
        assert year.number_format in ("0", "General"), (name, year.number_format)
    facts = wb["事实 facts"]
    keys = [c.value for c in facts[2]]
    formats = {(r[keys.index("unit")].value, r[keys.index("value")].number_format) for r in facts.iter_rows(min_row=3)
               if r[keys.index("value")].value is not None}
    assert ("万元", "#,##0.00") in formats and ("件", "#,##0") in formats and ("%", '0.00"%"') in formats
    panel = wb["机构比较 agencies"]
    keys = [c.value for c in panel[2]]
    shares = [r[keys.index("share_granted")] for r in panel.iter_rows(min_row=3) if r[keys.index("share_granted")].value]
    assert shares and {c.number_format for c in shares} == {'0.00"%"'}
    assert [c.value for c in panel[1]][keys.index("share_granted")] == "予以公开占比（%）"
    dictionary = {(r[0], r[2]): r[1] for r in wb["字段 dictionary"].iter_rows(min_row=2, values_only=True)}
    assert dictionary[("事实 facts", "year")] == "年份"
    assert not latin_words(" ".join(str(c.value or "") for c in wb["目录 contents"]["B"]))


# ---------------------------------------------------------------------------- rough edges
def test_a_missing_folder_or_file_is_an_error_not_an_empty_corpus(tmp_path):
    with pytest.raises(FileNotFoundError):
        sr.read_reports(tmp_path / "nonexistent")
    with pytest.raises(FileNotFoundError) as found:
        sr.read_report(tmp_path / "missing.txt")
    assert found.value.filename == str(tmp_path / "missing.txt")
    corpus = sr.read_reports([RAW / "shaoyang_city_2020.txt", tmp_path / "missing.txt"], progress=False)
    assert len(corpus) == 1 and corpus.errors.error.tolist() == [
        f"{tmp_path / 'missing.txt'}: cannot open the file (No such file or directory)"]
    assert message_zh(corpus.errors.error[0]) == f"{tmp_path / 'missing.txt'}：文件不存在"


def test_parse_of_a_missing_path_writes_nothing(tmp_path):
    target = tmp_path / "x.csv"
    status, _, err = _run(["parse", str(tmp_path / "nonexistent"), "-o", str(target)])
    assert status == 2 and not target.exists()
    assert f"error: no such file or folder: {tmp_path / 'nonexistent'}" in err


def test_ocr_shows_a_progress_line_per_page(monkeypatch):
    import numpy as np
    import tqdm

    from shaoyang_report.read.readers.ocr import pages

    counted: list[tuple[str, int]] = []

    class Bar:
        def __init__(self, total, desc, unit, disable, leave):
            self.desc, self.unit = desc, unit
            assert total == 3 and disable is None  # shown on a terminal, as the corpus's batches are

        def update(self, n):
            counted.append((self.desc, n))

        def close(self):
            pass

    monkeypatch.setattr(tqdm, "tqdm", Bar)
    monkeypatch.setattr(pages, "ocr_available", lambda: True)
    monkeypatch.setattr(pages, "read_page", lambda image: "read")
    image = np.zeros((4, 4, 3), dtype=np.uint8)
    reads = pages.read_pages([(f"page {k}", image) for k in range(1, 4)], "scan.pdf", workers=1)
    assert [name for name, _ in reads] == ["page 1", "page 2", "page 3"]
    assert counted == [("OCR scan.pdf", 1)] * 3


# ---------------------------------------------------------------------------- end to end
def _sideways(page: Path, tmp: Path, width: int) -> int:
    """How far (px) the page is wider than Chromium's window ``width`` px wide: 0 when it never scrolls sideways.

    A copy of the page with a script that writes ``scrollWidth − innerWidth`` into the DOM
    (headless Chromium lays a page out at least 500 px wide: a narrower window is measured at 500).
    """
    probe = tmp / f"probe-{width}-{page.name}"
    script = ("<script>window.addEventListener('load',()=>{document.body.setAttribute('data-sideways',"
              "document.documentElement.scrollWidth-window.innerWidth)})</script>")
    probe.write_text(page.read_text("utf-8").replace("</body>", script + "</body>"), "utf-8")
    dom = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                          f"--user-data-dir={tmp / 'chromium-profile'}", f"--window-size={width},2000",
                          "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120, check=True).stdout
    found = re.search(r'data-sideways="(-?\d+)"', dom)
    assert found, f"{page.name}: the page did not load in Chromium"
    return int(found.group(1))


@pytest.mark.slow
def test_every_page_and_the_word_copy_read_in_chinese_and_lay_out(tmp_path):
    """Must show: the Latin-word scan passes on every generated page and document; pages fit 1280 px."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing (bash scripts/system-packages.sh chromium)")
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is missing: the Word copy cannot be converted to PDF "
                    "(bash scripts/system-packages.sh libreoffice-writer-nogui)")
    out = tmp_path / "out"
    status, stdout, err = _run(["briefing", str(SHARED_REPORTS), "--out", str(out), "--agencies", "--docx"])
    assert status == 0, err
    pages = sorted(out.glob("*.html"))
    assert {p.name for p in pages} >= {"briefing-邵阳市.html", "audit.html", "agencies.html"}
    shots = PROJECT / "data" / "processed" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for page in pages:
        found = html_latin(page.read_text("utf-8"))
        assert not found, (page.name, found.most_common(10))
        assert _sideways(page, tmp_path, 1280) <= 0, f"{page.name} scrolls sideways at 1280 px"
        assert _sideways(page, tmp_path, 390) <= 0, f"{page.name} scrolls sideways on a phone"
        for width in (1280, 390):
            subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            f"--user-data-dir={tmp_path / 'chromium-profile'}", f"--window-size={width},2400",
                            f"--screenshot={shots / f'{page.stem}-{width}.png'}", page.resolve().as_uri()],
                           capture_output=True, timeout=120, check=True)
    # the audit opens on its findings, the agency page on its panel
    audit = (out / "audit.html").read_text("utf-8")
    assert audit.index('id="audit-findings"') < audit.index('id="audit-overview"')
    panel_page = (out / "agencies.html").read_text("utf-8")
    assert panel_page.index('id="agency-panel"') < panel_page.index('id="scorecard"')
    # the Word copy: its text, tables and the charts as images; LibreOffice opens it
    import docx

    copy = out / "briefing-邵阳市.docx"
    assert str(copy) in stdout
    document = docx.Document(str(copy))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for row in t.rows for c in row.cells])
    assert not latin_words(text), latin_words(text).most_common(10)
    assert document.paragraphs[0].text == "邵阳市 政府信息公开工作年度报告：2019—2023年比较"
    assert document.tables[0].rows[0].cells[0].text == "指标" and "7,591" in text  # 2020 行政许可处理决定数
    assert "（七）总计印为140，不符，相差2（总数印于第293行；各项印于 19 处（第119行起））" in text
    assert len(document.inline_shapes) == sum(1 for _ in plotting.BRIEFING_CHARTS)  # Shaoyang: every chart drawn
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(copy)], capture_output=True, timeout=300, check=True)
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(tmp_path / "briefing-邵阳市.pdf"))
    assert len(pdf) >= 3
    for k in range(len(pdf)):
        image = pdf[k].render(scale=1).to_pil().convert("L")
        image.save(shots / f"briefing-docx-p{k + 1}.png")
        assert image.getextrema()[0] < 100, f"page {k + 1} of the Word copy is blank"
    assert pd.read_csv(out / "facts.csv").year.dropna().map(float.is_integer).all()
