"""Nothing in a document or a rule pack can run code, reach the network, read other files, write
outside the chosen folder, or stall a run.

Some of these are behaviour tests through the CLI; the "no eval, no shell" guarantees are checked
over the source tree with the ``ast`` module, so a new call site fails here before review.
"""

from __future__ import annotations

import ast
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from tests.fixtures.bad_inputs import external_dtd_docx, good_docx, plan_text, standard_parts, write_package
from tests.reliability.cli_helpers import ERROR_LINE, SRC, run_cli
from yjplan.rules.yamlpos import YamlError, load_yaml

# --- YAML: rule packs and config files ------------------------------------------------------------

PYTHON_TAGS = [
    '!!python/object/apply:os.system ["touch {marker}"]',
    "!!python/object/new:subprocess.Popen [[touch, {marker}]]",
    "!!python/name:os.system",
    '!!python/module:os',
    "!custom {marker}",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
def test_yaml_refuses_python_tags(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(YamlError, match="不支持的 YAML 标签"):
        load_yaml(f"id: x\nvalue: {tag.format(marker=marker)}\n")
    assert not marker.exists()


def billion_laughs_yaml(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_yaml_refuses_alias_expansion_quickly() -> None:
    t0 = time.monotonic()
    with pytest.raises(YamlError, match="别名展开过多"):
        load_yaml(billion_laughs_yaml())
    assert time.monotonic() - t0 < 10


def test_yaml_small_aliases_still_work() -> None:
    """The alias budget refuses bombs, not ordinary reuse."""
    data = load_yaml(billion_laughs_yaml(levels=2))
    assert (len(data["a2"]) == 9 and data["a2"][0][0] == ["lol"] * 9) or data["a2"][0][0] == "lol"


def _pack(root: Path, rules_yaml: str, pack_yaml: str = 'id: probe\ntitle: 测试\nversion: "1"\n') -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pack.yaml").write_text(pack_yaml, encoding="utf-8")
    (root / "ZZ9xx-测试.yaml").write_text(rules_yaml, encoding="utf-8")
    return root


def test_pack_with_python_tag_is_refused_by_the_cli(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    pack = _pack(tmp_path / "pack", "", f'id: probe\ntitle: !!python/object/apply:os.system ["touch {marker}"]\n'
                                        'version: "1"\n')
    run = run_cli("rules", "validate", pack)
    assert run.returncode == 2
    lines = run.err_lines()
    assert len(lines) == 1 and lines[0].startswith("错误 E110 "), lines
    assert "pack.yaml:2:" in lines[0]  # the user is told where
    assert not marker.exists()


def test_pack_with_alias_bomb_is_refused_by_the_cli(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "pack", billion_laughs_yaml())
    run = run_cli("rules", "validate", pack, timeout=30)
    assert run.returncode == 2
    assert run.err_lines()[0].startswith("错误 E110 ")


def test_config_with_python_tag_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    config = tmp_path / "evil.yaml"
    config.write_text(f'fail_on: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8")
    plan = tmp_path / "plan.txt"
    plan.write_text(plan_text(), encoding="utf-8")
    run = run_cli("audit", "--config", config, plan, cwd=tmp_path)
    assert run.returncode == 2
    lines = run.err_lines()
    assert len(lines) == 1 and lines[0].startswith("错误 E100 "), lines
    assert not marker.exists()


# --- regular expressions in user packs ------------------------------------------------------------

REDOS_RULE = """
- id: ZZ901
  name: redos-probe
  title: 回溯测试
  criterion: 实用性
  severity: warning
  why: 测试用规则。
  references: [无]
  message: 测试。
  evidence:
    regex: '{pattern}'
  examples:
    pass: "aa"
    fail: "b"
"""


def _redos_run(tmp_path: Path, pattern: str, lines: list[str], timeout: float):  # type: ignore[no-untyped-def]
    pack = _pack(tmp_path / "pack", REDOS_RULE.format(pattern=pattern))
    plan = tmp_path / "plan.txt"
    plan.write_text("青石县突发事件应急预案\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return run_cli("audit", "--rules", pack, "--select", "ZZ901", plan, timeout=timeout, cwd=tmp_path)


def test_catastrophic_regex_is_e110_not_a_hang(tmp_path: Path) -> None:
    run = _redos_run(tmp_path, "(a|aa)+$", ["a" * 60 + "!"], timeout=30)
    assert run.returncode == 2
    lines = run.err_lines()
    assert len(lines) == 1, lines
    match = ERROR_LINE.match(lines[0])
    assert match and match["code"] == "E110" and "(a|aa)+$" in lines[0]


def test_nested_quantifier_over_long_text_finishes(tmp_path: Path) -> None:
    """``(a+)+$`` is the textbook ReDoS; the ``regex`` engine handles it, and it must not hang."""
    run = _redos_run(tmp_path, "(a+)+$", ["a" * 20_000 + "!"] * 5, timeout=30)
    assert run.returncode in (0, 1) or run.err_lines()[0].startswith("错误 E110 "), run.err


def test_catastrophic_regex_in_pack_data_is_e110(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "pack", "")
    (pack / "data").mkdir()
    (pack / "data" / "outdated.yaml").write_text("- pattern: '(a|aa)+$'\n  replaced_by: 无\n", encoding="utf-8")
    plan = tmp_path / "plan.txt"
    plan.write_text("青石县突发事件应急预案\n一、总则\n" + "a" * 60 + "!\n", encoding="utf-8")
    run = run_cli("audit", "--rules", pack, plan, timeout=30, cwd=tmp_path)
    assert run.err_lines()[0].startswith("错误 E110 "), run.err


def _slow_line_length(budget: float) -> tuple[int, float]:
    """A run of a's that (a|aa)+$ needs between 20 % and 60 % of the per-regex budget to reject here."""
    import regex

    pattern = regex.compile("(a|aa)+$")
    for n in range(16, 45):
        t0 = time.perf_counter()
        try:
            pattern.search("a" * n + "!", timeout=budget)
        except TimeoutError:
            break
        took = time.perf_counter() - t0
        if took > 0.2 * budget:
            return n, took
    pytest.skip("could not calibrate a slow-but-not-timed-out line on this machine")


def test_regex_budget_holds_for_the_whole_document(tmp_path: Path) -> None:
    from yjplan.limits import DEFAULT_LIMITS

    n, took = _slow_line_length(DEFAULT_LIMITS.regex_timeout_s)
    count = int(30 / took) + 1  # about 30 s of matching if each line is charged separately
    run = _redos_run(tmp_path, "(a|aa)+$", ["a" * n + "!"] * count, timeout=10)
    assert run.err_lines()[0].startswith("错误 E110 ")


# --- no eval, no shell, no unsafe loaders in the source --------------------------------------------


def _calls(tree: ast.AST) -> Iterator[tuple[str, ast.Call]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield ast.unparse(node.func), node


def _source_files() -> list[Path]:
    files = sorted((SRC / "yjplan").rglob("*.py"))
    assert len(files) > 20
    return files


FORBIDDEN_CALLS = {
    "eval", "exec", "compile", "__import__", "os.system", "os.popen", "os.execv", "os.execvp", "os.spawnv",
    "pickle.load", "pickle.loads", "marshal.load", "marshal.loads", "shelve.open", "yaml.load", "yaml.unsafe_load",
    "yaml.full_load", "yaml.load_all", "subprocess.getoutput", "subprocess.getstatusoutput",
    "ET.parse", "ET.fromstring", "ET.XML", "ET.iterparse", "minidom.parse", "minidom.parseString",
}  # fmt: skip


# Call sites reviewed and accepted, each with the test that guards it.
ALLOWED: dict[tuple[str, str], str] = {}


def test_no_eval_exec_shell_or_unsafe_deserialisation_in_src() -> None:
    found = []
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for name, call in _calls(tree):
            short = name.split(".", 1)[-1] if name.startswith(("xml.etree.", "xml.dom.")) else name
            if (name in FORBIDDEN_CALLS or short in FORBIDDEN_CALLS) and (
                (path.relative_to(SRC).as_posix(), name) not in ALLOWED
            ):
                found.append(f"{path.relative_to(SRC)}:{call.lineno} {name}(")
            for kw in call.keywords:
                if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    found.append(f"{path.relative_to(SRC)}:{call.lineno} shell=")
    assert found == []


def _module_dicts_of_yjplan_modules(tree: ast.Module) -> set[str]:
    """Module-level NAME = {...} whose values are all string literals naming yjplan modules."""
    names = set()
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if isinstance(value, ast.Dict) and value.values and all(
            isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value.startswith("yjplan.")
            for v in value.values
        ):
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def test_dynamic_imports_only_pick_from_fixed_tables_of_our_modules() -> None:
    """``importlib.import_module`` is used to load readers and renderers lazily; its argument must come
    from a literal table of yjplan modules, never from a document, a pack or the command line as is."""
    bad = []
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        tables = _module_dicts_of_yjplan_modules(tree)
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            used = {n.id for n in ast.walk(func) if isinstance(n, ast.Name)}
            for name, call in _calls(func):
                if not name.endswith("import_module") or not call.args:
                    continue
                arg = call.args[0]
                literal = isinstance(arg, ast.Constant) and str(arg.value).startswith("yjplan.")
                if not literal and not (used & tables):
                    bad.append(f"{path.relative_to(SRC)}:{call.lineno} {ast.unparse(call)}")
    assert bad == []


# --- XML: no entities, no DTDs, no network ---------------------------------------------------------


def test_xml_parser_options_are_locked_down() -> None:
    from yjplan.parse.safezip import XML_PARSER_OPTIONS, xml_parser

    assert dict(XML_PARSER_OPTIONS) == {
        "resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False,
    }  # fmt: skip
    assert xml_parser().resolvers is not None  # a real lxml parser built from those options


def test_every_lxml_parse_in_src_uses_the_safe_options() -> None:
    """lxml's defaults resolve internal entities; every parse must go through safezip's options."""
    unsafe = []
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for name, call in _calls(tree):
            where = f"{path.relative_to(SRC)}:{call.lineno} {name}("
            kwargs = {kw.arg for kw in call.keywords}
            splat = any(kw.arg is None and "XML_PARSER_OPTIONS" in ast.unparse(kw.value) for kw in call.keywords)
            if name in ("etree.fromstring", "etree.XML", "etree.parse"):
                if len(call.args) < 2 and "parser" not in kwargs:
                    unsafe.append(where)
            elif name in ("etree.iterparse", "etree.XMLParser") and not splat and "resolve_entities" not in kwargs:
                unsafe.append(where)
    assert unsafe == []


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = b'<!ENTITY leak "NETWORK-LEAK">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_trap() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request: the reader must never call it."""
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    finally:
        server.shutdown()
        server.server_close()


def test_documents_never_reach_the_network(tmp_path: Path, http_trap: tuple[str, list[str]]) -> None:
    base, requests = http_trap
    dtd_doc = external_dtd_docx(tmp_path / "dtd.docx", dtd_uri=f"{base}/evil.dtd")
    xxe_doc = tmp_path / "xxe.docx"
    doctype = f'<!DOCTYPE w:document [<!ENTITY leak SYSTEM "{base}/leak">]>'
    xml = str(standard_parts("")["word/styles.xml"])  # any well-formed part will do as a body
    write_package(xxe_doc, {**standard_parts(""), "word/document.xml": xml.replace("<w:styles ", doctype + "<w:styles ")})
    dtd_run = run_cli("outline", "--json", dtd_doc)
    xxe_run = run_cli("outline", "--json", xxe_doc)
    assert dtd_run.returncode == 0 and "NETWORK-LEAK" not in dtd_run.out
    assert xxe_run.err_lines()[0].startswith("错误 E208 ")
    assert requests == []
    # and the trap does work: something that does fetch is seen
    import urllib.request

    urllib.request.urlopen(f"{base}/probe", timeout=5).read()
    assert requests == ["/probe"]


# --- outputs stay where the user put them ----------------------------------------------------------


def _snapshot(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def _odd_input_tree(tmp_path: Path) -> Path:
    inputs = tmp_path / "in"
    (inputs / "sub" / "deeper").mkdir(parents=True)
    for name in ("..docx", "-o.docx", "a\nb.docx", "..审查.docx", "sub/deeper/.. .docx"):
        good_docx(inputs / name)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "plan.txt").write_text(plan_text(), encoding="utf-8")
    (inputs / "link").symlink_to(outside, target_is_directory=True)
    return inputs


def test_batch_writes_only_inside_its_output_folder(tmp_path: Path) -> None:
    inputs = _odd_input_tree(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    before = _snapshot(tmp_path)
    out = tmp_path / "out"
    run = run_cli("batch", inputs, "-o", out, "--jobs", "2", "--no-cache", "-q", cwd=work, timeout=180)
    assert run.returncode in (0, 1, 2), run.err
    assert "Traceback" not in run.err
    created = _snapshot(tmp_path) - before
    assert created, "the batch wrote nothing at all"
    assert {p for p in created if out not in p.parents and p != out} == set()
    assert (out / "results.jsonl").is_file()


def test_annotate_out_writes_only_into_the_given_folder(tmp_path: Path) -> None:
    inputs = _odd_input_tree(tmp_path)
    out = tmp_path / "review"
    out.mkdir()
    before = _snapshot(tmp_path)
    sneaky = Path("..") / ".." / "sub" / ".." / "..docx"  # relative, with .. components
    run = run_cli("audit", sneaky, "--annotate-out", out, cwd=inputs / "sub" / "deeper")
    assert run.returncode in (0, 1), run.err
    created = _snapshot(tmp_path) - before
    assert created and all(out in p.parents for p in created), created


def test_annotate_refuses_to_overwrite_the_input(tmp_path: Path) -> None:
    plan = good_docx(tmp_path / "plan.docx")
    original = plan.read_bytes()
    run = run_cli("audit", plan, "--annotate-out", plan)
    assert run.returncode == 2 and run.err_lines()[-1].startswith("错误 E011 "), run.err
    assert plan.read_bytes() == original


def test_report_output_that_is_a_folder_or_unwritable_is_one_error_line(tmp_path: Path) -> None:
    plan = good_docx(tmp_path / "plan.docx")
    folder = tmp_path / "reports"
    folder.mkdir()
    run = run_cli("audit", plan, "--format", "json", "-o", folder)
    assert run.returncode == 2 and run.err_lines()[-1].startswith("错误 E011 输出路径是一个文件夹"), run.err
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    run = run_cli("audit", plan, "--format", "json", "-o", blocker / "report.json")  # a file as a folder
    assert run.returncode == 2 and run.err_lines()[-1].startswith("错误 E011 无法写入输出文件"), run.err
    assert "Traceback" not in run.err and list(folder.iterdir()) == []
