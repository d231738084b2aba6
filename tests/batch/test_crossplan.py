"""Cross-plan checks as pure functions: MinHash/LSH, copied paragraphs, phones, superior plans, age."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yjplan.crossplan import (
    PlanFeatures,
    _segment_holders,
    candidate_pairs,
    copied_paragraphs,
    minhash,
    missing_superior,
    near_duplicates,
    overdue,
    phone_conflicts,
    similarity,
)

HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研"


def _text(seed: int, n: int = 3000) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(HANZI) for _ in range(n))


def test_minhash_is_stable_and_estimates_similarity() -> None:
    a = _text(1)
    sig_a, shingles = minhash(a)
    assert sig_a is not None and shingles > 2000
    assert minhash(a)[0] == sig_a, "the same text always gives the same signature"
    assert similarity(sig_a, minhash(_text(2))[0]) < 0.1  # type: ignore[arg-type]
    for step in (7, 15, 40):  # every step-th character changed, like place names replaced throughout
        changed = "".join("之" if i % step == 0 else c for i, c in enumerate(a))
        exact = _jaccard(a, changed)
        estimate = similarity(sig_a, minhash(changed)[0])  # type: ignore[arg-type]
        assert abs(estimate - exact) < 0.12, (step, exact, estimate)


def _jaccard(a: str, b: str) -> float:
    sa = {a[i : i + 5] for i in range(len(a) - 4)}
    sb = {b[i : i + 5] for i in range(len(b) - 4)}
    return len(sa & sb) / len(sa | sb)


def test_digits_punctuation_and_spacing_do_not_change_the_signature() -> None:
    a = "第一章 总则。本预案适用于全县2024年度的防汛工作，" * 20
    b = "第一章总则本预案适用于全县二〇年度的防汛工作" * 20
    assert similarity(minhash(a)[0], minhash(b.replace("二〇", ""))[0]) == 1.0  # type: ignore[arg-type]


def test_lsh_finds_similar_pairs_without_comparing_all_pairs() -> None:
    base = _text(3)
    sigs = [(0, minhash(base)[0]), (1, minhash(base[:2850] + _text(4, 150))[0])]
    sigs += [(i, minhash(_text(100 + i))[0]) for i in range(2, 40)]
    pairs = candidate_pairs(sigs)  # type: ignore[arg-type]
    assert (0, 1) in pairs
    assert len(pairs) < 10, "unrelated texts rarely share a band"


def _features(index: int, path: str, text: str = "", **kw) -> PlanFeatures:  # type: ignore[no-untyped-def]
    sig = minhash(text)[0] if text else None
    return PlanFeatures(index=index, path=path, title=kw.pop("title", path), plan_type=kw.pop("plan_type", "专项"),
                        sha256=kw.pop("sha256", str(index)), issue_date=kw.pop("issue_date", None), signature=sig,
                        phones=kw.pop("phones", ()), cited=kw.pop("cited", ()))


def test_near_duplicates_report_copied_paragraphs_with_locations() -> None:
    paras = [[f"第{i}段", _text(50 + i, 80)] for i in range(30)]
    copy = [[f"第{i + 2}段", "之" + t[1:]] for i, (_, t) in enumerate(paras)]  # one character changed
    text_a, text_b = "\n".join(t for _, t in paras), "\n".join(t for _, t in copy)
    plans = [_features(0, "a.txt", text_a), _features(1, "b.txt", text_b), _features(2, "c.txt", _text(77))]
    found = near_duplicates(plans, lambda i: [paras, copy, []][i])
    assert len(found) == 1 and set(found[0].paths) == {"a.txt", "b.txt"}
    assert "30 段" in found[0].message
    assert found[0].details[0].startswith("第0段 ≈ 第2段")


def test_copied_paragraphs_ignores_short_and_different_paragraphs() -> None:
    a = [["第1段", "短句相同"], ["第2段", _text(5, 60)]]
    b = [["第9段", "短句相同"], ["第8段", _text(6, 60)]]
    assert copied_paragraphs(a, b) == []


def test_identical_files_are_reported_as_identical() -> None:
    text = _text(8)
    plans = [_features(0, "a.txt", text, sha256="x"), _features(1, "b.txt", text, sha256="x")]
    assert "完全相同" in near_duplicates(plans, lambda i: [])[0].message


def test_segment_holders_find_the_unit_or_person_next_to_a_phone() -> None:
    assert _segment_holders("镇应急办值班电话：0839-5551234") == [("0839-5551234", "land", "镇应急办", None)]
    line = "（2）镇指挥部办公室接报后，30分钟内电话报告县应急管理局（值班电话：0745-6223517）"
    assert _segment_holders(line)[0][2] == "县应急管理局"
    cell = "镇值班室0745-6317021；镇应急管理办公室唐文斌13272865599"
    assert _segment_holders(cell) == [("0745-6317021", "land", "镇值班室", None),
                                      ("13272865599", "mobile", "镇应急管理办公室", "唐文斌")]
    assert _segment_holders("拨打120急救电话") == []  # service numbers say nothing about a unit


def test_phone_conflicts_need_disjoint_numbers_of_the_same_kind() -> None:
    land = ("青石镇应急办", "", "0839-5551234", "land", "第3段")
    other = ("青石镇应急办", "", "0839-5559999", "land", "第5段")
    staff = ("青石镇应急办", "王强", "13812345678", "mobile", "表1第2行第4列")
    conflict = phone_conflicts([_features(0, "a", phones=(land,)), _features(1, "b", phones=(other,))])
    assert len(conflict) == 1 and "0839-5551234" in conflict[0].message and "0839-5559999" in conflict[0].message
    # the same number, or a plan that only lists staff, is no conflict
    assert phone_conflicts([_features(0, "a", phones=(land,)), _features(1, "b", phones=(land, staff))]) == []
    assert phone_conflicts([_features(0, "a", phones=(land,)), _features(1, "b", phones=(staff,))]) == []
    # one person with two different mobiles in two plans is
    moved = ("青石镇应急办", "王强", "13900000001", "mobile", "第9段")
    found = phone_conflicts([_features(0, "a", phones=(staff,)), _features(1, "b", phones=(moved,))])
    assert len(found) == 1 and "王强" in found[0].message


def test_lower_level_plans_must_cite_a_superior_plan() -> None:
    plans = [
        _features(0, "镇.txt", plan_type="乡镇", title="青石镇防汛预案", cited=("青石镇防汛预案",)),
        _features(1, "镇2.txt", plan_type="乡镇", cited=("梧桐县防汛抗旱应急预案",)),
        _features(2, "村.txt", plan_type="村社区", cited=("青石镇突发事件总体应急预案",)),
        _features(3, "村2.txt", plan_type="村社区", cited=("柳湾村地质灾害应急预案",)),
        _features(4, "县.txt", plan_type="专项", cited=()),
    ]
    flagged = [c.paths[0] for c in missing_superior(plans)]
    assert flagged == ["镇.txt", "村2.txt"]  # citing itself or a sibling is not citing a superior plan


def test_overdue_counts_three_years_from_the_issue_date() -> None:
    plans = [_features(0, "old", issue_date=date(2021, 5, 31)), _features(1, "new", issue_date=date(2022, 6, 2)),
             _features(2, "leap", issue_date=date(2020, 2, 29)), _features(3, "unknown")]
    assert [c.paths[0] for c in overdue(plans, date(2025, 6, 1))] == ["old", "leap"]


# --- streaming checks: the same findings as the straightforward all-in-memory versions -----------


def _reference_phone_conflicts(plans: list[PlanFeatures]) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """The phone check written the obvious way: every plan's numbers in nested dicts at once."""
    from collections import defaultdict

    units: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))  # type: ignore[type-arg]
    people: dict = defaultdict(lambda: defaultdict(set))  # type: ignore[type-arg]
    where: dict[tuple[int, str], str] = {}
    for p in plans:
        for unit, person, phone, kind, loc in p.phones:
            where.setdefault((p.index, phone), loc)
            if person:
                people[(unit, person)][p.index].add(phone)
                units[unit][p.index]["staff_" + kind].add(phone)
            else:
                units[unit][p.index][kind].add(phone)
    path = {p.index: p.path for p in plans}

    def conflict(label: str, numbers: dict[int, set[str]]) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
        items = sorted(numbers.items())
        if len(items) < 2 or all(sa & sb for k, (_, sa) in enumerate(items) for _, sb in items[k + 1 :]):
            return []
        message = f"“{label}”在不同预案中的电话不一致：{'；'.join(sorted({' / '.join(sorted(s)) for _, s in items}))}"
        details = tuple(f"{path[i]}：{'、'.join(sorted(s))}（{where[(i, sorted(s)[0])]}）" for i, s in items)
        return [(message, tuple(path[i] for i, _ in items), details)]

    out = []
    for unit in sorted(units):
        for kind in ("land", "mobile"):
            own = {i: d[kind] | d["staff_" + kind] for i, d in units[unit].items() if d[kind]}
            out += conflict(unit, own)
    for unit, person in sorted(people):
        out += conflict(f"{unit} {person}", dict(people[(unit, person)]))
    return out


def _reference_ranked_pairs(plans: list[PlanFeatures], threshold: float, limit: int) -> list[tuple[str, str, float]]:
    """Near-duplicate pairs the obvious way: the set of all candidate pairs, scored and sorted."""
    from yjplan.crossplan import BANDS, SIG_SIZE

    width = SIG_SIZE // BANDS * 4
    by_index = {p.index: p for p in plans}
    pairs = set()
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = {}
        for p in plans:
            if p.signature:
                buckets.setdefault(p.signature[band * width : (band + 1) * width], []).append(p.index)
        for members in buckets.values():
            pairs |= {(min(a, b), max(a, b)) for a in members for b in members if a != b}
    scored = []
    for a, b in pairs:
        pa, pb = by_index[a], by_index[b]
        sim = 1.0 if pa.sha256 == pb.sha256 else similarity(pa.signature, pb.signature)  # type: ignore[arg-type]
        if sim >= threshold:
            scored.append((sim, a, b))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [(by_index[a].path, by_index[b].path, 1.0 if by_index[a].sha256 == by_index[b].sha256 else round(s, 3))
            for s, a, b in scored[:limit]]


UNITS = ("青石镇应急办", "青石镇值班室", "梧桐县应急管理局")
PEOPLE = ("", "", "王强", "李明")
PHONES = ("0839-5551234", "0839-5559999", "0839-5550000", "13812345678", "13900000001", "13700000002")
WHERE = ("第3段", "第5段", "表1第2行第4列")


@st.composite
def _phone_plans(draw: st.DrawFn) -> list[PlanFeatures]:
    count = draw(st.integers(2, 7))
    indexes = draw(st.permutations(range(count * 3)))[:count]  # not in input order: the index decides
    plans = []
    for index in indexes:
        entries = draw(st.lists(st.tuples(st.sampled_from(UNITS), st.sampled_from(PEOPLE), st.sampled_from(PHONES),
                                          st.sampled_from(WHERE)), max_size=8))
        phones = tuple((u, p, n, "mobile" if n.startswith("1") else "land", w) for u, p, n, w in entries)
        plans.append(_features(index, f"{index}.txt", phones=phones))
    return plans


@settings(max_examples=300, deadline=None)
@given(_phone_plans())
def test_phone_conflicts_match_the_all_in_memory_reference(plans: list[PlanFeatures]) -> None:
    found = [(c.message, c.paths, c.details) for c in phone_conflicts(plans)]
    assert found == _reference_phone_conflicts(plans)


def _signature(rng: random.Random, base: bytes, changed: int) -> bytes:
    sig = bytearray(base)
    for pos in rng.sample(range(128), changed):
        sig[pos * 4 : pos * 4 + 4] = rng.randbytes(4)
    return bytes(sig)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.integers(2, 14), st.integers(1, 6), st.sampled_from((0.3, 0.6, 0.9)))
def test_near_duplicate_ranking_matches_the_all_pairs_reference(seed: int, count: int, limit: int,
                                                                threshold: float) -> None:
    import yjplan.crossplan as crossplan

    rng = random.Random(seed)
    bases = [rng.randbytes(512) for _ in range(3)]
    indexes = rng.sample(range(100), count)
    plans = []
    for index in indexes:
        sig = _signature(rng, rng.choice(bases), rng.choice((0, 5, 30, 60, 128)))
        sha = rng.choice(("same", str(index), str(index)))
        plans.append(replace(_features(index, f"{index}.txt", sha256=sha), signature=sig))
    original = crossplan.MAX_PAIRS
    crossplan.MAX_PAIRS = limit  # the truncation to the most similar pairs must agree too
    try:
        found = near_duplicates(plans, lambda i: [], threshold)
    finally:
        crossplan.MAX_PAIRS = original
    assert [(*c.paths, c.similarity) for c in found] == _reference_ranked_pairs(plans, threshold, limit)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 30))
def test_each_pair_sharing_a_band_is_produced_exactly_once(seed: int, count: int) -> None:
    from yjplan.crossplan import _first_band_pairs

    rng = random.Random(seed)
    bases = [rng.randbytes(512) for _ in range(4)]
    sigs = [_signature(rng, rng.choice(bases), rng.choice((10, 60, 120))) for _ in range(count)]
    produced = list(_first_band_pairs(sigs))
    brute = {(x, y) for x in range(count) for y in range(x + 1, count)
             if any(sigs[x][b * 16 : b * 16 + 16] == sigs[y][b * 16 : b * 16 + 16] for b in range(32))}
    assert len(produced) == len(set(produced)), "a pair was produced twice"
    assert set(produced) == brute


def test_similarity_fast_path_counts_like_the_byte_slices() -> None:
    rng = random.Random(5)
    a = rng.randbytes(512)
    b = _signature(rng, a, 37)
    assert similarity(a, b) == sum(a[i : i + 4] == b[i : i + 4] for i in range(0, 512, 4)) / 128 == 91 / 128
    assert similarity(a, a[:-2]) == sum(a[i : i + 4] == a[:-2][i : i + 4] for i in range(0, 512, 4)) / 128


def test_finding_store_reads_back_what_was_appended(tmp_path: Path) -> None:
    from yjplan.crossplan import CrossFinding, FindingStore

    findings = [
        CrossFinding("phone_conflict", "“镇应急办”\n不一致", ("a/\udcff名.txt", "b.txt"), ("第1行", "第2行😀")),
        CrossFinding("near_duplicate", "相似", ("a", "b"), (), 0.667),
        CrossFinding("overdue", "印发于 2011-06-23", ("c",)),
    ]
    store = FindingStore(tmp_path)
    assert not store and len(store) == 0 and list(store) == []
    for f in findings:
        store.append(f)
    assert len(store) == 3 and list(store) == findings and list(store) == findings
    assert [(x, y) for x, y in zip(store, store, strict=True)] == list(zip(findings, findings, strict=True))
    assert store[:2] == findings[:2] and store[-1] == findings[-1] and store[1] == findings[1]
    with pytest.raises(IndexError):
        store[3]
    assert list(tmp_path.iterdir()) == [], "an anonymous file: nothing is left in the folder"
    store.close()
