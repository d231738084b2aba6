"""Evaluate an evidence expression (Spec) over units. Pure: (Spec, units, context) → result.

Each kind reports what it found (spans) and how close it came (``fraction``, for partial credit),
and in words what it was looking for, so a failed rule can say exactly what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yjplan.match.units import Found, Unit
from yjplan.model import Document
from yjplan.rules.schema import Spec


@dataclass(frozen=True, slots=True)
class Context:
    """What evidence kinds may consult besides the units: the document, pack data, today."""

    doc: Document
    data: tuple[tuple[str, Any], ...] = ()
    today: date = field(default_factory=date.today)
    regex_timeout: float = 0.5
    plan_type: str = ""

    def data_get(self, key: str, default: Any = None) -> Any:
        for k, v in self.data:
            if k == key:
                return v
        return default


@dataclass(frozen=True, slots=True)
class SpecResult:
    ok: bool
    fraction: float  # 0..1, how much of the requirement is met
    found: tuple[Found, ...]
    wanted: tuple[str, ...]  # Chinese descriptions of what is missing (empty when ok)


def describe(spec: Spec) -> str:
    """A short Chinese description of a spec, for "did not find …" messages and rule docs."""
    if spec.label:
        return spec.label
    if spec.kind == "keywords":
        words = "、".join(f"“{w}”" for w in spec.arg[:6]) + ("等" if len(spec.arg) > 6 else "")
        if spec.mode == "all":
            return f"全部关键词 {words}"
        return f"关键词 {words}" + (f"（至少 {spec.min} 个）" if spec.min > 1 else "")
    if spec.kind == "regex":
        return "符合模式的内容" + (f"（至少 {spec.min} 处）" if spec.min > 1 else "")
    if spec.kind == "extract":
        from yjplan.match.describe import EXTRACTOR_LABELS

        name = EXTRACTOR_LABELS.get(spec.arg, spec.arg)
        return name + (f"（至少 {spec.min} 个）" if spec.min > 1 else "")
    if spec.kind == "table":
        cols = "、".join("/".join(g) for g in spec.arg)
        return f"含“{cols}”列的表格" + (f"（至少 {spec.min_rows} 行）" if spec.min_rows > 1 else "")
    if spec.kind == "check":
        from yjplan.match.describe import CHECK_LABELS

        return CHECK_LABELS.get(spec.arg, spec.arg)
    if spec.kind == "heading":
        return "标题含“" + "”或“".join(spec.arg[:4]) + "”的章节"
    if spec.kind == "all":
        return "；".join(describe(s) for s in spec.arg)
    if spec.kind == "any":
        return "或".join(describe(s) for s in spec.arg)
    if spec.kind == "not":
        return "不出现" + describe(spec.arg)
    return f"若有{describe(spec.arg)}，则需{describe(spec.then) if spec.then else ''}"


def _count_result(spec: Spec, found: list[Found], distinct_keys: set[str]) -> SpecResult:
    n = len(distinct_keys)
    ok = n >= spec.min
    return SpecResult(ok, min(1.0, n / spec.min), tuple(found), () if ok else (describe(spec),))


def _keywords(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    found: list[Found] = []
    hit_words: set[str] = set()
    boundaries: Callable[[str], tuple[frozenset[int], frozenset[int]]] | None = None
    if spec.tokens:
        from yjplan.match.tokens import token_boundaries

        boundaries = token_boundaries
    for word in spec.arg:
        for i, unit in enumerate(units):
            start = unit.text.find(word)
            while start != -1:
                end = start + len(word)
                if boundaries is not None:
                    starts, ends = boundaries(unit.text)
                    if start not in starts or end not in ends:
                        start = unit.text.find(word, start + 1)
                        continue
                found.append(Found(i, start, end, "keyword", value=word))
                hit_words.add(word)
                break
            if word in hit_words:
                break
    if spec.fuzzy and len(hit_words) < len(spec.arg):
        from rapidfuzz import fuzz

        for word in spec.arg:
            if word in hit_words:
                continue
            for i, unit in enumerate(units):
                if len(unit.text) > 4000:
                    continue
                al = fuzz.partial_ratio_alignment(word, unit.text)
                if al is not None and al.score >= spec.fuzzy:
                    found.append(Found(i, al.dest_start, al.dest_end, "keyword", value=word))
                    hit_words.add(word)
                    break
    if spec.mode == "all":
        ok = len(hit_words) == len(spec.arg)
        missing = [w for w in spec.arg if w not in hit_words]
        wanted = () if ok else ("关键词 " + "、".join(f"“{w}”" for w in missing),)
        return SpecResult(ok, len(hit_words) / len(spec.arg), tuple(found), wanted)
    return _count_result(spec, found, hit_words)


def _regex(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    import regex

    from yjplan.errors import RulePackError

    found: list[Found] = []
    keys: set[str] = set()
    for pattern in spec.arg:
        compiled = regex.compile(pattern)
        for i, unit in enumerate(units):
            try:
                for m in compiled.finditer(unit.text, timeout=ctx.regex_timeout):
                    if m.end() == m.start():
                        continue
                    found.append(Found(i, m.start(), m.end(), "regex", value=m.group(0)))
                    keys.add(m.group(0))
                    if len(keys) >= spec.min and len(found) > 3 * spec.min:
                        break
            except TimeoutError as exc:
                raise RulePackError(
                    f"正则表达式运行超时（{ctx.regex_timeout} 秒），可能存在灾难性回溯：{pattern}"
                ) from exc
    return _count_result(spec, found, keys)


def _extract(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    from yjplan.match.extract import extract

    found: list[Found] = []
    keys: set[str] = set()
    for i, unit in enumerate(units):
        for hit in extract(spec.arg, unit.text):
            if spec.flag == "any" or hit.flag == spec.flag:
                found.append(Found(i, hit.start, hit.end, spec.arg, note=hit.flag, value=hit.value))
                keys.add((hit.value or hit.quote) if spec.distinct else f"{i}:{hit.start}")
    return _count_result(spec, found, keys)


def _table(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    best = 0.0
    found: list[Found] = []
    for i, unit in enumerate(units):
        table = unit.table
        if table is None or not table.rows:
            continue
        head_rows = table.rows[:2]
        matched = sum(
            1 for group in spec.arg if any(any(g in cell for g in group) for row in head_rows for cell in row)
        )
        frac = matched / len(spec.arg) if spec.arg else 1.0
        body_rows = [r for r in table.rows[1:] if any(c.strip() for c in r)]
        if frac == 1.0 and len(body_rows) < spec.min_rows:
            frac = 0.75
        if frac > best:
            best = frac
        if frac == 1.0:
            end = unit.text.find("\n")
            found.append(Found(i, 0, end if end != -1 else len(unit.text), "table"))
    ok = len(found) >= spec.min
    return SpecResult(ok, 1.0 if ok else best * 0.9, tuple(found), () if ok else (describe(spec),))


def _heading(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    from yjplan.match.scope import heading_matches

    found = [
        Found(i, 0, len(u.text), "heading")
        for i, u in enumerate(units)
        if u.kind == "heading" and heading_matches(u.text, spec.arg)
    ]
    return _count_result(spec, found, {str(f.unit) for f in found})


def _check(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    from yjplan.match.checks import CHECKS

    found = list(CHECKS[spec.arg](units, ctx, dict(spec.options)))
    return _count_result(spec, found, {f"{f.unit}:{f.start}" for f in found})


def _rows(units: list[Unit]) -> list[tuple[int, int, Unit]]:
    """Each paragraph, and each table row as its own unit: (unit index, offset, sub-unit)."""
    from dataclasses import replace

    out: list[tuple[int, int, Unit]] = []
    for i, u in enumerate(units):
        if u.table is None:
            out.append((i, 0, u))
            continue
        offset = 0
        for r, line in enumerate(u.text.split("\n"), start=1):
            out.append((i, offset, replace(u, text=line, table=None, location=u.location.with_cell(r))))
            offset += len(line) + 1
    return out


def _all_within_unit(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    """All parts must hold inside one paragraph or one table row: "值班电话：0839-5551234", not a
    duty-phone sentence in one chapter and an unrelated number in another."""
    best = SpecResult(False, 0.0, (), (describe(spec),))
    for i, offset, sub in _rows(units):
        parts = [evaluate(s, [sub], ctx) for s in spec.arg]
        frac = sum(p.fraction for p in parts) / len(parts)
        found = tuple(Found(i, f.start + offset, f.end + offset, f.kind, f.note, f.value) for p in parts
                      for f in p.found)
        if all(p.ok for p in parts):
            return SpecResult(True, 1.0, found, ())
        if frac > best.fraction:
            best = SpecResult(False, frac, found, (describe(spec) + "（须在同一段落或表格行中）",))
    return best


_KINDS: dict[str, Callable[[Spec, list[Unit], Context], SpecResult]] = {
    "keywords": _keywords,
    "regex": _regex,
    "extract": _extract,
    "table": _table,
    "heading": _heading,
    "check": _check,
}


def evaluate(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    if spec.kind in _KINDS:
        return _KINDS[spec.kind](spec, units, ctx)
    if spec.kind == "all" and spec.within == "unit":
        return _all_within_unit(spec, units, ctx)
    if spec.kind == "all":
        parts = [evaluate(s, units, ctx) for s in spec.arg]
        ok = all(p.ok for p in parts)
        found = tuple(f for p in parts for f in p.found)
        wanted = tuple(w for p in parts for w in p.wanted)
        return SpecResult(ok, sum(p.fraction for p in parts) / len(parts), found, wanted)
    if spec.kind == "any":
        parts = [evaluate(s, units, ctx) for s in spec.arg]
        best = max(parts, key=lambda p: (p.ok, p.fraction))
        if best.ok:
            return SpecResult(True, 1.0, tuple(f for p in parts if p.ok for f in p.found), ())
        return SpecResult(False, best.fraction, best.found, (describe(spec),))
    if spec.kind == "not":
        inner = evaluate(spec.arg, units, ctx)
        return SpecResult(not inner.ok, 0.0 if inner.ok else 1.0, (), (describe(spec),) if inner.ok else ())
    # if/then: vacuously true when the condition does not hold
    cond = evaluate(spec.arg, units, ctx)
    if not cond.ok or spec.then is None:
        return SpecResult(True, 1.0, (), ())
    then = evaluate(spec.then, units, ctx)
    return SpecResult(then.ok, then.fraction, cond.found + then.found, then.wanted)
