"""Figures stated in prose (issue 4): the numbers a reader would quote, with their sentence.

Much of what analysts compare across years is only in a report's prose (总体情况 and
the opening paragraphs): how many items were published, how many letters the 市长信箱
received, the 12345 hotline's satisfaction rate, and so on. This module finds them.

Three public functions and the catalogue they read:

* :func:`extract_prose_facts` — tidy prose facts (``section == "prose"``), one per number
  whose metric is identified with certainty; anything ambiguous is left out.
* :func:`find_numbers` — every number in the prose with its sentence and its *kind*
  (quantity, approximate, date, year, phone, document_number, ordinal, list_marker,
  name, identifier), so dates, phone numbers and document numbers are visible but never
  become metric values.
* :func:`prose_checks` — prose against table (表三, 表四, 表二), closed ≤ received,
  and stated rates against the counts they are computed from.
* :func:`prose_metric_catalogue` — the catalogue as a DataFrame.

The catalogue: ``data/prose_metrics.csv``
-----------------------------------------
One row per metric. All layout knowledge lives there; this module has no if-branch
about a particular phrase. Columns:

``item``, ``measure``
    snake_case English keys of the fact (``mayor_mailbox`` / ``closed``).
``name_zh``
    Chinese name of the metric, used in messages.
``unit``
    The unit of the fact's value (条, 件, 个, 次, 通, %, 天, 工作日, 元, 万元).
    Money is converted: a ``万元`` metric printed as ``84565元`` gives 8.4565.
``unit_aliases``
    Other measure words the printed number may carry (``封 || 条`` for letters); the
    fact is still reported in ``unit``.
``topic``
    Regular expression naming the subject of the item (``[市县区]长信箱``). Every row of
    an item repeats the same topic. A number belongs to an item only if that item's
    topic is the *active topic* at the number: the last topic named before the number in
    its clause (clauses are split on ``,，:：``), else the first named after it in the
    clause, else the last named in an earlier clause of the same sentence. So
    ``市长信箱共受理各类信件1718件,办结1655件`` gives 1655 to the mailbox, and in
    ``12345热线和市长信箱共受理1000件`` (two topics joined by 和/及/与/、) nothing is
    given to anybody.
``patterns``
    One or more regular expressions separated by `` || `` (space, two bars, space; a
    plain ``|`` inside a pattern is ordinary alternation). Each holds exactly one
    ``{N}``, the number. Macros: ``{N}`` a number (Arabic with optional 万/亿/千
    multiplier, or Chinese numerals), ``{GAP}`` any text within the clause (``[^,，:：]*?``),
    ``{WORDS}`` the same but not across the enumeration comma ``、``, ``{PCT}`` ``%`` or
    ``％``. Patterns are matched on the sentence with the contents of 《书名号》 masked,
    so words inside document titles never trigger a metric.
``not_before``
    Optional regular expression; if it matches the sentence text before the number, the
    row does not take the number (``其中`` marks a part — another agency, the portal —
    not the total; ``累计`` may be cumulative over years). ``{TOPIC}`` stands for the
    item's topic: ``{TOPIC}.*?其中(?![^()（）]*[)）])`` is 其中 after the subject was
    named and not closed by a parenthesis, so in ``12345热线共受理来电1000件,其中转办300件,
    直接答复700件,满意率98%`` the 98% (perhaps the direct answers' rate) is not read,
    while ``受理来信100件(其中转办30件),办结98件`` still gives 98.
``shares_number_with``
    Measures of the same item that may be stated by the very same printed number
    (``受理…140件,已全部办结`` states 140 as accepted *and* completed). A number claimed
    by two metrics not declared compatible is ambiguous and is emitted for neither.
``at_most``
    Measure of the same item this one cannot exceed (closed ≤ received) — rule
    ``closed_le_received``.
``ratio_of``
    ``numerator / denominator`` (measures of the same item) the stated percentage is
    computed from — rule ``stated_rate``.
``compare_with``, ``compare_with_zh``
    Table facts the prose figure must equal — rule ``prose_vs_table``. Alternatives are
    separated by `` || ``; each alternative is a sum of terms ``section/item/measure/
    applicant`` joined by `` + `` (``*`` matches anything). The check passes if any
    alternative equals the prose figure. ``compare_with_zh`` names the alternatives.
``note``
    Why the row is written as it is.

Non-metric measure words: ``data/prose_non_metric_words.csv``
---------------------------------------------------------------
Columns ``item`` (a catalogue item, or ``*`` for every item), ``words`` (regular
expressions separated by `` || ``) and ``note``. They are the measure words a report
uses for figures the catalogue does not have — 不予受理, 转办, 退回, 予以公开, 不予公开,
按时办结率, 日均, 同比… — and they block: a number whose own words hold one is emitted
under no metric of the item, even when a catalogue word is inside (不予**受理**12件) or
earlier in the clause (受理来信中转办30件).

Each number takes the measure of its own words
-----------------------------------------------
A clause (split on ``,，:：``; sentences end at ``。；;！？``) may list several figures,
``收到来信52件、办结40件、不予受理12件``. A number's *lead* is the text from the previous
figure of its clause (number and unit) — or from the clause start — to the number; the
enumeration comma ``、`` after a figure so ends a segment, while one inside a description
(``国务院、省政府重要信息1612条``) does not. A pattern's match is the number's measure
only if

* its words before the number do not reach back over another figure of the clause (a
  pattern crosses into an earlier clause only by spelling the comma out, as
  ``portal_share`` does);
* its words after the number (``11个文件…制定解读材料``) are not the lead of a later
  figure of their clause (``52件已办结40件``) and pass no other figure the metric could
  read (``新开通3个账号和2个公众号``);
* neither the lead nor those words after the number hold a non-metric measure word.

A number whose own clause names no measure (``受理信件100件,98件``, ``其中县长信箱300件``)
matches no pattern — ``{GAP}`` and ``{WORDS}`` never cross a comma — so it never inherits
the previous clause's measure; only a pattern that spells the link out does
(``受理…申请140件,已全部办结``). In ``收到来信52件,办结40件,不予受理12件`` 52 is
``received``, 40 ``closed`` and 12 nothing.

Certainty rules applied to every candidate number: it must be a *quantity* (not a date,
year, phone or document number, ordinal, list marker, name, identifier), not approximate
(``1730余篇``, ``200余条``, ``150篇以上``, ``约``, ``近``, ranges), not inside a
《title》 or “quotation”, carry a unit the row accepts, sit under the row's topic, and
take its measure from its own words (above).

Which table row the prose means (表三):
    ``收到/新收 N件`` → ``new_requests`` (一、本年新收); ``受理 N件`` → measure
    ``accepted``, which real reports use for 一 alone or for 一+二 (Shaoyang 2020:
    受理140件 while 一 = 138 and 二 = 2), so its check passes if either reading fits;
    ``办结/办理完成 N件`` → ``total_handled`` (（七）总计, which includes requests carried
    over); ``上年结转`` → ``carried_over``; ``结转下年度`` → ``carried_forward``.

Example:
    >>> facts = extract_prose_facts([("line 10", "市长信箱共受理各类信件1718件,办结1655件。")])
    >>> [(f["measure"], f["value"], f["location"]) for f in facts]
    [('received', 1718.0, 'line 10, chars 11-15'), ('closed', 1655.0, 'line 10, chars 19-23')]
"""

from __future__ import annotations

import bisect
import csv
import io
import math
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import pandas as pd

from shaoyang_report.quick_regex import first_chars, quick_search

__all__ = [
    "NUMBER_KINDS",
    "ProseCatalogueError",
    "extract_prose_facts",
    "find_numbers",
    "prose_checks",
    "prose_metric_catalogue",
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

_CATALOGUE_FILE = "prose_metrics.csv"
_NON_METRIC_FILE = "prose_non_metric_words.csv"
_CATALOGUE_COLUMNS = (
    "item", "measure", "name_zh", "unit", "unit_aliases", "topic", "patterns", "not_before",
    "shares_number_with", "at_most", "ratio_of", "compare_with", "compare_with_zh", "note",
)
_SEP = " || "


class ProseCatalogueError(ValueError):
    """The prose-metric catalogue (``data/prose_metrics.csv``) is malformed.

    The message names the file, the row and the metric, and says what is wrong, e.g.
    ``prose_metrics.csv: row 12 (mayor_mailbox/closed): pattern has 0 {N}, expected 1``.
    """


# --------------------------------------------------------------------------- numbers

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_DIGIT = "0-9０-９"
_UNIT_WORDS = sorted(
    (
        "个工作日 工作日 个月 人次 户次 件次 万元 亿元 元 % ％ 个 件 条 次 通 篇 项 家 名 人 天 期 场 批 份 户 "
        "起 封 位 年 小时 倍 所 台 宗 单 张 本 套 处 座 辆 亩 公里 平方米"
    ).split(),
    key=len,
    reverse=True,
)
_UNIT_ALT = "|".join(re.escape(u) for u in _UNIT_WORDS)
_UNIT_NORMAL = {"％": "%", "个工作日": "工作日"}
_MONEY = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_MULTIPLIER = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000)}

_TOKEN_RE = quick_search(re.compile(
    rf"(?P<phone>(?<![{_DIGIT}])(?:0[0-9]{{2,3}}[-－—][0-9]{{7,8}}|1[3-9][0-9]{{9}}|400[-－]?[0-9]{{3}}[-－]?[0-9]{{4}})(?![{_DIGIT}]))"
    rf"|(?P<isodate>(?<![{_DIGIT}])(?:19|20)[0-9]{{2}}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12][0-9]|3[01])(?![{_DIGIT}]))"
    rf"|(?P<time>(?<![{_DIGIT}])(?:[01]?[0-9]|2[0-3])[:：][0-5][0-9](?:[:：][0-5][0-9])?(?![{_DIGIT}]))"
    rf"|(?P<arabic>(?<![{_DIGIT}.．])(?:[{_DIGIT}]{{1,3}}(?:,[{_DIGIT}]{{3}})+(?=[万亿千]?[余多]?(?:{_UNIT_ALT}))|[{_DIGIT}]+)(?:[.．][{_DIGIT}]+)?)"
    r"|(?P<chinese>[零〇一二两三四五六七八九十百千万亿]+)"
))
_AFTER_RE = re.compile(
    rf"(?P<mult>[万亿](?!元)|千)?(?P<approx1>余|多|几|来)?\s?(?P<unit>{_UNIT_ALT})?(?P<approx2>以上|左右|上下|有余|多)?"
)
_APPROX_BEFORE_RE = re.compile(r"(?:约|近|逾|超过|将近|大约|接近|不足|不到|近乎|上下)\s*$")
_RANGE_AFTER_RE = re.compile(rf"\s*[-－~～—–至到]\s*[{_DIGIT}零〇一二两三四五六七八九十]")
_RANGE_BEFORE_RE = re.compile(rf"[{_DIGIT}零〇一二两三四五六七八九十]\s*[-－~～—–至到]\s*$")
_YEAR_DATE_AFTER_RE = re.compile(rf"\s*年\s*[{_DIGIT}]{{1,2}}\s*月")
_YEAR_RANGE_AFTER_RE = re.compile(rf"\s*[-－—–~～至到]\s*(?:19|20)[{_DIGIT}]{{2}}")
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
_TITLE_RE = re.compile(r"《[^《》]*》")
_QUOTE_RE = re.compile(r"“[^“”]*”|「[^「」]*」|\"[^\"]*\"|‘[^‘’]*’")
_SENTENCE_END_RE = re.compile(r"[。；;！？]+[”’」』]*")
_CLAUSE_RE = re.compile(r"[,，:：]")
_SPACE = " \t\u3000\xa0\r\n"
_SPACE_OPEN = _SPACE + "(（"
_DOC_NUMBER_AFTER_RE = re.compile(rf".[{_DIGIT}]+号")


class _Number(NamedTuple):
    """A number printed in one sentence (offsets relative to the sentence)."""

    start: int
    end: int
    kind: str
    value: Decimal | None
    unit: str | None


def _to_decimal(printed: str) -> Decimal:
    return Decimal(printed.translate(_FULLWIDTH).replace(",", ""))


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


def _ranges(pattern: re.Pattern, text: str, trigger: str) -> list[tuple[int, int]]:
    if not any(ch in text for ch in trigger):
        return []
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _inside(pos: int, ranges: list[tuple[int, int]]) -> bool:
    return any(a < pos < b for a, b in ranges)


def _classify_arabic(text: str, s: int, e: int, protected: list[tuple[int, int]]) -> _Number:
    before = text[max(0, s - 12):s]
    after = text[e:e + 12]
    printed = text[s:e].translate(_FULLWIDTH).replace(",", "")
    is_int = "." not in printed
    iv = int(printed) if is_int else None

    def make(kind: str) -> _Number:
        return _Number(s, e, kind, _to_decimal(text[s:e]), None)

    if before[-1:] in _OPEN_DOC_BRACKETS and before[-1:]:
        return make("document_number")
    if before[-1:] in ("(", "（") and after[:1] in (")", "）") and _DOC_NUMBER_AFTER_RE.match(after):
        return make("document_number")
    if after.startswith("号"):
        if before.endswith("月"):
            return make("date")
        return make("identifier" if _ADDRESS_BEFORE_RE.search(before) else "document_number")
    if is_int and len(printed) == 4 and 1900 <= iv <= 2100:
        if _YEAR_DATE_AFTER_RE.match(after):
            return make("date")
        if after.lstrip().startswith("年") or _YEAR_RANGE_AFTER_RE.match(after):
            return make("year")
    stripped = after.lstrip()
    if stripped.startswith("月") and iv is not None and 1 <= iv <= 12:
        return make("date")
    if stripped.startswith(("日", "时", "点")) and iv is not None and iv <= 31 and not stripped.startswith("日常"):
        return make("date")
    if before.endswith("第") or before.endswith(("第(", "第（")):
        return make("ordinal")
    at_start = not text[:s].strip(_SPACE_OPEN)
    if at_start and after[:1] in ("、", "．", ".", ")", "）") and not (
        after[:1] in ".．" and after[1:2].translate(_FULLWIDTH).isdigit()
    ):
        return make("list_marker")
    if before[-1:] in ("(", "（") and after[:1] in (")", "）"):
        return make("list_marker")
    if len(printed) >= 5 and _PHONE_BEFORE_RE.search(before):
        return make("phone")
    if _IDENT_BEFORE_RE.search(before):
        return make("identifier")
    if (before[-1:].isascii() and before[-1:].isalpha()) or (after[:1].isascii() and after[:1].isalpha()):
        return make("name")
    if after[:1] in ".．" and after[1:2].translate(_FULLWIDTH).isdigit():
        return make("identifier")  # 1.2.3-style numbering

    m = _AFTER_RE.match(after)
    value = _to_decimal(text[s:e])
    end = e
    if m.group("mult"):
        value *= _MULTIPLIER[m.group("mult")]
        end = e + m.end("mult")
    if before[-1:] in ("-", "－", "−") and not before[-2:-1].isalnum():
        value = -value
    unit = m.group("unit")
    unit = _UNIT_NORMAL.get(unit, unit)
    if unit is None and _NAME_AFTER_RE.match(after):
        return _Number(s, end, "name", value, None)
    if _inside(s, protected):
        return _Number(s, end, "name", value, unit)
    approximate = bool(
        m.group("approx1") or m.group("approx2") or _APPROX_BEFORE_RE.search(before)
        or _RANGE_AFTER_RE.match(after) or _RANGE_BEFORE_RE.search(before)
    )
    return _Number(s, end, "approximate" if approximate else "quantity", value, unit)


def _classify_chinese(text: str, s: int, e: int, protected: list[tuple[int, int]]) -> _Number | None:
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
        return None if value is None else _Number(s, e, "ordinal", Decimal(value), None)
    if (before[-1:] in ("(", "（") and after[:1] in (")", "）")) or (after[:1] == "是" and len(run) <= 2) or (
        not text[:s].strip(_SPACE) and after[:1] == "、"
    ):
        value = _cn_int(run)
        return None if value is None else _Number(s, e, "list_marker", Decimal(value), None)
    if positional and len(run) == 4 and after.startswith("年"):
        return _Number(s, e, "year", Decimal(_cn_int(run)), None)
    if positional and len(run) > 1:
        return None
    if after.startswith("月") or (after.startswith("日") and before.endswith("月")):
        value = _cn_int(run)
        return None if value is None else _Number(s, e, "date", Decimal(value), None)
    unit_prefix = ""
    if run[-1] in "万亿" and after.startswith("元") and len(run) > 1:
        unit_prefix, run, e = run[-1], run[:-1], e - 1
        after = text[e:e + 12]
    m = _AFTER_RE.match(after)
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
    return _Number(s, e, kind, Decimal(value), unit)


def _scan_numbers(text: str, protected: list[tuple[int, int]]) -> list[_Number]:
    """Every number printed in one sentence, classified by kind."""
    out: list[_Number] = []
    consumed = 0
    for m in _TOKEN_RE.finditer(text):
        s, e = m.span()
        if s < consumed:
            continue
        group = m.lastgroup
        if group == "phone":
            number = _Number(s, e, "phone", None, None)
        elif group in ("isodate", "time"):
            number = _Number(s, e, "date", None, None)
        elif group == "arabic":
            number = _classify_arabic(text, s, e, protected)
        else:
            number = _classify_chinese(text, s, e, protected)
        if number is not None:
            out.append(number)
            consumed = number.end
    return out


# --------------------------------------------------------------------------- sentences


@dataclass(slots=True)
class _Sentence:
    """One sentence of one line, analysed once for both public functions.

    Its numbers are scanned when first asked for (most sentences name no topic and are
    never scanned for facts).
    """

    prefix: str
    offset: int                     # start of the sentence within the line's text
    raw: str                        # the sentence as printed
    masked: str                     # the same, with 《title》 contents replaced by □
    titles: list[tuple[int, int]]   # where 《titles》 are
    _numbers: list[_Number] | None = None

    @property
    def numbers(self) -> list[_Number]:
        if self._numbers is None:
            protected = self.titles + _ranges(_QUOTE_RE, self.raw, "“「\"‘")
            self._numbers = _scan_numbers(self.raw, protected)
        return self._numbers


def _mask_titles(text: str) -> tuple[str, list[tuple[int, int]]]:
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


def _split_sentences(text: str) -> Iterable[tuple[int, int]]:
    pos = 0
    bounds = [m.end() for m in _SENTENCE_END_RE.finditer(text)]
    if not bounds or bounds[-1] < len(text):
        bounds.append(len(text))
    for end in bounds:
        a, b = pos, end
        while a < b and text[a] in _SPACE:
            a += 1
        while b > a and text[b - 1] in _SPACE:
            b -= 1
        if a < b:
            yield a, b
        pos = end


def _iter_lines(lines: Iterable) -> Iterable[tuple[str, str]]:
    for n, line in enumerate(lines, start=1):
        if isinstance(line, str):
            yield f"line {n}", line
        else:
            prefix, text = line
            yield prefix if isinstance(prefix, Paragraph) else str(prefix), "" if text is None else str(text)


_TERMINAL = tuple("。！？；;!?：:")


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
        ``(prefix, text)`` pairs for :func:`extract_prose_facts`; a joined paragraph's
        prefix is a :class:`Paragraph` that maps offsets back to printed lines.
    """
    lengths = sorted(len(t.strip()) for _, t in lines if t.strip())
    if not lengths:
        return list(lines)
    wide = 0.8 * lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]
    out: list[tuple[str | Paragraph, str]] = []
    pieces: list[tuple[str, int, int]] = []
    text = ""
    for location, raw in lines:
        stripped = raw.strip()
        pieces.append((location, len(text), len(raw) - len(raw.lstrip())))
        text += stripped
        if len(stripped) >= wide and not stripped.endswith(_TERMINAL) and len(lengths) > 3:
            continue  # wrapped: the sentence goes on in the next line
        out.append((Paragraph(tuple(pieces)) if len(pieces) > 1 else location, text if len(pieces) > 1 else raw))
        pieces, text = [], ""
    if pieces:
        out.append((Paragraph(tuple(pieces)) if len(pieces) > 1 else pieces[0][0], text))
    return out


def _sentences(lines: Iterable) -> Iterable[_Sentence]:
    for prefix, text in _iter_lines(lines):
        for a, b in _split_sentences(text):
            raw = text[a:b]
            masked, titles = _mask_titles(raw)
            yield _Sentence(prefix, a, raw, masked, titles)


def _location_at(prefix: str | Paragraph, start: int, end: int) -> str:
    """Where characters ``start…end`` of a line's (or paragraph's) text were printed."""
    if isinstance(prefix, Paragraph):
        return prefix.locate(start, end)
    return f"{prefix}, chars {start}-{end}"


def _location(sentence: _Sentence, number: _Number) -> str:
    start = sentence.offset + number.start
    end = sentence.offset + number.end
    if isinstance(sentence.prefix, Paragraph):
        return sentence.prefix.locate(start, end)
    return f"{sentence.prefix}, chars {start}-{end}"


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
    for sentence in _sentences(lines):
        for number in sentence.numbers:
            out.append({
                "value": _float(number.value),
                "unit": number.unit,
                "raw_number": sentence.raw[number.start:number.end],
                "sentence": sentence.raw,
                "location": _location(sentence, number),
                "kind": number.kind,
            })
    return out


# --------------------------------------------------------------------------- catalogue

_NUMBER_PATTERN = (
    rf"\s*(?P<n>(?<![{_DIGIT}.．])(?:[{_DIGIT}]{{1,3}}(?:,[{_DIGIT}]{{3}})+|[{_DIGIT}]+)(?:[.．][{_DIGIT}]+)?"
    rf"(?:[万亿](?!元)|千)?(?![{_DIGIT}])|[零〇一二两三四五六七八九十百千万亿]+)\s*"  # PDF text: "2428 条"
)
_MACROS = {
    "{N}": _NUMBER_PATTERN,
    "{GAP}": r"[^,，:：]*?",
    "{WORDS}": r"[^,，:：、]*?",
    "{PCT}": r"[%％]",
}
_CONJUNCTION_RE = re.compile(r"[”“\"」「\s]*(?:、|和|及|与|以及|或|或者|暨|/)[”“\"」「\s]*")


@dataclass(frozen=True, slots=True)
class _Term:
    section: str
    item: str
    measure: str
    applicant: str

    def label(self) -> str:
        return "/".join((self.section, self.item, self.measure, self.applicant))


@dataclass(frozen=True, slots=True)
class _Metric:
    item: str
    measure: str
    name_zh: str
    unit: str
    unit_aliases: frozenset[str]
    patterns: tuple[re.Pattern, ...]
    not_before: re.Pattern | None
    shares_number_with: frozenset[str]
    at_most: str
    ratio_of: tuple[str, str] | None
    compare_with: tuple[tuple[_Term, ...], ...]
    compare_with_zh: tuple[str, ...]


def _split(field: str | None) -> list[str]:
    return [part.strip() for part in (field or "").split(_SEP) if part.strip()]


def _catalogue_text() -> str:
    return resources.files("shaoyang_report").joinpath("data", _CATALOGUE_FILE).read_text(encoding="utf-8-sig")


def _load_catalogue() -> tuple[tuple[_Metric, ...], tuple[tuple[re.Pattern, str], ...]]:
    reader = csv.DictReader(io.StringIO(_catalogue_text()))
    missing = [c for c in _CATALOGUE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ProseCatalogueError(f"{_CATALOGUE_FILE}: missing columns {', '.join(missing)}")
    metrics: list[_Metric] = []
    topics: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for row_number, row in enumerate(reader, start=2):
        key = f"{row['item']}/{row['measure']}"
        where = f"{_CATALOGUE_FILE}: row {row_number} ({key})"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", row["item"] or "") or not re.fullmatch(r"[a-z][a-z0-9_]*", row["measure"] or ""):
            raise ProseCatalogueError(f"{where}: item and measure must be snake_case keys")
        if (row["item"], row["measure"]) in seen:
            raise ProseCatalogueError(f"{where}: metric listed twice")
        seen.add((row["item"], row["measure"]))
        if not row["unit"]:
            raise ProseCatalogueError(f"{where}: unit is empty")
        topic = (row["topic"] or "").strip()
        if not topic:
            raise ProseCatalogueError(f"{where}: topic is empty")
        if topics.setdefault(row["item"], topic) != topic:
            raise ProseCatalogueError(f"{where}: topic differs from the item's first row")
        patterns = []
        for text in _split(row["patterns"]):
            count = text.count("{N}")
            if count != 1:
                raise ProseCatalogueError(f"{where}: pattern has {count} {{N}}, expected 1: {text}")
            for macro, expansion in _MACROS.items():
                text = text.replace(macro, expansion)
            try:
                patterns.append(quick_search(re.compile(text)))
            except re.error as exc:
                raise ProseCatalogueError(f"{where}: pattern does not compile ({exc}): {text}") from None
        if not patterns:
            raise ProseCatalogueError(f"{where}: no pattern")
        try:
            re.compile(topic)
            # {TOPIC} in not_before is the item's topic (其中 after the subject was named)
            not_before = row["not_before"].replace("{TOPIC}", f"(?:{topic})")
            not_before = quick_search(re.compile(not_before)) if not_before else None
        except re.error as exc:
            raise ProseCatalogueError(f"{where}: topic or not_before does not compile ({exc})") from None
        ratio = None
        if row["ratio_of"]:
            parts = [p.strip() for p in row["ratio_of"].split("/")]
            if len(parts) != 2 or not all(parts):
                raise ProseCatalogueError(f"{where}: ratio_of must be 'numerator / denominator'")
            ratio = (parts[0], parts[1])
        alternatives = []
        for alternative in _split(row["compare_with"]):
            terms = []
            for term in alternative.split(" + "):
                pieces = term.strip().split("/")
                if len(pieces) != 4:
                    raise ProseCatalogueError(f"{where}: compare_with term {term!r} must be section/item/measure/applicant")
                terms.append(_Term(*pieces))
            alternatives.append(tuple(terms))
        labels = _split(row["compare_with_zh"])
        if len(labels) != len(alternatives):
            raise ProseCatalogueError(f"{where}: compare_with_zh must name each compare_with alternative")
        metrics.append(_Metric(
            item=row["item"], measure=row["measure"], name_zh=row["name_zh"], unit=row["unit"],
            unit_aliases=frozenset(_split(row["unit_aliases"])), patterns=tuple(patterns),
            not_before=not_before, shares_number_with=frozenset(_split(row["shares_number_with"])),
            at_most=(row["at_most"] or "").strip(), ratio_of=ratio,
            compare_with=tuple(alternatives), compare_with_zh=tuple(labels),
        ))
    by_key = {(m.item, m.measure) for m in metrics}
    for m in metrics:
        for other in [m.at_most, *(m.ratio_of or ()), *m.shares_number_with]:
            if other and (m.item, other) not in by_key:
                raise ProseCatalogueError(f"{_CATALOGUE_FILE}: {m.item}/{m.measure} refers to unknown measure {m.item}/{other}")
    # one regex per item, matched separately: topics may overlap (政府信息公开信息处理费
    # names 公开信息 and 信息处理费), and the later one must not be hidden by the earlier
    topic_res = tuple((quick_search(re.compile(pattern)), item) for item, pattern in topics.items())
    return tuple(metrics), topic_res


_METRICS, _TOPIC_RES = _load_catalogue()
# Any topic at all: most sentences name none and are passed over with one search.
_ANY_TOPIC = quick_search(re.compile("|".join(f"(?:{regex.pattern})" for regex, _ in _TOPIC_RES)))
# The characters every number starts with: a sentence holding none of them prints no number.
_NUMBER_FIRST = first_chars(_TOKEN_RE)
# The characters each topic starts with: a sentence holding none of them does not name it.
_TOPIC_FIRST = tuple((regex, item, first_chars(regex)) for regex, item in _TOPIC_RES)
_METRICS_BY_ITEM: dict[str, list[_Metric]] = {}
for _m in _METRICS:
    _METRICS_BY_ITEM.setdefault(_m.item, []).append(_m)
_METRIC_BY_KEY = {(m.item, m.measure): m for m in _METRICS}
# Each item's metrics' patterns in catalogue order, with the characters their matches start with.
_PATTERNS_BY_ITEM = {item: [(m, p, first_chars(p)) for m in metrics for p in m.patterns]
                     for item, metrics in _METRICS_BY_ITEM.items()}
_METRIC_ORDER = {id(m): k for k, m in enumerate(_METRICS)}  # catalogue order, by identity


def _non_metric_text() -> str:
    return resources.files("shaoyang_report").joinpath("data", _NON_METRIC_FILE).read_text(encoding="utf-8-sig")


def _load_non_metric_words(items: Iterable[str]) -> dict[str, re.Pattern]:
    """One regex per catalogue item: its non-metric measure words and those of every item (``*``)."""
    reader = csv.DictReader(io.StringIO(_non_metric_text()))
    missing = [c for c in ("item", "words", "note") if c not in (reader.fieldnames or [])]
    if missing:
        raise ProseCatalogueError(f"{_NON_METRIC_FILE}: missing columns {', '.join(missing)}")
    known = set(items)
    words: dict[str, list[str]] = {}
    for row_number, row in enumerate(reader, start=2):
        item = (row["item"] or "").strip()
        where = f"{_NON_METRIC_FILE}: row {row_number} ({item or 'no item'})"
        if item != "*" and item not in known:
            raise ProseCatalogueError(f"{where}: item is neither '*' nor an item of {_CATALOGUE_FILE}")
        parts = _split(row["words"])
        if not parts:
            raise ProseCatalogueError(f"{where}: no words")
        for part in parts:
            try:
                re.compile(part)
            except re.error as exc:
                raise ProseCatalogueError(f"{where}: {part!r} does not compile ({exc})") from None
        words.setdefault(item, []).extend(parts)
    return {item: quick_search(re.compile("|".join(f"(?:{w})" for w in words.get(item, []) + words.get("*", [])) or "(?!)"))
            for item in known}


_NON_METRIC_BY_ITEM = _load_non_metric_words(_METRICS_BY_ITEM)


def prose_metric_catalogue() -> pd.DataFrame:
    """The catalogue of prose metrics (``data/prose_metrics.csv``) as a DataFrame.

    Returns:
        One row per metric with the columns described in the module docstring.

    Example:
        >>> cat = prose_metric_catalogue()
        >>> cat.loc[cat["item"].eq("mayor_mailbox"), "measure"].tolist()[:3]
        ['received', 'closed', 'completion_rate']
    """
    return pd.read_csv(io.StringIO(_catalogue_text()), dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------- prose facts


def _active_topic(pos: int, topics: list[tuple[int, int, str]], clause_starts: list[int], masked: str) -> str | None:
    """Item whose subject governs the number at ``pos`` (see module docstring)."""
    i = bisect.bisect_right(clause_starts, pos) - 1
    clause_start = clause_starts[i]
    clause_end = clause_starts[i + 1] - 1 if i + 1 < len(clause_starts) else len(masked)
    inherited = None
    before: list[tuple[int, int, str]] = []
    after = None
    for topic in topics:
        start = topic[0]
        if start < clause_start:
            inherited = topic[2]
        elif start < pos:
            before.append(topic)
        elif start < clause_end and after is None:
            after = topic[2]
    if before:
        last = before[-1]
        for prev in reversed(before[:-1]):
            if prev[2] != last[2] and _CONJUNCTION_RE.fullmatch(masked[prev[1]:last[0]]):
                return None  # "12345热线和市长信箱共受理…": a combined figure, nobody's
            if prev[2] != last[2]:
                break
        return last[2]
    return after or inherited


class _Segments:
    """Which words of a sentence belong to which printed figure.

    A clause (text between ``,，:：``; sentences already end at ``。；;！？``) may hold
    several figures: ``收到来信52件、办结40件、不予受理12件``. The words between the
    previous figure of the clause (its number and unit) and a number — the number's
    *lead* — name that number's measure. So the enumeration comma ``、`` after a figure
    ends a segment, while a ``、`` inside a description (``国务院、省政府重要信息1612条``)
    does not.
    """

    def __init__(self, masked: str, numbers: Sequence[_Number], clause_starts: list[int]) -> None:
        self.masked = masked
        self.clause_starts = clause_starts
        # counted figures (quantities and approximations: 1730余篇 is still a figure),
        # each with where its unit ends
        self.figures = [(n, _AFTER_RE.match(masked, n.end).end()) for n in numbers
                        if n.kind in ("quantity", "approximate")]
        self.unit_end = {n.start: end for n, end in self.figures}

    def _clause(self, pos: int) -> int:
        return bisect.bisect_right(self.clause_starts, pos) - 1

    def own_measure(self, match: re.Match, number: _Number, metric: _Metric, non_metric: re.Pattern) -> bool:
        """Whether the catalogue pattern ``match`` read ``number`` by the number's own words.

        False when

        * the pattern's words before the number reach back over another figure of the
          same clause: they are that figure's measure (``受理信访1718人次其中信件300件``).
          A pattern reaches into an earlier clause only by spelling the comma out
          (``…信息41039条,占总数的23.4%``);
        * the pattern's words after the number are the lead of a later figure of their
          clause (``52件已办结40件``: 已办结 is 40's), or pass another figure the metric
          could also read (``新开通3个账号和2个公众号``: the total is not 3);
        * the number's lead, or the pattern's words after the number, hold a measure
          word the catalogue does not have for the item
          (``data/prose_non_metric_words.csv``: ``不予受理12件``, ``转办300件``,
          ``按时办结率``, ``日均来电``).
        """
        pos = number.start
        clause = self._clause(pos)
        lead_start = self.clause_starts[clause]
        after_start = self.unit_end.get(pos, number.end)
        after_end = max(match.end(), after_start)
        end_clause = self._clause(after_end - 1) if after_end > after_start else clause
        for other, unit_end in self.figures:
            start = other.start
            if start < pos and self._clause(start) == clause:
                if start >= match.start():
                    return False  # the measure word belongs to an earlier figure
                lead_start = max(lead_start, unit_end)
            elif after_start <= start < after_end and _unit_value(metric, other) is not None:
                return False  # one measure word, two figures it could count
            elif start >= after_end > after_start and self._clause(start) == end_clause:
                return False  # the words after the number lead the next figure
        before = self.masked[min(match.start(), lead_start):pos]
        after = self.masked[after_start:after_end]
        return not (non_metric.search(before) or non_metric.search(after))


def _unit_value(metric: _Metric, number: _Number) -> float | None:
    """The number's value in the metric's unit, or None if the printed unit does not fit."""
    unit = number.unit
    if metric.unit in _MONEY:
        if unit not in _MONEY:
            return None
        return float(number.value * _MONEY[unit] / _MONEY[metric.unit])
    if unit == metric.unit or unit in metric.unit_aliases:
        return float(number.value)
    return None


def extract_prose_facts(lines: Sequence) -> list[dict]:
    """Extract the figures stated in prose, each with the sentence it came from.

    A number becomes a fact only when its metric is identified with certainty: a
    catalogue pattern matches it, it is a plain quantity (see :data:`NUMBER_KINDS`), its
    unit fits, it stands under the metric's topic, the measure comes from the number's
    own words with no non-metric measure word among them (``不予受理12件`` gives
    nothing; see the module docstring), and no other metric claims it.
    Everything else is left out (see :func:`find_numbers` for all numbers).

    Args:
        lines: ``(location_prefix, text)`` pairs, e.g.
            ``("line 16", "积极回应群众关切。2020年,市长信箱共受理各类信件1718件,…")``;
            a plain string is taken as line ``n`` (1-based position in ``lines``).
            Sentences are split on 。；; and line ends, never on commas.

    Returns:
        Fact dicts with exactly the keys ``section`` ("prose"), ``item``, ``measure``,
        ``applicant`` (None), ``value`` (float, in ``unit``), ``unit``, ``raw`` (the
        sentence as printed) and ``location`` (``"<prefix>, chars <start>-<end>"``:
        0-based, end-exclusive offsets of the printed number in that line's text).

    Example:
        >>> facts = extract_prose_facts([("line 8", "2020年共受理政府信息公开申请140件,已全部办结。")])
        >>> [(f["item"], f["measure"], f["value"], f["unit"]) for f in facts]
        [('applications_prose', 'accepted', 140.0, '件'), ('applications_prose', 'completed', 140.0, '件')]
    """
    facts: list[dict] = []
    for prefix, text in _iter_lines(lines):
        for a, b in _split_sentences(text):
            raw = text[a:b]
            for metric, value, start, end in _sentence_figures(raw):
                facts.append({
                    "section": "prose",
                    "item": metric.item,
                    "measure": metric.measure,
                    "applicant": None,
                    "value": value,
                    "unit": metric.unit,
                    "raw": raw,
                    "location": _location_at(prefix, a + start, a + end),
                })
    return facts


@lru_cache(maxsize=2048)
def _sentence_figures(raw: str) -> tuple[tuple[_Metric, float, int, int], ...]:
    """The figures one sentence states: ``(metric, value, start, end)`` of each, in the order
    :func:`extract_prose_facts` lists them (offsets of the printed number in the sentence).

    They depend on the sentence's text only: a sentence printed in several reports (the
    same wording, the same figures) is read once.
    """
    if _NUMBER_FIRST is not None and _NUMBER_FIRST.isdisjoint(raw):
        return ()  # no number printed at all: no figure
    masked, titles = _mask_titles(raw)
    if not _ANY_TOPIC.search(masked):
        return ()
    chars = set(masked)
    topics = []
    for regex, item, first in _TOPIC_FIRST:
        if first is None or not first.isdisjoint(chars):
            topics += [(m.start(), m.end(), item) for m in regex.finditer(masked)]
    topics.sort()
    if not topics:
        return ()
    # what the topics' patterns read, in catalogue order (the sentence's numbers are
    # scanned only when some pattern reads one)
    matches = [(item, metric, m) for item in dict.fromkeys(t[2] for t in topics)
               for metric, pattern, first in _PATTERNS_BY_ITEM[item]
               if first is None or not first.isdisjoint(chars) for m in pattern.finditer(masked)]
    if not matches:
        return ()
    numbers = _Sentence("", 0, raw, masked, titles).numbers
    quantities = {n.start: n for n in numbers if n.kind == "quantity"}
    if not quantities:
        return ()
    clause_starts = [0] + [m.end() for m in _CLAUSE_RE.finditer(masked)]
    segments = _Segments(masked, numbers, clause_starts)
    claims: dict[int, dict[tuple[str, str], tuple[_Metric, float]]] = {}
    for item, metric, m in matches:
        pos = m.start("n")
        number = quantities.get(pos)
        if number is None:
            continue
        value = _unit_value(metric, number)
        if value is None:
            continue
        if metric.not_before is not None and metric.not_before.search(masked, 0, pos):
            continue
        if _active_topic(pos, topics, clause_starts, masked) != item:
            continue
        if not segments.own_measure(m, number, metric, _NON_METRIC_BY_ITEM[item]):
            continue
        claims.setdefault(pos, {})[(metric.item, metric.measure)] = (metric, value)
    figures = []
    for pos in sorted(claims):
        claimants = claims[pos]
        if len(claimants) > 1 and not _compatible([m for m, _ in claimants.values()]):
            continue  # ambiguous: two metrics read the same printed number
        number = quantities[pos]
        for metric, value in sorted(claimants.values(), key=lambda mv: _METRIC_ORDER[id(mv[0])]):
            figures.append((metric, value, number.start, number.end))
    return tuple(figures)


def _compatible(metrics: list[_Metric]) -> bool:
    for i, a in enumerate(metrics):
        for b in metrics[i + 1:]:
            if a.item != b.item or not (b.measure in a.shares_number_with or a.measure in b.shares_number_with):
                return False
    return True


# --------------------------------------------------------------------------- checks

_RULE_ZH = {
    "prose_vs_table": "正文所述数字与表格一致",
    "closed_le_received": "办结数不超过受理数",
    "stated_rate": "正文所述比率与所述数字相符",
}
_PCT_IN_TEXT_RE = re.compile(rf"(?<![{_DIGIT}.．])([{_DIGIT}]+(?:[.．]([{_DIGIT}]+))?)\s*[%％]")


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "空"
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _record(rule: str, item: str, measure: str, expected: float, printed: float, status: str,
            cells: str, locations: Iterable[str], message: str) -> dict:
    return {
        "rule": rule,
        "rule_zh": _RULE_ZH[rule],
        "section": "prose",
        "item": item,
        "measure": measure,
        "applicant": None,
        "expected": float(expected),
        "printed": float(printed),
        "status": status,
        "cells": cells,
        "locations": "; ".join(loc for loc in locations if loc),
        "message": message,
    }


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class _TableIndex:
    """One report's table facts, looked up by (section, item, measure, applicant)."""

    _DIMS = ("section", "item", "measure", "applicant")

    def __init__(self, table: list[dict]) -> None:
        self.table = table
        self.by_mask: dict[tuple[bool, ...], dict[tuple, list[dict]]] = {}
        self.keys: list[tuple] | None = None  # each fact's four dimensions

    def find(self, term: _Term) -> list[dict]:
        """Facts of the term (``*`` matches any value of a dimension)."""
        wanted = (term.section, term.item, term.measure, term.applicant)
        mask = tuple(w != "*" for w in wanted)
        index = self.by_mask.get(mask)
        if index is None:  # built once per set of dimensions a term names
            if self.keys is None:
                self.keys = [(f.get("section"), f.get("item"), f.get("measure"), f.get("applicant"))
                             for f in self.table]
            named = [k for k, on in enumerate(mask) if on]
            index = self.by_mask[mask] = {}
            if len(named) == 4:
                for key, f in zip(self.keys, self.table):
                    index.setdefault(key, []).append(f)
            elif len(named) == 1:
                k = named[0]
                for key, f in zip(self.keys, self.table):
                    index.setdefault((key[k],), []).append(f)
            else:
                project = operator.itemgetter(*named) if named else (lambda key: ())
                for key, f in zip(self.keys, self.table):
                    index.setdefault(project(key), []).append(f)
        return index.get(tuple(w for w, named in zip(wanted, mask) if named), [])


def _term_value(term: _Term, table: _TableIndex) -> tuple[float | None, list[str], str]:
    """Value of one table term: (value or None, locations, why-missing)."""
    found = [f for f in table.find(term) if not _is_missing(f.get("value"))]
    values = {float(f["value"]) for f in found}
    if not values:
        return None, [], "未填报"
    if len(values) > 1:
        return None, [], "有多个不同数值"
    return values.pop(), [str(f.get("location") or "") for f in found], ""


def _table_check(fact: dict, metric: _Metric, table: _TableIndex) -> dict:
    printed = float(fact["value"])
    unit = metric.unit
    computed: list[tuple[int, float, list[str]]] = []
    for index, alternative in enumerate(metric.compare_with):
        total, locations, ok = 0.0, [], True
        for term in alternative:
            value, locs, _ = _term_value(term, table)
            if value is None:
                ok = False
                break
            total += value
            locations += locs
        if ok:
            computed.append((index, total, locations))
    terms_text = " ‖ ".join(" + ".join(t.label() for t in alt) for alt in metric.compare_with)
    cells = f"prose/{metric.item}/{metric.measure} = {_fmt(printed)} ↔ {terms_text}"
    said = f"{'' if metric.name_zh.startswith('正文') else '正文'}{metric.name_zh}{_fmt(printed)}{unit}"
    if not computed:
        wanted = "或".join(metric.compare_with_zh)
        return _record("prose_vs_table", metric.item, metric.measure, math.nan, printed, "not_checkable",
                       cells, [fact.get("location")], f"{said}，但表格未给出{wanted}，无法核对。")
    for index, total, locations in computed:
        if _same(total, printed):
            return _record("prose_vs_table", metric.item, metric.measure, total, printed, "pass", cells,
                           [fact.get("location"), *locations],
                           f"{said}，与{metric.compare_with_zh[index]}{_fmt(total)}{unit}一致。")
    index, total, locations = computed[0]
    others = "、".join(f"{metric.compare_with_zh[i]}{_fmt(t)}{unit}" for i, t, _ in computed)
    verdict = f"与{others}均不符" if len(computed) > 1 else f"与{others}不符，相差{_fmt(printed - total)}"
    return _record("prose_vs_table", metric.item, metric.measure, total, printed, "fail", cells,
                   [fact.get("location"), *(loc for _, _, locs in computed for loc in locs)], f"{said}，{verdict}。")


def _single(facts: list[dict]) -> tuple[float | None, str]:
    """The one value prose states for a metric: (value, location), or (None, reason)."""
    values = {float(f["value"]) for f in facts}
    if not values:
        return None, "未给出"
    if len(values) > 1:
        return None, "多处给出不同数值"
    return values.pop(), "; ".join(str(f.get("location") or "") for f in facts)


def _order_check(item: str, lesser: _Metric, greater: _Metric, prose: dict) -> dict | None:
    low_facts, high_facts = prose.get((item, lesser.measure), []), prose.get((item, greater.measure), [])
    if not low_facts and not high_facts:
        return None
    low, low_where = _single(low_facts)
    high, high_where = _single(high_facts)
    cells = f"prose/{item}/{lesser.measure} ≤ prose/{item}/{greater.measure}"
    unit = lesser.unit
    locations = [w for v, w in ((low, low_where), (high, high_where)) if v is not None]
    if low is None or high is None:
        given = [f"{m.name_zh}{_fmt(v)}{unit}" for m, v in ((lesser, low), (greater, high)) if v is not None]
        missing = [f"{m.name_zh}（{why}）" for m, v, why in ((lesser, low, low_where), (greater, high, high_where)) if v is None]
        lead = f"正文给出{'、'.join(given)}，" if given else ""
        return _record("closed_le_received", item, lesser.measure, math.nan if high is None else high,
                       math.nan if low is None else low, "not_checkable", cells, locations,
                       f"{lead}{'、'.join(missing)}，无法核对。")
    status = "pass" if low <= high + 1e-9 else "fail"
    verdict = "不超过" if status == "pass" else "超过了"
    return _record("closed_le_received", item, lesser.measure, high, low, status, cells, locations,
                   f"{lesser.name_zh}{_fmt(low)}{unit}{verdict}{greater.name_zh}{_fmt(high)}{unit}。")


def _printed_decimals(value: float, facts: list[dict]) -> int:
    for fact in facts:
        for m in _PCT_IN_TEXT_RE.finditer(str(fact.get("raw") or "")):
            if _same(float(_to_decimal(m.group(1))), value):
                return len(m.group(2) or "")
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


def _rate_check(item: str, rate: _Metric, numerator: _Metric, denominator: _Metric, prose: dict) -> dict | None:
    rate_facts = prose.get((item, rate.measure), [])
    if not rate_facts:
        return None
    stated, where = _single(rate_facts)
    num, num_where = _single(prose.get((item, numerator.measure), []))
    den, den_where = _single(prose.get((item, denominator.measure), []))
    cells = f"prose/{item}/{rate.measure} = prose/{item}/{numerator.measure} / prose/{item}/{denominator.measure} × 100"
    locations = [w for v, w in ((stated, where), (num, num_where), (den, den_where)) if v is not None]
    if stated is None or num is None or den is None or den == 0:
        gaps = [f"{m.name_zh}（{why}）" for m, v, why in (
            (rate, stated, where), (numerator, num, num_where), (denominator, den, den_where)) if v is None]
        if den == 0:
            gaps.append(f"{denominator.name_zh}为0")
        lead = f"正文给出{rate.name_zh}{_fmt(stated)}%，" if stated is not None else ""
        return _record("stated_rate", item, rate.measure, math.nan, math.nan if stated is None else stated,
                       "not_checkable", cells, locations, f"{lead}{'、'.join(gaps)}，无法核对。")
    exact = num / den * 100
    decimals = _printed_decimals(stated, rate_facts)
    expected = float(round(Decimal(repr(exact)), decimals))
    status = "pass" if abs(stated - exact) <= 0.5 * 10 ** -decimals + 1e-9 else "fail"
    verdict = "相符" if status == "pass" else "不符"
    return _record("stated_rate", item, rate.measure, expected, stated, status, cells, locations,
                   f"正文{rate.name_zh}印为{_fmt(stated)}%，按{numerator.name_zh}{_fmt(num)}÷"
                   f"{denominator.name_zh}{_fmt(den)}计算为{exact:.4f}%，保留{decimals}位小数为"
                   f"{_fmt(expected)}%，{verdict}。")


def prose_checks(facts: pd.DataFrame) -> list[dict]:
    """Check the figures stated in prose against the tables and against each other.

    Rules (each evaluated per ``report_id`` when that column is present):

    * ``prose_vs_table`` — a prose figure equals the table facts named in the catalogue's
      ``compare_with`` (e.g. 办结 ↔ 表三 （七）总计; 受理 ↔ 一 or 一+二).
    * ``closed_le_received`` — closed ≤ received (市长信箱; 12345热线 against valid work
      orders; 网上留言), from the catalogue's ``at_most``.
    * ``stated_rate`` — a stated rate equals numerator / denominator × 100 rounded to the
      printed decimals (1655 / 1718 → 96.33 %), from the catalogue's ``ratio_of``.

    A check one side of which is missing (not stated, blank, or stated twice with
    different values) is ``not_checkable``, never a ``fail``. A check is produced only
    when prose states at least one of its figures.

    Args:
        facts: Tidy facts with at least the columns ``section, item, measure, applicant,
            value, location`` (plus ``report_id`` and ``raw`` when available). Prose facts
            have ``section == "prose"``; table facts keep their own sections
            (``applications``, ``review_litigation``, ``active_disclosure``).

    Returns:
        Check dicts with the keys ``rule, rule_zh, section ("prose"), item, measure,
        applicant (None), expected, printed, status ("pass" | "fail" | "not_checkable"),
        cells, locations, message``. The records do not carry ``report_id``: pass one
        report's facts at a time if the caller needs to attach it.

    Example:
        >>> df = pd.DataFrame([
        ...     {"section": "prose", "item": "mayor_mailbox", "measure": "received", "applicant": None,
        ...      "value": 1718.0, "raw": "", "location": "line 10, chars 21-25"},
        ...     {"section": "prose", "item": "mayor_mailbox", "measure": "closed", "applicant": None,
        ...      "value": 1655.0, "raw": "", "location": "line 10, chars 29-33"}])
        >>> [(c["rule"], c["status"]) for c in prose_checks(df)]
        [('closed_le_received', 'pass')]
    """
    if facts is None or len(facts) == 0:
        return []
    needed = {"section", "item", "measure", "value"}
    lacking = needed - set(facts.columns)
    if lacking:
        raise ValueError(f"prose_checks: facts lack the columns {', '.join(sorted(lacking))}")
    frame = facts.astype(object).where(facts.notna(), None)
    groups = frame.groupby("report_id", sort=False, dropna=False) if "report_id" in frame.columns else [(None, frame)]
    out: list[dict] = []
    for _, group in groups:
        out += prose_checks_records(group.to_dict("records"))
    return out


def prose_checks_records(records: list[dict]) -> list[dict]:
    """:func:`prose_checks` on one report's fact records (dicts), without pandas.

    Args:
        records: One report's facts as dicts (``section, item, measure, applicant,
            value, location``…); a NaN or None value counts as not stated.

    Returns:
        The check dicts, as :func:`prose_checks` returns them.
    """
    out: list[dict] = []
    # a value NaN or None is not stated; table facts are read as they are (their NaN is missing to _term_value)
    prose_facts = [{**r, "value": float(r["value"])} for r in records
                   if r["section"] == "prose" and r.get("value") is not None and r["value"] == r["value"]]
    if not prose_facts:
        return out
    table = _TableIndex([r for r in records if r["section"] != "prose"])
    prose: dict[tuple[str, str], list[dict]] = {}
    for fact in prose_facts:
        prose.setdefault((fact["item"], fact["measure"]), []).append(fact)
    for fact in prose_facts:
        metric = _METRIC_BY_KEY.get((fact["item"], fact["measure"]))
        if metric is not None and metric.compare_with:
            out.append(_table_check(fact, metric, table))
    for metric in _METRICS:
        if metric.at_most:
            check = _order_check(metric.item, metric, _METRIC_BY_KEY[(metric.item, metric.at_most)], prose)
            if check:
                out.append(check)
        if metric.ratio_of:
            num, den = (_METRIC_BY_KEY[(metric.item, m)] for m in metric.ratio_of)
            check = _rate_check(metric.item, metric, num, den, prose)
            if check:
                out.append(check)
    return out
