"""Page images read by OCR → a :class:`~shaoyang_report.read.document.Document`.

Scanned PDFs (pages without a text layer), table pictures saved beside a web page
(``<img>``) and bare ``.png``/``.jpg``/``.tif`` pages are drawn or decoded
(:mod:`.images`), each page read (:func:`.geometry.read_page`), and its prose lines and
table rows made into the Document's lines (:func:`page_lines`).

Locations name the page (``image`` for a picture in a web page) and the box in the
page image's pixels, then the grid cell: ``page 3, x 412–447, y 880–902, table 1, row 5,
col 2``; prose lines ``page 2, x 157–1078, y 183–216``. The recognition confidence of
each token is kept in :attr:`Document.confidence <shaoyang_report.read.document.Document>`
(the facts' ``confidence`` column).

Pages are read in parallel with ``read_report(path, workers=2)`` (:func:`page_workers`;
processes, each with its own engine on ``cores // workers`` ONNX Runtime threads). A PDF
with a text layer never imports the engine, ONNX Runtime or OpenCV.

After OCR the format's sum rules run as for any report; a failing rule that a one-digit
misread would explain is marked by :mod:`shaoyang_report.check.misreads` (never corrected).
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_PDF_PAGES, Budget
from shaoyang_report.read.cells import PAGE_NUMBER_RE, split_cells
from shaoyang_report.read.document import Document, Line, Token
from shaoyang_report.read.readers.ocr.engine import (
    CALLS,
    OcrUnavailable,
    forget_results,
    ocr_available,
    unavailable,
    use_threads,
)
from shaoyang_report.read.readers.ocr.geometry import PageRead, PageTable, ProseLine, read_page
from shaoyang_report.read.readers.ocr.images import decode_images, pdf_page_images

#: Images in a web page smaller than this (pixels, either side) are icons, not tables.
MIN_IMAGE_SIDE = 200


def _box_text(box: tuple[int, int, int, int]) -> str:
    x0, y0, x1, y1 = box
    return f"x {x0}–{x1}, y {y0}–{y1}"


def page_lines(read: PageRead, page: str, budget: Budget, confidence: dict[str, float]) -> list[Line]:
    """The lines of one page read by OCR: prose lines and table rows, top to bottom.

    Args:
        read: What :func:`read_page` found.
        page: The page's name in locations (``page 3``, ``image 2``).
        budget: The document's counts against the caps of :mod:`shaoyang_report.limits`.
        confidence: Location → recognition confidence, filled in.
    """
    from shaoyang_report.read.readers.grid import GridCell, table_lines

    blocks: list[tuple[int, int, ProseLine | PageTable]] = [(p.top, 0, p) for p in read.prose]
    blocks += [(t.top, 1, t) for t in read.tables]
    lines: list[Line] = []
    n_table = 0
    for _, _kind, block in sorted(blocks, key=lambda b: (b[0], b[1])):
        if isinstance(block, ProseLine):  # kind 0
            text = block.text
            if PAGE_NUMBER_RE.match(text):
                continue  # a page number
            location = f"{page}, {_box_text(block.box)}"
            budget.line(text, location)
            tokens = split_cells(text, location)
            budget.tokens(len(tokens), location)
            lines.append(Line(text, location, tokens))
            confidence[location] = round(block.confidence, 4)
            continue
        n_table += 1
        budget.cells(len(block.cells), f"{page}, table {n_table}")
        rows: dict[int, list[GridCell]] = {}
        where = {}
        for cell in block.cells:
            rows.setdefault(cell.row, []).append(GridCell(cell.row, cell.col, cell.text))
            where[(cell.row + 1, cell.col + 1)] = cell
        head = f"{page}, table"
        for line in table_lines([rows[r] for r in sorted(rows)], n_table, prefix=head):
            tokens = []
            for tok in line.tokens:
                m = _GRID_LOCATION.match(tok.location, len(head))
                placed = where.get((int(m["row"]), int(m["col"]))) if m else None
                if placed is None or placed.box is None:
                    tokens.append(tok)
                    continue
                location = f"{page}, {_box_text(placed.box)}, table{tok.location[len(head):]}"
                tokens.append(Token(tok.text, location, tok.kind))
                if placed.confidence is not None:
                    confidence[location] = round(placed.confidence, 4)
            budget.line(line.text, line.location)
            budget.tokens(len(tokens), line.location)
            lines.append(Line(line.text, line.location, tokens))
    return lines


_GRID_LOCATION = re.compile(r" \d+, row (?P<row>\d+), col (?P<col>\d+)")


def _read_one(job: tuple[str, object]) -> PageRead:
    """A worker's job: one page image → what was read of it."""
    _, image = job
    return read_page(image)


def _init_worker(threads: int) -> None:
    use_threads(threads)  # this process's own engine, on these threads
    forget_results()


_WORKERS: contextvars.ContextVar[int] = contextvars.ContextVar("ocr_page_workers", default=1)


@contextmanager
def page_workers(workers: int | None) -> Iterator[None]:
    """Within the block, pages are OCR'd on ``workers`` processes (what ``read_report(…, workers=)`` sets).

    The readers below :func:`~shaoyang_report.read.report.read_report` (PDF, web page,
    image files) take the number from here, so it need not be passed through each.

    Example:
        >>> with page_workers(2):
        ...     _WORKERS.get()
        2
        >>> _WORKERS.get()
        1
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a whole number ≥ 1, not {workers!r}")
    token = _WORKERS.set(workers or 1)
    try:
        yield
    finally:
        _WORKERS.reset(token)


def read_pages(images: list[tuple[str, object]], source: object, workers: int | None = None) -> list[tuple[str, PageRead]]:
    """OCR page images, in parallel when ``workers`` > 1 (processes, one engine each).

    With several workers each engine runs ONNX Runtime on ``cores // workers`` threads
    (1 on 2 cores): its own intra-op threads gain nothing on top of page-per-process
    parallelism (``benchmarks/bench_ocr.py``). The time to start the processes and load
    the models in each (about 1 s) is paid per call: worth it from 2 pages on.

    Args:
        images: ``(page name, RGB array)`` per page, in order.
        source: The file name, for messages.
        workers: Processes to read pages in; 1 reads them here; None: as set by
            :func:`page_workers` (default 1).

    Raises:
        OcrUnavailable: The OCR extra is not installed.
    """
    if not ocr_available():
        raise unavailable(source)
    if workers is None:
        workers = _WORKERS.get()
    workers = max(1, min(int(workers or 1), len(images)))
    if workers == 1:
        return [(name, read_page(image)) for name, image in images]
    threads = max(1, (os.cpu_count() or 1) // workers)
    # not fork: a process forked while ONNX Runtime's or OpenCV's threads hold a lock waits on it forever
    import multiprocessing

    context: multiprocessing.context.BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # the server imports the engine's libraries once (no engine made, no thread started): each worker
        # forked from it then only loads the models
        context.set_forkserver_preload([__name__, "numpy", "cv2", "rapidocr_onnxruntime"])
    else:
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(threads,)) as pool:
        reads = list(pool.map(_read_one, images))
    CALLS["pages"] += len(images)
    return [(name, read) for (name, _), read in zip(images, reads)]


def document_of_images(images: list[tuple[str, object]], source: str, workers: int | None = None) -> Document:
    """A Document of page images read by OCR (a grid document, as HTML and Word give).

    Raises:
        ReportFormatError: No text was found on any page; the OCR extra is not installed.
    """
    reads = read_pages(images, source, workers)
    budget = Budget(source)
    confidence: dict[str, float] = {}
    lines: list[Line] = []
    for name, read in reads:
        lines += page_lines(read, name, budget, confidence)
    if not lines:
        raise ReportFormatError(source, "no text was found by OCR in the image(s); expected a scanned "
                                "政府信息公开工作年度报告")
    return Document(source=source, lines=lines, reader="ocr", grid=True,
                    ocr_pages=tuple(name for name, _ in reads), confidence=confidence)


def read_image_files(data: Sequence[bytes], source: str, workers: int | None = None) -> Document:
    """Read one report printed as image files (PNG, JPEG, TIFF), its pages in the order given.

    Raises:
        ReportFormatError: An image is damaged, too large, or no text is found; the OCR
            extra is not installed.
    """
    if not ocr_available():
        raise unavailable(source)
    images: list[tuple[str, object]] = []
    for blob in data:
        for image in decode_images(blob, source):
            images.append((f"page {len(images) + 1}", image))
            if len(images) > MAX_PDF_PAGES:
                raise ReportFormatError(source, f"over {MAX_PDF_PAGES} pages; a report has far fewer "
                                        "(limit MAX_PDF_PAGES in shaoyang_report.limits)")
    return document_of_images(images, source, workers)


def read_scanned_pdf(data: bytes, source: str, pages_words: list, text_document: Callable[[], Document] | None,
                     workers: int | None = None) -> Document:
    """A PDF some or all of whose pages have no text layer: those pages OCR'd, the others read as text.

    Args:
        data: The PDF's bytes.
        source: The file name.
        pages_words: Per page, its words from the text layer (empty: no text layer).
        text_document: Builds the Document of the text pages (None: no page has text).
        workers: Processes to OCR pages in (None: as :func:`page_workers` sets).

    Raises:
        ReportFormatError: The OCR extra is not installed, or nothing could be read.
    """
    if not ocr_available():
        raise unavailable(source)
    numbers = [n for n, words in enumerate(pages_words, start=1) if not words]
    drawn = pdf_page_images(data, numbers, source)
    try:
        ocr_doc = document_of_images([(f"page {n}", drawn[n]) for n in numbers if n in drawn], source, workers) \
            if drawn else None
    except OcrUnavailable:
        raise
    except ReportFormatError:
        if text_document is not None:
            ocr_doc = None
        else:
            raise ReportFormatError(source, "the PDF has no text layer: its pages are images (a scan), and OCR "
                                    "found no text on them") from None
    if text_document is None:
        if ocr_doc is None:
            raise ReportFormatError(source, "the PDF has no text layer and nothing drawn on its pages")
        return ocr_doc
    doc = text_document()
    if ocr_doc is None:
        return doc
    lines = sorted(doc.lines + ocr_doc.lines, key=lambda ln: _page_of(ln.location))  # stable: each page in order
    return Document(source=source, lines=lines, reader=doc.reader, grid=True, ocr_pages=ocr_doc.ocr_pages,
                    confidence=ocr_doc.confidence)


def _page_of(location: str) -> int:
    m = re.match(r"page (\d+)", location)
    return int(m.group(1)) if m else 0


def image_lines(images: list[tuple[int, str]], base: Path, source: str, budget: Budget,
                confidence: dict[str, float]) -> tuple[dict[int, list[Line]], list[str]]:
    """The lines of a web page's ``<img>`` tables, read where each image stands.

    Args:
        images: ``(index of the line the image stands before, src)`` in page order.
        base: The folder the page was saved in; only images inside it are read.
        source: The page's file name.
        budget: The page's counts against the caps.
        confidence: Location → recognition confidence, filled in.

    Returns:
        Line index → the lines read from the images there, and the names of the images read
        (``image 2``: the page's second ``<img>`` read).

    Raises:
        OcrUnavailable: An image beside the page is to be read and the OCR extra is not installed.
    """
    from urllib.parse import unquote, urlsplit

    from shaoyang_report.read.readers.files import read_bytes
    from shaoyang_report.read.readers.sniff import sniff

    found = []
    root = base.resolve()
    for at, src in images:
        if not src:
            continue
        parts = urlsplit(src.strip())
        if parts.scheme or parts.netloc:
            continue  # on the web, not saved beside the page
        path = (base / unquote(parts.path)).resolve()
        if root not in path.parents or not path.is_file():
            continue
        data = read_bytes(path)
        if sniff(data) != "image":
            continue
        found.append((at, path.name, data))
    if not found:
        return {}, []
    if not ocr_available():
        raise unavailable(source)
    pages: list[tuple[int, str, object]] = []
    for at, name, data in found:
        for image in decode_images(data, name):
            if min(image.shape[:2]) < MIN_IMAGE_SIDE:
                continue  # an icon or a logo
            pages.append((at, f"image {len(pages) + 1}", image))
    reads = read_pages([(name, image) for _, name, image in pages], source)
    out: dict[int, list[Line]] = {}
    for (at, _, _), (name, read) in zip(pages, reads):
        out.setdefault(at, []).extend(page_lines(read, name, budget, confidence))
    return out, [name for _, name, _ in pages]
