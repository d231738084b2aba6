"""Heading number grammars used in Chinese plans, and text normalisation they rely on.

Every grammar yields a :class:`Label` with a *scheme* key; ``outline`` turns scheme keys into
levels. The canonical ranks follow 公文 practice (《党政机关公文格式》: 一、 > （一） > 1. > （1）),
with chapters above them and the decimal scheme of GB/T 1.1-style plans beside them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = "〇零一二三四五六七八九"
_CN_VALUES = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Canonical depth of each scheme; lower is closer to the root. dec{n} ranks by its depth.
SCHEME_RANK: dict[str, float] = {
    "part": 0,
    "chapter": 1,
    "jie": 2,
    "cn": 4,
    "cn_paren": 5,
    "dec1": 6,
    "ar": 6,
    "dec2": 7,
    "dec3": 8,
    "dec4": 9,
    "dec5": 9.5,
    "ar_paren": 10,
    "ar_half": 10.5,
    "circled": 11,
    "tiao": 3,
    "ar_dot": 9.8,
    # list schemes that appear inside decimal sections (see outline._sink_lists_below_decimal)
    "sub_cn": 9.6,
    "sub_cn_paren": 9.7,
    "sub_ar_dot": 9.8,
    "sub_ar_paren": 10,
    "sub_ar_half": 10.5,
    "sub_circled": 11,
}
STRUCTURAL = frozenset({"part", "chapter", "jie", "cn", "dec1", "dec2", "dec3", "dec4", "dec5", "annex"})

_CN_NUMERALS = "一二三四五六七八九十百〇零两"
_CN_NUM = f"[{_CN_NUMERALS}]{{1,4}}"
_FW_TABLE = str.maketrans("０１２３４５６７８９．", "0123456789.")

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(rf"^(第(?P<v>{_CN_NUM}|\d{{1,2}})部分)\s*")),
    ("chapter", re.compile(rf"^(第(?P<v>{_CN_NUM}|\d{{1,2}})章)\s*")),
    ("jie", re.compile(rf"^(第(?P<v>{_CN_NUM}|\d{{1,2}})节)\s*")),
    ("tiao", re.compile(rf"^(第(?P<v>{_CN_NUM}|\d{{1,3}})条)\s*")),
    ("annex", re.compile(r"^(附\s*件\s*(?P<v>\d{1,2}|[一二三四五六七八九十]{1,3})?)(?:[：:、.．\s-]+|$)")),
    ("cn_paren", re.compile(rf"^([（(](?P<v>{_CN_NUM})[）)])\s*")),
    ("cn", re.compile(rf"^((?P<v>{_CN_NUM})\s*[、.．])\s*")),
    ("dec", re.compile(r"^((?P<v>\d{1,2}(?:\s*[.．]\s*\d{1,2}){1,4})[.．、]?)(?=\s*[^\d.．%％])\s*")),
    ("ar_paren", re.compile(r"^([（(](?P<v>\d{1,2})[）)])\s*")),
    ("ar_half", re.compile(r"^((?P<v>\d{1,2})[）)])\s*")),
    ("ar", re.compile(r"^((?P<v>\d{1,2})(?:[.．、]|\s+))(?=\s*[^\d\s.．%％])\s*")),
    ("ar_bare", re.compile(r"^((?P<v>\d{1,2}))(?=[\u4e00-\u9fff])")),
    ("circled", re.compile(rf"^((?P<v>[{_CIRCLED}]))\s*")),
)
# Words that follow a bare number in body text ("24小时", "3人以上"): never a heading number.
_UNIT_AFTER = re.compile(
    r"^\d{1,2}\s*(?:小时|分钟|个(?!人)|人(?![员民口])|名|年|月|日(?!常)|天|级|米|度|家|户|处|次|倍|万|千|百|亿|元|台|辆|条(?!件)|"
    r"项|类|支|座|所|批|周|号)"
)


@dataclass(frozen=True, slots=True)
class Label:
    scheme: str  # part | chapter | jie | tiao | annex | cn | cn_paren | dec{n} | ar | ar_paren | ...
    number: str  # the label as written, e.g. "一、", "（一）", "1.1", "第四章"
    value: int  # numeric value of the last component (1 for "附件" without a number)
    title: str  # the rest of the line


def cn_to_int(text: str) -> int:
    """Chinese numerals up to the thousands: 十一 → 11, 二十 → 20, 一百零五 → 105."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_VALUES:
            current = _CN_VALUES[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return total + current


_OCR_DOT = re.compile(r"(?<=\d)\s*(?:\?\?|ꎮ|．|[\ue000-\uf8ff])\s*(?=\d)")
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff、（）])[ \t\u3000]+(?=[\u4e00-\u9fff（）])")
_WS = re.compile(r"[ \t\u3000\xa0]+")
_OCR_PUNCT = str.maketrans({"ꎬ": "，", "ꎮ": "。", "ꎻ": "；", "ꎯ": "：", "ꎳ": "、", "ꎼ": "（", "ꎽ": "）"})


# OCR reads the digit 1 after "3." as a letter: "3.l 监测预报"
_OCR_ONE = re.compile(r"(?<=^\d[.．])[lI](?=\s|[\u4e00-\u9fff])|(?<=^\d\d[.．])[lI](?=\s|[\u4e00-\u9fff])")
_LOST_DOT = re.compile(r"^(\d{1,2}) {1,3}(\d{1,2}) (?=[\u4e00-\u9fff])")


# What any step of normalize_line below could act on (a superset: a false alarm only costs the
# slow path). Lines without it, nearly all of them, come out stripped and otherwise unchanged, and
# the full sequence (a per-character translate and four substitutions) is what outline building
# spent most of its time on.
_DAMAGE_CHAR = re.compile(r"[ꎬꎮꎻꎯꎳꎼꎽ\r\n\t\u3000\xa0．\ue000-\uf8ff]")


def normalize_line(text: str) -> str:
    """Collapse whitespace and undo common PDF→text damage (``1?? 1`` or ``1  1`` for ``1.1``,
    ``ꎬ`` for ``，``)."""
    # a damaged character, a double space, "??", or a leading digit (_OCR_ONE and _LOST_DOT only act
    # on a line that starts with one); substring tests find the pairs faster than a regex alternation
    if (
        _DAMAGE_CHAR.search(text) is None
        and "  " not in text
        and "??" not in text
        and not text.lstrip()[:1].isdecimal()
    ):
        return text.strip()
    return _repair(text)


# What each step of _repair needs before it can change anything. A line starting with a digit or
# indented with full-width spaces (a third of a plan's lines) comes here and rarely needs more than
# the whitespace step; translate() looks every character up, and a substitution costs its call even
# when nothing matches (one with group references in its template, several times more).
_OCR_PUNCT_CHAR = re.compile("[ꎬꎮꎻꎯꎳꎼꎽ]")
_OCR_DOT_HINT = re.compile(r"\?\?|[ꎮ．\ue000-\uf8ff]")
_OCR_ONE_HINT = re.compile(r"\d\d?[.．][lI]")  # _OCR_ONE's lookbehinds pin it to these two places


def _repair(text: str) -> str:
    """``normalize_line`` the long way."""
    if _OCR_PUNCT_CHAR.search(text) is not None:
        text = text.translate(_OCR_PUNCT)
    text = text.replace("\r", "").replace("\n", " ")
    if _OCR_DOT_HINT.search(text) is not None:
        text = _OCR_DOT.sub(".", text)
    if _OCR_ONE_HINT.match(text) is not None:
        text = _OCR_ONE.sub("1", text)
    text = _WS.sub(" ", text).strip()
    if _LOST_DOT.match(text) is None:  # anchored at the start: matches there or nowhere
        return text
    return _LOST_DOT.sub(r"\1.\2 ", text)


def compact(text: str) -> str:
    """Remove spaces between CJK characters ("工 作 组" → "工作组"), for titles and matching."""
    return _CJK_SPACE.sub("", text).strip()


_DEC_SEP = re.compile(r"\s*[.．]\s*")
_ANNEX_TITLE = re.compile(r"^[\u4e00-\u9fff《（(A-Za-z]")

# The first character every pattern in _PATTERNS can start with: most lines are body text and
# fail here, instead of trying all thirteen patterns.
_LABEL_START = re.compile(rf"[第附（({_CN_NUMERALS}{_CIRCLED[0]}-{_CIRCLED[-1]}]|\d")


def parse_label(text: str) -> Label | None:
    """Split a leading heading number off ``text``; None when the line does not start with one."""
    s = text.lstrip()
    if _LABEL_START.match(s) is None:
        return None
    return _match_label(s)


def _match_label(s: str) -> Label | None:
    """``parse_label`` on a left-stripped line, trying every grammar."""
    for scheme, pattern in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        rest = s[m.end():].strip()
        raw_v = m.group("v") or "1"
        number = m.group(1).strip()
        if scheme == "dec":
            parts = _DEC_SEP.split(raw_v.translate(_FW_TABLE))
            if any(int(p) == 0 for p in parts[:1]) or len(parts) > 5:
                continue
            return Label(f"dec{len(parts)}", ".".join(parts), int(parts[-1]), rest)
        if scheme in ("ar", "ar_bare") and (_UNIT_AFTER.match(s) or int(raw_v) == 0):
            continue
        if scheme == "annex" and rest and not _ANNEX_TITLE.match(rest):
            continue
        value = _CIRCLED.index(raw_v) + 1 if scheme == "circled" else cn_to_int(raw_v)
        return Label(scheme, number, value, rest)
    return None
