"""A loopback HTTP server for the fetch tests: 127.0.0.1 only, bounded, stops by itself.

Routes are set per test (:class:`Route`): a body with its content type and headers, or a
redirect, or a status; optionally failing (``fail_first``) or slow (``slow_first``) for
the first requests; trickling its answer a byte at a time (``trickle``, ``trickle_head``);
or sending raw bytes that are not a proper HTTP answer (``raw``). Every request is
recorded (path, time, headers) in ``hits``.
The pages are built from the bundled Shaoyang text (``fixture_pages``), so what is
served is the real report as its site publishes it.
"""

from __future__ import annotations

import html
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import RAW
from fixture_pages import shaoyang_html

#: The server shuts itself down after this many seconds, whatever the test does.
LIFETIME = 120.0


@dataclass
class Route:
    """What one path serves."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    fail_first: int = 0  # answer ``fail_status`` to the first requests
    fail_status: int = 500
    slow_first: int = 0  # wait ``sleep`` seconds before answering the first requests
    sleep: float = 0.0
    length: bool = True  # send Content-Length (else the body ends when the connection closes)
    trickle: float = 0.0  # send the body one byte every ``trickle`` seconds
    trickle_head: bool = False  # … and the status line and headers too
    raw: bytes | None = None  # send these bytes as the whole answer, then close


@dataclass
class Hit:
    path: str
    at: float
    headers: dict[str, str]


class LoopbackServer:
    """A ``ThreadingHTTPServer`` on 127.0.0.1, port chosen by the system, in a daemon thread."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, list[Hit]] = defaultdict(list)
        self._lock = threading.Lock()
        self._stop = threading.Event()  # ends trickling answers when the server stops
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = unquote(urlsplit(self.path).path)
                with server._lock:
                    server.hits[path].append(Hit(path, time.monotonic(), dict(self.headers)))
                    n = len(server.hits[path])
                route = server.routes.get(path)
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                if n <= route.slow_first:
                    time.sleep(route.sleep)
                if n <= route.fail_first:
                    self.send_error(route.fail_status)
                    return
                try:
                    if route.raw is not None:
                        self.wfile.write(route.raw)
                        self.close_connection = True
                        return
                    if route.trickle_head:  # the head by hand, a byte at a time
                        head = [f"HTTP/1.0 {route.status} OK", f"Content-Type: {route.content_type}",
                                *(f"{k}: {v}" for k, v in route.headers.items())]
                        if route.length:
                            head.append(f"Content-Length: {len(route.body)}")
                        self.close_connection = True
                        if not self._trickle(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"), route.trickle):
                            return
                    else:
                        self.send_response(route.status)
                        if route.body or route.status == 200:
                            self.send_header("Content-Type", route.content_type)
                        for name, value in route.headers.items():
                            self.send_header(name, value)
                        if route.length:
                            self.send_header("Content-Length", str(len(route.body)))
                        self.end_headers()
                    if route.trickle:
                        self._trickle(route.body, route.trickle)
                        return
                    for i in range(0, len(route.body), 1 << 16):
                        self.wfile.write(route.body[i:i + (1 << 16)])
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (a refused download)

            def _trickle(self, data: bytes, pause: float) -> bool:
                """Send ``data`` a byte at a time, ``pause`` seconds apart; False when stopped early."""
                for i in range(len(data)):
                    if server._stop.wait(pause):
                        return False
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                return True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._watchdog = threading.Timer(LIFETIME, self._expire)
        self._watchdog.daemon = True

    def _expire(self) -> None:
        self._stop.set()
        self.httpd.shutdown()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self, path: str) -> int:
        return len(self.hits.get(path, []))

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        self._watchdog.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._watchdog.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=10)


def closed_port_url(path: str = "/") -> str:
    """A loopback URL nobody listens on (connection refused, as when offline)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def report_page(charset: str = "utf-8") -> str:
    """The full Shaoyang 2020 report as its CMS page (prose and the three tables)."""
    return shaoyang_html(charset)


def opening_page(report_id: str, attachment: tuple[str, str] | None = None) -> bytes:
    """A page holding only a report's opening (no tables), optionally linking an attachment.

    Args:
        report_id: Which bundled opening (``data/raw/openings/<id>_opening.txt``).
        attachment: ``(href, link text)`` of a report attachment to link to.
    """
    text = (RAW / "openings" / f"{report_id}_opening.txt").read_text("utf-8")
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    link = ""
    if attachment:
        href, label = attachment
        link = f'<p>附件：<a href="{html.escape(href)}" target="_blank">{html.escape(label)}</a></p>'
        link += '<p><a href="/css/site-guide.pdf">网站使用指南</a></p>'  # a PDF that is not the report
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{report_id}</title></head>'
            f'<body><div class="nav"><a href="/">首页</a></div><div class="content">{paragraphs}{link}</div>'
            "</body></html>").encode()


def docx_bytes(folder: Path) -> bytes:
    """The full Shaoyang 2020 report as a Word file."""
    from fixture_pages import write_docx

    return write_docx(folder / "report.docx").read_bytes()
