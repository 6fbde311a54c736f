"""What kind of file a report is, from its first bytes (not its name).

``sniff`` names the kinds the readers read (``pdf``, ``docx``, ``html``, ``image``,
``text``, ``doc``, ``wps``, ``xls``, ``xlsx``, ``ofd``, ``mhtml``, ``zip``) and those no
reader handles (``ppt``, ``ole``, ``rtf``), so that the error says which. An OLE2
compound file is told by its streams (listed with ``olefile``), a zip by its members. It is the one list of file signatures: the dispatcher in
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
    """The kind of a report file from its bytes.

    ``pdf``, ``docx``, ``html``, ``image``, ``text``; ``doc`` and ``wps`` (Word and WPS
    documents in an OLE2 container, a ``WordDocument`` stream), ``xls`` (an Excel
    97-2003 workbook, a ``Workbook`` or ``Book`` stream), ``xlsx``, ``ofd`` (the national
    fixed-layout format, a zip holding ``OFD.xml``), ``mhtml`` (a saved web archive),
    ``zip`` (another zip: an archive of reports); and, no reader handling them, ``ppt``,
    ``ole`` (another OLE2 file) and ``rtf``. Text that cannot be decoded is ``text`` here;
    decoding reports it.

    Args:
        data: The file's bytes (all of them: a zip's members are listed at its end, an
            OLE2 file's directory anywhere; given only its start, the names are looked
            for in what is given).
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
        return _zip_kind(data)
    if data.startswith(_OLE_MAGIC):
        kind = _ole_kind(data)
        if kind is None:  # streams not seen: the name says
            suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
            return {"doc": "doc", "wps": "wps", "xls": "xls", "et": "xls"}.get(suffix, "ole")
        return "wps" if kind == "doc" and name.lower().endswith(".wps") else kind
    if data.lstrip().startswith(_RTF_MAGIC):
        return "rtf"
    start = data[:4096].lstrip(b"\xef\xbb\xbf").decode("latin-1")
    if _MIME_START.match(start) and _MIME_RELATED.search(start):
        return "mhtml"
    if _HTML_START.match(start) and _HTML_TAG.search(data[:1 << 16].decode("latin-1")):
        return "html"
    return "text"


def _zip_kind(data: bytes) -> str:
    """``docx``, ``xlsx``, ``ofd`` or ``zip``: what a zip is, by the names of its members."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except Exception:  # noqa: BLE001 - damaged or only its start given: the names are looked for in the bytes
        return next((kind for member, kind in _ZIP_MEMBERS if member.encode() in data), "zip")
    return next((kind for member, kind in _ZIP_MEMBERS if member in names), "zip")


def _ole_kind(data: bytes) -> str | None:
    """``doc``, ``xls``, ``ppt`` or ``ole``: what an OLE2 compound file is, by its streams (None: not known)."""
    try:
        import olefile

        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(path) for path in ole.listdir(streams=True, storages=False)}
    except Exception:  # noqa: BLE001 - damaged, olefile missing or only its start given: names looked for in the bytes
        return next((kind for stream, kind in _OLE_STREAMS if stream.encode("utf-16-le") in data), None)
    return next((kind for stream, kind in _OLE_STREAMS if stream in streams), "ole")


#: The kinds :func:`sniff` names that no reader handles, and what each is.
KIND_REASONS = {
    "ppt": "a PowerPoint 97-2003 presentation, not a report",
    "ole": "an OLE2 compound file that is neither a Word nor an Excel document",
    "rtf": "an RTF document: not read; save it as .docx, PDF or text",
    "text": "a text or data file of a kind reports are not read from",
    "image": "an image of a kind reports are not read from",
}
#: File suffixes of the kinds read (page images are read by OCR, each file one report).
REPORT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".shtml", ".pdf", ".docx", ".png", ".jpg", ".jpeg", ".tif", ".tiff",
                   ".doc", ".wps", ".xls", ".xlsx", ".et", ".ofd", ".mhtml", ".mht", ".zip")
#: The suffix a file of each kind that is read is named by (a folder is searched by suffix).
KIND_SUFFIXES = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "image": ".png", "text": ".txt", "doc": ".doc",
                 "wps": ".wps", "xls": ".xls", "xlsx": ".xlsx", "ofd": ".ofd", "mhtml": ".mhtml", "zip": ".zip"}
#: What each kind of file is, in words: with its article (for messages and the list of files a
#: folder holds), and without, as a library's error names it ("the PDF is damaged"; None: no
#: library reads the kind).
_KINDS = {
    "pdf": ("a PDF", "PDF"), "docx": ("a Word document (.docx)", "Word document"),
    "html": ("an HTML page", "HTML page"), "image": ("an image", "image"), "text": ("a text file", None),
    "doc": ("a Word 97-2003 document (.doc)", "Word 97-2003 document"),
    "wps": ("a WPS Office document (.wps)", "WPS document"),
    "xls": ("an Excel 97-2003 workbook (.xls)", "Excel 97-2003 workbook"),
    "xlsx": ("an Excel workbook (.xlsx)", "Excel workbook"), "ofd": ("an OFD document (GB/T 33190)", "OFD document"),
    "mhtml": ("a web archive (.mhtml)", "web archive"), "zip": ("a zip archive", "zip archive"),
    "ppt": ("a PowerPoint 97-2003 presentation", None), "ole": ("an OLE2 compound file", None),
    "rtf": ("an RTF document", None),
}
KIND_NAMES = {kind: named for kind, (named, _) in _KINDS.items()}
#: The kinds a library reads, named as its errors name them.
LIBRARY_KIND_NAMES = {kind: short for kind, (_, short) in _KINDS.items() if short is not None}
#: Zip members that tell what a zip is (checked in this order).
_ZIP_MEMBERS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("OFD.xml", "ofd"))
#: OLE2 stream names that tell what a compound file is (UTF-16 in its directory).
_OLE_STREAMS = (("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"), ("PowerPoint Document", "ppt"))
# a MIME message holding a saved page (Chromium's "Save as MHTML")
_MIME_START = re.compile(r"^(?:[\w-]+:[^\n]*\r?\n(?:[ \t][^\n]*\r?\n)*)*?MIME-Version:", re.I)  # folded headers too
_MIME_RELATED = re.compile(r"Content-Type:\s*multipart/related", re.I)
