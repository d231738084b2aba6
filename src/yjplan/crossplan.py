"""Checks across the plans of one folder: copies, conflicting phone numbers, missing superior plans, age.

Two halves, both pure:

* ``features_of(doc)`` runs in the worker next to the audit and returns the small, JSON-ready
  ``crossplan`` part of a results row (a MinHash signature, long paragraphs, phone numbers with the
  unit or person written next to them, cited plan titles, the locality names the plan uses);
* ``FolderChecks`` runs in the main process: results.jsonl is streamed through ``add`` once, which
  keeps a few compact values per plan (a signature, phone entries as small integers, path and
  title), and ``findings`` yields the folder's findings from those.

Near duplicates use one-permutation MinHash over character 5-grams of the text with digits,
whitespace and punctuation removed (place names cannot be known, so they stay in and only lower the
similarity a little), LSH banding to find candidate pairs without comparing all pairs, and
rapidfuzz to confirm copied paragraphs of the pairs found.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import operator
import re
import tempfile
import weakref
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, overload

from yjplan.model import Document

SHINGLE = 5
SIG_SIZE = 128  # MinHash positions (one-permutation hashing: one bin per position)
BANDS = 32  # LSH bands of SIG_SIZE // BANDS rows: pairs at Jaccard 0.6 become candidates with p ≈ 0.99
MIN_SHINGLES = 200  # shorter texts give signatures too noisy to compare
NEAR_DUP_THRESHOLD = 0.6
PARA_MIN_CHARS = 30
PARA_RATIO = 90.0
PARA_KEEP_CHARS = 400  # a paragraph longer than this is compared on its first 400 characters
MAX_PARAGRAPHS = 3000
MAX_PAIRS = 200  # near-duplicate pairs reported (the largest similarities first)
OVERDUE_YEARS = 3

_NORM_DROP = re.compile(r"[^\u3400-\u9fffA-Za-z]+")
_CITED = re.compile(r"《([^《》\n]{2,60}?(?:预案|方案))》")
_SUPERIOR_FOR = {
    "乡镇": re.compile(r"国家|省|自治区|[市州盟旗县]|(?<![社小园景库校厂])区"),
    "村社区": re.compile(r"国家|省|自治区|[市州盟旗县乡镇]|街道|(?<![社小园景库校厂])区"),
}
_LOWER_TYPES = tuple(_SUPERIOR_FOR)


# --- features (worker side) ---------------------------------------------------------------------


def normalize(text: str) -> str:
    """Only CJK characters and Latin letters: digits, dates, whitespace and punctuation go."""
    return _NORM_DROP.sub("", text)


def minhash(text: str) -> tuple[bytes | None, int]:
    """(signature, shingle count): one-permutation MinHash of the distinct 5-grams of ``text``.

    Each shingle is hashed once (blake2b, stable across processes and runs); its low bits pick one
    of SIG_SIZE bins and the next 32 bits compete for that bin's minimum. Empty bins borrow the next
    filled bin's value (densification), so short texts still give comparable signatures.
    """
    norm = normalize(text)
    seen: set[str] = set()
    sig = [-1] * SIG_SIZE
    mask = SIG_SIZE - 1
    blake = hashlib.blake2b
    for i in range(len(norm) - SHINGLE + 1):
        sh = norm[i : i + SHINGLE]
        if sh in seen:
            continue
        seen.add(sh)
        h = int.from_bytes(blake(sh.encode("utf-8"), digest_size=8).digest(), "big")
        b, v = h & mask, (h >> 32) & 0xFFFFFFFF
        if sig[b] < 0 or v < sig[b]:
            sig[b] = v
    if not seen:
        return None, 0
    filled = [i for i, v in enumerate(sig) if v >= 0]
    for i in range(SIG_SIZE):
        if sig[i] < 0:
            nxt = next((j for j in filled if j > i), filled[0])
            sig[i] = sig[nxt]
    return b"".join(v.to_bytes(4, "big") for v in sig), len(seen)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal positions."""
    if len(a) == len(b) and len(a) % 4 == 0 and a:
        # positions compared as native 4-byte integers in C: equal bytes are equal integers
        same = sum(map(operator.eq, memoryview(a).cast("I"), memoryview(b).cast("I")))
    else:
        same = sum(1 for i in range(0, len(a), 4) if a[i : i + 4] == b[i : i + 4])
    return same / (len(a) // 4)


def paragraphs_of(doc: Document) -> list[list[str]]:
    """[location, text] of every paragraph long enough to count as a copied passage."""
    out: list[list[str]] = []
    for _, block in doc.blocks():
        if block.table is not None:
            continue
        text = block.text.strip()
        if len(normalize(text)) < PARA_MIN_CHARS:
            continue
        out.append([block.location.describe(), text[:PARA_KEEP_CHARS]])
        if len(out) >= MAX_PARAGRAPHS:
            break
    return out


def cited_plans(text: str) -> list[str]:
    return sorted({m.group(1).strip() for m in _CITED.finditer(text)})


def features_of(doc: Document) -> dict[str, Any]:
    """The ``crossplan`` part of a results row (JSON-ready)."""
    text = doc.root.full_text()
    sig, shingles = minhash(text)
    return {
        "minhash": sig.hex() if sig else None,
        "shingles": shingles,
        "paragraphs": paragraphs_of(doc),
        "phones": phone_entries(doc, text),
        "cited": cited_plans(text),
    }


# --- phones next to units and people ------------------------------------------------------------

_ORG_SUFFIXES = (
    "应急管理办公室", "应急办", "办公室", "值班室", "指挥部", "管理局", "局", "派出所", "所", "站", "中心", "卫生院",
    "医院", "大队", "中队", "支队", "消防队", "队", "委员会", "村委会", "居委会", "人民政府", "政府", "公司", "厂",
    "办", "院", "学校", "中学", "小学", "幼儿园", "社区", "村", "街道", "镇", "乡", "总值班室", "热线",
)  # fmt: skip
_ORG_RE = re.compile("|".join(sorted((re.escape(s) for s in _ORG_SUFFIXES), key=len, reverse=True)))
_GENERIC = frozenset((
    "办公室", "值班室", "指挥部", "中心", "政府", "人民政府", "本单位", "单位", "我镇", "本镇", "全镇", "本村", "我村",
    "本办", "该所", "热线", "服务热线", "公司", "本公司",
))  # fmt: skip
_NOT_UNIT_ENDINGS = ("场所", "住所", "处所", "厕所", "避难所", "安置点", "公共场所")
_CUT_WORDS = re.compile(  # words that end a clause before a unit name: 电话报告|县应急管理局
    r".*(?:报告|通知|联系|拨打|上报|告知|请示|移交|设在|包括|负责|电话|向|由|及|与|或|至|到|为|是|经|按|请|在|即|的)"
)
_LABEL_TAIL = re.compile(
    r"[（(【\[]?(?:24小时|二十四小时)?(?:应急|值班|办公|联系|报警|抢修|服务|咨询|举报|投诉|传真|求助)?"
    r"(?:电话|手机|热线|座机|号码|方式|联系方式)?(?:号码)?[为是]?[：:]?[ \u3000\t]*$"
)
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文"
    "牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛"
    "曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏"
)
_NOT_NAME_CHARS = frozenset("长任记员人组部办局所站队村镇乡区室院心司厂会府处科电话机号码位门")
_NAME_CELL = re.compile(r"[\u4e00-\u9fff]{2,3}")
_LEVELS = ("街道", "镇", "乡", "县", "市", "区", "村")
_NOT_RELATIVE = ("市场", "区域", "村民", "村组", "县城", "乡村", "镇区", "区县", "村级", "镇级", "县级", "市级",
                 "区级", "乡镇", "市政", "市民", "村庄", "村内")  # fmt: skip
_LOCALITY_STOP = frozenset("全本各该每我等和及与在由向到的告知报请送给经至交往赴省市县区镇乡村集")


def _looks_like_name(s: str) -> bool:
    s = s.replace(" ", "").replace("\u3000", "")
    return bool(_NAME_CELL.fullmatch(s)) and s[0] in _SURNAMES and not (set(s[1:]) & _NOT_NAME_CHARS)


def _holder(clause: str) -> tuple[str | None, str | None]:
    """(unit, person) written just before a phone number in one clause of text."""
    clause = _LABEL_TAIL.sub("", clause)
    name: str | None = None
    for n in (3, 2):
        tail = clause[-n:]
        if len(clause) >= n and _looks_like_name(tail) and not _ORG_RE.fullmatch(tail):
            name = tail
            clause = _LABEL_TAIL.sub("", clause[:-n])
            break
    org: str | None = None
    for m in _ORG_RE.finditer(clause):
        if len(clause) - m.end() > 60:
            continue
        start = max(0, m.start() - 14)
        seg = clause[start : m.end()]
        non_cjk = [i for i, c in enumerate(seg[: len(seg) - len(m.group())]) if not ("\u4e00" <= c <= "\u9fff")]
        if non_cjk:
            seg = seg[non_cjk[-1] + 1 :]
        cut = _CUT_WORDS.match(seg[: len(seg) - len(m.group())])
        if cut:
            seg = seg[cut.end() :]
        seg = re.sub(r"[（(][^）)]*[）)]?", "", seg)
        if len(seg) > len(m.group()) and seg not in _GENERIC and not seg.endswith(_NOT_UNIT_ENDINGS):
            org = seg
    return org, name


@dataclass(frozen=True, slots=True)
class _Localities:
    """The place names a plan uses for each level (石桥镇, 梧桐县), to qualify 镇应急办 → 石桥镇应急办.

    Taken from the plan's title first, then from the plans it cites (a village plan cites its town's
    plan), then from the most frequent two-character name in the text.
    """

    names: tuple[tuple[str, str], ...]

    @staticmethod
    def of(title: str, cited: Sequence[str], text: str) -> _Localities:
        found: list[tuple[str, str]] = []
        for level in _LEVELS:
            name = _first_place(title, level)
            for c in cited:
                name = name or _first_place(c, level)
            if name is None:
                counts = Counter(
                    m.group(1)
                    for m in re.finditer(rf"([\u4e00-\u9fff]{{2}}){level}", text)
                    if not (set(m.group(1)) & _LOCALITY_STOP)
                )
                if counts:
                    best, n = counts.most_common(1)[0]
                    name = best + level if n >= 2 else None
            if name:
                found.append((level, name))
        return _Localities(tuple(found))

    def qualify(self, unit: str) -> str:
        if unit.startswith(_NOT_RELATIVE):
            return unit
        for level, name in self.names:
            if unit.startswith(level) and not unit.startswith(name):
                return name + unit[len(level) :]
        return unit


def _first_place(title: str, level: str) -> str | None:
    for m in re.finditer(rf"([\u4e00-\u9fff]{{2,4}}?){level}", title):
        if not (set(m.group(1)) & _LOCALITY_STOP):
            return m.group(1) + level
    return None


def _phones_in(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, value, kind) of real, non-service phone numbers in ``text``."""
    from yjplan.match.extract import extract_phone

    out = []
    for hit in extract_phone(text):
        if hit.flag or not hit.value or len(hit.value) <= 6:
            continue  # placeholders, invalid numbers and 110/120/12345 say nothing about a unit
        kind = "mobile" if hit.value.startswith("1") else "land"
        out.append((hit.start, hit.end, hit.value, kind))
    return out


def _segment_holders(text: str) -> list[tuple[str, str, str | None, str | None]]:
    """(value, kind, unit, person) for each phone number in one line or table cell."""
    out = []
    bound = 0
    for start, end, value, kind in _phones_in(text):
        before = text[bound:start]
        ends = list(_SENTENCE_END.finditer(before))
        if ends:
            before = before[ends[-1].end() :]
        org, name = _holder(before)
        out.append((value, kind, org, name))
        bound = end
    return out


def _row_entries(header: Sequence[str], row: Sequence[str]) -> list[tuple[str, str, str | None, str | None, int]]:
    units = [i for i, cell in enumerate(row) if _holder(cell.strip())[0] == _clean_unit(cell.strip())]
    out = []
    for col, cell in enumerate(row):
        for value, kind, org, name in _segment_holders(cell):
            if org is None and units:
                left = [i for i in units if i < col] or units
                org = _clean_unit(row[left[0]].strip())
            if name is None and kind == "mobile":
                names = [i for i in range(col) if _looks_like_name(row[i])]
                if names:
                    name = row[names[-1]].replace(" ", "").replace("\u3000", "")
            out.append((value, kind, org, name, col))
    del header  # the header only ever names columns; units and names are recognised by their values
    return out


def _clean_unit(s: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]?|\s", "", s)


def phone_entries(doc: Document, text: str | None = None) -> list[list[str]]:
    """[unit, person, phone, kind, location] for phone numbers with a recognisable unit next to them.

    ``unit`` is qualified with the plan's own place names (镇应急办 → 石桥镇应急办) so plans of
    different towns in one folder are not compared with each other. ``person`` is filled for mobile
    numbers written next to a name (in the same clause or the same table row), else "".
    """
    text = text if text is not None else doc.root.full_text()
    places = _Localities.of(doc.title or "", cited_plans(text), text)
    out: list[list[str]] = []
    seen: set[tuple[str, str, str]] = set()

    def add(value: str, kind: str, org: str | None, name: str | None, where: str) -> None:
        if not org:
            return
        unit = places.qualify(_clean_unit(org))
        person = (name or "") if kind == "mobile" else ""
        if (unit, person, value) in seen:
            return
        seen.add((unit, person, value))
        out.append([unit, person, value, kind, where])

    for _, block in doc.blocks():
        if block.table is not None and block.table.rows:
            header = block.table.rows[0]
            for r, row in enumerate(block.table.rows, start=1):
                for value, kind, org, name, col in _row_entries(header, row):
                    add(value, kind, org, name, block.location.with_cell(r, col + 1).describe())
            continue
        for line in block.text.splitlines():
            for value, kind, org, name in _segment_holders(line):
                add(value, kind, org, name, block.location.describe())
        if len(out) > 2000:
            break
    return out


# --- folder-level checks (main side) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanFeatures:
    """What the folder-level checks need from one audited plan; built from its results row."""

    index: int  # position in the run's inputs; also the key for load_paragraphs
    path: str
    title: str
    plan_type: str | None
    sha256: str
    issue_date: date | None
    signature: bytes | None
    phones: tuple[tuple[str, str, str, str, str], ...]  # unit, person, phone, kind, location
    cited: tuple[str, ...]

    @staticmethod
    def from_row(index: int, row: dict[str, Any]) -> PlanFeatures:
        cp = row.get("crossplan") or {}
        sig = cp.get("minhash")
        shingles = int(cp.get("shingles") or 0)
        issued = row.get("issue_date")
        try:
            issue_date = date.fromisoformat(issued) if issued else None
        except ValueError:
            issue_date = None
        return PlanFeatures(
            index=index,
            path=row.get("path", ""),
            title=row.get("title") or row.get("path", ""),
            plan_type=row.get("plan_type"),
            sha256=row.get("sha256", ""),
            issue_date=issue_date,
            signature=bytes.fromhex(sig) if sig and shingles >= MIN_SHINGLES else None,
            phones=tuple(tuple(p) for p in cp.get("phones") or () if len(p) == 5),  # type: ignore[misc]
            cited=tuple(cp.get("cited") or ()),
        )


@dataclass(frozen=True, slots=True)
class CrossFinding:
    kind: str  # near_duplicate | phone_conflict | no_superior_plan | overdue
    message: str  # one Chinese sentence
    paths: tuple[str, ...]
    details: tuple[str, ...] = ()  # one Chinese line each: copied paragraphs, numbers per plan
    similarity: float | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


Copies = list[tuple[str, str, str, float]]
PairMemo = tuple[Callable[[str], "Copies | None"], Callable[[str, "Copies"], None]]

KIND_LABELS = {
    "near_duplicate": "内容雷同",
    "phone_conflict": "电话不一致",
    "no_superior_plan": "未引用上级预案",
    "overdue": "超期未修订",
}


class FindingStore(Sequence[CrossFinding]):
    """Cross-plan findings kept in an anonymous temporary file and read back in order.

    A phone conflict lists every plan that gives the unit a number, so the findings' text grows
    faster than the folder (1.4 MB for 200 plans, 5 MB for 1000); on disk it costs the batch main
    process no memory. Each iteration keeps its own file position, so iterations may nest.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self._fh = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by close() or the finalizer
        self._end = 0
        self._count = 0
        self._closer = weakref.finalize(self, self._fh.close)

    def append(self, finding: CrossFinding) -> None:
        # ensure_ascii: a line never holds a raw newline, and lone surrogates read back unchanged
        line = json.dumps([finding.kind, finding.message, finding.paths, finding.details, finding.similarity])
        data = line.encode("ascii") + b"\n"
        self._fh.seek(self._end)
        self._fh.write(data)
        self._end += len(data)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[CrossFinding]:
        pos, end, rest = 0, self._end, b""
        while pos < end:
            self._fh.seek(pos)
            chunk = self._fh.read(min(1 << 16, end - pos))
            if not chunk:
                break
            pos += len(chunk)
            *lines, rest = (rest + chunk).split(b"\n")
            for line in lines:
                kind, message, paths, details, sim = json.loads(line)
                yield CrossFinding(kind, message, tuple(paths), tuple(details), sim)

    @overload
    def __getitem__(self, key: int) -> CrossFinding: ...

    @overload
    def __getitem__(self, key: slice) -> list[CrossFinding]: ...

    def __getitem__(self, key: int | slice) -> CrossFinding | list[CrossFinding]:
        if isinstance(key, slice):
            return list(islice(self, *key.indices(self._count)))
        index = key + self._count if key < 0 else key
        if not 0 <= index < self._count:
            raise IndexError(key)
        return next(islice(self, index, None))

    def close(self) -> None:
        self._closer()


def _first_band_pairs(signatures: Sequence[bytes]) -> Iterator[tuple[int, int]]:
    """(x, y), x < y, of signature positions sharing at least one LSH band, each pair exactly once.

    A pair is produced in the first band its signatures share, so no set of all pairs is kept: a
    folder of templated plans has pairs quadratic in its size (113,000 among 1000 plans). One array
    of group numbers per band seen so far tells whether a pair met in an earlier band.
    """
    width = (SIG_SIZE // BANDS) * 4
    count = len(signatures)
    earlier: list[array[int]] = []
    for band in range(BANDS):
        lo, hi = band * width, (band + 1) * width
        groups: dict[bytes, list[int]] = {}
        for pos, sig in enumerate(signatures):
            groups.setdefault(sig[lo:hi], []).append(pos)
        group_of = array("i", bytes(4 * count))
        for number, members in enumerate(groups.values()):
            for pos in members:
                group_of[pos] = number
        for members in groups.values():
            if len(members) < 2:
                continue
            for k, x in enumerate(members):
                for y in members[k + 1 :]:
                    for seen in earlier:
                        if seen[x] == seen[y]:
                            break
                    else:
                        yield x, y
        earlier.append(group_of)


def candidate_pairs(signatures: Iterable[tuple[int, bytes]]) -> set[tuple[int, int]]:
    """Pairs of plan indexes that share at least one LSH band of their signatures."""
    items = list(signatures)
    pairs = set()
    for x, y in _first_band_pairs([sig for _, sig in items]):
        a, b = items[x][0], items[y][0]
        pairs.add((a, b) if a < b else (b, a))
    return pairs


def copied_paragraphs(a: Sequence[Sequence[str]], b: Sequence[Sequence[str]]) -> list[tuple[str, str, str, float]]:
    """(location in a, location in b, text in a, ratio) of paragraphs of ``a`` found again in ``b``.

    Paragraphs copied unchanged are matched by their normalised text first; only the rest go through
    rapidfuzz's all-against-all ratio, which is what costs time.
    """
    from rapidfuzz import fuzz, process

    na = [normalize(t) for _, t in a]
    nb = [normalize(t) for _, t in b]
    exact: dict[str, int] = {}
    for j, t in enumerate(nb):
        exact.setdefault(t, j)
    found: dict[int, tuple[int, float]] = {}
    rest = []
    for i, t in enumerate(na):
        if len(t) < PARA_MIN_CHARS:
            continue
        if t in exact:
            found[i] = (exact[t], 100.0)
        else:
            rest.append(i)
    # extractOne rather than cdist: cdist returns a numpy matrix, and numpy is not a dependency
    for i in rest:
        best = process.extractOne(na[i], nb, scorer=fuzz.ratio, score_cutoff=PARA_RATIO) if nb else None
        if best is not None:
            found[i] = (int(best[2]), float(best[1]))
    return [(a[i][0], b[j][0], a[i][1], r) for i, (j, r) in sorted(found.items())]


def _preview(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def _conflict(label: str, numbers: dict[int, set[str]], path_of: Callable[[int], str],
              where: dict[tuple[int, str], str]) -> CrossFinding | None:
    if len(numbers) < 2:
        return None
    items = sorted(numbers.items())
    clash = any(not (sa & sb) for k, (_, sa) in enumerate(items) for _, sb in items[k + 1 :])
    if not clash:
        return None
    variants = sorted({" / ".join(sorted(s)) for _, s in items})
    details = tuple(
        f"{path_of(i)}：{'、'.join(sorted(s))}（{where.get((i, sorted(s)[0]), '位置未知')}）" for i, s in items
    )
    message = f"“{label}”在不同预案中的电话不一致：{'；'.join(variants)}"
    return CrossFinding("phone_conflict", message, tuple(path_of(i) for i, _ in items), details)


def _missing_superior(p: PlanFeatures) -> CrossFinding | None:
    pattern = _SUPERIOR_FOR.get(p.plan_type or "")
    if pattern is None:
        return None
    own = normalize(p.title)
    if any(pattern.search(c) and normalize(c) != own and "预案" in c for c in p.cited):
        return None
    example = "《××县突发事件总体应急预案》" if p.plan_type == "乡镇" else "《××镇突发事件总体应急预案》"
    cited = "、".join(f"《{c}》" for c in p.cited[:5]) or "无"
    return CrossFinding(
        "no_superior_plan",
        f"{p.plan_type}预案没有引用上级预案（如{example}），看不出与上级预案如何衔接",
        (p.path,),
        (f"引用的预案：{cited}",),
    )


def _overdue(p: PlanFeatures, today: date, years: int) -> CrossFinding | None:
    if p.issue_date is None:
        return None
    try:
        due = p.issue_date.replace(year=p.issue_date.year + years)
    except ValueError:  # 29 February
        due = p.issue_date.replace(year=p.issue_date.year + years, day=28)
    if due >= today:
        return None
    age = (today - p.issue_date).days / 365.25
    return CrossFinding(
        "overdue",
        f"印发于 {p.issue_date.isoformat()}，已超过 {years} 年（约 {age:.1f} 年），应评估并修订",
        (p.path,),
    )


class FolderChecks:
    """The four folder-level checks, fed one plan at a time, keeping only compact data per plan.

    The batch main process streams results.jsonl through ``add`` and must not grow with the folder:
    per plan it keeps its path and title, its MinHash signature (512 bytes) and its phone entries as
    six integers each in one array (the strings themselves are stored once per folder: units,
    numbers and locations repeat across plans). The per-plan checks (superior plan, age) are decided in
    ``add`` and appended to ``store()`` sequences, which the batch points at temporary files.
    ``findings`` then yields the folder's findings: the per-plan ones, near duplicates, phone conflicts.
    """

    def __init__(self, today: date | None, *, years: int = OVERDUE_YEARS,
                 store: Callable[[], Any] = list) -> None:
        self.today = today
        self.years = years
        self._indexes: list[int] = []
        self._paths: list[str] = []
        self._titles: list[str] = []
        self._signed: list[tuple[int, bytes, str]] = []  # (position, signature, sha256)
        # one phone entry = (unit, position, person, phone, kind, first location of the phone in
        # the plan), each string an index into _values
        self._phones = array("i")
        self._ids: dict[Any, int] = {}
        self._values: list[Any] = []
        self._superior = store()
        self._overdue = store()

    def _id(self, value: Any) -> int:
        found = self._ids.get(value)
        if found is None:
            found = self._ids[value] = len(self._values)
            self._values.append(value)
        return found

    def add(self, plan: PlanFeatures) -> None:
        pos = len(self._indexes)
        self._indexes.append(plan.index)
        self._paths.append(plan.path)
        self._titles.append(plan.title)
        if plan.signature:
            self._signed.append((pos, plan.signature, plan.sha256))
        first: dict[str, str] = {}  # phone → where it first appears in this plan, under any unit
        ident = self._id
        for unit, person, phone, kind, loc in plan.phones:
            where = first.setdefault(phone, loc)
            self._phones.extend((ident(unit), pos, ident(person), ident(phone), ident(kind), ident(where)))
        finding = _missing_superior(plan)
        if finding is not None:
            self._superior.append(finding)
        finding = _overdue(plan, self.today, self.years) if self.today is not None else None
        if finding is not None:
            self._overdue.append(finding)

    def findings(self, load_paragraphs: Callable[[int], list[list[str]]],
                 threshold: float = NEAR_DUP_THRESHOLD, remember: PairMemo | None = None) -> Iterator[CrossFinding]:
        yield from self.near_duplicates(load_paragraphs, threshold, remember)
        yield from self.phone_conflicts()
        yield from self._superior
        yield from self._overdue

    def near_duplicates(self, load_paragraphs: Callable[[int], list[list[str]]],
                        threshold: float = NEAR_DUP_THRESHOLD,
                        remember: PairMemo | None = None) -> Iterator[CrossFinding]:
        """Pairs of plans at or above ``threshold`` estimated similarity, with their copied paragraphs.

        Only the MAX_PAIRS most similar pairs are kept while scoring (most similar first, then by
        plan index); ``remember`` (get, put) keeps the copied-paragraph comparison of a pair of file
        hashes between runs, so re-running on an unchanged folder does not repeat it.
        """
        signed, indexes = self._signed, self._indexes

        def scored() -> Iterator[tuple[float, int, int, int, int]]:
            # (-similarity, index a, index b) orders the pairs; (a, b) is unique, so x, y never decide
            for x, y in _first_band_pairs([sig for _, sig, _ in signed]):
                (pa, sa, ha), (pb, sb, hb) = signed[x], signed[y]
                sim = 1.0 if ha == hb else similarity(sa, sb)
                if sim >= threshold:
                    a, b = indexes[pa], indexes[pb]
                    yield (-sim, a, b, x, y) if a < b else (-sim, b, a, y, x)

        for neg, a, b, x, y in heapq.nsmallest(MAX_PAIRS, scored()):
            sim = -neg
            (pa, _, sha_a), (pb, _, sha_b) = signed[x], signed[y]
            if sha_a == sha_b:
                yield CrossFinding("near_duplicate", f"两份文件内容完全相同：{self._titles[pa]}",
                                   (self._paths[pa], self._paths[pb]), similarity=1.0)
                continue
            key = f"{sha_a}:{sha_b}"
            copies = remember[0](key) if remember else None
            if copies is None:
                copies = copied_paragraphs(load_paragraphs(a), load_paragraphs(b))
                if remember:
                    remember[1](key, copies)
            details = tuple(f"{la} ≈ {lb}（相似度 {r:.0f}）：{_preview(t)}" for la, lb, t, r in copies[:10])
            if len(copies) > 10:
                details += (f"另有 {len(copies) - 10} 段相同或近似的段落",)
            message = f"两份预案高度相似（约 {sim:.0%}），有 {len(copies)} 段相同或近似的段落，可能是照抄后改了名称"
            yield CrossFinding("near_duplicate", message, (self._paths[pa], self._paths[pb]), details,
                               similarity=round(sim, 3))

    def phone_conflicts(self) -> Iterator[CrossFinding]:
        """The same unit (or the same person of a unit) with different numbers in different plans.

        Numbers are compared kind by kind (landline with landline, mobile with mobile) and only plans
        that give the unit its own number take part: two plans conflict when their numbers of one kind
        for the unit have nothing in common. A plan that lists a unit only through its staff's mobiles
        is not compared at unit level (different people are not a conflict). Units are taken one at a
        time, in order, so only one unit's numbers are ever unpacked.
        """
        pos_of = {index: pos for pos, index in enumerate(self._indexes)}

        def path_of(index: int) -> str:
            return self._paths[pos_of[index]]

        order, units = self._by_unit()
        for unit, lo, hi in units:
            per_plan: dict[int, dict[str, set[str]]] = {}
            where: dict[tuple[int, str], str] = {}
            for index, person, phone, kind, loc in self._entries(order, lo, hi):
                where.setdefault((index, phone), loc)
                per_plan.setdefault(index, {}).setdefault("staff_" + kind if person else kind, set()).add(phone)
            for kind in ("land", "mobile"):
                own = {i: d[kind] | d.get("staff_" + kind, set()) for i, d in per_plan.items() if d.get(kind)}
                finding = _conflict(unit, own, path_of, where)
                if finding:
                    yield finding
        for unit, lo, hi in units:
            people: dict[str, dict[int, set[str]]] = {}
            where = {}
            for index, person, phone, _, loc in self._entries(order, lo, hi):
                where.setdefault((index, phone), loc)
                if person:
                    people.setdefault(person, {}).setdefault(index, set()).add(phone)
            for person in sorted(people):
                finding = _conflict(f"{unit} {person}", people[person], path_of, where)
                if finding:
                    yield finding

    def _by_unit(self) -> tuple[array[int], list[tuple[Any, int, int]]]:
        """Phone entry numbers grouped by unit, and (unit, start, end) of each group in unit order.

        A counting sort into one array: grouping costs 4 bytes per entry, not a list or dict per
        unit; within a unit the entries keep the order they were added in.
        """
        phones, values = self._phones, self._values
        sizes: dict[int, int] = {}
        for unit in phones[::_ENTRY]:
            sizes[unit] = sizes.get(unit, 0) + 1
        units = sorted(sizes, key=values.__getitem__)
        start, end = {}, 0
        for unit in units:
            start[unit] = end
            end += sizes[unit]
        order = array("i", bytes(4 * end))
        for number, unit in enumerate(phones[::_ENTRY]):
            order[start[unit]] = number
            start[unit] += 1
        return order, [(values[u], start[u] - sizes[u], start[u]) for u in units]

    def _entries(self, order: array[int], lo: int, hi: int) -> Iterator[tuple[int, Any, Any, Any, Any]]:
        """(index, person, phone, kind, first location) of the phone entries order[lo:hi]."""
        phones, values, indexes = self._phones, self._values, self._indexes
        for number in order[lo:hi]:
            k = number * _ENTRY
            yield (indexes[phones[k + 1]], values[phones[k + 2]], values[phones[k + 3]], values[phones[k + 4]],
                   values[phones[k + 5]])


_ENTRY = 6  # integers per phone entry in FolderChecks._phones: unit, position, person, phone, kind, location


def _checks(plans: Iterable[PlanFeatures], today: date | None = None) -> FolderChecks:
    checks = FolderChecks(today)
    for p in plans:
        checks.add(p)
    return checks


def near_duplicates(
    plans: Sequence[PlanFeatures],
    load_paragraphs: Callable[[int], list[list[str]]],
    threshold: float = NEAR_DUP_THRESHOLD,
    remember: PairMemo | None = None,
) -> list[CrossFinding]:
    """Pairs of plans at or above ``threshold`` estimated similarity (see FolderChecks.near_duplicates)."""
    return list(_checks(plans).near_duplicates(load_paragraphs, threshold, remember))


def phone_conflicts(plans: Sequence[PlanFeatures]) -> list[CrossFinding]:
    """The same unit or person with different numbers in different plans (see FolderChecks.phone_conflicts)."""
    return list(_checks(plans).phone_conflicts())


def missing_superior(plans: Sequence[PlanFeatures]) -> list[CrossFinding]:
    return [f for f in map(_missing_superior, plans) if f is not None]


def overdue(plans: Sequence[PlanFeatures], today: date, years: int = OVERDUE_YEARS) -> list[CrossFinding]:
    return [f for p in plans if (f := _overdue(p, today, years)) is not None]

