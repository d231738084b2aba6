"""Where a rule looks: sections whose headings match the rule's synonyms (rapidfuzz), or the
whole document. No I/O; pure functions of (Document, Scope)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from yjplan.model import Document, Section
from yjplan.rules.schema import Scope

_NON_WORD = re.compile(r"[\s　、，,.．:：;；（）()《》“”\"'·\-—]")


@dataclass(frozen=True, slots=True)
class ScopeMatch:
    sections: tuple[tuple[tuple[str, ...], Section], ...]
    looked_in: tuple[str, ...]
    fallback: bool  # no heading matched: the whole document is searched instead


def _clean(title: str) -> str:
    return _NON_WORD.sub("", title)


def heading_matches(title: str, synonyms: tuple[str, ...], threshold: int = 85) -> bool:
    from rapidfuzz import fuzz

    t = _clean(title)
    if not t:
        return False
    for syn in synonyms:
        s = _clean(syn)
        if not s:
            continue
        if s in t:
            return True
        if len(t) <= 3 * len(s) and len(s) >= 3 and fuzz.ratio(s, t) >= threshold:
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
    if matched:
        return ScopeMatch(tuple(matched), tuple(" / ".join(p) for p, _ in matched), False)
    looked = ("未找到标题含“" + "”“".join(scope.headings[:4]) + "”的章节",)
    if scope.fallback == "none":
        return ScopeMatch((), looked, True)
    return ScopeMatch((((), doc.root),), (*looked, "已在全文中查找"), True)
