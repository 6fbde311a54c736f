"""Reading many reports into a :class:`~shaoyang_report.corpus.corpus.Corpus`: :func:`read_reports`.

The files are found (:mod:`~shaoyang_report.corpus.files`), parsed on the chosen engine
(:mod:`~shaoyang_report.corpus.engine`) and kept as columns, each report with the file it
was read from and its archive date; a cache folder saves the corpus for the next read
(:mod:`~shaoyang_report.corpus.cache`).
"""

from __future__ import annotations

import errno
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from shaoyang_report.corpus.cache import corpus_key, load_cached, save_cached
from shaoyang_report.corpus.corpus import Corpus
from shaoyang_report.corpus.engine import engine as chosen_engine
from shaoyang_report.corpus.engine import parse_batches, progress_bar
from shaoyang_report.corpus.files import archive_dates, read_aliases, read_jobs
from shaoyang_report.corpus.parse import frozen_heap
from shaoyang_report.read.entry import CallerHints
from shaoyang_report.read.identity import clean_name, identity_fields, resolve_agency

#: Reports parsed per batch in this process (a batch's columns become Arrow at once).
_BATCH = 64


def read_reports(
    source: str | Path | Iterable[str | Path],
    *,
    catalog: str | Path | None = None,
    strict: bool | None = None,
    progress: bool | None = None,
    workers: int = 1,
    cache: str | Path | None = None,
    aliases: str | Path | dict[str, str] | None = None,
    engine: str = "local",
    scheduler=None,
    year: int | None = None,
    agency: str | None = None,
    format: str | None = None,
) -> Corpus:
    """Read many reports; an unreadable file is listed in ``corpus.errors``, not raised.

    The corpus keeps every report's frames as compact columns (about 20 KB per report);
    to stream facts to disk without keeping them, use
    :func:`~shaoyang_report.corpus.stream.write_facts`.

    Args:
        source: A folder, a file, or a list of files. A folder with a ``catalog.csv``
            is read as the catalog says (each row's ``local_file``); report files in it
            that no row names (archived copies, superseded openings, strays) are not
            read but listed in ``corpus.uncatalogued``. A folder without a catalog is
            searched recursively for report files. Every other file below the folder is
            listed in ``corpus.skipped`` (path, kind, reason): a kind no reader handles
            (.doc, .xls, .ofd, .zip, .mhtml …), notes, an uncatalogued report file. The corpus keeps each report's file
            and, from the folder's ``fetched/manifest.csv``, its archive's Last-Modified
            time (``corpus.files``).
        catalog: A catalog CSV naming each report (report_id, agency for comparison,
            year, URL, local_file relative to the catalog's folder). Defaults to the
            ``catalog.csv`` of each folder: a catalog applies to its own folder and those
            below it; a file two catalogs name is an error row naming both.
        aliases: Printed agency name → agency id (a dict, or an ``agency_aliases.csv``
            with columns ``name, agency_id``), overriding the resolver
            (:func:`~shaoyang_report.read.identity.resolve_agency`) for every report; an
            ``agency_aliases.csv`` in a folder applies to the reports below it.
        strict: See :func:`~shaoyang_report.read.report.read_report`.
        progress: Show a progress bar (tqdm). ``None`` (default): only on a terminal.
        workers: Processes to read with (1 reads in this process). Files go to the
            workers in chunks; their columns come back as Arrow tables.
        cache: A folder of saved corpora: when it holds this corpus (same files, same
            contents, same catalog, same version of the package), it is loaded instead
            of read; otherwise the corpus read is saved there (see :meth:`Corpus.save`
            and :mod:`~shaoyang_report.corpus.cache`).
        engine: ``"local"`` (default: this process, or ``workers`` processes) or
            ``"dask"``: the files are parsed as ``dask.bag`` tasks by the workers of a
            ``dask.distributed`` cluster and their columns gathered here, in order
            (the same corpus as a local read; needs the extra ``shaoyang-report[dask]``).
            The workers open the files by their absolute paths: on a cluster of several
            machines the files must be at the same path on each (a shared filesystem).
            See :mod:`shaoyang_report.corpus.distributed`.
        scheduler: With ``engine="dask"``: the cluster, as a scheduler address
            (``"tcp://host:8786"``), a ``distributed.Client`` or a cluster object
            (e.g. a ``LocalCluster``). ``None``: the current Dask client, else the
            address in Dask's configuration (``DASK_SCHEDULER_ADDRESS``).
        year, agency, format: What the caller says of every file read, used where its
            text is silent, before its catalog row (see
            :func:`~shaoyang_report.read.report.parse_document`).

    Returns:
        The :class:`Corpus`.

    Raises:
        ImportError: ``engine="dask"`` without Dask installed (``pip install 'shaoyang-report[dask]'``).
        ValueError: An unknown engine, ``workers`` or ``scheduler`` given with the wrong engine,
            ``engine="dask"`` with no cluster to use, or a ``year``, ``agency`` or ``format`` that is not one.
        FileNotFoundError: ``source`` is one file or folder and does not exist (a file
            of a list that does not exist is listed in ``corpus.errors``).
        OSError: The Dask scheduler cannot be reached.
    """
    given = CallerHints.of(year=year, agency=agency, format=format)
    must_exist(source)
    found_files = read_jobs(source, catalog, strict, given)
    jobs, catalog_frame, uncatalogued = found_files.jobs, found_files.catalog, found_files.uncatalogued
    extra = {clean_name(k): v for k, v in (aliases if isinstance(aliases, dict) else
                                            read_aliases(aliases) if aliases else {}).items()}
    archived = archive_dates(source, jobs)
    key = None
    if cache is not None:
        key = corpus_key(jobs, catalog_frame, uncatalogued, archived,
                         (sorted((str(f), sorted(a.items())) for f, a in found_files.aliases.items()), sorted(extra.items())))
        found = load_cached(Path(cache), key)
        if found is not None:
            return found
    corpus = Corpus(catalog=catalog_frame, uncatalogued=[str(p) for p in uncatalogued])
    corpus.skipped = found_files.skipped
    errors: list[tuple[str, str]] = list(found_files.conflicts)
    done = 0  # files of the batches before
    with chosen_engine(engine, scheduler, workers) as cluster, \
            progress_bar(len(jobs), progress, "reading reports") as bar, frozen_heap():
        for batch in parse_batches(jobs, workers, _BATCH, cluster):
            taken = [done + k for k in batch.positions]
            if found_files.aliases or extra:
                for i, summary in zip(taken, batch.summaries):
                    apply_aliases(summary, {**found_files.aliases_for(jobs[i][0]), **extra})
            corpus.add_batch(batch, [jobs[i][0] for i in taken], [archived[i] for i in taken])
            done += batch.files
            errors += batch.errors
            bar.update(batch.files)
    corpus.errors = pd.DataFrame(errors, columns=["path", "error"])
    if cache is not None and key is not None:
        save_cached(Path(cache), key, corpus)
    return corpus




def must_exist(source) -> None:
    """Raise :class:`FileNotFoundError` when ``source`` is one file or folder that does not exist.

    A mistyped path is an error, not an empty corpus (a missing file of a list is one of
    the corpus's unreadable files, as any file that cannot be read).
    """
    if isinstance(source, (str, Path)) and not Path(source).exists():
        raise FileNotFoundError(errno.ENOENT, "no such file or folder of reports", str(source))


def apply_aliases(summary: dict, aliases: dict[str, str]) -> None:
    """Give a report's summary the identity its aliases say (its agency's name, or its printed name, aliased)."""
    for name in (summary.get("agency"), summary.get("agency_printed")):
        if isinstance(name, str) and clean_name(name) in aliases:
            summary.update(identity_fields(resolve_agency(name, aliases=aliases)))
            return
