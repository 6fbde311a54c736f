"""Output files that are whole or absent: written beside, then renamed into place.

A process killed while writing ``facts.csv`` must not leave a shorter file that looks
valid. Every writer of this package therefore writes to a temporary file in the target's
folder and renames it over the target only when the file is complete
(:func:`replacing`): the target is always the old file or the new one, never a part.
A folder written as a whole (a saved corpus, a partitioned dataset) is staged beside its
place and renamed into it the same way (:func:`replacing_folder`).

A command that writes several files (``shaoyang-report run``, ``briefing``) uses an
:class:`OutputSet`: everything is written into a hidden staging folder inside the output
folder first, and only when all of it is written are the files renamed into place. An
interrupted run leaves the previous set of outputs as it was. Runs writing the same
output folder take turns: an output set holds the folder's lock file
(:data:`LOCK_NAME`, with the ``filelock`` package) from its start to its last rename, so a
second run waits, and the folder never holds one run's facts beside another run's checks.

Temporary names are hidden and recognisable (:func:`is_temporary`): a file
``.<name>.sr-<pid>-<random>.tmp`` beside its target, a folder ``.sr-staging-<pid>-<random>``
inside the output folder. An error removes them; a process killed outright (SIGKILL,
power loss) may leave one behind, which folder walks skip (:func:`~shaoyang_report.corpus.files.report_files`)
and which the next write to the same place removes once its process is gone.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with replacing(folder / "out.txt") as tmp:
    ...     _ = tmp.write_text("all or nothing")
    >>> sorted(p.name for p in folder.iterdir())
    ['out.txt']
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

#: The lock file an :class:`OutputSet` holds in its output folder while it writes (empty;
#: left in place, as lock files are: removing one could let two runs hold it at once).
LOCK_NAME = ".sr-outputs.lock"

_TEMP_FILE = re.compile(r"^\..+\.sr-(\d+)-[0-9a-f]+\.tmp$")
_STAGING = re.compile(r"^\.sr-staging-(\d+)-[0-9a-f]+$")


def is_temporary(path: str | Path) -> bool:
    """Whether a path is, or lies inside, a temporary file or staging folder of this module.

    Example:
        >>> is_temporary(".facts.csv.sr-123-0a1b2c3d.tmp"), is_temporary("out/.sr-staging-9-ff/audit.html")
        (True, True)
        >>> is_temporary("facts.csv")
        False
    """
    return any(_TEMP_FILE.match(part) or _STAGING.match(part) for part in Path(path).parts)


def _alive(pid: int) -> bool:
    """Whether a process of this id runs on this machine (unknown counts as alive)."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: it exists
        return True
    return True


def _sweep(folder: Path, pattern: re.Pattern, name_prefix: str = "") -> None:
    """Remove what killed processes of this machine left in ``folder`` (best effort)."""
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(name_prefix)]
    except OSError:
        return
    for path in candidates:
        match = pattern.match(path.name)
        if not match or _alive(int(match.group(1))):
            continue
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        except OSError:
            pass


def _fsync(path: Path) -> None:
    """Flush a file (or, where the system allows, a folder) to disk."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _new_temp(folder: Path, prefix: str, suffix: str) -> Path:
    """Create an empty file with a fresh name (mode 0666 less the umask, like an ordinary new file)."""
    while True:
        path = folder / f"{prefix}sr-{os.getpid()}-{secrets.token_hex(4)}{suffix}"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return path


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """Write a file via a temporary file beside it, renamed over it when done.

    The block writes the temporary path it is given (as often and in as many steps as
    it likes). When the block ends normally the file is flushed to disk and renamed to
    ``path`` in one step (keeping the mode of the file it replaces); when it raises,
    the temporary file is deleted and ``path`` is left as it was.

    Args:
        path: The file to (re)write; its folder is created if needed.

    Yields:
        The temporary path to write.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path.parent, _TEMP_FILE, f".{path.name}.")
    tmp = _new_temp(path.parent, f".{path.name}.", ".tmp")
    try:
        yield tmp
        _fsync(tmp)
        try:
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        except OSError:  # no file there yet, or a file system without modes
            pass
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def replacing_folder(path: str | Path) -> Iterator[Path]:
    """Write a folder via a staging folder beside it, renamed into place when done.

    Like :func:`replacing` for a folder: the block writes the staging folder it is
    given; when the block ends normally an existing ``path`` is renamed aside, the
    staging folder renamed to ``path``, and the old one removed. When the block raises,
    the staging folder is removed and ``path`` is left as it was. The staging folder's
    name is a temporary one (:func:`is_temporary`).

    Raises:
        FileExistsError: A file (not a folder) is at ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path.parent, _TEMP_FILE, f".{path.name}.")

    def temp_name() -> Path:
        return path.parent / f".{path.name}.sr-{os.getpid()}-{secrets.token_hex(4)}.tmp"

    stage = temp_name()
    stage.mkdir()
    try:
        yield stage
        old = None
        if path.exists() or path.is_symlink():
            if not path.is_dir() or path.is_symlink():
                raise FileExistsError(f"{path}: a file is in the way of the output folder")
            old = temp_name()
            os.replace(path, old)
        os.replace(stage, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`replacing`); returns ``path``."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`replacing`); returns ``path``."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


class OutputSet:
    """Files written together: all of them into a staging folder, then renamed into place.

    Use it as a context manager. Write every output under :attr:`stage` (at the path it
    should have relative to :attr:`folder`); when the block ends normally each staged
    file is renamed to its place in :attr:`folder`, replacing the old one. When the
    block raises (or the process dies), nothing in :attr:`folder` changes and the
    staging folder is deleted (a killed process's is deleted by the next run).

    The renames at the end are one ``os.replace`` per file (microseconds each, after
    every file is complete on disk): each file is always whole, and only a crash
    inside that last step could leave some files new and some old.

    Output sets of the same folder take turns, in this process or another: entering
    the block takes the folder's lock file (:data:`LOCK_NAME`), waiting while another
    output set holds it, and leaving the block lets it go. So the files of one set
    arrive together, never interleaved with another's; a command that reads its input
    inside the block (``run``, ``briefing``) also reads after the run before it wrote.

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp())
        >>> with OutputSet(out) as outputs:
        ...     _ = write_text(outputs.stage / "a.csv", "x\\n1\\n")
        ...     _ = write_text(outputs.stage / "figures" / "b.txt", "b")
        ...     [is_temporary(p.name) for p in out.iterdir() if p.name != LOCK_NAME]  # nothing in place yet: the stage
        [True]
        >>> sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.name != LOCK_NAME)
        ['a.csv', 'figures', 'figures/b.txt']

    Args:
        folder: The output folder (created if needed).
        waiting: Called with the lock file when another output set of the folder holds it,
            before waiting for it (e.g. to say so).
        timeout: Seconds to wait for the lock at most (None: as long as it takes).

    Attributes:
        folder: The output folder.
        stage: The staging folder (inside ``folder``, so renames stay on one file system);
            ``None`` outside the ``with`` block.

    Raises:
        filelock.Timeout: The lock was still held after ``timeout`` seconds.
    """

    def __init__(self, folder: str | Path, waiting: Callable[[Path], object] | None = None,
                 timeout: float | None = None) -> None:
        self.folder = Path(folder)
        self.stage: Path | None = None
        self.waiting = waiting
        self.timeout = timeout
        self._lock: FileLock | None = None

    def final(self, staged: str | Path) -> Path:
        """Where a file written under :attr:`stage` ends up."""
        assert self.stage is not None, "inside the with block only"
        return self.folder / Path(staged).relative_to(self.stage)

    def __enter__(self) -> OutputSet:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / LOCK_NAME
        # not a singleton: two output sets of one process on one folder take turns as two processes do
        lock = FileLock(str(path), thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if self.waiting is not None:
                self.waiting(path)
            lock.acquire(timeout=-1 if self.timeout is None else self.timeout)
        self._lock = lock
        try:
            self._start()
        except BaseException:
            self._release()
            raise
        return self

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _start(self) -> None:
        _sweep(self.folder, _STAGING, ".sr-staging-")
        while True:
            stage = self.folder / f".sr-staging-{os.getpid()}-{secrets.token_hex(4)}"
            try:
                stage.mkdir()
            except FileExistsError:
                continue
            break
        self.stage = stage

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._commit()
        finally:
            if self.stage is not None:
                shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None
            self._release()

    def staged_files(self) -> list[Path]:
        """The complete files written under :attr:`stage` so far (temporaries left out)."""
        stage = self.stage
        assert stage is not None, "inside the with block only"
        return sorted(p for p in stage.rglob("*")
                      if p.is_file() and not is_temporary(p.relative_to(stage)))

    def _commit(self) -> None:
        moves = [(f, self.final(f)) for f in self.staged_files()]
        for _, target in moves:  # every check and folder before the first rename
            if target.is_dir() and not target.is_symlink():
                raise IsADirectoryError(f"{target}: a folder is in the way of an output file")
            target.parent.mkdir(parents=True, exist_ok=True)
        for source, _ in moves:
            _fsync(source)
        for source, target in moves:
            try:
                os.chmod(source, target.stat().st_mode & 0o7777)
            except OSError:
                pass
            os.replace(source, target)
        for parent in {t.parent for _, t in moves}:
            _fsync(parent)
