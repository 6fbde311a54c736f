"""Zip archives of reports: each member that is a report read as its own report (``archive.zip!member.pdf``).

Agencies publish a year's reports (a county's departments, a town's villages) as one
zip. Each member whose name is a report file's (:data:`~.sniff.REPORT_SUFFIXES`) is a
report of its own, its source ``archive.zip!member.pdf``; a zip inside the zip is
opened too (``archive.zip!inner.zip!member.pdf``), one level deep at most. Names written
by Chinese Windows tools without the zip's UTF-8 flag are GBK and read as such.

The archive is checked with the byte budget of every zip (:func:`~.zips.check_archive`:
``MAX_DOCX_MEMBERS`` members, ``MAX_DOCX_BYTES`` inflated in all, the inflation ratio)
before any member is read, and at most
:data:`~shaoyang_report.limits.MAX_ARCHIVE_REPORTS` reports are read from one archive.

Example:
    >>> split_archive_path("reports/2023.zip!县民政局.pdf", lambda p: p.endswith(".zip"))
    ('reports/2023.zip', ['县民政局.pdf'])
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import MAX_ARCHIVE_REPORTS, MAX_FILE_BYTES, refuse
from shaoyang_report.read.readers.sniff import REPORT_SUFFIXES
from shaoyang_report.read.readers.zips import check_archive

#: What separates an archive's path from its member's in a report's source.
SEPARATOR = "!"


def split_archive_path(path: str, is_file: Callable[[str], bool]) -> tuple[str, list[str]] | None:
    """``archive.zip!a.zip!b.pdf`` → ``("archive.zip", ["a.zip", "b.pdf"])``: the archive file and the members inside.

    Args:
        path: A report's path, possibly naming members of an archive.
        is_file: Whether a path is a file (the archive: the first part that is one).

    Returns:
        None when ``path`` names no member of an archive.
    """
    parts = path.split(SEPARATOR)
    for k in range(1, len(parts)):
        head = SEPARATOR.join(parts[:k])
        if head.lower().endswith(".zip") and is_file(head):
            return head, parts[k:]
    return None


def _name(info: zipfile.ZipInfo) -> str:
    """A member's name: GBK when the zip does not flag it UTF-8 and it reads as GBK (Chinese Windows tools)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _is_report(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return (not name.endswith("/") and not base.startswith(".") and not name.startswith("__MACOSX/")
            and base.lower().endswith(REPORT_SUFFIXES))


def _open(data: bytes, source: str) -> dict[str, zipfile.ZipInfo]:
    infos = check_archive(data, source, None, "zip archive")
    return {_name(i): i for i in infos}


def archive_reports(data: bytes, source: str, depth: int = 0) -> list[str]:
    """The members of a zip that are reports, in the archive's order (those of a zip inside it as ``inner.zip!x.pdf``).

    Raises:
        ReportFormatError: The archive is damaged, a zip bomb, or holds more than
            :data:`~shaoyang_report.limits.MAX_ARCHIVE_REPORTS` reports.
    """
    members = _open(data, source)
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name, info in members.items():
            if name.lower().endswith(".zip") and depth == 0:
                inner = archive.read(info)
                found.extend(f"{name}{SEPARATOR}{m}" for m in archive_reports(inner, f"{source}{SEPARATOR}{name}", 1))
            elif _is_report(name) and not name.lower().endswith(".zip"):
                found.append(name)
            if len(found) > MAX_ARCHIVE_REPORTS:
                raise refuse(source, f"the zip archive holds over {MAX_ARCHIVE_REPORTS:,} reports", "MAX_ARCHIVE_REPORTS")
    return found


def member_bytes(data: bytes, source: str, names: list[str]) -> bytes:
    """The bytes of a member of a zip (``names``: the member, or a zip inside it and its member).

    Raises:
        ReportFormatError: The archive is damaged or a zip bomb, the member is missing,
            or it is nested deeper than one zip inside the archive.
    """
    if len(names) > 2:
        raise ReportFormatError(source, "a zip inside a zip inside the archive: archives are opened one level deep "
                                "at most")
    members = _open(data, source)
    info = members.get(names[0])
    if info is None:
        raise ReportFormatError(source, f"the zip archive holds no member {names[0]}")
    if info.file_size > MAX_FILE_BYTES:
        raise refuse(f"{source}{SEPARATOR}{names[0]}", f"the member is {info.file_size:,} bytes; a report is expected "
                     f"to be under {MAX_FILE_BYTES:,} bytes", "MAX_FILE_BYTES")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = archive.read(info)
    return body if len(names) == 1 else member_bytes(body, f"{source}{SEPARATOR}{names[0]}", names[1:])
