"""Title, issuer and issue date of a plan, from its cover, release notice or signature.

Plans announce these in a few fixed places: the cover (title, issuing body, "二〇二四年六月"),
a release notice ("关于印发《……》的通知"), or the signature block at the end. File metadata
(core.xml, PDF info) is a fallback only: it usually holds the template's or the typist's values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from yjplan.model import Section
from yjplan.parse.numbering import normalize_line, parse_label
from yjplan.parse.raw import RawDocument

_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_DATE_AR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
_DATE_CN = re.compile(
    r"([一二三四五六七八九〇○零ＯO]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月(?:\s*([一二三四五六七八九十]{1,3})\s*日)?"
)
_DATE_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_NOTICE_TITLE = re.compile(r"印发\s*《?(?P<t>[^《》]{4,60}?预案)》?\s*的?通知")
_QUOTED_PLAN = re.compile(r"《(?P<t>[^《》]{4,60}预案[^《》]{0,8})》")
_ISSUER = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,40}(?:人民政府(?:办公厅|办公室)?|委员会|管理局|管理部|办公室|办公厅|指挥部|公司|集团|"
    r"有限公司|医院|学校|大学|中学|小学|村民委员会|居民委员会|街道办事处|(?:乡|镇)人民政府|厅|局|部|署|院)$"
)
_PLAN_WORD = re.compile(r"预案|处置方案|处置卡|应急方案|工作手册|明白卡")
_OWNER = re.compile(r"省|市|县|镇|乡|村|街道|社区|公司|集团|局|委员会|厂|医院|学校|国家|国务院")
_END = ("。", "：", ":", "，", "；", "、")
_REPLACED = re.compile(r"废止|同时失效|不再执行")
_RELEASE = re.compile(r"(印发|发布|施行|实施|修订|制定)")


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str | None
    issuer: str | None
    issue_date: date | None


def _cn_small(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGIT.get(text[1], 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGIT.get(tens, 0) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)
    return _CN_DIGIT.get(text, 0)


def find_dates(text: str) -> list[date]:
    """Every plausible calendar date in ``text`` (day 1 when only year and month are given)."""
    out: list[date] = []
    for m in _DATE_AR.finditer(text):
        out.extend(_safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)))
    for m in _DATE_CN.finditer(text):
        year = int("".join(str(_CN_DIGIT.get(c, 0)) for c in m.group(1)))
        out.extend(_safe_date(year, _cn_small(m.group(2)), _cn_small(m.group(3)) if m.group(3) else 1))
    for m in _DATE_ISO.finditer(text):
        out.extend(_safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    return out


def _safe_date(y: int, m: int, d: int) -> list[date]:
    try:
        value = date(y, m, d)
    except ValueError:
        return []
    return [value] if 1949 <= y <= 2100 else []


def detect_metadata(raw: RawDocument, root: Section) -> Metadata:
    # Only the first 40 and last 25 body lines are ever looked at: normalise just those.
    body = [b.text for b in raw.blocks if b.table is None and not b.in_toc and b.text.strip()]
    head = [normalize_line(text) for text in body[:40]]
    tail = [normalize_line(text) for text in body[-25:]]

    title = None
    for line in head[:20]:
        m = _NOTICE_TITLE.search(line)
        if m:
            title = m.group("t").strip("《》 ")
            break
    if title is None:
        previous = ""
        for line in head:
            compact_line = line.replace(" ", "")
            if re.match(r"^[^：:]{1,12}[：:]", compact_line) or parse_label(line) is not None:
                continue  # "应急预案编号：XLDDJD-01" is a cover field, "1.6应急预案体系" a heading
            if _PLAN_WORD.search(compact_line) and len(compact_line) <= 60 and not compact_line.endswith(_END):
                q = _QUOTED_PLAN.search(compact_line)
                title = q.group("t") if q else compact_line
                # covers often set the unit on its own line above "储罐区泄漏现场处置方案"
                if not _OWNER.search(title) and _ISSUER.match(previous):
                    title = previous + title
                break
            previous = compact_line
    if title is None and raw.meta_title and len(raw.meta_title) <= 80:
        title = raw.meta_title.strip()
    if title is None and root.children:
        title = None

    issuer = None
    for line in head[:15] + tail:
        compact_line = line.replace(" ", "")
        if _ISSUER.match(compact_line) and "预案" not in compact_line and "：" not in compact_line:
            issuer = compact_line
            break

    # A bare date line (cover or signature: "国务院办公厅二○○九年十二月十一日") first; then a line
    # that says the plan was issued — but not "2008年印发的《……（试行）》同时废止", which dates the
    # plan being replaced.
    candidates = [line.replace(" ", "") for line in head + tail]
    dated = [(c, dates) for c in candidates if (dates := find_dates(c))]  # each line's dates, found once
    bare = [dates for c, dates in dated if len(c) <= 24]
    released = [dates for c, dates in dated if _RELEASE.search(c) and not _REPLACED.search(c)]
    first = next(iter(bare or released), None)
    issue_date = max(first) if first else None
    # File metadata dates (core.xml, PDF info) record when a file was saved or uploaded, not
    # when the plan was issued: reporting them as the issue date would mislead the age checks.
    return Metadata(title, issuer, issue_date)
