"""Named checks: evidence that needs more than a pattern (comparison across paragraphs, dates,
pack data). Each is a pure function (units, context, options) → spans; rules name them with
``check: <name>``. Data such as superseded documents lives in the pack, never here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from yjplan.match.evidence import Context
from yjplan.match.units import Found, Unit

CheckFn = Callable[[list[Unit], Context, dict[str, Any]], tuple[Found, ...]]
_NORM = re.compile(r"[\s　，,。.、；;：:（）()“”\"'\d一二三四五六七八九十]+")


def _hits(name: str, units: list[Unit], kinds: tuple[str, ...] = ("paragraph", "list_item", "table")):
    from yjplan.match.extract import extract

    for i, u in enumerate(units):
        if u.kind in kinds:
            for h in extract(name, u.text):
                yield i, h


def vague_duties(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    return tuple(Found(i, h.start, h.end, "vague_duty", value=h.value) for i, h in _hits("vague_duty", units))


def copied_duties(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Duty sentences repeated word for word under different units/groups."""
    min_len = int(opts.get("min_chars", 14))
    first_seen: dict[str, tuple[int, tuple[str, ...]]] = {}
    out: list[Found] = []
    for i, u in enumerate(units):
        if u.kind not in ("paragraph", "list_item"):
            continue
        for sentence_match in re.finditer(r"[^。；;\n]+[。；;]?", u.text):
            sentence = sentence_match.group(0)
            key = _NORM.sub("", sentence)
            # drop the unit name in "县水利局：负责……" so only the duty itself is compared
            key = key.split("负责", 1)[-1] if "负责" in key[:16] else key
            if len(key) < min_len:
                continue
            owner = (*u.section_path, u.text[:6])
            if key in first_seen and first_seen[key][1] != owner:
                out.append(Found(i, sentence_match.start(), sentence_match.end(), "copied_duty",
                                 note="与前文职责逐字相同"))
            else:
                first_seen.setdefault(key, (i, owner))
    return tuple(out)


_LEVEL_LABEL = re.compile(r"([一二三四ⅠⅡⅢⅣIV1-4]{1,3})\s*级(应急)?响应")
_GRADE_ONLY = re.compile(r"(特别重大|重大|较大|一般)(突发事件|事件|事故|灾害|险情|灾情)")


def restated_grades(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Response levels defined only by restating the event grade ("发生重大事件时启动Ⅱ级响应")."""
    from yjplan.match.extract import extract

    out: list[Found] = []
    for i, u in enumerate(units):
        if u.kind == "heading":
            continue
        for sentence in re.finditer(r"[^。；;\n]+", u.text):
            s = sentence.group(0)
            if not _LEVEL_LABEL.search(s) or not _GRADE_ONLY.search(s):
                continue
            if extract("trigger_condition", s) or len(s) > 90:
                continue
            out.append(Found(i, sentence.start(), sentence.end(), "restated_grade",
                             note="响应级别只对应事件等级，未写启动条件"))
    return tuple(out)


def issue_date(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Evidence of the plan's date: the line of the document that states it."""
    from yjplan.parse.meta import find_dates

    when = ctx.doc.issue_date
    if when is None:
        return ()
    for i, u in enumerate(units):
        if u.kind != "table" and when in find_dates(u.text.replace(" ", "")):
            return (Found(i, 0, len(u.text), "date", value=when.isoformat()),)
    return ()


def _years_between(earlier: date, later: date) -> float:
    return (later - earlier).days / 365.25


def stale_plan(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    years = float(opts.get("years", 3))
    when = ctx.doc.issue_date
    if when is None or _years_between(when, ctx.today) <= years:
        return ()
    found = issue_date(units, ctx, opts)
    note = f"预案日期 {when.isoformat()}，距今已超过 {years:g} 年"
    if found:
        f = found[0]
        return (Found(f.unit, f.start, f.end, "stale", note=note, value=when.isoformat()),)
    return (Found(0, 0, min(len(units[0].text), 40) if units else 0, "stale", note=note),) if units else ()


def _effective(entry: Mapping[str, Any]) -> date | None:
    value = entry.get("effective")
    return value if isinstance(value, date) else None


def _table_matches(units: list[Unit], ctx: Context, table: str) -> tuple[Found, ...]:
    import regex

    entries = ctx.data_get(table) or []
    grace = 183  # days: plans drafted just before a replacement took effect are not flagged
    out: list[Found] = []
    for entry in entries:
        eff = _effective(entry)
        if eff is not None and ctx.doc.issue_date is not None and (ctx.doc.issue_date - eff).days < grace:
            continue
        pattern = regex.compile(entry["pattern"])
        for i, u in enumerate(units):
            for m in pattern.finditer(u.text, timeout=ctx.regex_timeout):
                note = f"应改为：{entry['replaced_by']}" if entry.get("replaced_by") else entry.get("note")
                out.append(Found(i, m.start(), m.end(), table, note=note, value=m.group(0)))
                break
    return tuple(out)


def outdated_refs(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    return _table_matches(units, ctx, "outdated")


def obsolete_orgs(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    return _table_matches(units, ctx, "obsolete_orgs")


def placeholders(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    out = [Found(i, h.start, h.end, "placeholder", note="模板占位符", value=h.quote)
           for i, h in _hits("placeholder", units, ("paragraph", "list_item", "table", "heading"))]
    out += [Found(i, h.start, h.end, "placeholder_phone", note="占位电话", value=h.quote)
            for i, h in _hits("placeholder_phone", units)]
    out.sort(key=lambda f: (f.unit, f.start))
    return tuple(out)


def invalid_phones(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    return tuple(Found(i, h.start, h.end, "phone", note="号码无效", value=h.value)
                 for i, h in _hits("phone", units) if h.flag == "invalid")


# A table cell holding only a personal name (or a placeholder name such as "王××").
_NAME_CELL = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff·×X＊*]{1,3}$")
_NOT_NAME = re.compile(
    r"(组|站|所|室|办|局|村|镇|队|部|院|委|会|中心|社区|公司|台|个|辆|套|件|顶|张|人)$|电话|手机|号码|联系|姓名|职务|单位|名称|备注"
)


def duplicate_phones(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """One number given to several different people in contact tables (a copy-paste tell).

    The same person may appear in several tables (通讯录, 处置卡, 物资清单) with their own number;
    that is not a duplicate. A number belongs to the nearest name to its left in the row; rows
    where no name can be told apart are not counted.
    """
    from yjplan.match.extract import extract

    limit = int(opts.get("max_people", 2))
    rows_by_number: dict[str, list[tuple[int, int, int, frozenset[str]]]] = defaultdict(list)
    for i, u in enumerate(units):
        if u.table is None:
            continue
        offset = 0
        for line in u.text.split("\n"):
            owner: frozenset[str] = frozenset()
            cell_start = offset
            for cell in line.split("\t"):
                # the owner of a number is the nearest name to its left in the same row
                bare = cell.strip().replace(" ", "").replace("\u3000", "")
                names = (frozenset({bare}) if _NAME_CELL.match(bare) and not _NOT_NAME.search(bare)
                         else frozenset(h.quote for h in extract("person_name", cell)))
                phones = [h for h in extract("phone", cell) if h.flag is None]
                if names and not phones:
                    owner = names
                for h in phones:
                    digits = re.sub(r"\D", "", h.value or h.quote)
                    if len(digits) >= 7:
                        who = names or owner
                        rows_by_number[digits].append((i, cell_start + h.start, cell_start + h.end, who))
                cell_start += len(cell) + 1
            offset += len(line) + 1
    out: list[Found] = []
    for number, rows in rows_by_number.items():
        people = frozenset().union(*(names for *_, names in rows))
        if len(people) >= limit:
            i, s, e, _ = rows[-1]
            who = "、".join(sorted(people))
            out.append(Found(i, s, e, "duplicate_phone", note=f"同一号码写给了 {who}", value=number))
    return tuple(out)


def boilerplate(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Sentences taken word for word from superior or national plans (pack data ``boilerplate``)."""
    from rapidfuzz import fuzz

    sentences = [s for s in (ctx.data_get("boilerplate") or []) if isinstance(s, str)]
    if not sentences:
        return ()
    threshold = int(opts.get("similarity", 92))
    out: list[Found] = []
    for i, u in enumerate(units):
        if u.kind not in ("paragraph", "list_item") or len(u.text) < 20:
            continue
        for m in re.finditer(r"[^。；\n]{20,}[。；]?", u.text):
            s = m.group(0)
            for ref in sentences:
                if abs(len(ref) - len(s)) < len(ref) // 2 and fuzz.ratio(ref, s) >= threshold:
                    out.append(Found(i, m.start(), m.end(), "boilerplate", note="与上级预案原文相同"))
                    break
    return tuple(out)


CHECKS: Mapping[str, CheckFn] = MappingProxyType(
    {
        "vague_duties": vague_duties,
        "copied_duties": copied_duties,
        "restated_grades": restated_grades,
        "issue_date": issue_date,
        "stale_plan": stale_plan,
        "outdated_refs": outdated_refs,
        "obsolete_orgs": obsolete_orgs,
        "placeholders": placeholders,
        "invalid_phones": invalid_phones,
        "duplicate_phones": duplicate_phones,
        "boilerplate": boilerplate,
    }
)
