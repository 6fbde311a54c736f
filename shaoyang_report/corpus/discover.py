"""Discover reports on listing pages and add them to the catalog.

``shaoyang-report discover URL …`` (or :func:`discover`) reads a listing page of annual
reports (a 信息公开年报 column of a government site) and the pages after it, finds the
links whose text (or ``title`` attribute) is an annual report's title, and adds one
catalog row per report: ``report_id`` from agency and year, ``agency`` and ``year`` read
by the reader's own title rules (:func:`shaoyang_report.read.metadata.read_metadata`,
with its variants: Traditional characters, 年度, a year after 工作 …), ``url``, empty
``local_file`` and ``completeness``, and ``listing_page`` (the page it was found on).
``shaoyang-report fetch`` then downloads and completes those rows as it does any row.

Rules:

* Existing rows are never changed: every record of the file is kept byte for byte (a
  line break of another convention in a cell, U+2028 or NEL, does not split its row).
  A report already catalogued (same URL, or the same agency and year) is not added
  again, so a second run adds nothing. A row added holds no line break or control
  character of any convention in any cell (:func:`~shaoyang_report.corpus.catalog.one_line`):
  a title that prints one has it as a space.
* A link the fetcher would refuse (not http(s); a host that is or resolves to a
  link-local, multicast, reserved or unspecified address, or a private or loopback one
  without ``allow_private``: :func:`~shaoyang_report.corpus.addresses.link_refusal`) is
  not added; it is listed in :attr:`DiscoverResult.skipped` with why.
* A link whose title names no agency (``2021年政府信息公开工作年度报告`` on an agency's
  own page) or no year is not added; it is listed in :attr:`DiscoverResult.skipped`
  with why.
* Next pages: links reading 下一页/尾页 or a page number, ``index_N.shtml`` pages of the
  same folder, and the pages a ``createPageHTML(total, current, "index", "shtml")``
  script call draws; at most ``pages`` pages per URL given, on the same host.
* Downloads go through the guarded client of :mod:`shaoyang_report.corpus.netguard`, as
  ``fetch``'s do: the same User-Agent, delay between requests to a host, retries, size
  cap, time limit and address guard (public addresses only unless ``allow_private``).

Example:
    >>> page = ('<ul><li><a href="202101/a.shtml" title="邵东市牛马司镇2020年政府信息公开工作年度报告">'
    ...         '邵东市牛马司镇2020年政府信息…</a><span>2021-01-20</span></li></ul>')
    >>> [(r.agency, r.year, r.url) for r in report_titles(page.encode(), "https://x.gov.cn/nb/index.shtml")]
    [('邵东市牛马司镇', 2020, 'https://x.gov.cn/nb/202101/a.shtml')]
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import pandas as pd

from shaoyang_report.atomic import write_bytes
from shaoyang_report.corpus import netguard
from shaoyang_report.corpus.addresses import link_refusal
from shaoyang_report.corpus.catalog import (
    COLUMNS,
    LISTING_PAGE,
    csv_records,
    one_line,
    read_catalog,
)
from shaoyang_report.corpus.download import Failure
from shaoyang_report.corpus.links import page_links

#: Listing pages read per URL given, the first included (``--pages``).
DEFAULT_PAGES = 10
#: Columns of :attr:`DiscoverResult.pages` and :attr:`DiscoverResult.skipped`.
PAGE_COLUMNS = ["listing_page", "status", "links", "reports", "message"]
SKIPPED_COLUMNS = ["listing_page", "url", "text", "reason"]
_NEXT_WORDS = ("下一页", "下页", "尾页", "末页", "后一页")
_PAGE_SCRIPT = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_NUMBERED = re.compile(r"^(?P<stem>.+?)(_(?P<n>\d+))?\.(?P<ext>s?html?)$", re.I)


class Found(NamedTuple):
    """A report link on a listing page."""

    agency: str
    year: int
    url: str
    text: str


# --------------------------------------------------------------------------- reading one page
def title_of(text: str) -> tuple[str, int] | None:
    """Agency and year of an annual report's title, by the reader's title rules; None when it is none.

    Both must come from the title itself (not inferred from prose or a date).

    Example:
        >>> title_of("会仪镇人民政府2021年信息公开年度报告"), title_of("2021年政府信息公开工作年度报告")
        (('会仪镇人民政府', 2021), None)
    """
    from shaoyang_report.read.metadata import read_metadata
    from shaoyang_report.read.readers.text_reader import text_document
    from shaoyang_report.read.text import normalize

    text = " ".join(text.split())
    if not text or len(text) > 200:
        return None
    meta = read_metadata(text_document(text, "<link>"))
    if meta.agency is None or meta.year is None:
        return None
    assert meta.agency_evidence is not None and meta.year_evidence is not None  # found with what they are
    if meta.agency_evidence.basis != "title" or meta.year_evidence.basis != "title":
        return None
    return normalize(meta.agency), int(meta.year)


def report_titles(page: bytes, page_url: str) -> list[Found]:
    """The annual-report links of a listing page (the ``title`` attribute first, then the link text)."""
    return [f for f in _classify(page, page_url)[0] if isinstance(f, Found)]


def _classify(page: bytes, page_url: str) -> tuple[list[Found | tuple[str, str, str]], str, list]:
    """Each link as a :class:`Found` or ``(url, text, reason)`` when it looks like a report without agency or year."""
    text, links = page_links(page, page_url)
    out: list[Found | tuple[str, str, str]] = []
    for url, title, label in links:
        got = None
        for candidate in (title, label):
            got = title_of(candidate) if candidate else None
            if got:
                out.append(Found(got[0], got[1], url, candidate))
                break
        if got is None and any(w in f"{title}{label}" for w in ("年度报告", "年报")):
            said = title or label
            out.append((url, said, "the title names no agency or no year" if "报告" in said or "年报" in said
                        else "not an annual report's title"))
    return out, text, links


def next_pages(page_text: str, links: Iterable[tuple[str, str, str]], page_url: str) -> list[str]:
    """Listing pages after this one: 下一页/尾页/page-number links, ``index_N`` pages, ``createPageHTML(…)``.

    Only pages on the same host and in the same folder as ``page_url`` are returned.

    Example:
        >>> next_pages('<script>createPageHTML(3, 0, "index", "shtml");</script>', [],
        ...            "http://x.gov.cn/nb/index.shtml")
        ['http://x.gov.cn/nb/index_1.shtml', 'http://x.gov.cn/nb/index_2.shtml']
    """
    here = urlsplit(page_url)
    stem = _NUMBERED.match(PurePosixPath(here.path).name or "index.html")
    found: list[str] = []
    for url, title, label in links:
        parts = urlsplit(url)
        name = PurePosixPath(parts.path).name
        numbered = _NUMBERED.match(name)
        said = (label or title).strip()
        if said in _NEXT_WORDS or said.isdigit() or (
                numbered and numbered["n"] and stem and numbered["stem"] == stem["stem"]):
            found.append(url)
    for m in _PAGE_SCRIPT.finditer(page_text):
        numbers = [int(n) for n in re.findall(r"(?<![\w.])(\d+)(?![\w.])", m[1])]
        words = re.findall(r"[\"']([^\"']*)[\"']", m[1])
        ext = next((w for w in words if w.lower() in ("shtml", "html", "htm")), None)
        name = words[words.index(ext) - 1] if ext and words.index(ext) > 0 else "index"
        if not numbers or ext is None:
            continue
        total = min(numbers[0], 1000)
        for k in range(1, total):
            found.append(urljoin(page_url, f"{name}_{k}.{ext}"))
    out = []
    for url in found:
        parts = urlsplit(url)
        if parts.netloc.lower() != here.netloc.lower() or parts.path.rsplit("/", 1)[0] != here.path.rsplit("/", 1)[0]:
            continue
        if url != page_url and url not in out:
            out.append(url)
    return out


# --------------------------------------------------------------------------- the catalog
def report_id_for(agency: str, year: int) -> str:
    """A stable report_id from agency and year (``邵东市牛马司镇_2020``); safe as an archive folder name.

    Example:
        >>> report_id_for("邵阳县(交通运输局)", 2023)
        '邵阳县-交通运输局_2023'
    """
    name = re.sub(r"[^\w]+", "-", agency).strip("-_")[:80] or "agency"
    return f"{name}_{year}"


def _append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Append rows to a catalog CSV, keeping every existing record's bytes (a new column gets an empty cell).

    A catalog that does not exist is created with :data:`COLUMNS` and ``listing_page``.
    """
    if not rows:
        return
    bom, records = csv_records(path)
    header = records[0][1] if records else list(COLUMNS)
    names = [h.lstrip("\ufeff") for h in header]
    added = [c for c in (*COLUMNS, LISTING_PAGE) if c not in names]
    end = "\r\n" if records and records[0][0].endswith("\r\n") else "\n"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=end)
    if not records:
        writer.writerow(header + added)
    for k, (record, fields) in enumerate(records):
        if k == 0 and added:
            writer.writerow(header + added)
            continue
        if added and fields:
            body = record.rstrip("\r\n")
            record = body + "," * len(added) + (record[len(body):] or end)
        elif not record.endswith(("\n", "\r")):
            record += end
        buf.write(record)
    columns = names + added
    for row in rows:
        writer.writerow([one_line(row.get(c, "")) for c in columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, bom + buf.getvalue().encode("utf-8"))


# --------------------------------------------------------------------------- the job
@dataclass
class DiscoverResult:
    """What :func:`discover_catalog` did.

    Attributes:
        added: The catalog rows added (catalog columns and ``listing_page``).
        pages: One row per listing page asked for (:data:`PAGE_COLUMNS`): ``status`` is
            ``read`` or ``failed``; ``links`` and ``reports`` count what the page held.
        skipped: Report links not added (:data:`SKIPPED_COLUMNS`) and why: already in
            the catalog, or a title without agency or year.
        catalog: The catalog file.
        offline: True when every failure was a connection failure and no page was read.
    """

    added: pd.DataFrame
    pages: pd.DataFrame
    skipped: pd.DataFrame
    catalog: Path
    offline: bool = False

    @property
    def exit_status(self) -> int:
        """0 when every listing page was read, 1 when one could not be."""
        return int(bool((self.pages["status"] == "failed").any()))


def discover_catalog(
    urls: str | Iterable[str],
    catalog_path: str | Path | None = None,
    *,
    pages: int = DEFAULT_PAGES,
    delay: float = netguard.DEFAULT_DELAY,
    retries: int = netguard.DEFAULT_RETRIES,
    timeout: float = netguard.DEFAULT_TIMEOUT,
    backoff: float = netguard.DEFAULT_BACKOFF,
    max_bytes: int = netguard.MAX_BYTES,
    max_seconds: float = netguard.MAX_SECONDS,
    allow_private: bool = False,
    session=None,
) -> DiscoverResult:
    """Read listing pages and add a catalog row for every annual report they list.

    Args:
        urls: Listing page URL(s).
        catalog_path: The catalog CSV (default ``data/raw/catalog.csv``; created if absent).
        pages: Listing pages read per URL, the first included.
        delay, retries, timeout, backoff, max_bytes, max_seconds, allow_private, session:
            As for :func:`~shaoyang_report.corpus.fetch.fetch_catalog`.

    Returns:
        A :class:`DiscoverResult`.

    Raises:
        ReportFormatError: The catalog exists but cannot be read.
    """

    from shaoyang_report import config

    catalog_path = Path(catalog_path) if catalog_path is not None else config.RAW / "catalog.csv"
    frame = read_catalog(catalog_path) if catalog_path.exists() else pd.DataFrame(columns=COLUMNS)
    by_url = {str(u).strip(): rid for u, rid in zip(frame.url, frame.report_id) if str(u).strip()}
    by_key = {(str(a), str(y)): rid for a, y, rid in zip(frame.agency, frame.year, frame.report_id)}
    ids = set(frame.report_id)
    hosts: dict[str, str | None] = {}  # host → why the fetcher refuses it (None: it does not)
    added: list[dict[str, str]] = []
    page_rows: list[dict] = []
    skipped: list[dict] = []
    connection = other = 0
    with netguard.guarded_client(session, delay=delay, retries=retries, timeout=timeout, backoff=backoff,
                                 max_bytes=max_bytes, max_seconds=max_seconds, allow_private=allow_private) as client:
        try:
            for start in [urls] if isinstance(urls, str) else list(urls):
                queue = [start]
                seen: set[str] = set()
                while queue and len(seen) < max(1, pages):
                    url = queue.pop(0)
                    if url in seen:
                        continue
                    seen.add(url)
                    try:
                        got = client.get(url)
                    except Failure as exc:
                        connection += exc.connection
                        other += not exc.connection
                        page_rows.append(dict(listing_page=url, status="failed", links=0, reports=0,
                                              message=exc.message))
                        continue
                    where = got.final_url or url
                    links, text, raw_links = _classify(got.data, where)
                    reports = 0
                    for item in links:
                        if not isinstance(item, Found):
                            skipped.append(dict(listing_page=url, url=item[0], text=item[1], reason=item[2]))
                            continue
                        reports += 1
                        key = (item.agency, str(item.year))
                        known = by_url.get(item.url) or by_key.get(key)
                        if known:
                            skipped.append(dict(listing_page=url, url=item.url, text=item.text,
                                                reason=f"already in the catalog as {known}"))
                            continue
                        refused = link_refusal(item.url, allow_private, hosts)
                        if refused:
                            skipped.append(dict(listing_page=url, url=item.url, text=item.text,
                                                reason=f"the link would be refused: {refused}"))
                            continue
                        rid = base = report_id_for(item.agency, item.year)
                        n = 2
                        while rid in ids:
                            rid, n = f"{base}-{n}", n + 1
                        row = dict(report_id=rid, agency=item.agency, year=str(item.year), url=item.url, local_file="",
                                   completeness="", note=f"found by discover: {item.text}", listing_page=url)
                        row = {k: one_line(v) for k, v in row.items()}  # as written: one line for any reader
                        added.append(row)
                        ids.add(rid)
                        by_url[item.url] = by_key[key] = rid
                    page_rows.append(dict(listing_page=url, status="read", links=len(raw_links), reports=reports,
                                          message=f"{reports} report link(s), {len(raw_links)} link(s)"))
                    queue += [p for p in next_pages(text, raw_links, where) if p not in seen and p not in queue]
        finally:
            _append_rows(catalog_path, added)  # what was found so far, even when interrupted
    columns = [*COLUMNS, LISTING_PAGE]
    return DiscoverResult(
        added=pd.DataFrame(added, columns=columns).astype("string"),
        pages=pd.DataFrame(page_rows, columns=PAGE_COLUMNS),
        skipped=pd.DataFrame(skipped, columns=SKIPPED_COLUMNS),
        catalog=catalog_path,
        offline=connection > 0 and other == 0 and not any(r["status"] == "read" for r in page_rows),
    )


def discover(urls: str | Iterable[str], catalog_path: str | Path | None = None, **options) -> pd.DataFrame:
    """Add the reports listed on listing pages to the catalog; return the rows added.

    See :func:`discover_catalog` (which also says what was skipped and which pages failed).

    Args:
        urls: Listing page URL(s).
        catalog_path: The catalog CSV (default ``data/raw/catalog.csv``).
        **options: As for :func:`discover_catalog` (``pages``, ``delay``, ``allow_private`` …).

    Returns:
        The catalog rows added (none when every listed report was already catalogued).
    """
    return discover_catalog(urls, catalog_path, **options).added
