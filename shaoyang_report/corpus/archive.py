"""The archive of fetched files: the bytes as served, kept under ``<raw>/fetched/``, and their manifest.

:class:`Archive` keeps each downloaded file under ``<raw>/fetched/<report_id>/<file name>``
(the name from the URL or ``Content-Disposition``, made safe:
:func:`~shaoyang_report.corpus.links.safe_filename`); nothing is written outside the
archive folder. A manifest (``<raw>/fetched/manifest.csv``, columns
:data:`MANIFEST_COLUMNS`, read with :func:`read_manifest`) records for every archived
file the URL asked for, the URL finally served (after redirects), when (UTC), the HTTP
status, content type, size and SHA-256.

What is archived is kept: a file already archived is not fetched again unless
``refresh`` is set, and a refreshed file whose bytes changed is stored beside the old
one (never over it), its manifest row naming the file it ``replaces``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pandas as pd

from shaoyang_report.atomic import write_bytes
from shaoyang_report.corpus.download import Download, Failure, human_size
from shaoyang_report.corpus.links import disposition_filename, safe_filename
from shaoyang_report.corpus.netguard import Client

#: Folder (inside the raw folder) that holds what was fetched.
ARCHIVE = "fetched"
#: Columns of ``fetched/manifest.csv``: one row per archived file.
MANIFEST_COLUMNS = ["report_id", "url", "final_url", "fetched_at", "http_status", "content_type", "bytes",
                    "sha256", "path", "replaces", "linked_from", "last_modified"]
#: Statuses of an archived file (:attr:`Stored.status`).
FETCHED, SKIPPED, CHANGED = "fetched", "skipped", "changed"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (links resolved) is ``root`` or lies under it."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _temp_beside(path: Path, data: bytes) -> str:
    """Write ``data`` to a synced temporary file in ``path``'s folder; return its name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``; never replaces an existing file."""
    tmp = _temp_beside(path, data)
    try:
        try:
            os.link(tmp, path)  # fails if path exists: no silent overwrite, even in a race
        except FileExistsError:
            raise
        except OSError:  # file systems without hard links
            if path.exists():
                raise FileExistsError(path) from None
            os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


class _Manifest:
    """``fetched/manifest.csv``: one row per archived file, appended to and saved atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict[str, str]] = []
        if path.exists():
            with open(path, newline="", encoding="utf-8-sig") as fh:
                self.rows = [{c: (row.get(c) or "") for c in MANIFEST_COLUMNS} for row in csv.DictReader(fh)]

    def latest(self, report_id: str, url: str, root: Path) -> dict[str, str] | None:
        """The newest row for this report and URL whose file is still in the archive."""
        for row in reversed(self.rows):
            if row["report_id"] == report_id and row["url"] == url and row["path"]:
                path = root / row["path"]
                if inside(path, root) and path.is_file():
                    return row
        return None

    def append(self, row: dict[str, object]) -> None:
        self.rows.append({c: str(row.get(c, "")) for c in MANIFEST_COLUMNS})
        self.save()

    def save(self) -> None:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(self.path, out.getvalue().encode("utf-8"))


def read_manifest(raw_dir: str | Path | None = None) -> pd.DataFrame:
    """The manifest of archived files (:data:`MANIFEST_COLUMNS`), empty when nothing was fetched.

    Args:
        raw_dir: The raw folder (default :data:`shaoyang_report.config.RAW`).
    """
    from shaoyang_report import config

    path = Path(raw_dir if raw_dir is not None else config.RAW) / ARCHIVE / "manifest.csv"
    if not path.exists():
        return pd.DataFrame({c: pd.array([], dtype="string") for c in MANIFEST_COLUMNS})
    return pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig")


def _filename_for(download: Download) -> str:
    name = disposition_filename(download.disposition)
    if not name:
        name = unquote(PurePosixPath(urlsplit(download.final_url).path).name)
    return safe_filename(name, download.content_type)


@dataclass
class Stored:
    """An archived file used for a URL: what :meth:`Archive.get` did and where the bytes are."""

    status: str  # fetched / skipped / changed
    path: str  # relative to the raw folder
    sha256: str
    content_type: str
    final_url: str
    message: str


class Archive:
    """The archive folder ``<raw>/fetched/`` and its manifest; :meth:`get` archives one URL with the client.

    Args:
        raw_dir: The raw folder (the archive is its ``fetched/`` folder).
        client: The guarded client that downloads (:class:`~shaoyang_report.corpus.netguard.Client`).
        refresh: Download again what is already archived.
    """

    def __init__(self, raw_dir: Path, client: Client, refresh: bool) -> None:
        self.raw = raw_dir
        self.root = raw_dir / ARCHIVE
        self.manifest = _Manifest(self.root / "manifest.csv")
        self.client = client
        self.refresh = refresh

    def rel(self, path: Path) -> str:
        return path.resolve().relative_to(self.raw.resolve()).as_posix()

    def get(self, report_id: str, url: str, linked_from: str = "") -> Stored:
        """Archive one URL for a report (or reuse what is archived).

        Raises:
            Failure: The download failed or was refused.
        """
        latest = self.manifest.latest(report_id, url, self.raw)
        if latest and not self.refresh:
            message = f"already archived {latest['fetched_at']}"
            if _file_sha256(self.raw / latest["path"]) != latest["sha256"]:
                message += (f"; WARNING: {latest['path']} no longer has the SHA-256 the manifest records "
                            "(edited since?); fetch with --refresh to archive the served file beside it")
            return Stored(SKIPPED, latest["path"], latest["sha256"], latest["content_type"], latest["final_url"],
                          message)
        download = self.client.get(url)
        sha = _sha256(download.data)
        retried = (f" after {len(download.notes) + 1} attempts ({'; '.join(download.notes)})"
                   if download.notes else "")
        if latest and latest["sha256"] == sha:
            return Stored(FETCHED, latest["path"], sha, download.content_type, download.final_url,
                          f"refreshed{retried}: unchanged since {latest['fetched_at']}")
        folder = self.root / report_id
        folder.mkdir(parents=True, exist_ok=True)
        if not inside(folder, self.root):
            raise Failure(f"refused: {folder} is outside the archive {self.root}")
        path, collided = self._store(folder, _filename_for(download), download.data, sha)
        replaces = latest["path"] if latest else collided
        self.manifest.append({
            "report_id": report_id, "url": url, "final_url": download.final_url,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "http_status": download.http_status, "content_type": download.content_type,
            "bytes": len(download.data), "sha256": sha, "path": self.rel(path), "replaces": replaces,
            "linked_from": linked_from, "last_modified": download.last_modified,
        })
        redirected = f" via {download.final_url}" if download.final_url != url else ""
        what = f"{human_size(len(download.data))}, {download.content_type or 'no content type'}"
        if replaces:
            since = f" since {latest['fetched_at']}" if latest else ""
            return Stored(CHANGED, self.rel(path), sha, download.content_type, download.final_url,
                          f"CHANGED{since}: the served file differs from the archived {replaces}; "
                          f"both kept, new one {self.rel(path)} ({what}){redirected}{retried}")
        return Stored(FETCHED, self.rel(path), sha, download.content_type, download.final_url,
                      f"fetched {self.rel(path)} ({what}){redirected}{retried}")

    def _store(self, folder: Path, filename: str, data: bytes, sha: str) -> tuple[Path, str]:
        """Write the bytes under ``filename`` unless a different file holds that name.

        Returns:
            The path holding the bytes, and the archived file with the same name but
            other bytes, if any (then the new file gets the SHA-256's start in its name).
        """
        target = folder / filename
        collided = ""
        stem, suffix = target.stem, target.suffix
        for n in range(100):
            if not inside(target, self.root):
                raise Failure(f"refused to write {target}: outside the archive {self.root}")
            if target.exists():
                if target.is_file() and _file_sha256(target) == sha:
                    return target, collided
                collided = collided or self.rel(target)
                target = folder / (f"{stem}.{sha[:12]}{suffix}" if n == 0 else f"{stem}.{sha[:12]}.{n}{suffix}")
                continue
            try:
                _write_new(target, data)
            except FileExistsError:
                continue  # appeared meanwhile: look again
            return target, collided
        raise Failure(f"could not find a free file name for {filename} in {folder}")

