"""Where a rule looks: sections whose headings match the rule's synonyms (rapidfuzz), or the
whole document. No I/O; pure functions of (Document, Scope).

``find_scope`` is the reference: it tests every heading against every synonym in Python.
``SectionIndex`` gives the same answers for one document with a few C-level calls per scope
(one ``str.find`` per synonym over all cleaned headings joined, one ``extractOne`` per heading
left), which matters because every rule scans every heading: 50 rules × 2,000 headings on a
300-page plan.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from yjplan.model import Document, Section
from yjplan.rules.schema import Scope

_NON_WORD = re.compile(r"[\s　、，,.．:：;；（）()《》“”\"'·\-—]")
_SEP = "\x00"  # joins cleaned headings; _NON_WORD never removes it and no synonym contains it


@dataclass(frozen=True, slots=True)
class ScopeMatch:
    sections: tuple[tuple[tuple[str, ...], Section], ...]
    looked_in: tuple[str, ...]
    fallback: bool  # no heading matched: the whole document is searched instead


@functools.lru_cache(maxsize=65536)
def _clean(title: str) -> str:
    return _NON_WORD.sub("", title)


@functools.lru_cache(maxsize=4096)
def _clean_synonyms(synonyms: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(s for s in map(_clean, synonyms) if s)


@functools.cache
def _ratio():  # type: ignore[no-untyped-def]
    from rapidfuzz import fuzz

    return fuzz.ratio


def _fuzzy_ok(t: str, s: str, threshold: int) -> bool:
    return len(t) <= 3 * len(s) and len(s) >= 3 and _ratio()(s, t) >= threshold


def heading_matches(title: str, synonyms: Sequence[str], threshold: int = 85) -> bool:
    return _heading_matches(title, tuple(synonyms), threshold)


@functools.lru_cache(maxsize=65536)
def _heading_matches(title: str, synonyms: tuple[str, ...], threshold: int) -> bool:
    t = _clean(title)
    if not t:
        return False
    for s in _clean_synonyms(synonyms):
        if s in t:
            return True
        if _fuzzy_ok(t, s, threshold):
            return True
    return False


def find_scope(doc: Document, scope: Scope) -> ScopeMatch:
    if not scope.headings:
        return ScopeMatch((((), doc.root),), ("全文",), False)
    matched: list[tuple[tuple[str, ...], Section]] = []
    for path, sec in doc.sections():
        if sec.level == 0:
            continue
        if scope.exclude and heading_matches(sec.title, scope.exclude, 90):
            continue
        if heading_matches(sec.title, scope.headings, scope.threshold):
            if scope.include_children and any(path[: len(p)] == p for p, _ in matched):
                continue  # already inside a matched ancestor
            matched.append((path, sec))
    return _scope_match(matched, scope, doc)


class SectionIndex:
    """The headings of one document, cleaned once, for scope look-ups during one audit.

    ``find`` returns exactly what ``find_scope`` returns (tests/test_fast_path.py holds them to it).
    """

    __slots__ = ("_cache", "_doc", "_joined", "_sections", "_starts", "_titles")

    def __init__(self, doc: Document) -> None:
        self._doc = doc
        self._sections = [(path, sec) for path, sec in doc.sections() if sec.level > 0]
        self._titles = [_clean(sec.title) for _, sec in self._sections]
        self._joined = _SEP.join(self._titles)
        starts: list[int] = []
        pos = 0
        for t in self._titles:
            starts.append(pos)
            pos += len(t) + 1
        self._starts = starts
        self._cache: dict[tuple[tuple[str, ...], int], list[bool]] = {}

    def matches(self, synonyms: tuple[str, ...], threshold: int) -> list[bool]:
        """``heading_matches(title, synonyms, threshold)`` for every heading, in order."""
        key = (synonyms, threshold)
        if key in self._cache:
            return self._cache[key]
        syns = _clean_synonyms(tuple(synonyms))
        titles, joined, starts = self._titles, self._joined, self._starts
        n = len(titles)
        hits = [False] * n
        for s in syns:  # substring hits: one scan of all headings per synonym
            pos = joined.find(s)
            while pos != -1:
                i = bisect.bisect_right(starts, pos) - 1
                hits[i] = True
                pos = joined.find(s, starts[i + 1]) if i + 1 < n else -1
        fuzzy = sorted((s for s in syns if len(s) >= 3), key=len)
        if fuzzy:
            from rapidfuzz import fuzz, process

            lengths = [len(s) for s in fuzzy]
            verdict: dict[str, bool] = {}  # plans repeat headings (总则, 适用范围 in every annex)
            for i, t in enumerate(titles):
                if hits[i] or not t:
                    continue
                ok = verdict.get(t)
                if ok is None:
                    # only synonyms at least a third as long as the heading may match it fuzzily
                    first = bisect.bisect_left(lengths, -(-len(t) // 3))
                    ok = verdict[t] = first < len(fuzzy) and process.extractOne(
                        t, fuzzy[first:], scorer=fuzz.ratio, processor=None, score_cutoff=threshold
                    ) is not None
                hits[i] = ok
        self._cache[key] = hits
        return hits

    def find(self, scope: Scope) -> ScopeMatch:
        if not scope.headings:
            return ScopeMatch((((), self._doc.root),), ("全文",), False)
        excluded = self.matches(scope.exclude, 90) if scope.exclude else None
        hits = self.matches(scope.headings, scope.threshold)
        matched: list[tuple[tuple[str, ...], Section]] = []
        matched_paths: set[tuple[str, ...]] = set()
        for i, (path, sec) in enumerate(self._sections):
            if not hits[i] or (excluded is not None and excluded[i]):
                continue
            # inside a matched ancestor ⇔ one of the path's prefixes was matched (paths are never empty)
            if scope.include_children and any(path[:k] in matched_paths for k in range(1, len(path) + 1)):
                continue
            matched.append((path, sec))
            matched_paths.add(path)
        return _scope_match(matched, scope, self._doc)


def _scope_match(matched: Sequence[tuple[tuple[str, ...], Section]], scope: Scope, doc: Document) -> ScopeMatch:
    if matched:
        return ScopeMatch(tuple(matched), tuple(" / ".join(p) for p, _ in matched), False)
    looked = ("未找到标题含“" + "”“".join(scope.headings[:4]) + "”的章节",)
    if scope.fallback == "none":
        return ScopeMatch((), looked, True)
    return ScopeMatch((((), doc.root),), (*looked, "已在全文中查找"), True)
