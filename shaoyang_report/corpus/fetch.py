"""Fetch catalogued reports from the web, archive the original bytes, parse them, complete the catalog.

``shaoyang-report fetch`` (or :func:`fetch_catalog`) downloads the page of every
catalog row that has a ``url`` through the guarded client
(:mod:`~shaoyang_report.corpus.netguard`: politeness, retries, size and time limits,
public addresses only) and keeps the bytes exactly as served in the archive
(:mod:`~shaoyang_report.corpus.archive`: ``<raw>/fetched/<report_id>/<file name>`` and
a manifest). When a page links to an attachment as the report (a PDF, Word, WPS, OFD,
spreadsheet, web archive or zip: an
``<a href="….pdf">…年度报告…</a>``: :func:`~shaoyang_report.corpus.links.report_links`),
the attachment is archived too.

Then each archived file is parsed. When one holds the report's three tables
(``read_report(file).missing`` is empty) an opening-only catalog row is completed in
place: ``local_file`` points to the archived file (for a zip holding one report, to
that member: ``…/reports.zip!report.pdf``) and ``completeness`` becomes ``complete``. The page is preferred; an attachment is used when the page has no tables.
Other rows of the catalog keep their bytes; it is written atomically
(:func:`rewrite_catalog`).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shaoyang_report.atomic import write_bytes
from shaoyang_report.corpus.archive import (
    CHANGED,
    FETCHED,
    SKIPPED,
    Archive,
    Stored,
    inside,
)
from shaoyang_report.corpus.catalog import COLUMNS as CATALOG_COLUMNS
from shaoyang_report.corpus.catalog import (
    COMPLETE,
    csv_records,
    entries,
    read_catalog,
)
from shaoyang_report.corpus.download import Failure
from shaoyang_report.corpus.links import report_links
from shaoyang_report.corpus.netguard import (
    DEFAULT_BACKOFF,
    DEFAULT_DELAY,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_BYTES,
    MAX_SECONDS,
    guarded_client,
)
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.read.entry import CatalogEntry

#: Columns of :attr:`FetchResult.entries`: one row per catalog entry.
RESULT_COLUMNS = ["report_id", "url", "status", "path", "sha256", "content_type", "completeness", "message"]
#: Entry statuses: those of an archived file (fetched, skipped, changed), and failed.
FAILED = "failed"
_SAFE_ID = re.compile(r"\w[\w.\-]{0,99}")
_SECTION_ZH = {"active_disclosure": "二", "applications": "三", "review_litigation": "四"}


# --------------------------------------------------------------------------- results

@dataclass
class FetchResult:
    """What :func:`fetch_catalog` did.

    Attributes:
        entries: One row per catalog entry considered (:data:`RESULT_COLUMNS`):
            ``status`` is ``fetched`` (downloaded now), ``skipped`` (already archived,
            or no URL), ``changed`` (refreshed and the bytes differ: both files kept)
            or ``failed``; ``path`` is the archived file used as the report (relative
            to the raw folder); ``completeness`` the catalog's value after the run;
            ``message`` says what happened, and why when something failed.
        catalog: The catalog file.
        manifest: The manifest file.
        catalog_updated: report_ids whose catalog row was rewritten.
        offline: True when every failure was a connection failure (no host reached).
    """

    entries: pd.DataFrame
    catalog: Path
    manifest: Path
    catalog_updated: list[str] = field(default_factory=list)
    offline: bool = False

    @property
    def failed(self) -> pd.DataFrame:
        """The entries that could not be fetched, with why."""
        return self.entries[self.entries["status"] == FAILED].reset_index(drop=True)

    @property
    def exit_status(self) -> int:
        """0 when every entry was fetched or skipped, 1 when some failed."""
        return 1 if len(self.failed) else 0

    def counts(self) -> dict[str, int]:
        """Entries per status."""
        got = self.entries["status"].value_counts()
        return {s: int(got.get(s, 0)) for s in (FETCHED, SKIPPED, CHANGED, FAILED)}

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in self.counts().items())
        return f"<FetchResult: {len(self.entries)} entries ({counts}); {len(self.catalog_updated)} catalog rows updated>"


# --------------------------------------------------------------------------- parsing and the catalog

def _report_path(path: Path) -> tuple[Path | None, str]:
    """The report an archived file is: itself, or the one report member of a zip (``a.zip!b.pdf``); else why not."""
    from shaoyang_report.read.readers.archive_reader import SEPARATOR, archive_reports
    from shaoyang_report.read.readers.files import read_bytes
    from shaoyang_report.read.readers.sniff import sniff

    data = read_bytes(path)
    if sniff(data, path.name) != "zip":
        return path, ""
    members = archive_reports(data, path.name)
    if len(members) != 1:
        return None, (f"{path.name}: the zip holds {len(members)} reports; which one is this catalog row's is not "
                      "known" if members else f"{path.name}: the zip holds no report file")
    return Path(f"{path}{SEPARATOR}{members[0]}"), ""


def _assess(path: Path, entry: CatalogEntry) -> tuple[bool, str, Path]:
    """Whether the archived file holds the report's three tables, and if not why; the report's path."""
    from shaoyang_report.read.report import read_report

    try:
        found, why = _report_path(path)
    except ReportFormatError as exc:
        return False, str(exc), path
    if found is None:
        return False, why, path
    path = found
    try:
        report = read_report(path, catalog_entry=entry)
    except ReportFormatError as exc:
        return False, str(exc), path
    missing = report.missing
    if missing.empty:
        return True, "", path
    absent = [_SECTION_ZH.get(s, s) for s in missing.loc[missing["item"].isna(), "section"]]
    rows = missing[missing["item"].notna()]
    parts = []
    if absent:
        parts.append(f"table {', '.join(absent)} not in the text")
    if len(rows):
        parts.append(f"{len(rows)} row(s) missing ({', '.join(sorted({_SECTION_ZH.get(s, s) for s in rows.section}))})")
    return False, f"{path.name}: {'; '.join(parts)}", path


def rewrite_catalog(path: Path, updates: dict[str, dict[str, str]]) -> None:
    """Rewrite catalog rows in place, keeping every other record's bytes, atomically.

    Args:
        path: The catalog CSV.
        updates: ``{report_id: {column: new value}}``.
    """
    if not updates:
        return
    bom, records = csv_records(path)
    header = records[0][1]
    added = [c for c in CATALOG_COLUMNS if c not in header and any(c in u for u in updates.values())]
    header_full = header + added
    index = {name.lstrip("\ufeff"): i for i, name in enumerate(header_full)}
    default_end = "\r\n" if records[0][0].endswith("\r\n") else "\n"
    out: list[str] = []
    for k, (text, fields) in enumerate(records):
        rid = fields[index["report_id"]] if fields and len(fields) > index["report_id"] else None
        change = updates.get(rid) if k and rid is not None else None
        if not added and not change:
            out.append(text)
            continue
        fields = (header_full if k == 0 else fields + [""] * (len(header_full) - len(fields))) if fields else fields
        for column, value in (change or {}).items():
            fields[index[column]] = value
        end = "\r\n" if text.endswith("\r\n") else "\n" if text.endswith(("\n", "\r")) else ""
        buf = io.StringIO()
        csv.writer(buf, lineterminator=end or default_end).writerow(fields)
        out.append(buf.getvalue() if end else buf.getvalue()[: -len(default_end)])
    write_bytes(path, bom + "".join(out).encode("utf-8"))


# --------------------------------------------------------------------------- the job

def fetch_catalog(
    catalog_path: str | Path | None = None,
    raw_dir: str | Path | None = None,
    only: Iterable[str] | None = None,
    refresh: bool = False,
    delay: float = DEFAULT_DELAY,
    retries: int = DEFAULT_RETRIES,
    timeout: float = DEFAULT_TIMEOUT,
    session=None,
    progress: bool | None = None,
    *,
    backoff: float = DEFAULT_BACKOFF,
    max_bytes: int = MAX_BYTES,
    max_seconds: float = MAX_SECONDS,
    allow_private: bool = False,
    on_entry: Callable[[dict], None] | None = None,
) -> FetchResult:
    """Fetch every catalogued report page (and its report attachments), archive, parse, update the catalog.

    Args:
        catalog_path: The catalog CSV (default ``data/raw/catalog.csv``).
        raw_dir: Folder holding the archive (``<raw_dir>/fetched/``) and against which
            ``local_file`` is written; default: the catalog's folder.
        only: report_ids to fetch (default: every row with a URL). An id not in the
            catalog is a failed entry.
        refresh: Download again what is already archived; changed bytes are stored
            beside the old file and reported as ``changed``.
        delay: Seconds between two requests to the same host.
        retries: Further attempts after a 5xx/429 answer, a timeout or a connection error.
        timeout: Seconds to wait for a connection and for each read.
        session: A ``requests.Session`` to use (default: a new one). For the call, its
            ``http://`` and ``https://`` adapters are replaced by guarded ones (retrying
            with urllib3's ``Retry`` as ``retries`` and ``backoff`` say) and put back afterwards.
        progress: Show a progress bar (tqdm); ``None`` (default): only on a terminal.
        backoff: First retry wait in seconds, doubled on each further attempt.
        max_bytes: Largest download accepted (default 50 MB).
        max_seconds: Longest time one download may take, wall clock, from its first
            request to its last byte, through redirects and retries (default 600 s); a
            server that trickles its answer is cut off when it passes.
        allow_private: Also fetch from loopback, private (10/8, 172.16/12, 192.168/16,
            fc00::/7) and other non-routable addresses, e.g. a local mirror. Without it
            only public addresses are fetched; link-local (169.254/16, fe80::/10),
            multicast, reserved and unspecified addresses are refused either way. Every
            address of a host is checked, before each hop (URL, redirect, attachment)
            and again on connecting.
        on_entry: Called with each result row (a dict) as soon as the entry is done.

    Returns:
        A :class:`FetchResult` (its ``entries`` frame says what happened per entry).

    Raises:
        ReportFormatError: The catalog cannot be read.
    """
    from tqdm.auto import tqdm

    from shaoyang_report import config

    catalog_path = Path(catalog_path) if catalog_path is not None else config.RAW / "catalog.csv"
    raw = Path(raw_dir) if raw_dir is not None else catalog_path.parent
    frame = read_catalog(catalog_path)
    rows = entries(frame)
    if isinstance(only, str):
        only = [only]
    wanted = list(dict.fromkeys(only)) if only else None
    known = {e.report_id for e in rows}
    todo = [e for e in rows if wanted is None or e.report_id in wanted]
    results: list[dict] = []
    updates: dict[str, dict[str, str]] = {}
    connection_failures = other_failures = 0

    def done(row: dict) -> None:
        results.append(row)
        if on_entry is not None:
            on_entry(row)

    for rid in wanted or []:
        if rid not in known:
            other_failures += 1
            done(dict(report_id=rid, url="", status=FAILED, path="", sha256="", content_type="", completeness="",
                      message=f"{rid} is not in the catalog {catalog_path}"))
    bar = tqdm(total=len(todo), desc="fetching reports", unit="report",
               disable=(not progress) if progress is not None else None)
    with guarded_client(session, delay=delay, retries=retries, timeout=timeout, backoff=backoff,
                        max_bytes=max_bytes, max_seconds=max_seconds, allow_private=allow_private) as client:
        archive = Archive(raw, client, refresh)
        try:
            for entry in todo:
                bar.set_postfix_str(entry.report_id, refresh=False)
                row, update, connection = _fetch_entry(entry, archive, catalog_path.parent)
                if row["status"] == FAILED:
                    if connection:
                        connection_failures += 1
                    else:
                        other_failures += 1
                if update:
                    updates[entry.report_id] = update
                done(row)
                bar.update(1)
        finally:
            bar.close()
            rewrite_catalog(catalog_path, updates)  # what was learnt so far, even when interrupted
    return FetchResult(
        entries=pd.DataFrame(results, columns=RESULT_COLUMNS).astype("string"),
        catalog=catalog_path, manifest=archive.manifest.path, catalog_updated=list(updates),
        offline=connection_failures > 0 and other_failures == 0 and not any(
            r["status"] in (FETCHED, CHANGED) for r in results),
    )


def _fetch_entry(entry: CatalogEntry, archive: Archive, catalog_dir: Path) -> tuple[dict, dict, bool]:
    """One catalog entry: ``(result row, catalog update, failed for lack of a connection)``."""
    row = dict(report_id=entry.report_id, url=entry.url, status=FAILED, path="", sha256="", content_type="",
               completeness=entry.completeness, message="")
    url = (entry.url or "").strip()
    if not url:
        row.update(status=SKIPPED, message="no URL in the catalog")
        return row, {}, False
    if not _SAFE_ID.fullmatch(entry.report_id or ""):
        row["message"] = (f"refused: report_id {entry.report_id!r} cannot name an archive folder "
                          "(letters, digits, _ . - only, not starting with . or -)")
        return row, {}, False
    try:
        page = archive.get(entry.report_id, url)
    except Failure as exc:
        row["message"] = exc.message
        return row, {}, exc.connection
    stored = [page]
    notes = [page.message]
    failures: list[Failure] = []
    page_path = archive.raw / page.path
    for link in report_links(page_path.read_bytes(), page.final_url or url) if _is_page(page) else []:
        try:
            got = archive.get(entry.report_id, link, linked_from=url)
        except Failure as exc:
            failures.append(exc)
            notes.append(f"attachment {link}: {exc.message}")
            continue
        stored.append(got)
        notes.append(f"attachment: {got.message}")
    # which archived file is the report: the page if it has the tables, else an attachment
    chosen, reasons, report_path = None, [], None
    for item in stored:
        ok, why, report_path = _assess(archive.raw / item.path, entry)
        if ok:
            chosen = item
            break
        reasons.append(why)
    status = (FAILED if failures else CHANGED if any(s.status == CHANGED for s in stored)
              else FETCHED if any(s.status == FETCHED for s in stored) else SKIPPED)
    shown = chosen or page
    row.update(status=status, path=shown.path, sha256=shown.sha256, content_type=shown.content_type)
    update: dict[str, str] = {}
    if chosen is not None:
        local = Path(os.path.relpath(report_path or archive.raw / chosen.path, catalog_dir)).as_posix()
        curated = (entry.completeness == COMPLETE and bool(entry.local_file)
                   and not inside(catalog_dir / entry.local_file, archive.root))
        if curated:
            notes.append(f"catalog keeps its curated local_file {entry.local_file} (already complete)")
        elif entry.local_file != local or entry.completeness != COMPLETE:
            update = {"local_file": local, "completeness": COMPLETE}
            row["completeness"] = COMPLETE
            notes.append(f"catalog: local_file → {local}, completeness → {COMPLETE}"
                         + (f" (was {entry.completeness or 'empty'})" if entry.completeness != COMPLETE else ""))
    else:
        notes.append(f"catalog unchanged ({entry.completeness or 'no completeness'}, local_file "
                     f"{entry.local_file or 'none'}): no archived file holds the three tables — " + "; ".join(reasons))
    row["message"] = "; ".join(notes)
    return row, update, bool(failures) and all(f.connection for f in failures)


def _is_page(stored: Stored) -> bool:
    kind = stored.content_type.split(";")[0].strip().lower()
    return kind in ("text/html", "application/xhtml+xml") or stored.path.lower().endswith((".html", ".htm", ".shtml"))
