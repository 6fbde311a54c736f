"""Domain errors raised where the knowledge is."""

from __future__ import annotations


class ReportFormatError(ValueError):
    """A file is not a readable 政府信息公开工作年度报告, or a table in it is malformed.

    The message always names the file and the place, and says what was expected, e.g.
    ``shaoyang_city_2020.txt: line 180: table 三 row 四、结转下年度继续办理 has 5 values,
    expected 7``.

    Attributes:
        source: The file (or ``<text>``) that could not be read.
        where: The place in it (``line 180``, ``table 三``), or ``""``.
        problem: What is wrong and what was expected.
    """

    def __init__(self, source: object, problem: str, where: str = "") -> None:
        self.source = str(source)
        self.where = where
        self.problem = problem
        place = f"{self.source}: {where}: " if where else f"{self.source}: "
        super().__init__(place + problem)


class ReportFileNotFoundError(ReportFormatError, FileNotFoundError):
    """The report file does not exist: a :class:`FileNotFoundError` (``errno`` ENOENT, ``filename``
    the path), and a :class:`ReportFormatError` as every file that cannot be read is, so a
    corpus lists it among its unreadable files.

    Example:
        >>> import shaoyang_report as sr
        >>> try:
        ...     sr.read_report("no/such/report.txt")
        ... except FileNotFoundError as exc:
        ...     print(exc.filename, "|", exc)
        no/such/report.txt | no/such/report.txt: cannot open the file (No such file or directory)
    """

    def __init__(self, source: object) -> None:
        import errno
        import os

        super().__init__(source, f"cannot open the file ({os.strerror(errno.ENOENT)})")
        self.errno = errno.ENOENT
        self.strerror = os.strerror(errno.ENOENT)
        self.filename = str(source)

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"


class BriefingError(RuntimeError):
    """A briefing could not be built (a notebook failed, or nothing to brief on)."""
