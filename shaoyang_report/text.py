"""Text normalisation and printed-value parsing shared by every reader."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .layout import get_layout

# After NFKC: unify the brackets and dashes real reports mix.
_TRANSLATE = str.maketrans(
    {
        "〔": "[", "〕": "]", "【": "[", "】": "]", "﹝": "[", "﹞": "]",
        "−": "-", "－": "-", "‐": "-", "‑": "-",
    }
)
_WS = re.compile(r"\s+")

_UNIT_SUFFIXES = "万元|亿元|万|亿|元|件|个|项|条|次"
VALUE_RE = re.compile(
    r"^(?P<sign>[+-]?)(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?P<unit>" + _UNIT_SUFFIXES + r")?$"
)


@lru_cache(maxsize=1 << 16)
def normalize(text: str) -> str:
    """Normalise printed text for matching: NFKC, unified brackets, no whitespace.

    Example:
        >>> normalize("（一） 予以公开")
        '(一)予以公开'
        >>> normalize("第二十条第（九）项")
        '第二十条第(九)项'
    """
    return _WS.sub("", unicodedata.normalize("NFKC", text).translate(_TRANSLATE))


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
