"""A folder of plans for batch tests, built in tmp_path from the real corpus, the samples and code.

``build_plan_folder`` returns the folder and what each file must become in a batch run, so tests
check every input against an expectation rather than counting rows.
"""

from __future__ import annotations

import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
SAMPLES = ROOT / "samples"

CORPUS_FILES = ("06_xian_gonglu_jiaotong.txt", "23_hubei_ziran_zaihai_jiuzhu.md")
SAMPLE_FILES = ("石桥镇突发事件总体应急预案.docx", "石桥镇防汛抗旱专项应急预案.md")
UNDECODABLE = b"\xff\xfe\xe8\xb4\xb9\xe5\x8e\xbf.txt"  # not UTF-8: starts with two bytes UTF-8 never uses

# Two plans of one town that disagree on the town emergency office's number, cite no county plan,
# and one of them is more than three years old.
TOWN_PLAN = """{title}
青石镇人民政府
{date}
1 总则
1.1 编制目的
为做好青石镇{hazard}应对工作，保障人民群众生命财产安全，结合本镇实际，制定本预案。
1.2 适用范围
本预案适用于青石镇行政区域内{hazard}的预防和应急处置工作。
2 组织机构
镇人民政府成立{hazard}应急指挥部，镇长任总指挥，分管副镇长任副总指挥。
指挥部办公室设在镇应急办，负责日常工作，镇应急办值班电话：{phone}。
3 监测预警
镇应急办接到县级预警后，30分钟内通过应急广播、微信群和电话通知各村（社区）。
4 应急响应
发生{hazard}时，镇应急指挥部立即组织转移受威胁群众，并在30分钟内报告县应急管理局。
5 附则
本预案由镇应急办负责解释，自印发之日起施行。
"""


@dataclass(frozen=True)
class Expect:
    status: str  # audited | error | skipped
    code: str | None = None  # error code for error rows


def _town_plan(title: str, hazard: str, phone: str, issued: str) -> str:
    return TOWN_PLAN.format(title=title, hazard=hazard, phone=phone, date=issued)


def build_plan_folder(root: Path) -> dict[str, Expect]:
    """Fill ``root``; returns file name (relative, as displayed) → expected outcome."""
    expect: dict[str, Expect] = {}
    root.mkdir(parents=True, exist_ok=True)
    sub = root / "乡镇"
    sub.mkdir()
    for name in CORPUS_FILES:
        if (CORPUS / name).exists():
            shutil.copyfile(CORPUS / name, root / name)
            expect[name] = Expect("audited")
    for name in SAMPLE_FILES:
        if (SAMPLES / name).exists():
            shutil.copyfile(SAMPLES / name, sub / name)
            expect[f"乡镇/{name}"] = Expect("audited")

    # the planted copy: the city plan with its place names changed
    source = CORPUS / CORPUS_FILES[0]
    if source.exists():
        text = source.read_text(encoding="utf-8")
        for old, new in (("西安市", "宝鸡市"), ("西安", "宝鸡"), ("雁塔", "渭滨"), ("长安", "陈仓")):
            text = text.replace(old, new)
        (sub / "宝鸡市公路交通突发事件应急预案.txt").write_text(text, encoding="utf-8")
        expect["乡镇/宝鸡市公路交通突发事件应急预案.txt"] = Expect("audited")

    (sub / "青石镇防汛抗旱应急预案.txt").write_text(
        _town_plan("青石镇防汛抗旱应急预案", "防汛抗旱", "0839-5551234", "2018年3月1日"), encoding="utf-8")
    (sub / "青石镇地质灾害应急预案.txt").write_text(
        _town_plan("青石镇地质灾害应急预案", "地质灾害", "0839-5559999", "2025年4月1日"), encoding="utf-8")
    expect["乡镇/青石镇防汛抗旱应急预案.txt"] = Expect("audited")
    expect["乡镇/青石镇地质灾害应急预案.txt"] = Expect("audited")

    # an undecodable (non-UTF-8) file name with a readable plan inside
    with open(os.path.join(os.fsencode(sub), UNDECODABLE), "wb") as fh:
        fh.write(_town_plan("白马镇森林防火应急预案", "森林火灾", "0839-5550000", "2024年5月1日").encode("utf-8"))
    expect["乡镇/" + UNDECODABLE.decode("utf-8", "replace")] = Expect("audited")

    # broken inputs: each must become an error row with a stable code
    rng = random.Random(7)
    (root / "随机字节.pdf").write_bytes(bytes(rng.randrange(256) for _ in range(4000)))
    expect["随机字节.pdf"] = Expect("error", "E210")
    docx = SAMPLES / SAMPLE_FILES[0]
    if docx.exists():
        (root / "截断.docx").write_bytes(docx.read_bytes()[:3000])
        expect["截断.docx"] = Expect("error", "E210")
    (root / "空文件.txt").write_bytes(b"")
    expect["空文件.txt"] = Expect("error", "E204")

    # not plans: listed as skipped when they look like documents, otherwise only counted
    (root / "统计表.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    expect["统计表.xlsx"] = Expect("skipped")
    (sub / "~$青石镇防汛抗旱应急预案.docx").write_bytes(b"\x00" * 162)
    expect["乡镇/~$青石镇防汛抗旱应急预案.docx"] = Expect("skipped")
    (root / "说明.py").write_text("print('not a plan')\n", encoding="utf-8")
    (root / ".隐藏预案.txt").write_text("隐藏文件不审查\n", encoding="utf-8")
    hidden_dir = root / ".git"
    hidden_dir.mkdir()
    (hidden_dir / "plan.txt").write_text("隐藏文件夹里的文件不审查\n", encoding="utf-8")
    # a symlink loop (a folder link back up the tree) must not be followed
    (sub / "回环").symlink_to("..", target_is_directory=True)
    expect["乡镇/回环"] = Expect("skipped")
    return expect


def rel_name(row_path: str, root: Path) -> str:
    """A row's path relative to the folder, in the same spelling as build_plan_folder's keys."""
    display_root = os.fsencode(str(root)).decode("utf-8", "replace")
    return row_path[len(display_root) + 1 :] if row_path.startswith(display_root) else row_path
