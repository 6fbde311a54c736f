"""Word 97-2003 (.doc) and WPS Office (.wps) reports, converted by LibreOffice, then read as .docx.

Agencies attach the report as an old binary Word or WPS file. No maintained Python
library reads those, so LibreOffice converts each one in headless mode
(``soffice --headless --convert-to docx``) and the .docx is read by
:func:`~.docx_reader.read_docx`, with all its caps. Measured on the .doc LibreOffice
saves from the Shaoyang 2020 report: converted to .docx, all 221 facts are read, as
from LibreOffice's text export; exported to PDF and read by the PDF reader, 61 (158
numbers unplaced, the tables' columns lost). .docx is kept: it also locates each value
by its table, row and column.

Each conversion runs in its own private temporary folder with its own LibreOffice
profile (so conversions never share or wait for an instance, and nothing is left
behind), on a copy of the file named by its kind (never the caller's path), without a
shell, as its own process group; past
:data:`~shaoyang_report.limits.MAX_CONVERT_SECONDS` of wall-clock time the whole group is
killed and the file refused. The input's size is capped as every file's is
(:data:`~shaoyang_report.limits.MAX_FILE_BYTES`). Without LibreOffice, reading such a
file is one clear error naming the program to install.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from shaoyang_report import limits
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import refuse
from shaoyang_report.read.document import Document

#: The programs tried, in order, to convert an old Word/WPS file.
CONVERTERS = ("soffice", "libreoffice")
_MISSING = ("LibreOffice is needed to read a {what} and its program (soffice) was not found: install it "
            "(Debian: apt-get install libreoffice-writer-nogui) or save the file as .docx or PDF")


def converter() -> str | None:
    """The LibreOffice program on the PATH (``soffice``), or None."""
    return next((found for name in CONVERTERS if (found := shutil.which(name))), None)


def convert(data: bytes, source: str, kind: str, target: str = "docx") -> bytes:
    """Convert one file with LibreOffice in a private folder and profile; the converted file's bytes.

    Args:
        data: The file's bytes.
        source: The file name, for messages.
        kind: The input's kind (``doc``, ``wps``), its suffix in the private folder.
        target: The format converted to (a LibreOffice ``--convert-to`` name).

    Raises:
        ReportFormatError: LibreOffice is not installed, ran past
            :data:`~shaoyang_report.limits.MAX_CONVERT_SECONDS`, or could not convert the file.
    """
    from shaoyang_report.read.readers.sniff import KIND_NAMES

    program = converter()
    if program is None:
        raise ReportFormatError(source, _MISSING.format(what=KIND_NAMES.get(kind, kind)))
    seconds = limits.MAX_CONVERT_SECONDS
    with tempfile.TemporaryDirectory(prefix="shaoyang-convert-") as folder:
        work = Path(folder)
        original = work / f"report.{kind}"
        original.write_bytes(data)
        out = work / "out"
        out.mkdir()
        command = [program, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                   f"-env:UserInstallation={(work / 'profile').as_uri()}", "--convert-to", target,
                   "--outdir", str(out), str(original)]
        env = {**os.environ, "HOME": str(work)}
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                cwd=work, env=env, start_new_session=True)
        try:
            output, _ = proc.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise refuse(source, f"LibreOffice did not convert {KIND_NAMES.get(kind, kind)} within {seconds:,} s; "
                         "a report converts in a few seconds; refusing it", "MAX_CONVERT_SECONDS") from None
        finally:
            _kill_group(proc)  # whatever it left running
        converted = out / f"report.{target}"
        if proc.returncode != 0 or not converted.is_file():
            said = " ".join(" ".join(line.split()) for line in output.decode("utf-8", "replace").splitlines()
                            if line.strip() and not line.startswith("Warning:"))[-300:]  # (its Java warning)
            raise ReportFormatError(source, f"LibreOffice could not convert {KIND_NAMES.get(kind, kind)}: it is damaged "
                                    "or not what its name says; if Word or WPS opens it, save it as .docx or PDF "
                                    f"(exit {proc.returncode}; {said or 'no output'})")
        return converted.read_bytes()


def _kill_group(proc: subprocess.Popen) -> None:
    """End the converter and every process it started (its own process group), and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def read_office(data: bytes, source: str, kind: str) -> Document:
    """Read a .doc or .wps report: LibreOffice converts it to .docx, read as any .docx.

    Locations are those of the converted document (``paragraph 3``, ``table 2, row 5,
    col 2``); the Document's reader is ``doc`` or ``wps``.

    Raises:
        ReportFormatError: See :func:`convert` and :func:`~.docx_reader.read_docx`.
    """
    from dataclasses import replace

    from shaoyang_report.read.readers.docx_reader import read_docx

    return replace(read_docx(convert(data, source, kind), source), reader=kind, grid=True)
