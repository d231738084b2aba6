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
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain

from yjplan.match.units import pieces_containing
from yjplan.model import Document, Location, Section
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


class TitleIndex:
    """Headings (any list of strings), cleaned once, answering ``heading_matches`` for all of them
    at once. Rules share synonyms ("应急响应" names several scopes), so what one synonym matches
    is kept: substring hits from one ``str.find`` scan of all cleaned headings joined, fuzzy hits
    from one ``process.extract`` over the distinct ones (plans repeat 总则, 适用范围 in every annex).
    """

    __slots__ = ("_by_title", "_choices", "_fuzzy", "_hits", "_joined", "_lengths", "_starts", "_substring",
                 "titles")

    def __init__(self, titles: Sequence[str]) -> None:
        self.titles = [_clean(t) for t in titles]
        by_title: dict[str, list[int]] = {}
        for i, t in enumerate(self.titles):
            if t:
                by_title.setdefault(t, []).append(i)
        self._by_title = sorted(by_title.items(), key=lambda kv: len(kv[0]))  # distinct, shortest first
        self._choices = [t for t, _ in self._by_title]
        self._lengths = [len(t) for t in self._choices]
        # the distinct headings joined: one ``str.find`` scan finds those that contain a synonym
        self._joined = _SEP.join(self._choices)
        self._starts = [0, *accumulate(n + 1 for n in self._lengths)][:-1]
        self._substring: dict[str, list[int]] = {}
        self._fuzzy: dict[tuple[str, int], list[int]] = {}
        self._hits: dict[tuple[tuple[str, ...], int], list[int]] = {}

    def _contains(self, s: str) -> list[int]:
        """The distinct headings (indices into ``_by_title``) that contain the cleaned synonym ``s``."""
        hit = self._substring.get(s)
        if hit is None:
            hit = self._substring[s] = pieces_containing(self._joined, self._starts, s)
        return hit

    def _close_to(self, s: str, threshold: int) -> list[int]:
        """The distinct headings that ``_fuzzy_ok`` accepts for the cleaned synonym ``s`` (at least 3 long)."""
        key = (s, threshold)
        hit = self._fuzzy.get(key)
        if hit is None:
            from rapidfuzz import fuzz, process

            # only headings at most three times as long as the synonym may match it fuzzily, and only
            # those whose length allows the score: ratio = 200·LCS / (len s + len t) ≤ 200·min / sum
            n = len(s)
            share = (threshold - 0.01) / 100  # a hair below, for rounding in the scorer
            longest = 3 * n
            lo = 0
            if share > 0:
                longest = min(longest, math.floor(n * (2 - share) / share))
                lo = bisect.bisect_left(self._lengths, math.ceil(n * share / (2 - share)))
            hi = bisect.bisect_right(self._lengths, longest)
            hit = []
            if lo < hi:
                for _, _, j in process.extract(s, self._choices[lo:hi], scorer=fuzz.ratio, processor=None,
                                               score_cutoff=threshold, limit=None):
                    hit.append(lo + j)
            self._fuzzy[key] = hit
        return hit

    def hit_indices(self, synonyms: tuple[str, ...], threshold: int) -> list[int]:
        """The indices of the headings ``heading_matches(title, synonyms, threshold)`` accepts, in order."""
        key = (synonyms, threshold)
        hit = self._hits.get(key)
        if hit is None:
            found: set[int] = set()  # distinct headings
            for s in _clean_synonyms(tuple(synonyms)):
                found.update(self._contains(s))
                if len(s) >= 3:
                    found.update(self._close_to(s, threshold))
            by_title = self._by_title
            hit = self._hits[key] = sorted(chain.from_iterable(by_title[j][1] for j in found))
        return hit


class SectionIndex:
    """The headings of one document for scope look-ups during one audit (a ``TitleIndex``).

    ``find`` returns exactly what ``find_scope`` returns (tests/test_fast_path.py holds them to it).
    """

    __slots__ = ("_doc", "_ends", "_index", "_labels", "_prefixes", "_sections")

    def __init__(self, doc: Document, sections: list[tuple[tuple[str, ...], Section]] | None = None) -> None:
        """``sections``: the document's sections below the root, in order, when already at hand."""
        self._doc = doc
        self._sections = sections if sections is not None else [(p, s) for p, s in doc.sections() if s.level > 0]
        self._index = TitleIndex([sec.title for _, sec in self._sections])
        self._prefixes: dict[int, tuple[tuple[str, ...], ...]] = {}  # section → its path's prefixes, on first use
        self._labels: dict[int, str] = {}  # section → its path as ``looked_in`` shows it, on first use
        # the end of each section's subtree among the sections (they come depth first: a subtree is
        # the run of deeper paths that follows its root)
        n = len(self._sections)
        ends = [n] * n
        open_: list[int] = []
        for i, (path, _) in enumerate(self._sections):
            while open_ and len(self._sections[open_[-1]][0]) >= len(path):
                ends[open_.pop()] = i
            open_.append(i)
        self._ends = ends

    def hit_indices(self, synonyms: tuple[str, ...], threshold: int) -> list[int]:
        return self._index.hit_indices(synonyms, threshold)

    def matches(self, synonyms: tuple[str, ...], threshold: int) -> list[bool]:
        """``heading_matches(title, synonyms, threshold)`` for every heading, in order."""
        hits = [False] * len(self._sections)
        for i in self.hit_indices(synonyms, threshold):
            hits[i] = True
        return hits

    def first_match(self, synonyms: tuple[str, ...], threshold: int) -> tuple[tuple[str, ...], Location | None]:
        """The path and location of the first heading that matches, else ``((), None)``."""
        hits = self.hit_indices(synonyms, threshold)
        if not hits:
            return (), None
        path, sec = self._sections[hits[0]]
        return path, sec.location

    def find(self, scope: Scope) -> ScopeMatch:
        return self.find_indexed(scope)[0]

    def find_indexed(self, scope: Scope) -> tuple[ScopeMatch, list[int]]:
        """``find`` and the indices of the matched sections among this index's sections (empty
        when none matched: the scope is then the whole document or nothing)."""
        if not scope.headings:
            return ScopeMatch((((), self._doc.root),), ("全文",), False), []
        excluded = set(self.hit_indices(scope.exclude, 90)) if scope.exclude else ()
        matched: list[tuple[tuple[str, ...], Section]] = []
        matched_paths: set[tuple[str, ...]] = set()
        indices: list[int] = []
        prefixes, sections, ends = self._prefixes, self._sections, self._ends
        hits = self.hit_indices(scope.headings, scope.threshold)
        k, n = 0, len(hits)
        while k < n:
            i = hits[k]
            k += 1
            if i in excluded:
                continue
            path, sec = sections[i]
            if scope.include_children:
                # inside a matched ancestor ⇔ one of the path's prefixes was matched (paths are never empty)
                if matched_paths:
                    mine = prefixes.get(i)
                    if mine is None:
                        mine = prefixes[i] = tuple(path[:d] for d in range(1, len(path) + 1))
                    if not matched_paths.isdisjoint(mine):
                        continue
                if ends[i] > i + 1:  # its descendants' paths all start with its path: skip them
                    k = bisect.bisect_left(hits, ends[i], k)
            matched.append((path, sec))
            matched_paths.add(path)
            indices.append(i)
        if not matched:
            return _scope_match(matched, scope, self._doc), indices
        labels = self._labels
        looked: list[str] = []
        for i in indices:
            label = labels.get(i)
            if label is None:
                label = labels[i] = " / ".join(sections[i][0])
            looked.append(label)
        return ScopeMatch(tuple(matched), tuple(looked), False), indices


def _scope_match(matched: Sequence[tuple[tuple[str, ...], Section]], scope: Scope, doc: Document) -> ScopeMatch:
    if matched:
        return ScopeMatch(tuple(matched), tuple(" / ".join(p) for p, _ in matched), False)
    looked = ("未找到标题含“" + "”“".join(scope.headings[:4]) + "”的章节",)
    if scope.fallback == "none":
        return ScopeMatch((), looked, True)
    return ScopeMatch((((), doc.root),), (*looked, "已在全文中查找"), True)
