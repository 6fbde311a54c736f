"""Text normalisation and printed-value parsing shared by every reader."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from shaoyang_report.layout import get_layout

# After NFKC: unify the brackets and dashes real reports mix.
_PUNCTUATION = {
    "〔": "[", "〕": "]", "【": "[", "】": "]", "﹝": "[", "﹞": "]",
    "−": "-", "－": "-", "‐": "-", "‑": "-",
}
_WS = re.compile(r"\s+")
# A pinyin gloss in ASCII brackets after a Chinese character, as Traditional mirrors
# print them inside labels: 數(shù)量, 鄉(xiāng). Dropped before matching.
GLOSS = re.compile(r"(?<=[\u3400-\u9fff])\((?:[a-zü]|[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]){1,7}\)")


@cache
def _translation() -> dict[int, str]:
    """Punctuation unified, and Traditional characters mapped to Simplified.

    The character map comes from OpenCC (``t2s``), restricted to characters outside
    GB 2312: a character a Simplified text may itself use (乾, 著, 於 …) is never
    changed, so Simplified reports read exactly as before.
    """
    import opencc

    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    simplified = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    table = {}
    for trad, simp in zip(chars, simplified):
        if trad != simp and len(simp) == 1:
            try:
                trad.encode("gb2312")
            except UnicodeEncodeError:
                table[ord(trad)] = simp
    table.update({ord(k): v for k, v in _PUNCTUATION.items()})
    return table


@cache
def _translated() -> re.Pattern:
    """Any character :func:`_translation` changes: most texts hold none, and a search is far quicker than a translation."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_translation())) + "]")


def simplify_chars(text: str) -> str:
    """Traditional characters as Simplified and punctuation unified, character for character.

    Unlike :func:`simplify` the text keeps its length (pinyin glosses stay), so offsets
    found in it are offsets in the printed text.

    Example:
        >>> simplify_chars("辦結 31 件〔2021〕")
        '办结 31 件[2021]'
    """
    return text.translate(_translation()) if _translated().search(text) else text


@cache
def _printed_as() -> dict[str, str]:
    """For each character :func:`simplify_chars` makes of others: those others."""
    found: dict[str, str] = {}
    for code, simplified in _translation().items():
        found[simplified] = found.get(simplified, "") + chr(code)
    return found


def printed_forms(chars: str) -> str:
    """The characters, each followed by every character :func:`simplify_chars` reads as it.

    A pattern whose characters are widened so finds, in the text as printed, every
    place the pattern may match once the text is simplified (and more).

    Example:
        >>> printed_forms("两]")
        '两兩]〕】﹞'
    """
    forms = _printed_as()
    return "".join(ch + forms.get(ch, "") for ch in chars)


def simplify(text: str) -> str:
    """Traditional characters as Simplified, pinyin glosses dropped; all else as printed.

    Example:
        >>> simplify("本年制發(fā)件數(shù)")
        '本年制发件数'
        >>> simplify("(一)予以公开")
        '(一)予以公开'
    """
    if "(" in text:
        text = GLOSS.sub("", text)
    return simplify_chars(text)


_UNIT_SUFFIXES = "万元|亿元|万|亿|元|件|个|项|条|次"
# A "?" before a number is an encoding artifact of copied pages (a non-breaking space
# shown as "?"): "? 0" is 0, noted.
# A change (本年增/减) may print its sign as a word: 增3, 减少2.
VALUE_RE = re.compile(
    r"^(?P<artifact>[?？\ufffd])?(?P<word>增加|减少|增|减)?(?P<sign>[+-]?)(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?P<unit>" + _UNIT_SUFFIXES + r")?$"
)
# Footnote marks after a number (superscripts, circled numbers, *, ※, †): marks, not
# digits. NFKC would turn 4089¹ into 40891, so they are split off before normalising.
_MARKS = "\u00b9\u00b2\u00b3\u2070-\u209f\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf※*＊†‡"
_MARK_RE = re.compile(f"[{_MARKS}]+$")
_ONLY_MARKS_RE = re.compile(f"^[{_MARKS}\\s]+$")
# Longest number read: a report's numbers are counts and 万元 amounts; 400 digits are
# no figure of a report.
MAX_DIGITS = 15


def split_mark(text: str) -> tuple[str, str]:
    """A printed cell split into its number and a trailing footnote mark.

    Example:
        >>> split_mark("4089¹"), split_mark("4089①"), split_mark("-56")
        (('4089', '¹'), ('4089', '①'), ('-56', ''))
    """
    m = _MARK_RE.search(text.rstrip())
    if m is None:
        return text, ""
    return text.rstrip()[: m.start()], m.group(0)


def is_mark(text: str) -> bool:
    """Whether a cell holds only footnote marks (``⑧``, ``*``): no number."""
    return bool(_ONLY_MARKS_RE.match(text))


@lru_cache(maxsize=1 << 12)
def normalize(text: str) -> str:
    """Normalise printed text for matching: NFKC, unified brackets, no whitespace.

    Traditional characters are read as Simplified and pinyin glosses in brackets are
    dropped (see :func:`simplify`).

    Example:
        >>> normalize("（一） 予以公开")
        '(一)予以公开'
        >>> normalize("第二十条第（九）项")
        '第二十条第(九)项'
        >>> normalize("規(guī)章"), normalize("行政規範性文件")
        ('规章', '行政规范性文件')
    """
    if text.isascii() and text.isalnum():  # digits and Latin letters: NFKC, the map and the spaces leave them so
        return text
    return _WS.sub("", simplify(unicodedata.normalize("NFKC", text)))


@lru_cache(maxsize=1 << 12)
def is_value(text: str) -> bool:
    """Whether a printed cell holds a number (or a not-stated marker such as ``—``).

    Example:
        >>> is_value("46502.47万"), is_value("-56"), is_value("—"), is_value("1.属于国家秘密")
        (True, True, True, False)
        >>> is_value("4089¹"), is_value("⑧"), is_value("? 0"), is_value("减少2")
        (True, False, True, True)
    """
    if text.isascii() and text.isdigit():  # the usual number: VALUE_RE's digits
        return True
    number, _ = split_mark(text)
    norm = normalize(number)
    return bool(norm and VALUE_RE.match(norm)) or norm in get_layout().not_stated


def parse_value(raw: str, unit: str, *, default_unit: str | None = None,
                unit_in_cell: bool = False) -> tuple[float, str | None]:
    """Turn a printed cell into a number in ``unit``.

    Blank cells and not-stated markers give NaN (blank is not zero). A unit printed in
    the cell is converted (``251000元`` in 万元 is 25.1).

    Args:
        raw: The cell as printed.
        unit: The unit of the measure (``件``, ``万元`` …).
        default_unit: The unit of a cell that prints none (the block's header said
            so); ``None``: the measure's unit.
        unit_in_cell: The format prints no unit for this column: a non-zero number
            printed without a unit (and no header unit) has no certain unit.

    Returns:
        ``(value, problem)``: problem is ``None`` or says why the cell is not a number
        in that unit (the value is then NaN).

    Example:
        >>> parse_value("46502.47万", "万元"), parse_value("251000元", "万元")
        ((46502.47, None), (25.1, None))
        >>> parse_value("增3", "项"), parse_value("减少 2", "项"), parse_value("－5", "项")
        ((3.0, None), (-2.0, None), (-5.0, None))
        >>> parse_value("", "件")[0]
        nan
        >>> parse_value("15000000", "万元", unit_in_cell=True)
        (nan, "'15000000' is printed without a unit, which this column needs (万元 or 元?)")
        >>> parse_value("6.39", "件")
        (nan, "'6.39' has a decimal point in a column of whole 件 (a speck read as a point?): not read")
    """
    return parse_cell(raw, unit, default_unit=default_unit, unit_in_cell=unit_in_cell)[:2]


@lru_cache(maxsize=4096)
def parse_cell(raw: str, unit: str, *, default_unit: str | None = None,
               unit_in_cell: bool = False) -> tuple[float, str | None, str | None]:
    """:func:`parse_value`, and a note on what was read around the number.

    Returns:
        ``(value, problem, note)``: the note names a footnote mark or an encoding
        artifact kept in ``raw`` but not in the value.

    Example:
        >>> parse_cell("4089¹", "项")
        (4089.0, None, "footnote mark '¹' after 4089 is not a digit")
    """
    number_text, mark = split_mark(raw)
    norm = normalize(number_text)
    if not norm or norm in get_layout().not_stated:
        if mark and not norm:
            return math.nan, f"{raw!r} is a mark, not a number", None
        return math.nan, None, None
    m = VALUE_RE.match(norm)
    if m is None:
        return math.nan, f"{raw!r} is not a number", None
    if len(m["num"].replace(",", "")) > MAX_DIGITS:
        return math.nan, f"{raw[:20]!r}… has more digits than any figure of a report", None
    if m["frac"] and unit in get_layout().whole_units:
        return math.nan, f"{raw!r} has a decimal point in a column of whole {unit} (a speck read as a point?): not read", None
    sign = m["sign"]
    if m["word"]:
        if sign:
            return math.nan, f"{raw!r} prints its sign twice ({m['word']}, {sign})", None
        sign = "-" if m["word"].startswith("减") else "+"
    try:
        number = Decimal(sign + m["num"].replace(",", "") + (m["frac"] or ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        return math.nan, f"{raw!r} is not a number", None
    printed_unit = m["unit"] or default_unit
    if printed_unit:
        factor = get_layout().units.get(unit, {}).get(printed_unit)
        if factor is None:
            return math.nan, f"{raw!r}: unit {printed_unit} cannot be read as {unit}", None
        number *= factor
    elif unit_in_cell and number != 0:
        return math.nan, f"{raw!r} is printed without a unit, which this column needs (万元 or 元?)", None
    value = float(number)
    if not math.isfinite(value):  # pragma: no cover - MAX_DIGITS keeps values finite
        return math.nan, f"{raw[:20]!r}… is not a finite number", None
    notes = []
    if mark:
        notes.append(f"footnote mark {mark!r} after {number_text.strip()} is not a digit")
    if m["artifact"]:
        notes.append(f"{m['artifact']!r} before the number is an encoding artifact")
    return value, None, "; ".join(notes) or None
