"""Fetching safely (issue 10, items 13-15): a deadline per download, an address guard, malformed answers.

Every test runs against the loopback :class:`~fetch_server.LoopbackServer`. Addresses
outside this machine (169.254.169.254, 10.x, a public address) only ever appear as
redirect targets, links or fake DNS answers that the fetcher must refuse: the autouse
``network`` fixture makes sure of it by refusing, and recording, any connection to an
address that is not loopback before a single packet leaves.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest
from fetch_server import Route, opening_page
from test_fetch import run_command

from shaoyang_report.corpus import addresses
from shaoyang_report.corpus.fetch import fetch_catalog

FAST = dict(delay=0, retries=2, timeout=0.5, backoff=0.01, progress=False)
SMALL = b"<html><body><p>2021\xe5\xb9\xb4</p></body></html>"
PUBLIC = "93.184.216.34"  # stands for a public web server; never connected to (see ``network``)


class Network:
    """What the tests let sockets do: loopback only, plus address translations they set up."""

    def __init__(self) -> None:
        self.outside: list[tuple] = []  # connections refused because they would leave the machine
        self.attempts: list[tuple] = []  # every address connected to, as asked (before translation)
        self.translate: dict[tuple[str, int], tuple[str, int]] = {}  # (ip, port) → loopback (ip, port)


@pytest.fixture(autouse=True)
def network(monkeypatch):
    """Refuse (and record) every connection to a non-loopback address; the test fails if one was tried."""
    net = Network()
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def vet(address):
        if not isinstance(address, tuple):
            return address
        net.attempts.append(address[:2])
        address = net.translate.get((address[0], address[1]), address)
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        mapped = getattr(ip, "ipv4_mapped", None)
        if not (ip.is_loopback or (mapped is not None and mapped.is_loopback)):
            net.outside.append(address)
            raise OSError(101, f"Network is unreachable (the tests never leave this machine: {address[0]})")
        return address

    monkeypatch.setattr(socket.socket, "connect", lambda self, address: real_connect(self, vet(address)))
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: real_connect_ex(self, vet(address)))
    yield net
    assert net.outside == [], f"tried to connect outside this machine: {net.outside}"


class FakeDNS(dict):
    """``dns[host]`` = one list of addresses per lookup (the last one repeated); ``lookups[host]`` counts them."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups: dict[str, int] = {}


@pytest.fixture
def fake_dns(monkeypatch):
    """Answers for made-up host names; every other name goes to the real resolver."""
    dns = FakeDNS()
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 - socket's names
        if host not in dns:
            return real(host, port, family, type, proto, flags)
        n = dns.lookups[host] = dns.lookups.get(host, 0) + 1
        ips = dns[host][min(n, len(dns[host])) - 1]
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (ip, int(port or 80), 0, 0) if ":" in ip else (ip, int(port or 80))) for ip in ips]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return dns


@pytest.fixture
def loopback_is_public(monkeypatch):
    """Let 127.0.0.1 (and only it) play a public web server, so redirects *from* it can be tested."""
    real = addresses.address_problem
    monkeypatch.setattr(addresses, "address_problem",
                        lambda ip, allow_private=False: None if ip == "127.0.0.1" else real(ip, allow_private))


def catalog_of(folder: Path, urls: dict[str, str]) -> Path:
    """A catalog whose rows are ``report_id → url`` (opening only)."""
    lines = ["report_id,agency,year,url,local_file,completeness,note"]
    lines += [f"{rid},邵阳市,2021,{url},,opening only," for rid, url in urls.items()]
    path = folder / "catalog.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def by_id(result) -> tuple[dict[str, str], dict[str, str]]:
    frame = result.entries
    return dict(zip(frame.report_id, frame.status)), dict(zip(frame.report_id, frame.message))


# --------------------------------------------------------------------------- 13: one deadline per download

@pytest.mark.parametrize("where", ["body", "head"])
def test_a_trickling_server_is_cut_off_at_the_download_deadline(where, server, session, tmp_path):
    # one byte every 0.1 s: each read is far inside the 0.5 s timeout, the whole would take 40 s
    server.routes["/slow.shtml"] = Route(b"<p>" + b"x" * 400 + b"</p>", trickle=0.1, trickle_head=where == "head")
    catalog = catalog_of(tmp_path, {"slow": server.url("/slow.shtml")})
    result = fetch_catalog(catalog, session=session, allow_private=True, max_seconds=1.0, **FAST)
    status, message = by_id(result)
    assert status == {"slow": "failed"}
    assert message["slow"].startswith(f"gave up on {server.url('/slow.shtml')}: the download took longer than "
                                      "the 1 s limit for one download")
    # the deadline's own refusal (raised only once the 1 s have passed), not a timeout or a broken read
    assert message["slow"] == (f"gave up on {server.url('/slow.shtml')}: the download took longer than the 1 s "
                               "limit for one download (the server sends too slowly or stalls; raise max_seconds / "
                               "--max-seconds to allow more)")
    assert server.count("/slow.shtml") == 1  # a trickler is not asked again
    assert not result.offline and not (tmp_path / "fetched" / "slow").exists()


def test_a_slow_download_inside_the_deadline_is_kept(server, session, tmp_path):
    body = b"<html><body><p>" + "年报".encode() * 4 + b"</p></body></html>"
    server.routes["/steady.shtml"] = Route(body, trickle=0.01)
    catalog = catalog_of(tmp_path, {"steady": server.url("/steady.shtml")})
    result = fetch_catalog(catalog, session=session, allow_private=True, max_seconds=20.0, **FAST)
    status, _ = by_id(result)
    assert status == {"steady": "fetched"}
    assert (tmp_path / "fetched" / "steady" / "steady.shtml").read_bytes() == body


def test_the_command_line_takes_the_deadline(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server.routes["/slow.shtml"] = Route(b"x" * 400, trickle=0.1, length=False)
    catalog = catalog_of(tmp_path, {"slow": server.url("/slow.shtml")})
    status, out, err = run_command(["fetch", "--catalog", str(catalog), "--delay", "0", "--retries", "0",
                                    "--max-seconds", "1", "--allow-private"], capsys)
    # the cut-off download is the command's one failed entry, refused by the 1 s deadline
    assert status == 1 and "1 entries: 0 fetched, 0 skipped, 0 changed, 1 failed" in out
    assert (f"  slow  {server.url('/slow.shtml')}\n      gave up on {server.url('/slow.shtml')}: the download took "
            "longer than the 1 s limit for one download (the server sends too slowly or stalls; raise max_seconds "
            "/ --max-seconds to allow more)") in err
    assert f"slow: failed: gave up on {server.url('/slow.shtml')}: the download took longer than the 1 s limit" in err
    assert "looks offline" not in err


# --------------------------------------------------------------------------- 14: the address guard

def test_loopback_and_private_addresses_need_allow_private(server, session, tmp_path):
    server.routes["/p.shtml"] = Route(SMALL)
    catalog = catalog_of(tmp_path, {"local": server.url("/p.shtml"),
                                    "mapped": f"http://[::ffff:127.0.0.1]:{server.port}/p.shtml"})
    result = fetch_catalog(catalog, session=session, **FAST)
    status, message = by_id(result)
    assert status == {"local": "failed", "mapped": "failed"} and not result.offline
    assert message["local"].startswith(f"refused URL {server.url('/p.shtml')}: 127.0.0.1 is a loopback address")
    assert "allow_private=True (shaoyang-report fetch --allow-private)" in message["local"]
    assert "loopback address" in message["mapped"] and "written as ::ffff:127.0.0.1" in message["mapped"]
    assert server.count("/p.shtml") == 0  # refused before connecting

    mirror = fetch_catalog(catalog, session=session, only=["local"], allow_private=True, **FAST)
    assert by_id(mirror)[0] == {"local": "fetched"} and server.count("/p.shtml") == 1


def test_redirects_to_metadata_and_reserved_addresses_are_refused_even_for_a_mirror(server, session, tmp_path):
    targets = {
        "metadata": "http://169.254.169.254/latest/meta-data/",
        "metadata_v6": "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "link_local_v6": "http://[fe80::1]/",
        "unspecified": f"http://0.0.0.0:{server.port}/p.shtml",
        "unspecified_v6": f"http://[::]:{server.port}/p.shtml",
        "multicast": "http://224.0.0.1/",
        "broadcast": "http://255.255.255.255/",
        "reserved": "http://240.0.0.1/",
    }
    server.routes["/p.shtml"] = Route(SMALL)
    for name, target in targets.items():
        server.routes[f"/{name}"] = Route(status=302, headers={"Location": target})
    catalog = catalog_of(tmp_path, {name: server.url(f"/{name}") for name in targets})
    result = fetch_catalog(catalog, session=session, allow_private=True, **FAST)
    status, message = by_id(result)
    assert set(status.values()) == {"failed"} and len(status) == len(targets)
    for name, target in targets.items():
        assert message[name].startswith(f"refused redirect (HTTP 302 from {server.url('/' + name)}) to {target}: ")
        assert message[name].endswith("never fetched")
    assert "169.254.169.254 is a link-local address" in message["metadata"]
    assert "link-local address" in message["metadata_v6"]
    assert "written as ::ffff:169.254.169.254" in message["metadata_v6"]
    assert "unspecified address" in message["unspecified"] and "unspecified address" in message["unspecified_v6"]
    assert "multicast" in message["multicast"]
    assert "reserved" in message["broadcast"] and "reserved" in message["reserved"]
    assert server.count("/p.shtml") == 0
    assert all(server.count(f"/{name}") == 1 for name in targets)  # a refusal is not retried


def test_redirects_and_attachments_to_private_addresses_are_refused(server, session, tmp_path, loopback_is_public):
    targets = {
        "private": "http://10.20.30.40/gknb/report.shtml",
        "loopback": f"http://127.0.0.2:{server.port}/p.shtml",
        "mapped": f"http://[::ffff:127.0.0.1]:{server.port}/p.shtml",
        "ula": "http://[fd12:3456::1]/report.shtml",
        "shared": "http://100.64.0.9/report.shtml",
    }
    server.routes["/p.shtml"] = Route(SMALL)
    for name, target in targets.items():
        server.routes[f"/{name}"] = Route(status=301, headers={"Location": target})
    attachment = "http://192.168.1.10/files/2021年政府信息公开工作年度报告.pdf"
    server.routes["/page.shtml"] = Route(opening_page("chengbu_jinzi_township_2021", (attachment, "年度报告")))
    catalog = catalog_of(tmp_path, {**{name: server.url(f"/{name}") for name in targets},
                                    "chengbu_jinzi_township_2021": server.url("/page.shtml")})
    result = fetch_catalog(catalog, session=session, **FAST)  # no allow_private
    status, message = by_id(result)
    assert set(status.values()) == {"failed"}
    assert "10.20.30.40 is a private address" in message["private"]
    assert "127.0.0.2 is a loopback address" in message["loopback"]
    assert "written as ::ffff:127.0.0.1" in message["mapped"]
    assert "fd12:3456::1 is a private address" in message["ula"]
    assert "100.64.0.9 is a special-purpose address" in message["shared"]
    for name in targets:
        assert message[name].startswith(f"refused redirect (HTTP 301 from {server.url('/' + name)}) to ")
        assert "--allow-private" in message[name]
    # the page itself is archived; its attachment on a private address is refused
    page = message["chengbu_jinzi_township_2021"]
    assert page.startswith("fetched fetched/chengbu_jinzi_township_2021/page.shtml")
    assert f"attachment {attachment}: refused URL {attachment}: 192.168.1.10 is a private address" in page
    assert server.count("/p.shtml") == 0


def test_every_address_of_a_host_is_checked(server, session, tmp_path, fake_dns):
    fake_dns["dual.test"] = [[PUBLIC, "10.0.0.7"]]
    catalog = catalog_of(tmp_path, {"dual": "http://dual.test/report.shtml"})
    status, message = by_id(fetch_catalog(catalog, session=session, **FAST))
    assert status == {"dual": "failed"}
    assert message["dual"].startswith("refused URL http://dual.test/report.shtml: dual.test resolves to 10.0.0.7, "
                                      "a private address")


def test_a_dns_answer_that_changes_before_connecting_is_refused(server, session, tmp_path, fake_dns):
    # DNS rebinding: the check before the request sees a public address, the connection would get loopback
    server.routes["/p.shtml"] = Route(SMALL)
    fake_dns["rebind.test"] = [[PUBLIC], ["127.0.0.1"]]
    catalog = catalog_of(tmp_path, {"rebind": f"http://rebind.test:{server.port}/p.shtml"})
    status, message = by_id(fetch_catalog(catalog, session=session, **FAST))
    assert status == {"rebind": "failed"}
    assert message["rebind"].startswith(f"refused http://rebind.test:{server.port}/p.shtml: rebind.test resolved, "
                                        "when connecting, to 127.0.0.1, a loopback address")
    assert server.count("/p.shtml") == 0 and fake_dns.lookups["rebind.test"] == 2


def test_the_address_actually_connected_to_is_checked(server, session, tmp_path, fake_dns, network):
    # the name resolves to a public address, but the connection lands on this machine (a translating middlebox)
    server.routes["/p.shtml"] = Route(SMALL)
    fake_dns["mirror.test"] = [[PUBLIC]]
    network.translate[(PUBLIC, 80)] = ("127.0.0.1", server.port)
    catalog = catalog_of(tmp_path, {"nat": "http://mirror.test/p.shtml"})
    status, message = by_id(fetch_catalog(catalog, session=session, **FAST))
    assert status == {"nat": "failed"}
    assert message["nat"].startswith("refused http://mirror.test/p.shtml: mirror.test connected to 127.0.0.1, "
                                     "a loopback address")
    assert server.count("/p.shtml") == 0  # connected, but nothing was asked
    # resolved once before the request and once to connect; the connection went to the address checked
    assert fake_dns.lookups["mirror.test"] == 2 and network.attempts == [(PUBLIC, 80)]


def test_a_session_given_by_the_caller_gets_its_adapters_back(server, session, tmp_path):
    before = dict(session.adapters)
    server.routes["/p.shtml"] = Route(SMALL)
    fetch_catalog(catalog_of(tmp_path, {"p": server.url("/p.shtml")}), session=session, allow_private=True, **FAST)
    assert dict(session.adapters) == before


@pytest.mark.parametrize("ip, refused, with_allow_private", [
    ("93.184.216.34", False, False),
    ("2606:4700::1", False, False),
    ("::ffff:93.184.216.34", False, False),  # a public IPv4 in IPv6 form
    ("64:ff9b::5db8:d822", False, False),  # the same through NAT64
    ("127.0.0.1", True, False),
    ("127.8.9.10", True, False),
    ("::1", True, False),
    ("::ffff:127.0.0.1", True, False),
    ("10.1.2.3", True, False),
    ("172.31.255.255", True, False),
    ("192.168.0.1", True, False),
    ("fc00::1", True, False),
    ("fd00:ec2::254", True, False),
    ("100.64.0.1", True, False),
    ("169.254.169.254", True, True),
    ("::ffff:169.254.169.254", True, True),
    ("64:ff9b::a9fe:a9fe", True, True),  # 169.254.169.254 through NAT64
    ("2002:a9fe:a9fe::1", True, True),  # … and through 6to4
    ("fe80::1", True, True),
    ("fe80::1%2", True, True),
    ("0.0.0.0", True, True),
    ("::", True, True),
    ("224.0.0.251", True, True),
    ("ff02::1", True, True),
    ("255.255.255.255", True, True),
    ("240.0.0.1", True, True),
    ("::127.0.0.1", True, True),  # the deprecated IPv4-compatible form
])
def test_which_addresses_are_refused(ip, refused, with_allow_private):
    assert (addresses.address_problem(ip) is not None) == refused
    assert (addresses.address_problem(ip, allow_private=True) is not None) == with_allow_private


# --------------------------------------------------------------------------- 15: malformed answers

@pytest.mark.parametrize("route, said", [
    (Route(SMALL, headers={f"X-Filler-{i}": "x" for i in range(200)}),
     "the server sent too many response headers (got more than 100 headers)"),
    (Route(SMALL, headers={"X-Long": "x" * 70_000}),
     "the server sent a line too long to be HTTP (got more than 65536 bytes when reading header line)"),
    (Route(raw=b"SSH-2.0-OpenSSH_9.2\r\n"),
     "the server's answer does not start with an HTTP status line (got 'SSH-2.0-OpenSSH_9.2\\r\\n')"),
], ids=["200 headers", "long header line", "not HTTP"])
def test_malformed_answers_say_what_happened(route, said, server, session, tmp_path):
    server.routes["/bad.shtml"] = route
    catalog = catalog_of(tmp_path, {"bad": server.url("/bad.shtml")})
    result = fetch_catalog(catalog, session=session, allow_private=True, **FAST)
    status, message = by_id(result)
    assert status == {"bad": "failed"} and not result.offline
    assert message["bad"] == f"{said} for {server.url('/bad.shtml')}"
    assert server.count("/bad.shtml") == 1  # not retried: it would send the same again


def test_a_server_sending_200_headers_is_not_called_offline(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server.routes["/bad.shtml"] = Route(SMALL, headers={f"X-Filler-{i}": "x" for i in range(200)})
    catalog = catalog_of(tmp_path, {"bad": server.url("/bad.shtml")})
    status, out, err = run_command(["fetch", "--catalog", str(catalog), "--delay", "0", "--allow-private"], capsys)
    assert status == 1
    assert "bad: failed: the server sent too many response headers (got more than 100 headers)" in err
    assert "looks offline" not in err


def test_the_command_line_refuses_loopback_without_allow_private(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server.routes["/p.shtml"] = Route(SMALL)
    catalog = catalog_of(tmp_path, {"p": server.url("/p.shtml")})
    status, out, err = run_command(["fetch", "--catalog", str(catalog), "--delay", "0"], capsys)
    assert status == 1 and "127.0.0.1 is a loopback address" in err and "--allow-private" in err
    assert "looks offline" not in err and server.count("/p.shtml") == 0
