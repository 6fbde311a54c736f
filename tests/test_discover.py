"""Discovering reports on listing pages (issue 13: 1), against the loopback server only.

The listing pages are of the kinds real 信息公开年报 columns use: a ``<ul>`` of
``<a title=…>`` with dates and relative links, paginated by a ``createPageHTML(…)``
script call; a table of absolute links in GB18030; a ``下一页`` link to ``index_N.shtml``.
The titles are those the real pages print (the bundled openings' titles).
"""

from __future__ import annotations

import shutil

import pytest
from conftest import RAW
from fetch_server import Route, opening_page, report_page

import shaoyang_report as sr
from shaoyang_report.cli import main
from shaoyang_report.corpus.catalog import COMPLETE, csv_records, read_catalog
from shaoyang_report.corpus.discover import discover_catalog, next_pages, title_of
from shaoyang_report.errors import ReportFormatError

FAST = dict(delay=0, retries=0, timeout=2, backoff=0.01, allow_private=True)
CITY = "/shaoyang/sysrmzf/202103/b10b7e56ab88494891761d808cc082ec.shtml"
TOWN = "/shaodong/xzxxnb/202101/43208100346647ee8a2732978369a155.shtml"
JINZI = "/chengbu/zfxxgknb/202206/f76be74143fa42689eb434864ac8016d.shtml"


def _ul_page(base: str) -> bytes:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>信息公开年报</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="./">信息公开年报</a></div>
<ul class="list">
<li><a href="../shaoyang/sysrmzf/202103/b10b7e56ab88494891761d808cc082ec.shtml" target="_blank"
 title="邵阳市2020年政府信息公开工作年度报告">邵阳市2020年政府信息公开工作年度...</a><span>2021-03-25</span></li>
<li><a href="{TOWN}" title="邵东市牛马司镇2020年政府信息公开工作年度报告">邵东市牛马司镇2020年政府信息...</a>
<span>2021-01-20</span></li>
<li><a href="/gk/2021.shtml" title="2021年政府信息公开工作年度报告">2021年政府信息公开工作年度报告</a></li>
</ul>
<script>createPageHTML(2, 0, "index", "shtml");</script></body></html>""".encode()


def _table_page(origin: str) -> bytes:
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>
<table><tr><td><a href="{origin}{JINZI}">金紫乡2021年政府信息公开工作年度报告</a></td><td>2022-06-17</td></tr>
<tr><td><a href="{origin}{TOWN}">邵东市牛马司镇2020年政府信息公开工作年度报告</a></td><td>2021-01-20</td></tr>
</table><a href="index_2.shtml">下一页</a></body></html>""".encode("gb18030")


@pytest.fixture
def listing(server):
    server.routes["/nb/index.shtml"] = Route(_ul_page(server.url("")))
    server.routes["/nb/index_1.shtml"] = Route(_table_page(server.url("")), content_type="text/html")
    server.routes["/nb/index_2.shtml"] = Route(b"<html><body><p>no more</p></body></html>")
    server.routes[CITY] = Route(report_page().encode("utf-8"))
    server.routes[TOWN] = Route(opening_page("shaodong_niumasi_town_2020"))
    server.routes[JINZI] = Route(opening_page("chengbu_jinzi_township_2021"))
    return server


def test_titles_by_the_readers_rules():
    assert title_of("邵东市牛马司镇2020年政府信息公开工作年度报告") == ("邵东市牛马司镇", 2020)
    assert title_of("西安市閻良區機關事務服務中心政府信息公開工作2021年度報告") == ("西安市阎良区机关事务服务中心", 2021)
    assert title_of("2021年政府信息公开工作年度报告") is None  # no agency
    assert title_of("关于开展政府信息公开工作的通知") is None


def test_next_pages_from_links_and_scripts():
    links = [("http://h/nb/index_3.shtml", "", "下一页"), ("http://h/nb/202101/x.shtml", "", "某某报告"),
             ("http://other/nb/index_1.shtml", "", "2"), ("http://h/nb/index_4.shtml", "", "")]
    assert next_pages("", links, "http://h/nb/index.shtml") == ["http://h/nb/index_3.shtml", "http://h/nb/index_4.shtml"]
    script = "<script>createPageHTML('page_div', 3, 1, 'index', 'shtml', 57);</script>"
    assert next_pages(script, [], "http://h/nb/index_1.shtml") == ["http://h/nb/index_2.shtml"]


def test_discover_adds_the_listed_reports_once_then_fetch_completes_them(listing, session, tmp_path):
    catalog = tmp_path / "raw" / "catalog.csv"
    result = discover_catalog(listing.url("/nb/index.shtml"), catalog, session=session, **FAST)
    added = result.added.set_index("report_id")
    assert list(added.index) == ["邵阳市_2020", "邵东市牛马司镇_2020", "金紫乡_2021"]
    assert added.loc["邵阳市_2020", "url"] == listing.url(CITY)  # relative link resolved
    assert added.loc["金紫乡_2021", "url"] == listing.url(JINZI)  # absolute link, GB18030 page
    assert added.loc["金紫乡_2021", "listing_page"] == listing.url("/nb/index_1.shtml")
    assert set(added.completeness) == {""} and set(added.local_file) == {""}
    assert list(result.pages.listing_page) == [listing.url(f"/nb/{p}.shtml") for p in ("index", "index_1", "index_2")]
    reasons = dict(zip(result.skipped.text, result.skipped.reason))
    assert reasons["2021年政府信息公开工作年度报告"] == "the title names no agency or no year"
    assert reasons["邵东市牛马司镇2020年政府信息公开工作年度报告"] == "already in the catalog as 邵东市牛马司镇_2020"
    before = catalog.read_bytes()
    again = discover_catalog(listing.url("/nb/index.shtml"), catalog, session=session, **FAST)
    assert again.added.empty and catalog.read_bytes() == before  # a second run adds nothing

    fetched = sr.fetch_catalog(catalog, session=session, progress=False, **{**FAST, "retries": 1})
    assert fetched.exit_status == 0
    rows = read_catalog(catalog).set_index("report_id")
    assert rows.loc["邵阳市_2020", "completeness"] == COMPLETE  # the page holds the three tables
    assert rows.loc["邵东市牛马司镇_2020", "completeness"] == ""  # an opening: fetched, not complete
    report = sr.read_report(catalog.parent / rows.loc["邵阳市_2020", "local_file"])
    assert (report.agency, report.year) == ("邵阳市", 2020)


def test_existing_rows_are_never_changed(listing, session, tmp_path):
    catalog = tmp_path / "catalog.csv"
    shutil.copy(RAW / "catalog.csv", catalog)
    old = read_catalog(catalog)
    added = sr.discover(listing.url("/nb/index.shtml"), catalog, session=session, **FAST)
    # 邵东市牛马司镇 2020 and 邵阳市 2020 are catalogued by hand already (other ids): only 金紫乡 is new
    assert list(added.report_id) == ["金紫乡_2021"]
    now = read_catalog(catalog)
    assert now.iloc[: len(old)][list(old.columns)].equals(old)
    assert list(now.columns)[-1] == "listing_page"


def test_the_command_line(listing, tmp_path, capsys):
    catalog = tmp_path / "catalog.csv"
    status = main(["discover", listing.url("/nb/index.shtml"), "--catalog", str(catalog), "--pages", "1",
                   "--delay", "0", "--retries", "0", "--allow-private"])
    out = capsys.readouterr().out
    assert status == 0
    assert "added 邵阳市_2020: 邵阳市 2020" in out and "2 report(s) added from 1 listing page(s)" in out


def test_an_unreachable_listing_page_is_reported(session, tmp_path):
    from fetch_server import closed_port_url

    result = discover_catalog(closed_port_url("/nb/index.shtml"), tmp_path / "c.csv", session=session, **FAST)
    assert result.exit_status == 1 and result.offline and result.added.empty
    assert not (tmp_path / "c.csv").exists()


# --------------------------------------------------------------------------- issue 20: 8
# Characters that end a line for str.splitlines (and some editors and tools) but not for CSV.
ODD_BREAKS = "\u2028\u0085\x1e\x1c\x0b\x0c\u2029"


def _odd_page() -> bytes:
    """A listing whose titles carry other line breaks, and a report link to a link-local address."""
    return ("""<html><head><meta charset="utf-8"></head><body><ul>
<li><a href="/a/2021.shtml" title="邵东市牛马司镇2021年\u2028政府信息公开工作年度报告\u0085">牛马司镇2021</a></li>
<li><a href="/a/2022.shtml" title="邵东市牛马司镇2022年\x1e政府信息公开工作年度报告">牛马司镇2022</a></li>
<li><a href="http://169.254.169.254/latest/meta-data/2022.shtml" title="金紫乡2022年政府信息公开工作年度报告">金紫乡</a></li>
<li><a href="http://[fe80::1]/2023.shtml" title="金紫乡2023年政府信息公开工作年度报告">金紫乡</a></li>
</ul></body></html>""").encode("utf-8")


def test_rows_with_other_line_breaks_are_never_split_or_changed(listing, session, tmp_path):
    catalog = tmp_path / "catalog.csv"
    hand = ("report_id,agency,year,url,local_file,completeness,note\n"
            f"hand_2020,某县,2020,,a.txt,complete,copied{ODD_BREAKS}from the page\n"
            "hand_2021,某县,2021,,b.txt,complete,plain\n")
    catalog.write_bytes(hand.encode("utf-8"))
    old = read_catalog(catalog)
    assert old.note.tolist() == [f"copied{ODD_BREAKS}from the page", "plain"]  # one row each, read whole
    listing.routes["/odd/index.shtml"] = Route(_odd_page())
    first = discover_catalog(listing.url("/odd/index.shtml"), catalog, session=session, **FAST)
    assert list(first.added.report_id) == ["邵东市牛马司镇_2021", "邵东市牛马司镇_2022"]
    # the listing_page column is added at the end of each record, never inside one
    text = catalog.read_bytes().decode("utf-8")
    assert text.startswith("report_id,agency,year,url,local_file,completeness,note,listing_page\n"
                           f"hand_2020,某县,2020,,a.txt,complete,copied{ODD_BREAKS}from the page,\n"
                           "hand_2021,某县,2021,,b.txt,complete,plain,\n")
    # the titles' breaks are written as spaces: the rows added are one line for any reader
    added = text.split("plain,\n", 1)[1]
    assert len(added.splitlines()) == 2 and not any(c in added for c in ODD_BREAKS)
    assert first.added.note.tolist() == ["found by discover: 邵东市牛马司镇2021年 政府信息公开工作年度报告",
                                         "found by discover: 邵东市牛马司镇2022年 政府信息公开工作年度报告"]
    now = read_catalog(catalog)
    assert now.iloc[:2][list(old.columns)].equals(old)
    # a later run keeps every byte (before, a row was re-split at its U+2028 on each run)
    before = catalog.read_bytes()
    again = discover_catalog(listing.url("/nb/index.shtml"), catalog, session=session, **FAST)
    assert len(again.added) == 3 and catalog.read_bytes().startswith(before)
    assert [fields for _, fields in csv_records(catalog)[1]][1][-2] == f"copied{ODD_BREAKS}from the page"


def test_a_link_to_a_refused_address_is_not_added(listing, session, tmp_path):
    listing.routes["/odd/index.shtml"] = Route(_odd_page())
    result = discover_catalog(listing.url("/odd/index.shtml"), tmp_path / "c.csv", session=session, **FAST)
    assert "金紫乡_2022" not in set(result.added.report_id) and "金紫乡_2023" not in set(result.added.report_id)
    reasons = dict(zip(result.skipped.url, result.skipped.reason))
    for url in ("http://169.254.169.254/latest/meta-data/2022.shtml", "http://[fe80::1]/2023.shtml"):
        assert reasons[url].startswith("the link would be refused: ") and "link-local" in reasons[url], reasons
    assert "169.254" not in (tmp_path / "c.csv").read_text("utf-8")


def test_a_row_split_across_lines_is_refused_naming_its_line(tmp_path):
    """A catalog an older discover corrupted when it added the listing_page column: a row cut at its U+2028."""
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("report_id,agency,year,url,local_file,completeness,note,listing_page\n"
                       "a_2020,甲,2020,,a.txt,complete,plain,\n"
                       "b_2021,乙,2021,http://x/b,,,found by discover: 乙2021年\u2028,\n"
                       "政府信息公开工作年度报告,\n", "utf-8")
    with pytest.raises(ReportFormatError) as err:
        read_catalog(catalog)  # pandas read the last line as a row of its own, report_id 政府信息公开工作年度报告
    assert str(err.value).startswith(f"{catalog}: line 4: the row has 2 cells where the header names 8 columns")
    catalog.write_bytes(b"report_id,agency,year\na,\xe7\x94,2020\n")  # cut inside a character
    with pytest.raises(ReportFormatError, match="line 2: cannot read the catalog: the file is not UTF-8"):
        read_catalog(catalog)
    catalog.write_text('report_id,agency,year\na,甲,2020\nb,"乙,2021\n', "utf-8")  # a quote left open
    with pytest.raises(ReportFormatError, match="line 3: cannot read the catalog: the file is not CSV there"):
        read_catalog(catalog)
