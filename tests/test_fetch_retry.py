"""Fetch retries through urllib3's ``Retry``: Retry-After, backoff, what is not retried.

Served by the loopback test server (no other host is contacted); the waits are recorded
instead of slept (``netguard.sleep`` is the one place the fetcher waits).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from fetch_server import Route, report_page

from shaoyang_report.corpus import netguard
from shaoyang_report.corpus.fetch import fetch_catalog

FAST = dict(delay=0, timeout=2, backoff=0.05, progress=False, allow_private=True)
PAGE = report_page().encode("utf-8")


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(netguard, "sleep", recorded.append)
    return recorded


@pytest.fixture
def fetch_entry(session, tmp_path):
    """Fetch one catalog entry at ``url`` through the proxy-free test session: (status, message)."""
    return lambda url, **options: _fetch_one(session, tmp_path, url, **options)


def _fetch_one(session, tmp_path, url: str, **options):
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("report_id,agency,year,url,local_file,completeness,note\n"
                       f"r,邵阳市,2021,{url},,opening only,\n", "utf-8")
    result = fetch_catalog(catalog, session=session, **{**FAST, **options})
    return result.entries.status.item(), result.entries.message.item()


def test_the_retry_policy_is_urllib3s():
    from urllib3.util.retry import Retry

    policy = netguard.retry_policy()
    assert isinstance(policy, Retry)
    assert set(policy.status_forcelist) == {429, 500, 502, 503, 504} and policy.respect_retry_after_header


def test_retry_after_in_seconds_is_honoured(server, fetch_entry, waits):
    server.routes["/busy"] = Route(b"busy", status=503, headers={"Retry-After": "3"})
    status, message = fetch_entry(server.url("/busy"), retries=2)
    assert status == "failed" and server.count("/busy") == 3
    assert "HTTP 503 Service Unavailable (gave up after 3 attempts)" in message
    assert waits == [3.0, 3.0]  # longer than the backoff (0.05, 0.1): the server's wish wins


def test_retry_after_as_a_date_is_honoured_and_capped(server, fetch_entry, waits):
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    server.routes["/later"] = Route(b"later", status=429, headers={"Retry-After": soon})
    server.routes["/much-later"] = Route(b"later", status=503, headers={"Retry-After": "3600"})
    status, _ = fetch_entry(server.url("/later"), retries=1)
    assert status == "failed" and server.count("/later") == 2
    assert len(waits) == 1 and 17 <= waits[0] <= 20
    waits.clear()
    fetch_entry(server.url("/much-later"), retries=1)
    assert waits == [60.0]  # at most a minute


def test_a_garbled_retry_after_falls_back_to_the_backoff(server, fetch_entry, waits):
    server.routes["/garbled"] = Route(b"x", status=503, headers={"Retry-After": "soon-ish"})
    fetch_entry(server.url("/garbled"), retries=3)
    assert waits == pytest.approx([0.05, 0.1, 0.2])


def test_a_retry_after_past_the_download_deadline_gives_up_at_once(server, fetch_entry, waits):
    server.routes["/deadline"] = Route(b"x", status=503, headers={"Retry-After": "30"})
    status, message = fetch_entry(server.url("/deadline"), retries=3, max_seconds=5)
    assert status == "failed" and server.count("/deadline") == 1 and waits == []
    assert "gave up after 1 attempt: waiting 30 s more would pass the 5 s limit" in message


def test_other_client_errors_are_not_retried_even_with_retry_after(server, fetch_entry, waits):
    server.routes["/too-large"] = Route(b"x", status=413, headers={"Retry-After": "1"})
    status, message = fetch_entry(server.url("/too-large"), retries=3)
    assert status == "failed" and "HTTP 413" in message
    assert server.count("/too-large") == 1 and waits == []


def test_a_body_that_breaks_off_is_fetched_again(server, fetch_entry, waits):
    server.routes["/cut"] = Route(raw=b"HTTP/1.0 200 OK\r\nContent-Length: 1000\r\n\r\nonly a part")
    status, message = fetch_entry(server.url("/cut"), retries=2)
    assert status == "failed" and server.count("/cut") == 3
    assert "closed the connection before the whole response was sent (gave up after 3 attempts)" in message
    assert waits == pytest.approx([0.05, 0.1])


def test_success_after_a_retry_after_names_the_attempts(server, fetch_entry, waits):
    server.routes["/flaky"] = Route(PAGE, fail_first=1, fail_status=502)
    status, message = fetch_entry(server.url("/flaky"), retries=2)
    assert status == "fetched" and server.count("/flaky") == 2 and waits == [0.05]
    assert "after 2 attempts (HTTP 502" in message


def test_a_plain_request_through_a_guarded_session_is_not_retried(server, session):
    server.routes["/plain"] = Route(b"x", status=503, headers={"Retry-After": "1"})
    restore = netguard.guard_session(session, allow_private=True)
    try:
        assert session.get(server.url("/plain"), timeout=2).status_code == 503
    finally:
        restore()
    assert server.count("/plain") == 1
