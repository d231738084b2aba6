"""Baselines: record today's gaps so that only new ones fail the gate.

A gap is identified by a key that survives ordinary editing — never by line numbers:
(file relative to the baseline's folder, rule id, section path without its numbering, a hash of
the first evidence quote with digits and whitespace removed — or of the message when the gap has
no evidence). Renumbering chapters, inserting paragraphs or changing a phone number therefore
keeps a known gap known; fixing it and breaking something else does not.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from yjplan.errors import BaselineError
from yjplan.model import AuditResult, Finding

BASELINE_VERSION = 1
SYNTHETIC_RULES = frozenset({"YJ000"})  # expired waivers must stay visible, so they are never baselined

# A heading's number label: 第三章 / 第3节 / 三、 / （二） / (2) / 4.2 / 4.2. / ①
_NUMBER_LABEL = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇两\d]+[章节条部分篇]"
    r"|[（(][一二三四五六七八九十百零〇\d]+[）)]"
    r"|[一二三四五六七八九十百零〇]+[、.．]"
    r"|\d+(?:[.．]\d+)*[、.．]?"
    r"|[①-⑳])\s*"
)
_DIGITS_AND_SPACE = re.compile(r"[\d\s]+")


@dataclass(frozen=True, slots=True)
class BaselineKey:
    file: str
    rule_id: str
    section: str
    fingerprint: str

    def identity(self) -> str:
        """The file-independent part, hashed: SARIF's partialFingerprints value."""
        raw = f"{self.rule_id}\x1f{self.section}\x1f{self.fingerprint}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


def strip_number(heading: str) -> str:
    return _DIGITS_AND_SPACE.sub("", _NUMBER_LABEL.sub("", unicodedata.normalize("NFKC", heading)))


def section_key(section_path: tuple[str, ...]) -> str:
    return ">".join(strip_number(h) for h in section_path)


def text_fingerprint(text: str) -> str:
    normalized = _DIGITS_AND_SPACE.sub("", unicodedata.normalize("NFKC", text))
    return hashlib.sha256(normalized.encode()).hexdigest()[:16]


def file_key(path: str | Path, anchor: Path) -> str:
    """The file relative to the baseline's folder; just its name when it lives elsewhere."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(anchor.resolve()).as_posix()
    except ValueError:
        return resolved.name


def finding_key(finding: Finding, file: str) -> BaselineKey:
    source = finding.evidence[0].quote if finding.evidence else finding.message
    return BaselineKey(file, finding.rule_id, section_key(finding.section_path), text_fingerprint(source))


@dataclass(frozen=True, slots=True)
class Baseline:
    path: Path
    keys: frozenset[BaselineKey]
    # (rule id, fingerprint) → keys, for the looser matches without scanning every entry
    by_evidence: dict[tuple[str, str], tuple[BaselineKey, ...]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, path: Path, keys: frozenset[BaselineKey]) -> Baseline:
        index: dict[tuple[str, str], list[BaselineKey]] = {}
        for k in keys:
            index.setdefault((k.rule_id, k.fingerprint), []).append(k)
        return cls(path, keys, {k: tuple(v) for k, v in index.items()})

    @property
    def anchor(self) -> Path:
        return self.path.resolve().parent

    def contains(self, finding: Finding, doc_path: str | Path) -> bool:
        key = finding_key(finding, file_key(doc_path, self.anchor))
        if key in self.keys:
            return True
        # Looser, still line-free: a heading re-nested under a new chapter keeps its known gaps when
        # the innermost heading is the same. (Never by bare file name: township folders are full of
        # plans with the same name, and a new one must not inherit another's baseline.)
        leaf = key.section.rsplit(">", 1)[-1]
        return any(k.file == key.file and k.section.rsplit(">", 1)[-1] == leaf
                   for k in self.by_evidence.get((key.rule_id, key.fingerprint), ()))


def baseline_entries(results: list[AuditResult], out_path: Path) -> list[dict[str, str]]:
    anchor = out_path.resolve().parent
    entries: dict[BaselineKey, str] = {}
    for result in results:
        file = file_key(result.document.path, anchor)
        for f in result.findings:
            if f.is_gap and f.rule_id not in SYNTHETIC_RULES:
                entries.setdefault(finding_key(f, file), f.message)
    return [
        {"file": k.file, "rule_id": k.rule_id, "section": k.section, "fingerprint": k.fingerprint, "message": msg}
        for k, msg in sorted(entries.items(), key=lambda kv: (kv[0].file, kv[0].rule_id, kv[0].section,
                                                             kv[0].fingerprint))
    ]


def render_baseline(results: list[AuditResult], out_path: Path) -> str:
    """The baseline file: versioned JSON, sorted so that re-recording gives a readable diff."""
    from yjplan import __version__

    doc = {
        "version": BASELINE_VERSION,
        "tool": f"yjplan {__version__}",
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "entries": baseline_entries(results, out_path),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def load_baseline(path: Path) -> Baseline:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise BaselineError("找不到基线文件（可用 yjplan baseline 生成）", path=path) from None
    return _load_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.cache
def _load_cached(path_str: str, _mtime_ns: int, _size: int) -> Baseline:
    path = Path(path_str)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BaselineError(f"基线文件不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）", path=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"无法读取基线文件（{exc}）", path=path) from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise BaselineError("基线文件缺少 entries", path=path)
    if data.get("version") != BASELINE_VERSION:
        raise BaselineError(f"不支持的基线文件版本“{data.get('version')}”（本版本为 {BASELINE_VERSION}），"
                            "请用 yjplan baseline 重新生成", path=path)
    keys: set[BaselineKey] = set()
    for i, entry in enumerate(data["entries"], 1):
        fields = ("file", "rule_id", "section", "fingerprint")
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in fields):
            raise BaselineError(f"基线文件第 {i} 条记录不完整（需要 {'、'.join(fields)}）", path=path)
        keys.add(BaselineKey(*(entry[k] for k in fields)))
    return Baseline.of(path, frozenset(keys))
