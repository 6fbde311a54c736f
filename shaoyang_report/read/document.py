"""The one in-memory model every source feeds: a :class:`Document` of lines and cells.

Readers (:mod:`shaoyang_report.read.readers`: copied text, PDF, Word, HTML, OCR) turn a
file into a Document; the template reader (:mod:`shaoyang_report.read.tables`) and the
metadata and prose readers only ever see Documents. A :class:`Line` is a printed line (or
a table row) with its location; its :class:`Token` s are the cells read from it, in
reading order (how a printed line is cut into cells: :mod:`shaoyang_report.read.cells`).

This module is the model only: it reads no file and imports nothing of the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

# Token kinds
TEXT, VALUE, BLANK, PAD, GLUED = "text", "value", "blank", "pad", "glued"


class Token(NamedTuple):
    """One cell: printed text, where it is, and whether it is a label or a value.

    ``kind`` is ``text`` (a label or other words), ``value`` (a number or a
    not-stated marker), ``blank`` (an empty cell), ``pad`` (a bare ``|``: layout
    padding, or an empty cell where the document prints them so) or ``glued``
    (digits printed run into the text before them, ``规章000``).
    """

    text: str
    location: str
    kind: str


@dataclass(slots=True)
class Line:
    """A printed line (or table row) and the cells read from it."""

    text: str
    location: str
    tokens: list[Token] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    """A report as lines and cells, whatever file it came from.

    Attributes:
        source: The file name used in messages and ``location`` values.
        lines: Every printed line in reading order.
        reader: Which reader produced it (``text``, ``html``, ``pdf``, ``docx``, ``ocr``; ``doc``,
            ``wps``, ``xls``, ``xlsx``, ``ofd``, ``mhtml``).
        grid: Whether the source is a grid that prints every cell, empty ones as
            ``blank`` tokens (HTML and Word tables, markdown tables).
        ocr_pages: The pages (``page 3``, ``image 1``) read by OCR (:mod:`.readers.ocr`).
        confidence: Location → OCR recognition confidence (0–1) of what was read there.
        title: A title the source holds apart from its text (a saved page's ``<title>``,
            located ``<title>``), or None: a source of metadata, not a printed line.
    """

    source: str
    lines: list[Line]
    reader: str = "text"
    grid: bool = False  # every cell is printed, empty ones too (HTML, Word, markdown tables)
    ocr_pages: tuple[str, ...] = ()
    confidence: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    title: Line | None = None
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # what is worked out once per document
