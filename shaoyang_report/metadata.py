"""Agency, year and national format of a report, read from its text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .document import Document
from .layout import get_layout
from .text import normalize


@dataclass(frozen=True)
class Metadata:
    """What a report says about itself.

    Attributes:
        agency: The agency name as printed in the title or opening sentence, or None.
        year: The reporting year, or None.
        title: The line the agency/year came from.
        template: ``F2019`` or ``F2021``.
        template_basis: Why: ``table labels`` (labels only that format prints) or
            ``year`` (no table label seen; the format in use that year).
    """

    agency: str | None
    year: int | None
    title: str | None
    template: str | None
    template_basis: str | None


def read_metadata(doc: Document) -> Metadata:
    """Find agency, year and format in a Document.

    The year is taken from the statistics-period sentence where there is one, else
    from the title; the format from labels only one format prints, else from the year.
    """
    meta = get_layout().metadata
    head = [ln for ln in doc.lines[: int(meta["head_lines"])] if ln.text.strip()]
    norms = [normalize(ln.text) for ln in head]
    agency = title = None
    title_year = None
    for i, norm in enumerate(norms):
        for pattern in meta["title"]:
            m = pattern.match(norm)
            if m:
                agency, title_year, title = m["agency"], int(m["year"]), head[i].text.strip()
                break
        if title is None and i > 0:
            for pattern in meta["title_year_only"]:
                m = pattern.match(norm)
                if m and meta["agency_line"].match(norms[i - 1]):
                    agency, title_year = norms[i - 1], int(m["year"])
                    title = head[i - 1].text.strip() + head[i].text.strip()
                    break
        if title is not None:
            break
    if title is None:
        for i, norm in enumerate(norms):
            for pattern in meta["sentence"]:
                m = pattern.search(norm)
                if m:
                    agency, title_year, title = m["agency"], int(m["year"]), m.group(0)
                    break
            if title is not None:
                break
    period_year = None
    for norm in norms:
        for pattern in meta["period"]:
            m = pattern.search(norm)
            if m:
                period_year = int(m["year"])
                break
        if period_year is not None:
            break
    year = period_year or title_year
    template, basis = detect_format(doc, year)
    return Metadata(agency or None, year, title, template, basis)


def detect_format(doc: Document, year: int | None) -> tuple[str | None, str | None]:
    """Which national format the report's tables follow, and on what basis."""
    layout = get_layout()
    body = normalize("".join(ln.text for ln in doc.lines))
    score = Counter({key: sum(m in body for m in fmt.markers) for key, fmt in layout.formats.items()})
    ranked = score.most_common()
    if ranked and ranked[0][1] > 0 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0], "table labels"
    if year is not None:
        for key, fmt in layout.formats.items():
            if year in fmt.years:
                return key, "year"
    return None, None
