from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fixtures.docx_builder import build_docx
from yjplan.errors import ParseFailed
from yjplan.model import Block, BlockKind, Location, Section, Table
from yjplan.parse import outline, read_document
from yjplan.parse.raw import RawBlock, body_location, raw_block


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


def test_collector_runs_again_after_a_read_and_after_a_failed_one(tmp_path: Path, collector_on: None) -> None:
    path = build_docx(tmp_path / "ok.docx", [("heading", 1, "总则"), ("para", "正文")])
    assert read_document(path).char_count > 0
    assert gc.isenabled()
    broken = tmp_path / "broken.docx"
    broken.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ParseFailed):
        read_document(broken)
    assert gc.isenabled()


def test_a_caller_that_turned_the_collector_off_keeps_it_off(tmp_path: Path, collector_on: None) -> None:
    path = build_docx(tmp_path / "ok.docx", [("para", "正文")])
    gc.disable()
    read_document(path)
    assert not gc.isenabled()


_TEXT = st.text(max_size=5)
_MAYBE_INT = st.none() | st.integers(0, 10_000)
_LOCATIONS = st.builds(Location, page=_MAYBE_INT, paragraph=_MAYBE_INT, table=_MAYBE_INT)


_RAW_FIELDS = st.tuples(
    _TEXT, _LOCATIONS, st.none() | st.just(Table((("a", "b"),))), _MAYBE_INT, st.none() | _TEXT, st.booleans(),
    st.booleans(), st.none() | st.floats(1, 72), st.booleans(), st.booleans(),
)  # fmt: skip


@given(_RAW_FIELDS)
def test_raw_block_builds_what_the_constructor_builds(fields: tuple) -> None:  # type: ignore[type-arg]
    fast, slow = raw_block(*fields), RawBlock(*fields)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)


@given(st.integers(1, 10_000), st.none() | st.integers(1, 500))
def test_body_location_builds_what_the_constructor_builds(paragraph: int, table: int | None) -> None:
    fast, slow = body_location(paragraph, table), Location(paragraph=paragraph, table=table)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)


def test_outline_builders_build_what_the_constructors_build() -> None:
    where = Location(paragraph=3)
    block = outline._block(BlockKind.TABLE, "a\tb", where, Table((("a", "b"),)))
    assert block == Block(BlockKind.TABLE, "a\tb", where, Table((("a", "b"),)))
    assert outline._block(BlockKind.PARAGRAPH, "正文", where) == Block(BlockKind.PARAGRAPH, "正文", where)
    child = outline._section("职责", 2, "（一）", where, (block,), ())
    assert child == Section("职责", 2, "（一）", where, (block,), ())
    root = outline._section("", 0, None, Location(), (), (child,))
    assert repr(root) == repr(Section("", 0, None, Location(), (), (child,)))
