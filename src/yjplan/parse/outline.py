"""Flat reader blocks → a Section tree. The only place that decides what a heading is.

Evidence, strongest first: a heading number (typed or from Word numbering), a heading style or
outline level, a larger font, bold. Levels come from one stack per document: a scheme seen
before closes the sections below it (a sibling); a new scheme opens a child, after closing any
open scheme that is canonically deeper (so a skipped level — "一、" straight to "1." — still
puts a later "（一）" at level 2). The table of contents is recognised and kept out of the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import NamedTuple

from yjplan.model import Block, BlockKind, Location, Section, Table
from yjplan.parse.numbering import SCHEME_RANK, STRUCTURAL, Label, compact, normalize_line, parse_label
from yjplan.parse.raw import RawBlock, RawDocument

MAX_TITLE = 36  # longer lines are sentences, not headings
_END_PUNCT = tuple("。；;，,！!？?")
_TOC_WORD = re.compile(r"^目\s*[录錄次]$")
_TOC_TAIL = re.compile(r"[.．·…\s-]*\d{1,4}\s*$")
_TOC_LEADER = re.compile(r"(\.{2,}|…+|·{2,}|\s\.\s)")
# Run-in heading: "（一）编制目的。为……" — a short phrase closed by 。 and followed by text.
# A plain-text line that can only be a heading: short, CJK, no punctuation but brackets.
_PLAIN_HEADING = re.compile(r"^[\u4e00-\u9fffⅠⅡⅢⅣ（）()、]{2,16}$")
_TITLE_WORDS = re.compile(r"(预案|通知|方案|办法|文件)$|印发|^目\s*录$")
_COVER_LINE = re.compile(
    r"^[\d〇○零一二三四五六七八九十]{2,4}年|(发布|印发|实施|编制|修订)$|(人民政府|办公室|办公厅|委员会|有限公司|管理局)$|"
    r"^(版本|编号|文号|密级)"
)
_RUN_IN = re.compile(r"^(?P<title>[^。；，,]{2,16})[。.]\s*(?P<body>.{4,})$")
_SPACES = re.compile(r"[\s　]")
_PAGE_TAIL = re.compile(r"\D\d{1,4}$")
_FIELD_COLON = re.compile(r"[：:].")


class _Item(NamedTuple):
    """A classified block: either a heading (with scheme key) or body content.

    A named tuple rather than a frozen dataclass: one is made for every block of the document,
    and a dataclass instance takes three times as long to build.
    """

    raw: RawBlock
    text: str
    label: Label | None
    heading_key: str | None = None
    title: str = ""
    abs_level: int | None = None  # from a style/outline level, when no number decides


@dataclass
class _Node:
    """Mutable while the tree is built inside ``build_outline``; frozen into Section at the end."""

    title: str
    level: int
    number: str | None
    location: Location
    blocks: list[Block] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    def freeze(self) -> Section:
        return _section(
            self.title, self.level, self.number, self.location, tuple(self.blocks),
            tuple([c.freeze() for c in self.children]),
        )  # fmt: skip


# One Block per body block and one Section per heading: built through their slots, which costs
# half of what the frozen dataclasses' __init__ (object.__setattr__ by name per field) does and
# builds the same objects. Refuses to load if model.py changes those fields.
if tuple(f.name for f in fields(Block)) != ("kind", "text", "location", "table") or tuple(
    f.name for f in fields(Section)
) != ("title", "level", "number", "location", "blocks", "children"):
    raise ImportError("outline's Block/Section builders are out of step with model.py")
_new = object.__new__
_set_kind, _set_text, _set_block_location, _set_table = (
    Block.__dict__[name].__set__ for name in ("kind", "text", "location", "table")
)
_set_title, _set_level, _set_number, _set_location, _set_blocks, _set_children = (
    Section.__dict__[name].__set__ for name in ("title", "level", "number", "location", "blocks", "children")
)


def _block(kind: BlockKind, text: str, location: Location, table: Table | None = None) -> Block:
    """``Block(kind, text, location, table)``."""
    block = _new(Block)
    _set_kind(block, kind)
    _set_text(block, text)
    _set_block_location(block, location)
    _set_table(block, table)
    return block


def _section(
    title: str, level: int, number: str | None, location: Location, blocks: tuple[Block, ...],
    children: tuple[Section, ...],
) -> Section:  # fmt: skip
    """``Section(title, level, number, location, blocks, children)``."""
    section = _new(Section)
    _set_title(section, title)
    _set_level(section, level)
    _set_number(section, number)
    _set_location(section, location)
    _set_blocks(section, blocks)
    _set_children(section, children)
    return section


def _strip_toc_tail(text: str) -> str:
    return compact(_TOC_TAIL.sub("", _TOC_LEADER.sub(" ", text))).strip(" .．")


def _norm_title(text: str) -> str:
    label = parse_label(text)
    body = label.title if label else text
    return _SPACES.sub("", _strip_toc_tail(body))


def _is_short(raw: RawBlock) -> bool:
    return raw.table is None and len(raw.text) <= 60 and not raw.text.rstrip().endswith("。")


def find_toc(blocks: list[RawBlock], normalize: Callable[[str], str] = normalize_line) -> tuple[int, int] | None:
    """Return [start, end) of a table of contents, with or without a "目录" line.

    Only the first thousand or so blocks are ever looked at, so their lines are normalised (with
    ``normalize``, which ``build_outline`` shares with its own pass) when first needed.
    """
    cache: list[str | None] = [None] * len(blocks)

    def line(index: int) -> str:
        text = cache[index]
        if text is None:
            text = cache[index] = normalize(blocks[index].text)
        return text

    limit = min(len(blocks), 600)
    for i in range(limit):
        if _TOC_WORD.match(line(i).replace(" ", "")):
            entries = [j for j in range(i + 1, min(len(blocks), i + 400)) if line(j)]
            if not entries:
                return (i, i + 1)
            first = _norm_title(line(entries[0]))
            for j in entries[1:]:
                if _norm_title(line(j)) == first and not _TOC_TAIL.search(line(j).replace(" ", "")[-3:]):
                    return (i, j)
            # No repeat found: only lines that carry page numbers or dot leaders are entries
            # (the entries themselves may already be gone, dropped as a Word TOC field).
            end = i + 1
            for j in entries:
                t = line(j).replace(" ", "")
                if not _is_short(blocks[j]) or not (_TOC_LEADER.search(line(j)) or _PAGE_TAIL.search(t)):
                    break
                end = j + 1
            return (i, end)
    # A contents list with no "目录" line: a run of short numbered lines whose first line
    # comes back later as the real heading (seen in PDF→Markdown conversions).
    for i in range(min(limit, 80)):
        label = parse_label(line(i))
        if not label or not _is_short(blocks[i]):
            continue
        first = _norm_title(line(i))
        run_end = i
        while run_end < len(blocks) and (not line(run_end) or _is_short(blocks[run_end])):
            run_end += 1
            if run_end < len(blocks) and line(run_end) and _norm_title(line(run_end)) == first:
                return (i, run_end) if run_end - i >= 4 else None
        return None
    return None


def _title_like(title: str) -> bool:
    t = title.strip()
    return 0 < len(t) <= MAX_TITLE and not t.endswith(_END_PUNCT) and "。" not in t


def _classify(
    raw: RawBlock, text: str, has_dec: bool, weak_style: bool, plain: bool,
    label_of: Callable[[str], Label | None] = parse_label,
) -> _Item:  # fmt: skip
    if raw.table is not None:
        return _Item(raw, text, None)
    source = f"{raw.auto_number}{text}" if raw.auto_number else text
    label = label_of(source)
    evidence = raw.style_level is not None or (raw.font_size is not None and raw.bold)
    if label is not None:
        key = label.scheme
        if key == "ar" and has_dec:
            # In decimal-numbered plans "1 总则" is a chapter but "1." / "1、" opens a list.
            key = "dec1" if not label.number.endswith((".", "．", "、")) else "ar_dot"
        if key == "ar_bare":
            # "1总则": a heading only when something else says so, else it is prose
            if not (evidence or raw.bold or has_dec) or not _title_like(label.title) or len(label.title) > 15:
                return _Item(raw, text, None)
            key = "dec1" if has_dec else "ar"
        title = compact(label.title)
        if not title and key == "annex":
            title = label.number
        if _title_like(title) or (key == "annex" and title):
            if raw.is_list and key not in STRUCTURAL and not (evidence or raw.bold):
                return _Item(raw, text, None)
            return _Item(raw, text, label, key, title)
        return _Item(raw, text, label)
    if raw.style_level is not None and raw.style_level <= 6 and _title_like(text):
        if (weak_style and text.endswith(("：", ":"))) or _FIELD_COLON.search(text):
            # "文件编号：JBJH-03", "批准：总经理" — field lines, not headings
            return _Item(raw, text, None)
        return _Item(raw, text, None, f"style{raw.style_level}", compact(text), raw.style_level)
    if raw.bold and not raw.is_list and _title_like(text) and len(text) <= 20 and not text.endswith(("：", ":")):
        return _Item(raw, text, None, "bold", compact(text))
    if plain and _PLAIN_HEADING.match(text):
        return _Item(raw, text, None, "plain", compact(text))
    return _Item(raw, text, None)


_DEEP = frozenset({"ar_paren", "ar_half", "circled"})
_LIST_SCHEMES = frozenset({"cn", "cn_paren", "ar_dot", "ar_paren", "ar_half", "circled"})


def _sink_lists_below_decimal(items: list[_Item]) -> list[_Item]:
    """Once a plan has started numbering 1 / 1.1 / 1.1.1, a later "一、" or "（一）" is a list
    inside a decimal section, not a new chapter: give it a key ranked below every decimal level."""
    heads = [i for i, it in enumerate(items) if it.heading_key]
    next_head = {heads[k]: items[heads[k + 1]] for k in range(len(heads) - 1)}
    out: list[_Item] = []
    seen_dec = False
    last_chapter = 0
    for i, it in enumerate(items):
        key = it.heading_key
        if not key:  # body text, nearly every item: nothing below applies
            out.append(it)
            continue
        if key == "ar_dot" and it.label is not None:
            # "1.总则" followed by "1.1 概况", or "10.附则" right after chapter 9, is a chapter
            # written with a dot, not a list item
            nxt = next_head.get(i)
            opens = (nxt is not None and nxt.label is not None and (nxt.heading_key or "").startswith("dec")
                     and nxt.label.number.split(".")[0] == str(it.label.value))
            if opens or (last_chapter and it.label.value == last_chapter + 1):
                key = "dec1"
                it = _Item(it.raw, it.text, it.label, key, it.title, it.abs_level)
        if key == "dec1" and it.label is not None and it.label.number.endswith((".", "．", "、")):
            last_chapter = it.label.value  # only chapters written "N." continue as "N+1."
        if key and key.startswith("dec"):
            seen_dec = True
        elif key in _LIST_SCHEMES and seen_dec:
            it = _Item(it.raw, it.text, it.label, f"sub_{key}", it.title, it.abs_level)
        out.append(it)
    return out


def _next_number(a: _Item, b: _Item) -> bool:
    """b continues a's count (1 → 2); a restart (…5 → 1) begins a new structure, not the same list."""
    if a.label is None or b.label is None:
        return True
    return b.label.value == a.label.value + 1


def _demote_lists(items: list[_Item], run_in: frozenset[int] = frozenset()) -> list[_Item]:
    """A run of three or more same-scheme short items with nothing between them is a step
    list ("1.切断电源" "2.关闭阀门" …), not a run of empty sections — unless the scheme is
    structural (chapters) or a style says they are headings."""
    out = list(items)
    # Deep list schemes ("（1）", "1）", "①") are headings only when they stand alone, with body
    # text on both sides; inside a run of siblings they are list items.
    for k, it in enumerate(out):
        if it.heading_key is None or it.label is None or it.label.scheme not in _DEEP or it.raw.style_level:
            continue
        prev_s = out[k - 1].label.scheme if k > 0 and out[k - 1].label else None
        next_s = out[k + 1].label.scheme if k + 1 < len(out) and out[k + 1].label else None
        if it.label.scheme in (prev_s, next_s):
            out[k] = _Item(it.raw, it.text, it.label)
    i = 0
    while i < len(out):
        key = out[i].heading_key
        if (key is None or (key in STRUCTURAL and key != "annex") or key == "plain"
                or out[i].raw.style_level is not None or key.startswith("style")):
            i += 1
            continue
        j = i
        while (j + 1 < len(out) and out[j + 1].heading_key == key and out[j + 1].raw.style_level is None
               and _next_number(out[j], out[j + 1])):
            j += 1
        if j - i >= 2 and not run_in.intersection(range(i, j + 1)):
            for k in range(i, j + 1):
                it = out[k]
                out[k] = _Item(it.raw, it.text, it.label)
        i = j + 1
    return out


def _to_block(item: _Item) -> Block:
    raw = item.raw
    if raw.table is not None:
        return _block(BlockKind.TABLE, raw.table.text(), raw.location, raw.table)
    kind = BlockKind.LIST_ITEM if (item.label is not None or raw.is_list) else BlockKind.PARAGRAPH
    text = item.text
    if raw.auto_number and not text.startswith(raw.auto_number):
        text = f"{raw.auto_number}{text}"
    return _block(kind, text, raw.location)


def _split_run_in(item: _Item) -> tuple[_Item, str] | None:
    """"（一）编制目的。为了……" → a heading "编制目的" plus a body paragraph."""
    label = item.label
    if label is None or item.heading_key is not None or label.scheme in ("tiao", "annex"):
        return None
    m = _RUN_IN.match(label.title)
    if not m or not _title_like(m.group("title")):
        return None
    key = label.scheme
    return _Item(item.raw, item.text, label, key, compact(m.group("title"))), m.group("body")


def build_outline(raw_doc: RawDocument) -> tuple[Section, tuple[str, ...]]:
    """Build the section tree; also return reader-facing notes (in Chinese)."""
    notes: list[str] = []
    blocks = [b for b in raw_doc.blocks if not b.in_toc]
    if len(blocks) != len(raw_doc.blocks):
        notes.append(f"已跳过 Word 目录（{len(raw_doc.blocks) - len(blocks)} 段）")
    # Lines are normalised and labels parsed once each, however many of the passes below ask.
    normalized: dict[str, str] = {}
    labels: dict[str, Label | None] = {}

    def line(text: str) -> str:
        out = normalized.get(text)
        if out is None:
            out = normalized[text] = normalize_line(text)
        return out

    def label_of(text: str) -> Label | None:
        if text in labels:
            return labels[text]
        label = labels[text] = parse_label(text)
        return label

    toc = find_toc(blocks, line)
    if toc is not None:
        start, end = toc
        notes.append(f"已跳过目录（{blocks[start].location.describe()}起，共 {end - start} 行）")
        blocks = blocks[:start] + blocks[end:]

    texts = [line(b.text) if b.table is None else b.text for b in blocks]
    # one pass for both: does a short line use a multi-level decimal number; how many very short
    # lines (tables' too) carry a structural one
    has_dec = False
    labelled = 0
    for t, b in zip(texts, blocks, strict=True):
        if len(t) > 60 or (lab := label_of(t)) is None:
            continue
        scheme = lab.scheme
        if len(t) <= 40 and scheme in STRUCTURAL:
            labelled += 1
        if not has_dec and b.table is None and scheme.startswith("dec") and scheme != "dec1":
            has_dec = True
    # Text exported from Word loses automatic numbers; then short bare lines are the headings.
    plain = raw_doc.format in ("txt", "md") and labelled * 40 < len(texts)
    weak_style = raw_doc.format == "md"
    items = [
        # most blocks are unnumbered body text with no style or bold to weigh: what _classify
        # would return for them, without the call
        _Item(b, t, None)
        if b.table is None and not b.auto_number and b.style_level is None and not b.bold and not plain
        and label_of(t) is None
        else _classify(b, t, has_dec, weak_style, plain, label_of)
        for b, t in zip(blocks, texts, strict=True)
        if t or b.table is not None
    ]

    # Run-in headings count only when the scheme is used that way repeatedly.
    run_ins = [_split_run_in(it) if it.label is not None else None for it in items]
    run_in_schemes: dict[str, int] = {}
    for r in run_ins:
        if r:
            run_in_schemes[r[0].heading_key or ""] = run_in_schemes.get(r[0].heading_key or "", 0) + 1
    flat: list[_Item] = []
    body_after: dict[int, str] = {}
    for it, r in zip(items, run_ins, strict=True):
        if r and run_in_schemes.get(r[0].heading_key or "", 0) >= 3:
            body_after[len(flat)] = r[1]
            flat.append(r[0])
        else:
            flat.append(it)
    if has_dec:
        flat = _sink_lists_below_decimal(flat)
    flat = _demote_lists(flat, frozenset(body_after))

    root = _Node(title=raw_doc.meta_title or "", level=0, number=None, location=Location())
    stack: list[tuple[str, _Node]] = []  # (scheme key, node)
    keys: list[str] = []  # the scheme keys of ``stack``, kept in step with it
    style_rank: dict[int, float] = {}
    for it in flat:
        if it.heading_key and it.raw.style_level is not None and it.heading_key in SCHEME_RANK:
            style_rank.setdefault(it.raw.style_level, SCHEME_RANK[it.heading_key])

    first_numbered = next((i for i, it in enumerate(flat) if it.heading_key in STRUCTURAL), len(flat))
    heading_count = 0
    title_node: _Node | None = None
    absorbed: set[int] = set()
    for idx, it in enumerate(flat):
        key = it.heading_key
        if absorbed and idx in absorbed:
            continue
        if key is None:
            parent = stack[-1][1] if stack else (title_node or root)
            parent.blocks.append(_to_block(it))
            continue
        if idx < first_numbered and key.startswith(("style", "bold", "plain")) and _COVER_LINE.search(it.title):
            # cover lines ("2024年10月15日发布", "石桥镇人民政府") set in a large font are not headings
            (title_node or root).blocks.append(_to_block(it))
            continue
        if idx < first_numbered and key.startswith(("style", "bold", "plain")) and _TITLE_WORDS.search(it.title):
            # The plan's own title (or its release notice) above the first chapter: a sibling of
            # the chapters, never their parent.
            heading_count += 1
            stack.clear()
            keys.clear()
            title_node = _Node(it.title, 1, None, it.raw.location)
            root.children.append(title_node)
            continue
        heading_count += 1
        rank = SCHEME_RANK.get(key)
        if key.startswith("style") and it.abs_level is not None:
            rank = style_rank.get(it.abs_level)
        if key == "annex" or (key == "plain" and "annex" not in keys):
            # without numbers a bare line cannot say how deep it is: keep such headings flat
            stack.clear()
            keys.clear()
        elif key in keys and key != "bold":
            del stack[keys.index(key):]
            del keys[len(stack):]
        elif key.startswith("style") and rank is None and it.abs_level is not None:
            del stack[max(0, it.abs_level - 1):]
            del keys[len(stack):]
        elif key == "bold":
            if stack and stack[-1][0] == "bold":
                stack.pop()
                keys.pop()
        else:
            while stack and rank is not None:
                top_key = stack[-1][0]
                top_rank = SCHEME_RANK.get(top_key)
                if top_key.startswith("style"):
                    top_rank = style_rank.get(int(top_key[5:]))
                if top_rank is None or top_rank < rank:
                    break
                stack.pop()
                keys.pop()
        parent = stack[-1][1] if stack else root
        number = it.label.number if it.label else None
        title = it.title
        if number and it.label and it.label.scheme == "annex" and title == number:
            # "附件2" on its own line, the annex title on the next: read them as one heading
            nxt = flat[idx + 1] if idx + 1 < len(flat) else None
            if nxt is not None and nxt.heading_key is None and nxt.raw.table is None and _title_like(nxt.text):
                title = compact(nxt.text)
                absorbed.add(idx + 1)
            else:
                number = None
        node = _Node(title, len(stack) + 1, number, it.raw.location)
        parent.children.append(node)
        stack.append((key, node))
        keys.append(key)
        if idx in body_after:
            node.blocks.append(Block(BlockKind.PARAGRAPH, body_after[idx], it.raw.location))

    if heading_count == 0:
        notes.append("未识别到章节标题，全文按一个章节处理")
    return root.freeze(), tuple(notes)
