"""Reports published as images → a Document, by OCR (the optional extra ``shaoyang-report[ocr]``).

- :mod:`.engine`: RapidOCR on ONNX Runtime, the text boxes of a page image;
- :mod:`.images`: image files and PDF pages as page images, measured first, each decoded
  or drawn when read;
- :mod:`.geometry`: one page image and its text boxes → its tables and prose lines;
- :mod:`.pages`: page images, one at a time (or one per worker), → the Document's lines.

Nothing here imports the engine, ONNX Runtime or OpenCV until a page is an image.
"""

from shaoyang_report.read.readers.ocr.engine import (
    OCR_EXTRA,
    OcrUnavailable,
    TextBox,
    ocr_available,
    recognise,
)
from shaoyang_report.read.readers.ocr.geometry import PageRead, read_page
from shaoyang_report.read.readers.ocr.pages import (
    image_lines,
    page_workers,
    read_image_files,
    read_pages,
    read_scanned_pdf,
)

__all__ = ["OCR_EXTRA", "OcrUnavailable", "PageRead", "TextBox", "image_lines", "ocr_available", "page_workers",
           "read_image_files", "read_page", "read_pages", "read_scanned_pdf", "recognise"]
