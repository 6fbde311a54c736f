"""Page images: image files (PNG, JPEG, TIFF) and PDF pages, measured first and decoded or drawn one at a time.

A report's pages are :class:`PageImage` objects: each knows its size in pixels before
it is decoded or drawn (from the image's header, from the PDF page's size and the
resolution it will be drawn at), so the pixels of all pages are counted against the
caps of :mod:`shaoyang_report.limits` (:data:`~shaoyang_report.limits.MAX_IMAGE_PIXELS`
a page, :data:`~shaoyang_report.limits.MAX_SCAN_PIXELS` a report) before any page is
decoded; then :meth:`PageImage.load` decodes or draws one page as an RGB array when its
turn to be read comes, and it is dropped once read. Pillow, pypdfium2 and numpy are
imported only when an image is to be had.

Example:
    >>> import io
    >>> from PIL import Image
    >>> png = io.BytesIO()
    >>> Image.new("L", (300, 200), 255).save(png, "PNG")
    >>> [(p.width, p.height) for p in image_pages(png.getvalue(), "a.png", "page", 1)]
    [(300, 200)]
    >>> image_pages(png.getvalue(), "a.png", "page", 1)[0].load().shape
    (200, 300, 3)
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_IMAGE_PIXELS, MAX_PDF_PAGES, refuse

#: Resolution a PDF page without a text layer is drawn at when it holds no image to go by.
PDF_DPI = 200
#: Resolution range a scanned PDF page is drawn at (its image's own, within these).
PDF_DPI_RANGE = (120, 300)


@dataclass(frozen=True)
class PageImage:
    """One page image to read: its name in locations, its size, and how to decode or draw it.

    Attributes:
        name: The page's name in locations (``page 3``, ``image 2``).
        width, height: Its size in pixels, known before it is decoded or drawn.
        load: Decodes or draws it: an RGB ``numpy`` array of ``height`` × ``width`` × 3.
    """

    name: str
    width: int
    height: int
    load: Callable[[], Any]

    @property
    def pixels(self) -> int:
        """Its size in pixels."""
        return self.width * self.height


def too_large(source: object, what: str = "the image") -> ReportFormatError:
    """The error for a page that does not fit in the memory left (a ``MemoryError`` while decoding or drawing it)."""
    return ReportFormatError(source, f"{what} is too large to read: decoding it ran out of memory (MemoryError)")


@contextmanager
def _image_errors(source: object) -> Iterator[None]:
    """Pillow's errors as one :class:`ReportFormatError` naming the file: too large, or damaged."""
    from PIL import Image

    try:
        yield
    except ReportFormatError:
        raise
    except MemoryError:
        raise too_large(source) from None
    except Image.DecompressionBombError as exc:  # over twice Pillow's own limit: refused when opened
        size = re.findall(r"\d+", str(exc))
        pixels = f"{int(size[0]):,}" if size else "far more"
        raise refuse(source, f"the image is {pixels} pixels, over {MAX_IMAGE_PIXELS:,}; a scanned page has far "
                     "fewer", "MAX_IMAGE_PIXELS") from None
    except Exception as exc:  # Pillow's own error on a damaged or cut file
        raise ReportFormatError(source, f"the image is damaged or truncated: it cannot be read "
                                f"({type(exc).__name__}: {exc})") from None


@contextmanager
def _opened(data: bytes) -> Iterator[Any]:
    """The image file opened with Pillow, its own size warning off (the size is checked here)."""
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as img:
            yield img


def image_sizes(data: bytes, source: object) -> list[tuple[int, int]]:
    """The size of each page of an image file (a TIFF may hold several), read from its headers only.

    Raises:
        ReportFormatError: The image is damaged, holds over
            :data:`~shaoyang_report.limits.MAX_PDF_PAGES` pages, or a page is over
            :data:`~shaoyang_report.limits.MAX_IMAGE_PIXELS` (a decompression bomb is
            refused unread, whatever Pillow's own limit is set to).
    """
    from PIL import ImageSequence

    sizes = []
    with _image_errors(source), _opened(data) as img:
        for k, frame in enumerate(ImageSequence.Iterator(img), start=1):
            if k > MAX_PDF_PAGES:
                raise refuse(source, f"the image holds over {MAX_PDF_PAGES} pages; a report has far fewer",
                             "MAX_PDF_PAGES")
            w, h = frame.size
            if w * h > MAX_IMAGE_PIXELS:
                raise refuse(source, f"the image is {w:,}×{h:,} = {w * h:,} pixels, over {MAX_IMAGE_PIXELS:,}; a "
                             "scanned page has far fewer", "MAX_IMAGE_PIXELS")
            sizes.append((w, h))
    return sizes


def decode_page(data: bytes, index: int, source: object) -> Any:
    """Page ``index`` (from 0) of an image file as an RGB array (its size checked by :func:`image_sizes`).

    Raises:
        ReportFormatError: The image is damaged, or too large for the memory left.
    """
    import numpy as np

    with _image_errors(source), _opened(data) as img:
        img.seek(index)
        w, h = img.size
        if w * h > MAX_IMAGE_PIXELS:  # checked again: the file is read anew
            raise refuse(source, f"the image is {w:,}×{h:,} pixels, over {MAX_IMAGE_PIXELS:,}", "MAX_IMAGE_PIXELS")
        return np.asarray(img.convert("RGB"))


def image_pages(data: bytes | Callable[[], bytes], source: object, prefix: str, first: int) -> list[PageImage]:
    """The pages of an image file, measured; each decoded when loaded.

    Args:
        data: The file's bytes, or a function that reads them (called once to measure
            the pages and again to decode each: the bytes are not kept meanwhile).
        source: The file name, for messages.
        prefix: The pages' name in locations (``page``, ``image``).
        first: The number of the first page.

    Raises:
        ReportFormatError: See :func:`image_sizes`.
    """
    def read() -> bytes:
        return data() if callable(data) else data

    def loader(index: int) -> Callable[[], Any]:
        return lambda: decode_page(read(), index, source)

    return [PageImage(f"{prefix} {first + k}", w, h, loader(k)) for k, (w, h) in enumerate(image_sizes(read(), source))]


def _pdf_page_dpi(page, pdfium_c) -> float | None:
    """The resolution to draw a PDF page at (see :func:`pdf_pages`), or None when nothing is drawn on it."""
    width_pt, height_pt = page.get_size()
    dpi = None
    drawn = False
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        drawn = True
        try:
            px_w, _ = obj.get_px_size()
            left, _, right, _ = obj.get_pos()
        except Exception:  # an image the library cannot measure: the default resolution
            continue
        if right > left and px_w:
            found = px_w / ((right - left) / 72)
            dpi = found if dpi is None else max(dpi, found)
    if not drawn:
        drawn = any(True for _ in page.get_objects(max_depth=1))
    if not drawn:
        return None
    dpi = PDF_DPI if dpi is None else min(max(dpi, PDF_DPI_RANGE[0]), PDF_DPI_RANGE[1])
    if width_pt * height_pt * (dpi / 72) ** 2 > MAX_IMAGE_PIXELS:
        dpi = 72 * math.sqrt(MAX_IMAGE_PIXELS / (width_pt * height_pt))
    return dpi


def _draw(pdf, number: int, scale: float, source: object) -> Any:
    """Draw one PDF page as an RGB array (pdfium draws RGB; the array is copied out of its bitmap)."""
    import numpy as np

    page = pdf[number - 1]
    try:
        bitmap = page.render(scale=scale, rev_byteorder=True)
    except MemoryError:
        raise too_large(source, f"page {number}") from None
    try:
        return np.array(bitmap.to_numpy()[:, :, :3])
    except MemoryError:
        raise too_large(source, f"page {number}") from None
    finally:
        bitmap.close()
        page.close()


@contextmanager
def pdf_pages(data: bytes, numbers: Sequence[int], source: object) -> Iterator[list[PageImage]]:
    """The given pages (1-based) of a PDF as page images, measured; each drawn when loaded, while the block runs.

    A page is drawn at the resolution of the largest image on it (so a scan is read at
    the resolution it was made at), within :data:`PDF_DPI_RANGE`; a page without an
    image at :data:`PDF_DPI`; a page that would be over
    :data:`~shaoyang_report.limits.MAX_IMAGE_PIXELS` at less. Pages with nothing drawn
    on them are left out.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(data)
    try:
        out = []
        for number in numbers:
            page = pdf[number - 1]
            try:
                dpi = _pdf_page_dpi(page, pdfium_c)
                width_pt, height_pt = page.get_size()
            finally:
                page.close()
            if dpi is None:
                continue
            scale = dpi / 72
            # the size pdfium draws: its width and height in points times the scale, rounded up
            width, height = math.ceil(width_pt * scale - 1e-6), math.ceil(height_pt * scale - 1e-6)
            out.append(PageImage(f"page {number}", width, height, partial(_draw, pdf, number, scale, source)))
        yield out
    finally:
        pdf.close()
