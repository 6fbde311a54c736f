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


def sniff(data: bytes, name: str = "") -> str:
    """The kind of a report file from its bytes: ``pdf``, ``docx``, ``html``, ``image``, ``text``.

    Also names truly what no reader handles, so that the message says what the file is:
    ``doc`` and ``wps`` (Word and WPS documents in an OLE2 container), ``xls`` (an
    Excel 97-2003 workbook), ``ppt``, ``ole`` (another OLE2 file), ``xlsx``, ``ofd`` (the
    national fixed-layout format), ``zip`` (another zip), ``mhtml`` (a saved web archive),
    ``rtf``. Text that cannot be decoded is ``text`` here; decoding reports it.

    Args:
        data: The file's bytes (all of them: a zip's members are listed at its end).
        name: The file's name, which tells a WPS document from a Word one (both hold a
            ``WordDocument`` stream).

    Example:
        >>> sniff(b"PK\\x03\\x04" + b"OFD.xml"), sniff(b"MIME-Version: 1.0\\nContent-Type: multipart/related;")
        ('ofd', 'mhtml')
    """
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(_IMAGE_MAGIC):
        return "image"  # a scanned page or a table picture: read by OCR (readers.ocr)
    if data.startswith(_ZIP_MAGIC):
        for member, kind in _ZIP_MEMBERS:
            if member in data:
                return kind
        return "zip"
    if data.startswith(_OLE_MAGIC):
        for stream, kind in _OLE_STREAMS:
            if stream.encode("utf-16-le") in data:
                return "wps" if kind == "doc" and name.lower().endswith(".wps") else kind
        suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
        return {"doc": "doc", "wps": "wps", "xls": "xls", "et": "xls"}.get(suffix, "ole")  # streams not seen
    if data.lstrip().startswith(_RTF_MAGIC):
        return "rtf"
    start = data[:4096].lstrip(b"\xef\xbb\xbf").decode("latin-1")
    if _MIME_START.match(start) and _MIME_RELATED.search(start):
        return "mhtml"
    if _HTML_START.match(start) and _HTML_TAG.search(data[:1 << 16].decode("latin-1")):
        return "html"
    return "text"


#: The kinds :func:`sniff` names that no reader handles yet, and what to do with each.
KIND_REASONS = {
    "doc": "a Word 97-2003 document (.doc): not read yet; save it as .docx or PDF",
    "wps": "a WPS Office document (.wps): not read yet; save it as .docx or PDF",
    "xls": "an Excel 97-2003 workbook (.xls): spreadsheets are not read yet",
    "xlsx": "an Excel workbook (.xlsx): spreadsheets are not read yet",
    "ppt": "a PowerPoint 97-2003 presentation, not a report",
    "ole": "an OLE2 compound file that is neither a Word nor an Excel document",
    "ofd": "an OFD document (GB/T 33190): not read yet; save it as PDF",
    "zip": "a zip archive: not read yet; unpack it and read its files",
    "mhtml": "a web archive (.mhtml): not read yet; save the page as .html",
    "rtf": "an RTF document: not read yet; save it as .docx, PDF or text",
    "text": "a text or data file of a kind reports are not read from",
    "image": "an image of a kind reports are not read from",
}
#: Zip members that tell what a zip is (checked in this order).
_ZIP_MEMBERS = ((b"word/document.xml", "docx"), (b"xl/workbook.xml", "xlsx"), (b"OFD.xml", "ofd"))
#: OLE2 stream names that tell what a compound file is (UTF-16 in its directory).
_OLE_STREAMS = (("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"), ("PowerPoint Document", "ppt"))
# a MIME message holding a saved page (Chromium's "Save as MHTML")
_MIME_START = re.compile(r"^(?:[\w-]+:[^\n]*\r?\n)*?MIME-Version:", re.I)
_MIME_RELATED = re.compile(r"Content-Type:\s*multipart/related", re.I)
