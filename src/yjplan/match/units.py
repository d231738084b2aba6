"""The text a rule looks at: a flat list of units (headings, paragraphs, tables) with locations.

Rules never see Sections directly: the scope step turns the chosen sections into units, and
every evidence kind scans units, so a quote can always be traced back to a place in the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from yjplan.model import Block, BlockKind, Document, Location, Section, Table

QUOTE_MAX = 120
_CONTEXT = 24


@dataclass(frozen=True, slots=True)
class Unit:
    text: str
    location: Location
    section_path: tuple[str, ...]
    kind: str  # heading | paragraph | list_item | table
    table: Table | None = None


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


def _unit(block: Block, path: tuple[str, ...]) -> Unit:
    kind = {BlockKind.TABLE: "table", BlockKind.LIST_ITEM: "list_item"}.get(block.kind, "paragraph")
    return Unit(block.text, block.location, path, kind, block.table)


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
