"""`.yjplan.yaml`: the closed schema, located errors, globs, per-path plan types, `yjplan init`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ci.conftest import yj
from yjplan.commands_ci import STARTER_CONFIG
from yjplan.config import Config, find_config, glob_match, load_config, options_from, parse_config
from yjplan.errors import ConfigError, WaiverError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".yjplan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_config_is_parsed_into_a_frozen_config(tmp_path: Path) -> None:
    path = write(tmp_path, """\
rules: [builtin:township]
select: [YJ5]
ignore: YJ905
severity: {YJ402: error, response-triggers: info}
fail_on: warning
fail_under: 60
include: ["**/*.docx"]
exclude: ["草稿/"]
plan_types: {"乡镇/*.docx": 街道, "*.pdf": 现场处置方案}
baseline: base/known.json
waivers:
  - rule: YJ701
    files: ["乡镇/*.docx"]
    reason: 乡镇预案的处置卡由县级统一编制
    expires: 2026-12-31
""")
    cfg = load_config(path)
    assert cfg.rule_packs == ("builtin:township",)
    assert cfg.select == ("YJ5",) and cfg.ignore == ("YJ905",)
    assert dict(cfg.severity) == {"YJ402": "error", "YJ502": "info"}  # a rule name resolves to its id
    assert cfg.fail_on == "warning" and cfg.fail_under == 60.0
    assert cfg.plan_types == (("乡镇/*.docx", "乡镇"), ("*.pdf", "现场处置方案"))  # alias normalised
    assert cfg.baseline == tmp_path.resolve() / "base" / "known.json"
    (w,) = cfg.waivers
    assert (w.rule, w.files, w.expires.isoformat()) == ("YJ701", ("乡镇/*.docx",), "2026-12-31")
    assert w.where.endswith(".yjplan.yaml:12:5") and w.line == 12
    with pytest.raises(AttributeError):
        cfg.fail_on = "none"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "cls", "where", "words"),
    [
        ("fail_on: error\nfail-under: 3\n", ConfigError, ":2:1", "未知的配置项“fail-under”"),
        ("fail_on: fatal\n", ConfigError, ":1:1", "fail_on"),
        ("fail_under: 120\n", ConfigError, ":1:1", "0–100"),
        ("severity:\n  YJ402: fatal\n", ConfigError, ":2:3", "级别"),
        ("severity:\n  YJ999: info\n", ConfigError, ":2:3", "YJ999 不存在"),
        ("plan_types:\n  '*.docx': 工厂\n", ConfigError, ":2:3", "未知的预案类型"),
        ("rules: [./没有这个包]\n", ConfigError, ":1:1", "规则包"),
        ("fail_on: [\n", ConfigError, ":", "YAML"),
        ("waivers:\n  - rule: YJ502\n    files: ['*.txt']\n", WaiverError, ":2:5", "缺少理由"),
        ("waivers:\n  - rule: YJ502\n    reason: '  '\n", WaiverError, ":3:5", "缺少理由"),
        ("waivers:\n  - rule: YJ999\n    reason: x\n", WaiverError, ":2:5", "YJ999 不存在"),
        ("waivers:\n  - rule: YJ502\n    reason: x\n    expires: 2026/12/31\n", WaiverError, ":4:5", "格式不对"),
        ("waivers:\n  - rule: YJ502\n    reason: x\n    expires: 2026-13-45\n", WaiverError, ":4:14", "日期"),
        ("waivers:\n  - rule: YJ502\n    reason: x\n    until: 2026-01-01\n", WaiverError, ":4:5", "until"),
        ("waivers: YJ502\n", WaiverError, ":1:1", "列表"),
    ],
)
def test_config_errors_name_file_line_and_column(tmp_path: Path, text: str, cls: type[ConfigError], where: str,
                                                  words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(cls) as info:
        load_config(path)
    assert type(info.value) is cls
    message = info.value.one_line()
    assert f".yjplan.yaml{where}" in message, message
    assert words in message, message


def test_waiver_rule_may_come_from_a_configured_pack(tmp_path: Path) -> None:
    pack = tmp_path / "本县规则"
    pack.mkdir()
    (pack / "pack.yaml").write_text("id: county\ntitle: 本县补充\nversion: '1'\nextends: builtin:base\n",
                                    encoding="utf-8")
    (pack / "YJ9xx.yaml").write_text("""\
- id: YJ990
  name: county-extra
  title: 本县补充要求
  criterion: 实用性
  severity: info
  message: 缺少本县要求的内容。
  why: 本县要求。
  references: [本县文件]
  evidence: {keywords: [本县特有词语]}
  examples:
    pass: ["本县特有词语"]
    fail: ["无关内容"]
""", encoding="utf-8")
    path = write(tmp_path, "rules: [本县规则]\nwaivers:\n  - rule: YJ990\n    reason: 试行期\n")
    cfg = load_config(path)
    assert cfg.rule_packs == (str(pack.resolve()),)  # relative to the config file, not the cwd
    assert cfg.waivers[0].rule == "YJ990"


def test_empty_config_gives_defaults_and_no_config_gives_an_empty_config(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_config("", tmp_path / ".yjplan.yaml").fail_on == "error"
    monkeypatch.chdir(tmp_path)
    assert load_config(None) == Config()


def test_config_is_found_by_walking_up_from_the_working_directory(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "fail_on: info\n")
    deep = tmp_path / "乡镇" / "甲镇"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / ".yjplan.yaml"
    monkeypatch.chdir(deep)
    cfg = load_config(None)
    assert cfg.fail_on == "info" and cfg.root == tmp_path.resolve()


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("乡镇/*.docx", "乡镇/甲镇.docx", True),
        ("乡镇/*.docx", "乡镇/甲镇/预案.docx", False),  # * stays inside one folder
        ("乡镇/**/*.docx", "乡镇/甲镇/预案.docx", True),
        ("乡镇/**/*.docx", "乡镇/预案.docx", True),
        ("*.pdf", "企业/现场处置方案.pdf", True),  # no slash: any folder
        ("README*", "docs/README.md", True),
        ("草稿/", "草稿/a/b.docx", True),
        ("草稿/", "正式/草稿.docx", False),
        ("预案[甲乙].txt", "预案乙.txt", True),
        ("预案[!甲乙].txt", "预案乙.txt", False),
        ("?.md", "ab.md", False),
    ],
)
def test_globs_follow_gitignore_habits(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


def test_plan_types_and_command_line_values_feed_the_audit_options(tmp_path: Path) -> None:
    path = write(tmp_path, "plan_types: {'乡镇/*.txt': 乡镇, '*.txt': 部门}\nselect: [YJ1]\nignore: [YJ105]\n"
                           "rules: [builtin:township]\nseverity: {YJ101: error}\n")
    cfg = load_config(path)
    opts = options_from(cfg, tmp_path / "乡镇" / "甲镇.txt")
    assert opts.plan_type == "乡镇"  # first matching glob wins
    assert options_from(cfg, tmp_path / "应急局.txt").plan_type == "部门"
    cli = options_from(cfg, tmp_path / "乡镇" / "甲镇.txt", plan_type="总体", rules=("builtin:village",),
                       select=("YJ5",), ignore=("YJ501",))
    assert cli.plan_type == "总体"
    assert cli.rule_packs == ("builtin:township", "builtin:village")
    assert cli.select == ("YJ5",) and cli.ignore == ("YJ105", "YJ501")
    assert cli.severity == (("YJ101", "error"),)


def test_include_and_exclude_choose_plan_files_under_folders(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "exclude: ['README*', '草稿/']\n"))
    assert cfg.wants(tmp_path / "乡镇" / "甲镇.docx")
    assert not cfg.wants(tmp_path / "README.md")
    assert not cfg.wants(tmp_path / "草稿" / "乙镇.docx")
    assert not cfg.wants(tmp_path / "data.xlsx")  # not a plan format
    only_pdf = load_config(write(tmp_path, "include: ['*.pdf']\n"))
    assert only_pdf.wants(tmp_path / "a" / "x.pdf") and not only_pdf.wants(tmp_path / "x.docx")


def test_starter_config_is_valid_and_documents_every_key(tmp_path: Path) -> None:
    cfg = parse_config(STARTER_CONFIG, tmp_path / ".yjplan.yaml")
    assert cfg.fail_on == "error" and cfg.waivers == ()
    from yjplan.config import CONFIG_KEYS

    for key in CONFIG_KEYS:
        assert f"{key}:" in STARTER_CONFIG, key


def test_init_writes_the_starter_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    r = yj("init", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    written = (tmp_path / ".yjplan.yaml").read_text(encoding="utf-8")
    assert written == STARTER_CONFIG
    (tmp_path / ".yjplan.yaml").write_text("fail_on: none\n", encoding="utf-8")
    again = yj("init", cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr and "E010" in again.stderr
    assert (tmp_path / ".yjplan.yaml").read_text(encoding="utf-8") == "fail_on: none\n"
    forced = yj("init", "--force", cwd=tmp_path)
    assert forced.returncode == 0
    assert (tmp_path / ".yjplan.yaml").read_text(encoding="utf-8") == STARTER_CONFIG
    assert os.access(tmp_path / ".yjplan.yaml", os.R_OK)
