"""Speed of reading reports by OCR: seconds per page on 1 and 2 workers. Prints figures; asserts nothing.

Usage::

    .venv/bin/python benchmarks/bench_ocr.py            # both Hongze reports, clean and degraded (about 6 min on 2 cores)
    .venv/bin/python benchmarks/bench_ocr.py --quick    # the 2023 report only (about 3 min)

The pages are the two real five-page 洪泽区 PDFs (``../shared/reports/huaian``) drawn at
150 dpi (the ``clean`` variant), and a ``degraded`` copy as tests/test_ocr.py makes it
(110 dpi, turned 0.7°, light noise, JPEG quality 40). Each is read with
:func:`shaoyang_report.read.readers.ocr.pages.read_pages` (OCR, table structure, second reading
of short numbers; not the template reader, which takes milliseconds):

* ``1 worker, ONNX threads default``: one process, ONNX Runtime's default intra-op
  threads (all cores) — what ``read_report(path)`` does;
* ``1 worker, ONNX threads 1``: one process, one thread — what intra-op threads give;
* ``2 workers``: a pool of 2 processes, 1 ONNX thread each — ``read_report(path, workers=2)``;
  the time includes starting the pool and loading the models in each process (about
  1 s), as a call of ``read_report`` pays it.

Results are not cached between runs (the per-process cache is cleared). First, one page is
read twice in this process: the first time loads the models (``with model loading``), the
second does not (``models loaded``).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORTS = HERE.parent.parent / "shared" / "reports" / "huaian"
sys.path.insert(0, str(HERE.parent))


def pages(year: int, dpi: int, degraded: bool) -> list:
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    pdf = pdfium.PdfDocument(str(REPORTS / f"hongze_district_{year}.pdf"))
    rng = np.random.default_rng(12)
    out = []
    try:
        for n in range(len(pdf)):
            image = pdf[n].render(scale=dpi / 72).to_pil().convert("RGB")
            if degraded:
                image = image.rotate(0.7, resample=Image.BICUBIC, expand=False, fillcolor="white")
                pixels = np.asarray(image).astype(np.int16)
                pixels += rng.normal(0, 12, pixels.shape[:2])[..., None].astype(np.int16)
                buf = io.BytesIO()
                Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=40)
                image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
            out.append((f"page {n + 1}", np.asarray(image)))
    finally:
        pdf.close()
    return out


def run(images: list, workers: int, threads: int | None) -> float:
    from shaoyang_report.read.readers.ocr import engine
    from shaoyang_report.read.readers.ocr.geometry import read_page
    from shaoyang_report.read.readers.ocr.pages import read_pages

    engine.forget_results()
    if workers == 1:
        engine.use_threads(-1 if threads is None else threads)
        read_page(images[0][1])  # models loaded, first run's allocations made: not counted for one worker
        engine.forget_results()
    start = time.perf_counter()
    read_pages(images, "bench", workers=workers)
    return time.perf_counter() - start


def model_loading(image) -> tuple[float, float]:
    """Seconds to read one page the first time in a process (the models loaded) and again (loaded)."""
    from shaoyang_report.read.readers.ocr import engine
    from shaoyang_report.read.readers.ocr.geometry import read_page

    start = time.perf_counter()
    read_page(image)
    first = time.perf_counter() - start
    engine.forget_results()
    start = time.perf_counter()
    read_page(image)
    return first, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the 2023 report only")
    parser.add_argument("--loading", action="store_true", help="only one page with and without model loading")
    args = parser.parse_args()
    years = (2023,) if args.quick else (2023, 2024)
    print(f"OCR of the 洪泽区 reports ({', '.join(map(str, years))}), {os.cpu_count()} cores; seconds per page"
          f" (load average {os.getloadavg()[0]:.1f})")
    first, again = model_loading(pages(years[0], 150, False)[0][1])
    print(f"  one page, clean 150 dpi, 1 worker: {first:5.2f} s with model loading, {again:5.2f} s with the models "
          f"loaded (loading: {first - again:.2f} s)")
    if args.loading:
        return
    for variant, dpi, degraded in (("clean 150 dpi", 150, False), ("degraded 110 dpi", 110, True)):
        images = [p for year in years for p in pages(year, dpi, degraded)]
        figures = {}
        for label, workers, threads in (("1 worker, ONNX threads default", 1, None),
                                        ("1 worker, ONNX threads 1", 1, 1),
                                        ("2 workers (1 ONNX thread each)", 2, None)):
            seconds = run(images, workers, threads)
            figures[label] = seconds
            print(f"  {variant:17s} {len(images):2d} pages, {label:31s}: {seconds:6.1f} s, "
                  f"{seconds / len(images):5.2f} s/page")
        one, two = figures["1 worker, ONNX threads default"], figures["2 workers (1 ONNX thread each)"]
        print(f"  {variant:17s} 2 workers vs 1: {one / two:.2f}×")


if __name__ == "__main__":
    main()
