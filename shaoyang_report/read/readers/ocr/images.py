"""Page images: image files (PNG, JPEG, TIFF) decoded, and PDF pages drawn, as RGB arrays.

A page image over :data:`~shaoyang_report.limits.MAX_IMAGE_PIXELS` is refused from its
header, before it is decoded. Pillow, pypdfium2 and numpy are imported only when an
image is to be had.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_IMAGE_PIXELS, MAX_PDF_PAGES, refuse

#: Resolution a PDF page without a text layer is drawn at when it holds no image to go by.
PDF_DPI = 200
#: Resolution range a scanned PDF page is drawn at (its image's own, within these).
PDF_DPI_RANGE = (120, 300)


def decode_images(data: bytes, source: object) -> list:
    """The pages of an image file (a TIFF may hold several) as RGB arrays.

    Each page's size is checked from its header before it is decoded
    (:data:`~shaoyang_report.limits.MAX_IMAGE_PIXELS`): a decompression bomb is refused
    unread, whatever Pillow's own limit (``Image.MAX_IMAGE_PIXELS``) is set to.

    Raises:
        ReportFormatError: The image is damaged, or implausibly large.
    """
    import warnings

    import numpy as np
    from PIL import Image, ImageSequence

    def too_large(w: int, h: int) -> ReportFormatError:
        return refuse(source, f"the image is {w:,}×{h:,} = {w * h:,} pixels, over {MAX_IMAGE_PIXELS:,}; a scanned "
                      "page has far fewer", "MAX_IMAGE_PIXELS")

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked here
            img = Image.open(io.BytesIO(data))
            pages = []
            for k, frame in enumerate(ImageSequence.Iterator(img), start=1):
                if k > MAX_PDF_PAGES:
                    raise refuse(source, f"the image holds over {MAX_PDF_PAGES} pages; a report has far fewer",
                                 "MAX_PDF_PAGES")
                w, h = frame.size
                if w * h > MAX_IMAGE_PIXELS:
                    raise too_large(w, h)
                pages.append(np.asarray(frame.convert("RGB")))
    except ReportFormatError:
        raise
    except Image.DecompressionBombError as exc:  # over twice Pillow's own limit: refused when opened
        size = re.findall(r"\d+", str(exc))
        pixels = f"{int(size[0]):,}" if size else "far more"
        raise refuse(source, f"the image is {pixels} pixels, over {MAX_IMAGE_PIXELS:,}; a scanned page has far "
                     "fewer", "MAX_IMAGE_PIXELS") from None
    except Exception as exc:  # Pillow's own error on a damaged or cut file
        raise ReportFormatError(source, f"the image is damaged or truncated: it cannot be read "
                                f"({type(exc).__name__}: {exc})") from None
    return pages


def pdf_page_images(data: bytes, numbers: Sequence[int], source: object) -> dict[int, object]:
    """Draw the given pages (1-based) of a PDF as RGB arrays, at their scan's resolution.

    A page is drawn at the resolution of the largest image on it (so a scan is read at
    the resolution it was made at), within :data:`PDF_DPI_RANGE`; a page without an
    image at :data:`PDF_DPI`. Pages with nothing drawn on them are left out.
    """
    import numpy as np
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    out: dict[int, object] = {}
    pdf = pdfium.PdfDocument(data)
    try:
        for number in numbers:
            page = pdf[number - 1]
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
                continue
            dpi = PDF_DPI if dpi is None else min(max(dpi, PDF_DPI_RANGE[0]), PDF_DPI_RANGE[1])
            if width_pt * height_pt * (dpi / 72) ** 2 > MAX_IMAGE_PIXELS:
                dpi = 72 * math.sqrt(MAX_IMAGE_PIXELS / (width_pt * height_pt))
            bitmap = page.render(scale=dpi / 72)
            out[number] = np.asarray(bitmap.to_pil().convert("RGB"))
    finally:
        pdf.close()
    return out
