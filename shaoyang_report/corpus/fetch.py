"""Fetch catalogued reports from the web, archive the original bytes, parse them.

``shaoyang-report fetch`` (or :func:`fetch_catalog`) downloads the page of every
catalog row that has a ``url`` and keeps the bytes exactly as served under
``<raw>/fetched/<report_id>/<file name>``. A manifest (``<raw>/fetched/manifest.csv``,
columns :data:`MANIFEST_COLUMNS`) records for every archived file the URL asked for,
the URL finally served (after redirects), when (UTC), the HTTP status, content type,
size and SHA-256. When a page links to a PDF or Word attachment as the report (an
``<a href="….pdf">…年度报告…</a>``), the attachment is archived too.

Then each archived file is parsed. When one holds the report's three tables
(``read_report(file).missing`` is empty) an opening-only catalog row is completed in
place: ``local_file`` points to the archived file and ``completeness`` becomes
``complete``. The page is preferred; an attachment is used when the page has no tables.
Other rows of the catalog keep their bytes; it is written atomically.

What is archived is kept: a file already archived is not fetched again unless
``refresh`` is set, and a refreshed file whose bytes changed is stored beside the old
one (never over it), its manifest row naming the file it ``replaces``.

Politeness and hostile input: a clear User-Agent (:func:`user_agent`); a delay between
requests to the same host; retries with exponential backoff on 5xx/429, timeouts and
connection errors, honouring ``Retry-After`` (urllib3's ``Retry``, mounted on the
guarded adapter: :func:`_retry`); at most :data:`MAX_REDIRECTS`
redirects; only ``http``/``https`` URLs, also as redirect targets; downloads above
``max_bytes`` (50 MB) are refused; file names come from the URL or
``Content-Disposition`` and are sanitised (:func:`safe_filename`), and nothing is
written outside the archive folder.

One download (a URL, its redirects and retries) may take at most ``max_seconds``
(:data:`MAX_SECONDS`, 10 minutes) of wall-clock time: when it passes, the download's
sockets are shut down, so a server that sends a byte now and then (in its headers, its
TLS handshake or its body) is cut off on time, and the failure names the URL and the
limit. A server that trickles is not asked again.

Addresses: only public addresses are fetched. The host of the URL, of every redirect
target and of every attachment link is resolved and *every* address it resolves to is
checked before the request; the transport resolves once more when it connects, connects
only to an address it has just checked, and checks the address it is connected to (so a
DNS answer that changes in between, "DNS rebinding", is caught). ``allow_private`` (CLI
``--allow-private``) lets loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7) and
other non-routable unicast addresses through, for a local mirror; link-local
(169.254/16 — cloud metadata services — and fe80::/10), multicast, reserved and
unspecified (0.0.0.0, ::) addresses are refused always. IPv4 addresses in IPv6 form
(``::ffff:127.0.0.1``, NAT64, 6to4) are judged by the IPv4 address inside. Through a
proxy, the proxy connects: then only the check before each hop applies.

A server whose answer is not usable HTTP (more than 100 headers, a header line over
64 KB, no status line) is reported as such, not retried, and never taken for the
machine being offline.

Example:
    >>> safe_filename("../../etc/passwd"), safe_filename("2020年报告.PDF")
    ('passwd', '2020年报告.PDF')
    >>> page = '<p><a href="/files/a.pdf">2021年政府信息公开工作年度报告</a> <a href="/css/x.pdf">样式</a></p>'
    >>> report_links(page.encode("utf-8"), "https://example.gov.cn/n/p.shtml")
    ['https://example.gov.cn/files/a.pdf']
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import http.client
import io
import ipaddress
import os
import re
import socket
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import pandas as pd

from shaoyang_report.atomic import write_bytes
from shaoyang_report.corpus.catalog import COLUMNS as CATALOG_COLUMNS
from shaoyang_report.corpus.catalog import (
    COMPLETE,
    csv_records,
    entries,
    read_catalog,
)
from shaoyang_report.config import VERSION
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.read.entry import CatalogEntry

#: Folder (inside the raw folder) that holds what was fetched.
ARCHIVE = "fetched"
#: Columns of ``fetched/manifest.csv``: one row per archived file.
MANIFEST_COLUMNS = ["report_id", "url", "final_url", "fetched_at", "http_status", "content_type", "bytes",
                    "sha256", "path", "replaces", "linked_from", "last_modified"]
#: Columns of :attr:`FetchResult.entries`: one row per catalog entry.
RESULT_COLUMNS = ["report_id", "url", "status", "path", "sha256", "content_type", "completeness", "message"]
#: Entry statuses.
FETCHED, SKIPPED, CHANGED, FAILED = "fetched", "skipped", "changed", "failed"

MAX_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 5
#: A single download may take at most this long, wall clock: from the first request for
#: a URL to its last byte, through redirects, retries and waits, however slowly the
#: server sends (the ``max_seconds`` option).
MAX_SECONDS = 600.0
DEFAULT_DELAY = 1.0
DEFAULT_RETRIES = 3
DEFAULT_TIMEOUT = 30.0
DEFAULT_BACKOFF = 1.0
_MAX_WAIT = 60.0  # longest single backoff / Retry-After wait honoured
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc")
_REPORT_WORDS = ("年度报告", "年报", "政府信息公开")
_MAX_ATTACHMENTS = 5
_SAFE_ID = re.compile(r"\w[\w.\-]{0,99}")
_UNSAFE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
_EXTENSIONS = {"text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt", "application/pdf": ".pdf",
               "application/msword": ".doc",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}
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


class _Failure(Exception):
    """One download failed; ``connection`` when no response came (offline, refused, DNS)."""

    def __init__(self, message: str, connection: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.connection = connection


@dataclass
class _Download:
    url: str
    final_url: str
    http_status: int
    content_type: str
    disposition: str
    last_modified: str
    data: bytes
    attempts: int
    notes: list[str]


# --------------------------------------------------------------------------- HTTP

def user_agent() -> str:
    """The User-Agent sent with every request: ``shaoyang-report/<version> (+research; contact in README)``."""
    return f"shaoyang-report/{VERSION} (+research; contact in README)"


def _check_scheme(url: str, what: str = "URL") -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _Failure(f"refused {what} {url!r}: only http:// and https:// URLs with a host are fetched")


def _describe_connection_error(exc: Exception, url: str) -> str:
    host = urlsplit(url).netloc
    text = str(exc)
    if re.search(r"NameResolution|Name or service not known|nodename nor servname|name resolution|getaddrinfo", text):
        return f"cannot resolve host {host} (no DNS answer: is this machine offline?)"
    if "Connection refused" in text or "ConnectionRefused" in text:
        return f"connection refused by {host}"
    if "Network is unreachable" in text or "No route to host" in text:
        return f"network unreachable for {host} (is this machine offline?)"
    if re.search(r"RemoteDisconnected|Connection aborted|reset by peer|IncompleteRead|ProtocolError", text):
        return f"{host} closed the connection before the whole response was sent"
    if "timed out" in text or "Timeout" in text:
        return f"timed out talking to {host}"
    if re.search(r"SSL|CERTIFICATE", text):
        return f"TLS/SSL error with {host}: {text.splitlines()[-1][:200]}"
    return f"cannot connect to {host}: {text.splitlines()[-1][:200] if text else type(exc).__name__}"


def _sleep(seconds: float) -> None:
    """Wait (the one place the fetcher waits: politeness delays and backoff)."""
    time.sleep(seconds)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"


# --------------------------------------------------------------------------- addresses and deadlines

_PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_ALLOW_HINT = ("pass allow_private=True (shaoyang-report fetch --allow-private) to fetch from private and "
               "loopback addresses, e.g. a local mirror")


def _address_kind(ip: str) -> tuple[str | None, bool]:
    """What kind of non-public address ``ip`` is: ``(description or None when public, allowable)``.

    ``allowable`` kinds (loopback, private, other non-routable unicast) may be let through
    for a local mirror; the others (unspecified, link-local, multicast, reserved) never.
    An IPv4 address written in IPv6 form (``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``,
    6to4 ``2002::/16``) is judged by the IPv4 address inside it.
    """
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return f"not an IP address ({ip!r})", False
    if addr.version == 6:
        inner = addr.ipv4_mapped or (ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF) if addr in _NAT64 else None)
        if inner is None and addr.sixtofour is not None:
            kind, allowable = _address_kind(str(addr.sixtofour))
            if kind is not None:
                return f"{kind}, inside the 6to4 address {ip}", allowable
        if inner is not None:
            kind, allowable = _address_kind(str(inner))
            return (f"{kind}, written as {ip}" if kind else None), allowable
    if addr.is_unspecified:
        return "the unspecified address (0.0.0.0 or ::, which reaches this machine)", False
    if addr.is_loopback:
        return "a loopback address (127.0.0.0/8 or ::1, this machine)", True
    if addr.is_link_local:
        return "a link-local address (169.254.0.0/16 or fe80::/10, e.g. a cloud metadata service)", False
    if addr.is_multicast:
        return "a multicast address (224.0.0.0/4, ff00::/8)", False
    if addr.is_reserved:
        return "a reserved address (e.g. 240.0.0.0/4, 255.255.255.255, ::/8)", False
    if any(addr in net for net in _PRIVATE_NETWORKS if net.version == addr.version):
        return "a private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7)", True
    if not addr.is_global:
        return "a special-purpose address that is not publicly routable (e.g. 100.64.0.0/10, 198.18.0.0/15)", True
    return None, True


def _address_problem(ip: str, allow_private: bool = False) -> str | None:
    """Why connecting to ``ip`` is refused, or None when it is allowed.

    Example:
        >>> _address_problem("93.184.216.34") is None, _address_problem("10.1.2.3", allow_private=True) is None
        (True, True)
        >>> _address_problem("169.254.169.254", allow_private=True).split(" (")[0]
        'a link-local address'
    """
    kind, allowable = _address_kind(ip)
    if kind is None or (allowable and allow_private):
        return None
    return f"{kind}; {_ALLOW_HINT}" if allowable else f"{kind}, never fetched"


class _AddressRefused(Exception):
    """A connection refused by the address guard (raised inside the transport, not retried)."""


def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IP literals stand for themselves), in resolver order."""
    from urllib3.util.connection import allowed_gai_family

    infos = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _check_address(url: str, what: str, allow_private: bool) -> None:
    """Refuse a URL whose host resolves to any address the guard refuses (checked before each hop).

    A host that cannot be resolved here is let through: the connection then fails with
    the resolver's own message (or, through a proxy, the proxy resolves it).

    Raises:
        _Failure: Some address of the host is refused.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return  # a bad port: requests says so
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError):
        return
    for ip in addresses:
        problem = _address_problem(ip, allow_private)
        if problem:
            said = f"{host} is" if ip == host else f"{host} resolves to {ip},"
            raise _Failure(f"refused {what} {url}: {said} {problem}")


def _refusal_at_connect(host: str, ip: str, problem: str, when: str) -> _AddressRefused:
    if host.strip("[]") == ip:
        return _AddressRefused(f"{host} is {problem} (checked on connecting)")
    return _AddressRefused(f"{host} {when} {ip}, {problem}")


class _Deadline:
    """The wall-clock limit of one download, enforced by shutting its sockets down when it passes.

    While a deadline is active (``with deadline:``) in a thread, every socket the guarded
    transport opens or reuses for that thread is watched; when the time is up, a timer
    shuts them down, so a read blocked on a server that sends one byte now and then
    returns at once (headers, TLS handshake and body alike).
    """

    _local = threading.local()

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._end = 0.0
        self._lock = threading.Lock()
        self._watched: list[socket.socket] = []
        self._timer: threading.Timer | None = None
        self._outer: _Deadline | None = None

    def __enter__(self) -> _Deadline:
        self._end = time.monotonic() + self.seconds
        self._timer = threading.Timer(max(0.0, self.seconds), self._expire)
        self._timer.daemon = True
        self._timer.start()
        self._outer = getattr(self._local, "current", None)
        self._local.current = self
        return self

    def __exit__(self, *exc) -> None:
        self._local.current = self._outer
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            watched, self._watched = self._watched, []
        for sock in watched:
            sock.close()

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            watched = list(self._watched)
        for sock in watched:
            _shutdown(sock)

    @classmethod
    def watch(cls, sock) -> None:
        """Watch ``sock`` for the deadline active in this thread (if any)."""
        deadline = getattr(cls._local, "current", None)
        if deadline is None or sock is None:
            return
        try:  # a duplicate of the descriptor: it outlives urllib3's wrapping the socket in TLS
            dup = socket.socket(sock.family, sock.type, sock.proto, fileno=socket.dup(sock.fileno()))
        except (OSError, ValueError):
            return
        with deadline._lock:
            deadline._watched.append(dup)
            expired = deadline.expired
        if expired:
            _shutdown(dup)

    def check(self, url: str) -> None:
        """Raise the deadline's failure once the time is up.

        Raises:
            _Failure: The download took longer than the limit.
        """
        if self.expired or self.remaining() <= 0:
            self.expired = True
            raise _Failure(f"gave up on {url}: the download took longer than the {self.seconds:g} s limit for one "
                           "download (the server sends too slowly or stalls; raise max_seconds / --max-seconds "
                           "to allow more)")


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


_TRANSPORT: dict[str, type] = {}


def _guarded_adapter(allow_private: bool, **adapter_args):
    """A ``requests`` HTTP adapter whose connections are checked by the address guard and the deadline.

    Each new connection resolves its host once, refuses it if any address is refused,
    connects to a checked address, and checks the address actually connected to (so a
    DNS answer that changes between the check and the connection cannot slip through).
    Every socket is watched by the active :class:`_Deadline`. Connections through a
    proxy are the proxy's (the target was checked before the request).

    Args:
        allow_private: Let private and loopback addresses through.
        **adapter_args: For ``requests.adapters.HTTPAdapter`` (e.g. ``max_retries``).
    """
    if not _TRANSPORT:
        from requests.adapters import HTTPAdapter
        from urllib3.connection import HTTPConnection, HTTPSConnection
        from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
        from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

        try:
            from urllib3.exceptions import NameResolutionError
        except ImportError:  # urllib3 < 2
            NameResolutionError = None  # noqa: N806

        class Guarded:
            allow_private = False

            def _new_conn(self):
                host = self._dns_host
                try:
                    addresses = _resolve(host, self.port)
                except socket.gaierror as exc:
                    if NameResolutionError is not None:
                        raise NameResolutionError(self.host, self, exc) from exc
                    raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc
                for ip in addresses:
                    problem = _address_problem(ip, self.allow_private)
                    if problem:
                        raise _refusal_at_connect(self.host, ip, problem, "resolved, when connecting, to")
                error: Exception = NewConnectionError(self, f"Failed to establish a new connection: no address "
                                                            f"for {host}")
                for ip in addresses:
                    self._dns_host = ip  # connect to the address just checked, nothing else
                    try:
                        sock = super()._new_conn()
                    except (NewConnectionError, ConnectTimeoutError) as exc:
                        error = exc
                        continue
                    finally:
                        self._dns_host = host
                    try:
                        peer = str(sock.getpeername()[0])
                    except OSError as exc:
                        sock.close()
                        error = NewConnectionError(self, f"Failed to establish a new connection: {exc}")
                        continue
                    problem = _address_problem(peer, self.allow_private)
                    if problem:
                        sock.close()
                        raise _refusal_at_connect(self.host, peer, problem, "connected to")
                    _Deadline.watch(sock)
                    return sock
                raise error

            def request(self, *args, **kwargs):
                _Deadline.watch(self.sock)  # a reused connection
                return super().request(*args, **kwargs)

            def getresponse(self, *args, **kwargs):
                _Deadline.watch(self.sock)
                return super().getresponse(*args, **kwargs)

        for allowed in (False, True):
            conn = type("GuardedHTTPConnection", (Guarded, HTTPConnection), {"allow_private": allowed})
            sconn = type("GuardedHTTPSConnection", (Guarded, HTTPSConnection), {"allow_private": allowed})
            _TRANSPORT[f"http{allowed}"] = type("GuardedHTTPConnectionPool", (HTTPConnectionPool,),
                                                {"ConnectionCls": conn})
            _TRANSPORT[f"https{allowed}"] = type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,),
                                                 {"ConnectionCls": sconn})

        class GuardedAdapter(HTTPAdapter):
            pools: dict[str, type] = {}

            def init_poolmanager(self, *args, **kwargs):
                super().init_poolmanager(*args, **kwargs)
                self.poolmanager.pool_classes_by_scheme = dict(self.pools)

        _TRANSPORT["adapter"] = GuardedAdapter
    adapter = _TRANSPORT["adapter"]
    pools = {"http": _TRANSPORT[f"http{bool(allow_private)}"], "https": _TRANSPORT[f"https{bool(allow_private)}"]}
    guarded = type("GuardedAdapter", (adapter,), {"pools": pools})
    return guarded(**adapter_args)


_RETRY: list = []


def _retry():
    """The urllib3 ``Retry`` the guarded adapters use (one object, its state per download).

    urllib3 decides what is retried — the statuses of :data:`_RETRY_STATUSES`, timeouts,
    lost and refused connections, for GET — and reads ``Retry-After`` (seconds or an HTTP
    date; after 429 and 503 answers). What it asks of the download in progress (the
    :class:`_Client` running in this thread) keeps the fetcher's rules: at most
    ``retries`` further attempts per URL (a body that breaks off counts too); a wait of
    ``backoff``, then twice as long each time (1 s, 2 s, 4 s by default), or the
    server's ``Retry-After`` when longer, at most 60 s; the per-host delay; and the
    wall-clock limit of one download. An answer that is not usable HTTP (too many or
    too long headers, no status line) is not retried. Outside a download (a plain
    request through a guarded session) nothing is retried.
    """
    if not _RETRY:
        from urllib3.exceptions import InvalidHeader
        from urllib3.util.retry import Retry

        class FetchRetry(Retry):
            RETRY_AFTER_STATUS_CODES = frozenset({429, 503})

            def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
                if error is not None and _malformed_response(error):
                    raise error  # the server answered with something that is not HTTP: not retried
                client = _Client.current()
                if client is not None:
                    client._failed_attempt(response, error)
                return super().increment(method, url, response, error, _pool, _stacktrace)

            def is_exhausted(self) -> bool:
                client = _Client.current()
                return client is None or client._exhausted()

            def get_backoff_time(self) -> float:
                client = _Client.current()
                return client._backoff() if client is not None else 0.0

            def sleep(self, response=None) -> None:
                retry_after = None
                if response is not None and self.respect_retry_after_header:
                    try:
                        retry_after = self.get_retry_after(response)
                    except InvalidHeader:  # neither seconds nor an HTTP date: the backoff applies
                        retry_after = None
                client = _Client.current()
                if client is not None:
                    client._pause(max(self.get_backoff_time(), retry_after or 0.0))

        _RETRY.append(FetchRetry(total=None, status_forcelist=_RETRY_STATUSES, raise_on_status=False,
                                 respect_retry_after_header=True, backoff_max=_MAX_WAIT))
    return _RETRY[0]


def _malformed_response(exc: BaseException) -> str | None:
    """Why ``http.client`` could not parse a response (too many or too long headers …), when that is the cause."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        err = todo.pop()
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, http.client.HTTPException) and not isinstance(
                err, (http.client.RemoteDisconnected, http.client.IncompleteRead)):
            text = str(err)
            if isinstance(err, http.client.LineTooLong):
                return f"the server sent a line too long to be HTTP ({text})"
            if "headers" in text:
                return f"the server sent too many response headers ({text})"
            if isinstance(err, http.client.BadStatusLine):
                return f"the server's answer does not start with an HTTP status line (got {text[:80]!r})"
            if isinstance(err, http.client.UnknownProtocol):
                return f"the server answered in an unknown protocol ({text[:80]})"
            return f"the server sent a malformed HTTP response ({type(err).__name__}: {text[:120]})"
        linked = [*getattr(err, "args", ()), getattr(err, "reason", None), err.__cause__, err.__context__]
        todo += [e for e in linked if isinstance(e, BaseException)]
    return None


class _Client:
    """Polite GETs: per-host delay, retries with backoff, manual redirects, size cap, deadline, address guard.

    The retries are urllib3's (:func:`_retry`, on the adapters :func:`_guard_session`
    mounts); while :meth:`get` runs, the client is the download they consult
    (:meth:`current`), and it keeps the attempts made at the URL.
    """

    _local = threading.local()

    def __init__(self, session, *, delay: float, retries: int, timeout: float, backoff: float,
                 max_bytes: int, max_seconds: float = MAX_SECONDS, allow_private: bool = False) -> None:
        self.session = session
        self.delay = max(0.0, delay)
        self.retries = max(0, retries)
        self.timeout = timeout
        self.backoff = max(0.0, backoff)
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds
        self.allow_private = allow_private
        self._last: dict[str, float] = {}
        self._url, self._deadline = "", None
        self._tries: list[tuple[str, bool]] = []  # per failed attempt: (why, no connection at all)
        self.headers = {
            "User-Agent": user_agent(),
            "Accept": "text/html,application/xhtml+xml,application/pdf,application/msword,"
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.9,*/*;q=0.5",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
        }

    def _wait_for_host(self, url: str) -> None:
        host = (urlsplit(url).netloc or "").lower()
        last = self._last.get(host)
        if last is not None:
            wait = last + self.delay - time.monotonic()
            if wait > 0:
                _sleep(wait)

    def _done_with_host(self, url: str) -> None:
        self._last[(urlsplit(url).netloc or "").lower()] = time.monotonic()

    def get(self, url: str) -> _Download:
        """GET a URL following at most :data:`MAX_REDIRECTS` http(s) redirects, all within ``max_seconds``.

        Every hop (the URL and each redirect target) is checked by the address guard
        before it is requested, and again by the transport when it connects.

        Raises:
            _Failure: Refused, not found, too large, too slow, or still failing after the retries.
        """
        _check_scheme(url)
        with _Deadline(self.max_seconds) as deadline:
            _check_address(url, "URL", self.allow_private)
            current, attempts, notes = url, 0, []
            for _ in range(MAX_REDIRECTS + 1):
                response, data, tries, tried = self._get_one(current, deadline)
                attempts += tries
                notes += tried
                if data is None:  # a redirect
                    location = response.headers.get("Location", "").strip()
                    if not location:
                        raise _Failure(f"HTTP {response.status_code} redirect without a Location (at {current})")
                    target = urljoin(current, location)
                    what = f"redirect (HTTP {response.status_code} from {current}) to"
                    _check_scheme(target, what)
                    _check_address(target, what, self.allow_private)
                    current = target
                    continue
                headers = response.headers
                return _Download(url=url, final_url=current, http_status=response.status_code,
                                 content_type=headers.get("Content-Type", ""),
                                 disposition=headers.get("Content-Disposition", ""),
                                 last_modified=headers.get("Last-Modified", ""), data=data, attempts=attempts,
                                 notes=notes)
            raise _Failure(f"more than {MAX_REDIRECTS} redirects (last to {current})")

    @classmethod
    def current(cls) -> _Client | None:
        """The client whose download runs in this thread (None outside :meth:`get`)."""
        return getattr(cls._local, "current", None)

    def _failed_attempt(self, response, error) -> None:
        """Note a failed attempt (urllib3's ``Retry.increment`` calls this before retrying)."""
        from urllib3.exceptions import NewConnectionError
        from urllib3.exceptions import TimeoutError as Urllib3Timeout

        self._done_with_host(self._url)
        if self._deadline is not None:
            self._deadline.check(self._url)  # the deadline cut the attempt short
        if error is None:
            self._tries.append((f"HTTP {response.status} {response.reason or ''}".strip(), False))
        elif isinstance(error, Urllib3Timeout) and not isinstance(error, NewConnectionError):
            self._tries.append((f"timed out after {self.timeout:g} s waiting for {urlsplit(self._url).netloc}", False))
        else:
            self._tries.append((_describe_connection_error(error, self._url), True))

    def _exhausted(self) -> bool:
        return len(self._tries) > self.retries

    def _backoff(self) -> float:
        """The wait before the next attempt: ``backoff``, doubled after each further failure."""
        n = len(self._tries)
        return min(_MAX_WAIT, self.backoff * 2 ** (n - 1)) if n else 0.0

    def _pause(self, seconds: float) -> None:
        """Wait before the next attempt (and the per-host delay), unless that passes the deadline."""
        pause = min(_MAX_WAIT, seconds)
        if pause > 0:
            if self._deadline is not None and pause >= self._deadline.remaining():
                (last, connection), n = self._tries[-1], len(self._tries)
                raise _Failure(f"{last} (gave up after {n} attempt{'s' if n > 1 else ''}: waiting {pause:g} s more "
                               f"would pass the {self.max_seconds:g} s limit for one download)", connection=connection)
            _sleep(pause)
        self._wait_for_host(self._url)
        if self._deadline is not None:
            self._deadline.check(self._url)

    def _gave_up(self) -> _Failure:
        (last, connection), n = self._tries[-1], len(self._tries)
        return _Failure(f"{last} (gave up after {n} attempt{'s' if n > 1 else ''})", connection=connection)

    def _get_one(self, url: str, deadline: _Deadline):
        """One URL, no redirects followed: ``(response, bytes or None for a redirect, attempts, retry notes)``."""
        outer = (self.current(), self._url, self._deadline, self._tries)
        self._local.current, self._url, self._deadline, self._tries = self, url, deadline, []
        try:
            return self._attempts(url, deadline)
        finally:
            self._local.current, self._url, self._deadline, self._tries = outer

    def _attempts(self, url: str, deadline: _Deadline):
        import requests

        while True:
            self._wait_for_host(url)
            deadline.check(url)
            try:  # urllib3 retries inside (see _retry); what comes out is the last attempt's outcome
                response = self.session.get(url, headers=self.headers, timeout=(self.timeout, self.timeout),
                                            allow_redirects=False, stream=True)
            except _AddressRefused as exc:
                raise _Failure(f"refused {url}: {exc}") from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                deadline.check(url)
                malformed = _malformed_response(exc)
                if malformed:  # a server answered, with something that is not usable HTTP: not retried
                    raise _Failure(f"{malformed} for {url}") from None
                if not self._tries:  # a session without the guarded adapter: nothing was retried
                    timeout = isinstance(exc, requests.Timeout)
                    self._tries.append((f"timed out after {self.timeout:g} s waiting for {urlsplit(url).netloc}"
                                        if timeout else _describe_connection_error(exc, url), not timeout))
                raise self._gave_up() from None
            except requests.RequestException as exc:  # invalid URL …
                deadline.check(url)
                raise _Failure(f"cannot request {url}: {exc}") from None
            finally:
                self._done_with_host(url)
            with response:
                status = response.status_code
                if status in _RETRY_STATUSES:  # still failing after the retries
                    if not self._tries:
                        self._tries.append((f"HTTP {status} {response.reason or ''}".strip(), False))
                    raise self._gave_up()
                attempts, notes = len(self._tries) + 1, [why for why, _ in self._tries]
                if status in _REDIRECT_STATUSES:
                    return response, None, attempts, notes
                if status >= 400:
                    raise _Failure(f"HTTP {status} {response.reason or ''}".strip() + f" for {url}")
                try:
                    data = self._read(response, url, deadline)
                except (requests.ConnectionError, requests.Timeout,
                        requests.exceptions.ChunkedEncodingError) as exc:  # the body broke off: try again
                    deadline.check(url)
                    self._tries.append((_describe_connection_error(exc, url), False))
                    if self._exhausted():
                        raise self._gave_up() from None
                    self._pause(self._backoff())
                    continue
                finally:
                    self._done_with_host(url)
                deadline.check(url)  # a body without Content-Length ends early when its socket is shut down
                return response, data, attempts, notes

    def _read(self, response, url: str, deadline: _Deadline) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise _Failure(f"refused {url}: the server announces {_mb(int(declared))}, "
                           f"more than the {_mb(self.max_bytes)} cap")
        buf = bytearray()
        for chunk in response.iter_content(chunk_size=1 << 16):
            buf += chunk
            if len(buf) > self.max_bytes:
                raise _Failure(f"refused {url}: more than the {_mb(self.max_bytes)} cap (download stopped)")
            deadline.check(url)
        return bytes(buf)


# --------------------------------------------------------------------------- names and links

def safe_filename(name: str, content_type: str = "") -> str:
    """A file name safe to write inside the archive: no folders, no traversal, no odd characters.

    Keeps only the last path component, drops control and reserved characters,
    leading dots and spaces, shortens very long names (keeping the extension), and adds
    an extension from ``content_type`` when the name has none.

    Example:
        >>> safe_filename("..\\\\..\\\\win.ini"), safe_filename("/etc/passwd"), safe_filename("..")
        ('win.ini', 'passwd', 'download')
        >>> safe_filename("", "text/html; charset=utf-8"), safe_filename("con.txt")
        ('download.html', '_con.txt')
    """
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = re.sub(r"\s+", " ", _UNSAFE_CHARS.sub("_", name)).strip().lstrip(".").strip()
    if not name or set(name) <= {".", "_", " "}:
        name = "download"
    stem, suffix = os.path.splitext(name)
    if suffix and not re.fullmatch(r"\.\w{1,10}", suffix):
        stem, suffix = name, ""
    if stem.lower() in _RESERVED:
        stem = f"_{stem}"
    while len((stem + suffix).encode("utf-8")) > 150:
        stem = stem[:-1]
    if not suffix:
        suffix = _EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "")
    return stem + suffix


def _disposition_filename(header: str) -> str:
    if not header:
        return ""
    msg = Message()
    msg["content-disposition"] = header
    name = msg.get_filename() or ""
    try:  # raw UTF-8 (or GBK) bytes that http.client decoded as Latin-1
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def _filename_for(download: _Download) -> str:
    name = _disposition_filename(download.disposition)
    if not name:
        name = unquote(PurePosixPath(urlsplit(download.final_url).path).name)
    return safe_filename(name, download.content_type)


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base = ""
        self.links: list[list[str]] = []  # [href, title, text]
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): v or "" for k, v in attrs}
        if tag == "base" and attrs.get("href") and not self.base:
            self.base = attrs["href"]
        elif tag == "a":
            self._open = [attrs.get("href", ""), attrs.get("title", ""), ""]
            self.links.append(self._open)

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data


def page_links(page: bytes, page_url: str) -> tuple[str, list[tuple[str, str, str]]]:
    """A page's text and its http(s) links as ``(absolute URL without fragment, title attribute, link text)``.

    Args:
        page: The page's bytes (any encoding the HTML reader decodes).
        page_url: The URL the page was served from (relative links and ``<base>`` are resolved against it).
    """
    try:
        from shaoyang_report.read.readers.html_reader import decode_html

        text = decode_html(page, page_url)
    except Exception:  # noqa: BLE001 - undecodable: look for links in what can be read
        text = page.decode("utf-8", "replace")
    parser = _LinkParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is tolerant; be sure anyway
        pass
    base = urljoin(page_url, parser.base) if parser.base else page_url
    out = []
    for href, title, label in parser.links:
        href = href.strip()
        if not href or href.startswith("#"):
            continue
        url = urljoin(base, href).split("#")[0]
        if urlsplit(url).scheme.lower() in ("http", "https"):
            out.append((url, title.strip(), " ".join(label.split())))
    return text, out


def report_links(page: bytes, page_url: str) -> list[str]:
    """URLs of PDF/Word attachments a page links to as the report.

    A link counts when it points to a ``.pdf``, ``.docx`` or ``.doc`` file over http(s)
    and its text, title or file name says 年度报告, 年报 or 政府信息公开.

    Args:
        page: The page's bytes (any encoding the HTML reader decodes).
        page_url: The URL the page was served from (relative links are resolved against it).
    """
    out: list[str] = []
    for url, title, label in page_links(page, page_url)[1]:
        name = unquote(PurePosixPath(urlsplit(url).path).name)
        if not name.lower().endswith(_ATTACHMENT_SUFFIXES):
            continue
        said = f"{label} {title} {name}"
        if any(w in said for w in _REPORT_WORDS) and url not in out:
            out.append(url)
    return out[:_MAX_ATTACHMENTS]


# --------------------------------------------------------------------------- archive

def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _temp_beside(path: Path, data: bytes) -> str:
    """Write ``data`` to a synced temporary file in ``path``'s folder; return its name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``; never replaces an existing file."""
    tmp = _temp_beside(path, data)
    try:
        try:
            os.link(tmp, path)  # fails if path exists: no silent overwrite, even in a race
        except FileExistsError:
            raise
        except OSError:  # file systems without hard links
            if path.exists():
                raise FileExistsError(path) from None
            os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


class _Manifest:
    """``fetched/manifest.csv``: one row per archived file, appended to and saved atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict[str, str]] = []
        if path.exists():
            with open(path, newline="", encoding="utf-8-sig") as fh:
                self.rows = [{c: (row.get(c) or "") for c in MANIFEST_COLUMNS} for row in csv.DictReader(fh)]

    def latest(self, report_id: str, url: str, root: Path) -> dict[str, str] | None:
        """The newest row for this report and URL whose file is still in the archive."""
        for row in reversed(self.rows):
            if row["report_id"] == report_id and row["url"] == url and row["path"]:
                path = root / row["path"]
                if _inside(path, root) and path.is_file():
                    return row
        return None

    def append(self, row: dict[str, str]) -> None:
        self.rows.append({c: str(row.get(c, "")) for c in MANIFEST_COLUMNS})
        self.save()

    def save(self) -> None:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(self.path, out.getvalue().encode("utf-8"))


def read_manifest(raw_dir: str | Path | None = None) -> pd.DataFrame:
    """The manifest of archived files (:data:`MANIFEST_COLUMNS`), empty when nothing was fetched.

    Args:
        raw_dir: The raw folder (default :data:`shaoyang_report.config.RAW`).
    """
    from shaoyang_report import config

    path = Path(raw_dir if raw_dir is not None else config.RAW) / ARCHIVE / "manifest.csv"
    if not path.exists():
        return pd.DataFrame({c: pd.array([], dtype="string") for c in MANIFEST_COLUMNS})
    return pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig")


@dataclass
class _Stored:
    status: str  # fetched / skipped / changed
    path: str  # relative to the raw folder
    sha256: str
    content_type: str
    final_url: str
    message: str


class _Archive:
    def __init__(self, raw_dir: Path, client: _Client, refresh: bool) -> None:
        self.raw = raw_dir
        self.root = raw_dir / ARCHIVE
        self.manifest = _Manifest(self.root / "manifest.csv")
        self.client = client
        self.refresh = refresh

    def rel(self, path: Path) -> str:
        return path.resolve().relative_to(self.raw.resolve()).as_posix()

    def get(self, report_id: str, url: str, linked_from: str = "") -> _Stored:
        """Archive one URL for a report (or reuse what is archived).

        Raises:
            _Failure: The download failed or was refused.
        """
        latest = self.manifest.latest(report_id, url, self.raw)
        if latest and not self.refresh:
            message = f"already archived {latest['fetched_at']}"
            if _file_sha256(self.raw / latest["path"]) != latest["sha256"]:
                message += (f"; WARNING: {latest['path']} no longer has the SHA-256 the manifest records "
                            "(edited since?); fetch with --refresh to archive the served file beside it")
            return _Stored(SKIPPED, latest["path"], latest["sha256"], latest["content_type"], latest["final_url"],
                           message)
        download = self.client.get(url)
        sha = _sha256(download.data)
        retried = (f" after {len(download.notes) + 1} attempts ({'; '.join(download.notes)})"
                   if download.notes else "")
        if latest and latest["sha256"] == sha:
            return _Stored(FETCHED, latest["path"], sha, download.content_type, download.final_url,
                           f"refreshed{retried}: unchanged since {latest['fetched_at']}")
        folder = self.root / report_id
        folder.mkdir(parents=True, exist_ok=True)
        if not _inside(folder, self.root):
            raise _Failure(f"refused: {folder} is outside the archive {self.root}")
        path, collided = self._store(folder, _filename_for(download), download.data, sha)
        replaces = latest["path"] if latest else collided
        self.manifest.append({
            "report_id": report_id, "url": url, "final_url": download.final_url,
            "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "http_status": download.http_status, "content_type": download.content_type,
            "bytes": len(download.data), "sha256": sha, "path": self.rel(path), "replaces": replaces,
            "linked_from": linked_from, "last_modified": download.last_modified,
        })
        redirected = f" via {download.final_url}" if download.final_url != url else ""
        what = f"{_mb(len(download.data))}, {download.content_type or 'no content type'}"
        if replaces:
            since = f" since {latest['fetched_at']}" if latest else ""
            return _Stored(CHANGED, self.rel(path), sha, download.content_type, download.final_url,
                           f"CHANGED{since}: the served file differs from the archived {replaces}; "
                           f"both kept, new one {self.rel(path)} ({what}){redirected}{retried}")
        return _Stored(FETCHED, self.rel(path), sha, download.content_type, download.final_url,
                       f"fetched {self.rel(path)} ({what}){redirected}{retried}")

    def _store(self, folder: Path, filename: str, data: bytes, sha: str) -> tuple[Path, str]:
        """Write the bytes under ``filename`` unless a different file holds that name.

        Returns:
            The path holding the bytes, and the archived file with the same name but
            other bytes, if any (then the new file gets the SHA-256's start in its name).
        """
        target = folder / filename
        collided = ""
        stem, suffix = target.stem, target.suffix
        for n in range(100):
            if not _inside(target, self.root):
                raise _Failure(f"refused to write {target}: outside the archive {self.root}")
            if target.exists():
                if target.is_file() and _file_sha256(target) == sha:
                    return target, collided
                collided = collided or self.rel(target)
                target = folder / (f"{stem}.{sha[:12]}{suffix}" if n == 0 else f"{stem}.{sha[:12]}.{n}{suffix}")
                continue
            try:
                _write_new(target, data)
            except FileExistsError:
                continue  # appeared meanwhile: look again
            return target, collided
        raise _Failure(f"could not find a free file name for {filename} in {folder}")


# --------------------------------------------------------------------------- parsing and the catalog

def _assess(path: Path, entry: CatalogEntry) -> tuple[bool, str]:
    """Whether the archived file holds the report's three tables, and if not why."""
    from shaoyang_report.read.report import read_report

    try:
        report = read_report(path, catalog_entry=entry)
    except ReportFormatError as exc:
        return False, str(exc)
    missing = report.missing
    if missing.empty:
        return True, ""
    absent = [_SECTION_ZH.get(s, s) for s in missing.loc[missing["item"].isna(), "section"]]
    rows = missing[missing["item"].notna()]
    parts = []
    if absent:
        parts.append(f"table {', '.join(absent)} not in the text")
    if len(rows):
        parts.append(f"{len(rows)} row(s) missing ({', '.join(sorted({_SECTION_ZH.get(s, s) for s in rows.section}))})")
    return False, f"{path.name}: {'; '.join(parts)}"


def _rewrite_catalog(path: Path, updates: dict[str, dict[str, str]]) -> None:
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
        change = updates.get(rid) if k else None
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
        archive = _Archive(raw, client, refresh)
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
            _rewrite_catalog(catalog_path, updates)  # what was learnt so far, even when interrupted
    return FetchResult(
        entries=pd.DataFrame(results, columns=RESULT_COLUMNS).astype("string"),
        catalog=catalog_path, manifest=archive.manifest.path, catalog_updated=list(updates),
        offline=connection_failures > 0 and other_failures == 0 and not any(
            r["status"] in (FETCHED, CHANGED) for r in results),
    )


@contextmanager
def guarded_client(session=None, **options) -> Iterator[_Client]:
    """A polite, guarded :class:`_Client` for the length of a ``with`` block.

    Used by ``fetch`` and ``discover``: the session (a new ``requests.Session`` when None)
    gets the guarded, retrying adapters (:func:`_guard_session`) while the block runs; on
    leaving, its own adapters are put back and a session made here is closed.

    Args:
        session: A ``requests.Session`` (or a stand-in with ``get``), or None.
        **options: The client's options (``delay``, ``retries``, ``timeout``, ``backoff``,
            ``max_bytes``, ``max_seconds``, ``allow_private``).
    """
    import requests

    own = session is None
    if own:
        session = requests.Session()
    client = _Client(session, **options)
    restore = _guard_session(session, client.allow_private)
    try:
        yield client
    finally:
        restore()
        if own:
            session.close()


def _guard_session(session, allow_private: bool) -> Callable[[], None]:
    """Mount guarded adapters for http(s) on ``session``; return what puts its own adapters back.

    The guarded adapters retry with the fetcher's policy (:func:`_retry`) in place of
    the session's own ``max_retries``.
    """
    adapters = getattr(session, "adapters", None)
    if adapters is None or not hasattr(session, "mount"):
        return lambda: None  # not a requests.Session: only the checks before each hop apply
    saved = list(adapters.items())
    mounted = []
    for prefix in ("https://", "http://"):
        adapter = _guarded_adapter(allow_private, max_retries=_retry())
        session.mount(prefix, adapter)
        mounted.append(adapter)

    def restore() -> None:
        adapters.clear()
        adapters.update(saved)
        for adapter in mounted:
            adapter.close()

    return restore


def _fetch_entry(entry: CatalogEntry, archive: _Archive, catalog_dir: Path) -> tuple[dict, dict, bool]:
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
    except _Failure as exc:
        row["message"] = exc.message
        return row, {}, exc.connection
    stored = [page]
    notes = [page.message]
    failures: list[_Failure] = []
    page_path = archive.raw / page.path
    for link in report_links(page_path.read_bytes(), page.final_url or url) if _is_page(page) else []:
        try:
            got = archive.get(entry.report_id, link, linked_from=url)
        except _Failure as exc:
            failures.append(exc)
            notes.append(f"attachment {link}: {exc.message}")
            continue
        stored.append(got)
        notes.append(f"attachment: {got.message}")
    # which archived file is the report: the page if it has the tables, else an attachment
    chosen, reasons = None, []
    for item in stored:
        ok, why = _assess(archive.raw / item.path, entry)
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
        local = Path(os.path.relpath(archive.raw / chosen.path, catalog_dir)).as_posix()
        curated = (entry.completeness == COMPLETE and bool(entry.local_file)
                   and not _inside(catalog_dir / entry.local_file, archive.root))
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


def _is_page(stored: _Stored) -> bool:
    kind = stored.content_type.split(";")[0].strip().lower()
    return kind in ("text/html", "application/xhtml+xml") or stored.path.lower().endswith((".html", ".htm", ".shtml"))


# --------------------------------------------------------------------------- command line

def add_fetch_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``fetch`` subcommand to ``shaoyang-report``'s subparsers.

    Args:
        subparsers: What ``ArgumentParser.add_subparsers()`` returned.

    Returns:
        The subcommand's parser (its ``func`` returns the exit status).
    """
    p = subparsers.add_parser(
        "fetch", help="download the catalogued report pages into data/raw/fetched and complete the catalog",
        description="Download each catalogued report page (and PDF/Word attachments it links to as the report), "
                    "keep the original bytes under <raw>/fetched/<report_id>/ with a manifest (URL, date, content "
                    "type, SHA-256), and mark a catalog row complete once its archived report has its tables. "
                    "Exit status 0 when every entry was fetched or skipped, 1 when some could not be fetched.")
    p.add_argument("--catalog", default=None, help="the catalog CSV (default data/raw/catalog.csv)")
    p.add_argument("--only", nargs="+", metavar="ID", help="fetch only these report_ids")
    p.add_argument("--refresh", action="store_true",
                   help="download again what is archived (a changed file is kept beside the old one)")
    p.add_argument("--delay", type=float, default=DEFAULT_DELAY,
                   help=f"seconds between requests to one host (default {DEFAULT_DELAY:g})")
    p.add_argument("--retries", type=int, default=DEFAULT_RETRIES,
                   help=f"further attempts after a server error, timeout or lost connection (default {DEFAULT_RETRIES})")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds to wait for a connection or a read (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--max-seconds", type=float, default=MAX_SECONDS,
                   help="longest time one download may take in all, however slowly the server sends "
                        f"(default {MAX_SECONDS:g})")
    p.add_argument("--allow-private", action="store_true",
                   help="also fetch from loopback and private addresses (10.x, 172.16-31.x, 192.168.x, fc00::/7), "
                        "e.g. a local mirror; link-local (169.254.x), multicast and reserved addresses stay refused")
    p.set_defaults(func=cmd_fetch)
    return p


def cmd_fetch(args: argparse.Namespace) -> int:
    """Run ``shaoyang-report fetch``: print one line per entry and a summary; return the exit status."""
    from tqdm.auto import tqdm

    def show(row: dict) -> None:
        line = f"{row['report_id']}: {'failed: ' if row['status'] == FAILED else ''}{row['message']}"
        tqdm.write(line, file=sys.stderr if row["status"] == FAILED else sys.stdout)

    try:
        result = fetch_catalog(args.catalog, only=args.only, refresh=args.refresh, delay=args.delay,
                               retries=args.retries, timeout=args.timeout, max_seconds=args.max_seconds,
                               allow_private=args.allow_private, on_entry=show)
    except ReportFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = result.counts()
    complete = int((result.entries["completeness"] == COMPLETE).sum())
    print(f"\n{len(result.entries)} entries: " + ", ".join(f"{n} {s}" for s, n in counts.items())
          + f"; {complete} complete in the catalog; {len(result.catalog_updated)} catalog row(s) updated")
    print(f"catalog:  {result.catalog}\nmanifest: {result.manifest}")
    failed = result.failed
    if len(failed):
        print(f"\nerror: {len(failed)} entr{'y' if len(failed) == 1 else 'ies'} could not be fetched:", file=sys.stderr)
        for row in failed.itertuples():
            print(f"  {row.report_id}  {row.url or '-'}\n      {row.message}", file=sys.stderr)
        if result.offline:
            print("No host could be reached: this machine looks offline (or a proxy/firewall blocks it). "
                  "Nothing archived was changed; run the command again when online.", file=sys.stderr)
    return result.exit_status
