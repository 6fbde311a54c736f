"""Fetching catalogued reports (issue 6) against a loopback server built from the real Shaoyang text.

No test contacts any host but 127.0.0.1: the catalog is copied into ``tmp_path`` and its
URLs rewritten to a :class:`~fetch_server.LoopbackServer` (or to a closed loopback
port, which is what being offline looks like). The real ``data/raw`` is never touched.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from conftest import RAW
from fetch_server import (
    LoopbackServer,
    Route,
    closed_port_url,
    docx_bytes,
    opening_page,
    report_page,
)

import shaoyang_report as sr
from shaoyang_report.cli import add_fetch_parser
from shaoyang_report.corpus import netguard
from shaoyang_report.corpus.archive import MANIFEST_COLUMNS, read_manifest
from shaoyang_report.corpus.catalog import (
    COMPLETE,
    OPENING_ONLY,
    CatalogEntry,
    read_catalog,
)
from shaoyang_report.corpus.fetch import RESULT_COLUMNS, fetch_catalog, rewrite_catalog
from shaoyang_report.corpus.links import (
    disposition_filename,
    report_links,
    safe_filename,
)

FAST = dict(delay=0, retries=2, timeout=0.5, backoff=0.01, progress=False, allow_private=True)  # loopback server
PAGE = report_page().encode("utf-8")
GB_PAGE = report_page("gb2312").encode("gb18030")

# Where each catalogued report is served on the loopback server (paths as on the real sites).
PATHS = {
    "shaoyang_city_2020": "/shaoyang/sysrmzf/202103/b10b7e56ab88494891761d808cc082ec.shtml",
    "shaoyang_city_2021": "/shaoyang/sysrmzf/202203/590ffe0d12b9402f8d2a2a50af0292bd.shtml",
    "shaoyang_city_2023": "/old/2023.shtml",  # redirects to the page below
    "shaoyang_city_2019": "/shaoyang/sysrmzf/202003/ab9002a97a454080bdc248289b480a2d.shtml",  # 404
    "shaoyang_city_office_2020": "/sysfb/gknb/202101/7b148ba0661744ad94b7131d66cd541e.shtml",  # 500, then 200
    "beita_district_2021": "/beita/nxxgknb/202201/80c1d3d77e514017af09501275b87f51.shtml",  # slow, then fast
    "shaoyang_econ_dev_zone_2021": "/jkq/ndbg/202201/95ae64a553644baf9b3a9e8c4fad0c2f.shtml",  # GB18030
    "chengbu_jinzi_township_2021": "/chengbu/zfxxgknb/202206/f76be74143fa42689eb434864ac8016d.shtml",  # attachment
    "shaodong_niumasi_town_2020": "/shaodong/xzxxnb/202101/43208100346647ee8a2732978369a155.shtml",  # no tables
    "shaoyang_culture_tourism_bureau_2022": "/sywtgxj/gknb/202301/cba930ef8d3e4f438e686b5706888fd8.shtml",
    "shaoyang_county_transport_2023": "/syx/zfgzxxgknb/202402/171c9741e63146b5a4ed8e0e2590d035.shtml",  # too big
}
REDIRECTED = "/shaoyang/sysrmzf/202403/0c8d4b1381e84893997c6e998088ce2c.shtml"
ATTACHMENT = "/chengbu/files/金紫乡2021年政府信息公开工作年度报告.docx"


@pytest.fixture
def raw(tmp_path) -> Path:
    """A copy of data/raw (catalog, the 2020 text, the openings) in tmp_path."""
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(RAW / "catalog.csv", folder / "catalog.csv")
    shutil.copy(RAW / "shaoyang_city_2020.txt", folder / "shaoyang_city_2020.txt")
    shutil.copytree(RAW / "openings", folder / "openings")
    return folder


def point_catalog(catalog: Path, urls: dict[str, str]) -> None:
    """Rewrite the catalog's url column (as the analyst would edit it)."""
    with open(catalog, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    for row in rows[1:]:
        row[3] = urls.get(row[0], row[3])
    with open(catalog, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def serve_shaoyang(server: LoopbackServer, tmp_path: Path) -> dict[str, str]:
    """Serve every catalogued report in the shape the tests expect; return report_id → URL."""
    big = b"<html><body>" + b"<p>" + "邵阳".encode() * 600_000 + b"</p></body></html>"  # ~3.6 MB
    server.routes.update({
        PATHS["shaoyang_city_2020"]: Route(PAGE),
        PATHS["shaoyang_city_2021"]: Route(PAGE),
        PATHS["shaoyang_city_2023"]: Route(status=302, headers={"Location": REDIRECTED}),
        REDIRECTED: Route(PAGE),
        PATHS["shaoyang_city_office_2020"]: Route(PAGE, fail_first=1),
        PATHS["beita_district_2021"]: Route(PAGE, slow_first=1, sleep=1.5),
        PATHS["shaoyang_econ_dev_zone_2021"]: Route(GB_PAGE, content_type="text/html; charset=gb2312"),
        PATHS["chengbu_jinzi_township_2021"]: Route(opening_page(
            "chengbu_jinzi_township_2021", ("../../files/金紫乡2021年政府信息公开工作年度报告.docx",
                                            "金紫乡2021年政府信息公开工作年度报告.docx"))),
        ATTACHMENT: Route(docx_bytes(tmp_path), content_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document")),
        PATHS["shaodong_niumasi_town_2020"]: Route(opening_page("shaodong_niumasi_town_2020")),
        PATHS["shaoyang_culture_tourism_bureau_2022"]: Route(
            PAGE, headers={"Content-Disposition": 'attachment; filename="../../../outside.html"'}),
        PATHS["shaoyang_county_transport_2023"]: Route(big, length=False),
    })
    urls = {rid: server.url(path) for rid, path in PATHS.items()}
    urls["suining_county_2019"] = closed_port_url("/hnsn/xxgknb/202003/a4bb87543c1e4b338043a3a361386fd9.shtml")
    return urls


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def records(catalog: Path) -> dict[str, str]:
    """Each catalog record's exact text, by report_id (header under ``""``)."""
    lines = catalog.read_text("utf-8").splitlines(keepends=True)
    return {("" if i == 0 else line.split(",", 1)[0]): line for i, line in enumerate(lines)}


# --------------------------------------------------------------------------- the whole catalog

def test_fetch_completes_the_shaoyang_catalog(server, session, raw, tmp_path):
    catalog = raw / "catalog.csv"
    point_catalog(catalog, serve_shaoyang(server, tmp_path))
    before = records(catalog)
    result = fetch_catalog(catalog, session=session, max_bytes=2_000_000, **FAST)

    frame = result.entries
    assert list(frame.columns) == RESULT_COLUMNS and len(frame) == 12
    status = dict(zip(frame.report_id, frame.status))
    message = dict(zip(frame.report_id, frame.message))
    assert status == {
        "beita_district_2021": "fetched", "chengbu_jinzi_township_2021": "fetched",
        "shaodong_niumasi_town_2020": "fetched", "shaoyang_city_2019": "failed", "shaoyang_city_2020": "fetched",
        "shaoyang_city_office_2020": "fetched", "shaoyang_city_2021": "fetched",
        "shaoyang_econ_dev_zone_2021": "fetched", "shaoyang_culture_tourism_bureau_2022": "fetched",
        "shaoyang_city_2023": "fetched", "shaoyang_county_transport_2023": "failed", "suining_county_2019": "failed",
    }
    assert result.exit_status == 1 and not result.offline
    # why the failures failed
    assert "HTTP 404" in message["shaoyang_city_2019"]
    assert "cap" in message["shaoyang_county_transport_2023"] and "1.9 MB" in message["shaoyang_county_transport_2023"]
    assert "connection refused" in message["suining_county_2019"]
    assert "gave up after 3 attempts" in message["suining_county_2019"]
    # retried what deserves it, politely, and not what does not
    assert server.count(PATHS["shaoyang_city_office_2020"]) == 2
    assert "after 2 attempts (HTTP 500" in message["shaoyang_city_office_2020"]
    assert server.count(PATHS["beita_district_2021"]) == 2
    assert "timed out" in message["beita_district_2021"]
    assert server.count(PATHS["shaoyang_city_2019"]) == 1
    assert server.count("/css/site-guide.pdf") == 0  # a linked PDF that is not the report
    agents = {h.headers["User-Agent"] for hits in server.hits.values() for h in hits}
    assert agents == {netguard.user_agent()} and netguard.user_agent().startswith(f"shaoyang-report/{sr.__version__} (+")

    # the catalog: pages with tables complete their opening-only rows, in place
    cat = read_catalog(catalog).set_index("report_id")
    completed = ["shaoyang_city_2021", "shaoyang_city_2023", "shaoyang_city_office_2020", "beita_district_2021",
                 "shaoyang_econ_dev_zone_2021", "chengbu_jinzi_township_2021",
                 "shaoyang_culture_tourism_bureau_2022"]
    for rid in completed:
        assert cat.loc[rid, "completeness"] == COMPLETE, message[rid]
        assert cat.loc[rid, "local_file"].startswith(f"fetched/{rid}/")
        report = sr.read_report(raw / cat.loc[rid, "local_file"])
        assert report.missing.empty and report.summary()["applications"] == "161/161"
    assert sorted(result.catalog_updated) == sorted(completed)
    assert cat.loc["chengbu_jinzi_township_2021", "local_file"] == (
        "fetched/chengbu_jinzi_township_2021/金紫乡2021年政府信息公开工作年度报告.docx")
    assert cat.loc["shaoyang_city_2021", "local_file"] == (
        "fetched/shaoyang_city_2021/590ffe0d12b9402f8d2a2a50af0292bd.shtml")
    # a page without tables leaves its row as it was, and says why
    assert cat.loc["shaodong_niumasi_town_2020", "completeness"] == OPENING_ONLY
    assert "table 二, 三, 四 not in the text" in message["shaodong_niumasi_town_2020"]
    # the curated complete row keeps its text file; its page is archived all the same
    assert cat.loc["shaoyang_city_2020", "local_file"] == "shaoyang_city_2020.txt"
    assert (raw / frame.set_index("report_id").loc["shaoyang_city_2020", "path"]).read_bytes() == PAGE
    # column order, and every row not completed, byte for byte
    after = records(catalog)
    assert after[""] == before[""]
    assert {k for k in before if before[k] != after[k]} == set(completed)
    assert read_catalog(catalog).loc[lambda f: f.report_id == "shaoyang_city_2021", "note"].item() == (
        read_catalog(RAW / "catalog.csv").loc[lambda f: f.report_id == "shaoyang_city_2021", "note"].item())

    # the archive: the bytes as served, and a manifest row for each file
    manifest = read_manifest(raw)
    assert list(manifest.columns) == MANIFEST_COLUMNS
    assert len(manifest) == 10  # 9 pages (3 entries failed) + the Word attachment
    for row in manifest.itertuples():
        path = raw / row.path
        assert path.resolve().is_relative_to((raw / "fetched").resolve())
        assert sha(path.read_bytes()) == row.sha256 and int(row.bytes) == path.stat().st_size
        assert row.http_status == "200"
        assert datetime.fromisoformat(row.fetched_at).utcoffset().total_seconds() == 0
    by_id = manifest.set_index("report_id")
    gb = by_id.loc["shaoyang_econ_dev_zone_2021"]
    assert (raw / gb.path).read_bytes() == GB_PAGE and gb.content_type == "text/html; charset=gb2312"
    moved = by_id.loc["shaoyang_city_2023"]
    assert moved.url == server.url(PATHS["shaoyang_city_2023"]) and moved.final_url == server.url(REDIRECTED)
    assert moved.path == "fetched/shaoyang_city_2023/0c8d4b1381e84893997c6e998088ce2c.shtml"
    word = manifest[manifest.path.str.endswith(".docx")].iloc[0]
    assert word.linked_from == server.url(PATHS["chengbu_jinzi_township_2021"])
    assert word.url == server.url(ATTACHMENT)
    # hostile file name: kept inside the report's folder, nothing written outside the archive
    assert by_id.loc["shaoyang_culture_tourism_bureau_2022", "path"] == (
        "fetched/shaoyang_culture_tourism_bureau_2022/outside.html")
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    outside = {p for p in written if not p.startswith(("raw/fetched/", "raw/openings/"))}
    assert outside == {"raw/catalog.csv", "raw/shaoyang_city_2020.txt", "report.docx"}  # report.docx: the test's own
    assert not any(p.name.startswith(".") for p in (raw / "fetched").rglob("*"))  # no temporary files left


def test_a_second_run_skips_what_is_archived(server, session, raw, tmp_path):
    catalog = raw / "catalog.csv"
    point_catalog(catalog, serve_shaoyang(server, tmp_path))
    fetch_catalog(catalog, session=session, max_bytes=2_000_000, **FAST)
    catalog_bytes, manifest_bytes = catalog.read_bytes(), (raw / "fetched" / "manifest.csv").read_bytes()
    paths = set(server.routes) | set(server.hits)
    served = {path: server.count(path) for path in paths}

    again = fetch_catalog(catalog, session=session, max_bytes=2_000_000, only=["shaoyang_city_2021",
                          "chengbu_jinzi_township_2021", "shaoyang_city_2019"], **FAST)
    status = dict(zip(again.entries.report_id, again.entries.status))
    assert status == {"chengbu_jinzi_township_2021": "skipped", "shaoyang_city_2019": "failed",
                      "shaoyang_city_2021": "skipped"}
    served_again = {path: server.count(path) for path in paths}
    changed = {p for p in served if served[p] != served_again[p]}
    assert changed == {PATHS["shaoyang_city_2019"]}  # only what was never archived is asked for again
    assert catalog.read_bytes() == catalog_bytes and (raw / "fetched" / "manifest.csv").read_bytes() == manifest_bytes
    assert "already archived" in again.entries.message[again.entries.report_id == "shaoyang_city_2021"].item()


def test_refresh_keeps_both_files_when_a_page_changed(server, session, raw):
    catalog = raw / "catalog.csv"
    path = PATHS["shaoyang_city_2021"]
    server.routes[path] = Route(PAGE)
    point_catalog(catalog, {"shaoyang_city_2021": server.url(path)})
    first = fetch_catalog(catalog, session=session, only=["shaoyang_city_2021"], **FAST)
    old = first.entries.path.item()

    # unchanged: nothing new is written
    same = fetch_catalog(catalog, session=session, only=["shaoyang_city_2021"], refresh=True, **FAST)
    assert same.entries.status.item() == "fetched" and "unchanged since" in same.entries.message.item()
    assert len(read_manifest(raw)) == 1 and server.count(path) == 2

    # the site corrected a number: the new page is kept beside the old one
    corrected = PAGE.replace(b"<span style=\"font-family:\xe5\xae\x8b\xe4\xbd\x93;font-size:12px\">139</span>",
                             b"<span style=\"font-family:\xe5\xae\x8b\xe4\xbd\x93;font-size:12px\">137</span>", 1)
    assert corrected != PAGE
    server.routes[path] = Route(corrected)
    changed = fetch_catalog(catalog, session=session, only=["shaoyang_city_2021"], refresh=True, **FAST)
    row = changed.entries.iloc[0]
    assert row.status == "changed" and row.path != old and "CHANGED" in row.message and old in row.message
    assert (raw / old).read_bytes() == PAGE and (raw / row.path).read_bytes() == corrected
    manifest = read_manifest(raw)
    assert len(manifest) == 2 and manifest.replaces.tolist() == ["", old]
    assert manifest.sha256.tolist() == [sha(PAGE), sha(corrected)]
    assert read_catalog(catalog).set_index("report_id").loc["shaoyang_city_2021", "local_file"] == row.path
    assert changed.exit_status == 0

    # a refreshed page that lost its tables does not replace the complete one
    server.routes[path] = Route(opening_page("shaoyang_city_2021"))
    broken = fetch_catalog(catalog, session=session, only=["shaoyang_city_2021"], refresh=True, **FAST)
    assert broken.entries.status.item() == "changed"
    cat = read_catalog(catalog).set_index("report_id")
    assert cat.loc["shaoyang_city_2021", "local_file"] == row.path and cat.loc["shaoyang_city_2021",
                                                                               "completeness"] == COMPLETE
    assert "catalog unchanged" in broken.entries.message.item()
    assert len(list((raw / "fetched" / "shaoyang_city_2021").iterdir())) == 3


def test_an_archived_file_with_the_same_name_is_never_overwritten(server, session, raw):
    catalog = raw / "catalog.csv"
    path = PATHS["shaoyang_city_2021"]
    server.routes[path] = Route(PAGE)
    point_catalog(catalog, {"shaoyang_city_2021": server.url(path)})
    folder = raw / "fetched" / "shaoyang_city_2021"
    folder.mkdir(parents=True)
    squatter = folder / "590ffe0d12b9402f8d2a2a50af0292bd.shtml"
    squatter.write_bytes(b"an older copy saved by hand")
    result = fetch_catalog(catalog, session=session, only=["shaoyang_city_2021"], **FAST)
    row = result.entries.iloc[0]
    assert squatter.read_bytes() == b"an older copy saved by hand"
    assert row.status == "changed" and row.path == (
        f"fetched/shaoyang_city_2021/590ffe0d12b9402f8d2a2a50af0292bd.{sha(PAGE)[:12]}.shtml")
    assert read_manifest(raw).replaces.item() == "fetched/shaoyang_city_2021/590ffe0d12b9402f8d2a2a50af0292bd.shtml"


# --------------------------------------------------------------------------- hostile and failing servers

def test_refusals_and_redirect_limits(server, session, raw):
    catalog = raw / "catalog.csv"
    server.routes.update({
        "/to-file": Route(status=302, headers={"Location": "file:///etc/passwd"}),
        "/loop": Route(status=301, headers={"Location": "/loop"}),
        "/announced-big": Route(b"x" * 5000, content_type="application/pdf"),
    })
    point_catalog(catalog, {
        "shaoyang_city_2019": "file:///etc/passwd",
        "shaoyang_city_2021": "ftp://127.0.0.1/report.pdf",
        "shaoyang_city_2023": server.url("/to-file"),
        "beita_district_2021": server.url("/loop"),
        "suining_county_2019": server.url("/announced-big"),
    })
    result = fetch_catalog(catalog, session=session, max_bytes=1000, only=[
        "shaoyang_city_2019", "shaoyang_city_2021", "shaoyang_city_2023", "beita_district_2021",
        "suining_county_2019"], **FAST)
    message = dict(zip(result.entries.report_id, result.entries.message))
    assert set(result.entries.status) == {"failed"}
    assert "only http:// and https://" in message["shaoyang_city_2019"]
    assert "only http:// and https://" in message["shaoyang_city_2021"]
    assert "refused redirect" in message["shaoyang_city_2023"] and "file:///etc/passwd" in message["shaoyang_city_2023"]
    assert "more than 5 redirects" in message["beita_district_2021"] and server.count("/loop") == 6
    assert "announces 4.9 KB, more than the 1000 bytes cap" in message["suining_county_2019"]
    assert read_manifest(raw).empty and not any(p.is_file() for p in (raw / "fetched").rglob("*"))


def test_a_report_id_that_would_leave_the_archive_is_refused(server, session, tmp_path):
    server.routes["/p.shtml"] = Route(PAGE)
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("report_id,agency,year,url,local_file,completeness,note\n"
                       f"../../escape,邵阳市,2021,{server.url('/p.shtml')},,opening only,\n", "utf-8")
    result = fetch_catalog(catalog, session=session, **FAST)
    assert result.entries.status.item() == "failed" and "cannot name an archive folder" in result.entries.message.item()
    assert server.count("/p.shtml") == 0 and sorted(p.name for p in tmp_path.rglob("*")) == ["catalog.csv"]


def test_server_errors_are_retried_with_backoff_then_reported(server, session, raw, monkeypatch):
    catalog = raw / "catalog.csv"
    server.routes["/down"] = Route(PAGE, fail_first=99, fail_status=503)
    point_catalog(catalog, {"shaoyang_city_2021": server.url("/down")})
    waits = []
    monkeypatch.setattr(netguard, "sleep", waits.append)  # record the backoff instead of waiting
    result = fetch_catalog(catalog, session=session, only=["shaoyang_city_2021"],
                           **{**FAST, "retries": 3, "backoff": 0.02})
    assert server.count("/down") == 4
    assert result.entries.status.item() == "failed"
    assert "HTTP 503 Service Unavailable (gave up after 4 attempts)" in result.entries.message.item()
    assert waits == pytest.approx([0.02, 0.04, 0.08])


def test_requests_to_one_host_are_spaced_by_the_delay(server, session, raw):
    catalog = raw / "catalog.csv"
    server.routes.update({"/a.shtml": Route(PAGE), "/b.shtml": Route(PAGE)})
    point_catalog(catalog, {"shaoyang_city_2021": server.url("/a.shtml"), "shaoyang_city_2023": server.url("/b.shtml")})
    fetch_catalog(catalog, session=session, only=["shaoyang_city_2021", "shaoyang_city_2023"],
                  **{**FAST, "delay": 0.4})
    gap = server.hits["/b.shtml"][0].at - server.hits["/a.shtml"][0].at
    assert gap >= 0.4


def test_offline_every_entry_says_why_and_the_exit_status_says_so(raw, session):
    catalog = raw / "catalog.csv"
    point_catalog(catalog, {rid: closed_port_url(f"/{rid}.shtml") for rid in PATHS} | {
        "suining_county_2019": closed_port_url("/s.shtml")})
    before = catalog.read_bytes()
    result = fetch_catalog(catalog, session=session, **{**FAST, "retries": 0})
    assert result.exit_status == 1 and result.offline
    with_url = result.entries
    assert set(with_url.status) == {"failed"} and len(with_url) == 12
    assert with_url.message.str.contains("connection refused by 127.0.0.1:").all()
    assert catalog.read_bytes() == before


# --------------------------------------------------------------------------- the command

def run_command(argv: list[str], capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="shaoyang-report")
    add_fetch_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    status = args.func(args)
    out = capsys.readouterr()
    return status, out.out, out.err


def test_the_command_line(server, raw, capsys, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    catalog = raw / "catalog.csv"
    server.routes[PATHS["shaoyang_city_2021"]] = Route(PAGE)
    offline = closed_port_url("/sn.shtml")
    point_catalog(catalog, {"shaoyang_city_2021": server.url(PATHS["shaoyang_city_2021"]),
                            "suining_county_2019": offline})
    fast = ["--delay", "0", "--retries", "0", "--timeout", "2", "--allow-private"]

    status, out, err = run_command(["fetch", "--catalog", str(catalog), "--only", "shaoyang_city_2021",
                                    "suining_county_2019", *fast], capsys)
    assert status == 1
    assert "shaoyang_city_2021: fetched fetched/shaoyang_city_2021/590ffe0d12b9402f8d2a2a50af0292bd.shtml" in out
    assert "completeness → complete (was opening only)" in out
    assert "2 entries: 1 fetched, 0 skipped, 0 changed, 1 failed; 1 complete in the catalog; 1 catalog row(s) updated" in out
    assert "error: 1 entry could not be fetched:" in err
    assert f"suining_county_2019  {offline}" in err and "connection refused by 127.0.0.1" in err
    assert "looks offline" not in err  # one host answered

    status, out, err = run_command(["fetch", "--catalog", str(catalog), "--only", "suining_county_2019", *fast], capsys)
    assert status == 1 and "this machine looks offline" in err

    status, out, err = run_command(["fetch", "--catalog", str(catalog), "--only", "shaoyang_city_2021", *fast], capsys)
    assert status == 0 and "shaoyang_city_2021: already archived" in out and err == ""

    status, out, err = run_command(["fetch", "--catalog", str(catalog), "--only", "no_such_report", *fast], capsys)
    assert status == 1 and "no_such_report is not in the catalog" in err


# --------------------------------------------------------------------------- pieces

@pytest.mark.parametrize("given, expected", [
    ("../../../outside.html", "outside.html"),
    ("/etc/passwd", "passwd.html"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("..", "download.html"),
    ("", "download.html"),
    (".htaccess", "htaccess.html"),
    ("a<b>c:d|e?.pdf", "a_b_c_d_e_.pdf"),
    ("NUL.txt", "_NUL.txt"),
    ("报告\x00.docx", "报告_.docx"),
    ("年" * 100 + ".pdf", "年" * 48 + ".pdf"),
])
def test_safe_filename(given, expected):
    assert safe_filename(given, "text/html") == expected


def test_content_disposition_names():
    assert disposition_filename("attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf") == "年报.pdf"
    assert disposition_filename('attachment; filename="年报.pdf"'.encode().decode("latin-1")) == "年报.pdf"
    assert disposition_filename("inline") == ""


def test_report_links_in_a_gb18030_page():
    page = ('<html><head><meta charset="gb2312"><base href="/sysfb/"></head><body>'
            '<a href="gknb/附件.pdf">邵阳市2023年政府信息公开工作年度报告</a>'
            '<a href="http://127.0.0.1/x.docx" title="2023年年报">下载</a>'
            '<a href="/x/notice.pdf">通知</a><a href="javascript:void(0)">年度报告.pdf</a>'
            '<a href="gknb/附件.pdf#page=2">同上</a></body></html>').encode("gb18030")
    assert report_links(page, "http://127.0.0.1:8000/a/b.shtml") == [
        "http://127.0.0.1:8000/sysfb/gknb/附件.pdf", "http://127.0.0.1/x.docx"]


def test_report_links_in_hostile_pages():
    after = '<a href="/files/after.pdf">2023年年度报告</a>'
    url = "http://127.0.0.1:8000/a/b.shtml"
    scripted = ('<script>document.write("<a href=\'/files/s.pdf\'>2023年年报</a>")</script>'
                '<textarea><a href="/files/t.pdf">年报</a></textarea>' + after)
    assert report_links(scripted.encode(), url) == ["http://127.0.0.1:8000/files/after.pdf"]
    deep = "<div>" * 5000 + '<a href="/files/deep.pdf">年报</a>' + "<font>" * 5000 + after  # past any nesting cap
    assert report_links(deep.encode(), url) == ["http://127.0.0.1:8000/files/deep.pdf",
                                                "http://127.0.0.1:8000/files/after.pdf"]
    long_text = "<p>" + "年" * 4_000_000 + "</p>" + after  # one 12 MB text: past libxml2's usual 10 MB cap
    assert report_links(long_text.encode(), url) == ["http://127.0.0.1:8000/files/after.pdf"]


def test_catalog_rewrite_keeps_other_records_byte_for_byte(tmp_path):
    text = ("\ufeffreport_id,agency,year,url,local_file,completeness,note\r\n"
            'a,甲,2021,http://x/a,openings/a.txt,opening only,"two\r\nlines, quoted"\r\n'
            "b,乙,2021,http://x/b,openings/b.txt,opening only,plain\r\n"
            'c,丙,2021,http://x/c,c.txt,complete,"say ""hi"""')
    catalog = tmp_path / "catalog.csv"
    catalog.write_bytes(text.encode("utf-8"))
    rewrite_catalog(catalog, {"b": {"local_file": "fetched/b/b.shtml", "completeness": "complete"}})
    assert catalog.read_bytes().decode("utf-8") == text.replace(
        "openings/b.txt,opening only,plain", "fetched/b/b.shtml,complete,plain")
    frame = read_catalog(catalog)
    assert frame.note.tolist() == ["two\r\nlines, quoted", "plain", 'say "hi"']


def test_the_fetched_report_reads_with_its_catalog_entry(server, session, raw):
    catalog = raw / "catalog.csv"
    server.routes[PATHS["shaoyang_city_2021"]] = Route(GB_PAGE, content_type="text/html; charset=GBK")
    point_catalog(catalog, {"shaoyang_city_2021": server.url(PATHS["shaoyang_city_2021"])})
    fetch_catalog(catalog, session=session, only=["shaoyang_city_2021"], **FAST)
    row = read_catalog(catalog).set_index("report_id").loc["shaoyang_city_2021"]
    entry = CatalogEntry("shaoyang_city_2021", row.agency, 2021, row.url, row.local_file, row.completeness, row.note)
    report = sr.read_report(raw / row.local_file, catalog_entry=entry)
    assert report.report_id == "shaoyang_city_2021" and report.missing.empty and len(report.findings) == 2
    facts = report.facts
    assert facts.loc[(facts["item"] == "administrative_permit") & (facts.measure == "change"), "value"].item() == -56
    assert report.table("applications").shape[0] > 20  # table 三 rebuilt from the fetched page
