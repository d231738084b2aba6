"""The fast paths give exactly the answers of the plain ones.

* Matching: within one audit the engine resolves each scope once (``SectionIndex``), takes every
  scope's units as slices of the document's units (``DocUnits``), reuses extractor results, searches
  all units in one call (keywords; patterns whose matches a newline cannot change), skips ahead to
  the matches of patterns that start with a run of one character class, and stops searching once
  it has what a finding quotes (``evaluate(…, limit)``). ``Context(memo=None)`` selects the
  reference path that does none of this; every corpus plan, every sample and a generated 30-page
  plan are audited both ways and must give equal findings.
* Reading: the .docx reader (zipfile + lxml) must read the same text as python-docx on every
  .docx of the corpus and the samples, and the PDF reader the same characters as pdfplumber on
  the sample PDF (after whitespace, running headers and page numbers are set aside).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS, ROOT, SAMPLES
from yjplan.match import evidence, scope
from yjplan.match.engine import _evidence, evaluate_rule
from yjplan.match.evidence import Context, evaluate
from yjplan.match.units import Unit, UnitCache, units_of
from yjplan.model import Document, Location, Section
from yjplan.pipeline import AuditOptions, rules_for
from yjplan.rules.schema import PLAN_TYPES, Scope, Spec

TODAY = date(2026, 6, 30)
PLAN_SUFFIXES = (".docx", ".pdf", ".txt", ".md", ".doc", ".wps")


def _plans() -> list[Path]:
    found = [p for p in sorted(CORPUS.glob("*")) if p.suffix in PLAN_SUFFIXES]
    found += [p for p in sorted(SAMPLES.glob("*")) if p.suffix in PLAN_SUFFIXES]
    return found


def _both_ways(doc: Document, plan_type: str) -> tuple[list[Any], list[Any]]:
    rules, data, _, _ = rules_for(plan_type, AuditOptions())
    fast_ctx = Context(doc=doc, data=data, today=TODAY, plan_type=plan_type)
    fast = [evaluate_rule(r, doc, fast_ctx) for r in rules]
    ref_ctx = Context(doc=doc, data=data, today=TODAY, plan_type=plan_type, memo=None)
    ref = [evaluate_rule(r, doc, ref_ctx) for r in rules]
    return fast, ref


def _assert_same(fast: list[Any], ref: list[Any], where: str) -> None:
    assert len(fast) == len(ref)
    for a, b in zip(fast, ref, strict=True):
        assert a == b, f"{where}: {a.rule_id} differs\nfast: {a}\nref:  {b}"


# --- whole audits -------------------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("path", _plans(), ids=lambda p: p.name)
def test_audit_findings_identical_to_reference(path: Path, corpus_dir: Path) -> None:
    from yjplan.parse import read_document
    from yjplan.plantype import detect_plan_type

    if path.suffix in (".doc", ".wps") and not shutil.which("soffice"):
        pytest.skip("LibreOffice is needed to read .doc/.wps")
    doc = read_document(path)
    detected = detect_plan_type(doc, None).plan_type
    # the detected type, plus two more chosen by position so that across all files every pack runs
    index = _plans().index(path)
    types = dict.fromkeys((detected, PLAN_TYPES[index % len(PLAN_TYPES)], PLAN_TYPES[(index * 5 + 3) % len(PLAN_TYPES)]))
    for plan_type in types:
        fast, ref = _both_ways(doc, plan_type)
        _assert_same(fast, ref, f"{path.name} as {plan_type}")


def _bench_gen() -> Any:
    """bench/gen.py, the benchmark's plan generator (bench/ is not a package)."""
    if "yjplan_bench_gen" in sys.modules:
        return sys.modules["yjplan_bench_gen"]
    spec = importlib.util.spec_from_file_location("yjplan_bench_gen", ROOT / "bench" / "gen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def long_plan(tmp_path_factory: pytest.TempPathFactory) -> Document:
    """A 30-page plan (30,000 characters: several 20,000-character search chunks)."""
    from yjplan.parse import read_document

    gen = _bench_gen()
    path = gen.write_plan(tmp_path_factory.mktemp("plan") / "plan30.docx", 30, seed=3)
    return read_document(path)


@pytest.mark.parametrize("plan_type", PLAN_TYPES)
def test_long_plan_findings_identical_to_reference(long_plan: Document, plan_type: str) -> None:
    fast, ref = _both_ways(long_plan, plan_type)
    _assert_same(fast, ref, f"30-page plan as {plan_type}")


# --- the pieces, on generated inputs --------------------------------------------------------------

LOC = Location(paragraph=1)
DOC = Document(path="x.txt", format="txt", sha256="", root=Section("", 0, None, LOC))
WORDS = ["应急", "预案", "响应", "应急响应", "总则", "组织机构", "指挥部", "职责", "保障", "附则", "附件", "1", "（一）"]


def _units(texts: list[str]) -> list[Unit]:
    return [Unit(t, LOC, ("章",), "paragraph") for t in texts]


unit_texts = st.lists(st.text(alphabet="ab。；\nx0应急", max_size=30), min_size=8, max_size=40)
# several of these run across a line end, i.e. from one unit into the next in the joined text
PATTERNS = ["a+", "[^。；\n]{0,3}b", "b.{0,4}a", "a|ab", "(ab)+", "x*", "应急.?a", "(?<!x)ab", "^a", "a$", r"\bx",
            "[^。]{1,6}0", "0{2,}|急", "a[^x]{0,8}b", "[a\n]+0", r"\s*b"]
FILLER = ["。"] * 6


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=unit_texts, pattern=st.sampled_from(PATTERNS), minimum=st.integers(1, 4),
       chunk=st.sampled_from([5, 17, 20_000]))
def test_regex_fast_equals_reference(texts: list[str], pattern: str, minimum: int, chunk: int) -> None:
    spec = Spec("regex", (pattern,), min=minimum)
    units = _units(texts)
    saved = evidence._CHUNK
    evidence._CHUNK = chunk  # small chunks put chunk edges between units of every example
    try:
        fast = evaluate(spec, units, Context(doc=DOC))
    finally:
        evidence._CHUNK = saved
    assert fast == evaluate(spec, units, Context(doc=DOC, memo=None))


@pytest.mark.parametrize(("texts", "pattern"), [
    (["ab", "a0", *FILLER], "[^。]{1,6}0"),  # the joined-text match starts in unit 0 and eats unit 1's
    (["xa", "b", "a", "ab", *FILLER], "a[^x]{0,8}b"),
    (["0", "", "a0", *FILLER], "[a\n]+0"),
    (["a", "b", *FILLER, "b"], r"\s*b"),
])
def test_regex_matches_that_run_across_units(texts: list[str], pattern: str) -> None:
    spec = Spec("regex", (pattern,), min=1)
    units = _units(texts)
    reference = evaluate(spec, units, Context(doc=DOC, memo=None))
    assert reference.found  # the example means something
    assert evaluate(spec, units, Context(doc=DOC)) == reference


@settings(max_examples=150, deadline=None)
@given(texts=unit_texts, words=st.lists(st.sampled_from(["a", "ab", "b。", "应急", "急a", "x0", "0\n"]),
                                         min_size=1, max_size=5, unique=True),
       mode=st.sampled_from(["any", "all"]), minimum=st.integers(1, 3))
def test_keywords_fast_equals_reference(texts: list[str], words: list[str], mode: str, minimum: int) -> None:
    spec = Spec("keywords", tuple(words), mode=mode, min=minimum)
    units = _units(texts)
    assert evaluate(spec, units, Context(doc=DOC)) == evaluate(spec, units, Context(doc=DOC, memo=None))


def _titled(titles: list[str]) -> Document:
    def tree(items: list[str], level: int) -> tuple[Section, ...]:
        return tuple(Section(t, level, None, Location(paragraph=i), children=tree(items[i + 1: i + 2], level + 1)
                             if level < 3 else ()) for i, t in enumerate(items))

    root = Section("", 0, None, LOC, children=tree(titles, 1))
    return Document(path="x.txt", format="txt", sha256="", root=root)


heading_words = st.lists(st.sampled_from([*WORDS, "应急保障", "保障措施", "响应分级", "分级响应", "、", " ", "（", "", "总 则"]),
                         min_size=0, max_size=4).map("".join)


@settings(max_examples=200, deadline=None)
@given(titles=st.lists(heading_words, min_size=1, max_size=25),
       synonyms=st.lists(st.sampled_from([*WORDS, "应急保障措施", "组织指挥体系", "、", ""]), min_size=1, max_size=5),
       exclude=st.lists(st.sampled_from(["附件", "附则", "保障"]), max_size=2),
       threshold=st.sampled_from([60, 70, 85, 90]), children=st.booleans(), fallback=st.sampled_from(["none", "document"]))
def test_section_index_equals_find_scope(titles: list[str], synonyms: list[str], exclude: list[str], threshold: int,
                                         children: bool, fallback: str) -> None:
    doc = _titled(titles)
    sc = Scope(headings=tuple(synonyms), include_children=children, fallback=fallback, threshold=threshold,
               exclude=tuple(exclude))
    assert scope.SectionIndex(doc).find(sc) == scope.find_scope(doc, sc)
    index = scope.SectionIndex(doc)
    expected = [scope.heading_matches(sec.title, tuple(synonyms), threshold) for _, sec in doc.sections() if sec.level]
    assert index.matches(tuple(synonyms), threshold) == expected


@settings(max_examples=100, deadline=None)
@given(titles=st.lists(st.sampled_from(["总则", "附件", "职责", "总则"]), min_size=1, max_size=12),
       picks=st.lists(st.integers(0, 30), max_size=6), children=st.booleans())
def test_units_cache_equals_plain_units(titles: list[str], picks: list[int], children: bool) -> None:
    doc = _titled(titles)
    sections = list(doc.sections())
    chosen = [sections[i % len(sections)] for i in picks]  # repeats and ancestor/descendant pairs included
    cache = UnitCache()
    assert units_of(chosen, children, cache) == units_of(chosen, children)
    assert units_of(chosen, children, cache) == units_of(chosen, children)  # second use: served from the cache


@pytest.mark.parametrize(("pattern", "free"), [
    (r"[^。；\n]{0,60}(洪涝|洪水)", True), (r"(?:应急|响应)\d+", True), (r"[$^]x", True), (r"[]a]b", True),
    (r"(?P<n>x)", True), (r"(?i)abc", True), (r"a\$", True),
    (r"^abc", False), (r"abc$", False), (r"a\bc", False), (r"(?<!办)总指挥", False), (r"(?=x)y", False),
    (r"(\d+)\1", False), (r"(?r)abc", False), (r"\[^x", False), (r"x(?(1)a|b)", False), (r"\Aa", False),
])
def test_context_free_patterns(pattern: str, free: bool) -> None:
    assert evidence._context_free(pattern) is free


# --- the joined search: patterns that look around, skipping ahead, searching no further than needed ----

# Each of these looks beyond its span (anchors, word boundaries, lookarounds); the ones whose looking
# cannot see past a newline are searched over the joined units, the others unit by unit.
LOOKING = [r"(?m)^a", r"(?m)a$", r"(?m)^[\s#]*a", r"\bx", r"\Bb", r"(?<!x)ab", r"(?<![a\n])b", r"(?<=a[^。\n]{0,3})b",
           r"b(?![^\n]{0,2}a)", r"b(?=[\s\S]a)", r"(?<=a.)b", r"(?s)(?<=a.)b", r"^a", r"a$"]
# Each of these starts with a run of one character class, which the search skips over (``_skip_plan``).
RUNS = [r"[^。；\n]{0,6}(a|ab)[^。\n]{0,3}(0|x)", r"[ab]{2,4}x|[0x]+a|急", r"[^x]*?a", r".{1,3}b", r"\d{2}a|[^。]{1,5}?急",
        r"[a\n]{1,3}0", r"[^。；\n]{0,4}(应急|a)[^。；\n]{0,4}(b|x)", r"[^b]{3}b?", r"\s*b"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=unit_texts, pattern=st.sampled_from(LOOKING + RUNS), minimum=st.integers(1, 4),
       chunk=st.sampled_from([5, 17, 20_000]))
def test_regex_with_context_or_runs_fast_equals_reference(texts: list[str], pattern: str, minimum: int,
                                                          chunk: int) -> None:
    spec = Spec("regex", (pattern,), min=minimum)
    units = _units(texts)
    saved = evidence._CHUNK
    evidence._CHUNK = chunk
    try:
        fast = evaluate(spec, units, Context(doc=DOC))
    finally:
        evidence._CHUNK = saved
    assert fast == evaluate(spec, units, Context(doc=DOC, memo=None))


@pytest.mark.parametrize(("pattern", "joinable"), [
    (r"(?m)^[\s#]*附(件|录)", True), (r"(?<!办公室|办|中心)(总指挥|组长)", True), (r"\b应急", True),
    (r"(?<!(向|报至)[^，。；\n]{0,16})(办公室|应急办)", True), (r"(我县|我市)(?![^。\n]{0,3}(应急|统一))", True),
    (r"(?<=预案[^。\n]{0,30})每年", True), (r"(?m:^a)", True),
    (r"^a", False), (r"a$", False), (r"\Aa", False), (r"a\Z", False), (r"(?<=a.)b", True), (r"(?s)(?<=a.)b", False),
    (r"(?<![a\n])b", False), (r"(?<=\s)b", False), (r"(?<=\D)b", False), (r"(?<=[^x])b", False),
    (r"(?<=\S)b", True), (r"(\w)\1", False), (r"(?<=a{e<=1})b", False), (r"\p{Han}(?=x)", False),
    (r"(?<=[[:alpha:]])b", False), (r"(?(1)a|b)(?=c)", False),
])
def test_joinable_patterns(pattern: str, joinable: bool) -> None:
    assert evidence._joinable(pattern) is joinable


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab。；\nx0急应", max_size=60), pattern=st.sampled_from(RUNS),
       bounds=st.tuples(st.integers(0, 60), st.integers(0, 60)))
def test_skipping_finds_what_finditer_finds(text: str, pattern: str, bounds: tuple[int, int]) -> None:
    import regex

    plan = evidence._skip_plan(pattern)
    compiled = regex.compile(pattern)
    if plan is None:
        assert compiled.match("") is not None  # the only pattern here without a plan may match nothing
        return
    pos, endpos = min(bounds), min(max(bounds), len(text))
    expected = [(m.span(), m.group()) for m in compiled.finditer(text, pos, endpos)]
    assert [(m.span(), m.group()) for m in evidence._skipping(compiled, plan, text, pos, endpos, 5.0)] == expected


def test_skip_plans_cover_the_slow_rule_patterns() -> None:
    """The patterns that start with a long run of one class each get a plan (YJ301 alone took 45 ms)."""
    from yjplan.pipeline import patterns_for

    slow = [p for p in patterns_for("乡镇", AuditOptions()) if re.match(r"\[[^]]*\]\{\d*,\d+\}", p)]
    assert len(slow) >= 4
    assert all(evidence._skip_plan(p) is not None for p in slow)


def _spec_trees() -> st.SearchStrategy[Spec]:
    leaf = st.one_of(
        st.builds(lambda p, m: Spec("regex", p, min=m), st.lists(st.sampled_from([*PATTERNS, *RUNS, *LOOKING]),
                                                                  min_size=1, max_size=2).map(tuple),
                  st.integers(1, 3)),
        st.builds(lambda w, m: Spec("keywords", w, min=m), st.lists(st.sampled_from(["a", "ab", "应急", "x0"]),
                                                                     min_size=1, max_size=3, unique=True).map(tuple),
                  st.integers(1, 2)),
    )
    return st.recursive(leaf, lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda parts: Spec("all", tuple(parts))),
        st.lists(inner, min_size=1, max_size=3).map(lambda parts: Spec("any", tuple(parts))),
        inner.map(lambda part: Spec("not", part)),
        st.tuples(inner, inner).map(lambda pair: Spec("if", pair[0], then=pair[1])),
    ), max_leaves=5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=unit_texts, spec=_spec_trees(), limit=st.integers(0, 5))
def test_limited_search_keeps_what_the_engine_uses(texts: list[str], spec: Spec, limit: int) -> None:
    """Under a ``limit`` the finds may be cut short, but what the engine quotes (the finds up to the
    first of the ``limit``-th distinct unit), whether the spec holds, how much of it does and what is
    missing stay the same."""
    units = _units(texts)
    reference = evaluate(spec, units, Context(doc=DOC, memo=None))
    fast = evaluate(spec, units, Context(doc=DOC), limit)
    assert (fast.ok, fast.fraction, fast.wanted) == (reference.ok, reference.fraction, reference.wanted)
    assert _quoted(fast.found, limit) == _quoted(reference.found, limit)
    assert evaluate(spec, units, Context(doc=DOC, memo=None), limit) == reference  # the reference ignores it
    if limit == 5:  # what the engine quotes: the first five distinct (unit, quote) of the finds
        assert _evidence(fast.found, units) == _evidence(reference.found, units)


def _quoted(found: tuple[Any, ...], limit: int) -> tuple[Any, ...]:
    """The finds up to and with the first one of the ``limit``-th distinct unit (all if fewer)."""
    seen: set[int] = set()
    for k, f in enumerate(found):
        seen.add(f.unit)
        if len(seen) >= limit:
            return found[: k + 1] if limit else ()
    return found


def _document(shape: list[tuple[int, str, int]]) -> Document:
    """Sections from (depth below the previous one or shallower, title, number of paragraphs)."""
    from yjplan.model import Block, BlockKind

    counter = iter(range(1, 10_000))

    def blocks(n: int) -> tuple[Block, ...]:
        return tuple(Block(BlockKind.PARAGRAPH, f"第{next(counter)}段应急", Location(paragraph=1)) for _ in range(n))

    def build(items: list[tuple[int, str, int]], level: int) -> tuple[Section, ...]:
        out: list[Section] = []
        i = 0
        while i < len(items):
            _, title, n = items[i]
            j = i + 1
            while j < len(items) and items[j][0] > 0:  # deeper items belong to this one
                j += 1
            inner = [(d - 1, t, k) for d, t, k in items[i + 1: j]]
            out.append(Section(title, level, None, Location(paragraph=i), blocks(n), build(inner, level + 1)))
            i = j
        return tuple(out)

    root = Section("", 0, None, LOC, blocks(2), build(shape, 1))
    return Document(path="x.txt", format="txt", sha256="", root=root)


@settings(max_examples=150, deadline=None)
@given(shape=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["总则", "附件", "职责", "应急响应", "保障措施"]),
                                st.integers(0, 3)), min_size=1, max_size=20),
       headings=st.lists(st.sampled_from(["总则", "附件", "职责", "应急", "保障"]), max_size=3),
       children=st.booleans(), fallback=st.sampled_from(["none", "document"]))
def test_scope_units_are_slices_of_the_document_units(shape: list[tuple[int, str, int]], headings: list[str],
                                                      children: bool, fallback: str) -> None:
    from yjplan.match.engine import _scoped
    from yjplan.match.units import DocUnits, document_units

    doc = _document(shape)
    assert DocUnits(doc).units == document_units(doc)
    sc = Scope(headings=tuple(headings), include_children=children, fallback=fallback)
    ctx = Context(doc=doc)
    found, units = _scoped(doc, sc, ctx)
    reference = scope.find_scope(doc, sc)
    assert found == reference
    assert units == units_of(list(reference.sections), children)
    assert _scoped(doc, sc, ctx)[1] is units  # one list per scope per audit


@settings(max_examples=150, deadline=None)
@given(heads=st.lists(st.lists(st.sampled_from(["名称", "地点", "电话", "名\x00称", "", "人数 容量", "安置点"]),
                               min_size=0, max_size=3), min_size=1, max_size=10),
       columns=st.lists(st.lists(st.sampled_from(["名称", "称", "容量", "地点", "电话", "\x00"]), min_size=1,
                                 max_size=2).map(tuple), min_size=1, max_size=3),
       min_rows=st.integers(1, 3), filler=st.integers(0, 9))
def test_table_fast_equals_reference(heads: list[list[str]], columns: list[tuple[str, ...]], min_rows: int,
                                     filler: int) -> None:
    from yjplan.model import Table

    units = _units(["段落"] * filler)
    for k, head in enumerate(heads):
        rows = (tuple(head), *((f"第{r}行",) for r in range(k % 4)))
        text = "\n".join("\t".join(r) for r in rows)
        units.append(Unit(text, LOC, ("章",), "table", Table(rows=rows) if head or k % 2 else Table(rows=())))
    units.extend(_units(["段落"] * (8 - min(8, len(units)))))
    spec = Spec("table", tuple(columns), min_rows=min_rows)
    assert evaluate(spec, units, Context(doc=DOC)) == evaluate(spec, units, Context(doc=DOC, memo=None))


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(st.sampled_from(["一、总则", "应急响应", "（二）应急保障措施", "附件", "段落文字", "保障"]),
                      min_size=8, max_size=30),
       kinds=st.lists(st.booleans(), min_size=30, max_size=30),
       words=st.lists(st.sampled_from(["总则", "应急保障", "保障措施", "附件", "响应"]), min_size=1, max_size=3))
def test_heading_fast_equals_reference(texts: list[str], kinds: list[bool], words: list[str]) -> None:
    units = [Unit(t, LOC, ("章",), "heading" if heading else "paragraph")
             for t, heading in zip(texts, kinds[: len(texts)], strict=True)]
    spec = Spec("heading", tuple(words))
    assert evaluate(spec, units, Context(doc=DOC)) == evaluate(spec, units, Context(doc=DOC, memo=None))


def _plain_quote(unit: Unit, start: int, end: int) -> str:
    """``quote_of`` as it was first written: a character-by-character walk to the sentence ends."""
    from yjplan.match.units import QUOTE_MAX

    text = unit.text
    lo, hi = 0, len(text)
    if unit.table is not None:
        lo = text.rfind("\n", 0, start) + 1
        hi = len(text) if text.find("\n", end) == -1 else text.find("\n", end)
    left, right = max(lo, start - 24), min(hi, end + 24)
    for i in range(start - 1, left - 1, -1):
        if text[i] in "。；！？\n":
            left = i + 1
            break
    for i in range(end, right):
        if text[i] in "。；！？\n":
            right = i + 1
            break
    quote = text[left:right].strip()
    if len(quote) > QUOTE_MAX:
        quote = text[max(lo, start - 10): min(hi, start - 10 + QUOTE_MAX)].strip()
    return quote.replace("\t", " | ")


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="ab。；！？\n\t 应急", max_size=200), cut=st.tuples(st.integers(0, 200), st.integers(0, 200)),
       table=st.booleans())
def test_quote_cuts_where_the_plain_walk_cuts(text: str, cut: tuple[int, int], table: bool) -> None:
    from yjplan.match.units import quote_of
    from yjplan.model import Table

    start, end = sorted(min(c, len(text)) for c in cut)
    unit = Unit(text, LOC, ("章",), "table" if table else "paragraph", Table(rows=()) if table else None)
    assert quote_of(unit, start, end) == _plain_quote(unit, start, end)


def test_joined_search_keeps_the_whole_pattern_budget() -> None:
    """A slow joinable pattern over many units still fails after about one budget, not one per piece."""
    import time

    import regex

    from yjplan.errors import RulePackError

    budget = 0.2
    pattern = "(a|aa)+b"
    assert evidence._joinable(pattern)
    slow = regex.compile(pattern)
    for n in range(16, 40):
        t0 = time.perf_counter()
        try:
            slow.search("a" * n + "!", timeout=budget)
        except TimeoutError:
            pytest.skip("could not calibrate a slow-but-not-timed-out paragraph on this machine")
        if time.perf_counter() - t0 > 0.1 * budget:
            break
    else:
        pytest.skip("could not calibrate a slow-but-not-timed-out paragraph on this machine")
    units = _units(["a" * n + "!"] * 200)
    t0 = time.perf_counter()
    with pytest.raises(RulePackError, match="超时"):
        evaluate(Spec("regex", (pattern,)), units, Context(doc=DOC, regex_timeout=budget))
    assert time.perf_counter() - t0 < 10 * budget


# --- readers against the reference libraries ------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _python_docx_text(path: Path) -> str:
    import docx
    from docx.text.paragraph import Paragraph

    parts: list[str] = []
    for item in docx.Document(str(path)).iter_inner_content():
        if isinstance(item, Paragraph):
            parts.append(item.text)
        else:  # a table: every grid cell, merged cells repeated, as the reader reports them
            parts.extend(cell.text for row in item.rows for cell in row.cells)
    return _norm("".join(parts))


def _docx_files() -> list[Path]:
    return [p for p in [*sorted(CORPUS.glob("*.docx")), *sorted(SAMPLES.glob("*.docx"))]]


@pytest.mark.corpus
@pytest.mark.parametrize("path", _docx_files(), ids=lambda p: p.name)
def test_docx_reader_reads_what_python_docx_reads(path: Path, corpus_dir: Path) -> None:
    from yjplan.limits import DEFAULT_LIMITS
    from yjplan.parse import docx as reader

    raw = reader.read(path, path.read_bytes(), DEFAULT_LIMITS)
    assert _norm("".join(b.text for b in raw.blocks)) == _python_docx_text(path)


def test_docx_reader_on_a_generated_plan(tmp_path: Path) -> None:
    from yjplan.limits import DEFAULT_LIMITS
    from yjplan.parse import docx as reader

    path = _bench_gen().write_plan(tmp_path / "plan12.docx", 12, seed=5)
    raw = reader.read(path, path.read_bytes(), DEFAULT_LIMITS)
    ours = _norm("".join(b.text for b in raw.blocks))
    assert len(ours) > 10_000
    assert ours == _python_docx_text(path)


_PAGE_MARK = re.compile(r"^[-－—–\s]*\d+[-－—–\s]*$|第\s*\d+\s*页")


def _pdfplumber_body(path: Path) -> list[str]:
    """pdfplumber's text lines without running headers/footers (a line on at least half the pages)
    and page numbers, which the reader leaves out on purpose."""
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        pages = [(page.extract_text() or "").split("\n") for page in pdf.pages]
    counts = Counter(line.strip() for lines in pages for line in set(lines) if line.strip())
    running = {line for line, n in counts.items() if n >= 3 and n >= len(pages) // 2}
    return [s for lines in pages for s in (ln.strip() for ln in lines) if s and s not in running
            and not _PAGE_MARK.search(s)]


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.pdf")), ids=lambda p: p.name)
def test_pdf_reader_reads_what_pdfplumber_reads(path: Path) -> None:
    from yjplan.limits import DEFAULT_LIMITS
    from yjplan.parse import pdf as reader

    raw = reader.read(path, path.read_bytes(), DEFAULT_LIMITS)
    body = _norm("".join(_pdfplumber_body(path)))
    ours = _norm("".join(b.text for b in raw.blocks))
    # the same characters (tables are read row by row, pdfplumber reads them line by line) …
    assert Counter(ours) == Counter(body)
    # … and every paragraph word for word, in pdfplumber's order
    for block in raw.blocks:
        if block.table is None:
            assert _norm(block.text) in body, block.text[:60]


# --- compiled built-in packs ----------------------------------------------------------------------


def test_pack_carries_its_rule_patterns_compiled() -> None:
    from yjplan.rules import load

    pack = load.load_pack("builtin:township")
    compiled = dict(pack.patterns)
    # every rule's regex, including those of the parent pack and inside all/any/not/if, comes compiled
    def regexes(spec):  # type: ignore[no-untyped-def]
        if spec is None:
            return set()
        if spec.kind == "regex":
            return set(spec.arg)
        parts = spec.arg if spec.kind in ("all", "any") else (spec.arg, spec.then) if spec.kind in ("not", "if") else ()
        return set().union(*(regexes(part) for part in parts))

    wanted = set().union(*(regexes(s) for r in pack.rules for s in (r.evidence, r.partial, r.forbid, r.when)))
    assert wanted and set(compiled) == wanted
    assert all(c.pattern == source for source, c in compiled.items())


def test_document_units_are_the_units_the_constructor_makes() -> None:
    """``DocUnits`` fills a unit's slots without the dataclass constructor: same fields, equal, hashed
    alike, still frozen."""
    import dataclasses

    from yjplan.match.units import new_unit
    from yjplan.model import Table

    table = Table(rows=(("职务", "电话"), ("组长", "0839-5551234")))
    made = new_unit("职务\t电话", LOC, ("附件",), "table", table)
    built = Unit("职务\t电话", LOC, ("附件",), "table", table)
    assert made == built and hash(made) == hash(built) and type(made) is Unit
    assert [getattr(made, f.name) for f in dataclasses.fields(Unit)] == ["职务\t电话", LOC, ("附件",), "table", table]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.text = "x"  # type: ignore[misc]
