"""Cross-plan checks as pure functions: MinHash/LSH, copied paragraphs, phones, superior plans, age."""

from __future__ import annotations

import random
from datetime import date

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
