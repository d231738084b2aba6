"""What a reader hands to outline detection: flat blocks with layout hints, no tree yet.

Readers only report what the file says (style level, automatic number, bold, font size);
deciding what is a heading, and at which level, happens once, in ``parse.outline``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
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


# A reader makes one RawBlock and one Location per paragraph. A frozen dataclass's __init__ goes
# through object.__setattr__ by name for every field, which costs twice what setting the slots
# through their descriptors does; on a 60-page .docx the difference is about 2% of the read.
# Both functions below build exactly what the constructors build, and refuse to load if a field
# is added, removed or reordered without them being updated.
_RAW_FIELDS = ("text", "location", "table", "style_level", "auto_number", "is_list", "bold", "font_size",
               "centered", "in_toc")  # fmt: skip
_LOCATION_FIELDS = ("page", "paragraph", "line", "table", "row", "col")
if tuple(f.name for f in fields(RawBlock)) != _RAW_FIELDS or tuple(f.name for f in fields(Location)) != (
    _LOCATION_FIELDS
):
    raise ImportError("raw_block/body_location are out of step with RawBlock/Location")
_new = object.__new__
(_set_text, _set_location, _set_table, _set_style_level, _set_auto_number, _set_is_list, _set_bold,
 _set_font_size, _set_centered, _set_in_toc) = (RawBlock.__dict__[name].__set__ for name in _RAW_FIELDS)  # fmt: skip
_set_page, _set_paragraph, _set_line, _set_loc_table, _set_row, _set_col = (
    Location.__dict__[name].__set__ for name in _LOCATION_FIELDS
)


def raw_block(
    text: str, location: Location, table: Table | None, style_level: int | None, auto_number: str | None,
    is_list: bool, bold: bool, font_size: float | None, centered: bool, in_toc: bool,
) -> RawBlock:  # fmt: skip
    """``RawBlock(text, location, table, ...)`` with every field given, for a reader's inner loop."""
    block = _new(RawBlock)
    _set_text(block, text)
    _set_location(block, location)
    _set_table(block, table)
    _set_style_level(block, style_level)
    _set_auto_number(block, auto_number)
    _set_is_list(block, is_list)
    _set_bold(block, bold)
    _set_font_size(block, font_size)
    _set_centered(block, centered)
    _set_in_toc(block, in_toc)
    return block


def body_location(paragraph: int, table: int | None = None) -> Location:
    """``Location(paragraph=paragraph, table=table)``, for a reader's inner loop."""
    location = _new(Location)
    _set_page(location, None)
    _set_paragraph(location, paragraph)
    _set_line(location, None)
    _set_loc_table(location, table)
    _set_row(location, None)
    _set_col(location, None)
    return location
