"""Named evidence extractors: pure functions from a string to the hits found in it.

A rule says ``extract: phone`` with ``min: 2`` and the engine counts the hits of that extractor in a
section's text. Every extractor:

* takes a ``str`` and returns a ``tuple[Hit, ...]`` sorted by ``start`` and non-overlapping;
* reports offsets into the string it was given, so ``text[hit.start:hit.end] == hit.quote``;
* reads full-width digits and punctuation (``０５７１－１２３４５６７８``) and, where plan writers use them,
  Chinese numerals (``二〇二四年``, ``两小时``, ``三人以上``);
* never raises on any input and runs in linear time: compiled patterns without nested unbounded
  quantifiers, and context checks that look at a bounded window around each candidate.

``flag`` marks a defective hit (``placeholder``, ``invalid``) or a sub-kind the caller may want to
tell apart (``event_grade``, ``warning_level``, ``unit_level``); ``value`` is a normalised form.

Speed: ``re`` only skips quickly through text to a possible match when a pattern starts with one
character class or with alternatives that each start with a literal character. The patterns below
are written that way on purpose (a number pattern starts with one class of Arabic and Chinese
digits; words that may precede a match, such as 不超过, are checked by looking back in Python). That
keeps every extractor under 25 ms per million characters of plan text (under 15 ms per MB of UTF-8).
"""

from __future__ import annotations

import bisect
import functools
import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class Hit:
    """One match of an extractor: ``text[start:end] == quote`` (verbatim)."""

    start: int
    end: int
    quote: str
    value: str | None = None  # normalised value, e.g. "0571-12345678", "60", "2023-05-01"
    flag: str | None = None  # defect or sub-kind, e.g. "placeholder", "invalid", "event_grade"


Extractor = Callable[[str], tuple[Hit, ...]]

# --- shared pieces ----------------------------------------------------------------------------

_D = "[0-9０-９]"  # not \d, which also accepts Arabic-Indic and other scripts' digits
# Sets, not strings: ``"" in ".．"`` is True, and the character before offset 0 is "".
_DIGIT_CHARS = frozenset("0123456789０１２３４５６７８９")
_DOTS = frozenset(".．")
_PLUS = frozenset("+＋")
_OPEN_BRACKETS = frozenset("(（")
_CLOSE_BRACKETS = frozenset(")）")
_DATE_SEPS = frozenset(".．-－/／")
_SLASHES = frozenset("/／")
_LATIN = frozenset(string.ascii_letters + "".join(chr(ord(c) + 0xFEE0) for c in string.ascii_letters))
_FW_TABLE = str.maketrans("０１２３４５６７８９．－＋（）：／", "0123456789.-+():/")
_CJK_RUN_CHAR = re.compile(r"[\u3400-\u9fff]")

_CN_DIGIT = {
    "零": 0, "〇": 0, "○": 0, "O": 0, "Ｏ": 0,
    "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_NUM = "零〇○一二两三四五六七八九十百千"
_CN_DATE_DIGITS = frozenset("零〇○一二三四五六七八九十")
# A Chinese numeral right after one of these is part of a word or an ordinal (统一, 第三, 万一).
_CN_NOT_AFTER = frozenset("统唯第同单逐每任其某若之专万进" + _CN_NUM)
# One class for both scripts, so the pattern starts with a single character class (see module doc);
# _number() splits a mixed run such as 统一2 → 2.
_NUM = f"[0-9０-９{_CN_NUM}][0-9０-９{_CN_NUM}]{{0,9}}(?:[.．]{_D}{{1,6}})?"


def _fw(digits: str) -> str:
    """A pattern for an ASCII digit string that also accepts its full-width spelling."""
    return "".join(f"[{d}{chr(ord(d) + 0xFEE0)}]" for d in digits)


def _ascii(s: str) -> str:
    return s.translate(_FW_TABLE)


def cn_to_int(s: str) -> int | None:
    """Read a Chinese numeral: positional (``二〇二四`` → 2024) or with units (``一万五千`` → 15000)."""
    if not s:
        return None
    if not any(c in _CN_SMALL or c in "万亿" for c in s):
        digits = [_CN_DIGIT.get(c) for c in s]
        if any(d is None for d in digits):
            return None
        return int("".join(str(d) for d in digits))
    total = section = num = 0
    for c in s:
        if c in _CN_DIGIT:
            num = _CN_DIGIT[c]
        elif c in _CN_SMALL:
            section += (num or 1) * _CN_SMALL[c]
            num = 0
        elif c == "万":
            total += (section + num) * 10_000
            section = num = 0
        elif c == "亿":
            total = (total + section + num) * 100_000_000
            section = num = 0
        else:
            return None
    return total + section + num


def _decimal(s: str) -> Decimal | None:
    """An Arabic (half- or full-width) or Chinese number as a Decimal."""
    a = _ascii(s)
    if a[:1].isascii() and a[:1].isdigit():
        try:
            return Decimal(a)
        except InvalidOperation:
            return None
    n = cn_to_int(a)
    return None if n is None else Decimal(n)


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _number(text: str, start: int, token: str) -> tuple[int, str, Decimal] | None:
    """Validate a number token matched at ``start``: (real start, digits, value) or None.

    The token class mixes scripts, so 统一2 arrives as 一2: the number is the Arabic tail. A number
    glued to a longer digit run, a decimal point, 第 (an ordinal) or a word (统一, 万一) is rejected.
    """
    first_arabic = next((i for i, c in enumerate(token) if c in _DIGIT_CHARS), None)
    if first_arabic:
        start, token = start + first_arabic, token[first_arabic:]
    if first_arabic is not None and any(c not in _DIGIT_CHARS and c not in _DOTS for c in token):
        return None
    prev = text[start - 1] if start > 0 else ""
    if first_arabic is not None:
        if prev in _DIGIT_CHARS or prev in _DOTS or prev in _SLASHES or prev == "第":
            return None  # part of a longer number, a decimal, a fraction (1/2处) or an ordinal
        if prev == " " and text[start - 2 : start - 1] in _DIGIT_CHARS:
            return None  # OCR split "5 0 人": the number read would be wrong
    elif prev in _CN_NOT_AFTER:
        return None
    value = _decimal(token)
    return None if value is None else (start, token, value)


def _hit(text: str, start: int, end: int, value: str | None = None, flag: str | None = None) -> Hit:
    return Hit(start, end, text[start:end], value, flag)


def _merge(hits: Iterable[Hit]) -> tuple[Hit, ...]:
    """Sort by start, prefer the longer of two hits that start together, drop overlaps."""
    out: list[Hit] = []
    last_end = -1
    for h in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if h.start >= last_end:
            out.append(h)
            last_end = h.end
    return tuple(out)


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so 副总指挥 wins over 总指挥 at the same position."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _spaced(words: Iterable[str]) -> str:
    """Like ``_alternation`` but each word may be spread out for alignment: 组  长, 总 指 挥."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join("[ \u3000]{0,4}".join(re.escape(c) for c in w) for w in ordered)


def _look_back(pattern: re.Pattern[str], text: str, pos: int, reach: int) -> re.Match[str] | None:
    """``pattern`` (ending in ``$``) matched against the ``reach`` characters before ``pos``."""
    return pattern.search(text, max(0, pos - reach), pos)


# --- phone ------------------------------------------------------------------------------------

_SEP = r"(?:[ \u3000]?[-－—–‐―][ \u3000]?|[ \u3000])"
_SERVICE_NUMBERS = ("12345", "12350", "12315", "12369", "12320", "12395", "110", "119", "120", "122")
# Every character a phone number is written with; a run of them is the only place to look.
_PHONE_TOKEN_RE = re.compile(r"[0-9０-９+＋(（][0-9０-９+＋()（）\-－—–‐― \u3000]{2,}")
_PHONE_RE = re.compile(  # digit-boundary look-arounds let a rejected long run fall back correctly
    rf"(?<![0-9０-９])(?:(?P<mobile>(?:[+＋]86[ -]?)?[1１][3-9３-９]{_D}(?:{_SEP}?{_D}{{4}}){{2}})"
    rf"|(?P<land>(?:[(（][0０]{_D}{{2,3}}[)）][ \u3000]?|[0０]{_D}{{2,3}}{_SEP}?)"
    rf"(?:{_D}{{3,4}}{_SEP}{_D}{{4}}|{_D}{{7,8}}))"
    rf"|(?P<local>[2-9２-９]{_D}{{2,3}}{_SEP}?{_D}{{4}})"
    rf"|(?P<service>{'|'.join(_fw(n) for n in _SERVICE_NUMBERS)}|{_fw('96')}{_D}{{3}}))(?![0-9０-９])"
)
_EXT_RE = re.compile(rf"[ \u3000]?(?:转|分机|-分机|ext\.?|EXT\.?)[ \u3000]?({_D}{{1,6}})")
# A digit, a decimal part or a money/percent unit right after means the digits are not a phone.
_PHONE_TAIL_BAD = re.compile(rf"{_D}|[.．]{_D}|[元万亿%％]")
_LOCAL_CUE = re.compile(r"(?:电话|值班|热线|联系方式|[Tt][Ee][Ll]|传真|座机|总机|号码)[^0-9０-９\n]{0,6}$")
_SERVICE_CUE_BEFORE = re.compile(
    r"(?:拨打|电话|报警|热线|急救|火警|匪警|呼叫|求救|求助|举报|投诉|服务)[^0-9０-９\n]{0,5}$"
)
_SERVICE_CUE_AFTER = re.compile(
    r"[”\"’」』）)]?[ \u3000]?(?:报警|急救|电话|热线|火警|匪警|求助|救护|服务|指挥中心|接处警)"
)
_NOT_A_DIGIT = re.compile("[^0-9０-９]")
_CUE_REACH = 12  # how far before a local or service number its cue (电话, 拨打…) is looked for
_NOT_A_PHONE_AFTER = frozenset("人户间万元米吨台辆个次年月日号条项%％分秒小天周名件座家")


def _is_placeholder_digits(national: str, subscriber: str) -> bool:
    return len(set(national)) == 1 or set(subscriber) == {"0"}


# libphonenumber costs 15–40 µs a number, and numbers recur: in one plan (contacts tables, cards,
# the duty phone in every chapter) and across the plans of one place. A pure function of its
# arguments, so a bounded cache cannot change a result.
@functools.lru_cache(maxsize=8192)
def _phone_value(digits: str, kind: str) -> tuple[str, str | None]:
    """Normalise and validate with libphonenumber's CN metadata: (value, flag)."""
    phonenumbers = _cn_plan().lib  # loads its metadata on first use only

    national = digits[2:] if kind == "mobile" and len(digits) == 13 and digits.startswith("86") else digits
    subscriber = national[3:] if kind == "mobile" else national[-7:]
    if _is_placeholder_digits(national, subscriber):
        return national, "placeholder"
    num = _cn_parse(national)
    if num is None:
        try:
            num = phonenumbers.parse(national, "CN")
        except phonenumbers.NumberParseException:
            return national, "invalid"
    if not _cn_valid(num, kind):
        return national, "invalid"
    nsn = phonenumbers.national_significant_number(num)
    if kind == "mobile":
        return nsn, None
    area = phonenumbers.length_of_geographical_area_code(num)
    return (f"0{nsn[:area]}-{nsn[area:]}" if area > 0 else "0" + nsn), None


@dataclass(frozen=True, slots=True)
class _CnPlan:
    """CN metadata, its prefix patterns compiled once, and the library's functions (an import
    statement costs a microsecond on every call, as much as the work it guards)."""

    lib: Any  # phonenumbers
    md: Any
    idd: re.Pattern[str]
    national_prefix: re.Pattern[str]
    not_possible: tuple[Any, ...]
    # the library's own pattern tests (private: None if a release renames them, and then every
    # number goes the public way)
    match_national: Any
    matching_desc: Any


@functools.cache
def _cn_plan() -> _CnPlan:
    import phonenumbers
    from phonenumbers import phonenumberutil

    md = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    vr = phonenumberutil.ValidationResult
    return _CnPlan(phonenumbers, md, re.compile(md.international_prefix or "(?!)"),
                   re.compile(md.national_prefix_for_parsing or "(?!)"),
                   (vr.TOO_SHORT, vr.IS_POSSIBLE_LOCAL_ONLY, vr.INVALID_LENGTH),
                   getattr(phonenumberutil, "_match_national_number", None),
                   getattr(phonenumberutil, "_is_number_matching_desc", None))


def _cn_parse(national: str) -> Any:
    """``phonenumbers.parse(national, "CN")`` built directly for the two shapes the phone pattern
    normalises to (2–4 µs instead of 12 µs); None where parse could read the digits differently.

    parse reads a plain digit string that starts with no international prefix (00, 1xx00) and not
    with the country code 86 like this: a mobile-shaped ``1…`` that starts with no national prefix
    or carrier code (0, 1[12]xx, 179xx) is the national number itself; ``0…`` loses the national
    prefix 0 when the whole string is no national number and what remains has a possible length.
    Any other case is left to parse (tests/match/test_extract.py compares both over generated
    numbers). The prefixes and lengths come from the metadata, so an update moves the boundary
    with it."""
    plan = _cn_plan()
    md = plan.md
    if (
        not 10 <= len(national) <= 12
        or not national.isascii()
        or not national.isdigit()
        or national.startswith(str(md.country_code))
        or plan.idd.match(national)
    ):
        return None
    prefix = plan.national_prefix.match(national)
    if national[0] != "0":
        if prefix is not None:
            return None
        return plan.lib.PhoneNumber(country_code=md.country_code, national_number=int(national))
    if (
        prefix is None
        or prefix.end() != 1
        or any(g is not None for g in prefix.groups())
        or md.national_prefix_transform_rule
        or national[1] == "0"  # parse would keep a leading zero (an "Italian" zero) on the number
        or plan.match_national is None
        or plan.match_national(national, md.general_desc, False)  # a national number as it stands
    ):
        return None
    num = plan.lib.PhoneNumber(country_code=md.country_code, national_number=int(national[1:]))
    return None if plan.lib.is_possible_number_with_reason(num) in plan.not_possible else num


def _cn_valid(num: Any, kind: str) -> bool:
    """``phonenumbers.is_valid_number(num)``, deciding the common case with two of its patterns.

    A CN number is valid when it matches the general pattern and one of the type patterns (the
    library tries ten types in turn, the huge fixed-line pattern before the mobile one). Matching
    the general pattern and the type the number is shaped like is therefore enough to say valid;
    anything else goes through the library's full test."""
    plan = _cn_plan()
    md = plan.md
    matching = plan.matching_desc
    if num.country_code == md.country_code and matching is not None:
        nsn = plan.lib.national_significant_number(num)
        if matching(nsn, md.general_desc) and matching(nsn, md.mobile if kind == "mobile" else md.fixed_line):
            return True
    return bool(plan.lib.is_valid_number(num))


def _phone_matches(text: str) -> Iterator[re.Match[str]]:
    for token in _PHONE_TOKEN_RE.finditer(text):
        yield from _PHONE_RE.finditer(text, token.start(), token.end())


def extract_phone(text: str) -> tuple[Hit, ...]:
    """Chinese phone numbers.

    Accepts: mobiles ``13812345678``, ``138 1234 5678``, ``138-1234-5678``, ``+86 13812345678``;
    landlines with area code ``0571-87654321``, ``(0571)87654321``, ``（010）68406301``,
    ``0902 1234567``, ``029-8888 6666``, ``0571—87654321``, ``01068409198``; an extension ``转8001`` /
    ``分机8001``; 7–8 digit local numbers only after 电话/值班/热线/联系方式/Tel within 6 characters
    (``值班电话：88886666``); service numbers 110/119/120/122/12345/12350/12315/12369/12320/12395 and
    96xxx only next to 拨打/电话/报警/热线/急救/救护 (``拨打120``, ``“120”急救电话``). Full-width digits
    are read.

    Rejects: digits inside a longer run (ID numbers, ``20240101``), decimals and coordinates
    (``108.96021``), amounts (``13800000000元``), years, document numbers (``〔2023〕26号``), a bare
    ``120`` without a phone cue (``转移120人``), local numbers without a cue.

    ``value``: ``13812345678``, ``0571-87654321`` (``转8001`` appended), or the service number.
    ``flag``: ``invalid`` when libphonenumber rejects a phone-shaped number (``0571 1234567``: Hangzhou
    numbers have 8 digits); ``placeholder`` when all digits are one digit or the subscriber part is all
    zeros (``13800000000``, ``000-00000000``).
    """
    hits: list[Hit] = []
    for m in _phone_matches(text):
        s, e = m.span()
        prev = text[s - 1] if s > 0 else ""
        if prev in _DIGIT_CHARS or prev in _DOTS or prev in _PLUS or _PHONE_TAIL_BAD.match(text, e):
            continue
        kind = m.lastgroup or ""
        # a match holds only [0-9０-９] digits, separators, brackets and plus signs
        digits = _NOT_A_DIGIT.sub("", m.group()).translate(_FW_TABLE)
        flag: str | None = None
        if kind == "service":
            if text[e : e + 1] in _NOT_A_PHONE_AFTER:
                continue
            if not (
                _look_back(_SERVICE_CUE_BEFORE, text, s, _CUE_REACH) or _SERVICE_CUE_AFTER.match(text[e : e + 10])
            ):
                continue
            hits.append(_hit(text, s, e, digits))
            continue
        if kind == "local":
            if not _look_back(_LOCAL_CUE, text, s, _CUE_REACH):
                continue
            value = digits
            if len(set(digits)) == 1:
                flag = "placeholder"
        else:
            value, flag = _phone_value(digits, kind)
        ext = _EXT_RE.match(text, e)
        if ext and not _PHONE_TAIL_BAD.match(text, ext.end()):
            e = ext.end()
            value += "转" + _ascii(ext.group(1))
        hits.append(_hit(text, s, e, value, flag))
    return tuple(hits)


# Characters that end the windows checks look at (a line, a sentence, a clause): none can be part
# of a phone number, its extension or anything extract_phone looks at after a number.
_WINDOW_EDGES = frozenset("\n。；;，,ꎬ")


def _needs_cue(h: Hit) -> bool:
    """A local or a service number: accepted only with a cue before it (or a word after it).

    Read off the value: a landline's starts with 0 (flagged or not) and a mobile's is its 11
    digits starting with 1, while a local number has 7–8 digits starting with 2–9 and a service
    number 3 or 5."""
    base = (h.value or "").split("转", 1)[0]
    return not (base.startswith("0") or (len(base) == 11 and base.startswith("1")))


def _start(h: Hit) -> int:
    return h.start


def phone_hits_within(text: str, start: int, end: int, memo: dict[Any, Any] | None) -> tuple[Hit, ...]:
    """``extract_phone(text[start:end])`` (offsets into the window) for a window of ``text``
    bounded by a line, sentence or clause end, taken from the phone numbers of all of ``text``
    once an audit has them (``memo``) instead of a pass over every window.

    The window's numbers are the text's numbers inside it: no number, extension or look-ahead
    runs over a window edge, and a cue looked for before a number can only be cut off by the
    window's start, never added. Where that may have happened (a local or service number near the
    window's start) the window is read on its own."""
    window = text[start:end]
    if memo is None or (start > 0 and text[start - 1] not in _WINDOW_EDGES) or (
        end < len(text) and text[end] not in _WINDOW_EDGES
    ):
        return extract_cached("phone", window, memo)
    out: list[Hit] = []
    hits = extract_cached("phone", text, memo)
    for k in range(bisect.bisect_left(hits, start, key=_start), len(hits)):
        h = hits[k]
        if h.start >= end:
            break
        if h.end > end or (h.start - start < _CUE_REACH and _needs_cue(h)):
            return extract_cached("phone", window, memo)
        out.append(Hit(h.start - start, h.end - start, h.quote, h.value, h.flag))
    return tuple(out)


# --- placeholder_phone ------------------------------------------------------------------------

_MASK = "xXｘＸ*＊×"
_MASK_SET = frozenset(_MASK)
_PP_EDGE = _DIGIT_CHARS | _MASK_SET | _LATIN
_PP_SEPS = frozenset("-－—–()（） ")
_PPC = f"[0-9０-９{_MASK}]"
_PP_TOKEN_RE = re.compile(rf"[0-9０-９+＋(（{_MASK}][0-9０-９+＋()（）\-－—–‐― \u3000{_MASK}]{{2,}}")
_PLACEHOLDER_PHONE_RE = re.compile(
    # a masked number: a mask character within its first 16 characters
    rf"(?P<masked>(?=[0-9０-９(（\-－—– {_MASK}]{{0,15}}[{_MASK}])"
    rf"(?:[(（]{_PPC}{{3,4}}[)）][ \u3000]?)?{_PPC}{{2,12}}(?:[-－—– ]{_PPC}{{2,8}}){{0,2}})"
    # one digit repeated: 88888888, 11111111111
    rf"|(?P<same>([0-9０-９])\3{{6,11}})"
    # zeros in a phone layout: 000-00000000, 0571-00000000
    rf"|(?P<zeros>[0０]{_D}{{2,3}}{_SEP}?[0０]{{7,8}})"
    # an area code and nothing after it: 0571-
    rf"|(?P<area>[(（]?[0０]{_D}{{2,3}}[)）]?[-－—–])"
)
_PHONE_LABEL_BLANK_RE = re.compile(
    r"(?:电话|手机|号码|联系方式|热线|传真|Tel|TEL|tel)(?:号码)?[:：][ \u3000]{0,8}"
    r"(?:[_＿]{2,}|[(（][ \u3000]{0,8}空?[ \u3000]{0,8}[)）]|[ \u3000]{2,}(?=\n|$))"
)
_PHONE_LABEL_PREFIX = re.compile(r"(?:联系|值班|办公|应急|报警|咨询|24小时)$")
_PP_CUE = re.compile(r"(?:电话|手机|号码|联系方式|热线|传真|[Tt][Ee][Ll]|值班)[^\n]{0,6}$")


def _masked_phone_ok(text: str, s: int, tok: str) -> bool:
    symbols = sum(1 for c in tok if c in _MASK_SET or c in _DIGIT_CHARS)
    if not 7 <= symbols <= 13:
        return False
    has_digit = any(c in _DIGIT_CHARS for c in tok)
    has_sep = any(c in _PP_SEPS for c in tok.strip())
    if not has_digit and not has_sep and not _look_back(_PP_CUE, text, s, 14):
        return False  # a bare run of stars is a markdown rule or emphasis unless a phone label is near
    first = tok.lstrip("(（")[:1]
    return first in _MASK_SET or _ascii(first) in ("0", "1")  # phones start with 0, 1 or a mask


def extract_placeholder_phone(text: str) -> tuple[Hit, ...]:
    """Phone-shaped placeholders left over from a template (``flag="placeholder"``).

    Accepts: masked numbers ``1380000xxxx``, ``138****5678``, ``XXXX-XXXXXXX``, ``0571-XXXXXXXX``,
    ``********`` (a bare mask run only after 电话/手机/号码…); one repeated digit ``88888888``,
    ``11111111111``; zeros ``000-00000000``; an area code alone ``0571-``; a phone label with a blank
    ``电话：____``, ``联系电话：（空）``, ``电话：（  ）``, ``值班电话：`` followed by spaces to line end.

    Rejects: real numbers (``0571-87654321``), ``电话：无`` (an explicit "none" is a statement, not a
    leftover), mask runs shorter than 7 symbols (``xxx`` — see ``placeholder``), masks inside Latin
    words, year ranges (``2020-2024``), amounts (``8888888元``).

    ``value``: the token in half-width characters; None for a label with a blank.
    """
    hits: list[Hit] = []
    for token in _PP_TOKEN_RE.finditer(text):
        for m in _PLACEHOLDER_PHONE_RE.finditer(text, token.start(), token.end()):
            s, e = m.span()
            kind = m.lastgroup or ""
            tok = m.group()
            prev = text[s - 1] if s > 0 else ""
            nxt = text[e] if e < len(text) else ""
            if prev in _PP_EDGE:
                continue
            if kind != "area" and nxt in _PP_EDGE:
                continue
            if kind == "masked" and not _masked_phone_ok(text, s, tok):
                continue
            if kind == "same" and nxt in _NOT_A_PHONE_AFTER:
                continue
            if kind == "area":
                after = text[e : e + 2].lstrip(" \u3000")[:1]
                if after in _DIGIT_CHARS or after in _MASK_SET:
                    continue
            hits.append(_hit(text, s, e, _ascii(tok).strip(), "placeholder"))
    for m in _PHONE_LABEL_BLANK_RE.finditer(text):
        label = _look_back(_PHONE_LABEL_PREFIX, text, m.start(), 4)
        hits.append(_hit(text, label.start() if label else m.start(), m.end(), None, "placeholder"))
    return _merge(hits)


# --- placeholder ------------------------------------------------------------------------------

_BLANK = r"[ \u3000_＿]"
_BLANK_SLOT = rf"(?:{_BLANK}{{1,12}}|[(（]{_BLANK}{{0,12}}[)）])"
_BLANK_DATE_RE = re.compile(rf"年{_BLANK_SLOT}月{_BLANK_SLOT}日")
_BLANK_YEAR_BEFORE = re.compile(rf"{_BLANK_SLOT}$")
# Runs of one repeated character: XX, xxx, ××, 某某, ＊＊, □□, 〇〇, ___
_REPEAT_RE = re.compile(r"([XxＸｘ×某＊□〇○_＿])\1+")
_BRACKET_RE = re.compile(r"[（(\[【［](?P<inner>[^（）()\[\]【】［］\n]{1,24})[）)\]】］]")
_COLON_BLANK_RE = re.compile(r"[:：](?P<blank>[ \u3000_＿]{3,80})")
_FILL_HINT = re.compile(
    r"填写|填入|填报|请填|待填|根据实际|按实际|结合实际|视实际|待定|待补充|待完善|此处"
    r"|^[\u4e00-\u9fff]{0,4}(?:名称|全称|姓名)$"
)
_LABEL_AFTER_BLANK = re.compile(r"[ \u3000]*(?:\n|$)|[^\n:：]{1,12}[:：]")


def _repeat_ok(text: str, s: int, e: int) -> bool:
    ch = text[s]
    prev = text[s - 1] if s > 0 else ""
    nxt = text[e] if e < len(text) else ""
    if ch in "_＿":
        if e - s < 3:
            return False
        line_start = text.rfind("\n", 0, s) + 1
        line_end = text.find("\n", e)
        line = text[line_start : len(text) if line_end < 0 else line_end]
        return bool(line.strip(" \t\u3000_＿#>-*"))  # a line of only underscores is a markdown rule
    if ch in "XxＸｘ×":
        return not (prev in _LATIN or prev in _DIGIT_CHARS or nxt in _LATIN or nxt in _DIGIT_CHARS) and not (
            text.startswith("世纪", e)
        )
    if ch in "〇○":
        return prev not in _CN_DATE_DIGITS and nxt not in _CN_DATE_DIGITS  # 二〇〇八年 is a year
    return True


def extract_placeholder(text: str) -> tuple[Hit, ...]:
    """Generic template leftovers (``flag="placeholder"``).

    Accepts: ``XX镇``, ``XXX公司``, ``××``, ``xxx``, ``某某``, ``＊＊``, ``□□``, ``〇〇``/``○○`` used as a
    name, fill-in hints in brackets ``（填写单位名称）``, ``（根据实际情况填写）``, ``[单位名称]``,
    ``【企业名称】``, blanks after a label colon ``姓名：　　　``, ``签字：____``, runs of three or more
    underscores, blank dates ``年  月  日``, ``（  ）年（  ）月（  ）日``, ``____年__月__日``.

    Rejects: ``X射线`` (one X), ``XX`` inside Latin words (``XXL``, ``BOXX``), ``XX世纪``, roman
    numerals ``Ⅹ``/``Ⅰ级``/``I级``, the Chinese zero in dates (``二〇〇八年``, ``二〇二四年``), a bracket
    that is not a fill-in hint (``〔2023〕``, ``（一）``), a blank followed by a value (``姓名：　张三``),
    a filled date (``2024年5月1日``), a markdown rule line (``___``).

    ``value``: the placeholder text.
    """
    hits: list[Hit] = []
    for m in _BLANK_DATE_RE.finditer(text):
        s = m.start()
        year = _look_back(_BLANK_YEAR_BEFORE, text, s, 14)
        if year:
            s = year.start()
        elif s > 0 and (text[s - 1] in _DIGIT_CHARS or text[s - 1] in _CN_DATE_DIGITS):
            continue  # 2024年 月 日: the year is filled in
        hits.append(_hit(text, s, m.end(), text[s : m.end()], "placeholder"))
    for m in _REPEAT_RE.finditer(text):
        if _repeat_ok(text, m.start(), m.end()):
            hits.append(_hit(text, m.start(), m.end(), m.group(), "placeholder"))
    for m in _BRACKET_RE.finditer(text):
        if _FILL_HINT.search(m.group("inner").strip(" \u3000")):
            hits.append(_hit(text, m.start(), m.end(), m.group(), "placeholder"))
    for m in _COLON_BLANK_RE.finditer(text):
        blank = m.group("blank")
        weight = sum(0.5 if c == " " else 1.0 for c in blank)  # ASCII spaces are often just alignment
        if weight >= 3 and _LABEL_AFTER_BLANK.match(text, m.end()):
            hits.append(_hit(text, m.start("blank"), m.end(), blank, "placeholder"))
    return _merge(hits)


# --- time_limit -------------------------------------------------------------------------------

_TIME_UNITS = {
    "分钟": 1, "min": 1, "钟头": 60, "小时": 60, "h": 60, "天": 1440, "日": 1440, "工作日": 1440, "周": 10080,
}  # fmt: skip
_TIME_WORD_RE = re.compile(r"立即|立刻|即刻|马上|第一时间|半个?(?:小时|钟头)(?:以内|之内|内)?")
_TIME_NUM_RE = re.compile(
    rf"(?P<num>{_NUM})[ \u3000]?(?P<ge>个)?(?P<half>半)?[ \u3000]?"
    r"(?P<unit>分钟|钟头|小时|工作日|天|日|周|min(?![A-Za-z])|h(?![A-Za-z]))(?P<suf>以内|之内|内)?"
)
_TIME_PREFIX = re.compile(r"(?:最迟|最长)?(?:不得|不应|不能|不宜|不)?(?:超过|迟于|晚于)[ \u3000]?$")
# A duration followed by these is a duty statement or a weather window, not a deadline.
_TIME_NOT_BEFORE = re.compile(
    r"[ \u3000]?(?:应急)?(?:值班|值守|电话|热线|在岗|开通|开机|畅通|不间断|服务|运行|监控|轮班|巡查|巡逻|带班|待命)"
    r"|[ \u3000]?(?:降雨|降水|雨量|降雪|累计|平均|以上|滚动|连续|监测|零报告|后勤|短时|全天)"
)
_TIME_NOT_AFTER = re.compile(r"(?:未来|过去|每隔|连续|持续|累计|最近|近|每|前|月|每日|每天|全天|时效[:：]?)[ \u3000]*$")


def extract_time_limit(text: str) -> tuple[Hit, ...]:
    """Deadlines for reporting or acting.

    Accepts: ``30分钟内``, ``1小时内``, ``2小时以内``, ``半小时内``, ``一小时内``, ``一个半小时内``,
    ``24小时内``, bare hours/minutes ``24小时``, ``两小时``, ``15 分钟``, ``不超过4小时``,
    ``最迟不得超过4小时``, ``3日内``, ``10 日内``, ``立即``, ``立刻``, ``第一时间``; full-width digits.

    Rejects: duty statements ``24小时值班``, ``24小时应急电话``, ``24小时开通``; weather windows
    ``24小时降雨量``, ``未来6小时``, ``过去1小时``; conditions ``持续2小时以上``; frequencies ``每2小时``;
    days without 内 (``5月1日``, ``3日``); ordinals ``第一天``.

    ``value``: minutes as a string (``"30"``, ``"60"``, ``"4320"`` for 3日), ``"0"`` for 立即/第一时间.
    """
    hits: list[Hit] = []
    for m in _TIME_WORD_RE.finditer(text):
        value = "30" if m.group().startswith("半") else "0"
        hits.append(_hit(text, m.start(), m.end(), value))
    for m in _TIME_NUM_RE.finditer(text):
        number = _number(text, m.start(), m.group("num"))
        if number is None:
            continue
        s, digits, amount = number
        unit, e = m.group("unit"), m.end()
        prefix = _look_back(_TIME_PREFIX, text, s, 10)
        if unit in ("天", "日", "工作日", "周") and not (m.group("suf") or prefix):
            continue
        if unit in ("h", "min") and digits[0] not in _DIGIT_CHARS:
            continue
        if not prefix and _look_back(_TIME_NOT_AFTER, text, s, 5):
            continue
        if _TIME_NOT_BEFORE.match(text, e):
            continue
        if m.group("half"):
            amount += Decimal("0.5")
        hits.append(_hit(text, prefix.start() if prefix else s, e, _fmt(amount * _TIME_UNITS[unit])))
    return _merge(hits)


# --- trigger_condition ------------------------------------------------------------------------

_TRIGGER_UNITS = (
    "立方米", "平方公里", "平方千米", "公顷", "毫米", "厘米", "千米", "公里", "米", "摄氏度", "℃", "°C",
    "小时", "人", "户", "间", "元", "头", "级", "%", "％", "m³", "m3", "km²", "km2", "km", "mm", "cm", "m",
)  # fmt: skip
_TRIGGER_RE = re.compile(
    rf"(?P<num>{_NUM})[ \u3000]?"
    rf"(?:小时内?(?:累计|平均|面)?(?:降雨|降水|雨)量?[ \u3000]?将?(?:达到|达|超过|大于|在|为)?[ \u3000]?"
    rf"(?P<amt>{_NUM})[ \u3000]?(?P<mm>毫米|mm)"
    rf"|(?P<mult>[万亿])?(?P<unit>{_alternation(_TRIGGER_UNITS)}))"
    r"(?P<qual>[ \u3000]?(?:及|或|\(含\)|（含）)?以[ \u3000]?[上下]|以内)?"
    r"(?P<post>员?(?:死亡|重伤|受伤|失踪|遇难|被困|受困|中毒|伤亡|遇险))?"
)
_CMP_BEFORE = re.compile(r"(?:超过|超出|达到|达|不足|不到|低于|高于|大于|小于|多于|少于|≥|＞|>|≤|＜|<)[ \u3000]?$")
_TRIGGER_CONTEXT = re.compile(
    r"死亡|失踪|伤亡|受伤|重伤|轻伤|伤员|伤害|受灾|转移|安置|倒塌|损坏|降雨|降水|雨量|降雪|积雪|水位|流量|超警"
    r"|风力|大风|台风|风速|阵风|风暴|龙卷风|气温|温度|高温|低温"
    r"|影响|范围|中断|滞留|损失|面积|人口|人数|泄漏|泄露|受困|被困|遇险|中毒|积水|水深|缺水|饮水|震|疏散|撤离"
    r"|停电|停水|救助"
)
_LEVEL_CONTEXT = re.compile(r"风力|大风|台风|风速|阵风|风暴|级风|震|浪|烈度")
_HOUR_CONTEXT = re.compile(r"中断|滞留|持续|停电|停水|阻断|受阻|断电")
_CLAUSE_DELIMS = re.compile(r"[。；;！？!?\n，,ꎮꎻꎬ]")
_LATIN_UNITS = frozenset(("m³", "m3", "km²", "km2", "km", "mm", "cm", "m"))


def _clause(text: str, s: int, e: int, reach: int = 30) -> str:
    """The clause around [s, e): cut at sentence/clause punctuation, at most ``reach`` chars each side."""
    left = text[max(0, s - reach) : s]
    right = text[e : e + reach]
    cuts = list(_CLAUSE_DELIMS.finditer(left))
    if cuts:
        left = left[cuts[-1].end() :]
    cut = _CLAUSE_DELIMS.search(right)
    if cut:
        right = right[: cut.start()]
    return left + text[s:e] + right


def _trigger_unit_ok(text: str, m: re.Match[str], s: int, e: int, digits: str) -> bool:
    unit = m.group("unit")
    after_unit = text[m.end("unit") : m.end("unit") + 1]
    if (unit in _LATIN_UNITS or unit in ("%", "％")) and (digits[0] not in _DIGIT_CHARS or after_unit in _LATIN):
        return False  # 5mg, 0.9%NaCl
    clause = _clause(text, s, e)
    if unit == "级":
        return bool(_LEVEL_CONTEXT.search(clause))  # 一级响应, 二级公路 are not conditions
    if unit == "小时":
        qual = m.group("qual") or ""
        if qual == "以内" or text.startswith(("内", "之内"), m.end("unit")):
            return False  # a deadline, see time_limit
        return bool(_look_back(_CMP_BEFORE, text, s, 3) or qual.endswith("上") or _HOUR_CONTEXT.search(clause))
    return bool(_TRIGGER_CONTEXT.search(clause))


def extract_trigger_condition(text: str) -> tuple[Hit, ...]:
    """Quantitative conditions that can start a response or warning level.

    Accepts a number (Arabic, full-width or Chinese) with a unit (人, 户, 间, 万元/亿元, 毫米/mm, 米/m,
    立方米/m³, 公顷, 平方公里/km², 小时, 级, ℃/摄氏度, 公里/km, 万人, 头, %), optionally with
    超过/达到/不足 before and 以上/以下/及以上 after, counted only when its clause also names an impact
    (死亡, 失踪, 伤, 受灾, 转移, 安置, 倒塌, 损坏, 降雨, 雨量, 水位, 流量, 超警, 风, 气温, 影响, 范围, 中断,
    滞留, 损失, 面积, 人口, 泄漏, 受困, 被困 …).

    Examples: ``造成3人以上死亡``, ``死亡（含失踪）10人以上、30人以下`` (two hits), ``紧急转移安置10万人以上``,
    ``直接经济损失1亿元以上``, ``24小时降雨量达100毫米以上`` (one hit), ``超过警戒水位0.5米``,
    ``风力8级以上``, ``倒塌房屋三千间``, ``交通中断24小时以上``.

    Rejects: numbers without an impact word in the clause (``配备3人``), ``一级响应``, ``二级以上技术标准``
    (级 needs 风/震/浪), deadlines ``1小时内报告`` (小时 needs 超过/以上 or 中断/滞留/持续), years,
    dates, digits inside longer runs.

    ``value``: the number in Arabic digits with its unit: ``3人``, ``10万人``, ``0.5米``, ``8级``,
    ``24小时100毫米``. The quote includes a comparator written before the number (``超过24小时``).
    """
    hits: list[Hit] = []
    for m in _TRIGGER_RE.finditer(text):
        number = _number(text, m.start(), m.group("num"))
        if number is None:
            continue
        s, digits, amount = number
        e = m.end()
        cmp_before = _look_back(_CMP_BEFORE, text, s, 3)
        start = cmp_before.start() if cmp_before else s
        if m.group("amt"):
            rain = _decimal(m.group("amt"))
            if rain is not None:
                hits.append(_hit(text, start, e, f"{_fmt(amount)}小时{_fmt(rain)}毫米"))
            continue
        if _trigger_unit_ok(text, m, s, e, digits):
            hits.append(_hit(text, start, e, f"{_fmt(amount)}{m.group('mult') or ''}{m.group('unit')}"))
    return _merge(hits)


# --- quantity ---------------------------------------------------------------------------------

_QUANTITY_UNITS = (
    "万元", "元", "平方米", "㎡", "m²", "m2", "立方米", "m³", "m3", "千克", "公斤", "kg", "吨", "床位",
    "台", "辆", "艘", "套", "件", "个", "只", "顶", "张", "床", "箱", "桶", "袋", "米", "人", "名", "支",
    "把", "副", "双", "块", "瓶", "盏", "部", "处", "条", "根", "卷", "架", "具", "盒", "包", "座",
)  # fmt: skip
_QUANTITY_RE = re.compile(rf"(?P<num>{_NUM})[ \u3000\t]?(?P<unit>{_alternation(_QUANTITY_UNITS)})")
# Words that begin with a measure word (部门, 处置, 台风, 个月): the number is not a count of things.
_QUANTITY_NOT_NEXT = {
    "个": ("月", "工作日", "小时", "星期", "百分点", "方面", "环节", "阶段", "层次", "及以上", "以上"),
    "部": ("分", "门", "署", "位", "队", "委", "长", "件"),
    "处": ("置", "理", "于", "室", "长", "级", "分", "罚", "在"),
    "台": ("账", "阶", "湾", "站", "风"),
    "人": (
        "员", "民", "次", "口", "力", "身", "群", "为", "类", "工",
        "死亡", "受伤", "重伤", "失踪", "遇难", "伤亡", "被困", "中毒", "以上", "以下",
    ),
    "名": ("单", "称", "义", "册", "誉", "录", "词"),
    "件": ("事",),
    "支": ("持", "出", "援", "付", "撑"),
    "把": ("握", "关"),
    "副": (
        "总", "主", "组", "指", "局", "市", "县", "镇", "乡", "经", "厂", "院", "校", "站", "科", "处", "部",
        "书", "队", "区", "职",
    ),
    "双": ("方", "向", "重", "休", "岗", "边"),
    "条": ("款", "例", "件", "规", "第"),
    "根": ("据", "本", "源"),
    "张": ("贴",),
    "米": ("以上", "以下"),
    "座": ("谈",),
    "床": ("单",),
}  # fmt: skip
_QUANTITY_OK_NEXT = {"台": ("风机", "风扇")}
# In prose 两个坚持, 三个级别, 四个等级 count ideas; Chinese numerals count things only with these.
_CN_QUANTITY_UNITS = frozenset("台辆艘套顶箱桶袋吨支架具盏副双把瓶卷根盒包床")
_LATIN_QUANTITY_UNITS = frozenset(("kg", "m²", "m2", "m³", "m3"))
# Measure words that count things to be used (艘, 顶, 台…) stand alone; the others (人, 条, 处, 吨, 米,
# 元…) also count people, rivers, places, production and money, so they need a resource noun
# nearby: 抢险队30人 and 沙袋1.5吨 are resources, 河流共526条 and 在校学生1126人 are not.
_COUNT_UNITS = frozenset((
    "台", "辆", "艘", "套", "顶", "箱", "桶", "袋", "只", "床位", "床", "副", "双", "瓶", "盏", "卷", "架", "具",
    "盒", "包", "把", "件",
))  # fmt: skip
_RESOURCE_NOUN = re.compile(
    "物资|装备|器材|设备|器械|工具|车|船|舟|艇|泵|机|器|仪|灯|帐篷|被|床|衣|服|鞋|靴|帽|手套|口罩|面具|面罩|呼吸"
    "|救生|圈|袋|沙|砂|石料|块石|土工|料|绳|锹|镐|锯|斧|药|剂|粮|食品|饮用水|矿泉水|方便面|油|电话|对讲|担架|灭火"
    "|水带|水枪|钢管|桩|桶|箱|队|组员|队员|人员|民兵|力量|专家|医护|医生|护士|床位|病床|棚|编织|铜锣|手电|雨衣|喇叭"
    "|广播|发电|照明|电台|卫星|无人机|挖掘|装载|吊|舟桥|钢|木材|彩条布|篷布|毯|棉|物品|储备|仓库|储备库|库房|场所|干粉|泡沫|吸附"
    "|安置点|避难|资金|经费|预算|款|费"
)
_NOUN_REACH = 24
# People and money are resources too, but not supplies: flagged so a supplies rule can skip them.
_QUANTITY_KIND = {"人": "team", "名": "team", "支": "team", "元": "fund", "万元": "fund"}
_MATH_DOLLAR = re.compile(r"(?<!\\)\$")


def extract_quantity(text: str) -> tuple[Hit, ...]:
    """Resource quantities: a number with a measure word or unit for materials, teams and funds.

    Measure words that only count things (台, 辆, 艘, 套, 顶, 件, 箱, 袋, 床位…) stand alone; the others
    (人, 名, 条, 个, 处, 座, 米, 吨, 元, 平方米…) count only with a resource noun (物资, 队, 舟, 沙袋, 资金,
    场所…) in the same clause before the number or right after the measure word. A table row counts as
    one clause, and a tab may stand between number and measure word (``冲锋舟\t2\t艘``).

    Accepts: ``发电机3台``, ``冲锋舟2艘``, ``帐篷50顶``, ``救生衣200件``, ``沙袋5000条``, ``沙袋1.5吨``,
    ``砂石料50公斤``, ``干粉20kg``, ``麻绳100米``, ``抢险队30人``, ``队员20名``, ``救援队2支``,
    ``对讲机10部``, ``避难场所3处``, ``储备库2000平方米``, ``100床位``, ``救灾资金50万元``, ``两台``,
    ``１０辆``, ``3台风机``, ``冲锋舟\t2\t艘``.

    Rejects: ordinals (``第3个``), a lone ``一`` (``一个``, ``一部分``, ``一把手``), words that begin with
    a measure word (``3个月``, ``2部门``, ``1处置``, ``3台风``), casualty counts (``3人死亡``, ``10人以上``
    — see ``trigger_condition``), digits inside longer runs, counts of things that are not resources
    (``河流共526条``, ``在校学生1126人``, ``年产甲醇10万吨``), numbers inside ``$…$`` (LaTeX from a
    PDF→Markdown conversion).

    ``value``: Arabic number + unit: ``3台``, ``1.5吨``, ``50万元``. ``flag``: ``team`` for people and teams
    (人, 名, 支), ``fund`` for money (元, 万元), None for supplies and equipment.
    """
    hits: list[Hit] = []
    dollars = [m.start() for m in _MATH_DOLLAR.finditer(text)] if "$" in text else []
    for m in _QUANTITY_RE.finditer(text):
        number = _number(text, m.start(), m.group("num"))
        if number is None:
            continue
        s, digits, amount = number
        unit, e = m.group("unit"), m.end()
        if digits[0] not in _DIGIT_CHARS and (digits == "一" or unit not in _CN_QUANTITY_UNITS):
            continue
        if unit in _LATIN_QUANTITY_UNITS and (digits[0] not in _DIGIT_CHARS or text[e : e + 1] in _LATIN):
            continue
        if not text.startswith(_QUANTITY_OK_NEXT.get(unit, ()), e) and text.startswith(
            _QUANTITY_NOT_NEXT.get(unit, ()), e
        ):
            continue
        if dollars and sum(1 for d in dollars if d < s) % 2 == 1:
            continue  # inside $…$: LaTeX left by a PDF→Markdown conversion, not a count
        if unit not in _COUNT_UNITS and not _resource_nearby(text, s, e):
            continue
        hits.append(_hit(text, s, e, f"{_fmt(amount)}{unit}", _QUANTITY_KIND.get(unit)))
    return tuple(hits)


def _resource_nearby(text: str, s: int, e: int) -> bool:
    """A material, equipment, team or fund noun in the same clause before the number, or right after
    the measure word (2艘冲锋舟)."""
    lo = max(0, s - _NOUN_REACH)
    cut = max(text.rfind(c, lo, s) for c in "。；;\n")
    before = text[max(lo, cut + 1) : s]
    after = text[e : e + 8]
    return bool(_RESOURCE_NOUN.search(before) or _RESOURCE_NOUN.match(after))


# --- date -------------------------------------------------------------------------------------

_YEAR_CHAR = "[0-9０-９零〇○OＯ一二三四五六七八九]"
_CN_MONTH = "十[一二]?|[一二三四五六七八九]"
_CN_DAY = "[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
_SP = "[ \u3000]?"
_DATE_RE = re.compile(
    rf"(?P<y>{_YEAR_CHAR}{_YEAR_CHAR}{{3}})(?:"
    rf"{_SP}年(?:{_SP}(?P<m>{_D}{{1,2}}|{_CN_MONTH}){_SP}月(?:{_SP}(?P<d>{_D}{{1,2}}|{_CN_DAY}){_SP}[日号])?)?"
    rf"|(?P<sep>[-/.．／－])(?P<m2>{_D}{{1,2}})(?P=sep)(?P<d2>{_D}{{1,2}}))"
)


def _date_part(s: str | None) -> int | None:
    if s is None:
        return None
    d = _decimal(s)
    return None if d is None else int(d)


def _iso(year: int, month: int | None, day: int | None) -> str | None:
    """The ISO form of a date as precise as it was written, or None if no such date exists."""
    if not 1000 <= year <= 2999:
        return None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date_value(value: str | None) -> date | None:
    """A ``date`` hit's value (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) as a date; missing parts are 1."""
    if not value:
        return None
    parts = value.split("-")
    if len(parts) > 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    nums = [int(p) for p in parts] + [1] * (3 - len(parts))
    try:
        return date(nums[0], nums[1], nums[2])
    except ValueError:
        return None


def extract_date(text: str) -> tuple[Hit, ...]:
    """Calendar dates.

    Accepts: ``2023年5月1日``, ``2023年05月``, ``2023 年 5 月 1 日``, ``2023年``, ``二〇二三年五月一日``,
    ``二○二四年六月`` (〇, ○, 零 and the common typo O), ``2023年5月1号``, ``2023-05-01``, ``2023.5.1``,
    ``2023/5/1``, full-width digits.

    Rejects: impossible dates (``2023年2月30日``, ``2023-13-01``), mixed separators (``2023-5/1``),
    digit runs (``20230501``, ``120231``), clause numbers (``2023.5.1.2``), blanks (``年  月  日``),
    years outside 1000–2999, mixed-script years (``二0二四年``).

    ``value``: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` — as precise as written; see ``parse_date_value``.
    """
    hits: list[Hit] = []
    for m in _DATE_RE.finditer(text):
        s, e = m.span()
        prev = text[s - 1] if s > 0 else ""
        year = m.group("y")
        arabic = sum(1 for c in year if c in _DIGIT_CHARS)
        if arabic not in (0, 4) or prev in _DIGIT_CHARS or prev in _CN_DATE_DIGITS:
            continue
        if m.group("sep"):
            if not arabic or prev in _DOTS or _PHONE_TAIL_BAD.match(text, e):
                continue
            if text[e : e + 1] in _DATE_SEPS and text[e + 1 : e + 2] in _DIGIT_CHARS:
                continue  # 2023.5.1.2 is a clause number, not a date
            month, day = _date_part(m.group("m2")), _date_part(m.group("d2"))
        else:
            month, day = _date_part(m.group("m")), _date_part(m.group("d"))
        y = _date_part(year)
        value = None if y is None else _iso(y, month, day)
        if value is not None:
            hits.append(_hit(text, s, e, value))
    return tuple(hits)


# --- response_level ---------------------------------------------------------------------------

_ROMAN = {"Ⅰ": "1", "Ⅱ": "2", "Ⅲ": "3", "Ⅳ": "4", "I": "1", "II": "2", "III": "3", "IV": "4"}
_GRADE = {"特别重大": "1", "重大": "2", "较大": "3", "一般": "4"}
_COLOUR = {"红": "1", "橙": "2", "黄": "3", "蓝": "4"}
_LEVEL_NUMBER_RE = re.compile(
    r"(?P<lv>[ⅠⅡⅢⅣIV一二三四1-4１-４][IV]{0,2})[ \u3000]?级(?P<kind>(?:应急)?响应|预警)?"
)
_UNIT_LEVELS = ("公司级", "车间级", "班组级", "厂级", "部门级", "岗位级", "项目部级", "企业级", "集团级")
_WARNING_WORDS = ("预警信号", "预警", "警报")
# Flat literal alternatives (no named groups at the top), so ``re`` can skip ahead quickly.
_LEVEL_WORD_RE = re.compile(
    "特别重大|重大|较大|一般|"
    + "|".join(f"{c}色(?:{'|'.join(_WARNING_WORDS)})?" for c in _COLOUR)
    + "|"
    + "|".join(_UNIT_LEVELS)
)
_GRADE_LABEL = r"(?:[(（][ⅠⅡⅢⅣIV]{1,3}级[)）])?"
# 特别重大、重大、较大和一般四级: a list of grades may stand between a grade and the noun it qualifies.
_GRADE_NEXT = re.compile(
    rf"{_GRADE_LABEL}(?:[、和及或与](?:特别重大|重大|较大|一般){_GRADE_LABEL}){{0,4}}"
    r"[^，。；;、\n]{0,8}?(?:事件|事故|灾害|险情|灾情|级|等级|突发)"
)
_GRADE_NOT_NEXT = (
    "事故隐患", "危险源", "决策", "活动", "问题", "事项", "节", "影响", "损失", "变化", "意义", "舆情",
    "项目", "工程", "风险", "变更", "调整", "情况", "疾病", "传染", "来说", "不", "应", "为", "由", "是",
    "性", "要求", "规定", "可", "采用", "地", "会", "人员", "程序", "处置", "贡献", "分为", "安全",
)  # fmt: skip
_LEVEL_DIGITS = frozenset("一二三四1234１２３４")
_COLOUR_NEXT = re.compile(r"(?:级|等级|标识|信号)|[、，和及或与至](?:红色|橙色|黄色|蓝色)")


def _numbered_level(text: str, m: re.Match[str]) -> Hit | None:
    lv, kind = m.group("lv"), m.group("kind")
    s = m.start()
    prev = text[s - 1] if s > 0 else ""
    flag = "warning_level" if kind == "预警" else None
    if lv in _ROMAN:
        if prev in _LATIN:
            return None  # XP级, CIV级: a Latin word, not a roman numeral
        return _hit(text, s, m.end(), _ROMAN[lv], flag)
    if lv not in _LEVEL_DIGITS or kind is None:
        return None  # 一级公路, 二级以上技术标准: Chinese and Arabic levels need 响应/预警
    if prev in _DIGIT_CHARS or prev in _CN_NOT_AFTER:
        return None
    return _hit(text, s, m.end(), str(_decimal(lv)), flag)


def extract_response_level(text: str) -> tuple[Hit, ...]:
    """Response, event-grade, warning and enterprise level labels.

    Accepts (``flag=None``, response level): ``一级响应``, ``Ⅰ级响应``, ``I级应急响应``, ``一级应急响应``,
    ``四级响应``, ``Ⅳ级`` (a roman level stands alone); (``flag="warning_level"``): ``Ⅰ级预警``,
    ``红色预警``, ``橙色``/``黄色``/``蓝色`` in a warning list (``红色、橙色、黄色和蓝色预警``) or in brackets
    (``Ⅰ级（红色）``); (``flag="event_grade"``): ``特别重大``, ``重大``, ``较大``, ``一般`` before
    事件/事故/灾害/险情/级 (``较大突发事件``, ``一般（Ⅳ级）``); (``flag="unit_level"``): ``公司级``,
    ``车间级``, ``班组级``, ``厂级``, ``部门级``.

    Rejects: ``一级公路``, ``二级以上技术标准`` (Chinese or Arabic levels need 响应/预警 after),
    ``XP级`` (roman letters inside Latin words), ``重大危险源``, ``重大决策``, ``一般情况下``,
    ``红色警戒线`` (a colour needs 预警/警报/信号/级, a colour list or brackets).

    ``value``: ``"1"``..``"4"`` (1 = most severe); the word itself for unit levels.
    """
    hits: list[Hit] = []
    for m in _LEVEL_NUMBER_RE.finditer(text):
        hit = _numbered_level(text, m)
        if hit is not None:
            hits.append(hit)
    for m in _LEVEL_WORD_RE.finditer(text):
        s, e = m.span()
        word = m.group()
        if word in _GRADE:
            if word == "重大" and text.endswith("特别", 0, s):
                continue
            if text.startswith(_GRADE_NOT_NEXT, e) or not _GRADE_NEXT.match(text, e):
                continue
            hits.append(_hit(text, s, e, _GRADE[word], "event_grade"))
        elif word[0] in _COLOUR:
            prev = text[s - 1] if s > 0 else ""
            bracketed = prev in _OPEN_BRACKETS and text[e : e + 1] in _CLOSE_BRACKETS
            if len(word) > 2 or bracketed or _COLOUR_NEXT.match(text, e):
                hits.append(_hit(text, s, e, _COLOUR[word[0]], "warning_level"))
        else:
            hits.append(_hit(text, s, e, word, "unit_level"))
    return _merge(hits)


# --- role -------------------------------------------------------------------------------------

ROLE_WORDS = (
    "总指挥", "副总指挥", "指挥长", "副指挥长", "常务副指挥长", "组长", "副组长", "主任", "副主任", "成员",
    "负责人", "主要负责人", "联络员", "值班员", "值班长", "应急响应责任人", "网格员", "信息员", "安全员",
    "班长", "书记", "镇长", "副镇长", "乡长", "副乡长", "村长", "村主任", "村支书", "站长", "校长", "院长",
    "总经理", "副总经理", "厂长", "副厂长", "经理", "局长", "副局长", "区长", "县长", "市长", "副市长",
    "秘书长", "队长", "副队长",
)  # fmt: skip
_ROLE_RE = re.compile(_spaced(ROLE_WORDS))
_ORG_SUFFIX = frozenset("局委办部厅司站所队心店镇乡村道区组室院校厂间位门会府处科股团社")
_ROLE_BEFORE = re.compile(r"(?:由|任|担任|兼任|为|设|设立|设置|即|、|和|及|与)$")
_ROLE_AFTER = re.compile(r"[:：（(、，,]|由|任|担任|兼任|为|是|负责|职责|和|及|与|[ \u3000]")
_ROLE_NOT_NEXT = {"成员": ("单位", "国", "名单"), "主任": ("务",), "书记": ("员",), "经理": ("层",)}
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯"
    "纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉"
    "缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇"
    "桑郎甄丛仲虞敖巩明佘池查麻苑迟邝惠鞠冼揭荆於訾竺綦晋"
)
_COMPOUND_SURNAMES = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "长孙",
)  # fmt: skip
_NOT_A_NAME = re.compile(
    r"部门|单位|公司|中心|政府|应急|管理|指挥|电话|手机|办公|值班|负责|联系|成员|小组|人员|以上|以下"
)
_NAME_AFTER_ROLE = re.compile(r"[\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff])")


def _looks_like_name(s: str, *, in_list: bool = False) -> bool:
    """2–3 characters from a common surname (3–4 with a compound one), no role or unit word.

    ``in_list``: the item follows a name in a 、-separated list, so a rarer surname is accepted.
    """
    if not 2 <= len(s) <= 4 or s[-1] in _ORG_SUFFIX or _NOT_A_NAME.search(s):
        return False
    if any(w in s for w in ROLE_WORDS):
        return False
    if s.startswith(_COMPOUND_SURNAMES):
        return len(s) >= 3
    return (in_list or s[0] in _SURNAMES) and len(s) <= 3


def extract_role(text: str) -> tuple[Hit, ...]:
    """Responsible roles named in an organisation or duty statement.

    Accepts a role word (总指挥, 副总指挥, 指挥长, 组长, 主任, 成员, 负责人, 联络员, 值班员, 应急响应责任人,
    网格员, 信息员, 安全员, 班长, 书记, 镇长, 村主任, 站长, 校长, 院长, 总经理, 厂长, 经理 …), also spread out
    for alignment (``总 指 挥``), when an organisation precedes it (``办公室主任``, ``酒店总经理``), when it is
    being assigned (``由镇长任总指挥``, ``担任组长``), or when a colon, bracket, name or duty follows
    (``总指挥：张三（镇长）``, ``组长负责…``, ``总指挥张三``).

    Rejects: ``成员单位``, ``主任务``, ``书记员``, the shorter word inside a longer one (``副总指挥`` is one
    hit, not ``总指挥``), a bare mention (``请示总指挥后``; ``履行总指挥职责`` does count).

    ``value``: the role word.
    """
    hits: list[Hit] = []
    for m in _ROLE_RE.finditer(text):
        s, e = m.span()
        word = _COMPACT.sub("", m.group())
        if text.startswith(_ROLE_NOT_NEXT.get(word, ()), e):
            continue
        prev = text[s - 1] if s > 0 else ""
        ok = (
            prev in _ORG_SUFFIX
            or _look_back(_ROLE_BEFORE, text, s, 2)
            or _ROLE_AFTER.match(text, e)
            or e == len(text)
        )
        if not ok:
            name = _NAME_AFTER_ROLE.match(text, e)
            ok = bool(name and _looks_like_name(name.group()))
        if ok:
            hits.append(_hit(text, s, e, word))
    return tuple(hits)


# --- person_name ------------------------------------------------------------------------------

_COMPACT = re.compile(r"[ \u3000]+")
_NAME_LABEL_RE = re.compile(rf"(?:{_spaced(('姓名', '联系人', '组员', '队员', *ROLE_WORDS))})[:：][ \u3000]*")
# One name of a list; two-character names are often padded to three columns: 陈  凯.
_NAME_ITEM_RE = re.compile(r"[\u4e00-\u9fff](?:[ \u3000]{1,3}[\u4e00-\u9fff]|[\u4e00-\u9fff]{1,4})(?![\u4e00-\u9fff])")
_NAME_SEP_RE = re.compile(r"[ \u3000]*[、，,；;/][ \u3000]*")
_NAME_BEFORE_PHONE = re.compile(
    r"(?P<name>[\u4e00-\u9fff]{2,4})(?:电话|手机|联系电话|联系方式|座机|办公电话)?[:：]?[ \u3000\t（(]{0,3}$"
)
_NAME_PREFIX = re.compile(rf"(?:联系人|负责人|姓名|{_alternation(ROLE_WORDS)})")


def extract_person_name(text: str) -> tuple[Hit, ...]:
    """Chinese personal names written next to a role or a phone number.

    Accepts: ``总指挥：张三``, ``姓名：李四``, ``联系人：欧阳明``, ``张三 13800000000``,
    ``王五（0571-87654321）``, ``值班员赵六\t13912345678``, ``联系人张三13812345678``. A name is 2–3 CJK
    characters starting with a common surname (or 3–4 with a compound surname) and containing no role
    or unit word.

    Rejects: ``总指挥：由镇长担任`` (由 is no surname), ``总指挥：酒店总经理``, ``联系人：办公室``,
    ``应急管理局 0571-87654321`` (a unit), a name more than 12 characters before the phone.

    ``value``: the name.
    """
    return _extract_person_name(text, None)


def _extract_person_name(text: str, memo: dict[Any, Any] | None) -> tuple[Hit, ...]:
    """``extract_person_name``; with an audit's ``memo`` the phone numbers it starts from are shared."""
    hits: list[Hit] = []
    for m in _NAME_LABEL_RE.finditer(text):
        pos = m.end()
        for n in range(100):  # a label may introduce a list: 成员：张  静、王  玺、王雪莱
            item = _NAME_ITEM_RE.match(text, pos)
            name = _COMPACT.sub("", item.group()) if item else ""
            if item is None or not _looks_like_name(name, in_list=n > 0):
                break
            hits.append(_hit(text, item.start(), item.end(), name))
            sep = _NAME_SEP_RE.match(text, item.end())
            if sep is None:
                break
            pos = sep.end()
    for phone in extract_cached("phone", text, memo):
        if phone.value is not None and len(phone.value) <= 5:
            continue  # 拨打120: nobody's name stands before a service number
        before = _look_back(_NAME_BEFORE_PHONE, text, phone.start, 12)
        if not before:
            continue
        name, ns = before.group("name"), before.start("name")
        if ns > 0 and _CJK_RUN_CHAR.match(text, ns - 1):
            # the CJK run goes on to the left: accept it only after a label such as 联系人/总指挥
            run_start = ns
            while run_start > 0 and _CJK_RUN_CHAR.match(text, run_start - 1) and ns - run_start < 8:
                run_start -= 1
            labels = list(_NAME_PREFIX.finditer(text, run_start, before.end("name")))
            if not labels:
                continue
            ns = labels[-1].end()
            name = text[ns : before.end("name")]
        if _looks_like_name(name):
            hits.append(_hit(text, ns, ns + len(name), name))
    return _merge(hits)


# --- vague_duty -------------------------------------------------------------------------------

_GENERIC = (
    r"(?:相关|有关|各项|本职|其他|其它|配合|协助|应急|保障|服务|相应|具体|日常|一切|全部|行业|领域|协调|应对|管理"
    r"|的|等|、)"
)
_BY_DUTY = r"(?:单位|部门)按照各自职责"
_VAGUE_RE = re.compile(  # every alternative starts with a literal character (see module doc)
    r"负责(?:本单位|本部门|本系统|本行业|本领域|本级)?(?:职责|职能|管辖)范围内的?(?:相关|有关)?(?:工作|事项|应急工作)?"
    r"|按照(?:各自)?职责(?:分工)?[，,ꎬ ]{0,2}(?:做好|负责|开展|承担)?(?:相关|有关)工作"
    rf"|其[他它](?:相关|有关|成员)?{_BY_DUTY}|相关{_BY_DUTY}|有关{_BY_DUTY}|成员{_BY_DUTY}"
    r"|单位按照各自职责|部门按照各自职责"
    r"|完成[^，,。；;\n]{0,16}?交办的其他(?:工作|任务|事项)"
    r"|协助做好(?:相关|有关)?工作"
    r"|配合做好"
    rf"|做好{_GENERIC}{{0,6}}工作"
    # duties defined by reference to the unit's own remit: 按照职责分工组织协调指导本领域…工作
    r"|按照(?:各自)?职责(?:分工)?[^，,。；;\n]{0,12}(?:本领域|本行业|本系统|本部门|本地区|本辖区)[^，,。；;\n]{0,16}工作"
    r"|据其职责而定|根据(?:各自|其)?职责(?:分工)?(?:而定|确定)|依据(?:各自|其)?职责(?:分工)?(?:而定|确定)"
    r"|开展相应的?[\u4e00-\u9fff]{0,6}(?:工作|活动)"
)


def extract_vague_duty(text: str) -> tuple[Hit, ...]:
    """Duty phrasing that assigns nothing checkable.

    Accepts: ``负责职责范围内的相关工作``, ``负责本部门职责范围内的``, ``按照职责分工做好相关工作``,
    ``其他相关单位按照各自职责``, ``完成领导交办的其他任务``, ``完成市公路交通应急指挥部交办的其他工作``,
    ``协助做好相关工作``, ``配合做好``,
    ``做好相关工作``, ``做好有关工作``, ``做好各项工作``, ``做好本职工作``, ``做好应急保障工作``,
    ``做好相关行业领域协调、配合工作``, ``按照职责分工组织协调指导本领域突发事件应对管理工作``,
    ``各协作部门的应急任务分工据其职责而定``, ``开展相应的抢险救援活动``.

    Rejects: a concrete task between 做好 and 工作 (``做好人员疏散工作``, ``做好伤员救治工作``: the brief
    allowed "≤ 4 characters or only generic words"; only generic words are flagged here, because
    ``做好疏散工作`` names a duty a reviewer can check), ``负责现场警戒``, ``按照职责分工负责交通管制``.

    ``value``: the phrase.
    """
    return tuple(_hit(text, m.start(), m.end(), m.group()) for m in _VAGUE_RE.finditer(text))


# --- slogan -----------------------------------------------------------------------------------

_SLOGAN_RE = re.compile(
    r"迅速[、，, ]?科学[、，, ]?有序|全力以赴|最大限度|高度重视|切实加强|及时有效|积极配合|切实做好|认真做好"
    r"|全力做好|万无一失|严防死守|常抓不懈|高度警惕"
)
_SLOGAN_SEPS = re.compile(r"[、，, ]")


def extract_slogan(text: str) -> tuple[Hit, ...]:
    """Slogans that stand in for measures (the engine decides whether a paragraph is slogan-only).

    Accepts: ``迅速、科学、有序``, ``迅速科学有序``, ``全力以赴``, ``最大限度``, ``高度重视``, ``切实加强``,
    ``及时有效``, ``积极配合``, ``切实做好``, ``认真做好``, ``万无一失``, ``严防死守``.

    Rejects: concrete wording that shares characters (``迅速撤离``, ``科学救援``, ``有效期``,
    ``积极参加演练``, ``最大风速``).

    ``value``: the slogan without separators (``迅速科学有序``).
    """
    return tuple(
        _hit(text, m.start(), m.end(), _SLOGAN_SEPS.sub("", m.group())) for m in _SLOGAN_RE.finditer(text)
    )


# --- action_step ------------------------------------------------------------------------------

ACTION_VERBS = (
    "发现", "报告", "报警", "切断", "关闭", "停止", "疏散", "撤离", "启动", "组织", "通知", "设置", "封锁",
    "救护", "抢救", "使用", "佩戴", "检查", "确认", "核实", "汇报", "隔离", "转移", "引导", "清点", "拨打",
    "开启", "打开", "拉闸", "断开", "上报", "联系", "协助", "配合", "监测", "巡查", "处置", "扑救", "堵漏",
    "稀释", "包扎", "送医", "安置", "警戒", "划定", "调集", "赶赴", "到达", "查明", "恢复", "记录", "保护",
    "撤出",
)  # fmt: skip
_STEP_MARK = (
    rf"(?:{_D}{{1,2}}[.．、)）](?![0-9０-９])|[(（]{_D}{{1,2}}[)）]|[(（][一二三四五六七八九十]{{1,3}}[)）]"
    r"|[一二三四五六七八九十]{1,3}、|[①-⑳]"
    rf"|第[一二三四五六七八九十0-9０-９]{{1,3}}步[:：]?|步骤[0-9０-９一二三四五六七八九十]{{1,2}}[:：.．、]?)"
)
_ADVERB = r"(?:立即|迅速|及时|马上|首先|随后|然后|同时|应当|应|须|必须|要|并)"
_STEP_BODY = (
    rf"[ \t\u3000]*(?P<mark>{_STEP_MARK})[ \t\u3000]*(?:(?P<adverb>{_ADVERB})[ \t\u3000]?)?"
    rf"(?P<verb>{_alternation(ACTION_VERBS)})(?P<rest>[^\n。；;]{{0,60}})"
)
# A step begins a line or follows 。；：— starting the pattern at that character keeps it fast.
_ACTION_RE = re.compile(rf"[\n。；;：:]{_STEP_BODY}")
_ACTION_AT_START_RE = re.compile(_STEP_BODY)
_HEADING_TAIL = re.compile(
    r"[^\n，,。；;、]{0,8}(?:体系|机构|程序|原则|条件|职责|流程|要求|范围|分工|机制|制度|方案|预案|管理|工作|措施|保障"
    r"|标准|调整|行动)[ \t\u3000]*[:：]?[ \t\u3000]*"
)
# 监测及预警, 启动与调整, 组织指挥体系及职责. 15 (a contents line): a topic, not a step.
_HEADING_JOINED = re.compile(r"[^\n，,。；;：:]{0,12}[及与][^\n，,。；;：:]{0,12}")
# 警戒疏散组迅速开启…, 恢复重建小组：由… — the verb is part of a team's name.
_TEAM_NAME = re.compile(r"[\u4e00-\u9fff]{0,6}?(?:小组|组)(?:[:：（(]|由|负责|迅速|立即|要|应|在|按)")


def extract_action_step(text: str) -> tuple[Hit, ...]:
    """Numbered action steps that start with a verb.

    Accepts: ``1. 发现火情后立即报告值班室``, ``（2）切断电源``, ``①关闭阀门``, ``第一步：拨打119``,
    ``三、组织人员疏散``, ``（3）立即启动应急预案`` (an adverb may come before the verb); a step begins a
    line or follows 。；：.

    Rejects: steps that begin with a noun (``1. 值班室接到报告后…``), clause numbers (``4.1 启动条件``),
    numbered headings that name a topic (``（一）组织指挥体系``, ``3. 处置程序``), numbers inside a
    sentence (``共3、组织``).

    ``value``: the verb. ``quote``: the step from its number to the end of the clause (at most 60
    characters after the verb).
    """
    hits: list[Hit] = []
    first = _ACTION_AT_START_RE.match(text)
    matches = [first] if first else []
    matches.extend(_ACTION_RE.finditer(text))
    for m in matches:
        verb_and_rest = m.group("verb") + m.group("rest")
        if not m.group("adverb") and (
            _HEADING_TAIL.fullmatch(verb_and_rest)
            or _HEADING_JOINED.fullmatch(verb_and_rest.rstrip(" .．0-9\t"))
            or _TEAM_NAME.match(verb_and_rest)
        ):
            continue  # a numbered topic (heading, contents line) or a team's name, not a step
        hits.append(_hit(text, m.start("mark"), m.end(), m.group("verb")))
    return _merge(hits)


# --- registry ---------------------------------------------------------------------------------

EXTRACTORS: Mapping[str, Extractor] = MappingProxyType(
    {
        "phone": extract_phone,
        "placeholder_phone": extract_placeholder_phone,
        "placeholder": extract_placeholder,
        "time_limit": extract_time_limit,
        "trigger_condition": extract_trigger_condition,
        "quantity": extract_quantity,
        "date": extract_date,
        "response_level": extract_response_level,
        "role": extract_role,
        "person_name": extract_person_name,
        "vague_duty": extract_vague_duty,
        "slogan": extract_slogan,
        "action_step": extract_action_step,
    }
)


# What a text must contain for an extractor to find anything in it: every hit comes from a match
# of a pattern that needs a match of one of these (a phone number has three digits in a row; a
# response level has 级 or a grade or colour word; a placeholder phone has a mask character, seven
# digits in a row, an area code and a dash, or a label and a colon). Most paragraphs contain none,
# and these few searches cost less than the extractor's own work (each has fixed costs per call:
# several scans, a merge). Each trigger matches inside one line and looks at nothing around its
# match, so searching the newline-joined paragraphs of a document finds exactly the paragraphs
# that contain one.
_TRIGGERS: Mapping[str, tuple[re.Pattern[str], ...]] = MappingProxyType(
    {
        "phone": (re.compile(r"[0-9０-９]{3}"),),
        "placeholder_phone": (
            re.compile(f"[{_MASK}]"),
            re.compile(r"[0-9０-９]{7}"),
            re.compile(r"[0０][0-9０-９]{2,3}[)）]?[-－—–]"),
            re.compile(r"(?:电话|手机|号码|联系方式|热线|传真|Tel|TEL|tel)(?:号码)?[:：]"),
        ),
        "placeholder": (
            re.compile(r"年[ \u3000_＿(（]"),
            re.compile(r"([XxＸｘ×某＊□〇○_＿])\1"),
            re.compile(  # a fill-in hint inside brackets
                r"[（(\[【［][^（）()\[\]【】［］\n]{0,24}?"
                r"(?:填写|填入|填报|请填|待填|根据实际|按实际|结合实际|视实际|待定|待补充|待完善|此处|名称|全称|姓名)"
            ),
            # two patterns led by one literal each: re skips to a literal far faster than to a class
            re.compile(r":[ \u3000_＿]{3}"),
            re.compile(r"：[ \u3000_＿]{3}"),
        ),
        "response_level": (re.compile("级|重大|较大|一般|红色|橙色|黄色|蓝色"),),
        "vague_duty": (_VAGUE_RE,),  # every hit is a match of it
    }
)


# Triggers that match only texts another extractor's trigger matches: both digit triggers of
# placeholder_phone hold three digits in a row, the phone trigger. A check scanning all paragraphs
# for them needs to look only in the paragraphs the phone trigger found.
_TRIGGERS_WITHIN: Mapping[str, tuple[str | None, ...]] = MappingProxyType(
    {"placeholder_phone": (None, "phone", "phone", None)}
)


def extractor_trigger_scopes(name: str) -> tuple[str | None, ...]:
    """For each of ``extractor_triggers(name)``: the extractor whose triggers match every text it
    matches (None: not known)."""
    return _TRIGGERS_WITHIN.get(name) or (None,) * len(_TRIGGERS.get(name, ()))


def extractor_triggers(name: str) -> tuple[re.Pattern[str], ...]:
    """Patterns one of which a text must match for ``extract(name, text)`` to find anything
    (empty: none known). None spans a newline or depends on anything outside its match."""
    return _TRIGGERS.get(name, ())


def extract(name: str, text: str) -> tuple[Hit, ...]:
    """Run the extractor called ``name`` over ``text``; ``KeyError`` for an unknown name."""
    try:
        fn = EXTRACTORS[name]
    except KeyError:
        raise KeyError(f"未知的提取器：{name}（可用：{'、'.join(EXTRACTORS)}）") from None
    triggers = _TRIGGERS.get(name)
    if triggers is not None and not any(t.search(text) for t in triggers):
        return ()
    return fn(text)


# Extractors that build on another extractor's hits, shared through the audit's memo.
_SHARING: Mapping[str, Callable[[str, dict[Any, Any]], tuple[Hit, ...]]] = MappingProxyType(
    {"person_name": _extract_person_name}
)


def extract_cached(name: str, text: str, memo: dict[Any, Any] | None) -> tuple[Hit, ...]:
    """``extract(name, text)`` shared across one audit through ``memo`` (``Context.memo``).

    The layout is the one ``extract:`` rules use (``memo[("extract", name)]`` maps a text to its
    hits), so rules and checks that look at the same paragraph, table row or sentence run each
    extractor on it once. ``memo=None`` (the reference path) is the plain call, nothing reused.
    """
    if memo is None:
        return extract(name, text)
    cache = memo.get(("extract", name))
    if cache is None:
        cache = memo[("extract", name)] = {}
    hits: tuple[Hit, ...] | None = cache.get(text)
    if hits is None:
        sharing = _SHARING.get(name)
        hits = cache[text] = sharing(text, memo) if sharing is not None else extract(name, text)
    return hits
