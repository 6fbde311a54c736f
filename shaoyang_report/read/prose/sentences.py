"""Prose as sentences: lines joined into paragraphs, split into sentences, offsets located.

A PDF wraps sentences across printed lines; :func:`join_wrapped_lines` joins them into
paragraphs that remember where each printed line starts (:class:`Paragraph`), so a
figure found in a sentence is still located on the line it was printed on
(:func:`location_at`). Sentences end at ``。；;！？`` and at line ends, never at commas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shaoyang_report.read.text import GLOSS, simplify_chars

__all__ = [
    "SPACE",
    "normalise",
    "Paragraph",
    "Sentence",
    "iter_lines",
    "iter_sentences",
    "join_wrapped_lines",
    "location_at",
    "mask_titles",
    "split_sentences",
]

#: White space around sentences (ASCII, ideographic and non-breaking).
SPACE = " \t\u3000\xa0\r\n"
_TITLE_RE = re.compile(r"《[^《》]*》")
_SENTENCE_END_RE = re.compile(r"[。；;！？]+[”’」』]*")
_TERMINAL = tuple("。！？；;!?：:")


@dataclass(slots=True)
class Sentence:
    """One sentence of one line (or paragraph), its 《titles》 masked."""

    prefix: str | Paragraph         # the line's location, or the paragraph it is in
    offset: int                     # start of the sentence within the line's text
    raw: str                        # the sentence as printed
    masked: str                     # the same, with 《title》 contents replaced by □
    titles: list[tuple[int, int]]   # where 《titles》 are


def normalise(text: str) -> tuple[str, list[int] | None]:
    """A line's text in Simplified characters, its pinyin glosses dropped, and where each character was printed.

    Returns:
        ``(text, where)``: ``where[i]`` is the printed offset of character ``i`` (one
        more entry for the end), or None when nothing was dropped (offsets are the
        printed ones).

    Example:
        >>> normalise("鎮(zhèn)發布")
        ('镇发布', [0, 7, 8, 9])
    """
    if "(" not in text or not GLOSS.search(text):
        return simplify_chars(text), None
    pieces: list[str] = []
    where: list[int] = []
    pos = 0
    for m in GLOSS.finditer(text):
        pieces.append(text[pos:m.start()])
        where.extend(range(pos, m.start()))
        pos = m.end()
    pieces.append(text[pos:])
    where.extend(range(pos, len(text) + 1))
    return simplify_chars("".join(pieces)), where


def mask_titles(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text with the contents of 《titles》 replaced by □, and where the titles are."""
    if "《" not in text:
        return text, []
    spans: list[tuple[int, int]] = []
    masked = text
    for _ in range(2):  # the inner title first, then one enclosing it: 《…《…》…》
        found = [(m.start(), m.end()) for m in _TITLE_RE.finditer(masked)]
        if not found:
            break
        spans += found
        masked = _TITLE_RE.sub(lambda m: "□" * len(m.group()), masked)
    return masked, spans


def split_sentences(text: str) -> Iterable[tuple[int, int]]:
    """``(start, end)`` of each sentence of a line's text, surrounding white space left out."""
    pos = 0
    bounds = [m.end() for m in _SENTENCE_END_RE.finditer(text)]
    if not bounds or bounds[-1] < len(text):
        bounds.append(len(text))
    for end in bounds:
        a, b = pos, end
        while a < b and text[a] in SPACE:
            a += 1
        while b > a and text[b - 1] in SPACE:
            b -= 1
        if a < b:
            yield a, b
        pos = end


def iter_lines(lines: Iterable) -> Iterable[tuple[str | Paragraph, str]]:
    """``(prefix, text)`` of each line; a plain string is line ``n`` (1-based)."""
    for n, line in enumerate(lines, start=1):
        if isinstance(line, str):
            yield f"line {n}", line
            continue
        prefix, text = line
        if type(text) is not str:
            text = "" if text is None else str(text)
        if type(prefix) is not str and not isinstance(prefix, Paragraph):
            prefix = str(prefix)
        yield prefix, text


@dataclass(frozen=True)
class Paragraph:
    """Printed lines joined into one paragraph (a PDF wraps sentences across lines).

    ``pieces`` holds, per printed line, its location, where its text starts in the
    joined paragraph, and how many leading characters were stripped; :meth:`locate`
    maps offsets in the paragraph back to the printed line they are on.
    """

    pieces: tuple[tuple[str, int, int], ...]

    def locate(self, start: int, end: int) -> str:
        """``location, chars a-b`` of the printed line holding ``[start, end)``."""
        first = last = self.pieces[0]
        for piece in self.pieces:
            if piece[1] <= start:
                first = piece
            if piece[1] < end:
                last = piece
        a = start - first[1] + first[2]
        if last is first:
            return f"{first[0]}, chars {a}-{end - first[1] + first[2]}"
        return f"{first[0]}, chars {a}- … {last[0]}, chars {last[2]}-{end - last[1] + last[2]}"

    def __str__(self) -> str:
        return self.pieces[0][0]


def join_wrapped_lines(lines: Sequence[tuple[str, str]]) -> list[tuple[str | Paragraph, str]]:
    """Join lines that a PDF wrapped mid-sentence into paragraphs.

    A line is taken to continue on the next when it is nearly as long as the
    document's long lines (80 % of their 90th-percentile length) and does not end a
    sentence (。！？；：). Short lines (titles, headings) and lines ending a sentence
    stand alone, so text whose paragraphs are single lines (copied web pages) is left
    as it is.

    Args:
        lines: ``(location, text)`` of the prose lines, in order.

    Returns:
        ``(prefix, text)`` pairs for :func:`~shaoyang_report.read.prose.facts.extract_prose_facts`; a joined paragraph's
        prefix is a :class:`Paragraph` that maps offsets back to printed lines.
    """
    stripped = [t.strip() for _, t in lines]
    lengths = sorted(map(len, filter(None, stripped)))
    if not lengths:
        return list(lines)
    if len(lengths) <= 3:  # too few lines to tell a wrapped one
        return [(location, raw) for location, raw in lines]
    wide = 0.8 * lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]
    out: list[tuple[str | Paragraph, str]] = []
    pieces: list[tuple[str, int, int]] = []
    text = ""
    for (location, raw), line in zip(lines, stripped):
        wrapped = len(line) >= wide and not line.endswith(_TERMINAL)
        if not pieces and not wrapped:  # a line standing alone
            out.append((location, raw))
            continue
        pieces.append((location, len(text), len(raw) - len(raw.lstrip())))
        text += line
        if wrapped:
            continue  # the sentence goes on in the next line
        out.append((Paragraph(tuple(pieces)), text))
        pieces, text = [], ""
    if pieces:
        out.append((Paragraph(tuple(pieces)) if len(pieces) > 1 else pieces[0][0], text))
    return out


def iter_sentences(lines: Iterable) -> Iterable[Sentence]:
    """Every sentence of the lines (as :func:`iter_lines` takes them), in reading order."""
    for prefix, text in iter_lines(lines):
        for a, b in split_sentences(text):
            raw = text[a:b]
            masked, titles = mask_titles(raw)
            yield Sentence(prefix, a, raw, masked, titles)


def location_at(prefix: str | Paragraph, start: int, end: int) -> str:
    """Where characters ``start…end`` of a line's (or paragraph's) text were printed."""
    if isinstance(prefix, Paragraph):
        return prefix.locate(start, end)
    return f"{prefix}, chars {start}-{end}"

