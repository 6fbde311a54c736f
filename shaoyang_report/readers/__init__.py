"""Readers: one per source form, each producing the same :class:`~shaoyang_report.document.Document`.

:func:`load_document` picks the reader by the file's content (not only its extension).
Every reader feeds the one template reader in :mod:`shaoyang_report.tables`.
"""

from __future__ import annotations

from pathlib import Path

from ..document import Document, decode, read_bytes, text_document


def load_document(path: str | Path) -> Document:
    """Read a file into a Document, choosing the reader by content.

    Raises:
        ReportFormatError: The file is missing, empty, binary or not decodable text.
    """
    path = Path(path)
    data = read_bytes(path)
    return text_document(decode(data, path.name), path.name)
