"""An OFD document (``.ofd``, GB/T 33190) → :class:`~shaoyang_report.read.document.Document`.

OFD is China's national fixed-layout format: a zip of XML parts. ``OFD.xml`` names the
document (``DocBody/DocRoot``), the document lists its pages (``Pages/Page@BaseLoc``),
and each page's ``Content.xml`` holds layers of ``TextObject`` s: a box (``Boundary``,
``x y width height`` in millimetres from the page's top-left corner) and ``TextCode``
runs placed in it (``X``, ``Y`` of the baseline, ``DeltaX`` the advance of each
character, ``g n d`` repeating ``d`` n times). Like a PDF page's characters, these are
positioned text, not lines: each run becomes words with their boxes, and the pages'
words are read into lines and cells by the PDF reader's own layout
(:func:`~.pdf_reader.document_of_pages`), so an OFD reads as the PDF it was made from.

No maintained Python reader of OFD text with positions was found fit (the PyPI
packages seen convert OFD to PDF or images, pulling in PyMuPDF (AGPL) or renderers),
so the XML is walked here: element names are matched without their namespace (OFD
writers differ in it), templates and signatures are not read. The zip is checked
first with the byte budget of every zip (:func:`~.zips.check_archive`: parts, bytes,
XML tags, inflation ratio), so a part that inflates to a gigabyte is refused after
the budget's first megabytes.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_PDF_PAGES, Budget, refuse
from shaoyang_report.read.document import Document
from shaoyang_report.read.readers.pdf_pdfium import Pages, Word

_FLOAT = re.compile(r"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|-?\.\d+")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el, name: str):
    return next((c for c in el if _local(c.tag) == name), None)


def _floats(text: str | None) -> list[float]:
    return [float(v) for v in _FLOAT.findall(text or "")]


def deltas(text: str | None, n: int) -> list[float]:
    """The advances of a run's characters from its ``DeltaX`` (``g 3 2.5`` is ``2.5 2.5 2.5``), ``n - 1`` of them.

    Missing advances repeat the last one given (0 when none is).

    Example:
        >>> deltas("g 3 2.5 1", 5), deltas(None, 2)
        ([2.5, 2.5, 2.5, 1.0], [0.0])
    """
    out: list[float] = []
    parts = (text or "").split()
    i = 0
    while i < len(parts) and len(out) < n - 1:
        if parts[i] == "g" and i + 2 < len(parts):
            try:
                count, value = int(float(parts[i + 1])), float(parts[i + 2])
            except ValueError:
                break
            out.extend([value] * max(0, min(count, n - 1 - len(out))))
            i += 3
            continue
        try:
            out.append(float(parts[i]))
        except ValueError:
            break
        i += 1
    while len(out) < n - 1:
        out.append(out[-1] if out else 0.0)
    return out


def _run_words(box: list[float], size: float, code, budget: Budget, where: str,
               after: tuple[float, float] | None = None, continues: bool = False) -> list[Word]:
    """The words of one ``TextCode`` run: characters placed by their advances, split at spaces.

    Args:
        box: The text object's ``Boundary``.
        size: Its font size.
        code: The ``TextCode`` element.
        budget: The document's counts against the caps.
        where: The page, for messages.
        after: Where the run before it in the same object ended (x, baseline): a run
            without ``X`` or ``Y`` takes them from there.
        continues: The run starts at ``after`` whatever its ``X`` says (it is drawn at
            the very origin of the run before it, see :func:`read_ofd`).
    """
    text = code.text or ""
    if not text.strip():
        return []
    budget.chars(len(text), where)
    xs, ys = _floats(code.get("X")), _floats(code.get("Y"))
    x = after[0] if after is not None and (continues or not xs) else box[0] + (xs or [0.0])[0]
    baseline = after[1] if after is not None and not ys else box[1] + (ys or [size])[0]
    steps = deltas(code.get("DeltaX"), len(text))
    top, bottom = baseline - 0.86 * size, baseline + 0.14 * size
    words: list[Word] = []
    start = end = None
    chars: list[str] = []
    for k, ch in enumerate(text):
        width = size if ord(ch) > 0x2E7F else size / 2
        if ch.isspace():
            if chars:
                words.append((start, top, end, bottom, "".join(chars)))  # type: ignore[arg-type]
            chars, start = [], None
        else:
            if start is None:
                start = x
            chars.append(ch)
            end = x + width
        x += steps[k] if k < len(steps) else width
    if chars:
        words.append((start, top, end, bottom, "".join(chars)))  # type: ignore[arg-type]
    return words


def read_ofd(data: bytes, source: str) -> Document:
    """Read an OFD document's text into a Document (located ``page 2, line 7`` as a PDF's).

    Raises:
        ReportFormatError: The file is not an OFD, is damaged, a zip bomb, holds more
            pages than a report or no text.
    """
    from dataclasses import replace

    from lxml import etree

    from shaoyang_report.read.readers.pdf_reader import document_of_pages
    from shaoyang_report.read.readers.zips import check_archive

    check_archive(data, source, "OFD.xml", "OFD document")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    archive = zipfile.ZipFile(io.BytesIO(data))

    def part(name: str):
        try:
            return etree.fromstring(archive.read(name), parser)
        except KeyError:
            raise ReportFormatError(source, f"the OFD document is damaged: it names the part {name}, which it does "
                                    "not hold") from None
        except etree.XMLSyntaxError as exc:
            raise ReportFormatError(source, f"the OFD document is damaged: its part {name} is not XML ({exc})") from None

    root = part("OFD.xml")
    doc_roots = [el.text.strip().lstrip("/") for el in root.iter() if _local(el.tag) == "DocRoot" and el.text]
    if not doc_roots:
        raise ReportFormatError(source, "the OFD document is damaged: OFD.xml names no document (DocRoot)")
    document = part(doc_roots[0])
    folder = posixpath.dirname(doc_roots[0])
    pages = [el for el in document.iter() if _local(el.tag) == "Page" and el.get("BaseLoc")]
    if not pages:
        raise ReportFormatError(source, "the OFD document has no pages")
    if len(pages) > MAX_PDF_PAGES:
        raise refuse(source, f"the OFD document has {len(pages):,} pages; an annual report is expected to have at "
                     f"most {MAX_PDF_PAGES}", "MAX_PDF_PAGES")
    budget = Budget(source)
    words: list[list[Word]] = []
    for number, page in enumerate(pages, start=1):
        location = str(page.get("BaseLoc")).lstrip("/")
        name = posixpath.normpath(posixpath.join(folder, location)) if not location.startswith(folder) else location
        content = part(name)
        where = f"page {number}"
        found: list[Word] = []
        origin: tuple[float, ...] = ()  # the box and X, Y the last run was drawn at
        for obj in content.iter():
            if _local(obj.tag) != "TextObject":
                continue
            box = _floats(obj.get("Boundary"))
            if len(box) < 4:
                continue
            size = (_floats(obj.get("Size") or obj.get("size")) or [box[3]])[0] or box[3] or 1.0
            after: tuple[float, float] | None = None  # where the object's last run ended
            for code in obj:
                if _local(code.tag) != "TextCode":
                    continue
                # Runs drawn at the very origin of the run before them would print over it: some
                # writers (easyofd) give each run of a line its line's box, in reading order.
                at = (*box[:2], *_floats(code.get("X"))[:1])
                same = bool(found) and at == origin
                start = (found[-1][2], found[-1][3] - 0.14 * size) if same else after
                run = _run_words(box, size, code, budget, where, start, same)
                if run:
                    origin = at
                    after = (run[-1][2], run[-1][3] - 0.14 * size)
                found.extend(run)
        words.append(found)
    read = Pages(words=words, images=0, repaired=False, cut=False)
    return replace(document_of_pages(read, source), reader="ofd")
