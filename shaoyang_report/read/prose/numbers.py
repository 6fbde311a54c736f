"""Numbers printed in prose: every Arabic or Chinese numeral of a sentence, with its kind.

A sentence's numbers are scanned once and each is classified (:data:`NUMBER_KINDS`):
only a plain *quantity* may become a metric value; dates, years, phone and document
numbers, ordinals, list markers, names, identifiers and approximate figures are found
too, so :func:`find_numbers` can show every number of the prose and why it is, or is
not, a metric.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from shaoyang_report.prose_metrics import DIGIT, FULLWIDTH
from shaoyang_report.quick_regex import first_chars, quick_search
from shaoyang_report.read.prose.sentences import SPACE, iter_sentences, location_at

__all__ = [
    "AFTER_NUMBER_RE",
    "NUMBER_FIRST",
    "NUMBER_KINDS",
    "Number",
    "find_numbers",
    "sentence_numbers",
    "unit_hint",
]

#: Kinds a number found in prose can have; only ``quantity`` can become a metric value.
NUMBER_KINDS = (
    "quantity",        # a count, amount, rate or duration: 1718件, 96.33%, 5天, 46502.47万元
    "approximate",     # 1730余篇, 200余条, 150篇以上, 约300条, 近百件, 3-5个工作日
    "date",            # 2020年1月1日 (all parts), 2022-06-17, 10:51, 8时
    "year",            # 2020年, 2020年度, 2019-2020年
    "phone",           # 0739-5501987, 电话:5501987
    "document_number", # 〔2019〕60号, ﹝2021﹞30号, 国务院令711号, 国务院令第711号
    "ordinal",         # 第二十条, 第(一)项, 第一平台
    "list_marker",     # 一是, 1、, (一), （1）
    "name",            # 12345热线, numbers inside 《titles》 or “quotations”, 5G
    "identifier",      # 邮编:422000, 云山路6号, 索引号
)

_UNIT_WORDS = sorted(
    (
        "个工作日 工作日 个月 人次 户次 件次 万元 亿元 元 % ％ 个 件 条 次 通 篇 项 家 名 人 天 期 场 批 份 户 "
        "起 封 位 年 小时 倍 所 台 宗 单 张 本 套 处 座 辆 亩 公里 平方米 则 册"
    ).split(),
    key=len,
    reverse=True,
)
# 部 counts (规章4部) unless it begins a word (六部分, 3部门)
_UNIT_ALT = "|".join(re.escape(u) for u in _UNIT_WORDS) + "|部(?!分|门|署|队|委|级|位|长)"
_UNIT_NORMAL = {"％": "%", "个工作日": "工作日"}
_MULTIPLIER = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000)}

_TOKEN_RE = quick_search(re.compile(
    rf"(?P<phone>(?<![{DIGIT}])(?:0[0-9]{{2,3}}[-－—][0-9]{{7,8}}|1[3-9][0-9]{{9}}|400[-－]?[0-9]{{3}}[-－]?[0-9]{{4}})(?![{DIGIT}]))"
    rf"|(?P<isodate>(?<![{DIGIT}])(?:19|20)[0-9]{{2}}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12][0-9]|3[01])(?![{DIGIT}]))"
    rf"|(?P<time>(?<![{DIGIT}])(?:[01]?[0-9]|2[0-3])[:：][0-5][0-9](?:[:：][0-5][0-9])?(?![{DIGIT}]))"
    rf"|(?P<arabic>(?<![{DIGIT}.．])(?:[{DIGIT}]{{1,3}}(?:,[{DIGIT}]{{3}})+(?=[万亿千]?[余多]?(?:{_UNIT_ALT}))|[{DIGIT}]+)(?:[.．][{DIGIT}]+)?)"
    r"|(?P<chinese>[零〇一二两三四五六七八九十百千万亿]+)"
))
#: What may follow a number: a multiplier (万, 亿, 千), an approximation (余, 以上), a unit.
AFTER_NUMBER_RE = re.compile(
    rf"(?P<mult>[万亿](?!元)|千)?(?P<approx1>余|多|几|来)?\s?(?P<unit>{_UNIT_ALT})?(?P<approx2>以上|左右|上下|有余|多)?"
)
_APPROX_BEFORE_RE = re.compile(r"(?:约|近|逾|超过|将近|大约|接近|不足|不到|近乎|上下)\s*$")
_RANGE_AFTER_RE = re.compile(rf"\s*[-－~～—–至到]\s*[{DIGIT}零〇一二两三四五六七八九十]")
_RANGE_BEFORE_RE = re.compile(rf"[{DIGIT}零〇一二两三四五六七八九十]\s*[-－~～—–至到]\s*$")
_YEAR_DATE_AFTER_RE = re.compile(rf"\s*年\s*[{DIGIT}]{{1,2}}\s*月")
_YEAR_RANGE_AFTER_RE = re.compile(rf"\s*[-－—–~～至到]\s*(?:19|20)[{DIGIT}]{{2}}")
_ADDRESS_BEFORE_RE = re.compile(r"(?:路|街|巷|道|弄|村|组|栋|楼|室|院|单元|大厦|广场)\s*$")
_PHONE_BEFORE_RE = re.compile(r"(?:电话|传真|手机|热线|座机|联系方式)[:：]?\s*$")
_IDENT_BEFORE_RE = re.compile(r"(?:邮编|邮政编码|编号|编码|代码|索引号|登记号|文号|序号)[:：]?\s*$")
_NAME_AFTER_RE = re.compile(r"\s*(?:政务服务|便民服务|服务|政务|市民|便民)?(?:热线|专线|平台|号码)")
_CN_NUMERAL_CHARS = frozenset("零〇一二两三四五六七八九十")
_CN_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_IDIOMS = ("一起", "一次性", "一件事", "一条龙", "一揽子", "一体化", "一站式")
_CN_ONE_NOT_AFTER = frozenset("上下同每这那此统唯逐")  # 上一年, 同一个, 统一: not a count
_OPEN_DOC_BRACKETS = "〔﹝［[【"
_OPEN_PARENS, _CLOSE_PARENS = ("(", "（"), (")", "）")
_DAY_TIME = ("日", "时", "点")
_ORDINAL_BEFORE = ("第", "第(", "第（")
_LIST_AFTER = ("、", "．", ".", ")", "）")
_QUOTE_RE = re.compile(r"“[^“”]*”|「[^「」]*」|\"[^\"]*\"|‘[^‘’]*’")
_QUOTE_OPEN_RE = re.compile("[“「\"‘]")
_SPACE_OPEN = SPACE + "(（"
_DOC_NUMBER_AFTER_RE = re.compile(rf".[{DIGIT}]+号")


class Number(NamedTuple):
    """A number printed in one sentence (offsets relative to the sentence)."""

    start: int
    end: int
    kind: str
    value: Decimal | None
    unit: str | None


_new_number = tuple.__new__  # Number(...) without the named tuple's Python-level constructor (every number of a sentence)


def _cn_small(text: str) -> int | None:
    """Value of a Chinese numeral below 万 (``二十八`` → 28), or None if malformed."""
    value, digit = 0, None
    for ch in text:
        if ch in _CN_VALUES:
            if digit and _CN_VALUES[ch]:
                return None
            digit = _CN_VALUES[ch]
        elif ch in _CN_SMALL:
            value += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:
            return None
    return value + (digit or 0)


def _cn_int(text: str) -> int | None:
    """Value of a Chinese numeral (``十一`` → 11, ``一万二千`` → 12000, ``二〇二〇`` → 2020)."""
    if all(ch in _CN_VALUES for ch in text):
        return int("".join(str(_CN_VALUES[ch]) for ch in text))
    total = 0
    for big_char, big in (("亿", 100_000_000), ("万", 10_000)):
        if big_char in text:
            head, _, text = text.partition(big_char)
            head_value = _cn_small(head) if head else 1
            if head_value is None:
                return None
            total += head_value * big
    rest = _cn_small(text) if text else 0
    return None if rest is None else total + rest


def _quotations(text: str) -> list[tuple[int, int]]:
    if not _QUOTE_OPEN_RE.search(text):
        return []
    return [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)]


def _inside(pos: int, ranges: list[tuple[int, int]]) -> bool:
    return any(a < pos < b for a, b in ranges)


def _arabic_mark(text: str, s: int, before: str, after: str, printed: str) -> str | None:
    """The kind of an Arabic number its surroundings mark (a document number, a date …), or None."""
    b1, a1 = before[-1:], after[:1]
    iv = int(printed) if "." not in printed else None
    if b1 and b1 in _OPEN_DOC_BRACKETS:
        return "document_number"
    if b1 in _OPEN_PARENS and a1 in _CLOSE_PARENS and _DOC_NUMBER_AFTER_RE.match(after):
        return "document_number"
    if a1 == "号":
        if before.endswith("月"):
            return "date"
        return "identifier" if _ADDRESS_BEFORE_RE.search(before) else "document_number"
    if iv is not None and len(printed) == 4 and 1900 <= iv <= 2100:
        if _YEAR_DATE_AFTER_RE.match(after):
            return "date"
        if after.lstrip().startswith("年") or _YEAR_RANGE_AFTER_RE.match(after):
            return "year"
    stripped = after.lstrip()
    if stripped[:1] == "月" and iv is not None and 1 <= iv <= 12:
        return "date"
    if stripped[:1] in _DAY_TIME and iv is not None and iv <= 31 and not stripped.startswith("日常"):
        return "date"
    if before.endswith(_ORDINAL_BEFORE):
        return "ordinal"
    if a1 in _LIST_AFTER and not (a1 in ".．" and after[1:2].translate(FULLWIDTH).isdigit()) \
            and not text[:s].strip(_SPACE_OPEN):
        return "list_marker"
    if b1 in _OPEN_PARENS and a1 in _CLOSE_PARENS:
        return "list_marker"
    if len(printed) >= 5 and _PHONE_BEFORE_RE.search(before):
        return "phone"
    if _IDENT_BEFORE_RE.search(before):
        return "identifier"
    if (b1.isascii() and b1.isalpha()) or (a1.isascii() and a1.isalpha()):
        return "name"
    if a1 in ".．" and after[1:2].translate(FULLWIDTH).isdigit():
        return "identifier"  # 1.2.3-style numbering
    return None


def _classify_arabic(text: str, s: int, e: int, protected: list[tuple[int, int]]) -> Number:
    before = text[max(0, s - 12):s]
    after = text[e:e + 12]
    raw = text[s:e]
    printed = raw if raw.isascii() else raw.translate(FULLWIDTH)
    if "," in printed:
        printed = printed.replace(",", "")
    value = Decimal(printed)
    kind = _arabic_mark(text, s, before, after, printed)
    if kind is not None:
        return _new_number(Number, (s, e, kind, value, None))

    m = AFTER_NUMBER_RE.match(after)
    assert m is not None  # every part of it is optional: it always matches
    mult, approx1, unit, approx2 = m.groups()
    end = e
    if mult:
        value *= _MULTIPLIER[mult]
        end = e + m.end("mult")
    if before[-1:] in ("-", "－", "−") and not before[-2:-1].isalnum():
        value = -value
    unit = _UNIT_NORMAL.get(unit, unit)
    if unit is None and _NAME_AFTER_RE.match(after):
        return Number(s, end, "name", value, None)
    if protected and _inside(s, protected):
        return Number(s, end, "name", value, unit)
    approximate = bool(
        approx1 or approx2 or _APPROX_BEFORE_RE.search(before)
        or _RANGE_AFTER_RE.match(after) or _RANGE_BEFORE_RE.search(before)
    )
    return _new_number(Number, (s, end, "approximate" if approximate else "quantity", value, unit))


def _classify_chinese(text: str, s: int, e: int, protected: list[tuple[int, int]]) -> Number | None:
    run = text[s:e]
    if not any(ch in _CN_NUMERAL_CHARS for ch in run) or text.startswith(_CN_IDIOMS, s):
        return None
    before = text[max(0, s - 4):s]
    if run == "一" and before[-1:] in _CN_ONE_NOT_AFTER:
        return None
    after = text[e:e + 12]
    positional = all(ch in _CN_VALUES for ch in run)
    if before.endswith(("第", "第(", "第（")):
        value = _cn_int(run)
        return None if value is None else Number(s, e, "ordinal", Decimal(value), None)
    if (before[-1:] in ("(", "（") and after[:1] in (")", "）")) or (after[:1] == "是" and len(run) <= 2) or (
        not text[:s].strip(SPACE) and after[:1] == "、"
    ):
        value = _cn_int(run)
        return None if value is None else Number(s, e, "list_marker", Decimal(value), None)
    if positional and len(run) == 4 and after.startswith("年"):
        year = _cn_int(run)
        assert year is not None  # positional digits always have a value
        return Number(s, e, "year", Decimal(year), None)
    if positional and len(run) > 1:
        return None
    if after.startswith("月") or (after.startswith("日") and before.endswith("月")):
        value = _cn_int(run)
        return None if value is None else Number(s, e, "date", Decimal(value), None)
    unit_prefix = ""
    if run[-1] in "万亿" and after.startswith("元") and len(run) > 1:
        unit_prefix, run, e = run[-1], run[:-1], e - 1
        after = text[e:e + 12]
    m = AFTER_NUMBER_RE.match(after)
    assert m is not None  # every part of it is optional: it always matches
    unit = m.group("unit")
    if unit is None or (unit_prefix and unit != "元"):
        return None
    unit = _UNIT_NORMAL.get(unit_prefix + unit, unit_prefix + unit)
    value = _cn_int(run)
    if value is None:
        return None
    if _inside(s, protected):
        kind = "name"
    elif m.group("approx1") or m.group("approx2") or _APPROX_BEFORE_RE.search(before):
        kind = "approximate"
    else:
        kind = "quantity"
    return Number(s, e, kind, Decimal(value), unit)


def _scan_numbers(text: str, protected: list[tuple[int, int]]) -> list[Number]:
    """Every number printed in one sentence, classified by kind."""
    out: list[Number] = []
    consumed = 0
    for m in _TOKEN_RE.finditer(text):
        s, e = m.span()
        if s < consumed:
            continue
        group = m.lastgroup
        number: Number | None
        if group == "phone":
            number = Number(s, e, "phone", None, None)
        elif group in ("isodate", "time"):
            number = Number(s, e, "date", None, None)
        elif group == "arabic":
            number = _classify_arabic(text, s, e, protected)
        else:
            number = _classify_chinese(text, s, e, protected)
        if number is not None:
            out.append(number)
            consumed = number.end
    return out


def sentence_numbers(raw: str, titles: list[tuple[int, int]]) -> list[Number]:
    """Every number printed in one sentence, classified by kind.

    Args:
        raw: The sentence as printed.
        titles: Where its 《titles》 are (:func:`~shaoyang_report.read.prose.sentences.mask_titles`);
            numbers inside them, or inside “quotations”, are names.
    """
    protected = titles + _quotations(raw)
    return _scan_numbers(raw, protected)


#: The characters every number starts with: a sentence holding none of them prints no number.
NUMBER_FIRST = first_chars(_TOKEN_RE)
_PRINTED_UNITS: dict[str, list[str]] = {}
for _printed, _unit in _UNIT_NORMAL.items():
    _PRINTED_UNITS.setdefault(_unit, []).append(_printed)


@lru_cache(maxsize=256)
def unit_hint(units: frozenset[str]) -> re.Pattern:
    """A pattern found wherever a number in one of ``units`` (as :class:`Number` gives them) is printed.

    It may be found where none is (a date's digits before 件 …): a text where it is not
    found prints no number in those units.
    """
    printed = sorted({p for u in units for p in (u, *_PRINTED_UNITS.get(u, ()))}, key=len, reverse=True)
    return re.compile(rf"[{DIGIT}零〇一二两三四五六七八九十百千][万亿千]?[余多几来]?\s?(?:{'|'.join(map(re.escape, printed))})")


def _float(value: Decimal | None) -> float:
    return math.nan if value is None else float(value)


def find_numbers(lines: Sequence) -> list[dict]:
    """List every number printed in the prose, with its sentence and its kind.

    Dates, years, phone numbers, document numbers (〔2019〕60号, 国务院令711号),
    ordinals (第二十条), list numbering (一是, 1、), names (12345热线) and approximate
    figures (1730余篇) are listed but marked, so a reader can see every number and why
    it is, or is not, a metric. Chinese numerals are listed only where they count
    something (``十一个``, ``二十八次``), number a list or an ordinal (``一是``,
    ``第一``) — not inside words (统一, 进一步, “六稳”).

    Args:
        lines: ``(location_prefix, text)`` pairs, e.g. ``("line 16", "…")``; a plain
            string is taken as line ``n`` (1-based position in ``lines``).

    Returns:
        One dict per number, in reading order, with keys ``value`` (float; NaN for
        phone numbers and full dates), ``unit`` (None if none printed), ``raw_number``
        (the printed text, ``text[start:end]``), ``sentence``, ``location``
        (``"<prefix>, chars <start>-<end>"``, 0-based end-exclusive offsets in the
        line) and ``kind`` (one of :data:`NUMBER_KINDS`).

    Example:
        >>> [(n["raw_number"], n["kind"]) for n in find_numbers([("line 2", "依据国办公开办函﹝2019﹞60号,电话:0739-5501987,共1.2万条。")])]
        [('2019', 'document_number'), ('60', 'document_number'), ('0739-5501987', 'phone'), ('1.2万', 'quantity')]
    """
    out: list[dict] = []
    for sentence in iter_sentences(lines):
        for number in sentence_numbers(sentence.raw, sentence.titles):
            out.append({
                "value": _float(number.value),
                "unit": number.unit,
                "raw_number": sentence.raw[number.start:number.end],
                "sentence": sentence.raw,
                "location": location_at(sentence.prefix, sentence.offset + number.start,
                                        sentence.offset + number.end),
                "kind": number.kind,
            })
    return out

