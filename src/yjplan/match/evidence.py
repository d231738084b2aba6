"""Evaluate an evidence expression (Spec) over units. Pure: (Spec, units, context) → result.

Each kind reports what it found (spans) and how close it came (``fraction``, for partial credit),
and in words what it was looking for, so a failed rule can say exactly what is missing.
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from typing import Any

from yjplan.match.units import Found, Joined, Unit, View, new_unit, pieces_containing
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


# --- the fast path: unit lists as runs of one joined text ------------------------------------------
# Unit texts are joined by a newline, and every kind searches the joined text with one C-level call
# where that provably finds what a search of each unit alone finds. The engine registers each
# scope's unit list as runs of the document's units (``DocUnits``), so all rules search one text and
# share what was found there (``Joined.cache``); any other list of 8 or more units gets its own.
_SEP = "\n"
_NEVER = sys.maxsize


def register_view(memo: dict[Any, Any], units: list[Unit], view: View) -> None:
    """Let evidence kinds search ``units`` as ``view`` (``units`` is pinned so its id stays unique)."""
    memo[("view", id(units))] = (units, view)


def view_of(units: list[Unit], ctx: Context) -> View | None:
    """``units`` as runs of a joined text; None on the reference path and for short lists."""
    memo = ctx.memo
    if memo is None:
        return None
    key = ("view", id(units))
    hit = memo.get(key)
    if hit is not None and hit[0] is units:
        return hit[1]  # type: ignore[no-any-return]
    if len(units) < 8:
        return None
    view = View(Joined(units), ((0, len(units), 0),))
    memo[key] = (units, view)
    return view


def _first_hit(
    word: str,
    units: list[Unit],
    boundaries: Callable[[str], tuple[frozenset[int], frozenset[int]]] | None,
) -> Found | None:
    """The first occurrence of ``word`` in unit order (whole-word when ``boundaries`` is given)."""
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


def _first_hit_joined(
    word: str,
    view: View,
    boundaries: Callable[[str], tuple[frozenset[int], frozenset[int]]] | None,
) -> Found | None:
    """``_first_hit`` with one ``str.find`` per run: a word without a newline cannot run from one
    unit into the next, so its first occurrence in the joined run is its first in unit order."""
    joined = view.joined
    text, starts, ends = joined.text, joined.starts, joined.ends
    for first, end, offset in view.runs:
        hi = ends[end - 1]
        pos = text.find(word, starts[first], hi)
        while pos != -1:
            g = bisect.bisect_right(starts, pos, first, end) - 1
            start = pos - starts[g]
            stop = start + len(word)
            if boundaries is not None:
                token_starts, token_ends = boundaries(joined.units[g].text)
                if start not in token_starts or stop not in token_ends:
                    pos = text.find(word, pos + 1, hi)
                    continue
            return Found(offset + g - first, start, stop, "keyword", value=word)
    return None


def _keywords(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    found: list[Found] = []
    hit_words: set[str] = set()
    boundaries: Callable[[str], tuple[frozenset[int], frozenset[int]]] | None = None
    if spec.tokens:
        from yjplan.match.tokens import token_boundaries

        boundaries = token_boundaries
    view = view_of(units, ctx)  # None on the reference path: unit by unit
    for word in spec.arg:
        if view is not None and word and _SEP not in word:
            first = _first_hit_joined(word, view, boundaries)
        else:
            first = _first_hit(word, units, boundaries)
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


def _regex(spec: Spec, units: list[Unit], ctx: Context, limit: int | None = None) -> SpecResult:
    import regex

    from yjplan.errors import RulePackError

    found: list[Found] = []
    keys: set[str] = set()
    seen: set[int] = set()  # units with a match, counted only under a ``limit``
    view = view_of(units, ctx)
    for pattern in spec.arg:
        # Limits.regex_timeout_s bounds one pattern over the whole document, not each paragraph:
        # many paragraphs each just under the limit would otherwise add up to minutes.
        deadline = time.monotonic() + ctx.regex_timeout
        compiled = ctx.patterns.get(pattern) or regex.compile(pattern)
        per_unit: Iterable[tuple[int, Iterable[tuple[int, int, str]]]]
        if view is not None:
            per_unit = _scan_of(view.joined, pattern, compiled).hits(view, ctx, deadline)
        else:
            per_unit = _plain_scan(compiled, pattern, units, ctx, deadline, RulePackError)
        for i, spans in per_unit:
            for start, end, value in spans:
                if end == start:
                    continue
                found.append(Found(i, start, end, "regex", value=value))
                keys.add(value)
                if limit is not None:
                    seen.add(i)
                if len(keys) >= spec.min and len(found) > 3 * spec.min:
                    break
            if limit is not None and len(seen) >= limit and len(keys) >= spec.min:
                return _count_result(spec, found, keys)  # the rest cannot change what the caller uses
    return _count_result(spec, found, keys)


def _plain_scan(
    compiled: Any, pattern: str, units: list[Unit], ctx: Context, deadline: float, error: type[Exception]
) -> Iterator[tuple[int, Iterator[tuple[int, int, str]]]]:
    """The reference: each unit searched alone, in order, within the pattern's deadline."""
    for i, unit in enumerate(units):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise error(f"正则表达式运行超时（{ctx.regex_timeout} 秒），可能存在灾难性回溯：{pattern}")
        yield i, _unit_matches(compiled, unit.text, remaining, pattern, error, budget=ctx.regex_timeout)


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
            end = class_end(pattern, i)
            if end < 0:
                return False  # nested set syntax of the regex module: do not guess
            i = end
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


def class_end(pattern: str, i: int) -> int:
    """The index just past the set that opens at ``pattern[i] == '['``; -1 for a nested set."""
    n = len(pattern)
    i += 1
    # a ']' right after '[' or '[^' is a literal; escapes skip a character
    if i < n and pattern[i] == "^":
        i += 1
    if i < n and pattern[i] == "]":
        i += 1
    while i < n and pattern[i] != "]":
        if pattern[i] == "[":
            return -1
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


@functools.lru_cache(maxsize=1024)
def _joinable(pattern: str) -> bool:
    r"""True when a search of the joined units finds, inside each unit, what a search of that unit
    alone finds (given that matches running across a unit edge send their units to be searched
    alone). Context-free patterns are; so are patterns whose only look beyond the span cannot tell
    a unit edge from the newline that joins it to the next unit:

    * ``^``/``$`` under MULTILINE (they hold at a string's ends and next to a newline; the regex
      module's line separator is ``\n`` alone unless the WORD flag is on, which ``re`` rejects);
    * ``\b``/``\B`` (a newline is not a word character, just like the outside of a string);
    * lookarounds whose contents cannot match a newline (the lookaround then never sees past the
      newline around its unit), themselves built of such parts.

    The pattern is read with Python's own ``re`` parser; whatever it rejects or warns about
    (regex-module syntax such as ``\p{..}``, ``(?r)``, nested sets, fuzzy ``{e<=1}``) is not joinable.
    """
    if _context_free(pattern):
        return True
    import warnings

    try:
        from re import _constants, _parser  # type: ignore[attr-defined]

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tree = _parser.parse(pattern)
    except Exception:  # any doubt means "search unit by unit"
        return False
    return _local(tree, tree.state.flags, _constants)


def _local(seq: Any, flags: int, c: Any) -> bool:
    """Every assertion in ``seq`` looks only inside the unit (see ``_joinable``)."""
    for op, av in seq:
        if op is c.AT:
            if av in (c.AT_BEGINNING, c.AT_END):
                if not flags & c.SRE_FLAG_MULTILINE:
                    return False
            elif av not in (c.AT_BOUNDARY, c.AT_NON_BOUNDARY):
                return False  # \A, \Z
        elif op in (c.ASSERT, c.ASSERT_NOT):
            if _newline(av[1], flags, c) or not _local(av[1], flags, c):
                return False
        elif op is c.SUBPATTERN:
            _group, add, remove, sub = av
            if not _local(sub, (flags | add) & ~remove, c):
                return False
        elif op is c.BRANCH:
            if not all(_local(alt, flags, c) for alt in av[1]):
                return False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            if not _local(av[2], flags, c):
                return False
        elif op is c.ATOMIC_GROUP:
            if not _local(av, flags, c):
                return False
        elif op is c.LITERAL:
            if av == ord("{"):
                return False  # perhaps a fuzzy constraint of the regex module, which ``re`` reads as text
        elif op not in (c.NOT_LITERAL, c.ANY, c.IN):
            return False  # back-references, conditionals, anything new
    return True


def _newline(seq: Any, flags: int, c: Any) -> bool:
    """Whether ``seq`` may match a newline anywhere (True when unsure)."""
    for op, av in seq:
        if op is c.LITERAL:
            if av == 10:
                return True
        elif op is c.NOT_LITERAL:
            if av != 10:
                return True
        elif op is c.ANY:
            if flags & c.SRE_FLAG_DOTALL:
                return True
        elif op is c.IN:
            if _set_has_newline(av, c):
                return True
        elif op is c.AT:
            pass
        elif op in (c.ASSERT, c.ASSERT_NOT):
            if _newline(av[1], flags, c):
                return True
        elif op is c.SUBPATTERN:
            if _newline(av[3], (flags | av[1]) & ~av[2], c):
                return True
        elif op is c.BRANCH:
            if any(_newline(alt, flags, c) for alt in av[1]):
                return True
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            if _newline(av[2], flags, c):
                return True
        elif op is c.ATOMIC_GROUP:
            if _newline(av, flags, c):
                return True
        else:
            return True
    return False


def _set_has_newline(items: Any, c: Any) -> bool:
    negate = False
    member = False
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            member |= av == 10
        elif op is c.RANGE:
            member |= av[0] <= 10 <= av[1]
        elif op is c.CATEGORY:
            if av in (c.CATEGORY_SPACE, c.CATEGORY_NOT_DIGIT, c.CATEGORY_NOT_WORD):
                member = True
            elif av not in (c.CATEGORY_DIGIT, c.CATEGORY_NOT_SPACE, c.CATEGORY_WORD):
                return True
        else:
            return True
    return member != negate


# --- skipping to the next match -------------------------------------------------------------------
# A pattern that starts with a bounded run of a character class (YJ301: ``[^。；\n]{0,60}(洪涝|…)…``)
# makes the engine try, at every position, every length of the run and then every alternative after
# it: most of a plan is read 60 times over. Where the run may start is known from where the rest can
# match: for one alternative ``A{m,n}R``, a match starts at ``p`` exactly when ``R`` matches at some
# ``x`` with ``p + m <= x <= p + n`` and ``text[p:x]`` all ``A``. So with ``x`` the first place ``R``
# matches (one fast search), the first start is the smallest ``p >= max(e, x - n)`` with
# ``text[p:x]`` all ``A`` (one backward match), if ``p <= x - m``; otherwise no start uses ``x`` and
# the next ``x`` is tried (the smallest ``p`` never decreases with ``x``). Over all top-level
# alternatives, the first start is the smallest of theirs, and the pattern itself, matched at that
# start, gives the very match a search would: same position, same engine, same choices.


@functools.lru_cache(maxsize=1024)
def _skip_plan(pattern: str) -> tuple[tuple[int, int, Any, Any], ...] | None:
    """Per top-level alternative ``(m, n, rest, back)``: ``rest`` compiled, ``back`` the leading
    class repeated, compiled for a backward match (None when the alternative has no leading run;
    then ``rest`` is the whole alternative). None when no alternative has a leading run or the
    pattern is outside what the argument above covers (not context-free, inline flags or group
    extensions, may match an empty string)."""
    if not _context_free(pattern) or pattern.replace("(?:", "").count("(?"):
        return None
    alternatives = _top_alternatives(pattern)
    if alternatives is None:
        return None
    import regex

    plan: list[tuple[int, int, Any, Any]] = []
    try:
        if regex.compile(pattern).match("") is not None:
            return None
        for alt in alternatives:
            lead = _leading_run(alt)
            if lead is None:
                plan.append((0, 0, regex.compile(alt), None))
            else:
                cls, m, n, rest = lead
                plan.append((m, n, regex.compile(rest), regex.compile(f"(?r)(?:{cls})*")))
    except regex.error:
        return None
    return tuple(plan) if any(back is not None for *_, back in plan) else None


def _top_alternatives(pattern: str) -> list[str] | None:
    out: list[str] = []
    depth = start = i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = class_end(pattern, i)
            if i < 0:
                return None
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


_QUANTIFIER = re.compile(r"\{(\d*)(,?)(\d*)\}")


def _leading_run(alt: str) -> tuple[str, int, int, str] | None:
    """``alt`` as (class, min, max, rest) when it starts with one repeated character class."""
    if alt.startswith("["):
        j = class_end(alt, 0)
        if j < 0 or j > len(alt):
            return None
    elif alt[:1] == "\\" and alt[1:2] in ("d", "D", "s", "S", "w", "W"):
        j = 2
    elif alt[:1] == ".":
        j = 1
    else:
        return None
    cls, q = alt[:j], alt[j:]
    if q[:1] in ("*", "+", "?"):
        m, n, k = {"*": (0, _NEVER), "+": (1, _NEVER), "?": (0, 1)}[q[0]] + (1,)
    else:
        found = _QUANTIFIER.match(q)
        if found is None or not (found.group(1) or found.group(3)):
            return None
        low, comma, high = found.groups()
        m = int(low or 0)
        n = (int(high) if high else _NEVER) if comma else m
        k = found.end()
    rest = q[k:]
    if rest[:1] == "?":
        rest = rest[1:]  # lazy: the same starts, and the match itself comes from the pattern
    if not rest or rest[0] in "*+?{" or n < m:
        return None  # possessive or repeated again: not covered
    return cls, m, n, rest


def _skipping(compiled: Any, plan: tuple[tuple[int, int, Any, Any], ...], text: str, pos: int, endpos: int,
              timeout: float) -> Iterator[Any]:
    """``compiled.finditer(text, pos, endpos)``, jumping straight to each match (see above)."""
    deadline = time.monotonic() + timeout

    def left() -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        return remaining

    def next_start(e: int, m: int, n: int, rest: Any, back: Any) -> int:
        x_from = e + m
        while x_from <= endpos:
            r = rest.search(text, x_from, endpos, timeout=left())
            if r is None:
                return _NEVER
            x = r.start()
            if back is None:
                return x
            p = back.match(text, e if n == _NEVER else max(e, x - n), x, timeout=left()).start()
            if p <= x - m:
                return p
            x_from = x + 1
        return _NEVER

    starts = [-1] * len(plan)  # each alternative's first start at or after e; stale when below e
    e = pos
    while True:
        best = _NEVER
        for k, (m, n, rest, back) in enumerate(plan):
            s = starts[k]
            if s < e:
                s = starts[k] = next_start(e, m, n, rest, back)
            best = min(best, s)
        if best == _NEVER:
            return
        match = compiled.match(text, best, endpos, timeout=left())
        if match is None or match.end() == best:  # cannot happen (see above); stay exact regardless
            yield from compiled.finditer(text, e, endpos, timeout=left())
            return
        yield match
        e = match.end()


# --- one pattern over a joined text -------------------------------------------------------------------

_CHUNK = 20_000  # characters of joined text per search call at most, each with its own time limit
_FIRST_PIECE = 2_000  # a rule that stops at its first matches searches this much; then twice as much…


def _scan_of(joined: Joined, pattern: str, compiled: Any) -> _Scan:
    key = ("regex", pattern)
    scan: _Scan | None = joined.cache.get(key)
    if scan is None:
        scan = joined.cache[key] = _Scan(joined, pattern, compiled)
    return scan


class _Scan:
    """One pattern's matches in the units of a joined text, searched piece by piece as rules ask
    for them and kept for every rule of the audit: a rule pays only for units that no rule searched
    before it, and a rule that has seen enough stops asking.

    A joinable pattern (``_joinable``) is searched over runs of whole units: a match that stays
    inside one unit is exactly what a search of that unit alone finds there (whatever the run); a
    unit that some match runs out of or into, and every unit of a run whose search ran out of time,
    is searched alone. Any other pattern is searched unit by unit.
    """

    __slots__ = ("_alone", "_done", "_found", "_units", "compiled", "joinable", "joined", "pattern", "plan")

    def __init__(self, joined: Joined, pattern: str, compiled: Any) -> None:
        self.joined = joined
        self.pattern = pattern
        self.compiled = compiled
        self.joinable = _joinable(pattern)
        self.plan = _skip_plan(pattern) if self.joinable else None
        self._done: list[list[int]] = []  # [first, end) unit ranges searched so far: sorted, disjoint
        self._found: dict[int, list[tuple[int, int, str]] | None] = {}  # unit → matches; None: search alone
        self._units: list[int] = []  # the keys of _found, sorted
        self._alone: dict[int, list[tuple[int, int, str]]] = {}

    def hits(self, view: View, ctx: Context, deadline: float) -> Iterator[tuple[int, list[tuple[int, int, str]]]]:
        """(index in the view's list, matches) for each unit of the view with matches, in order."""
        for first, end, offset in view.runs:
            if not self.joinable:
                for g in range(first, end):
                    spans = self._unit_alone(g, ctx, deadline)
                    if spans:
                        yield offset + g - first, spans
                continue
            size = _FIRST_PIECE
            g = first
            while g < end:
                done = self._done
                d = bisect.bisect_right(done, [g, sys.maxsize]) - 1
                if d >= 0 and done[d][1] > g:  # searched already: hand out what was found
                    stop = min(done[d][1], end)
                    units, found = self._units, self._found
                    for k in range(bisect.bisect_left(units, g), bisect.bisect_left(units, stop)):
                        u = units[k]
                        spans = found[u]
                        if spans is None:
                            spans = self._unit_alone(u, ctx, deadline)
                        if spans:
                            yield offset + u - first, spans
                    g = stop
                else:  # search the next piece of the gap, within what is left of the pattern's time
                    stop = min(end, done[d + 1][0]) if d + 1 < len(done) else end
                    starts, ends = self.joined.starts, self.joined.ends
                    piece = min(size, _CHUNK)
                    self._search(g, min(stop, max(g + 1, bisect.bisect_right(ends, starts[g] + piece, g + 1))),
                                 min(ctx.regex_timeout, self._left(ctx, deadline)))
                    size *= 2

    def _left(self, ctx: Context, deadline: float) -> float:
        """The time left before ``deadline``; the pattern's time-out error when there is none."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            from yjplan.errors import RulePackError

            raise RulePackError(f"正则表达式运行超时（{ctx.regex_timeout} 秒），可能存在灾难性回溯：{self.pattern}")
        return remaining

    def _search(self, i: int, j: int, timeout: float) -> None:
        """Search units ``i..j-1`` in one call and record what each holds (a search that runs out
        of ``timeout`` sends them to be searched alone)."""
        joined = self.joined
        text, starts, ends = joined.text, joined.starts, joined.ends
        clean: dict[int, list[tuple[int, int, str]]] = {}
        dirty: set[int] = set()
        if self.plan is None:
            matches: Iterable[Any] = self.compiled.finditer(text, starts[i], ends[j - 1], timeout=timeout)
        else:
            matches = _skipping(self.compiled, self.plan, text, starts[i], ends[j - 1], timeout)
        try:
            for m in matches:
                s, e = m.span()
                k = bisect.bisect_right(starts, s, i, j) - 1
                if e <= ends[k]:
                    base = starts[k]
                    spans = clean.get(k)
                    if spans is None:
                        spans = clean[k] = []
                    spans.append((s - base, e - base, m.group()))
                else:
                    dirty.update(range(k, bisect.bisect_right(starts, e - 1, i, j)))
        except TimeoutError:
            dirty.update(range(i, j))  # searched alone, each unit within the rule's time limit
        if clean or dirty:
            self._found.update(clean)
            self._found.update(dict.fromkeys(dirty))
            for u in sorted(clean.keys() | dirty):
                bisect.insort(self._units, u)
        self._mark_done(i, j)

    def _mark_done(self, i: int, j: int) -> None:
        """Record units ``i..j-1`` as searched, joined to their neighbours."""
        done = self._done
        d = bisect.bisect_right(done, [i, sys.maxsize])
        if d > 0 and done[d - 1][1] == i:
            done[d - 1][1] = j
            d -= 1
        else:
            done.insert(d, [i, j])
        if d + 1 < len(done) and done[d + 1][0] == j:
            done[d][1] = done.pop(d + 1)[1]

    def _unit_alone(self, g: int, ctx: Context, deadline: float) -> list[tuple[int, int, str]]:
        spans = self._alone.get(g)
        if spans is None:
            from yjplan.errors import RulePackError

            spans = self._alone[g] = list(_unit_matches(self.compiled, self.joined.units[g].text,
                                                        self._left(ctx, deadline), self.pattern, RulePackError,
                                                        budget=ctx.regex_timeout))
        return spans


def _extract(spec: Spec, units: list[Unit], ctx: Context, limit: int | None = None) -> SpecResult:
    from yjplan.match.extract import extract, extract_cached

    found: list[Found] = []
    keys: set[str] = set()
    memo = ctx.memo
    view = view_of(units, ctx)

    def add(i: int, hits: Any) -> bool:
        """Take unit ``i``'s hits; True when a ``limit`` says nothing after them matters."""
        for hit in hits:
            if spec.flag == "any" or hit.flag == spec.flag:
                found.append(Found(i, hit.start, hit.end, spec.arg, note=hit.flag, value=hit.value))
                keys.add((hit.value or hit.quote) if spec.distinct else f"{i}:{hit.start}")
                if limit is not None:
                    seen.add(i)
        return limit is not None and len(seen) >= limit and len(keys) >= spec.min

    seen: set[int] = set()
    if view is None:
        # rules share extractors (phone numbers, time limits) over the same paragraphs: with a memo,
        # each extractor runs once per text per audit
        for i, unit in enumerate(units):
            if add(i, extract(spec.arg, unit.text) if memo is None else extract_cached(spec.arg, unit.text, memo)):
                break
        return _count_result(spec, found, keys)
    joined = view.joined
    per_unit: list[Any] | None = joined.cache.get(("extract", spec.arg))
    if per_unit is None:
        per_unit = joined.cache[("extract", spec.arg)] = [None] * len(joined.units)
    for first, end, offset in view.runs:
        for g in range(first, end):
            hits = per_unit[g]
            if hits is None:
                hits = per_unit[g] = extract_cached(spec.arg, joined.units[g].text, memo)
            if hits and add(offset + g - first, hits):
                return _count_result(spec, found, keys)
    return _count_result(spec, found, keys)


def _kind_indices(joined: Joined, key: str, keep: Callable[[Unit], bool]) -> list[int]:
    """The indices of the joined units that ``keep`` accepts (tables, headings), once per text."""
    hit: list[int] | None = joined.cache.get(key)
    if hit is None:
        hit = joined.cache[key] = [g for g, u in enumerate(joined.units) if keep(u)]
    return hit


def _tables(joined: Joined) -> list[int]:
    return _kind_indices(joined, "tables", lambda u: u.table is not None and bool(u.table.rows))


def _headings(joined: Joined) -> list[int]:
    return _kind_indices(joined, "headings", lambda u: u.kind == "heading")


def _table(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    view = view_of(units, ctx)
    if view is not None and spec.arg and all(g and _SHAPE_SEP not in g for group in spec.arg for g in group):
        return _table_joined(spec, view)
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


_SHAPE_SEP = "\x00"


def _table_joined(spec: Spec, view: View) -> SpecResult:
    """``_table`` over the tables' header rows joined once per text: each column name is looked
    up with ``str.find``, and only tables with at least one of the columns are looked at (the
    others score 0, which changes neither the best score nor what is found)."""
    joined = view.joined
    tables, heads, starts, bodies = _table_heads(joined)
    counts: dict[int, int] = {}  # table (ordinal) → how many column groups its header names
    for group in spec.arg:
        having: set[int] = set()
        for g in group:
            having.update(_tables_naming(joined, g, heads, starts))
        for t in having:
            counts[t] = counts.get(t, 0) + 1
    named = sorted(counts)
    best = 0.0
    found: list[Found] = []
    for first, end, offset in view.runs:
        lo, hi = bisect.bisect_left(tables, first), bisect.bisect_left(tables, end)
        for k in range(bisect.bisect_left(named, lo), bisect.bisect_left(named, hi)):
            t = named[k]
            frac = counts[t] / len(spec.arg)
            if frac == 1.0 and _body_rows(joined, tables[t], bodies, t) < spec.min_rows:
                frac = 0.75
            if frac > best:
                best = frac
            if frac == 1.0:
                g = tables[t]
                text = joined.units[g].text
                stop = text.find("\n")
                found.append(Found(offset + g - first, 0, stop if stop != -1 else len(text), "table"))
    ok = len(found) >= spec.min
    return SpecResult(ok, 1.0 if ok else best * 0.9, tuple(found), () if ok else (describe(spec),))


def _table_heads(joined: Joined) -> tuple[list[int], str, list[int], list[int | None]]:
    """The joined units' tables (unit indices), the cells of their first two rows all joined by
    ``_SHAPE_SEP`` (a column name is in one of a table's cells exactly when it is in that table's
    stretch of this text), where each table's stretch starts, and how many rows after the first
    have text (None until ``_body_rows`` counts them: only tables that name every column need it)."""
    hit: tuple[list[int], str, list[int], list[int | None]] | None = joined.cache.get("table heads")
    if hit is None:
        tables = _tables(joined)
        heads: list[str] = []
        for g in tables:
            rows = joined.units[g].table.rows  # type: ignore[union-attr]
            heads.append(_SHAPE_SEP.join(cell for row in rows[:2] for cell in row))
        starts = list(accumulate((len(h) + 1 for h in heads), initial=0))[:-1]
        hit = joined.cache["table heads"] = (tables, _SHAPE_SEP.join(heads), starts, [None] * len(tables))
    return hit


def _body_rows(joined: Joined, g: int, bodies: list[int | None], t: int) -> int:
    """How many rows after the first of table ``t`` (unit ``g``) have text, counted once per text."""
    count = bodies[t]
    if count is None:
        rows = joined.units[g].table.rows  # type: ignore[union-attr]
        count = bodies[t] = sum(1 for r in rows[1:] if any(c.strip() for c in r))
    return count


def _tables_naming(joined: Joined, name: str, heads: str, starts: list[int]) -> list[int]:
    """The tables (ordinals) whose first two rows have a cell containing ``name``."""
    key = ("table column", name)
    hit: list[int] | None = joined.cache.get(key)
    if hit is None:
        hit = joined.cache[key] = pieces_containing(heads, starts, name)
    return hit


def _heading(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    from yjplan.match.scope import TitleIndex, heading_matches

    view = view_of(units, ctx)
    if view is None:
        found = [Found(i, 0, len(u.text), "heading") for i, u in enumerate(units)
                 if u.kind == "heading" and heading_matches(u.text, spec.arg)]
        return _count_result(spec, found, {str(f.unit) for f in found})
    joined = view.joined
    headings = _headings(joined)
    index: TitleIndex | None = joined.cache.get("heading index")
    if index is None:
        index = joined.cache["heading index"] = TitleIndex([joined.units[g].text for g in headings])
    # the units whose text heading_matches accepts, in order: all headings at once
    hits = [headings[k] for k in index.hit_indices(tuple(spec.arg), 85)]
    found = []
    for first, end, offset in view.runs:
        for k in range(bisect.bisect_left(hits, first), bisect.bisect_left(hits, end)):
            g = hits[k]
            found.append(Found(offset + g - first, 0, len(joined.units[g].text), "heading"))
    return _count_result(spec, found, {str(f.unit) for f in found})


def _check(spec: Spec, units: list[Unit], ctx: Context) -> SpecResult:
    from yjplan.match.checks import CHECKS

    found = list(CHECKS[spec.arg](units, ctx, dict(spec.options)))
    return _count_result(spec, found, {f"{f.unit}:{f.start}" for f in found})


def _rows(units: list[Unit]) -> list[tuple[int, int, Unit]]:
    """Each paragraph, and each table row as its own unit: (unit index, offset, sub-unit)."""
    out: list[tuple[int, int, Unit]] = []
    for i, u in enumerate(units):
        if u.table is None:
            out.append((i, 0, u))
            continue
        offset = 0
        for r, line in enumerate(u.text.split("\n"), start=1):
            # dataclasses.replace(u, text=line, table=None, location=…), without its overhead
            out.append((i, offset, new_unit(line, u.location.with_cell(r), u.section_path, u.kind, None)))
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


def evaluate(spec: Spec, units: list[Unit], ctx: Context, limit: int | None = None) -> SpecResult:
    """What ``spec`` finds in ``units``.

    ``limit`` is a promise from the caller: it uses ``found`` only up to its first ``limit``
    distinct units (the evidence it quotes), besides ``ok``, ``fraction`` and ``wanted``. Searches
    may then stop once the spec holds and that many units have been found, which leaves all of
    those unchanged: a spec that holds has ``fraction`` 1, and in any concatenation of parts' finds
    the first ``limit`` units come from what was kept. The reference path ignores it.
    """
    if ctx.memo is None:
        limit = None
    if spec.kind == "regex":
        return _regex(spec, units, ctx, limit)
    if spec.kind == "extract":
        return _extract(spec, units, ctx, limit)
    if spec.kind in _KINDS:
        return _KINDS[spec.kind](spec, units, ctx)
    if spec.kind == "all" and spec.within == "unit":
        return _all_within_unit(spec, units, ctx)
    if spec.kind == "all":
        parts = [evaluate(s, units, ctx, limit) for s in spec.arg]
        ok = all(p.ok for p in parts)
        found = tuple(f for p in parts for f in p.found)
        wanted = tuple(w for p in parts for w in p.wanted)
        return SpecResult(ok, sum(p.fraction for p in parts) / len(parts), found, wanted)
    if spec.kind == "any":
        parts = []
        held: set[int] = set()  # units found by the parts that hold, under a ``limit``
        for s in spec.arg:
            part = evaluate(s, units, ctx, limit)
            parts.append(part)
            if limit is not None and part.ok:
                held.update(f.unit for f in part.found)
                if len(held) >= limit:
                    break  # later parts only add finds after these: nothing the caller uses
        best = max(parts, key=lambda p: (p.ok, p.fraction))
        if best.ok:
            return SpecResult(True, 1.0, tuple(f for p in parts if p.ok for f in p.found), ())
        return SpecResult(False, best.fraction, best.found, (describe(spec),))
    if spec.kind == "not":
        inner = evaluate(spec.arg, units, ctx, 0)  # only whether it holds
        return SpecResult(not inner.ok, 0.0 if inner.ok else 1.0, (), (describe(spec),) if inner.ok else ())
    # if/then: vacuously true when the condition does not hold
    cond = evaluate(spec.arg, units, ctx, limit)
    if not cond.ok or spec.then is None:
        return SpecResult(True, 1.0, (), ())
    then = evaluate(spec.then, units, ctx, limit)
    return SpecResult(then.ok, then.fraction, cond.found + then.found, then.wanted)
