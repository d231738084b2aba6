"""Named checks: evidence that needs more than a pattern (comparison across paragraphs, dates,
pack data). Each is a pure function (units, context, options) → spans; rules name them with
``check: <name>``. Data such as superseded documents lives in the pack, never here.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from yjplan.match.evidence import Context, class_end, view_of
from yjplan.match.units import Found, Unit

CheckFn = Callable[[list[Unit], Context, dict[str, Any]], tuple[Found, ...]]
_NORM = re.compile(r"[\s　，,。.、；;：:（）()“”\"'\d一二三四五六七八九十]+")
_PUNCT = re.compile(r"[\s　，,。.、；;：:（）()“”\"'《》«»〔〕\[\]【】!！?？ꎬꎮꎻ—\-·…]+")
_SENTENCE = re.compile(r"[^。；;\n]+[。；;]?")
_CLAUSE = re.compile(r"[^。；;\n]+")  # a sentence without its end mark
_LINE = re.compile(r"[^\n]+")
_TEXT_KINDS = ("paragraph", "list_item")


def _hits(name: str, units: list[Unit], ctx: Context,
          kinds: tuple[str, ...] = ("paragraph", "list_item", "table")):
    from yjplan.match.extract import extract_cached

    # Hits are shared per text; a scan of all paragraphs for the extractor's triggers (once per
    # unit list) picks the few it can find anything in, and the others need no look-up at all.
    for i in _with_hits(name, units, ctx):
        u = units[i]
        if u.kind in kinds:
            for h in extract_cached(name, u.text, ctx.memo):
                yield i, h


# --- shared per audit -------------------------------------------------------------------------
# Several checks read the same unit list (a scope's units, the whole document); what they compute
# from it alone is kept in ``ctx.memo`` under ``(name, id(units))`` next to the list itself, which
# keeps the id from being reused for another list. ``ctx.memo is None`` is the reference path:
# nothing is kept and every check computes everything the plain way.


def _per_units(ctx: Context, name: Hashable, units: list[Unit], compute: Callable[[], Any]) -> Any:
    memo = ctx.memo
    if memo is None:
        return compute()
    key = (name, id(units))
    hit = memo.get(key)
    if hit is None or hit[0] is not units:
        hit = memo[key] = (units, compute())
    return hit[1]


def _joined(units: list[Unit], ctx: Context) -> tuple[str, list[int]]:
    """All unit texts joined by a newline, and each unit's offset in the joined text: the evidence
    kinds' joined text when they already hold exactly this list (the whole document, a section)."""

    def build() -> tuple[str, list[int]]:
        view = view_of(units, ctx)
        if view is not None and view.runs == ((0, len(view.joined.units), 0),):
            return view.joined.text, view.joined.starts
        texts = [u.text for u in units]
        return "\n".join(texts), list(itertools.accumulate((len(t) + 1 for t in texts), initial=0))[:-1]

    return _per_units(ctx, "checks.joined", units, build)  # type: ignore[no-any-return]


def _units_containing(literals: frozenset[str], units: list[Unit], ctx: Context) -> list[int]:
    """Indices of the units whose text contains one of ``literals`` (none holds a newline), in order."""
    return _units_matching(_any_of(literals), units, ctx)


def _units_matching(pattern: re.Pattern[str], units: list[Unit], ctx: Context) -> list[int]:
    """Indices of the units whose text ``pattern`` matches, in order, for a pattern whose matches
    hold no newline and depend on nothing outside themselves (the joined text then has the same
    matches inside each unit as the unit alone). On the reference path, every unit."""
    if ctx.memo is None:
        return list(range(len(units)))
    text, starts = _joined(units, ctx)
    n = len(starts)
    out: list[int] = []
    m = pattern.search(text)
    while m is not None:
        k = bisect.bisect_right(starts, m.start()) - 1
        out.append(k)
        if k + 1 >= n:
            break
        m = pattern.search(text, starts[k + 1])
    return out


def _with_hits(name: str, units: list[Unit], ctx: Context) -> Sequence[int]:
    """The units an extractor can find something in (all of them on the reference path)."""
    from yjplan.match.extract import extractor_trigger_scopes, extractor_triggers

    triggers = () if ctx.memo is None else extractor_triggers(name)
    if not triggers:
        return range(len(units))

    def scan() -> list[int]:
        if len(triggers) == 1:
            return _units_matching(triggers[0], units, ctx)
        found: set[int] = set()
        for t, within in zip(triggers, extractor_trigger_scopes(name), strict=True):
            if within is None:
                found.update(_units_matching(t, units, ctx))
            else:  # it matches only where ``within``'s triggers do: look in those units alone
                found.update(i for i in _with_hits(within, units, ctx) if t.search(units[i].text))
        return sorted(found)

    return _per_units(ctx, ("checks.with_hits", name), units, scan)  # type: ignore[no-any-return]


# --- literals a pattern's matches must contain --------------------------------------------------

_LITERAL_SETS = 64  # largest set of alternative strings worth carrying through a pattern
_QUANTIFIER = re.compile(r"\{\d*(?:,\d*)?\}")


class _Unsure(Exception):
    """Raised inside the pattern walk for anything whose meaning is not certain."""


def _plain_syntax(pattern: str) -> bool:
    """No syntax that the ``regex`` module reads differently from ``re``: fuzzy constraints
    (``{e<=1}``), POSIX classes and nested sets (``[[:alpha:]]``). ``regex``-only escapes and groups
    (``\\p{Han}``, ``(?|…)``, ``(?V1)``) fail to parse with ``re`` and need no check here."""
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
        elif ch == "[":
            i = class_end(pattern, i)
            if i == -1:  # a nested set
                return False
        elif ch == "{":
            if not _QUANTIFIER.match(pattern, i):
                return False
            i += 1
        else:
            i += 1
    return True


def _rarity(lit: str) -> float:
    # ASCII (digits of years, Latin letters) is common in plans; a Chinese character less so
    return sum(0.5 if c.isascii() else 1.0 for c in lit)


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective of two requirements (rarest least rare string, then fewest strings);
    a set holding the empty string requires nothing."""
    ok = [x for x in (a, b) if x and "" not in x]
    if not ok:
        return None
    return max(ok, key=lambda x: (min(map(_rarity, x)), -len(x)))


def _seq_literals(items: Any) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """(every string the sequence can match, when few; strings one of which every match contains)."""
    run: frozenset[str] = frozenset({""})
    whole = True
    best: frozenset[str] | None = None
    for op, av in items:
        exact, required = _node_literals(op, av)
        if exact is not None and len(run) * len(exact) <= _LITERAL_SETS:
            run = frozenset(a + b for a in run for b in exact)
            continue
        whole = False
        best = _better(best, run)
        if exact is not None:
            run = exact
        else:
            run = frozenset({""})
            best = _better(best, required)
    best = _better(best, run)
    return (run if whole else None), best


def _node_literals(op: Any, av: Any) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    from re import _constants as c

    if op is c.LITERAL:
        return frozenset({chr(av)}), None
    if op is c.IN:
        chars: set[str] = set()
        for item_op, item in av:
            if item_op is c.LITERAL:
                chars.add(chr(item))
            elif item_op is c.RANGE and item[1] - item[0] < 16:
                chars.update(chr(x) for x in range(item[0], item[1] + 1))
            else:
                return None, None  # a negated class, a category (\\d) or a wide range
        return (frozenset(chars), None) if len(chars) <= 16 else (None, None)
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return frozenset({""}), None  # zero width: adds no character to the match
    if op is c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & ~(c.SRE_FLAG_MULTILINE | c.SRE_FLAG_DOTALL):
            raise _Unsure  # (?i:…) and the like change which characters match
        return _seq_literals(sub)
    if op is c.ATOMIC_GROUP:
        return _seq_literals(av)
    if op is c.BRANCH:
        infos = [_seq_literals(branch) for branch in av[1]]
        exacts = [e for e, _ in infos]
        exact = None
        if all(e is not None for e in exacts):
            union = frozenset().union(*exacts)  # type: ignore[arg-type]
            exact = union if len(union) <= _LITERAL_SETS else None
        needs = [_better(e, r) for e, r in infos]
        if any(x is None for x in needs):
            return exact, None
        required = frozenset().union(*needs)  # type: ignore[arg-type]
        return exact, (required if len(required) <= 4 * _LITERAL_SETS else None)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        exact, required = _seq_literals(sub)
        if lo == 0:
            return (exact | {""} if exact is not None and hi == 1 else None), None
        if lo == hi == 1:
            return exact, required
        return None, _better(exact, required)
    return None, None  # any character, a back-reference, a conditional…


@functools.lru_cache(maxsize=256)
def _any_of(literals: frozenset[str]) -> re.Pattern[str]:
    """One pattern for a set of literals (sorted, so that the cache sees one pattern per set)."""
    return re.compile("|".join(re.escape(lit) for lit in sorted(literals)))


@functools.lru_cache(maxsize=1024)
def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains (None: no such set is known).

    A paragraph that contains none of them cannot match, wherever a search starts or ends, since
    lookarounds and anchors add no character to a match. Conservative: flags that change what a
    character matches (``(?i)``, verbose mode), ``regex``-only syntax, back-references and
    anything else not understood give None."""
    if not _plain_syntax(pattern):
        return None
    try:
        from re import _constants as c
        from re import _parser

        parsed = _parser.parse(pattern)
        if parsed.state.flags & ~(c.SRE_FLAG_UNICODE | c.SRE_FLAG_MULTILINE | c.SRE_FLAG_DOTALL):
            return None
        exact, required = _seq_literals(parsed.data)
    except Exception:  # a prefilter: whatever it cannot read, it does not filter
        return None
    literals = _better(exact, required)
    if literals is None or any("\n" in lit for lit in literals):
        return None
    # a text holding 主席令第 holds 主席令: the longer literal tells nothing more
    return frozenset(lit for lit in literals if not any(o != lit and o in lit for o in literals))


def _opt_map(value: Any) -> dict[str, Any]:
    """Options arrive frozen (a mapping becomes a tuple of pairs); give the mapping back."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        return dict(value)
    return {}


# --- duties -----------------------------------------------------------------------------------

# Words that carry no task: what is left of a duty once they (and the vague formula) are gone
# tells whether the duty names anything a reviewer could check.
_DUTY_FILLER = re.compile(
    r"负责|承担|做好|开展|落实|完成|按照|根据|依据|遵照|服从|执行|配合|协助|参与|相关|有关|其他|其它|各项|各自|本职|相应"
    r"|职责|职能|分工|范围|工作|任务|事项|及时|认真|切实|积极|领导|上级|指挥部|领导小组|指挥|交办|安排|部署|要求|指令"
    r"|指示|命令|本单位|本部门|单位|部门|成员|实际|需要|情况|的|和|与|及|并|等|为|由|对|在|内|好|应|要|须"
)
# "X、Y、Z等部门按照职责……": the owners named before the duty, removed like a "单位：" prefix
_OWNER_SUBJECT = re.compile(
    r"^[^，,。；;\n]{0,80}?(?:部门|单位|机构|成员|各方)"
    r"(?=[^，,。；;\n]{0,4}(?:按照|根据|依据|做好|负责|配合|协助|要|应|承担|据其|的))"
)
# Where one owner's duty list ends and the next begins: "（3）县公安局：" or "2. 后勤组："
_ENTRY_START = re.compile(
    r"(?:^|(?<=[。；;\n]))\s*(?:[（(]?[0-9０-９一二三四五六七八九十]{1,3}[)）.．、]\s*)?[^：:。；;\n]{2,24}[：:]"
)
_OWNER_PREFIX = re.compile(r"^[^：:。；\n]{1,24}[：:]")


def _concrete_chars(entry: str, spans: list[tuple[int, int]]) -> int:
    """CJK characters of an entry that are neither the vague formula, the owner, nor filler."""
    from yjplan.match.extract import ROLE_WORDS

    kept = []
    last = 0
    for s, e in sorted(spans):
        kept.append(entry[last:s])
        last = max(last, e)
    kept.append(entry[last:])
    text = _OWNER_PREFIX.sub("", "".join(kept).lstrip(" \t　0123456789.．、)）(（一二三四五六七八九十"))
    text = _OWNER_SUBJECT.sub("", text)
    if _any_role().search(text):  # (with none of them in it, every replacement leaves it as it is)
        for role in ROLE_WORDS:
            text = text.replace(role, "")
    text = _DUTY_FILLER.sub("", text)
    return len(_CJK.findall(text))


@functools.cache
def _any_role() -> re.Pattern[str]:
    from yjplan.match.extract import ROLE_WORDS

    return re.compile("|".join(map(re.escape, ROLE_WORDS)))


def _entries(u: Unit) -> list[tuple[int, int]]:
    """A unit's duty entries: each table row; in text, each owner's part ("单位：…" up to the next
    "单位："), or the whole paragraph when no owner is named."""
    if u.table is not None:
        return [(m.start(), m.end()) for m in _LINE.finditer(u.text)]
    starts = sorted({0, *(m.start() for m in _ENTRY_START.finditer(u.text))})
    ends = [*starts[1:], len(u.text)]
    return [(s, e) for s, e in zip(starts, ends, strict=True) if u.text[s:e].strip()]


# A catch-all group given only a formula: "其他成员单位按照各自职责做好相关工作", "各协作部门的……据其职责而定".
_CATCH_ALL = re.compile(
    r"(?:其他|其它|其余|各|有关|相关|等)[^，,。；;\n]{0,12}(?:部门|单位|机构|成员)[^，,。；;\n]{0,10}$"
)


_TAIL = re.compile(r"交办的其他")


def _clause_before(text: str, pos: int) -> str:
    cut = max(text.rfind(c, 0, pos) for c in "，,。；;\n")
    return text[cut + 1 : pos]


def vague_duties(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Duty entries that consist of a vague formula only (“负责职责范围内的相关工作”), and catch-all
    groups given only a formula (“其他成员单位按照各自职责做好相关工作”).

    An entry is one owner's duties (a table row, or "单位：…" up to the next owner). An owner with a
    concrete task and a vague tail (“负责现场警戒……完成领导交办的其他任务”) is not flagged."""
    from yjplan.match.extract import extract_cached

    min_concrete = int(opts.get("min_concrete", 6))
    out: list[Found] = []
    for i in _with_hits("vague_duty", units, ctx):
        u = units[i]
        if u.kind not in ("paragraph", "list_item", "table"):
            continue
        for s, e in _entries(u):
            entry = u.text[s:e]
            hits = extract_cached("vague_duty", entry, ctx.memo)
            if not hits:
                continue
            catch_all = [h for h in hits if _CATCH_ALL.search(_clause_before(entry, h.start))]
            if catch_all:
                hits = catch_all
            elif _concrete_chars(entry, [(h.start, h.end) for h in hits]) >= min_concrete:
                continue
            elif all(_TAIL.search(h.quote) for h in hits) and not _OWNER_PREFIX.match(entry.strip()):
                continue  # "7. 完成领导小组交办的其他事项" closes an owner's list; it is not the owner's duty
            h = hits[0]
            out.append(Found(i, s + h.start, s + h.end, "vague_duty", value=h.value,
                             note="职责只有套话，没有具体任务"))
    return tuple(out)


def _duty_owner(u: Unit) -> tuple[tuple[str, ...], str]:
    prefix = _OWNER_PREFIX.match(u.text.lstrip(" \t　0123456789.．、)）(（一二三四五六七八九十"))
    return (u.section_path, prefix.group(0)[:-1].strip() if prefix else "")


def copied_duties(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """A unit (group) whose duties are largely the same sentences as another unit's.

    Owners are the “单位：” prefix of a paragraph, or the section it sits in. A shared generic tail
    (“完成交办的其他任务”) does not count; an owner is flagged when at least half of its duty
    sentences repeat another owner's word for word."""
    from yjplan.match.extract import extract_cached

    min_len = int(opts.get("min_chars", 10))
    share = float(opts.get("share", 0.5))
    owners: dict[tuple[tuple[str, ...], str], list[tuple[str, int, int, int]]] = defaultdict(list)
    current: dict[tuple[str, ...], str] = {}
    for i, u in enumerate(units):
        if u.kind not in _TEXT_KINDS:
            continue
        path, name = _duty_owner(u)
        if name:
            current[path] = name
        owner = (path, name or current.get(path, ""))
        for m in _SENTENCE.finditer(u.text):
            sentence = m.group(0)
            body = _OWNER_PREFIX.sub("", sentence.strip())
            key = _NORM.sub("", body)
            if len(key) < min_len or extract_cached("vague_duty", body, ctx.memo):
                continue
            owners[owner].append((key, i, m.start(), m.end()))
    seen: dict[str, tuple[tuple[str, ...], str]] = {}
    out: list[Found] = []
    for owner, sentences in owners.items():
        keys = {k for k, *_ in sentences}
        others: dict[tuple[tuple[str, ...], str], int] = defaultdict(int)
        for k in keys:
            if k in seen and seen[k] != owner:
                others[seen[k]] += 1
        if others and max(others.values()) >= max(1, share * len(keys)):
            for k, i, s, e in sentences:
                if k in seen and seen[k] != owner:
                    out.append(Found(i, s, e, "copied_duty", note="与其他单位的职责逐字相同"))
                    break
        for k in keys:
            seen.setdefault(k, owner)
    return tuple(out)


_DUTY_VERB = re.compile(r"负责|承担|组织|协助|配合|指导|协调|做好|开展|提供|保障|实施|落实|督促|牵头")
# Task words a reviewer can check: an entry that names none of them assigns nothing concrete.
_TASK_TERM = re.compile(
    r"搜救|搜寻|救援|抢险|抢修|抢通|转移|安置|疏散|撤离|救治|急救|医疗|防疫|消杀|消毒|警戒|管制|治安|秩序|通信|供电|供水"
    r"|电力|物资|储备|调拨|调运|运输|监测|巡查|排查|调查|评估|宣传|舆情|新闻|发布|值守|值班|接报|报送|汇总|统计|后勤|生活"
    r"|救助|补偿|保险|技术|专家|气象|水文|地质|水利|道路|桥梁|公路|消防|灭火|扑救|堵漏|洗消|检测|测绘|遥感|资金|经费|捐赠"
    r"|心理|遇难|善后|恢复|重建|鉴定|勘察|预警|预报|会商|研判|调度|联络|核查|核定|预案|演练|培训|隐患|险情|灾情|伤员|遗体"
    r"|食品|饮用水|药品|房屋|校舍|学生|群众|人员|车辆|装备|设施|场所|现场"
)


def duty_entries(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Duty statements that assign a checkable task: a duty verb, a task word, and more than a
    vague formula (see vague_duties). One span per distinct entry (sentence or table row)."""
    from yjplan.match.extract import extract_cached

    min_concrete = int(opts.get("min_concrete", 6))
    seen: set[str] = set()
    out: list[Found] = []
    # an entry needs a duty verb: paragraphs without one are found in one scan and skipped
    candidates = _units_matching(_DUTY_VERB, units, ctx)
    for i in candidates:
        u = units[i]
        if u.kind not in ("paragraph", "list_item", "table"):
            continue
        pattern = _LINE if u.table is not None else _SENTENCE
        for m in pattern.finditer(u.text):
            entry = m.group(0)
            verb = _DUTY_VERB.search(entry)
            if verb is None or not _TASK_TERM.search(entry, verb.start()):
                continue
            vague = [(h.start, h.end) for h in extract_cached("vague_duty", entry, ctx.memo)]
            if _concrete_chars(entry, vague) < min_concrete:
                continue
            key = _NORM.sub("", entry)
            if key in seen:
                continue
            seen.add(key)
            out.append(Found(i, m.start() + verb.start(), m.end(), "duty", value=key[:40]))
    return tuple(out)


_FACT_NUMBER = re.compile(
    r"(?<![0-9０-９.．])([0-9０-９]+(?:[.．][0-9０-９]+)?)[ \u3000]?(万|亿)?[ \u3000]?"
    r"(平方公里|平方千米|万立方米|立方米|公里|千米|万亩|亩|公顷|座|处|户|人|条|家|所|个|名|米|吨|辆|艘|口|台|间|栋|套|km|m³)"
)
_FACT_NOT_AFTER = re.compile(
    r"^(?:及|或|（含）|\(含\))?"
    r"(?:以上|以下|以内|左右|至|到|—|-|~|～|、|死亡|失踪|受伤|重伤|被困|伤亡|中毒|遇难|次|/)"
)
_THRESHOLD_CLAUSE = re.compile(
    r"启动|响应|预警|达到|超过|以上|以下|标准|条件|死亡|失踪|伤亡|损失|之一|紧急转移|生活救助|倒塌|损坏|缺粮|缺水|受灾|造成"
)


_ANY_DIGIT = re.compile(r"[0-9０-９]")


def local_facts(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Counts of local things (户, 人, 座, 公里, 立方米, 台…) stated as facts about the place or site,
    not as thresholds: a clause that starts a response or warning (“死亡10人以上”, “达到…之一”) is
    skipped, and so is a number followed by 以上/以下/或 (a range or list of thresholds)."""
    out: list[Found] = []
    seen: set[str] = set()
    # a count needs a digit: paragraphs without one are found in one scan and skipped
    candidates = _units_matching(_ANY_DIGIT, units, ctx)
    for i in candidates:
        u = units[i]
        if u.kind == "heading":
            continue
        text = u.text
        for clause in _CLAUSE.finditer(text):
            if _THRESHOLD_CLAUSE.search(clause.group(0)):
                continue
            for m in _FACT_NUMBER.finditer(text, clause.start(), clause.end()):
                after = re.sub(r"\s", "", text[m.end() : m.end() + 8])
                if _FACT_NOT_AFTER.match(after):
                    continue
                key = re.sub(r"\s", "", m.group(0))
                if key not in seen:
                    seen.add(key)
                    out.append(Found(i, m.start(), m.end(), "local_fact", value=key))
    return tuple(out)


# --- response levels ----------------------------------------------------------------------------

_LEVEL_LABEL = re.compile(r"([一二三四ⅠⅡⅢⅣIV1-4]{1,3})\s*级(应急)?响应")
_GRADE_ONLY = re.compile(r"(特别重大|重大|较大|一般)(突发事件|事件|事故|灾害|险情|灾情)")


def restated_grades(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Response levels defined only by restating the event grade ("发生重大事件时启动Ⅱ级响应")."""
    from yjplan.match.extract import extract_cached

    out: list[Found] = []
    # a level label ends in 响应: paragraphs without it are found in one scan and skipped
    candidates = _units_containing(frozenset({"响应"}), units, ctx)
    for i in candidates:
        u = units[i]
        if u.kind == "heading":
            continue
        for sentence in _CLAUSE.finditer(u.text):
            s = sentence.group(0)
            if not _LEVEL_LABEL.search(s) or not _GRADE_ONLY.search(s):
                continue
            if extract_cached("trigger_condition", s, ctx.memo) or _SITUATION.search(s) or len(s) > 90:
                continue
            out.append(Found(i, sentence.start(), sentence.end(), "restated_grade",
                             note="响应级别只对应事件等级，未写启动条件"))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Piece:
    unit: int
    start: int
    end: int
    text: str
    action: bool = False  # under a "响应措施/响应行动" sub-heading of the level: what to do, not when


_ACTION_HEADING = re.compile(r"(响应|应急|处置)?(措施|行动)|响应程序|工作(内容|要求)|响应内容")

# Observable start situations other than numbers: a warning colour, a water-level mark, the
# superior level's response, or the spread of the impact. "能否自行处置" alone does not count:
# it restates the level instead of saying when it applies.
_SITUATION = re.compile(
    r"(?:红色|橙色|黄色|蓝色)(?:预警|警报)|(?:预警|警报)[^，。；\n]{0,6}(?:红色|橙色|黄色|蓝色)"
    r"|(?:超|超过|达到|接近|突破)(?:警戒|保证|汛限|设计|历史最高)(?:洪)?水位"
    r"|(?:国家|省|市|县|区|上级|公司)[^，。；\n]{0,12}启动[^，。；\n]{0,8}(?:[一二三四ⅠⅡⅢⅣIV1-4]{1,3}级)?[^，。；\n]{0,4}响应"
    r"|(?:影响|涉及|波及|跨)[^，。；\n]{0,8}(?:两个|2个|二个|三个|3个|多个|几个)(?:或|及)?以上[^，。；\n]{0,8}"
    r"(?:省|市|县|区|乡镇|镇|街道|村|社区|车间|部门|区域|流域)"
)
_LEVEL_NEAR_START = 18


_NUMBERING = re.compile(
    r"^[\s#|　]*(?:第[一二三四五六七八九十]+[章节条]|[（(][一二三四五六七八九十0-9０-９]{1,3}[)）]"
    r"|[一二三四五六七八九十]{1,3}[、.．]"
    r"|[0-9０-９]+(?:[.．][0-9０-９]+)*[.．、]?|[①-⑳])?[\s　|]*"
)
_OPENERS = frozenset(("", "启动", "实施", "进入", "发生", "当"))


def _level_at_start(text: str, memo: dict[Any, Any] | None = None) -> str | None:
    """The response level a piece of text opens with (“Ⅱ级响应：…”, “| Ⅳ级 | …”, “二、公司级响应”),
    not one it mentions in passing (“县级启动Ⅲ级响应时…”). ``memo``: an audit's ``Context.memo``;
    rules with different scopes ask about the same sentences."""
    if memo is None:
        return _level_opening(text, None)
    cache = memo.get("checks.level_at_start")
    if cache is None:
        cache = memo["checks.level_at_start"] = {}
    if text not in cache:
        cache[text] = _level_opening(text, memo)
    return cache[text]  # type: ignore[no-any-return]


def _level_opening(text: str, memo: dict[Any, Any] | None) -> str | None:
    from yjplan.match.extract import extract_cached

    body = text[_NUMBERING.match(text).end():]  # type: ignore[union-attr]
    for h in extract_cached("response_level", body[: _LEVEL_NEAR_START + 12], memo):
        if h.flag not in (None, "unit_level") or h.start > _LEVEL_NEAR_START:
            continue
        before = "".join(c for c in body[: h.start] if "\u4e00" <= c <= "\u9fff")
        return h.value if before in _OPENERS else None
    return None


_CJK = re.compile(r"[\u4e00-\u9fff]")


def table_rows(u: Unit) -> list[tuple[int, int, str]]:
    """(start, end, text) of each row of a table unit: cells may hold line breaks, so rows are
    taken from the table, and offsets from the row lengths (the unit text joins rows with \\n)."""
    assert u.table is not None
    out: list[tuple[int, int, str]] = []
    pos = 0
    for row in u.table.rows:
        text = "\t".join(row)
        out.append((pos, pos + len(text), text))
        pos += len(text) + 1
    return out


def level_segments(units: list[Unit], ctx: Context | None = None) -> dict[str, list[_Piece]]:
    """Response level → the text that describes it: from the heading, sentence or table row that
    opens with the level to the next level, or to the next heading at the same or a higher level of
    the outline. A table row counts only when it opens with a level itself. ``ctx``: the audit's
    context, to share work with other rules (None: compute everything here)."""
    memo = None if ctx is None else ctx.memo
    # paragraphs without a level word cannot open a level (found in one scan of all paragraphs)
    openers = None if ctx is None or memo is None else set(_with_hits("response_level", units, ctx))
    segments: dict[str, list[_Piece]] = defaultdict(list)
    current: str | None = None
    depth = 0
    acting = False
    for i, u in enumerate(units):
        if u.kind == "heading":
            level = _level_at_start(u.text, memo)
            if level is not None:
                current, depth, acting = level, len(u.section_path), False
                segments[current].append(_Piece(i, 0, len(u.text), u.text))
            elif current is not None and len(u.section_path) <= depth:
                current = None
            elif current is not None:
                acting = bool(_ACTION_HEADING.search(u.text))
            continue
        if u.table is not None:
            for start, end, row in table_rows(u):
                level = _level_at_start(row, memo)
                if level is not None and len(_CJK.findall(row)) >= 4:  # a row of ticks is no definition
                    segments[level].append(_Piece(i, start, end, row))
            continue
        if current is None and openers is not None and i not in openers:
            continue  # no sentence opens a level, and there is no level to add them to
        for m in _SENTENCE.finditer(u.text):
            level = _level_at_start(m.group(0), memo)
            if level is not None:
                current, depth, acting = level, len(u.section_path) + 1, False
            if current is not None:
                segments[current].append(_Piece(i, m.start(), m.end(), m.group(0), acting))
    return segments


def _segments(units: list[Unit], ctx: Context) -> dict[str, list[_Piece]]:
    """``level_segments`` once per unit list per audit: three checks read the same segments."""
    return _per_units(ctx, "checks.levels", units, lambda: level_segments(units, ctx))  # type: ignore[no-any-return]


def response_levels(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """One span per response level that the plan defines (a heading, sentence or row opening with it)."""
    out: list[Found] = []
    for level, pieces in _segments(units, ctx).items():
        p = pieces[0]
        out.append(Found(p.unit, p.start, min(p.end, p.start + 40), "response_level", value=level))
    return tuple(out)


def level_triggers(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """One span per response level whose own text states an observable start condition."""
    from yjplan.match.extract import extract_cached

    out: list[Found] = []
    for level, pieces in _segments(units, ctx).items():
        for p in pieces:
            if p.action:
                continue  # "市防指启动Ⅲ级响应" under 响应行动 says what happens, not when
            hits = extract_cached("trigger_condition", p.text, ctx.memo)
            if hits:
                h = hits[0]
                out.append(Found(p.unit, p.start + h.start, p.start + h.end, "level_trigger", value=level,
                                 note=f"{level}级的启动条件"))
                break
            m = _SITUATION.search(p.text)
            if m:
                out.append(Found(p.unit, p.start + m.start(), p.start + m.end(), "level_trigger", value=level,
                                 note=f"{level}级的启动条件"))
                break
    return tuple(out)


_RESPONSE_VERBS = re.compile(
    r"组织|派出|派遣|调集|调派|调拨|赶赴|部署|会商|值守|值班|带班|待命|转移|撤离|疏散|巡查|加密|封闭|封锁|管制|停课|停业|"
    r"抢修|抢险|搜救|救治|安置|发布|通报|报告|启用|开放|协调|指导|请求|增派|预置|前置|坐镇|到岗|进驻"
)


def level_actions(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """One span per response level whose text names at least ``min_verbs`` different actions."""
    need = int(opts.get("min_verbs", 2))
    out: list[Found] = []
    for level, pieces in _segments(units, ctx).items():
        verbs: set[str] = set()
        first: tuple[int, int, int] | None = None
        for p in pieces:
            for m in _RESPONSE_VERBS.finditer(p.text):
                verbs.add(m.group(0))
                if first is None:
                    first = (p.unit, p.start + m.start(), p.start + m.end())
        if len(verbs) >= need and first is not None:
            out.append(Found(first[0], first[1], first[2], "level_action", value=level,
                             note=f"{level}级的响应措施"))
    return tuple(out)


# --- dates ------------------------------------------------------------------------------------


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


_YEAR_MENTION = re.compile(r"(?<![0-9０-９])(19[5-9][0-9]|20[0-9][0-9])(?=\s*年|〕|\]|］|）|\))")
_REPEALED = re.compile(r"废止|同时停止|停止执行|不再执行|予以替代|代替|取代")


def _plan_date_floor(units: list[Unit], ctx: Context) -> date | None:
    """The plan's date, or for an undated plan the newest year it mentions: a plan is never older
    than the documents it cites, so this is a safe lower bound."""
    if ctx.doc.issue_date is not None:
        return ctx.doc.issue_date
    years = [int(m.group(1)) for u in units for m in _YEAR_MENTION.finditer(u.text)]
    years = [y for y in years if y <= ctx.today.year]
    return date(max(years), 1, 1) if years else None


def _table_matches(units: list[Unit], ctx: Context, table: str) -> tuple[Found, ...]:
    """Entries of a pack table (``pattern``, ``replaced_by``, ``effective``) cited in the plan.

    An entry fires only when the plan is dated at least ``grace_days`` (default 183) days after the
    replacement took effect (an undated plan is dated by the newest year it mentions; with no year at all nothing
    is flagged, because a citation is not outdated for a plan written before its replacement).
    A sentence that announces the repeal of the old document (“…同时废止”) is not a citation."""
    entries = ctx.data_get(table) or []
    # outdated_refs and obsolete_orgs both need it
    floor = _per_units(ctx, ("checks.date_floor", ctx.doc.issue_date, ctx.today), units,
                       lambda: _plan_date_floor(units, ctx))
    out: list[Found] = []
    for entry in entries:
        eff = _effective(entry)
        # days after the replacement during which a plan drafted before it is not flagged
        grace = int(entry.get("grace_days", 183))
        if eff is not None and (floor is None or (floor - eff).days < grace):
            continue
        pattern = _data_pattern(entry, table)
        # Most entries are cited nowhere: scan only the paragraphs holding a string every match
        # contains (a few ``str.find`` over the joined text instead of one search per paragraph).
        literals = None if ctx.memo is None else required_literals(pattern.pattern)
        candidates = range(len(units)) if literals is None else _units_containing(literals, units, ctx)
        for i in candidates:
            u = units[i]
            for m in _finditer_guarded(pattern, u.text, ctx, table):
                sentence_start = max(u.text.rfind(c, 0, m.start()) for c in "。；\n") + 1
                sentence_end = min((p for p in (u.text.find(c, m.end()) for c in "。；\n") if p != -1),
                                   default=len(u.text))
                if _REPEALED.search(u.text[sentence_start:sentence_end]):
                    continue
                note = f"应改为：{entry['replaced_by']}" if entry.get("replaced_by") else entry.get("note")
                out.append(Found(i, m.start(), m.end(), table, note=note, value=m.group(0)))
                break
    return tuple(out)


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> Any:
    """``regex.compile``: its own cache lookup costs ~50 µs (flag arithmetic on enums), more than
    many searches; a compiled pattern is immutable, so one per process serves every audit."""
    import regex

    return regex.compile(pattern)


def _data_pattern(entry: Mapping[str, Any], table: str):  # type: ignore[no-untyped-def]
    """A pack data table's pattern, compiled; a broken one is the pack's fault (E110), not ours."""
    import regex

    from yjplan.errors import RulePackError

    try:
        return _compiled(str(entry["pattern"]))
    except (KeyError, regex.error) as exc:
        raise RulePackError(f"规则包数据表 {table} 中的 pattern 无效：{exc}") from exc


def _finditer_guarded(pattern, text: str, ctx: Context, table: str):  # type: ignore[no-untyped-def]
    from yjplan.errors import RulePackError

    try:
        yield from pattern.finditer(text, timeout=ctx.regex_timeout)
    except TimeoutError as exc:
        raise RulePackError(f"规则包数据表 {table} 中的正则表达式运行超时（{ctx.regex_timeout} 秒），"
                            f"可能存在灾难性回溯：{pattern.pattern}") from exc


def outdated_refs(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    return _table_matches(units, ctx, "outdated")


def obsolete_orgs(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    return _table_matches(units, ctx, "obsolete_orgs")


# --- contacts and phones ----------------------------------------------------------------------


def placeholders(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    out = [Found(i, h.start, h.end, "placeholder", note="模板占位符", value=h.quote)
           for i, h in _hits("placeholder", units, ctx, ("paragraph", "list_item", "table", "heading"))]
    out += [Found(i, h.start, h.end, "placeholder_phone", note="占位电话", value=h.quote)
            for i, h in _hits("placeholder_phone", units, ctx)]
    out.sort(key=lambda f: (f.unit, f.start))
    return tuple(out)


def invalid_phones(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    return tuple(Found(i, h.start, h.end, "phone", note="号码无效", value=h.value)
                 for i, h in _hits("phone", units, ctx) if h.flag == "invalid")


_NAME_CELL = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_NOT_DIGIT = re.compile(r"\D")


def duplicate_phones(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """One number given to several different people in contacts tables (a copy-paste tell).

    Rows are told apart by the person they name: the same person listed as the keeper of many
    supplies (one number, one name) is not a duplicate."""
    limit = int(opts.get("max_rows", 3))
    from yjplan.match.extract import extract_cached, phone_hits_within

    holders: dict[str, set[str]] = defaultdict(set)
    spans: dict[str, tuple[int, int, int]] = {}
    for i in _with_hits("phone", units, ctx):
        u = units[i]
        if u.table is None:
            continue
        # a row's numbers are among its table's (phone_hits_within): rows without one are skipped
        starts = None if ctx.memo is None else [h.start for h in extract_cached("phone", u.text, ctx.memo)]
        k = 0
        offset = 0
        for r, line in enumerate(u.text.split("\n")):
            end = offset + len(line)
            if starts is not None:
                while k < len(starts) and starts[k] < offset:
                    k += 1
                if k == len(starts):
                    break
                if starts[k] >= end:
                    offset = end + 1
                    continue
            cells: list[str] | None = None
            for h in phone_hits_within(u.text, offset, end, ctx.memo):
                digits = _NOT_DIGIT.sub("", h.value or h.quote)
                if h.flag is not None or len(digits) < 7:
                    continue
                number = h.value or h.quote
                if cells is None:  # only rows with a number need their cells
                    cells = [c.strip() for c in line.split("\t")]
                names = [c for c in cells if _NAME_CELL.match(c) and number not in c]
                holders[number].add(names[-1] if names else f"row{i}:{r}")
                spans[number] = (i, offset + h.start, offset + h.end)
            offset = end + 1
    out: list[Found] = []
    for number, people in holders.items():
        if len(people) >= limit:
            i, s, e = spans[number]
            out.append(Found(i, s, e, "duplicate_phone", note=f"同一号码分给了 {len(people)} 个不同的人", value=number))
    return tuple(out)


_WINDOWS = {
    "line": _LINE,
    "sentence": re.compile(r"[^。；;\n]+"),
    "clause": re.compile(r"[^。；;，,ꎬ\n]+"),
}


_WINDOW_ENDS = {"line": "\n", "sentence": "。；;\n", "clause": "。；;，,ꎬ\n"}  # what each of _WINDOWS stops at


def _windows_at(name: str, text: str, positions: list[int]) -> list[re.Match[str]]:
    """The windows of ``_WINDOWS[name]`` over ``text`` that hold one of ``positions`` (ascending,
    none on a window end), in order: each is the window match that starts after the last window
    end before the position (looked for back to the previous window's end, which is one)."""
    pattern, ends = _WINDOWS[name], _WINDOW_ENDS[name]
    out: list[re.Match[str]] = []
    for p in positions:
        if out and p < out[-1].end():
            continue
        start = max(text.rfind(c, out[-1].end() if out else 0, p) for c in ends) + 1
        w = pattern.match(text, start)
        if w is not None:
            out.append(w)
    return out


def near(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """A pattern and an extractor hit (or a second pattern) in the same line or sentence.

    Options: ``pattern`` (regex, required), ``extract`` (extractor name) and/or ``pattern2``
    (regex), ``window`` (``line``: a table row or a text line — the default; ``sentence``;
    ``clause``: between commas)."""
    from yjplan.match.extract import extract_cached, extractor_triggers, phone_hits_within

    first = _compiled(str(opts["pattern"]))
    second = _compiled(str(opts["pattern2"])) if opts.get("pattern2") else None
    extractor = opts.get("extract")
    window_name = str(opts.get("window", "line"))
    window = _WINDOWS[window_name]
    # A window can only match where it holds a string every match of each pattern contains, and
    # only yield hits where it holds the extractor's trigger: the units and then the windows that
    # do not are skipped before any ``regex`` search (a few µs each, thousands per plan).
    # A window's phone numbers are among its unit's numbers inside it (phone_hits_within): only
    # units with a number are read, and in them only the windows holding one of its unflagged
    # numbers; the others yield nothing and are not searched.
    phones = extractor == "phone" and ctx.memo is not None
    candidates: Sequence[int] = _with_hits("phone", units, ctx) if phones else range(len(units))
    needs: list[re.Pattern[str]] = []
    if ctx.memo is not None:
        for source in (opts["pattern"], opts.get("pattern2")):
            literals = required_literals(str(source)) if source else None
            if literals is not None:
                if not phones:  # (with phones, the few windows read are checked for them below)
                    candidates = sorted(set(candidates).intersection(_units_containing(literals, units, ctx)))
                needs.append(_any_of(literals))
        triggers = extractor_triggers(str(extractor)) if extractor else ()
        if len(triggers) == 1:  # (several would need any-of, not all-of)
            needs.append(triggers[0])
    out: list[Found] = []
    for i in candidates:
        u = units[i]
        if u.kind == "heading":
            continue
        numbers: list[int] = []
        if phones:
            numbers = [h.start for h in extract_cached("phone", u.text, ctx.memo) if h.flag is None]
            if not numbers or (needs and not all(n.search(u.text) for n in needs)):
                continue  # (a window holds what its unit holds)
        for w in _windows_at(window_name, u.text, numbers) if phones else window.finditer(u.text):
            text = w.group(0)
            if needs and not all(n.search(text) for n in needs):
                continue
            m = first.search(text, timeout=ctx.regex_timeout)
            if m is None:
                continue
            if second is not None and second.search(text, timeout=ctx.regex_timeout) is None:
                continue
            if extractor:
                found = (phone_hits_within(u.text, w.start(), w.end(), ctx.memo) if phones
                         else extract_cached(str(extractor), text, ctx.memo))
                hits = [h for h in found if h.flag is None]
                if not hits:
                    continue
                value = f"{m.group(0)}:{hits[0].value or hits[0].quote}"
            else:
                value = f"{m.group(0)}:{w.start()}"
            out.append(Found(i, w.start() + m.start(), w.start() + m.end(), "near", value=value))
    return tuple(out)


# --- drills -----------------------------------------------------------------------------------

_DRILL = re.compile(r"演练|演习")
_NOT_DRILL_RULE = re.compile(r"经费|预算|资金|费用")  # "每年开展培训、演练等所需经费" budgets, it sets no frequency
# (pattern, months between drills); the more frequent forms come first
_FREQUENCIES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"每(?:个)?月"), 1),
    (re.compile(r"每(?:个)?季(?:度)?"), 3),
    (re.compile(r"每年(?:至少|不少于|不得少于)?(?:组织|开展|进行)?(?:两|二|2|２)次|一年(?:至少)?(?:两|二|2)次"), 6),
    (re.compile(r"每(?:个)?半年|半年(?:至少|不少于)?(?:组织|开展|进行)?(?:一|1)次|每(?:个)?学期"), 6),
    (re.compile(r"每(?:一)?年|一年(?:至少|不少于)?(?:组织|开展|进行)?(?:一|1)次|每年度|年度(?:演练|计划)|汛前"), 12),
    (re.compile(r"每(?:两|二|2|２)年"), 24),
    (re.compile(r"每(?:三|3|３)年|三年(?:至少)?(?:一|1)次"), 36),
    (re.compile(r"每(?:五|5)年"), 60),
)


def drill_intervals(units: list[Unit]) -> list[tuple[int, int, int, int]]:
    """(months, unit, start, end) for every drill frequency stated in a sentence about drills."""
    out: list[tuple[int, int, int, int]] = []
    for i, u in enumerate(units):
        if u.kind == "heading":
            continue
        for m in _CLAUSE.finditer(u.text):
            sentence = m.group(0)
            if not _DRILL.search(sentence) or _NOT_DRILL_RULE.search(sentence):
                continue
            for pattern, months in _FREQUENCIES:
                f = pattern.search(sentence)
                if f:
                    out.append((months, i, m.start() + f.start(), m.start() + f.end()))
                    break
    return out


def drill_frequency(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Every drill frequency the plan states (“每年至少组织1次综合演练”), one span each."""
    return tuple(Found(i, s, e, "drill_frequency", value=f"{months}:{i}:{s}", note=f"每 {months} 个月")
                 for months, i, s, e in drill_intervals(units))


def drill_too_rare(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """The plan's most frequent drill is rarer than its type requires (``months`` per plan type)."""
    required = _opt_map(opts.get("months")).get(ctx.plan_type)
    if required is None:
        return ()
    intervals = drill_intervals(units)
    if not intervals:
        return ()
    months, i, s, e = min(intervals)
    if months <= int(required):
        return ()
    return (Found(i, s, e, "drill_frequency", value=str(months),
                  note=f"{ctx.plan_type}应至少每 {required} 个月演练一次，预案规定每 {months} 个月"),)


# --- disposal cards -----------------------------------------------------------------------------

_CARD_TITLE = re.compile(r"卡")
_CARD_POST = re.compile(r"岗位|责任人|负责人|班长|值班|操作工|内操|外操|安全员|组长|书记|网格员|监测员|管理员")
_CARD_CAUTION = re.compile(r"注意|严禁|禁止|不得|不准|不要|切勿|佩戴|穿戴|防护|上风向|确保自身安全")
_STEP_LINE = re.compile(
    r"(?:^|[\n。；;：:\t])\s*(?:\d{1,2}[.．、)）]|[(（]\d{1,2}[)）]|[①-⑳]|第[一二三四五六七八九十]步)"
)


def card_gaps(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Cards that lack a post, 3 ordered steps, a phone or a caution, or that run past ``max_chars``
    (a card must be short enough to carry). A card is the deepest section whose title names a card
    (…处置卡, …明白卡); sections under it (处置步骤, 联系电话, 注意事项) are parts of the same card."""
    from yjplan.match.extract import extract_cached

    max_chars = int(opts.get("max_chars", 1200))
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, u in enumerate(units):
        # a card is the deepest section named "…卡" (its 步骤/电话/注意事项 sub-sections belong to it)
        path = u.section_path
        cut = max((k + 1 for k, title in enumerate(path) if _CARD_TITLE.search(title)), default=len(path))
        groups[path[:cut]].append(i)
    out: list[Found] = []
    for path, idx in groups.items():
        body = [units[i] for i in idx if units[i].kind != "heading"]
        text = "\n".join(u.text for u in body)
        if len(text.strip()) < 30:
            continue  # a heading over its sub-cards, or an empty slot
        missing: list[str] = []
        if not (_CARD_POST.search(text) or extract_cached("role", text, ctx.memo)):
            missing.append("岗位或责任人")
        if len(_STEP_LINE.findall(text)) < 3:
            missing.append("3 个以上有序步骤")
        if not any(h.flag is None for h in extract_cached("phone", text, ctx.memo)):
            missing.append("联系电话")
        if not _CARD_CAUTION.search(text):
            missing.append("注意事项")
        if len(text) > max_chars:
            missing.append(f"篇幅过长（{len(text)} 字，超过 {max_chars} 字）")
        if missing:
            first = idx[0]
            out.append(Found(first, 0, min(len(units[first].text), 60), "card_gap",
                             note="处置卡缺少：" + "、".join(missing), value="/".join(path[-1:])))
    return tuple(out)


# --- document-level ---------------------------------------------------------------------------


def duplicate_paragraphs(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Paragraphs that appear twice word for word (a copy-paste left in the plan)."""
    min_len = int(opts.get("min_chars", 30))
    seen: set[str] = set()
    out: list[Found] = []
    # a key is never longer than its paragraph: shorter paragraphs can neither repeat nor be repeated
    shortest = min_len if ctx.memo is not None else 0
    texts = [(i, u) for i, u in enumerate(units) if u.kind in _TEXT_KINDS and len(u.text) >= shortest]
    keys: list[str] | None = None
    if ctx.memo is not None:
        # one substitution over all paragraphs: NUL is no punctuation, so no run crosses it
        joined = "\0".join(u.text for _, u in texts)
        if joined.count("\0") == len(texts) - 1:
            keys = _PUNCT.sub("", joined).split("\0")
    for n, (i, u) in enumerate(texts):
        key = _PUNCT.sub("", u.text) if keys is None else keys[n]
        if len(key) < min_len:
            continue
        if key in seen:
            out.append(Found(i, 0, len(u.text), "duplicate_paragraph", note="与前文段落完全相同"))
        seen.add(key)
    return tuple(out)


_LEVEL_WORDS = (("国家", re.compile(r"^(?:国家|中国|国务院|中华人民共和国|[\u4e00-\u9fff]{2,6}部(?![门分]))")),)
_ADMIN_RUN = re.compile(r"^((?:[\u4e00-\u9fff]{1,7}?(?:自治区|自治州|自治县|省|市|州|盟|县|区|旗))+)")


def admin_level(title: str) -> str | None:
    """国家 / 省 / 市 / 县 from a plan title (“湖北省武汉市江岸区…” → 县), or None."""
    title = re.sub(r"\s", "", title)
    for name, pattern in _LEVEL_WORDS:
        if pattern.match(title):
            return name
    run = _ADMIN_RUN.match(title)
    if not run:
        return None
    tail = run.group(1)
    if tail.endswith(("自治区", "省")):
        return "省"
    if tail.endswith(("市", "州", "盟", "自治州")):
        return "市"
    return "县"


def plan_level(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """The document title when it names a government of one of ``levels`` (国家/省/市/县)."""
    levels = set(opts.get("levels") or ())
    title = ctx.doc.title or ""
    level = admin_level(title)
    if level is None or level not in levels:
        return ()
    for i, u in enumerate(units):
        if title and title[:8] in u.text:
            return (Found(i, 0, min(len(u.text), 60), "plan_level", value=level, note=f"{level}级预案"),)
    return (Found(0, 0, min(len(units[0].text), 60), "plan_level", value=level),) if units else ()


def _boilerplate_entries(ctx: Context) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for entry in ctx.data_get("boilerplate") or []:
        if isinstance(entry, str):
            out.append((entry, ""))
        elif isinstance(entry, Mapping) and isinstance(entry.get("text"), str):
            out.append((entry["text"], str(entry.get("source") or "")))
    return out


def boilerplate(units: list[Unit], ctx: Context, opts: dict[str, Any]) -> tuple[Found, ...]:
    """Sentences taken word for word from national plans (pack data ``boilerplate``).

    Sentences are compared without punctuation; a plan is not compared with itself (an entry whose
    ``source`` names the plan's own title is skipped)."""
    from rapidfuzz import fuzz

    own = _PUNCT.sub("", ctx.doc.title or "")
    refs = [(_PUNCT.sub("", text), source) for text, source in _boilerplate_entries(ctx)]
    refs = [(r, s) for r, s in refs if len(r) >= 12 and not (own and own in _PUNCT.sub("", s))]
    if not refs:
        return ()
    threshold = int(opts.get("similarity", 90))
    if ctx.memo is not None:
        return _boilerplate_shortlisted(units, refs, threshold)
    out: list[Found] = []
    for i, u in enumerate(units):
        if u.kind not in _TEXT_KINDS or len(u.text) < 12:
            continue
        for m in _BOILERPLATE_SENTENCE.finditer(u.text):
            s = _PUNCT.sub("", m.group(0))
            for ref, source in refs:
                if abs(len(ref) - len(s)) > len(ref) // 3 and ref not in s:
                    continue
                if ref in s or fuzz.ratio(ref, s) >= threshold:
                    out.append(Found(i, m.start(), m.end(), "boilerplate",
                                     note=f"与{source or '上级预案'}原文相同"))
                    break
    return tuple(out)


_BOILERPLATE_SENTENCE = re.compile(r"[^。！？\n]{12,}[。！？]?")


def _boilerplate_shortlisted(units: list[Unit], refs: list[tuple[str, str]], threshold: int) -> tuple[Found, ...]:
    """``boilerplate`` with the same result: the full comparison runs only for the sentences that
    can match some reference.

    A reference matches when the sentence contains it or when ``fuzz.ratio`` reaches the threshold.
    ``fuzz.ratio`` is 100 × (1 − indel distance / total length) and the indel distance is at least
    the difference in length, so a reference much longer or shorter than a sentence can only match
    by being contained in it. One search over all sentences finds those that contain a reference;
    then each reference is scored against the sentences of a fitting length in one ``extract``
    call, with a cutoff one point below the threshold (far from any rounding)."""
    from rapidfuzz import fuzz, process

    # one scan over the paragraphs joined by newlines: no sentence crosses a newline
    eligible = [i for i, u in enumerate(units) if u.kind in _TEXT_KINDS and len(u.text) >= 12]
    texts = [units[i].text for i in eligible]
    offsets = list(itertools.accumulate((len(t) + 1 for t in texts), initial=0))
    matches = list(_BOILERPLATE_SENTENCE.finditer("\n".join(texts)))
    sentences = [m.group(0) for m in matches]
    spans: list[tuple[int, int, int]] = []
    k = 0
    for m in matches:
        start = m.start()
        while offsets[k + 1] <= start:
            k += 1
        spans.append((eligible[k], start - offsets[k], m.end() - offsets[k]))
    if not sentences:
        return ()
    # one substitution for all sentences: NUL is no punctuation, so no removed run crosses it
    joined = "\0".join(sentences)
    if joined.count("\0") == len(sentences) - 1 and not any("\0" in r for r, _ in refs):
        stripped_joined = _PUNCT.sub("", joined)
        stripped = stripped_joined.split("\0")
    else:
        stripped = [_PUNCT.sub("", x) for x in sentences]
        stripped_joined = "\0".join(stripped)
    starts = list(itertools.accumulate((len(x) + 1 for x in stripped), initial=0))
    maybe: set[int] = set()
    any_ref = re.compile("|".join(re.escape(r) for r, _ in refs))
    m = any_ref.search(stripped_joined)
    while m is not None:
        k = bisect.bisect_right(starts, m.start()) - 1
        maybe.add(k)
        m = any_ref.search(stripped_joined, starts[k + 1]) if k + 1 < len(stripped) else None
    by_length: dict[int, list[int]] = defaultdict(list)
    for k, x in enumerate(stripped):
        by_length[len(x)].append(k)
    lengths = sorted(by_length)
    for ref, _source in refs:
        lr = len(ref)
        # the lengths n with |lr - n| <= lr // 3, found by bisection
        window = lengths[bisect.bisect_left(lengths, lr - lr // 3) : bisect.bisect_right(lengths, lr + lr // 3)]
        fitting = [k for n in window
                   # a small margin keeps a length whose bound equals the threshold up to rounding
                   if 100 * (1 - abs(lr - n) / (lr + n)) >= threshold - 1e-6
                   for k in by_length[n]]
        scored = process.extract(ref, [stripped[k] for k in fitting], scorer=fuzz.ratio,
                                 score_cutoff=max(0, threshold - 1), limit=None)
        maybe.update(fitting[index] for _choice, _score, index in scored)
    out: list[Found] = []
    for k in sorted(maybe):
        s, n = stripped[k], len(stripped[k])
        found = next((source for ref, source in refs
                      if (abs(len(ref) - n) <= len(ref) // 3 or ref in s)
                      and (ref in s or fuzz.ratio(ref, s) >= threshold)), None)
        if found is not None:
            i, start, end = spans[k]
            out.append(Found(i, start, end, "boilerplate", note=f"与{found or '上级预案'}原文相同"))
    return tuple(out)


CHECKS: Mapping[str, CheckFn] = MappingProxyType(
    {
        "vague_duties": vague_duties,
        "copied_duties": copied_duties,
        "restated_grades": restated_grades,
        "response_levels": response_levels,
        "level_triggers": level_triggers,
        "level_actions": level_actions,
        "issue_date": issue_date,
        "stale_plan": stale_plan,
        "outdated_refs": outdated_refs,
        "obsolete_orgs": obsolete_orgs,
        "placeholders": placeholders,
        "invalid_phones": invalid_phones,
        "duplicate_phones": duplicate_phones,
        "near": near,
        "drill_frequency": drill_frequency,
        "drill_too_rare": drill_too_rare,
        "card_gaps": card_gaps,
        "duplicate_paragraphs": duplicate_paragraphs,
        "duty_entries": duty_entries,
        "local_facts": local_facts,
        "plan_level": plan_level,
        "boilerplate": boilerplate,
    }
)
