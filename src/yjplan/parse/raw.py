"""What a reader hands to outline detection: flat blocks with layout hints, no tree yet.

Readers only report what the file says (style level, automatic number, bold, font size);
deciding what is a heading, and at which level, happens once, in ``parse.outline``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yjplan.model import Location, Table


@dataclass(frozen=True, slots=True)
class RawBlock:
    text: str
    location: Location
    table: Table | None = None
    style_level: int | None = None  # 1-based, from a Heading style, outlineLvl, '#' or font rank
    auto_number: str | None = None  # label rendered from Word numbering, e.g. "一、" or "1.2"
    is_list: bool = False  # a Word list paragraph that is not a heading style
    bold: bool = False
    font_size: float | None = None  # points; PDF and docx run sizes
    centered: bool = False
    in_toc: bool = False  # reader knows it is a table-of-contents entry (Word TOC field/styles)


@dataclass(frozen=True, slots=True)
class RawDocument:
    format: str
    blocks: tuple[RawBlock, ...]
    page_count: int | None = None
    meta_title: str | None = None  # docProps/core.xml or PDF info title
    meta_date: date | None = None
    notes: tuple[str, ...] = ()
