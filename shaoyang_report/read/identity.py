"""Which agency published a report: one identity across printed names, years and folders.

An agency prints its name differently from year to year (``洪泽区人民政府`` /
``淮安市洪泽区人民政府``, ``邵阳市`` / ``邵阳市人民政府``, Traditional characters, a
bracketed organ ``邵阳县(交通运输局)``). Comparing years needs one identity per agency:
the **administrative division** it belongs to and its **organ** (the government itself,
its office, a bureau, a township's government …).

:func:`resolve_agency` reads a printed name into an :class:`Identity`:

* the divisions printed at its start, matched against China's administrative divisions
  with their GB/T 2260 codes (package data ``divisions.csv``, ``townships.csv`` and
  ``division_changes.csv``, built from JioNLP's data set by ``scripts/build_divisions.py``,
  see ``data/DIVISIONS.md``): a province, city or county by its full name
  (``淮安市``, ``洪泽区``), a city or province by its short name (``邵阳经开区``), an
  autonomous county by its short name and kind (``城步县`` for 城步苗族自治县), a division
  renamed since (``襄樊市`` → 襄阳市) under its present code; then a township of the
  last division (``金紫乡``, ``官洲街道``);
* the rest is the organ, its regular variants made one (package data
  ``agency_organs.csv``: nothing or ``人民政府`` or ``政府`` is the government; ``政府办``
  is ``人民政府办公室``; ``委员会`` is ``委``; ``发改`` is ``发展改革`` …).

The id is ``<division code>[/<township>]/<organ>``: ``320813/人民政府`` for both names of
洪泽区's government, ``430500/人民政府办公室`` for 邵阳市's office (a different organ,
never merged with the government). A name whose division is printed without its parent
and exists in several places (``城中区`` is in 西宁 and 柳州; a ``新城街道`` in many
cities) is decided by the report's own text (``context``: title, opening lines, the
catalog's folder and URL), else it is **ambiguous**: no id, its candidates listed. A
name that prints no division (``审计局``, ``区发改局``) takes the one division the context
names, else it has no id either. Nothing is merged on a guess.

Example:
    >>> resolve_agency("淮安市洪泽区人民政府").agency_id == resolve_agency("洪泽区人民政府").agency_id
    True
    >>> resolve_agency("邵阳市").agency_id, resolve_agency("邵阳市人民政府办公室").agency_id
    ('430500/人民政府', '430500/人民政府办公室')
    >>> resolve_agency("城步县金紫乡").agency_id
    '430529/金紫乡/人民政府'
    >>> found = resolve_agency("城中区人民政府")
    >>> found.ambiguous, found.agency_id, len(found.candidates) > 1
    (True, None, True)
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from shaoyang_report.config import package_csv
from shaoyang_report.read.text import normalize

#: Levels of a division, top down.
LEVELS = ("province", "city", "county", "township")
_KIND_SUFFIX = re.compile(r"(?:自治县|自治旗|自治州)$")
# a short name standing alone names a division only if it is at least this long
_MIN_SHORT = 2
# a name that is a township's by its kind and is followed by a government's organ (云林街道办事处)
_TOWNSHIP_LIKE = re.compile(r"^([\u4e00-\u9fff]{1,8}?(?:乡|镇|街道|苏木))(.*)$")
# after a short name, a division's kind means the short name is part of another place's (中山街道 is no 中山市's)
_KIND_AFTER_SHORT = re.compile(r"(?:街道|社区|乡|镇|村|区|县|市|州|旗|盟|路|街)")
_BRACKETS = re.compile(r"[()\[\]【】〔〕<>《》「」]")

# generic division-kind words a name may start with when it prints no division (区发改局: "the district's")
_GENERIC_PREFIX = re.compile(r"^(?:本|我)?(?:省|市|区|县|旗|州|盟|乡|镇|街道)(?=.{2,})")


@dataclass(frozen=True)
class Division:
    """One administrative division of the data set."""

    code: str
    name: str
    short: str
    level: str
    parent: str

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True)
class Identity:
    """What a printed agency name resolves to.

    Attributes:
        name: The name resolved, as printed.
        agency_id: ``<division code>[/<township>]/<organ>``, or None when ambiguous or
            when no division is named.
        division_code: GB/T 2260 code of the division (for a township, its county's).
        division: The division's full name, province first (``江苏省淮安市洪泽区``).
        division_level: ``province``, ``city``, ``county`` or ``township``.
        organ: The organ within the division (``人民政府``, ``人民政府办公室``,
            ``交通运输局`` …), its regular variants made one.
        evidence: How it was resolved, in words (``division 洪泽区 by name; organ 人民政府``,
            ``alias``, ``ambiguous: 城中区 is in 2 places``).
        ambiguous: True when the name (and context) fit several agencies or no division:
            no id is given, nothing is merged.
        candidates: The ids the name could mean, when ambiguous.
    """

    name: str
    agency_id: str | None
    division_code: str | None = None
    division: str | None = None
    division_level: str | None = None
    organ: str | None = None
    evidence: str = ""
    ambiguous: bool = False
    candidates: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        """The identity as a plain dict (for frames)."""
        return {"name": self.name, "agency_id": self.agency_id, "division_code": self.division_code,
                "division": self.division, "division_level": self.division_level, "organ": self.organ,
                "evidence": self.evidence, "ambiguous": self.ambiguous, "candidates": list(self.candidates)}


#: The identity's columns in a report's summary (``corpus.reports``), in order.
IDENTITY_FIELDS = ("agency_id", "division_code", "division", "division_level", "organ", "agency_evidence",
                   "agency_ambiguous", "agency_candidates")


def identity_fields(identity: Identity) -> dict:
    """An identity as the summary columns of :data:`IDENTITY_FIELDS`."""
    return {"agency_id": identity.agency_id, "division_code": identity.division_code,
            "division": identity.division, "division_level": identity.division_level, "organ": identity.organ,
            "agency_evidence": identity.evidence, "agency_ambiguous": identity.ambiguous,
            "agency_candidates": "; ".join(identity.candidates)}


# ---------------------------------------------------------------------------- the data set
class _Divisions:
    """The divisions indexed by the names they are printed with."""

    def __init__(self) -> None:
        self.by_code: dict[str, Division] = {}
        for row in package_csv("divisions.csv"):
            self.by_code[row["code"]] = Division(row["code"], row["name"], row["short"], row["level"], row["parent"])
        self.names: dict[str, list[tuple[str, str]]] = {}  # printed form → [(code, how)]
        for d in self.by_code.values():
            self._add(d.name, d.code, "name")
            if _KIND_SUFFIX.search(d.name) and len(d.short) >= _MIN_SHORT:
                self._add(d.short + d.name[-1], d.code, "short name and kind")  # 城步县 for 城步苗族自治县
        self.shorts: dict[str, list[str]] = {}  # short names of provinces and cities, standing alone
        for d in self.by_code.values():
            if d.level in ("province", "city") and len(d.short) >= _MIN_SHORT and d.short != d.name:
                self.shorts.setdefault(d.short, []).append(d.code)
        for row in package_csv("division_changes.csv"):
            if row["code"] in self.by_code:
                old = _last_name(row["old"], row["new"])
                if old and old not in self.names:
                    self._add(old, row["code"], f"renamed {row['date']}: {old} → {self.by_code[row['code']].name}")
        self.longest = max(map(len, (*self.names, *self.shorts)))
        starts: dict[str, set[int]] = {}  # a name's first two characters → the lengths of names starting so
        for printed in self.names:
            starts.setdefault(printed[:2], set()).add(len(printed))
        self.starts = {k: tuple(sorted(v, reverse=True)) for k, v in starts.items()}
        # the peoples named by autonomous divisions (城步苗族自治县: 苗族; 恩施土家族苗族自治州: 土家族, 苗族)
        peoples: set[str] = set()
        for d in self.by_code.values():
            if "自治" in d.name and d.name.startswith(d.short):
                peoples.update(p + "族" for p in d.name[len(d.short):d.name.index("自治")].split("族") if p)
        alternation = "|".join(sorted(peoples, key=len, reverse=True))
        # an ethnic township is printed with or without its people's name (二酉苗族乡 / 二酉乡)
        self.ethnic = re.compile(f"(?:{alternation})+(?=乡|镇|苏木)")

    def _add(self, printed: str, code: str, how: str) -> None:
        entries = self.names.setdefault(printed, [])
        if all(c != code for c, _ in entries):
            entries.append((code, how))

    def chain(self, code: str) -> list[Division]:
        """The division and its parents, province first."""
        out = []
        at = self.by_code.get(code)
        while at is not None:
            out.append(at)
            at = self.by_code.get(at.parent) if at.parent else None
        return out[::-1]

    def full_name(self, code: str) -> str:
        return "".join(d.name for d in self.chain(code))

    def is_within(self, code: str, ancestor: str) -> bool:
        return any(d.code == ancestor for d in self.chain(code))


def _last_name(old: str, new: str) -> str:
    """The part of an old full name that the rename changed (``襄樊市`` of 湖北省襄樊市 → 湖北省襄阳市)."""
    i = 0
    while i < min(len(old), len(new)) and old[i] == new[i]:
        i += 1
    # back to the start of the division the change begins in
    kinds = "省市区县州盟旗"
    start = max((j + 1 for j in range(i) if old[j] in kinds), default=0)
    return old[start:] if start < len(old) else ""


@cache
def divisions() -> _Divisions:
    """The data set of divisions (read once)."""
    return _Divisions()


@cache
def _townships() -> dict[str, tuple[str, ...]]:
    """Division code → the townships under it."""
    text = "\n".join(",".join(r.values()) for r in package_csv("townships.csv"))
    out: dict[str, tuple[str, ...]] = {}
    for parent, names in csv.reader(text.splitlines()):
        out[parent] = tuple(names.split("|"))
    return out


@cache
def _township_index() -> dict[str, list[str]]:
    """Township name, without its people's name (:func:`township_key`) → the divisions it lies in (several when it recurs)."""
    index: dict[str, list[str]] = {}
    for parent, names in _townships().items():
        for name in names:
            form = township_key(name)
            if parent not in index.setdefault(form, []):
                index[form].append(parent)
    return index


def township_key(name: str) -> str:
    """A township's name as its id holds it: without its people's name (二酉苗族乡 → 二酉乡), as printed either way."""
    return divisions().ethnic.sub("", name)


@cache
def _organ_rules() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    rows = package_csv("agency_organs.csv")
    whole = {r["printed"]: r["organ"] for r in rows if r["kind"] in ("government", "office")}
    parts = tuple((r["printed"], r["organ"]) for r in rows if r["kind"] == "abbreviation")
    return whole, parts


@cache
def _government_organs() -> frozenset[str]:
    """The organs of a township's government and its office (``agency_organs.csv``, kinds government and office)."""
    whole, _ = _organ_rules()
    return frozenset(whole.values())


def organ_key(printed: str, *, township: bool = False) -> str:
    """The organ of a name's rest, its regular variants made one.

    Example:
        >>> organ_key(""), organ_key("政府办"), organ_key("发改委"), organ_key("发展和改革委员会")
        ('人民政府', '人民政府办公室', '发展改革委', '发展改革委')
    """
    whole, parts = _organ_rules()
    if printed in whole:
        return whole[printed]
    out = printed
    for old, new in parts:
        out = out.replace(old, new)
    return whole.get(out, out)


# ---------------------------------------------------------------------------- reading a name
def clean_name(name: str) -> str:
    """A printed name as matched: Simplified, no glosses, spaces or brackets (``邵阳县(交通运输局)`` → 邵阳县交通运输局)."""
    return _BRACKETS.sub("", normalize(name))


@dataclass
class _Parse:
    codes: list[list[tuple[str, str]]]  # per division printed: candidate (code, how)
    township: str | None
    rest: str
    township_known: bool = True  # the data set holds the township


def _parse(name: str) -> _Parse:
    """The divisions printed at the start of ``name``, the township after them, and the rest."""
    data = divisions()
    pos = 0
    found: list[list[tuple[str, str]]] = []  # per division printed: its candidates (code, how)
    while pos < len(name):
        hit = None
        for n in range(min(data.longest, len(name) - pos), 1, -1):
            piece = name[pos:pos + n]
            options = data.names.get(piece)
            if options is None and not found and piece in data.shorts and pos + n < len(name) \
                    and not _KIND_AFTER_SHORT.match(name, pos + n):
                options = [(c, "short name") for c in data.shorts[piece]]
            if options:
                if found:  # must lie within what was printed before it
                    within = [(c, h) for c, h in options
                              if any(data.is_within(c, p) and c != p for p, _ in found[-1])]
                    if not within:
                        continue
                    options = within
                hit = (n, options)
                break
        if hit is None:
            break
        n, options = hit
        if found:  # the earlier division is now known to be the parent of one of these
            parents = [(p, h) for p, h in found[-1] if any(data.is_within(c, p) for c, _ in options)]
            found[-1] = parents or found[-1]
        found.append(options)
        pos += n
    rest = name[pos:]
    township, known = None, True
    if rest:
        township, rest = _township_at(rest, [c for c, _ in found[-1]] if found else [])
        if township is None:  # a township the data set does not hold (merged or renamed since)
            like = _TOWNSHIP_LIKE.match(rest)
            if like and organ_key(like.group(2)) in _government_organs():
                township, rest, known = township_key(like.group(1)), like.group(2), False
    return _Parse(found, township, rest, known)


def _township_at(rest: str, parents: list[str]) -> tuple[str | None, str]:
    """The township name at the start of ``rest`` under one of ``parents`` (any, when none)."""
    index = _township_index()
    for n in range(min(len(rest), 14), 1, -1):
        piece = rest[:n]
        form = township_key(piece)
        if form not in index:
            continue
        if parents and not any(p in index[form] or _under(form, p) for p in parents):
            continue
        return form, rest[n:]
    return None, rest


def _under(township: str, code: str) -> bool:
    """Whether a township of that name lies in a county of the city ``code``."""
    data = divisions()
    return any(data.by_code.get(p) is not None and data.by_code[p].parent == code
               for p in _township_index().get(township, ()))


def _mentioned(context: Iterable[str]) -> set[str]:
    """Codes of the divisions the context names by their full names (each place's longest name)."""
    data = divisions()
    codes: set[str] = set()
    for text in context:
        text = clean_name(text)
        i = 0
        while i < len(text) - 1:
            lengths = data.starts.get(text[i:i + 2], ())
            hit = next((n for n in lengths if text[i:i + n] in data.names), 0)
            if hit:
                codes.update(code for code, _ in data.names[text[i:i + hit]])
                i += hit
            else:
                i += 1
    return codes


def _ident(code: str, township: str | None, organ: str) -> str:
    return "/".join(p for p in (code, township, organ) if p)


@lru_cache(maxsize=1 << 14)
def _resolve(name: str, context: tuple[str, ...], aliases: tuple[tuple[str, str], ...]) -> Identity:
    printed = name
    clean = clean_name(name)
    alias = dict(aliases).get(clean) or dict(aliases).get(name)
    if alias:
        return _from_id(printed, alias, "alias")
    parse = _parse(clean)
    data = divisions()
    rest = parse.rest
    if not parse.codes:
        rest = _GENERIC_PREFIX.sub("", rest) if parse.township is None else rest
    organ = organ_key(rest, township=parse.township is not None)
    if parse.codes:
        options = parse.codes[-1]
    else:
        options = []
    how = {c: h for c, h in options}
    if parse.township is not None and parse.township_known:
        # the township decides among the divisions: those that hold a township of that name
        homes = [p for p in _township_index().get(parse.township, ())
                 if not options or any(p == c or data.is_within(p, c) for c, _ in options)]
        candidates = sorted(set(homes))
    else:
        candidates = [c for c, _ in options]
    evidence = []
    if not candidates:
        mentioned = _mentioned(context)
        counties = sorted(c for c in mentioned if data.by_code[c].level in ("county", "city"))
        deepest = [c for c in counties if not any(o != c and data.is_within(o, c) for o in counties)]
        if len(deepest) == 1 and (parse.township is None or not parse.township_known):
            candidates, evidence = deepest, [f"division {data.by_code[deepest[0]].name} named in the report's text"]
        else:
            why = "no division in the name" if not mentioned else "no division in the name, several in the text"
            return Identity(printed, None, organ=organ, evidence=why, ambiguous=True)
    if len(candidates) > 1 and context:
        mentioned = _mentioned(context)
        near = [c for c in candidates if any(m != c and data.is_within(c, m) for m in mentioned)]
        if len(near) == 1:
            evidence.append(f"{data.full_name(near[0])} by the report's text")
            candidates = near
    if len(candidates) > 1:
        ids = tuple(_ident(c, parse.township, organ) for c in candidates)
        where = parse.township or data.by_code[candidates[0]].name
        return Identity(printed, None, organ=organ, ambiguous=True, candidates=ids,
                        evidence=f"ambiguous: {where} is in {len(candidates)} places")
    code = candidates[0]
    division = data.by_code[code]
    if code in how:
        evidence.insert(0, f"division {division.name} by {how[code]}")
    elif parse.township and not parse.codes and not evidence:
        evidence.insert(0, f"division {division.name}: the only {parse.township} in the data set")
    if parse.township:
        evidence.append(f"township {parse.township}" + ("" if parse.township_known else " (not in the data set)"))
    evidence.append(f"organ {organ}")
    return Identity(printed, _ident(code, parse.township, organ), division_code=code,
                    division=data.full_name(code) + (parse.township or ""),
                    division_level="township" if parse.township else division.level, organ=organ,
                    evidence="; ".join(evidence))


def _from_id(printed: str, agency_id: str, how: str) -> Identity:
    """An identity given by its id (an alias, or an id typed by the user)."""
    data = divisions()
    parts = agency_id.split("/")
    code = parts[0] if parts[0] in data.by_code else None
    township = parts[1] if code and len(parts) == 3 else None
    organ = parts[-1] if len(parts) > 1 else None
    level = "township" if township else (data.by_code[code].level if code else None)
    division = (data.full_name(code) + (township or "")) if code else None
    return Identity(printed, agency_id, division_code=code, division=division, division_level=level, organ=organ,
                    evidence=how)


def resolve_agency(name: str, context: Sequence[str] | str | None = None,
                   aliases: Mapping[str, str] | None = None) -> Identity:
    """Resolve a printed agency name to one :class:`Identity`.

    Args:
        name: The name as printed (``淮安市洪泽区人民政府``, ``邵阳县(交通运输局)``), or an
            agency id (``320813/人民政府``).
        context: Texts of the report that may name its division when the name does not
            (title, opening lines, the catalog's folder and URL).
        aliases: Printed name → agency id, overriding the resolver (``agency_aliases.csv``).

    Returns:
        The identity; ``ambiguous`` with ``candidates`` and no ``agency_id`` when the name
        and context fit several agencies or name no division.
    """
    if "/" in name and name.split("/", 1)[0] in divisions().by_code:
        return _from_id(name, name, "agency id")
    ctx = (context,) if isinstance(context, str) else tuple(context or ())
    return _resolve(name, ctx, tuple(sorted((clean_name(k), v) for k, v in (aliases or {}).items())))
