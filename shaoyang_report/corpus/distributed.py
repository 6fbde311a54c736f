"""Reading reports on a Dask cluster: ``engine="dask"`` of :func:`~shaoyang_report.corpus.read.read_reports`
and :func:`~shaoyang_report.corpus.stream.write_facts`.

The files are cut into chunks and each chunk is a partition of a ``dask.bag``: a task
on one of the cluster's workers runs the parser every engine runs
(:func:`~shaoyang_report.corpus.parse.parse_files`) on it. For ``read_reports`` the workers
send back each chunk's columns (Arrow tables), gathered here in the order of the files:
the corpus is the one a local read gives. For ``write_facts(..., partition_by=[...])``
each task writes its chunk's facts into the dataset's staging folder itself, and only
the unreadable files come back; the staging folder is renamed into place at the end.

Dask is an optional dependency (``pip install 'shaoyang-report[dask]'``: ``dask`` and
``distributed``, both BSD-3-Clause); this module imports it only when an engine asks.

Running on an existing cluster::

    # one machine runs the scheduler (it prints its address, e.g. tcp://10.0.0.5:8786)
    dask scheduler
    # each machine runs workers: one process per core, one thread each (parsing holds
    # the GIL, so threads within a process do not add speed)
    dask worker tcp://10.0.0.5:8786 --nworkers auto --nthreads 1

    # then, from any machine that reaches the scheduler:
    shaoyang-report parse /shared/reports -o /shared/facts --partition-by year \\
        --scheduler tcp://10.0.0.5:8786

or in Python::

    import shaoyang_report as sr
    from distributed import Client

    client = Client("tcp://10.0.0.5:8786")
    corpus = sr.read_reports("/shared/reports", engine="dask", scheduler=client)
    sr.write_facts("/shared/reports", "/shared/facts", partition_by=["year"],
                   engine="dask", scheduler=client)

Every worker needs the same Python environment as the client, with
``shaoyang-report[dask]`` installed (the same version: the workers run its parser), and
sees the report files and the output folder at the same paths as the client (a
shared filesystem such as NFS; relative paths are made absolute on the client). A
worker that cannot open a file gives an error row for it, as a local read does; files
the workers wrote that the client cannot see make ``write_facts`` fail without
replacing the output.
"""

from __future__ import annotations

import math
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from shaoyang_report.corpus.parquet import write_partitioned
from shaoyang_report.corpus.parse import Job, ParsedBatch, parse_files

#: The optional dependency that brings Dask.
EXTRA = "shaoyang-report[dask]"


def _dask():
    """``(dask, distributed)``, or an ImportError naming the extra to install."""
    try:
        import dask
        import dask.bag  # the tasks are a bag's partitions
        import distributed
    except ImportError as exc:
        raise ImportError(f"engine='dask' needs Dask and dask.distributed, which are not installed: "
                          f"pip install '{EXTRA}' ({exc})") from exc
    return dask, distributed


@contextmanager
def connect(scheduler=None) -> Iterator[DaskRun]:
    """A :class:`DaskRun` on a cluster for the block.

    Args:
        scheduler: A scheduler address (``"tcp://host:8786"``), a ``distributed.Client``
            (used as it is, left open), or a cluster object such as a ``LocalCluster``.
            ``None``: the current client (the last ``Client`` made, or one made current
            with ``client.as_current()``), else the address in Dask's configuration
            (``scheduler-address``, e.g. from the environment variable
            ``DASK_SCHEDULER_ADDRESS``). A client this function makes is closed at the
            end of the block.

    Raises:
        ImportError: Dask is not installed (the message names the extra ``shaoyang-report[dask]``).
        ValueError: ``None`` and there is neither a current client nor a configured address.
        OSError: The scheduler cannot be reached.
    """
    dask, distributed = _dask()
    own = None
    if isinstance(scheduler, distributed.Client):
        client = scheduler
    elif scheduler is None:
        try:
            client = distributed.Client.current()
        except ValueError:
            address = dask.config.get("scheduler-address", None)
            if not address:
                raise ValueError("engine='dask' needs a cluster: scheduler='tcp://host:8786' (its address), a "
                                 "distributed.Client, a current client, or DASK_SCHEDULER_ADDRESS") from None
            client = own = _client(distributed, address)
    elif isinstance(scheduler, (str, os.PathLike)) or hasattr(scheduler, "scheduler_address"):
        client = own = _client(distributed, scheduler)
    else:
        raise TypeError(f"scheduler must be an address, a distributed.Client or a cluster, "
                        f"not {type(scheduler).__name__}")
    try:
        yield DaskRun(client)
    finally:
        if own is not None:
            own.close()


def _client(distributed, address):
    try:
        return distributed.Client(address, set_as_default=False)
    except OSError as exc:
        where = getattr(address, "scheduler_address", address)
        raise OSError(f"cannot reach the Dask scheduler at {where}: {exc}") from exc


class DaskRun:
    """Chunks of files parsed (or parsed and written) as ``dask.bag`` tasks on a connected cluster.

    Attributes:
        client: The ``distributed.Client``.
        threads: The cluster's worker threads when connected (chunk sizes follow it).
    """

    #: Groups of partitions in flight: one gathered while the next runs.
    GROUPS_IN_FLIGHT = 2

    def __init__(self, client) -> None:
        self.client = client
        self.threads = max(1, sum(client.nthreads().values()))

    def _results(self, chunks: Sequence[list[Job]], task: Callable, *args) -> Iterator:
        """``task(n, chunk, *args)`` for each chunk, as a bag's partitions, results in the chunks' order.

        The chunks go to the cluster in groups of a few per worker thread, each group a
        ``dask.bag`` of one chunk per partition; two groups are in flight at a time (one
        gathered while the next runs), so neither the cluster nor this process holds
        more than two groups' results.
        """
        import dask.bag as db

        size = max(2, 4 * self.threads)
        numbered = list(enumerate(chunks))
        groups = iter([numbered[i:i + size] for i in range(0, len(numbered), size)])

        def submit(group):
            bag = db.from_sequence(group, npartitions=len(group)).map_partitions(_run_part, task, *args)
            return self.client.compute(bag.to_delayed())

        pending: deque = deque()
        for group in groups:
            pending.append(submit(group))
            if len(pending) >= self.GROUPS_IN_FLIGHT:
                break
        while pending:
            futures = pending.popleft()
            results = self.client.gather(futures)
            del futures  # released: the cluster forgets them
            nxt = next(groups, None)
            if nxt is not None:
                pending.append(submit(nxt))
            for part in results:
                yield from part

    def parse_batches(self, jobs: list[Job], batch: int) -> Iterator[ParsedBatch]:
        """The jobs parsed on the cluster, one :class:`ParsedBatch` per chunk of at most ``batch`` files, in order."""
        size = max(1, min(batch, math.ceil(len(jobs) / (self.threads * 8))))
        chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
        for chunk, parsed in zip(chunks, self._results([_remote(c) for c in chunks], _parse_task)):
            parsed.errors = _as_given(parsed.errors, chunk)
            yield parsed

    def write_dataset(self, jobs: list[Job], folder: Path, partition_by: list[str], batch: int, bar
                      ) -> list[tuple[str, str]]:
        """Parse the jobs on the cluster, each task writing its facts into ``folder`` (a partitioned dataset).

        Returns:
            ``(path, error)`` per unreadable file, in the files' order.

        Raises:
            OSError: Files the workers wrote are not in ``folder`` as this process sees it.
        """
        folder = Path(os.path.abspath(folder))
        size = max(1, min(batch, math.ceil(len(jobs) / (self.threads * 4))))
        chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
        errors: list[tuple[str, str]] = []
        written: list[str] = []
        for chunk, result in zip(chunks, self._results([_remote(c) for c in chunks], _write_task, str(folder),
                                                       list(partition_by))):
            errors += _as_given(result["errors"], chunk)
            written += result["written"]
            bar.update(result["files"])
        missing = [p for p in written if not Path(p).is_file()]
        if missing:
            self.client.run(_remove_folder, str(folder))  # what the workers wrote on their own disks
            raise OSError(f"{len(missing)} of the {len(written)} files the Dask workers wrote into {folder} are not "
                          f"there for this process (e.g. {missing[0]}): the workers must see the output folder at "
                          "the same path (a shared filesystem)")
        return errors


# ---------------------------------------------------------------------------- on the workers
def _run_part(part: list[tuple[int, list[Job]]], task: Callable, *args) -> list:
    """A bag partition: ``(n, chunk)`` items, each run by ``task``."""
    return [task(n, chunk, *args) for n, chunk in part]


def _parse_task(n: int, jobs: list[Job]) -> ParsedBatch:
    return parse_files(jobs)


def _write_task(n: int, jobs: list[Job], folder: str, partition_by: list[str]) -> dict:
    """Parse a chunk and write its facts as ``part-<n>-<i>.parquet`` in each partition folder.

    The names are the chunk's: a task run again (its worker lost) writes the same files again.
    """
    parsed = parse_files(jobs)
    written: list[str] = []
    facts = parsed.tables["facts"]
    if facts.num_rows:
        write_partitioned([facts], Path(folder), partition_by, f"part-{n:06d}-{{i}}.parquet",
                           file_visitor=lambda f: written.append(f.path))
    return {"errors": parsed.errors, "files": parsed.files, "written": written}


def _remove_folder(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------- paths
def _remote(jobs: list[Job]) -> list[Job]:
    """The jobs with absolute paths (a worker's working folder is not this process's)."""
    return [(Path(os.path.abspath(path)), entry, strict, given) for path, entry, strict, given in jobs]


def _as_given(errors: list[tuple[str, str]], jobs: list[Job]) -> list[tuple[str, str]]:
    """Error rows with each file's path as the caller gave it (the workers saw it absolute), in
    the path column and in the message (which names the file as it was opened).

    A chunk's errors come in the order of its files, so each is matched with the next
    file of the chunk with that absolute path.
    """
    pending = iter(jobs)
    out = []
    for path, message in errors:
        for job in pending:
            if str(Path(os.path.abspath(job[0]))) == path:
                out.append((str(job[0]), message.replace(path, str(job[0]))))
                break
        else:
            out.append((path, message))
    return out
