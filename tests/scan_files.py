"""Hostile scans built in the tests (nothing hostile is committed): many large pages in a small file."""

from __future__ import annotations

import io
import struct


def tiff_of_blank_pages(width: int, height: int, pages: int) -> bytes:
    """A TIFF of ``pages`` blank 1-bit pages of ``width`` × ``height``, CCITT G4 compressed (a few KB a page).

    One page is encoded by Pillow; its strips are copied under one directory (IFD) per
    page, written by hand: 300 pages of 59 million pixels are built in a fraction of a second.
    """
    from PIL import Image

    one = io.BytesIO()
    Image.new("1", (width, height), 1).save(one, "TIFF", compression="group4")
    with Image.open(io.BytesIO(one.getvalue())) as img:
        offsets, counts = img.tag_v2[273], img.tag_v2[279]
        rows, photometric = img.tag_v2[278], img.tag_v2[262]
    raw = one.getvalue()
    strips = b"".join(raw[o:o + c] for o, c in zip(offsets, counts))
    n = len(counts)
    out = io.BytesIO()
    out.write(b"II*\x00" + struct.pack("<I", 0))
    link = 4  # where the offset of the next directory is written
    for _ in range(pages):
        start = out.tell()
        out.write(strips)
        page_offsets = [start + sum(counts[:k]) for k in range(n)]
        arrays = out.tell()
        out.write(struct.pack(f"<{n}I", *page_offsets) + struct.pack(f"<{n}I", *counts))
        directory = out.tell()
        entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 1), (259, 3, 1, 4), (262, 3, 1, photometric),
                   (273, 4, n, page_offsets[0] if n == 1 else arrays), (277, 3, 1, 1), (278, 4, 1, rows),
                   (279, 4, n, counts[0] if n == 1 else arrays + 4 * n)]
        out.write(struct.pack("<H", len(entries)))
        for tag, kind, count, value in entries:
            out.write(struct.pack("<HHI", tag, kind, count)
                      + (struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)))
        following = out.tell()
        out.write(struct.pack("<I", 0))
        end = out.tell()
        out.seek(link)
        out.write(struct.pack("<I", directory))
        out.seek(end)
        link = following
    return out.getvalue()


def pdf_of_blank_pages(pages: int, width_pt: float, height_pt: float, image_px: tuple[int, int]) -> bytes:
    """A PDF of ``pages`` pages without a text layer, each drawing one shared blank image over the whole page."""
    import pymupdf
    from PIL import Image

    png = io.BytesIO()
    Image.new("1", image_px, 1).save(png, "PNG")
    doc = pymupdf.open()
    xref = 0
    for _ in range(pages):
        page = doc.new_page(width=width_pt, height=height_pt)
        xref = page.insert_image(page.rect, xref=xref) if xref else page.insert_image(page.rect, stream=png.getvalue())
    return doc.tobytes(deflate=True, garbage=3)
