"""Report files → bytes and text: only what can be a report is read, and its encoding found.

:func:`read_bytes` reads a regular file of bounded size (a device, FIFO or folder is
refused before anything is read); :func:`decode` turns report bytes into text (UTF-8 with
or without BOM, GB18030/GBK); :func:`picture_file` is the file a saved page's ``<img>``
names beside it. The readers of :mod:`shaoyang_report.read.readers` start here.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from shaoyang_report.errors import ReportFileNotFoundError, ReportFormatError
from shaoyang_report.limits import MAX_FILE_BYTES, refuse

_ENCODINGS = ("utf-8-sig", "gb18030")


def picture_file(src: str, base: Path) -> Path | None:
    """The file an ``<img src>`` of a page saved in ``base`` names, when it is saved inside ``base``; else None.

    Only a relative ``src`` (no scheme, no host) naming a regular file inside the page's
    folder is read: a picture on the web, or outside the folder, is not.
    """
    from urllib.parse import unquote, urlsplit

    if not src or not src.strip():
        return None
    parts = urlsplit(src.strip())
    if parts.scheme or parts.netloc:
        return None  # on the web, not saved beside the page
    path = (base / unquote(parts.path)).resolve()
    if base.resolve() not in path.parents or not path.is_file():
        return None
    return path


def decode(data: bytes, source: object) -> str:
    """Decode report bytes, detecting UTF-8 (with or without BOM) or GB18030/GBK.

    Raises:
        ReportFormatError: The bytes are empty, binary, or in no known encoding.
    """
    if not data.strip():
        raise ReportFormatError(source, "the file is empty; expected the text of a 政府信息公开工作年度报告")
    if b"\x00" in data[:4096]:
        raise ReportFormatError(source, "the file is binary, not text; expected the text of a 政府信息公开工作年度报告")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportFormatError(source, "the file is not UTF-8 or GB18030 text; expected the text of a 政府信息公开工作年度报告")


def read_bytes(path: Path) -> bytes:
    """Read a file for parsing, refusing what cannot be a report.

    Only regular files are read: a device (``/dev/zero``), FIFO, socket or folder is
    refused before anything is read (a FIFO is opened without blocking, so it cannot
    hang the reader). What is read is bounded by what comes in, not by the size the
    file system states: at most :data:`~shaoyang_report.limits.MAX_FILE_BYTES` + 1
    bytes are read, and a file longer than that is refused.

    Raises:
        ReportFileNotFoundError: The file is missing (a ``FileNotFoundError`` and a
            ``ReportFormatError``).
        ReportFormatError: The file is unreadable, not a regular file, or implausibly large.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ReportFileNotFoundError(path) from None
    except OSError as exc:
        raise ReportFormatError(path, f"cannot open the file ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ReportFormatError(path, _not_regular(info.st_mode))
    if info.st_size > MAX_FILE_BYTES:
        raise _too_big(path, info.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ReportFormatError(path, f"cannot open the file ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)  # what was opened, should the path have been swapped since
        if not stat.S_ISREG(info.st_mode):
            raise ReportFormatError(path, _not_regular(info.st_mode))
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        want = min(info.st_size + 1, left)  # usually the whole file in one read
        while left > 0:
            chunk = os.read(fd, min(max(want, 1 << 16), left))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise ReportFormatError(path, f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if left <= 0:
        raise _too_big(path, None)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_big(path: object, size: int | None) -> ReportFormatError:
    """The error for a file over the byte cap (``size`` None: more was read than the cap)."""
    found = f"{size:,} bytes" if size is not None else f"over {MAX_FILE_BYTES:,} bytes"
    return refuse(path, f"the file is {found}; a report is expected to be under {MAX_FILE_BYTES:,} bytes",
                  "MAX_FILE_BYTES")


def _not_regular(mode: int) -> str:
    if stat.S_ISDIR(mode):
        what = "a folder"
    elif stat.S_ISCHR(mode):
        what = "a character device (such as /dev/zero)"
    elif stat.S_ISBLK(mode):
        what = "a block device"
    elif stat.S_ISFIFO(mode):
        what = "a FIFO (named pipe)"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    else:
        what = "a special file"
    return f"the path is {what}, not a regular file; expected a report file (text, HTML, PDF or .docx)"
