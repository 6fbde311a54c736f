"""Where a report's agency, year and format came from: :class:`Evidence`, :class:`Metadata`.

:func:`~shaoyang_report.read.metadata.read_metadata` finds them in the text; a catalog row
(:class:`~shaoyang_report.read.entry.CatalogEntry`) and the caller
(:class:`~shaoyang_report.read.entry.CallerHints`) fill what the text does not state, as
:meth:`Metadata.provenance` records; :func:`caller_notes` says where the text and the
caller disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from shaoyang_report.layout import get_layout
from shaoyang_report.read.document import Document
from shaoyang_report.read.format_labels import format_evidence
from shaoyang_report.read.text import simplify

if TYPE_CHECKING:  # pragma: no cover
    from shaoyang_report.read.entry import CallerHints, CatalogEntry


class Evidence(NamedTuple):
    """Where one piece of metadata came from.

    Attributes:
        basis: What kind of text said it: ``title``, ``opening sentence``,
            ``statistics period``, ``prose``, ``publication date``, ``catalog``,
            ``caller`` (the caller's ``year=``/``agency=``/``format=``), or for the format
            the ``template_basis`` (``table labels``, ``year`` …).
        location: The printed line(s) (``line 3``, ``line 3-4``, ``page 1, line 2``;
            ``<title>`` for a saved page's title element), or None.
        inferred: True when the evidence is weak: the agency or year is not stated as
            the report's own but read from prose, or the year from a publication date.
    """

    basis: str
    location: str | None = None
    inferred: bool = False

    def describe(self) -> str:
        """The basis, with ``(inferred)`` after weak evidence: ``publication date (inferred)``."""
        return f"{self.basis} (inferred)" if self.inferred else self.basis


@dataclass(frozen=True)
class Metadata:
    """What a report says about itself, and what a catalog row or the caller add.

    Attributes:
        agency: The agency name as printed (original script, pinyin glosses kept) in the
            title, an opening sentence or a paragraph's first clause; or None.
        year: The reporting year the text gives, or None.
        title: The printed title (or the report name quoted in a sentence) the agency
            or year came from, or None.
        template: ``F2019`` or ``F2021``.
        template_basis: Why: ``table labels`` (labels only that format prints), ``caller``
            (the caller's format), ``year`` (the format in use in the text's year; ``year
            (catalog)``, ``year (caller)``: in the year the catalog or the caller gives) or
            ``table headers`` (block headers both formats print as wide: only when
            nothing else tells; see :mod:`~shaoyang_report.read.format_labels`).
        agency_evidence: Where ``agency`` came from (:class:`Evidence`), or None.
        year_evidence: Where ``year`` came from (:class:`Evidence`), or None.
        published: The publication date the page prints above its first heading
            (``发布时间:2021-01-20``; see :func:`~shaoyang_report.read.metadata.date_line`), or None.
        catalog_entry: The catalog row the report was read with, or None.
        given: What the caller said (:class:`~shaoyang_report.read.entry.CallerHints`), or None.
        notes: ``(location, message)``: where the text disagrees with the caller, or its
            tables with its year.
    """

    agency: str | None
    year: int | None
    title: str | None
    template: str | None
    template_basis: str | None
    agency_evidence: Evidence | None = None
    year_evidence: Evidence | None = None
    published: date | None = None
    catalog_entry: CatalogEntry | None = None
    given: CallerHints | None = None
    notes: tuple[tuple[str, str], ...] = ()

    def provenance(self, catalog_entry: CatalogEntry | None = None) -> dict[str, Evidence | None]:
        """Where agency, year and format came from, as :class:`Evidence` (None: not found).

        Keys: ``agency`` (the name used for comparison: the caller's, else the catalog's
        when there is a catalog row, else the printed one), ``agency_printed`` (the name
        read from the text), ``year`` (the text's; the caller's, else the catalog's, when
        the text states none or only lets it be inferred) and ``format``.

        Args:
            catalog_entry: The catalog row (default: the one the metadata was read with).

        Example:
            >>> m = Metadata("示例县", 2022, None, "F2021", "year",
            ...              Evidence("title", "line 1"), Evidence("publication date", "line 2", True))
            >>> m.provenance()["year"].describe(), m.provenance()["format"]
            ('publication date (inferred)', Evidence(basis='year', location=None, inferred=False))
        """
        entry = catalog_entry if catalog_entry is not None else self.catalog_entry
        agency = self.agency_evidence
        if self.given is not None and self.given.agency:
            agency = Evidence("caller")
        elif entry is not None:
            agency = Evidence("catalog")
        return {
            "agency": agency,
            "agency_printed": self.agency_evidence,
            "year": self._year(entry)[1],
            "format": Evidence(self.template_basis) if self.template_basis else None,
        }

    def compared_agency(self, catalog_entry: CatalogEntry | None = None) -> str | None:
        """The agency used for comparison: the caller's, the catalog's, else the printed one in
        Simplified characters without glosses."""
        entry = catalog_entry if catalog_entry is not None else self.catalog_entry
        if self.given is not None and self.given.agency:
            return self.given.agency
        if entry is not None:
            return entry.agency
        return simplify(self.agency) if self.agency else None

    def used_year(self, catalog_entry: CatalogEntry | None = None) -> int | None:
        """The reporting year used: the text's, unless it states none or only lets one be
        inferred and the caller (else the catalog) gives one."""
        return self._year(catalog_entry if catalog_entry is not None else self.catalog_entry)[0]

    def _year(self, entry: CatalogEntry | None) -> tuple[int | None, Evidence | None]:
        weak = self.year is None or (self.year_evidence is not None and self.year_evidence.inferred)
        if weak and self.given is not None and self.given.year is not None:
            return self.given.year, Evidence("caller")
        if weak and entry is not None and entry.year is not None:
            return entry.year, Evidence("catalog")
        return self.year, self.year_evidence


def caller_notes(doc: Document, meta: Metadata, template: str | None, basis: str | None) -> list[tuple[str, str]]:
    """``(location, message)``: tables of a format not in use in the report's year, and where the
    text disagrees with what the caller says (its own is kept for the year and the format; the
    caller's agency is the one compared, the printed one kept as printed)."""
    out = []
    given, year = meta.given, meta.used_year()
    if template and basis == "table labels" and year is not None and year not in get_layout().formats[template].years:
        out.append(("", f"the tables follow {template} in a {year} report: read as printed"))
    if given is None:
        return out
    printed = meta.year_evidence
    if given.year is not None and meta.year is not None and given.year != meta.year and printed is not None:
        if printed.inferred:
            text = f"the caller gives the year {given.year}, used; the text lets {meta.year} be inferred ({printed.basis})"
        else:
            text = f"the caller gives the year {given.year}; the text states {meta.year} ({printed.basis}): {meta.year} is used"
        out.append((printed.location or "", text))
    if given.format and template and given.format != template:  # the labels decided
        labels = "; ".join(format_evidence(doc).seen.get(template, []))
        out.append(("", f"the caller gives the format {given.format}; the tables print labels only {template} "
                        f"prints ({labels}): read as {template}"))
    elif given.format and year is not None and year not in get_layout().formats[given.format].years:
        out.append(("", f"the tables are read as {given.format}, as the caller says, in a {year} report"))
    if given.agency and meta.agency:
        mine, theirs = simplify(meta.agency), simplify(given.agency)
        if mine not in theirs and theirs not in mine:
            where = meta.agency_evidence.location if meta.agency_evidence else ""
            out.append((where or "", f"the caller gives the agency {given.agency}; the text prints {meta.agency}: "
                                     f"{given.agency} is used for comparison, {meta.agency} kept as printed"))
    return out
