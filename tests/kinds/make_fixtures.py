"""Regenerate the committed files of every kind agencies publish, each made by a real tool from a real report.

Run from the project folder (not in the test suite; the tests read what this wrote):

    python tests/kinds/make_fixtures.py

* ``shaoyang_city_2020.doc``: the Word file the tests write from the real Shaoyang 2020
  report (``fixture_pages.write_docx``), saved as Word 97-2003 by LibreOffice
  (``soffice --convert-to doc``);
* ``shaoyang_city_2020.xlsx``: the report's title, headings and tables written as a
  workbook by openpyxl (merged cells as printed); ``shaoyang_city_2020.xls``: that
  workbook saved as Excel 97-2003 by LibreOffice Calc (``--convert-to xls``);
* ``shaoyang_city_2020.mhtml``: the saved page of the report (``fixture_pages.write_html``)
  opened by headless Chromium and saved by Chromium itself as MHTML
  (DevTools ``Page.captureSnapshot``, over ``--remote-debugging-pipe``);
* ``hongze_district_2023.ofd``: the real PDF ``../shared/reports/huaian/hongze_district_2023.pdf``
  converted to OFD by easyofd (``OFD().pdf2ofd``, Apache-2.0; install it apart:
  ``pip install easyofd``; it is not a dependency of the package).

Needs LibreOffice (writer and calc), Chromium and easyofd (the last may be in another
Python: ``EASYOFD_PYTHON=/path/to/python``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
PROJECT = HERE.parent.parent
SHARED = PROJECT.parent / "shared" / "reports"


def soffice(source: Path, target: str, out: Path) -> Path:
    """Convert ``source`` with LibreOffice to ``target`` (a suffix) in ``out``."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={Path(profile).as_uri()}",
                        "--convert-to", target, "--outdir", str(out), str(source)], check=True, timeout=120)
    return out / f"{source.stem}.{target}"


def write_xlsx(path: Path) -> Path:
    """The report as a workbook: its title, headings and paragraphs one cell a row, its tables as grids."""
    import openpyxl
    from fixture_pages import report_model

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "年度报告"
    r = 1
    for kind, content in report_model():
        if kind in ("title", "h", "p"):
            sheet.cell(r, 1, content)
            r += 1
            continue
        r += 1  # a blank row before the table
        taken: set[tuple[int, int]] = set()
        for dr, row in enumerate(content):
            c = 0
            for cell in row:
                while (dr, c) in taken:
                    c += 1
                text = cell.text
                value: object = text
                try:
                    value = int(text) if text.lstrip("-").isdigit() else float(text)
                except ValueError:
                    value = text
                sheet.cell(r + dr, c + 1, value if text else None)
                if cell.rowspan > 1 or cell.colspan > 1:
                    sheet.merge_cells(start_row=r + dr, start_column=c + 1, end_row=r + dr + cell.rowspan - 1,
                                      end_column=c + cell.colspan)
                for y in range(cell.rowspan):
                    for x in range(cell.colspan):
                        taken.add((dr + y, c + x))
                c += cell.colspan
        r += len(content) + 1  # and a blank row after it
    book.save(path)
    return path


def chromium_mhtml(page: Path, out: Path) -> Path:
    """Open ``page`` in headless Chromium and save it as MHTML with ``Page.captureSnapshot``.

    The page is served on the loopback address (so the archive names an http URL, as a
    page saved from a site does, not a local path).
    """
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(page.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        return _capture(f"http://127.0.0.1:{server.server_port}/{page.name}", out)
    finally:
        server.shutdown()


def _capture(url: str, out: Path) -> Path:
    read_fd, child_write = os.pipe()
    child_read, write_fd = os.pipe()
    # (the browser's helper processes may still be writing to the profile as it is removed)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
             "--remote-debugging-pipe"],
            pass_fds=(3, 4, child_read, child_write), stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=lambda: (os.setsid(), os.dup2(child_read, 3), os.dup2(child_write, 4)))
        os.close(child_read)
        os.close(child_write)
        buffer = b""
        ids = iter(range(1, 1000))

        def call(method: str, params: dict | None = None, session: str | None = None) -> dict:
            nonlocal buffer
            n = next(ids)
            message = {"id": n, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            os.write(write_fd, json.dumps(message).encode() + b"\0")
            while True:
                while b"\0" not in buffer:
                    buffer += os.read(read_fd, 1 << 20)
                raw, buffer = buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == n:
                    if "error" in reply:
                        raise RuntimeError(reply["error"])
                    return reply["result"]

        try:
            target = call("Target.createTarget", {"url": url})["targetId"]
            session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            call("Page.enable", session=session)
            time.sleep(2)  # the local page and its pictures load
            data = call("Page.captureSnapshot", {"format": "mhtml"}, session=session)["data"]
        finally:
            # the browser closes its own processes; whatever is left of its group is killed
            os.write(write_fd, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            os.close(read_fd)
            os.close(write_fd)
    out.write_bytes(data.encode("utf-8"))
    return out


def easyofd(pdf: Path, out: Path) -> Path:
    """Convert a PDF to OFD with easyofd (in the Python named by ``EASYOFD_PYTHON``, else this one)."""
    python = os.environ.get("EASYOFD_PYTHON", sys.executable)
    code = ("import sys; from easyofd.ofd import OFD; "
            "open(sys.argv[2], 'wb').write(OFD().pdf2ofd(open(sys.argv[1], 'rb').read(), optional_text=True))")
    with tempfile.TemporaryDirectory() as scratch:  # easyofd leaves its XML parts in a folder of the working one
        subprocess.run([python, "-c", code, str(pdf), str(out.resolve())], check=True, capture_output=True, timeout=300,
                       cwd=scratch)
    return out


def main() -> None:
    from fixture_pages import write_docx, write_html

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        doc = soffice(write_docx(work / "shaoyang_city_2020.docx"), "doc", work)
        shutil.copy(doc, HERE / doc.name)
        xlsx = write_xlsx(HERE / "shaoyang_city_2020.xlsx")
        shutil.copy(soffice(xlsx, "xls", work), HERE / "shaoyang_city_2020.xls")
        chromium_mhtml(write_html(work / "shaoyang_city_2020.html"), HERE / "shaoyang_city_2020.mhtml")
    easyofd(SHARED / "huaian" / "hongze_district_2023.pdf", HERE / "hongze_district_2023.ofd")
    for p in sorted(HERE.glob("*_20*.*")):
        print(f"{p.name}: {p.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
