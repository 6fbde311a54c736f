"""Regular expressions found faster: the characters every match of a pattern starts with.

The prose reader searches every sentence with many patterns: a pattern whose matches
can only start with a few known characters is prefixed with a lookahead for them
(:func:`quick_search`), and a text holding none of them is passed over without a search
(:func:`first_chars`). Plain regular-expression utilities that know nothing of reports.
"""

from __future__ import annotations

import re
from functools import cache

_CATEGORY_CLASSES = {
    "CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s", "CATEGORY_WORD": r"\w",
    "CATEGORY_UNI_DIGIT": r"\d", "CATEGORY_UNI_SPACE": r"\s", "CATEGORY_UNI_WORD": r"\w",
}


def _first_chars(items) -> tuple[list[str] | None, bool]:
    """What a parsed (sub)pattern's first consumed character may be: ``(class pieces, may match empty)``.

    ``None`` pieces: anything (or not worked out). Assertions and anchors consume nothing.
    """
    from re import _constants as c  # type: ignore[attr-defined]  # the stubs lack re's private modules

    pieces: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            return pieces + [re.escape(chr(av))], False
        if op is c.IN:
            for kind, value in av:
                if kind is c.LITERAL:
                    pieces.append(re.escape(chr(value)))
                elif kind is c.RANGE:
                    pieces.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
                elif kind is c.CATEGORY and str(value) in _CATEGORY_CLASSES:
                    pieces.append(_CATEGORY_CLASSES[str(value)])
                else:
                    return None, True
            return pieces, False
        if op is c.SUBPATTERN:
            if av[1] or av[2]:  # flags changed inside
                return None, True
            sub, empty = _first_chars(av[3])
        elif op is c.BRANCH:
            sub, empty = [], False
            for alternative in av[1]:
                alt, alt_empty = _first_chars(alternative)
                if alt is None:
                    return None, True
                sub += alt
                empty = empty or alt_empty
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            sub, empty = _first_chars(av[2])
            empty = empty or av[0] == 0
        elif op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue  # consumes nothing: the first character is that of what follows
        else:
            return None, True
        if sub is None:
            return None, True
        pieces += sub
        if not empty:
            return pieces, False
    return pieces, True


@cache
def first_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The characters every match of a pattern starts with, or None when that is not a short list.

    A text holding none of them holds no match.

    Example:
        >>> sorted(first_chars(re.compile("(?<!申请)公开信息|[市县]长信箱")))
        ['公', '县', '市']
    """
    from re import _constants as c  # type: ignore[attr-defined]  # the stubs lack re's private modules
    from re import _parser  # type: ignore[attr-defined]

    if pattern.flags & ~re.UNICODE or not isinstance(pattern.pattern, str):
        return None
    try:
        pieces, empty = _first_chars(_parser.parse(pattern.pattern))
    except Exception:  # noqa: BLE001 - not worked out
        return None
    if pieces is None or empty or not pieces:
        return None
    chars = set()
    for piece in pieces:
        try:
            parsed = _parser.parse(f"[{piece}]")
        except Exception:  # noqa: BLE001
            return None
        if len(parsed) != 1:
            return None
        op, av = parsed[0]
        if op is c.LITERAL:
            entries = [(op, av)]
        elif op is c.IN:
            entries = av
        else:
            return None  # neither a character nor a class: not a short list
        for kind, value in entries:
            if kind is c.LITERAL:
                chars.add(chr(value))
            elif kind is c.RANGE and value[1] - value[0] < 256:  # a short range (0-9)
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            else:
                return None  # a long range or a category: not a short list
    return frozenset(chars)


@cache
def quick_search(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same pattern, found faster by ``search``/``finditer`` in long text.

    Where every match must start with one of a known set of characters, the pattern is
    prefixed with a lookahead for them, which lets the regular-expression engine skip
    to those characters instead of trying the whole pattern at every position. What
    matches, where, and its groups are unchanged; a pattern whose first character
    cannot be worked out (or that may match the empty string) is returned as it is.

    Example:
        >>> quick_search(re.compile("公开信息|长信箱")).pattern
        '(?=[公长])(?:公开信息|长信箱)'
    """
    from re import _parser  # type: ignore[attr-defined]  # the stubs lack re's private modules

    if pattern.flags & ~re.UNICODE or not isinstance(pattern.pattern, str):
        return pattern
    try:
        pieces, empty = _first_chars(_parser.parse(pattern.pattern))
    except Exception:  # noqa: BLE001 - not worked out: the pattern as it is
        return pattern
    if pieces is None or empty or not pieces:
        return pattern
    try:
        quick = re.compile(f"(?=[{''.join(dict.fromkeys(pieces))}])(?:{pattern.pattern})")
    except re.error:
        return pattern
    return quick if quick.groupindex == pattern.groupindex and quick.groups == pattern.groups else pattern
