"""Where the reports are parsed: in this process, on worker processes, or on a Dask cluster.

:func:`engine` chooses (and, for ``engine="dask"``, connects to the cluster through
:mod:`shaoyang_report.corpus.distributed`, imported only then); :func:`parse_batches`
hands the files out in chunks and gives back one
:class:`~shaoyang_report.corpus.parse.ParsedBatch` per chunk, in the order of the files.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from shaoyang_report.corpus.parse import Job, ParsedBatch, parse_files

#: Where the reports are parsed: ``local`` (this process, or ``workers`` processes) or ``dask`` (a cluster).
ENGINES = ("local", "dask")


@contextmanager
def engine(name: str, scheduler, workers: int) -> Iterator:
    """The Dask run of ``engine="dask"`` (connected to its cluster for the block), or ``None`` for local parsing.

    Raises:
        ValueError: An unknown engine, or ``workers``/``scheduler`` given with the wrong one.
        ImportError: ``engine="dask"`` without Dask installed.
    """
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, not {name!r}")
    if name == "local":
        if scheduler is not None:
            raise ValueError("scheduler= names a Dask cluster: it goes with engine='dask'")
        yield None
        return
    if workers != 1:
        raise ValueError("workers= is for engine='local': with engine='dask' the cluster's workers read the reports")
    from shaoyang_report.corpus.distributed import connect

    with connect(scheduler) as run:
        yield run


def _chunk_size(n: int, workers: int, batch: int) -> int:
    if workers <= 1:
        return max(1, batch)
    # several chunks per worker so the last ones finish together; at most `batch` reports each
    return max(1, min(batch, 32, math.ceil(n / (workers * 8))))


def parse_batches(jobs: list[Job], workers: int = 1, batch: int = 64, cluster=None) -> Iterator[ParsedBatch]:
    """Parse jobs in chunks, in order: in this process, on ``workers`` processes, or on a Dask cluster.

    Worker processes get chunks of jobs and send back one :class:`ParsedBatch` per
    chunk; at most two chunks per worker are in flight, so results never pile up.
    With ``cluster`` (what :func:`engine` gives for ``engine="dask"``), the chunks are
    ``dask.bag`` partitions parsed by the cluster's workers.
    """
    if cluster is not None:
        yield from cluster.parse_batches(jobs, batch)
        return
    size = _chunk_size(len(jobs), workers, batch)
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    if workers <= 1 or len(chunks) < 2:
        for chunk in chunks:
            yield parse_files(chunk)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        ahead = iter(chunks)
        for chunk in ahead:
            pending.append(pool.submit(parse_files, chunk))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result = pending.popleft().result()
            nxt = next(ahead, None)
            if nxt is not None:
                pending.append(pool.submit(parse_files, nxt))
            yield result


def progress_bar(total: int, progress: bool | None, desc: str):
    """A tqdm bar counting reports (``progress=None``: shown only on a terminal)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="report", disable=(not progress) if progress is not None else None)
