"""Readers: one per source form, each producing the same :class:`~shaoyang_report.read.document.Document`.

:func:`load_document` picks the reader by the file's content, not its extension:

* ``%PDF`` in the first kilobyte → :func:`~.pdf_reader.read_pdf` (text layer, PDFium via pypdfium2);
* a zip holding ``word/document.xml`` → :func:`~.docx_reader.read_docx` (python-docx);
* text (UTF-8 with or without BOM, GB18030/GBK) that is an HTML page →
  :func:`~.html_reader.read_html` (lxml);
* any other text → :func:`~.text_reader.text_document`;
* an OLE2 file with a ``WordDocument`` stream (.doc, .wps) → LibreOffice converts it to
  .docx (:func:`~.office_reader.read_office`);
* a workbook (.xlsx, or an OLE2 file with a ``Workbook`` stream) →
  :func:`~.sheet_reader.read_sheets` (openpyxl, xlrd);
* a zip holding ``OFD.xml`` → :func:`~.ofd_reader.read_ofd`;
* a web archive (.mhtml) → :func:`~.mhtml_reader.read_mhtml` (the standard library's
  ``email``, then the HTML reader);
* another zip → the report it holds (:mod:`.archive_reader`); a member of an archive is
  read by its path ``archive.zip!member.pdf``.

Every reader feeds the one template reader in :mod:`shaoyang_report.read.tables`.

Reading is bounded (see :mod:`shaoyang_report.limits`): only regular files are read, at
most ``MAX_FILE_BYTES``; each reader counts lines, characters, tokens and cells and
refuses a file beyond the caps at once. Whatever goes wrong inside a library (PDFium,
python-docx, lxml, zipfile) on a damaged or truncated file becomes a
:class:`~shaoyang_report.errors.ReportFormatError` naming the file, so a batch never
stops on one file.

Example:
    >>> from shaoyang_report.read.readers import load_document, sniff
    >>> sniff(b"%PDF-1.7 ..."), sniff("<!DOCTYPE html><html>".encode()), sniff("邵阳市".encode())
    ('pdf', 'html', 'text')
    >>> load_document("data/raw/shaoyang_city_2020.txt").reader
    'text'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_CHARS, refuse
from shaoyang_report.read.document import Document
from shaoyang_report.read.readers.archive_reader import SEPARATOR, archive_reports, member_bytes, split_archive_path
from shaoyang_report.read.readers.files import decode, read_bytes
from shaoyang_report.read.readers.sniff import KIND_REASONS, LIBRARY_KIND_NAMES, sniff
from shaoyang_report.read.readers.text_reader import text_document


def load_document(path: str | Path | list | tuple) -> Document:
    """Read a file into a Document, choosing the reader by content.

    Several image files (``[page1.png, page2.png]``) are the pages of one report, read
    by OCR in the order given; a saved web page's ``<img>`` tables saved beside it are
    read by OCR where they stand.

    Raises:
        ReportFormatError: The file is missing, empty, binary, damaged, or a kind of
            file no reader handles; the message names the file and says what was expected.
    """
    if isinstance(path, (list, tuple)):
        from shaoyang_report.read.readers.ocr.pages import read_image_files

        paths = [Path(p) for p in path]
        if not paths:
            raise ReportFormatError("<no file>", "no file given")
        for p in paths:
            if sniff(read_bytes(p)) != "image":
                raise ReportFormatError(p, "several files are read as one report only when each is a page image "
                                        "(PNG, JPEG, TIFF)")
        with library_errors("image", paths[0].name):  # each file read again when its pages are: never all at once
            return read_image_files([partial(read_bytes, p) for p in paths], paths[0].name)
    inside = split_archive_path(str(path), lambda p: Path(p).is_file()) if not Path(path).exists() else None
    if inside is not None:
        archive, members = inside
        source = SEPARATOR.join([Path(archive).name, *members])
        with library_errors("zip", source):
            data = member_bytes(read_bytes(Path(archive)), Path(archive).name, members)
        return read_document(data, source)
    path = Path(path)
    data = read_bytes(path)
    if sniff(data) == "html":
        from shaoyang_report.read.readers.html_reader import read_html

        with library_errors("html", path.name):
            return read_html(data, path.name, base=path.parent)
    return read_document(data, path.name)


def pictures_read(path: str | Path, data: bytes) -> list[Path]:
    """The files besides ``path`` that reading it opens: a saved page's ``<img>`` pictures saved in its folder.

    Every ``<img>`` whose file is in the page's folder counts (those :func:`load_document`
    reads by OCR are among them); any other kind of file reads nothing beside itself (a
    Word file's parts, pictures included, are inside it).

    Args:
        path: The report file.
        data: Its bytes.

    Returns:
        The pictures' resolved paths, sorted, each once.

    Example:
        >>> pictures_read("page.html", b"<html><body><p>x</p><IMG src='no_such_folder/t1.png'></body></html>")
        []
    """
    if sniff(data) != "html" or b"<img" not in data.lower():
        return []
    from lxml import etree

    from shaoyang_report.read.readers.files import picture_file
    from shaoyang_report.read.readers.html_reader import decode_html

    path = Path(path)
    try:
        text = decode_html(data, path.name)
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), etree.HTMLParser(encoding="utf-8"))
    except (ReportFormatError, etree.ParserError, etree.XMLSyntaxError, ValueError):
        return []
    found = {picture_file(el.get("src") or "", path.parent) for el in (root.iter("img") if root is not None else ())}
    return sorted(p for p in found if p is not None)


# The kinds read with a library (PDFium, python-docx and zipfile, lxml, LibreOffice, openpyxl, xlrd, email).
def read_document(data: bytes, source: str) -> Document:
    """Read a report from bytes (as :func:`load_document` reads a file).

    Raises:
        ReportFormatError: See :func:`load_document`.
    """
    kind = sniff(data, source)
    if kind not in LIBRARY_KIND_NAMES:  # text, or a kind no reader handles: no library is involved
        return _read(kind, data, source)
    with library_errors(kind, source):
        return _read(kind, data, source)


@contextmanager
def library_errors(kind: str, source: str) -> Iterator[None]:
    """A library's own error while reading a file of ``kind`` as one :class:`ReportFormatError` naming the file.

    Running out of memory (``MemoryError``) or nesting too deep is "too large"; any other
    error of a library (RuntimeError, KeyError, zlib.error …) is "damaged or truncated".
    """
    what = LIBRARY_KIND_NAMES.get(kind, "file")
    try:
        yield
    except ReportFormatError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise ReportFormatError(source, f"the {what} is too large or too deeply nested to read ({type(exc).__name__})"
                                ) from None
    except Exception as exc:  # a library's own error on a damaged file
        raise ReportFormatError(
            source, f"the {what} is damaged or truncated: it cannot be read ({type(exc).__name__}: {exc})") from None


def _read_archive(data: bytes, source: str) -> Document:
    """The one report a zip holds; an archive of several is read member by member (``read_reports``)."""
    reports = archive_reports(data, source)
    if len(reports) == 1:
        member = SEPARATOR.join([source, reports[0]])
        return read_document(member_bytes(data, source, reports[0].split(SEPARATOR)), member)
    if not reports:
        raise ReportFormatError(source, "the zip archive holds no report file (text, HTML, PDF, Word, WPS, OFD, "
                                "spreadsheet, web archive or page image)")
    shown = ", ".join(f"{source}{SEPARATOR}{m}" for m in reports[:5]) + (" …" if len(reports) > 5 else "")
    raise ReportFormatError(source, f"the zip archive holds {len(reports)} reports ({shown}): read them with "
                            "read_reports (each member is its own report), or one by its path archive.zip!member")


def _read(kind: str, data: bytes, source: str) -> Document:
    if kind == "pdf":
        from shaoyang_report.read.readers.pdf_reader import read_pdf

        return read_pdf(data, source)
    if kind == "docx":
        from shaoyang_report.read.readers.docx_reader import read_docx

        return read_docx(data, source)
    if kind == "image":
        from shaoyang_report.read.readers.ocr.pages import read_image_files

        return read_image_files([data], source)
    if kind in ("doc", "wps"):
        from shaoyang_report.read.readers.office_reader import read_office

        return read_office(data, source, kind)
    if kind in ("xls", "xlsx"):
        from shaoyang_report.read.readers.sheet_reader import read_sheets

        return read_sheets(data, source, kind)
    if kind == "ofd":
        from shaoyang_report.read.readers.ofd_reader import read_ofd

        return read_ofd(data, source)
    if kind == "mhtml":
        from shaoyang_report.read.readers.mhtml_reader import read_mhtml

        return read_mhtml(data, source)
    if kind == "zip":
        return _read_archive(data, source)
    if kind in KIND_REASONS and kind not in ("text", "image"):
        raise ReportFormatError(source, f"the file is {KIND_REASONS[kind]}")
    if kind == "html":
        from shaoyang_report.read.readers.html_reader import read_html

        return read_html(data, source)
    if len(data) > 4 * MAX_CHARS + 4:  # 4 bytes a character at most (UTF-8, GB18030), and a BOM
        raise refuse(source, f"the text is {len(data):,} bytes, over {MAX_CHARS:,} characters; a report's is far "
                     "shorter", "MAX_CHARS")
    return text_document(decode(data, source), source)
