"""What kind of file a report is, from its first bytes (not its name).

``sniff`` names the kinds the readers read (``pdf``, ``docx``, ``html``, ``image``,
``text``) and those no reader handles (``zip``, ``doc``, ``rtf``), so that the error
says which. It is the one list of file signatures: the dispatcher in
:mod:`shaoyang_report.read.readers` and the OCR reader of a saved page's pictures both
ask it.

Example:
    >>> sniff(b"%PDF-1.7 ..."), sniff("<!DOCTYPE html><html>".encode()), sniff("邵阳市".encode())
    ('pdf', 'html', 'text')
"""

from __future__ import annotations

import re

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 .doc, .xls, .wps …
_RTF_MAGIC = b"{\\rtf"
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")  # PNG, JPEG, TIFF
# An HTML page: starts with markup, and is a page or a table (not text that mentions a tag).
_HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table|div|p|title)\b",
                         re.I | re.S)
_HTML_TAG = re.compile(r"<(?:html|body|table)\b", re.I)


def sniff(data: bytes) -> str:
    """The kind of a report file from its first bytes: ``pdf``, ``docx``, ``html``, ``text``.

    Also names what cannot be read (``zip``, ``doc``, ``rtf``) so that the error says so.
    Text that cannot be decoded is ``text`` here; decoding reports it.
    """
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(_IMAGE_MAGIC):
        return "image"  # a scanned page or a table picture: read by OCR (readers.ocr)
    if data.startswith(_ZIP_MAGIC):
        return "docx" if b"word/document.xml" in data else "zip"
    if data.startswith(_OLE_MAGIC):
        return "doc"
    if data.lstrip().startswith(_RTF_MAGIC):
        return "rtf"
    start = data[:4096].lstrip(b"\xef\xbb\xbf").decode("latin-1")
    if _HTML_START.match(start) and _HTML_TAG.search(data[:1 << 16].decode("latin-1")):
        return "html"
    return "text"
