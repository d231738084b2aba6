"""Evaluate an evidence expression (Spec) over units. Pure: (Spec, units, context) → result.

Each kind reports what it found (spans) and how close it came (``fraction``, for partial credit),
and in words what it was looking for, so a failed rule can say exactly what is missing.
"""

from __future__ import annotations

import bisect
import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
    # Scratch space for one audit of ``doc``: scopes, units and joined texts that several rules
    # share are computed once. Results never depend on it; ``None`` selects the reference path
    # (nothing reused, every kind evaluated the plain way), which tests compare against.
    memo: dict[Any, Any] | None = field(default_factory=dict, compare=False, repr=False)
    # the packs' rule patterns, already compiled (``RulePack.patterns``); others are compiled here
    patterns: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

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


# Unit texts joined by a newline for one-call searches. A keyword without a newline cannot run
# across it; and rule patterns stop at line ends (``[^。；\n]``), so joined-text scans stay short.
_SEP = "\n"


def _joined(units: list[Unit], ctx: Context) -> tuple[str, list[int]] | None:
    """All unit texts in one string plus each unit's offset in it, built once per unit list per
    audit (None on the reference path and for short lists)."""
    memo = ctx.memo
    if memo is None or len(units) < 8:
        return None
    key = ("joined", id(units))
    hit = memo.get(key)
    if hit is None or hit[0] is not units:
        starts: list[int] = []
        pos = 0
        for u in units:
            starts.append(pos)
            pos += len(u.text) + 1
        hit = memo[key] = (units, _SEP.join(u.text for u in units), starts)  # ``units`` pins its id
    return hit[1], hit[2]


def _first_hit(
    word: str,
    units: list[Unit],
    joined: tuple[str, list[int]] | None,
    boundaries: Callable[[str], tuple[frozenset[int], frozenset[int]]] | None,
) -> Found | None:
    """The first occurrence of ``word`` in unit order (whole-word when ``boundaries`` is given)."""
    if joined is not None and word and _SEP not in word:
        # one C-level scan of every unit instead of one ``find`` per unit: same first occurrence
        text, starts = joined
        pos = text.find(word)
        while pos != -1:
            i = bisect.bisect_right(starts, pos) - 1
            start = pos - starts[i]
            end = start + len(word)
            if boundaries is not None:
                token_starts, token_ends = boundaries(units[i].text)
                if start not in token_starts or end not in token_ends:
                    pos = text.find(word, pos + 1)
                    continue
            return Found(i, start, end, "keyword", value=word)
        return None
    for i, unit in enumerate(units):
        start = unit.text.find(word)
        while start != -1:
            end = start + len(word)
            if boundaries is not None:
                token_starts, token_ends = boundaries(unit.text)
                if start not in token_starts or end not in token_ends:
                    start = unit.text.find(word, start + 1)
                    continue
            return Found(i, start, end, "keyword", value=word)
    return None


def _keywords(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    found: list[Found] = []
    hit_words: set[str] = set()
    boundaries: Callable[[str], tuple[frozenset[int], frozenset[int]]] | None = None
    if spec.tokens:
        from yjplan.match.tokens import token_boundaries

        boundaries = token_boundaries
    # _joined is None on the reference path, where _first_hit scans unit by unit
    joined = _joined(units, ctx)
    for word in spec.arg:
        first = _first_hit(word, units, joined, boundaries)
        if first is not None:
            found.append(first)
            hit_words.add(word)
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
    joined = _joined(units, ctx)
    for pattern in spec.arg:
        # Limits.regex_timeout_s bounds one pattern over the whole document, not each paragraph:
        # many paragraphs each just under the limit would otherwise add up to minutes.
        deadline = time.monotonic() + ctx.regex_timeout
        compiled = ctx.patterns.get(pattern) or regex.compile(pattern)
        pre = _regex_by_unit(compiled, pattern, units, joined, ctx)
        order: Sequence[int] = range(len(units)) if pre is None else sorted({*pre[0], *pre[1]})
        for i in order:
            if pre is not None and i not in pre[1]:
                spans: Iterable[tuple[int, int, str]] = pre[0][i]
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RulePackError(f"正则表达式运行超时（{ctx.regex_timeout} 秒），可能存在灾难性回溯：{pattern}")
                spans = _unit_matches(compiled, units[i].text, remaining, pattern, RulePackError,
                                      budget=ctx.regex_timeout)
            for start, end, value in spans:
                if end == start:
                    continue
                found.append(Found(i, start, end, "regex", value=value))
                keys.add(value)
                if len(keys) >= spec.min and len(found) > 3 * spec.min:
                    break
    return _count_result(spec, found, keys)


def _unit_matches(
    compiled: Any, text: str, timeout: float, pattern: str, error: type[Exception], budget: float | None = None
) -> Iterator[tuple[int, int, str]]:
    try:
        for m in compiled.finditer(text, timeout=timeout):
            yield m.start(), m.end(), m.group(0)
    except TimeoutError as exc:
        raise error(f"正则表达式运行超时（{budget or timeout} 秒），可能存在灾难性回溯：{pattern}") from exc


_ANCHOR_ESCAPES = frozenset("bBAZzGKmMg123456789")  # \b boundaries, \A/\Z anchors, \1 back-references…


@functools.lru_cache(maxsize=1024)
def _context_free(pattern: str) -> bool:
    """True when whether the pattern matches a span depends on the span alone: no anchors, word
    boundaries, lookarounds, conditionals, back-references or reverse search. A quick scan of
    the source, conservative: anything it is unsure of counts as not context-free."""
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 < n and pattern[i + 1] in _ANCHOR_ESCAPES:
                return False
            i += 2
        elif ch == "[":
            # skip the class: a ']' right after '[' or '[^' is a literal; escapes skip a character
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                if pattern[i] == "[":
                    return False  # nested set syntax of the regex module: do not guess
                i += 2 if pattern[i] == "\\" else 1
            i += 1
        elif ch in "^$":
            return False
        elif ch == "(" and pattern.startswith("(?", i):
            head = pattern[i + 2 : i + 4]
            if head[:1] in ("=", "!", "(", "&") or head in ("<=", "<!", "P=", "P>"):
                return False  # lookaround, conditional, back-reference or subroutine call
            flags = re.match(r"[a-zA-Z-]*", pattern[i + 2 :])
            if flags and "r" in flags.group():
                return False  # (?r): reverse search
            i += 2
        else:
            i += 1
    return True


_CHUNK = 20_000  # characters of joined text per search call, each with its own time limit


def _regex_by_unit(
    compiled: Any, pattern: str, units: list[Unit], joined: tuple[str, list[int]] | None, ctx: Context
) -> tuple[dict[int, list[tuple[int, int, str]]], set[int]] | None:
    """Each unit's matches from a few C-level scans of the joined text, instead of one scan per
    unit: (matches by unit, units to scan one by one). None on the reference path or when the
    pattern is not context-free.

    For a context-free pattern, a match that stays inside one unit is exactly what a scan of that
    unit alone finds there (the engine reads the same characters in the same order, and nothing
    it tries may look past them); a unit that some match runs out of or into is scanned alone.
    """
    if joined is None or not _context_free(pattern):
        return None
    text, starts = joined
    n = len(units)
    ends = [*(s - 1 for s in starts[1:]), len(text)]
    clean: dict[int, list[tuple[int, int, str]]] = {}
    dirty: set[int] = set()
    i = 0
    while i < n:
        j = i + 1
        while j < n and ends[j] - starts[i] <= _CHUNK:
            j += 1
        try:
            for m in compiled.finditer(text, starts[i], ends[j - 1], timeout=ctx.regex_timeout):
                s, e = m.start(), m.end()
                k = bisect.bisect_right(starts, s) - 1
                if e <= ends[k]:
                    clean.setdefault(k, []).append((s - starts[k], e - starts[k], m.group(0)))
                else:
                    dirty.update(range(k, bisect.bisect_right(starts, e - 1)))
        except TimeoutError:
            dirty.update(range(i, j))  # scanned alone, each unit with its own time limit
        i = j
    return clean, dirty


def _extract(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    from yjplan.match.extract import extract

    found: list[Found] = []
    keys: set[str] = set()
    # rules share extractors (phone numbers, time limits) over the same paragraphs: run each
    # extractor once per text per audit
    cache: dict[str, Any] | None = None if ctx.memo is None else ctx.memo.setdefault(("extract", spec.arg), {})
    for i, unit in enumerate(units):
        hits = None if cache is None else cache.get(unit.text)
        if hits is None:
            hits = extract(spec.arg, unit.text)
            if cache is not None:
                cache[unit.text] = hits
        for hit in hits:
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
