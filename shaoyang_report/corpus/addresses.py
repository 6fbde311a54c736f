"""The address guard and the deadline: where one download may connect, and for how long.

Addresses: only public addresses are fetched. The host of the URL, of every redirect
target and of every attachment link is resolved and *every* address it resolves to is
checked before the request (:func:`check_address`); the guarded transport
(:mod:`~shaoyang_report.corpus.netguard`) resolves once more when it connects, connects
only to an address it has just checked, and checks the address it is connected to
(:func:`connect_refusal`), so a DNS answer that changes in between, "DNS rebinding", is
caught. ``allow_private`` (CLI ``--allow-private``) lets loopback, private (10/8,
172.16/12, 192.168/16, fc00::/7) and other non-routable unicast addresses through, for a
local mirror; link-local (169.254/16 — cloud metadata services — and fe80::/10),
multicast, reserved and unspecified (0.0.0.0, ::) addresses are refused always. IPv4
addresses in IPv6 form (``::ffff:127.0.0.1``, NAT64, 6to4) are judged by the IPv4
address inside. Through a proxy, the proxy connects: then only the check before each hop
applies.

The deadline (:class:`Deadline`): one download (a URL, its redirects and retries) may
take at most so many seconds of wall-clock time; when they pass, the download's sockets
are shut down, so a server that sends a byte now and then (in its headers, its TLS
handshake or its body) is cut off on time, and the failure names the URL and the limit.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from urllib.parse import urlsplit

from shaoyang_report.corpus.download import Failure

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


def address_problem(ip: str, allow_private: bool = False) -> str | None:
    """Why connecting to ``ip`` is refused, or None when it is allowed.

    Example:
        >>> address_problem("93.184.216.34") is None, address_problem("10.1.2.3", allow_private=True) is None
        (True, True)
        >>> address_problem("169.254.169.254", allow_private=True).split(" (")[0]
        'a link-local address'
    """
    kind, allowable = _address_kind(ip)
    if kind is None or (allowable and allow_private):
        return None
    return f"{kind}; {_ALLOW_HINT}" if allowable else f"{kind}, never fetched"


def scheme_problem(url: str) -> str | None:
    """Why a URL is not one the fetcher requests (not http(s), no host, a control character in it), or None.

    Example:
        >>> scheme_problem("https://x.gov.cn/a.pdf") is None, scheme_problem("file:///etc/passwd")
        (True, 'only http:// and https:// URLs with a host are fetched')
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "only http:// and https:// URLs with a host are fetched"
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in url):
        return "the URL holds a line break or a control character"
    return None


def link_refusal(url: str, allow_private: bool, hosts: dict[str, str | None] | None = None) -> str | None:
    """Why fetching a link found on a page would be refused (:func:`scheme_problem`, :func:`check_address`), or None.

    Args:
        url: The link.
        allow_private: As for the fetcher: let private and loopback addresses through.
        hosts: ``host:port`` → why it is refused (None: it is not), kept between calls:
            each host is resolved once.

    Example:
        >>> link_refusal("http://169.254.169.254/latest/report.shtml", allow_private=True).split(" (")[0]
        '169.254.169.254 is a link-local address'
    """
    problem = scheme_problem(url)
    if problem:
        return problem
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower()
    if hosts is not None and host in hosts:
        return hosts[host]
    try:
        check_address(url, "link", allow_private)
        found = None
    except Failure as exc:
        found = str(exc).removeprefix(f"refused link {url}: ")
    if hosts is not None:
        hosts[host] = found
    return found


class AddressRefused(Exception):
    """A connection refused by the address guard (raised inside the transport, not retried)."""


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IP literals stand for themselves), in resolver order."""
    from urllib3.util.connection import allowed_gai_family

    infos = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_address(url: str, what: str, allow_private: bool) -> None:
    """Refuse a URL whose host resolves to any address the guard refuses (checked before each hop).

    A host that cannot be resolved here is let through: the connection then fails with
    the resolver's own message (or, through a proxy, the proxy resolves it).

    Raises:
        Failure: Some address of the host is refused.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return  # a bad port: requests says so
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return
    for ip in addresses:
        problem = address_problem(ip, allow_private)
        if problem:
            said = f"{host} is" if ip == host else f"{host} resolves to {ip},"
            raise Failure(f"refused {what} {url}: {said} {problem}")


def connect_refusal(host: str, ip: str, allow_private: bool, when: str) -> AddressRefused | None:
    """The refusal of connecting to ``ip`` for ``host`` (checked by the transport on connecting), or None.

    Args:
        host: The host asked for.
        ip: An address it resolved to (``when`` = "resolved, when connecting, to") or the
            address connected to (``when`` = "connected to").
        allow_private: Let private and loopback addresses through.
        when: How ``host`` came to ``ip``, for the message.
    """
    problem = address_problem(ip, allow_private)
    if not problem:
        return None
    if host.strip("[]") == ip:
        return AddressRefused(f"{host} is {problem} (checked on connecting)")
    return AddressRefused(f"{host} {when} {ip}, {problem}")


class Deadline:
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
        self._outer: Deadline | None = None

    def __enter__(self) -> Deadline:
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
            Failure: The download took longer than the limit.
        """
        if self.expired or self.remaining() <= 0:
            self.expired = True
            raise Failure(f"gave up on {url}: the download took longer than the {self.seconds:g} s limit for one "
                          "download (the server sends too slowly or stalls; raise max_seconds / --max-seconds "
                          "to allow more)")


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass

