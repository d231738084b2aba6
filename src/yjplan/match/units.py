"""The text a rule looks at: a flat list of units (headings, paragraphs, tables) with locations.

Rules never see Sections directly: the scope step turns the chosen sections into units, and
every evidence kind scans units, so a quote can always be traced back to a place in the file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from yjplan.model import Block, BlockKind, Document, Location, Section, Table

QUOTE_MAX = 120
_CONTEXT = 24
_STOPS = "。；！？\n"
_LAST_STOP = re.compile(f".*[{_STOPS}]", re.DOTALL)  # greedy: up to the last stop character
_FIRST_STOP = re.compile(f"[{_STOPS}]")


@dataclass(frozen=True, slots=True)
class Unit:
    text: str
    location: Location
    section_path: tuple[str, ...]
    kind: str  # heading | paragraph | list_item | table
    table: Table | None = None


def _unit_builder() -> Callable[[str, Location, tuple[str, ...], str, Table | None], Unit]:
    """``Unit(text, location, section_path, kind, table)`` at half the cost, for the thousands of units
    of a document: a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``;
    this fills the same slots directly (the very object ``Unit(...)`` makes: tests/test_fast_path.py
    holds the document's units equal to those ``units_of`` builds with the constructor)."""
    new = object.__new__
    text, location, path, kind, table = (Unit.__dict__[f].__set__ for f in Unit.__dataclass_fields__)

    def build(t: str, loc: Location, p: tuple[str, ...], k: str, tab: Table | None) -> Unit:
        unit = new(Unit)
        text(unit, t)
        location(unit, loc)
        path(unit, p)
        kind(unit, k)
        table(unit, tab)
        return unit

    return build


new_unit = _unit_builder()


@dataclass(frozen=True, slots=True)
class Found:
    """A span inside one unit that counts as evidence (or, for forbid specs, as a defect)."""

    unit: int
    start: int
    end: int
    kind: str
    note: str | None = None
    value: str | None = None


def units_of(
    sections: list[tuple[tuple[str, ...], Section]],
    include_children: bool = True,
    cache: UnitCache | None = None,
) -> list[Unit]:
    """The units of these sections in document order, each section once.

    With a ``cache`` (one per audit), a section's units are built once and reused by every rule
    that looks at it; the result is the same list either way.
    """
    return _collect(sections, include_children, cache)[0]


def _collect(
    sections: list[tuple[tuple[str, ...], Section]], include_children: bool, cache: UnitCache | None
) -> tuple[list[Unit], set[int]]:
    out: list[Unit] = []
    seen: set[int] = set()

    def add(path: tuple[str, ...], sec: Section, recurse: bool) -> None:
        if id(sec) in seen:
            return
        seen.add(id(sec))
        if sec.level > 0:
            out.append(Unit(sec.heading, sec.location, path, "heading"))
        for block in sec.blocks:
            out.append(_unit(block, path))
        if recurse:
            for child in sec.children:
                add((*path, child.heading), child, True)

    for path, sec in sections:
        if cache is not None and id(sec) not in seen:
            units, ids = cache.subtree(path, sec, include_children)
            if seen.isdisjoint(ids):  # nothing of it taken yet: reuse it whole
                out.extend(units)
                seen |= ids
                continue
        add(path, sec, include_children)
    return out, seen


class UnitCache:
    """Per audit: the units of a section (with or without its subtree), built on first use."""

    __slots__ = ("_built",)

    def __init__(self) -> None:
        self._built: dict[tuple[int, tuple[str, ...], bool], tuple[Section, list[Unit], frozenset[int]]] = {}

    def subtree(self, path: tuple[str, ...], sec: Section, recurse: bool) -> tuple[list[Unit], frozenset[int]]:
        key = (id(sec), path, recurse)
        hit = self._built.get(key)
        if hit is None or hit[0] is not sec:
            units, ids = _collect([(path, sec)], recurse, None)
            hit = (sec, units, frozenset(ids))  # holding ``sec`` keeps its id from being reused
            self._built[key] = hit
        return hit[1], hit[2]


class Joined:
    """Unit texts joined by newlines into one string, so that a search runs once over all of them
    instead of once per unit, and where each unit starts in it. ``cache`` holds what evidence kinds
    compute from the joined units (pattern scans, extractor hits), shared by every rule of an audit
    that looks at them."""

    __slots__ = ("cache", "ends", "starts", "text", "units")

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self.text = "\n".join(u.text for u in units)
        lengths = [len(u.text) for u in units]
        self.starts: list[int] = list(accumulate((n + 1 for n in lengths), initial=0))[:-1]
        self.ends: list[int] = [s + n for s, n in zip(self.starts, lengths, strict=True)]
        self.cache: dict[Any, Any] = {}


@dataclass(frozen=True, slots=True)
class View:
    """A unit list as runs of a ``Joined``: ``(first, end, offset)`` says units ``first..end-1`` of
    the joined units are the list's units ``offset..``."""

    joined: Joined
    runs: tuple[tuple[int, int, int], ...]


class DocUnits:
    """Per audit: every unit of a document once, in the order of ``document_units``, joined, and
    where each section's units lie among them. The units of a scope are then slices of one list,
    and every rule searches the same joined text (``Joined.cache`` keeps what was found there).

    ``headed`` lists the sections below the root as ``doc.sections()`` yields them (what
    ``SectionIndex`` indexes), and ``spans[i]`` gives section ``i``'s first unit, the end of its
    own units and the end of its subtree's. ``regular`` is False when the tree holds one section
    object twice (``_collect`` takes it once, ``doc.sections()`` twice): indices would not agree.
    """

    __slots__ = ("headed", "joined", "regular", "root_end", "spans", "units")

    def __init__(self, doc: Document) -> None:
        units: list[Unit] = []
        headed: list[tuple[tuple[str, ...], Section]] = []
        firsts: list[int] = []  # per headed section: its heading unit
        owns: list[int] = []  # per headed section: the end of its own units
        seen: set[int] = set()
        kinds = _KIND
        make = new_unit
        root = doc.root
        regular = root.level == 0
        root_end = 0
        # depth first, children in order: the order of ``_collect`` and ``doc.sections()``
        stack: list[tuple[tuple[str, ...], Section, str]] = [((), root, "")]
        while stack:
            path, sec, heading = stack.pop()
            if id(sec) in seen:
                regular = False  # _collect takes it once, doc.sections() twice
                continue
            seen.add(id(sec))
            if sec.level > 0:
                headed.append((path, sec))
                firsts.append(len(units))
                units.append(make(heading, sec.location, path, "heading", None))
            elif sec is not root:
                regular = False  # a level-0 section inside the tree: spans below would not hold
            if sec.blocks:
                units.extend([make(b.text, b.location, path, kinds.get(b.kind, "paragraph"), b.table)
                              for b in sec.blocks])
            if sec is root:
                root_end = len(units)
            else:
                owns.append(len(units))
            for child in reversed(sec.children):
                child_heading = child.heading
                stack.append(((*path, child_heading), child, child_heading))
        # a subtree's units run up to the next section that is not below it (paths: one per level)
        n = len(units)
        ends = [n] * len(headed)
        open_: list[int] = []
        for i, (path, _) in enumerate(headed):
            depth = len(path)
            while open_ and len(headed[open_[-1]][0]) >= depth:
                ends[open_.pop()] = firsts[i]
            open_.append(i)
        self.units = units
        self.joined = Joined(units)
        self.headed = headed
        self.spans: list[tuple[int, int, int]] = list(zip(firsts, owns, ends, strict=False)) if regular else []
        self.root_end = root_end  # the root's own units (its level is 0: no heading)
        self.regular = regular

    def runs(self, indices: Sequence[int], include_children: bool) -> tuple[tuple[int, int], ...] | None:
        """The units ``units_of`` returns for the ``headed`` sections at ``indices`` (in order, none
        inside another when ``include_children``, as ``SectionIndex.find`` gives them), as ranges
        of ``units``; None when the sections are not like that."""
        out: list[tuple[int, int]] = []
        spans = self.spans
        last = -1
        for i in indices:
            first, own_end, sub_end = spans[i]
            if first < last:
                return None  # out of order, or inside the section before
            last = sub_end if include_children else own_end
            if first < last:
                if out and out[-1][1] == first:
                    out[-1] = (out[-1][0], last)
                else:
                    out.append((first, last))
        return tuple(out)

    def root_runs(self, include_children: bool) -> tuple[tuple[int, int], ...]:
        end = len(self.units) if include_children else self.root_end
        return ((0, end),) if end else ()

    def units_in(self, runs: tuple[tuple[int, int], ...]) -> list[Unit]:
        if runs == ((0, len(self.units)),):
            return self.units
        out: list[Unit] = []
        for lo, hi in runs:
            out.extend(self.units[lo:hi])
        return out

    def view(self, runs: tuple[tuple[int, int], ...]) -> View:
        out: list[tuple[int, int, int]] = []
        offset = 0
        for lo, hi in runs:
            out.append((lo, hi, offset))
            offset += hi - lo
        return View(self.joined, tuple(out))


_KIND = {BlockKind.TABLE: "table", BlockKind.LIST_ITEM: "list_item"}


def _unit(block: Block, path: tuple[str, ...]) -> Unit:
    return Unit(block.text, block.location, path, _KIND.get(block.kind, "paragraph"), block.table)


def document_units(doc: Document, cache: UnitCache | None = None) -> list[Unit]:
    return units_of([((), doc.root)], True, cache)


def location_of(unit: Unit, start: int) -> Location:
    """The location of a character offset: for tables, the row (and column) it falls in."""
    if unit.table is None:
        return unit.location
    before = unit.text[:start]
    row = before.count("\n") + 1
    col = before.rsplit("\n", 1)[-1].count("\t") + 1
    return unit.location.with_cell(row, col)


def quote_of(unit: Unit, start: int, end: int) -> str:
    """The matched span with a little context, cut at line/sentence edges, verbatim."""
    text = unit.text
    if unit.table is not None:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end == -1 else line_end
        lo, hi = line_start, line_end
    else:
        lo, hi = 0, len(text)
    left = max(lo, start - _CONTEXT)
    right = min(hi, end + _CONTEXT)
    # just after the last sentence end before the span, through the first one after it (one search
    # each way instead of one per stop character: evidence quotes are made by the hundred)
    before = _LAST_STOP.match(text, left, max(left, start))
    if before is not None:
        left = before.end()
    after = _FIRST_STOP.search(text, end, right)
    if after is not None:
        right = after.end()
    quote = text[left:right].strip()
    if len(quote) > QUOTE_MAX:
        quote = text[max(lo, start - 10): min(hi, start - 10 + QUOTE_MAX)].strip()
    return quote.replace("\t", " | ")


def pieces_containing(joined: str, starts: Sequence[int], needle: str) -> list[int]:
    """The pieces of ``joined`` (piece i begins at ``starts[i]``) that contain ``needle``, in order,
    each once: one ``str.find`` per hit, resuming at the next piece. ``needle`` must not contain the
    separator the pieces were joined with, so no hit spans two pieces."""
    hit: list[int] = []
    n = len(starts)
    pos = joined.find(needle)
    while pos != -1:
        i = bisect.bisect_right(starts, pos) - 1
        hit.append(i)
        pos = joined.find(needle, starts[i + 1]) if i + 1 < n else -1
    return hit
