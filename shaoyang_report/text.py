"""Text normalisation and printed-value parsing shared by every reader."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from .layout import get_layout

# After NFKC: unify the brackets and dashes real reports mix.
_PUNCTUATION = {
    "〔": "[", "〕": "]", "【": "[", "】": "]", "﹝": "[", "﹞": "]",
    "−": "-", "－": "-", "‐": "-", "‑": "-",
}
_WS = re.compile(r"\s+")
# A pinyin gloss in ASCII brackets after a Chinese character, as Traditional mirrors
# print them inside labels: 數(shù)量, 鄉(xiāng). Dropped before matching.
_GLOSS = re.compile(r"(?<=[\u3400-\u9fff])\((?:[a-zü]|[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]){1,7}\)")


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


def simplify(text: str) -> str:
    """Traditional characters as Simplified, pinyin glosses dropped; all else as printed.

    Example:
        >>> simplify("本年制發(fā)件數(shù)")
        '本年制发件数'
        >>> simplify("(一)予以公开")
        '(一)予以公开'
    """
    if "(" in text:
        text = _GLOSS.sub("", text)
    return text.translate(_translation())

_UNIT_SUFFIXES = "万元|亿元|万|亿|元|件|个|项|条|次"
VALUE_RE = re.compile(
    r"^(?P<sign>[+-]?)(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?P<unit>" + _UNIT_SUFFIXES + r")?$"
)


@lru_cache(maxsize=1 << 16)
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
    return _WS.sub("", simplify(unicodedata.normalize("NFKC", text)))


@lru_cache(maxsize=1 << 16)
def is_value(text: str) -> bool:
    """Whether a printed cell holds a number (or a not-stated marker such as ``—``).

    Example:
        >>> is_value("46502.47万"), is_value("-56"), is_value("—"), is_value("1.属于国家秘密")
        (True, True, True, False)
    """
    norm = normalize(text)
    return bool(VALUE_RE.match(norm)) or norm in get_layout().not_stated


def parse_value(raw: str, unit: str) -> tuple[float, str | None]:
    """Turn a printed cell into a number in ``unit``.

    Blank cells and not-stated markers give NaN (blank is not zero). A unit printed in
    the cell is converted (``251000元`` in 万元 is 25.1).

    Args:
        raw: The cell as printed.
        unit: The unit of the measure (``件``, ``万元`` …).

    Returns:
        ``(value, problem)``: problem is ``None`` or says why the cell is not a number
        in that unit (the value is then NaN).

    Example:
        >>> parse_value("46502.47万", "万元"), parse_value("251000元", "万元")
        ((46502.47, None), (25.1, None))
        >>> parse_value("", "件")[0]
        nan
    """
    norm = normalize(raw)
    if not norm or norm in get_layout().not_stated:
        return math.nan, None
    m = VALUE_RE.match(norm)
    if m is None:
        return math.nan, f"{raw!r} is not a number"
    try:
        number = Decimal(m["sign"] + m["num"].replace(",", "") + (m["frac"] or ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        return math.nan, f"{raw!r} is not a number"
    printed_unit = m["unit"]
    if printed_unit:
        factor = get_layout().units.get(unit, {}).get(printed_unit)
        if factor is None:
            return math.nan, f"{raw!r}: unit {printed_unit} cannot be read as {unit}"
        number *= factor
    return float(number), None
