"""Briefings: CJK charts without missing glyphs, honest tables, escaped text, a real browser.

The end-to-end tests (marked ``slow``; CI runs them) build the briefing of the bundled
Shaoyang data with the ``shaoyang-report briefing`` command, open it in headless
Chromium (no network), check the DOM for the charts and the headline table, and keep
the screenshot as a CI artifact in ``data/processed/briefing-screenshot.png``.

The headline table is compared with a stored snapshot (great_tables-style): a change in
presentation is a visible diff in review. Regenerate with
``UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_briefing.py``.
"""

from __future__ import annotations

import base64
import io
import os
import re
import subprocess
import warnings
from html.parser import HTMLParser
from importlib.metadata import entry_points
from pathlib import Path

import pandas as pd
import pytest
from conftest import PROJECT, RAW, shared_report

import shaoyang_report as sr
from shaoyang_report.cli import main
from shaoyang_report.publish import audit, explorer, plotting, year_briefing
from shaoyang_report.publish.build import build_briefings
from shaoyang_report.publish.html import slug

SNAPSHOTS = Path(__file__).parent / "snapshots"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = PROJECT / "data" / "processed" / "briefing-screenshot.png"
HOSTILE = "<script>alert(1)</script>"
HOSTILE_IMG = '<img src=x onerror="document.title=\'pwned\'">'


@pytest.fixture(scope="module")
def shaoyang() -> year_briefing.AgencyYears:
    return year_briefing.agency_years(sr.read_reports(RAW, progress=False), "邵阳市")


# ---------------------------------------------------------------------------- fonts and charts
def test_a_cjk_font_is_chosen():
    name = plotting.cjk_font()
    assert name in plotting.PREFERRED_FONTS
    assert plotting.style()["font.sans-serif"][0] == name


def test_charts_raise_no_missing_glyph_warning(shaoyang):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" becomes an error
        for name, draw in plotting.BRIEFING_CHARTS.items():
            chart = draw(shaoyang.comparison, shaoyang.agency)
            assert chart.png.startswith(b"\x89PNG"), name
            chart.render()  # drawn again: still no warning


def test_a_font_installed_after_matplotlib_built_its_cache_is_found(monkeypatch):
    from matplotlib import font_manager

    without_cjk = [f for f in font_manager.fontManager.ttflist if f.name not in plotting.PREFERRED_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", without_cjk)
    plotting.cjk_font.cache_clear()
    try:
        assert plotting.cjk_font() in plotting.PREFERRED_FONTS  # registered from the font folders
    finally:
        plotting.cjk_font.cache_clear()


def test_no_cjk_font_is_a_clear_error(monkeypatch):
    from matplotlib import font_manager

    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if f.name not in plotting.PREFERRED_FONTS])
    monkeypatch.setattr(plotting, "_font_files", lambda dirs=(): [])
    plotting.cjk_font.cache_clear()
    try:
        with pytest.raises(plotting.FontNotFoundError, match="fonts-noto-cjk"):
            plotting.cjk_font()
    finally:
        plotting.cjk_font.cache_clear()


def test_chart_marks_caveats_under_the_chart(shaoyang):
    chart = plotting.permits_and_penalties(shaoyang.comparison, "邵阳市")
    assert chart.footnotes and chart.footnotes[0].startswith("① 仅F2019格式")
    assert "上一年项目数量" in chart.footnotes[0]
    marks, notes = plotting.caveat_marks(shaoyang.comparison, ["permit_decisions", "hotline_satisfaction", "hotline_calls"])
    assert marks == {"hotline_satisfaction": "①", "hotline_calls": "①"}  # one mark per distinct note
    assert notes == ["① 正文数字：正文所述数字，各年表述与口径可能不同"]


def test_a_dollar_sign_is_text_not_mathtext(shaoyang):
    cmp = shaoyang.comparison.copy()
    cmp["name_zh"] = cmp["name_zh"].astype(object)
    cmp.loc[cmp.indicator == "procurement_amount", "name_zh"] = "金额 $x^2$ 与 $"
    assert plotting.procurement(cmp, "$邵阳$").png.startswith(b"\x89PNG")


# ---------------------------------------------------------------------------- what the briefing says
def test_headline_table_matches_snapshot(shaoyang):
    html = year_briefing.headline(shaoyang)
    path = SNAPSHOTS / "briefing-headline-shaoyang.html"
    pretty = html.replace("<tr>", "\n<tr>").replace("<li>", "\n<li>") + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(pretty, "utf-8")
    assert pretty == path.read_text("utf-8"), f"presentation changed; review and update {path}"


def test_headline_leads_with_the_latest_pair_of_years_that_can_be_compared(shaoyang):
    assert (shaoyang.latest, shaoyang.previous) == (2023, 2022)
    html = year_briefing.headline(shaoyang)
    # 2022 has no report and 2023 only an opening: one line says so, no table of empty cells
    assert ('<p class="gap" id="headline-note">2022→2023年：没有两年都有数值的指标（2022年：无该年报告；'
            "2023年：仅有报告开头部分）。下表为最近一次可比较的相邻两年 2020→2021年。</p>") in html
    assert "<th>2020年</th><th>2021年</th><th>2021年较上年变化</th>" in html and "<th>2023年</th>" not in html
    # 2021: 全市共收到依申请公开件293件 (prose of the 2021 opening), against 138 in the 2020 table 三
    assert '<span class="prose">293</span><sup class="mk">*</sup></td><td>+155（+112.32%）</td>' in html
    # the last pair that can be compared, with the derived 2019 value marked
    assert '2019→2020年：<span class="derived">4,089</span><sup class="mk">‡</sup> → <span class="printed">4,033</span>，−56（−1.37%）' in html


def test_full_comparison_shows_2020_2019_and_the_prose_years(shaoyang):
    html = year_briefing.comparison_full(shaoyang)
    assert "<th>2019年</th><th>2020年</th><th>2021年</th><th>2022年</th><th>2023年</th>" in html
    for printed_2020 in ("7,591", "1,614", "46,502.47", "1,383", "62.14%", "13"):
        assert f'<span class="printed">{printed_2020}</span>' in html
    for derived_2019 in ("4,089", "1,148", "89", "37", "2"):  # from the 2020 report's prior-year columns
        assert f'<span class="derived">{derived_2019}</span><sup class="mk">‡</sup>' in html
    for prose in ("175,213", "100,899", "33,455", "293", "294", "251", "952", "99.94%"):  # 2019 opening, 2020, 2021, 2023
        assert f'<span class="prose">{prose}</span><sup class="mk">*</sup>' in html
    assert "仅F2019格式" in html and "口径有差异" in html  # caveats spelled out under the table
    # 本年度办理结果总计 140 is the printed total that its rows do not add up to (138); shares divide by it
    assert '<span class="printed">140</span><sup class="mk">!</sup>' in html
    assert '<span class="printed">62.14%</span><sup class="mk">!</sup>' in html
    assert '<span class="printed">7,591</span><sup' not in html


def test_gaps_say_which_comparisons_cannot_be_made(shaoyang):
    html = year_briefing.gaps(shaoyang)
    assert "2021→2022年：无法比较任何指标。" in html and "2022→2023年：无法比较任何指标。" in html
    assert "2022年：无该年报告" in html
    assert "2021年：仅有报告开头部分" in html and "2023年：仅有报告开头部分" in html
    assert "2019→2020年：可比较 6 项" in html and "2020→2021年：可比较 4 项" in html
    coverage = year_briefing.coverage(shaoyang)
    assert "<td>2022年</td>" in coverage and "无该年报告" in coverage
    assert "部分数值由2020年报告的“上一年”栏推得" in coverage


def test_findings_are_stated_plainly(shaoyang):
    html = year_briefing.findings(shaoyang)
    assert "各项之和为138，（七）总计印为140，不符，相差2" in html
    assert "（总数印于第293行；各项印于 19 处（第119行起））" in html
    assert "2020年结转下年度0件，2021年上年结转1件，不符" in html


def test_sources_list_the_catalog_urls(shaoyang):
    html = year_briefing.sources(shaoyang)
    catalog = pd.read_csv(RAW / "catalog.csv")
    for url in catalog[catalog.agency == "邵阳市"].url:
        assert f'<a href="{url}">{url}</a>' in html


def test_file_names_from_agency_names():
    assert slug("邵阳市") == "邵阳市"
    assert slug("邵阳县(交通运输局)") == "邵阳县-交通运输局"
    assert slug("../<script>") == "script"


def _hostile_folder(folder: Path) -> Path:
    """The Shaoyang 2020 report with markup in a prose sentence and in its catalog entry."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (RAW / "shaoyang_city_2020.txt").read_text("utf-8")
    needle = "市长信箱共受理各类信件1718件,"
    assert needle in text
    (folder / "evil_2020.txt").write_text(text.replace(needle, needle[:-1] + HOSTILE + HOSTILE_IMG + ","), "utf-8")
    pd.DataFrame([{"report_id": "evil_2020", "agency": HOSTILE + "邵阳市", "year": 2020, "url": "javascript:alert(1)",
                   "local_file": "evil_2020.txt", "completeness": "complete", "note": HOSTILE}]).to_csv(
        folder / "catalog.csv", index=False)
    return folder


def test_text_from_reports_is_escaped(tmp_path):
    corpus = sr.read_reports(_hostile_folder(tmp_path / "hostile"), progress=False)
    b = year_briefing.agency_years(corpus)
    pieces = [year_briefing.title(b), year_briefing.coverage(b), year_briefing.headline(b), year_briefing.findings(b),
              year_briefing.sources(b),
              audit.audit_overview(corpus), audit.audit_findings(corpus), explorer.report_header(corpus, "evil_2020"),
              explorer.prose_figures(corpus, "evil_2020"), year_briefing.chart(b, "procurement")._repr_html_()]
    everything = "".join(pieces)
    assert "<script" not in everything and everything.count("<img") == 1  # the chart
    assert '<img class="sr-chart" alt="&lt;script&gt;alert(1)&lt;/script&gt;邵阳市 政府集中采购' in everything
    assert "&lt;script&gt;alert(1)&lt;/script&gt;邵阳市" in everything
    assert "&lt;img src=x onerror=&quot;document.title=&#x27;pwned&#x27;&quot;&gt;" in everything
    assert 'href="javascript' not in everything  # only http(s) URLs become links


# ---------------------------------------------------------------------------- end to end
def _chromium(html: Path, tmp: Path, screenshot: Path | None = None) -> str:
    """The DOM of ``html`` as headless Chromium builds it (no network); optionally a screenshot."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing (bash scripts/system-packages.sh chromium)")
    base = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp / 'chromium-profile'}", "--window-size=1280,2400"]
    url = html.resolve().as_uri()
    dom = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True).stdout
    if screenshot is not None:
        subprocess.run([*base, f"--screenshot={screenshot}", url], capture_output=True, timeout=120, check=True)
    return dom


def _assert_not_blank(png: Path) -> None:
    from PIL import Image, ImageStat

    image = Image.open(png).convert("RGB")
    assert image.size == (1280, 2400)
    grey = image.convert("L")
    dark = sum(grey.histogram()[:200]) / (image.size[0] * image.size[1])
    assert ImageStat.Stat(grey).stddev[0] > 15 and dark > 0.02, "the screenshot is (nearly) blank"
    colours = image.resize((320, 600)).getcolors(maxcolors=100_000)
    assert colours is not None and len(colours) > 200, "no charts in the screenshot (too few colours)"


class _Elements(HTMLParser):
    """The elements of an HTML page with their attributes (text is not looked at)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _assert_self_contained(html: str) -> None:
    elements = _Elements(html).elements
    tags = [tag for tag, _ in elements]
    assert "script" not in tags, "no scripts: nothing to fetch, nothing to execute"
    assert "link" not in tags and "iframe" not in tags and "object" not in tags
    sources = [attrs.get("src", "") for _, attrs in elements if "src" in attrs]
    assert all(src.startswith("data:image/png;base64,") for src in sources), "every image is embedded"
    assert not [a for _, attrs in elements for a in attrs if a.startswith("on")], "no event handlers"
    assert ("html", {"lang": "zh-CN"}) in elements


def _images(html: str) -> list:
    from PIL import Image

    found = re.findall(r'<img[^>]*src="data:image/png;base64,([^"]+)"', html)
    return [Image.open(io.BytesIO(base64.b64decode(data))) for data in found]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The briefing of the bundled data, built with the command line; (folder, stdout)."""
    out = tmp_path_factory.mktemp("processed")
    buffer = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(buffer):
        status = main(["briefing", "--raw", str(RAW), "--out", str(out), "--agencies"])
    assert status == 0, buffer.getvalue()
    return out, buffer.getvalue()


@pytest.mark.slow
def test_briefing_command_writes_everything_and_says_where(built):
    out, stdout = built
    expected = ["briefing-邵阳市.html", "audit.html", "report-shaoyang_city_2020.html", "facts.csv",
                "facts.parquet", "workbook.xlsx"]
    for name in expected:
        assert (out / name).is_file(), name
        assert str(out / name) in stdout, f"the command does not say where {name} is"
    facts = pd.read_parquet(out / "facts.parquet")
    assert len(facts) == len(pd.read_csv(out / "facts.csv")) and set(facts.report_id) >= {"shaoyang_city_2020"}
    import openpyxl

    assert "年度比较 comparison" in openpyxl.load_workbook(out / "workbook.xlsx", read_only=True).sheetnames


@pytest.mark.slow
def test_briefing_html_is_self_contained_with_code_hidden(built):
    out, _ = built
    for name in ("briefing-邵阳市.html", "audit.html", "report-shaoyang_city_2020.html"):
        html = (out / name).read_text("utf-8")
        _assert_self_contained(html)
        assert "year_briefing.headline" not in html and "load_corpus" not in html, "code cells are hidden"
        mime_types = {attrs.get("data-mime-type") for _, attrs in _Elements(html).elements}
        assert "application/vnd.jupyter.stderr" not in mime_types and "Traceback" not in html
    html = (out / "briefing-邵阳市.html").read_text("utf-8")
    images = _images(html)
    assert len(images) == len(plotting.BRIEFING_CHARTS) and all(i.size[0] > 800 for i in images)
    assert "<title>邵阳市 政府信息公开年度报告 2019—2023年比较</title>" in html
    for url in pd.read_csv(RAW / "catalog.csv").query("agency == '邵阳市'").url:
        assert f'href="{url}"' in html


@pytest.mark.slow
def test_briefing_renders_in_headless_chromium(built, tmp_path):
    out, _ = built
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    dom = _chromium(out / "briefing-邵阳市.html", tmp_path, screenshot=SCREENSHOT)
    assert 'id="headline"' in dom and "<th>2020年</th><th>2021年</th>" in dom
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', dom)) == len(plotting.BRIEFING_CHARTS)
    assert "邵阳市 政府信息公开工作年度报告：2019—2023年比较" in dom
    _assert_not_blank(SCREENSHOT)


@pytest.mark.slow
def test_agency_briefing_renders_in_headless_chromium(built, tmp_path):
    """``briefing --agencies`` (the README's first command): scorecard, panel, small multiples, findings."""
    out, stdout = built
    page = out / "agencies.html"
    assert str(page) in stdout
    html = page.read_text("utf-8")
    _assert_self_contained(html)
    assert "agencies.scorecard_table" not in html, "code cells are hidden"
    shot = PROJECT / "data" / "processed" / "agencies-screenshot.png"
    dom = _chromium(page, tmp_path, screenshot=shot)
    for marker in ('id="scorecard"', 'id="criteria"', 'id="agency-panel"', 'id="agency-findings"', 'id="sources"'):
        assert marker in dom, marker
    # 金紫乡2021年报告 发布时间:2022-06-17, after the 31 January deadline; 牛马司镇 2020: 发布时间:2021-01-20
    assert "页面发布时间 2022-06-17，期限 2022-01-31" in dom and "页面发布时间 2021-01-20，期限 2021-01-31" in dom
    assert "各项之和为138，（七）总计印为140，不符，相差2" in dom  # the Shaoyang 2020 findings, per agency
    assert len(_images(html)) == 1  # the small multiples
    _assert_not_blank(shot)
    import openpyxl

    sheets = openpyxl.load_workbook(out / "workbook.xlsx", read_only=True).sheetnames
    assert {"机构评分 scorecard", "评分依据 criteria", "机构比较 agencies"} <= set(sheets)


@pytest.mark.slow
def test_hostile_text_does_not_execute_in_the_briefing(tmp_path):
    folder = _hostile_folder(tmp_path / "hostile")
    outputs = build_briefings(folder, tmp_path / "out", reports=["evil_2020"])
    for path in (outputs.files["briefing"], outputs.files["audit"], outputs.files["report:evil_2020"]):
        html = path.read_text("utf-8")
        _assert_self_contained(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        dom = _chromium(path, tmp_path)
        assert "<script" not in dom, "an element was injected"
        assert all('src="data:image/png;base64,' in img for img in re.findall(r"<img\b[^>]*>", dom))
        assert "<title>pwned</title>" not in dom
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # shown as text
    assert outputs.files["briefing"].name == "briefing-script-alert-1-script-邵阳市.html"


@pytest.mark.slow
def test_hongze_2023_to_2024_briefing(tmp_path):
    """Two complete F2021 PDF reports of one district: every headline indicator compares directly."""
    pdfs = [shared_report("huaian/hongze_district_2023.pdf"), shared_report("huaian/hongze_district_2024.pdf")]
    # The two reports print the agency differently (洪泽区人民政府, 淮安市洪泽区人民政府): a catalog names it once.
    catalog = tmp_path / "catalog.csv"
    pd.DataFrame([{"report_id": p.stem, "agency": "洪泽区", "year": int(p.stem[-4:]), "url": "",
                   "local_file": p.name, "completeness": "complete", "note": ""} for p in pdfs]).to_csv(catalog, index=False)
    outputs = build_briefings(pdfs, tmp_path / "out", agency="洪泽区", catalog=catalog)
    html = outputs.files["briefing"].read_text("utf-8")
    _assert_self_contained(html)
    assert outputs.files["briefing"].name == "briefing-洪泽区.html"
    assert "<th>2023年</th><th>2024年</th>" in html
    assert '<span class="printed">550</span>' in html and '<span class="printed">9,487</span>' in html
    assert "+8,937" in html  # 行政许可处理决定数 550 → 9,487
    assert '<span class="printed">7,730.28</span>' in html and '<span class="printed">7,545</span>' in html  # 收费金额, 万元
    assert "2023→2024年：可比较" in html and "无法比较任何指标" not in html
    assert "总计印为0" in html  # table 四 of 2023 does not add up
    # the carried-forward check: 2023 结转下年度 0 = 2024 上年结转 0
    assert "跨年核对 2023→2024</b>：本年“结转下年度继续办理”等于次年“上年结转”：2023年结转下年度0件，2024年上年结转0件，相符" in html
    assert {"report:hongze_district_2023", "report:hongze_district_2024"} <= set(outputs.files)
    dom = _chromium(outputs.files["briefing"], tmp_path, screenshot=PROJECT / "data" / "processed" / "briefing-hongze-screenshot.png")
    assert 'id="headline"' in dom


def test_briefing_subcommand_is_in_the_parser():
    from shaoyang_report.cli import build_parser

    args = build_parser().parse_args(["briefing", "--agency", "邵阳市", "--report", "a", "--report", "b"])
    assert args.agency == "邵阳市" and args.report == ["a", "b"] and args.out.endswith("processed")
    (script,) = entry_points(group="console_scripts", name="shaoyang-report")
    assert script.value == "shaoyang_report.cli:main"
