"""Page images read by OCR → a :class:`~shaoyang_report.read.document.Document`.

Scanned PDFs (pages without a text layer), table pictures saved beside a web page
(``<img>``) and bare ``.png``/``.jpg``/``.tif`` pages are measured, then drawn or decoded
one at a time (:mod:`.images`), each page read (:func:`.geometry.read_page`) and dropped,
and its prose lines and table rows made into the Document's lines (:func:`page_lines`).

Scans are bounded in memory and time (:class:`~shaoyang_report.limits.ScanBudget`): the
pixels of all a report's pages are counted before the first is decoded
(:data:`~shaoyang_report.limits.MAX_SCAN_PIXELS`), only the page being read (one per
worker) is held decoded, and OCR stops past
:data:`~shaoyang_report.limits.MAX_OCR_SECONDS` of wall-clock time.

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
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_PDF_PAGES, Budget, ScanBudget
from shaoyang_report.read.cells import PAGE_NUMBER_RE, split_cells
from shaoyang_report.read.document import Document, Line, Token
from shaoyang_report.read.readers.ocr.engine import (
    CALLS,
    forget_results,
    ocr_available,
    unavailable,
    use_threads,
)
from shaoyang_report.read.readers.ocr.geometry import PageRead, PageTable, ProseLine, read_page
from shaoyang_report.read.readers.ocr.images import PageImage, image_pages, pdf_pages

#: Images in a web page smaller than this (pixels, either side) are icons, not tables.
MIN_IMAGE_SIDE = 200


class NoTextFound(ReportFormatError):
    """OCR found no text on any page."""


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


def _as_page(page: PageImage | tuple[str, object]) -> PageImage:
    """A page given as ``(name, RGB array)`` (already decoded) as a :class:`PageImage`."""
    if isinstance(page, PageImage):
        return page
    name, image = page
    height, width = image.shape[:2]  # type: ignore[attr-defined]
    return PageImage(name, width, height, lambda: image)


def read_pages(pages: Sequence[PageImage | tuple[str, object]], source: object,
               workers: int | None = None) -> list[tuple[str, PageRead]]:
    """OCR page images one at a time, or in parallel when ``workers`` > 1 (processes, one engine each).

    The pixels of all pages are counted first (before any is decoded or drawn); each
    page is then decoded or drawn when its turn comes and dropped once read: at most
    one page per worker is held decoded. OCR stops once it has run longer than
    :data:`~shaoyang_report.limits.MAX_OCR_SECONDS`.

    With several workers each engine runs ONNX Runtime on ``cores // workers`` threads
    (1 on 2 cores): its own intra-op threads gain nothing on top of page-per-process
    parallelism (``benchmarks/bench_ocr.py``). The time to start the processes and load
    the models in each (about 1 s) is paid per call: worth it from 2 pages on.

    A progress bar counts the pages read (tqdm, on standard error; shown only on a
    terminal, as the corpus's batches are): a scan's pages take seconds each.

    Args:
        pages: The pages in order: :class:`~.images.PageImage` objects (or ``(page name,
            RGB array)`` pairs, already decoded).
        source: The file name, for messages.
        workers: Processes to read pages in; 1 reads them here; None: as set by
            :func:`page_workers` (default 1).

    Raises:
        OcrUnavailable: The OCR extra is not installed.
        ReportFormatError: The pages hold more pixels than
            :data:`~shaoyang_report.limits.MAX_SCAN_PIXELS`, or OCR took longer than
            :data:`~shaoyang_report.limits.MAX_OCR_SECONDS`.
    """
    if not ocr_available():
        raise unavailable(source)
    todo = [_as_page(p) for p in pages]
    budget = ScanBudget(source)
    for page in todo:  # all of them before the first is decoded
        budget.pixels(page.pixels, page.name)
    if workers is None:
        workers = _WORKERS.get()
    workers = max(1, min(int(workers or 1), len(todo)))
    out: list[tuple[str, PageRead]] = []
    from tqdm import tqdm

    bar = tqdm(total=len(todo), desc=f"OCR {Path(str(source)).name}", unit="page", disable=None, leave=False)
    if workers == 1:
        for page in todo:
            budget.time(len(out), len(todo), page.name)
            out.append((page.name, read_page(page.load())))
            bar.update(1)
        bar.close()
        return out
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
        waiting = iter(todo)
        running: deque = deque()

        def start_next() -> None:
            page = next(waiting, None)
            if page is not None:  # decoded here, sent to a worker, dropped here once read
                running.append((page.name, pool.submit(_read_one, (page.name, page.load()))))

        for _ in range(workers):
            start_next()
        while running:
            name, future = running.popleft()
            out.append((name, future.result()))
            CALLS["pages"] += 1
            bar.update(1)
            budget.time(len(out), len(todo), name)
            start_next()
    bar.close()
    return out


def document_of_images(pages: Sequence[PageImage | tuple[str, object]], source: str,
                       workers: int | None = None) -> Document:
    """A Document of page images read by OCR (a grid document, as HTML and Word give).

    Raises:
        ReportFormatError: No text was found on any page; the pages are too large, or
            took too long (see :func:`read_pages`); the OCR extra is not installed.
    """
    reads = read_pages(pages, source, workers)
    budget = Budget(source)
    confidence: dict[str, float] = {}
    lines: list[Line] = []
    for name, read in reads:
        lines += page_lines(read, name, budget, confidence)
    if not lines:
        raise NoTextFound(source, "no text was found by OCR in the image(s); expected a scanned "
                          "政府信息公开工作年度报告")
    return Document(source=source, lines=lines, reader="ocr", grid=True,
                    ocr_pages=tuple(name for name, _ in reads), confidence=confidence)


def read_image_files(data: Sequence[bytes | Callable[[], bytes]], source: str, workers: int | None = None) -> Document:
    """Read one report printed as image files (PNG, JPEG, TIFF), its pages in the order given.

    Args:
        data: Each file's bytes, or a function that reads them (the file is then read
            when its pages are measured and again when each is decoded, not kept).
        source: The report's name, for messages.
        workers: Processes to OCR pages in (None: as :func:`page_workers` sets).

    Raises:
        ReportFormatError: An image is damaged, too large, or no text is found; the OCR
            extra is not installed.
    """
    if not ocr_available():
        raise unavailable(source)
    pages: list[PageImage] = []
    for blob in data:
        pages += image_pages(blob, source, "page", len(pages) + 1)
        if len(pages) > MAX_PDF_PAGES:
            raise ReportFormatError(source, f"over {MAX_PDF_PAGES} pages; a report has far fewer "
                                    "(limit MAX_PDF_PAGES in shaoyang_report.limits)")
    return document_of_images(pages, source, workers)


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
        ReportFormatError: The OCR extra is not installed, the scanned pages are too
            large or took too long, or nothing could be read.
    """
    if not ocr_available():
        raise unavailable(source)
    numbers = [n for n, words in enumerate(pages_words, start=1) if not words]
    with pdf_pages(data, numbers, source) as drawn:
        try:
            ocr_doc = document_of_images(drawn, source, workers) if drawn else None
        except NoTextFound:
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
        base: The folder the page was saved in; only images inside it are read
            (:func:`~shaoyang_report.read.readers.files.picture_file`).
        source: The page's file name.
        budget: The page's counts against the caps.
        confidence: Location → recognition confidence, filled in.

    Returns:
        Line index → the lines read from the images there, and the names of the images read
        (``image 2``: the page's second ``<img>`` read).

    Raises:
        OcrUnavailable: An image beside the page is to be read and the OCR extra is not installed.
    """
    from shaoyang_report.read.readers.files import picture_file, read_bytes
    from shaoyang_report.read.readers.sniff import sniff

    found = []
    for at, src in images:
        path = picture_file(src, base)
        if path is None or sniff(read_bytes(path)) != "image":
            continue
        found.append((at, path))
    if not found:
        return {}, []
    if not ocr_available():
        raise unavailable(source)
    pages: list[tuple[int, PageImage]] = []
    for at, path in found:  # measured here; each decoded when read, the file read again then
        for page in image_pages(partial(read_bytes, path), path.name, "image", 1):
            if min(page.width, page.height) < MIN_IMAGE_SIDE:
                continue  # an icon or a logo
            pages.append((at, replace(page, name=f"image {len(pages) + 1}")))
    reads = read_pages([page for _, page in pages], source)
    out: dict[int, list[Line]] = {}
    for (at, _), (name, read) in zip(pages, reads):
        out.setdefault(at, []).extend(page_lines(read, name, budget, confidence))
    return out, [page.name for _, page in pages]
