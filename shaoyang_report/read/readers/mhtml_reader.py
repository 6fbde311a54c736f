"""A web page saved as a web archive (.mhtml/.mht) → :class:`~shaoyang_report.read.document.Document`.

A browser's "Save as MHTML" (Chromium's ``Page.captureSnapshot``) writes one MIME
message (``multipart/related``): the page's HTML as its first ``text/html`` part, and
every picture, style sheet and frame as a part named by its ``Content-Location`` (the
URL it was loaded from). The message is parsed with the standard library's
:mod:`email` package; the HTML part is read by the HTML reader
(:func:`~.html_reader.read_html`), so the page reads as it reads saved as ``.html``.

Pictures the page prints (``<img>``: a table published as a picture) are parts of the
message: they are written to a private temporary folder, the page's ``<img src>``
pointed at them, and read by OCR where they stand, as the pictures saved beside an
``.html`` page are. The message is at most the file cap
(:data:`~shaoyang_report.limits.MAX_FILE_BYTES`) and its parts are counted
(:data:`~shaoyang_report.limits.MAX_MHTML_PARTS`).
"""

from __future__ import annotations

import email
import email.policy
import html
import tempfile
from pathlib import Path

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_MHTML_PARTS, refuse
from shaoyang_report.read.document import Document

_IMAGE_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/jpg": ".jpg", "image/tiff": ".tif"}


def read_mhtml(data: bytes, source: str) -> Document:
    """Read a web archive's page (and its pictures, by OCR) into a Document.

    Raises:
        ReportFormatError: The message holds no HTML part, too many parts, or a page
            the HTML reader refuses.
    """
    from dataclasses import replace

    from shaoyang_report.read.readers.html_reader import read_html

    if data.count(b"Content-Type") > MAX_MHTML_PARTS + 1:
        raise refuse(source, f"the web archive holds over {MAX_MHTML_PARTS:,} parts; a saved page holds far fewer",
                     "MAX_MHTML_PARTS")
    message = email.message_from_bytes(data, policy=email.policy.default)
    page: bytes | None = None
    pictures: dict[str, bytes] = {}
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        body = part.get_payload(decode=True)
        if not isinstance(body, bytes):
            continue
        if kind == "text/html" and page is None:
            charset = part.get_content_charset() or "utf-8"
            try:  # the page as UTF-8 (first tried by the HTML reader), whatever charset its part is in
                page = body.decode(charset).encode("utf-8", "surrogatepass")
            except (LookupError, UnicodeDecodeError):
                page = body
        elif kind in _IMAGE_SUFFIXES and part.get("Content-Location"):
            pictures[str(part.get("Content-Location")).strip()] = body
    if page is None:
        raise ReportFormatError(source, "the web archive (.mhtml) holds no HTML page")
    if not pictures or b"<img" not in page.lower():
        return replace(read_html(page, source), reader="mhtml")
    with tempfile.TemporaryDirectory(prefix="shaoyang-mhtml-") as folder:
        text = page.decode("utf-8", "surrogateescape")
        for n, (url, body) in enumerate(sorted(pictures.items()), start=1):
            name = f"picture{n}{_suffix(body)}"
            (Path(folder) / name).write_bytes(body)
            for form in {url, html.escape(url, quote=True)}:
                text = text.replace(f'"{form}"', f'"{name}"').replace(f"'{form}'", f"'{name}'")
        return replace(read_html(text.encode("utf-8", "surrogateescape"), source, base=Path(folder)), reader="mhtml")


def _suffix(body: bytes) -> str:
    """A picture's file suffix by its first bytes."""
    if body.startswith(b"\x89PNG"):
        return ".png"
    if body.startswith(b"\xff\xd8"):
        return ".jpg"
    return ".tif" if body[:4] in (b"II*\x00", b"MM\x00*") else ".img"
