"""The reader's and the checks' English notes said in Chinese, for the pages, the workbook's Chinese sheets and the Word copy.

What the reader writes into ``corpus.missing.reason``, ``corpus.problems.message`` and
``corpus.errors.error`` is English (the frames are for programs); a page says it in
Chinese. The sentences are matched against the patterns of the package's
``data/messages_zh.csv`` (a regular expression matched at the start of the note, its named
groups filled into the Chinese); a note no pattern matches is summarised as
:data:`UNKNOWN_ZH` (its English stays in the frames and the workbook's data sheets). A
check's cells (``total_handled/requests/total``) are named by their printed labels
(``（七）总计·总计``).

Example:
    >>> message_zh("the text ends after 0 of its 7 values")
    '文本在该行应有的 7 个数值中读到 0 个后结束'
    >>> cells_zh("无法核对，granted/requests/total 未填报或为空", "applications")
    '无法核对，（一）予以公开·总计 未填报或为空'
"""

from __future__ import annotations

import re
from functools import cache

from shaoyang_report.config import package_csv

#: What a page says of a note no pattern of ``messages_zh.csv`` matches.
UNKNOWN_ZH = "读取说明（未译出，原文见数据表）"
_CELL = re.compile(r"\b([a-z][a-z0-9_]*)/([a-z][a-z0-9_]*)/([a-z][a-z0-9_]*)\b")


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(r["pattern"]), r["zh"]) for r in package_csv("messages_zh.csv"))


def message_zh(message: object) -> str:
    """A reader's note (a missing row's reason, a problem, an unreadable file's error) in Chinese.

    Args:
        message: The note as the frames hold it; a note already in Chinese is kept.

    Returns:
        The Chinese sentence; ``""`` for no note; :data:`UNKNOWN_ZH` when no pattern matches.
    """
    if not isinstance(message, str) or not message.strip():
        return ""
    text = message.strip()
    if not re.search(r"[A-Za-z]{2}", text):
        return text
    for pattern, zh in _patterns():
        found = pattern.match(text)
        if found:
            return zh.format(**{k: (v or "").strip() for k, v in found.groupdict().items()})
    return UNKNOWN_ZH


def cells_zh(text: object, section: object) -> str:
    """A check's sentence with its cell keys (``item/measure/applicant``) as the printed labels."""
    if not isinstance(text, str):
        return ""
    if not isinstance(section, str):
        return text
    from shaoyang_report.layout import get_layout

    layout = get_layout()

    def label(found: re.Match[str]) -> str:
        try:
            item = layout.column_label(section, "item", found[1])
            applicant = layout.column_label(section, "applicant", found[3])
        except KeyError:
            return found[0]
        parts = [item] + ([applicant] if applicant != found[3] else [])
        return "·".join(parts) if item != found[1] else found[0]

    return _CELL.sub(label, text)
