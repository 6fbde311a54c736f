"""The network guard: polite, bounded, guarded GETs (:class:`Client`, :func:`guarded_client`).

Every request of ``fetch`` and ``discover`` goes through here: a clear User-Agent
(:func:`user_agent`); a delay between requests to the same host; retries with
exponential backoff on 5xx/429, timeouts and connection errors, honouring
``Retry-After`` (urllib3's ``Retry``, mounted on the guarded adapter:
:func:`retry_policy`); at most :data:`MAX_REDIRECTS` redirects; only ``http``/``https``
URLs, also as redirect targets; downloads above ``max_bytes`` (:data:`MAX_BYTES`, 50 MB)
are refused.

One download (a URL, its redirects and retries) may take at most ``max_seconds``
(:data:`MAX_SECONDS`, 10 minutes) of wall-clock time, however slowly the server sends
(:class:`~shaoyang_report.corpus.addresses.Deadline`); a server that trickles is not
asked again. Only public addresses are reached unless ``allow_private``: the host of
every hop is checked before the request and again by the transport when it connects
(:mod:`~shaoyang_report.corpus.addresses`).

A server whose answer is not usable HTTP (more than 100 headers, a header line over
64 KB, no status line) is reported as such, not retried, and never taken for the
machine being offline.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from shaoyang_report.config import VERSION
from shaoyang_report.corpus.addresses import (
    AddressRefused,
    Deadline,
    check_address,
    connect_refusal,
    resolve,
    scheme_problem,
)
from shaoyang_report.corpus.download import Download, Failure, human_size

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


def user_agent() -> str:
    """The User-Agent sent with every request: ``shaoyang-report/<version> (+research; contact in README)``."""
    return f"shaoyang-report/{VERSION} (+research; contact in README)"


def _check_scheme(url: str, what: str = "URL") -> None:
    problem = scheme_problem(url)
    if problem:
        raise Failure(f"refused {what} {url!r}: {problem}")


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


def sleep(seconds: float) -> None:
    """Wait (the one place the fetcher waits: politeness delays and backoff)."""
    time.sleep(seconds)


_TRANSPORT: dict[str, type] = {}


def _guarded_adapter(allow_private: bool, **adapter_args):
    """A ``requests`` HTTP adapter whose connections are checked by the address guard and the deadline.

    Each new connection resolves its host once, refuses it if any address is refused,
    connects to a checked address, and checks the address actually connected to (so a
    DNS answer that changes between the check and the connection cannot slip through).
    Every socket is watched by the active :class:`Deadline`. Connections through a
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

        name_error: type[NameResolutionError] | None
        try:
            from urllib3.exceptions import NameResolutionError
            name_error = NameResolutionError
        except ImportError:  # urllib3 < 2
            name_error = None

        if TYPE_CHECKING:  # a mixin of urllib3's connections (made with type() below)
            from urllib3.connection import HTTPConnection as _Connection
        else:
            _Connection = object

        class Guarded(_Connection):
            allow_private = False

            def _new_conn(self):
                host = self._dns_host
                try:
                    addresses = resolve(host, self.port)
                except socket.gaierror as exc:
                    if name_error is not None:
                        raise name_error(self.host, self, exc) from exc
                    raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc
                for ip in addresses:
                    refusal = connect_refusal(self.host, ip, self.allow_private, "resolved, when connecting, to")
                    if refusal:
                        raise refusal
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
                    refusal = connect_refusal(self.host, peer, self.allow_private, "connected to")
                    if refusal:
                        sock.close()
                        raise refusal
                    Deadline.watch(sock)
                    return sock
                raise error

            def request(self, *args, **kwargs):
                Deadline.watch(self.sock)  # a reused connection
                return super().request(*args, **kwargs)

            def getresponse(self, *args, **kwargs):
                Deadline.watch(self.sock)
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


def retry_policy():
    """The urllib3 ``Retry`` the guarded adapters use (one object, its state per download).

    urllib3 decides what is retried — the statuses of :data:`_RETRY_STATUSES`, timeouts,
    lost and refused connections, for GET — and reads ``Retry-After`` (seconds or an HTTP
    date; after 429 and 503 answers). What it asks of the download in progress (the
    :class:`Client` running in this thread) keeps the fetcher's rules: at most
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
                client = Client.current()
                if client is not None:
                    client._failed_attempt(response, error)
                return super().increment(method, url, response, error, _pool, _stacktrace)

            def is_exhausted(self) -> bool:
                client = Client.current()
                return client is None or client._exhausted()

            def get_backoff_time(self) -> float:
                client = Client.current()
                return client._backoff() if client is not None else 0.0

            def sleep(self, response=None) -> None:
                retry_after = None
                if response is not None and self.respect_retry_after_header:
                    try:
                        retry_after = self.get_retry_after(response)
                    except InvalidHeader:  # neither seconds nor an HTTP date: the backoff applies
                        retry_after = None
                client = Client.current()
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


class Client:
    """Polite GETs: per-host delay, retries with backoff, manual redirects, size cap, deadline, address guard.

    The retries are urllib3's (:func:`retry_policy`, on the adapters :func:`guard_session`
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
        self._url = ""
        self._deadline: Deadline | None = None
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
                sleep(wait)

    def _done_with_host(self, url: str) -> None:
        self._last[(urlsplit(url).netloc or "").lower()] = time.monotonic()

    def get(self, url: str) -> Download:
        """GET a URL following at most :data:`MAX_REDIRECTS` http(s) redirects, all within ``max_seconds``.

        Every hop (the URL and each redirect target) is checked by the address guard
        before it is requested, and again by the transport when it connects.

        Raises:
            Failure: Refused, not found, too large, too slow, or still failing after the retries.
        """
        _check_scheme(url)
        with Deadline(self.max_seconds) as deadline:
            check_address(url, "URL", self.allow_private)
            current, attempts, notes = url, 0, []
            for _ in range(MAX_REDIRECTS + 1):
                response, data, tries, tried = self._get_one(current, deadline)
                attempts += tries
                notes += tried
                if data is None:  # a redirect
                    location = response.headers.get("Location", "").strip()
                    if not location:
                        raise Failure(f"HTTP {response.status_code} redirect without a Location (at {current})")
                    target = urljoin(current, location)
                    what = f"redirect (HTTP {response.status_code} from {current}) to"
                    _check_scheme(target, what)
                    check_address(target, what, self.allow_private)
                    current = target
                    continue
                headers = response.headers
                return Download(url=url, final_url=current, http_status=response.status_code,
                                 content_type=headers.get("Content-Type", ""),
                                 disposition=headers.get("Content-Disposition", ""),
                                 last_modified=headers.get("Last-Modified", ""), data=data, attempts=attempts,
                                 notes=notes)
            raise Failure(f"more than {MAX_REDIRECTS} redirects (last to {current})")

    @classmethod
    def current(cls) -> Client | None:
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
                raise Failure(f"{last} (gave up after {n} attempt{'s' if n > 1 else ''}: waiting {pause:g} s more "
                              f"would pass the {self.max_seconds:g} s limit for one download)", connection=connection)
            sleep(pause)
        self._wait_for_host(self._url)
        if self._deadline is not None:
            self._deadline.check(self._url)

    def _gave_up(self) -> Failure:
        (last, connection), n = self._tries[-1], len(self._tries)
        return Failure(f"{last} (gave up after {n} attempt{'s' if n > 1 else ''})", connection=connection)

    def _get_one(self, url: str, deadline: Deadline):
        """One URL, no redirects followed: ``(response, bytes or None for a redirect, attempts, retry notes)``."""
        outer = (self.current(), self._url, self._deadline, self._tries)
        self._local.current, self._url, self._deadline, self._tries = self, url, deadline, []
        try:
            return self._attempts(url, deadline)
        finally:
            self._local.current, self._url, self._deadline, self._tries = outer

    def _attempts(self, url: str, deadline: Deadline):
        import requests

        while True:
            self._wait_for_host(url)
            deadline.check(url)
            try:  # urllib3 retries inside (see retry_policy); what comes out is the last attempt's outcome
                response = self.session.get(url, headers=self.headers, timeout=(self.timeout, self.timeout),
                                            allow_redirects=False, stream=True)
            except AddressRefused as exc:
                raise Failure(f"refused {url}: {exc}") from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                deadline.check(url)
                malformed = _malformed_response(exc)
                if malformed:  # a server answered, with something that is not usable HTTP: not retried
                    raise Failure(f"{malformed} for {url}") from None
                if not self._tries:  # a session without the guarded adapter: nothing was retried
                    timeout = isinstance(exc, requests.Timeout)
                    self._tries.append((f"timed out after {self.timeout:g} s waiting for {urlsplit(url).netloc}"
                                        if timeout else _describe_connection_error(exc, url), not timeout))
                raise self._gave_up() from None
            except requests.RequestException as exc:  # invalid URL …
                deadline.check(url)
                raise Failure(f"cannot request {url}: {exc}") from None
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
                    raise Failure(f"HTTP {status} {response.reason or ''}".strip() + f" for {url}")
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

    def _read(self, response, url: str, deadline: Deadline) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise Failure(f"refused {url}: the server announces {human_size(int(declared))}, "
                          f"more than the {human_size(self.max_bytes)} cap")
        buf = bytearray()
        for chunk in response.iter_content(chunk_size=1 << 16):
            buf += chunk
            if len(buf) > self.max_bytes:
                raise Failure(f"refused {url}: more than the {human_size(self.max_bytes)} cap (download stopped)")
            deadline.check(url)
        return bytes(buf)


@contextmanager
def guarded_client(session=None, **options) -> Iterator[Client]:
    """A polite, guarded :class:`Client` for the length of a ``with`` block.

    Used by ``fetch`` and ``discover``: the session (a new ``requests.Session`` when None)
    gets the guarded, retrying adapters (:func:`guard_session`) while the block runs; on
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
    client = Client(session, **options)
    restore = guard_session(session, client.allow_private)
    try:
        yield client
    finally:
        restore()
        if own:
            session.close()


def guard_session(session, allow_private: bool) -> Callable[[], None]:
    """Mount guarded adapters for http(s) on ``session``; return what puts its own adapters back.

    The guarded adapters retry with the fetcher's policy (:func:`retry_policy`) in place of
    the session's own ``max_retries``.
    """
    adapters = getattr(session, "adapters", None)
    if adapters is None or not hasattr(session, "mount"):
        return lambda: None  # not a requests.Session: only the checks before each hop apply
    saved = list(adapters.items())
    mounted = []
    for prefix in ("https://", "http://"):
        adapter = _guarded_adapter(allow_private, max_retries=retry_policy())
        session.mount(prefix, adapter)
        mounted.append(adapter)

    def restore() -> None:
        adapters.clear()
        adapters.update(saved)
        for adapter in mounted:
            adapter.close()

    return restore
