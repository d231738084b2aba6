"""Which kind of plan is this? From the title first, then the issuer, then the body's vocabulary.

The answer decides which rules apply, so it is always explained ("标题含“现场处置方案”") and can
be overridden with ``--type`` or per path in .yjplan.yaml.
"""

from __future__ import annotations

import re
from collections import Counter

from yjplan.model import Document, PlanTypeGuess
from yjplan.rules.schema import PLAN_TYPE_ALIASES, PLAN_TYPES

_TITLE_RULES: tuple[tuple[str, re.Pattern[str], float, str], ...] = (
    ("应急处置卡", re.compile(r"处置卡|应急卡|明白卡"), 10, "标题含“处置卡”"),
    ("现场处置方案", re.compile(r"现场处置方案|现场应急处置方案"), 10, "标题含“现场处置方案”"),
    ("学校", re.compile(r"学校|中学|小学|幼儿园|大学|学院|校园"), 6, "标题含学校名称"),
    ("医院", re.compile(r"医院|卫生院|卫生服务中心"), 6, "标题含医院名称"),
    ("大型活动", re.compile(r"大型活动|大型群众性活动|赛事|运动会|马拉松|庙会|演唱会|展会"), 6, "标题含大型活动"),
    ("村社区", re.compile(r"[\u4e00-\u9fff]{1,8}(?<![农乡])村(?!镇)(?:民委员会|委会)?(?=.*预案)|社区|居委会"), 9,
     "标题含村（社区）名称"),
    ("乡镇", re.compile(r"[\u4e00-\u9fff]{1,8}(?<![城集村])(?:乡|镇|街道)(?:人民政府|办事处)?(?=.*预案)"), 8,
     "标题含乡镇（街道）名称"),
    ("企业专项", re.compile(r"(有限公司|集团|公司|厂|酒店|矿|站).{0,30}(火灾|泄漏|爆炸|中毒|触电|坍塌|坠落|淹溺|"
                        r"特种设备|危险化学品|环境)[^。]{0,12}专项(应急)?预案"), 8, "标题是企业的专项预案"),
    ("企业综合", re.compile(r"(有限公司|有限责任公司|集团|股份|公司|厂|酒店|矿|宾馆).{0,40}(生产安全事故|综合)"), 7,
     "标题是企业的生产安全事故（综合）预案"),
    ("总体", re.compile(r"总体应急预案|突发公共事件总体|总体预案"), 7, "标题含“总体应急预案”"),
    ("部门", re.compile(r"部门应急预案|(局|厅|委|办|部|署|中心)[\u4e00-\u9fff]{2,20}应急预案$"), 4,
     "标题以部门名称开头"),
)
_GOV_SPECIAL = re.compile(
    r"(省|市|县|区|州|盟|旗|国家).{0,20}(防汛|抗旱|地震|地质|森林|草原|火灾|气象|自然灾害|救助|交通|公路|危险化学品|"
    r"安全生产|生产安全|疫情|公共卫生|食品|药品|环境|电力|通信|供水|燃气|冰雪|台风|突发)"
)
_VOCAB: dict[str, tuple[str, ...]] = {
    "企业综合": ("有限公司", "员工", "车间", "岗位", "班组", "生产经营单位", "总经理", "厂区"),
    "村社区": ("村民", "村委会", "村两委", "网格员", "村干部", "居民小组", "村组"),
    "乡镇": ("镇政府", "乡政府", "街道办", "镇党委", "各村", "村（社区）", "镇应急"),
    "总体": ("人民政府", "国务院", "县政府", "市政府", "省政府", "各级人民政府"),
}


def normalize_type(value: str) -> str:
    value = PLAN_TYPE_ALIASES.get(value, value)
    if value not in PLAN_TYPES:
        from yjplan.errors import PlanTypeUnknown

        raise PlanTypeUnknown(f"未知的预案类型“{value}”（可用：{'、'.join(PLAN_TYPES)}）")
    return value


def detect_plan_type(doc: Document, override: str | None = None) -> PlanTypeGuess:
    if override:
        pt = normalize_type(override)
        return PlanTypeGuess(pt, f"由用户指定为“{pt}”", overridden=True)
    title = (doc.title or "").replace(" ", "")
    scores: Counter[str] = Counter()
    reasons: dict[str, str] = {}
    for plan_type, pattern, weight, reason in _TITLE_RULES:
        if title and pattern.search(title) and scores[plan_type] < weight:
            scores[plan_type] = int(weight)
            reasons[plan_type] = f"{reason}（{doc.title}）"
    enterprise_special = "专项" in title and not any(t in scores for t in ("企业专项", "现场处置方案", "应急处置卡"))
    if enterprise_special and scores.get("企业综合"):
        scores["企业专项"] = scores["企业综合"] + 1
        reasons["企业专项"] = f"标题是企业的专项预案（{doc.title}）"
    if not scores:
        if title and _GOV_SPECIAL.search(title):
            scores["专项"] = 5
            reasons["专项"] = f"标题是某类突发事件的政府预案（{doc.title}）"
        # the body is only consulted when the title says nothing: joining it costs more than the rest
        text_sample = doc.root.full_text()[:60_000]
        vocab = {t: sum(text_sample.count(w) for w in words) for t, words in _VOCAB.items()}
        best_vocab = max(vocab, key=lambda t: vocab[t])
        if vocab[best_vocab] >= 5:
            scores[best_vocab] += 3
            reasons.setdefault(best_vocab, f"正文多次出现{'、'.join(_VOCAB[best_vocab][:3])}等用语")
    # A township plan about one hazard is still judged as a township plan: the 乡镇 signal wins
    # over 专项/总体 because the level decides what the plan must contain (S2 第13条).
    if not scores:
        return PlanTypeGuess("专项", "未能从标题判断类型，按专项应急预案审查（可用 --type 指定）",
                             candidates=())
    ranked = scores.most_common()
    best = ranked[0][0]
    return PlanTypeGuess(best, reasons[best], candidates=tuple((t, float(s)) for t, s in ranked))
