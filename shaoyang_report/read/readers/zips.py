"""Zip archives (.docx, .xlsx, .ofd, archives of reports) checked before any library inflates them.

A zip's directory may lie about the sizes its parts inflate to. Before a library sees
the file, every part is inflated here in steps of 1 MiB with a running byte budget
(nothing is kept): a part that inflates to more than its directory entry declares, or
parts that together inflate beyond the caps of :mod:`shaoyang_report.limits`
(``MAX_DOCX_XML_BYTES`` of XML, ``MAX_DOCX_BYTES`` in all, ``MAX_DOCX_RATIO``-fold for
one part beyond 1 MiB, ``MAX_DOCX_XML_TAGS`` of markup, ``MAX_DOCX_MEMBERS`` parts), are
refused as soon as the budget runs out — a zip bomb (a small file that inflates to
gigabytes) costs a fraction of a second and no memory. A part whose CRC or inflated
size disagrees with the directory is damaged.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from shaoyang_report.errors import ReportFormatError
from shaoyang_report.limits import (
    MAX_DOCX_BYTES,
    MAX_DOCX_MEMBERS,
    MAX_DOCX_RATIO,
    MAX_DOCX_XML_BYTES,
    MAX_DOCX_XML_TAGS,
    inflate_bounded,
    refuse,
)


def check_archive(data: bytes, source: str, required: str | None = "word/document.xml", what: str = "Word file",
                  ) -> list[zipfile.ZipInfo]:
    """Refuse an archive that is not of its kind, is damaged, or inflates too far; its members.

    The directory's declared sizes are checked first (a cheap refusal); then every part
    is inflated with a running byte budget and its actual size and CRC compared with
    the directory, so that what a library later inflates is known to fit the caps.

    Args:
        data: The file's bytes.
        source: The file name, for messages.
        required: The member the kind of file always holds (``word/document.xml``,
            ``OFD.xml`` …); None: any zip.
        what: The kind of file, for messages (``Word file``, ``OFD document`` …).

    Returns:
        The archive's members, each checked.

    Raises:
        ReportFormatError: Not a zip, not of its kind, damaged, encrypted, or a zip bomb.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise ReportFormatError(source, f"the {what} is damaged: it is not a readable zip archive ({exc})") from None
    names = {i.filename for i in infos}
    if required is not None and required not in names:
        raise ReportFormatError(source, f"the file is a zip archive but not a {what} (no {required})")
    if len(infos) > MAX_DOCX_MEMBERS:
        raise refuse(source, f"the {what} has {len(infos):,} parts; refusing to open it (expected under "
                     f"{MAX_DOCX_MEMBERS:,})", "MAX_DOCX_MEMBERS")
    xml = [i for i in infos if _is_xml(i)]
    for group, cap, name, scope in ((xml, MAX_DOCX_XML_BYTES, "MAX_DOCX_XML_BYTES", "of XML"),
                                   (infos, MAX_DOCX_BYTES, "MAX_DOCX_BYTES", "in all")):
        declared = sum(i.file_size for i in group)
        if declared > cap:
            largest = max(group, key=lambda i: i.file_size)
            raise refuse(source, f"the {what} would expand to {declared:,} bytes {scope} ({largest.filename} alone "
                         f"{largest.file_size:,}); a report holds far less than {cap:,} (a zip bomb?); refusing "
                         "to open it", name)
    left, xml_left = MAX_DOCX_BYTES, MAX_DOCX_XML_BYTES
    tags = _TagCount(source, what)
    for info in infos:
        is_xml = _is_xml(info)
        tags.part = info.filename if is_xml else None
        if is_xml and xml_left < left:
            budget, limit, total, scope = xml_left, "MAX_DOCX_XML_BYTES", MAX_DOCX_XML_BYTES, "of XML"
        else:
            budget, limit, total, scope = left, "MAX_DOCX_BYTES", MAX_DOCX_BYTES, "in all"
        fold = max(1 << 20, MAX_DOCX_RATIO * info.compress_size)
        inflated = _inflated_size(data, info, min(budget, fold), source, tags, what)
        if inflated is None and fold < budget:
            raise refuse(source, f"the {what}'s part {info.filename} inflates from {info.compress_size:,} bytes to "
                         f"over {fold:,} (more than {MAX_DOCX_RATIO}-fold; it declares {info.file_size:,}): a zip bomb?; "
                         "refusing to open it", "MAX_DOCX_RATIO")
        if inflated is None:
            raise refuse(source, f"the {what}'s part {info.filename} inflates from {info.compress_size:,} bytes to "
                         f"over {budget:,} (it declares {info.file_size:,}); a report holds far less than "
                         f"{total:,} bytes {scope} (a zip bomb?); refusing to open it", limit)
        size, crc = inflated
        if size != info.file_size:
            raise ReportFormatError(source, f"the {what} is damaged (or a zip bomb): its part {info.filename} "
                                    f"inflates to {size:,} bytes but declares {info.file_size:,}")
        if crc != info.CRC:
            raise ReportFormatError(source, f"the {what} is damaged or truncated: its part {info.filename} fails "
                                    "its checksum (CRC)")
        left -= size
        if is_xml:
            xml_left -= size
    return infos


def _is_xml(info: zipfile.ZipInfo) -> bool:
    return info.filename.endswith((".xml", ".rels"))


class _TagCount:
    """Counts the ``<`` of the XML parts as they inflate; refuses past ``MAX_DOCX_XML_TAGS``."""

    def __init__(self, source: str, what: str) -> None:
        self.source, self.what = source, what
        self.part: str | None = None  # the XML part being inflated (None: not XML)
        self.n = 0

    def __call__(self, chunk) -> None:
        if self.part is None:
            return
        self.n += bytes(chunk).count(b"<") if isinstance(chunk, memoryview) else chunk.count(b"<")
        if self.n > MAX_DOCX_XML_TAGS:
            raise refuse(self.source, f"the {self.what}'s XML holds over {MAX_DOCX_XML_TAGS:,} tags (at part "
                         f"{self.part}); a report holds far fewer; refusing to open it", "MAX_DOCX_XML_TAGS")


def _inflated_size(data: bytes, info: zipfile.ZipInfo, budget: int, source: str,
                   tags: _TagCount, what: str) -> tuple[int, int] | None:
    """The bytes one part really inflates to and their CRC (None: more than ``budget``).

    Raises:
        ReportFormatError: The part is damaged, truncated, encrypted or in a compression
            the reader does not use.
    """
    def damaged(why: str) -> ReportFormatError:
        return ReportFormatError(source, f"the {what} is damaged or truncated: its part {info.filename} {why}")

    if info.flag_bits & 0x1:
        raise ReportFormatError(source, f"the {what} is encrypted (password-protected); save an unprotected copy first")
    offset = info.header_offset
    if data[offset:offset + 4] != b"PK\x03\x04" or len(data) < offset + 30:
        raise damaged("cannot be found where the zip directory says")
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise damaged("is cut short")
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) > budget:
            return None
        size, crc = len(raw), zlib.crc32(raw)
        tags(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        try:
            inflated = inflate_bounded(raw, budget, sink=tags)
        except zlib.error as exc:
            raise damaged(f"cannot be inflated ({exc})") from None
        if inflated is None:
            return None
        size, crc, ended = inflated
        if not ended:
            raise damaged("is cut short")
    else:
        raise ReportFormatError(source, f"the {what}'s part {info.filename} is compressed with method "
                                f"{info.compress_type}, which this reader does not use; save the file again")
    return size, crc
