"""What a catalog, or the caller, says of one report, as the reader takes it.

A catalog (``catalog.csv``, read by :mod:`shaoyang_report.corpus.catalog`) names the
agency and year of each file; the reader uses that row where the text does not print
them (see :meth:`~shaoyang_report.read.metadata.Metadata.provenance`). The caller may
say the same (:class:`CallerHints`: ``read_report(path, year=2021)``), and what the
caller says comes before the catalog. The row's type lives here, in the reading stage,
so that reading never imports the corpus stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from shaoyang_report.layout import get_layout


@dataclass(frozen=True)
class CatalogEntry:
    """One catalogued report."""

    report_id: str
    agency: str
    year: int | None
    url: str = ""
    local_file: str = ""
    completeness: str = ""
    note: str = ""


@dataclass(frozen=True)
class CallerHints:
    """What the caller says of a report (``read_report(path, year=…, agency=…, format=…)``).

    Used as a catalog row is, where the text is silent: the agency is the name used for
    comparison (the printed one stays in ``agency_printed``), the year is used when the
    text states none or only lets one be inferred, and the format when no table label
    only one format prints tells it. A value the text prints otherwise is kept, and the
    disagreement is a note (see :func:`~shaoyang_report.read.metadata.read_metadata`).

    Attributes:
        agency: The agency's name, or None.
        year: The reporting year, or None.
        format: ``F2019`` or ``F2021``, or None.
    """

    agency: str | None = None
    year: int | None = None
    format: str | None = None

    @classmethod
    def of(cls, *, agency: object = None, year: object = None, format: object = None) -> CallerHints | None:
        """The hints given (None when none is), checked.

        Args:
            agency, year, format: As a caller gives them (the year an int or its digits;
                the format one of ``layouts.toml``'s, in any case).

        Raises:
            ValueError: An empty agency, a year that is no year number, or an unknown format.

        Example:
            >>> CallerHints.of(year="2021", format="f2021")
            CallerHints(agency=None, year=2021, format='F2021')
        """
        if agency is None and year is None and format is None:
            return None
        name = None
        if agency is not None:
            name = str(agency).strip()
            if not name:
                raise ValueError("agency must be a name, not an empty string")
        number = None
        if year is not None:
            text = str(year).strip()
            if isinstance(year, bool) or not text.isdigit() or not 1900 <= int(text) <= 2100:
                raise ValueError(f"year must be a year such as 2021, not {year!r}")
            number = int(text)
        key = None
        if format is not None:
            formats = tuple(get_layout().formats)
            key = next((f for f in formats if f.lower() == str(format).strip().lower()), None)
            if key is None:
                raise ValueError(f"format must be one of {', '.join(formats)}, not {format!r}")
        return cls(name, number, key)
