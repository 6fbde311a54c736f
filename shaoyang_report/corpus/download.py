"""What one download gives back: its bytes and headers (:class:`Download`) or why it failed (:class:`Failure`).

The guarded client (:mod:`~shaoyang_report.corpus.netguard`) returns a :class:`Download`
or raises a :class:`Failure`; the address guard and the deadline
(:mod:`~shaoyang_report.corpus.addresses`) and the archive raise :class:`Failure` too;
``fetch`` and ``discover`` report its message.

Example:
    >>> human_size(512), human_size(44_646), human_size(3 * 1024 * 1024)
    ('512 bytes', '43.6 KB', '3.0 MB')
"""

from __future__ import annotations

from dataclasses import dataclass


class Failure(Exception):
    """One download failed; ``connection`` when no response came (offline, refused, DNS)."""

    def __init__(self, message: str, connection: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.connection = connection


@dataclass
class Download:
    """A URL downloaded: where it was finally served from, its status and headers, its bytes.

    Attributes:
        url: The URL asked for.
        final_url: The URL that served the bytes (after redirects).
        http_status: The final HTTP status.
        content_type: The ``Content-Type`` header.
        disposition: The ``Content-Disposition`` header.
        last_modified: The ``Last-Modified`` header.
        data: The bytes as served.
        attempts: Requests made, retries included.
        notes: Why each failed attempt failed.
    """

    url: str
    final_url: str
    http_status: int
    content_type: str
    disposition: str
    last_modified: str
    data: bytes
    attempts: int
    notes: list[str]


def human_size(n: int) -> str:
    """A byte count for messages: bytes, KB or MB."""
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"
