"""Core types shared by parsers, rules and reports.

Parsers produce a :class:`Document`; rules only ever see a ``Document`` (never a .docx or .pdf),
and reports only ever see an :class:`AuditResult`. Everything here is frozen and built from
tuples so results can be hashed, cached, pickled across processes and compared in tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

SCHEMA_VERSION = "1.0"


class Criterion(StrEnum):
    SPECIFICITY = "针对性"
    PRACTICALITY = "实用性"
    OPERABILITY = "可操作性"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


class Outcome(StrEnum):
    PASS = "pass"
    PARTIAL = "partial"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {"pass": "符合", "partial": "基本符合", "fail": "不符合", "not_applicable": "不适用"}[
            self.value
        ]


class BlockKind(StrEnum):
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE = "table"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a person finds something in the original file.

    ``paragraph`` is the 1-based ordinal of the block-level element (paragraph or table) in the
    Word body, counted by ``parse.docx.iter_body_elements`` so the annotator can find it again.
    """

    page: int | None = None
    paragraph: int | None = None
    line: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.paragraph is not None and self.table is None:
            parts.append(f"第{self.paragraph}段")
        if self.line is not None:
            parts.append(f"第{self.line}行")
        if self.table is not None:
            parts.append(f"表{self.table}")
            if self.row is not None:
                parts.append(f"第{self.row}行")
            if self.col is not None:
                parts.append(f"第{self.col}列")
        return "".join(parts) or "位置未知"

    def with_cell(self, row: int, col: int | None = None) -> Location:
        return Location(self.page, self.paragraph, self.line, self.table, row, col)


@dataclass(frozen=True, slots=True)
class Table:
    """A table as rows × cells of plain text. Merged cells repeat their text in every grid cell."""

    rows: tuple[tuple[str, ...], ...]

    @property
    def header(self) -> tuple[str, ...]:
        return self.rows[0] if self.rows else ()

    def text(self) -> str:
        return "\n".join(["\t".join(row) for row in self.rows])


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    text: str
    location: Location
    table: Table | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and what belongs to it. The root section (level 0) holds the preamble."""

    title: str
    level: int
    number: str | None
    location: Location
    blocks: tuple[Block, ...] = ()
    children: tuple[Section, ...] = ()

    @property
    def heading(self) -> str:
        """The heading as written: number label plus title."""
        if not self.number:
            return self.title
        sep = "" if self.number.endswith(("、", "）", ")", "章", "节", "条", ".", "．")) else " "
        return f"{self.number}{sep}{self.title}"

    def walk(self) -> Iterator[tuple[tuple[str, ...], Section]]:
        """Depth-first (path, section) pairs; the path excludes the root."""
        stack: list[tuple[tuple[str, ...], Section]] = [((), self)]
        while stack:
            path, sec = stack.pop()
            yield path, sec
            for child in reversed(sec.children):
                stack.append(((*path, child.heading), child))

    def own_text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    def full_text(self) -> str:
        parts = [self.own_text()]
        for child in self.children:
            parts.append(child.heading)
            parts.append(child.full_text())
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Document:
    path: str
    format: str  # docx | pdf | txt | md | doc | wps | rtf | odt
    sha256: str
    root: Section
    title: str | None = None
    issuer: str | None = None
    issue_date: date | None = None
    page_count: int | None = None
    char_count: int = 0
    notes: tuple[str, ...] = ()  # reader remarks shown to the user, in Chinese

    def sections(self) -> Iterator[tuple[tuple[str, ...], Section]]:
        return self.root.walk()

    def blocks(self) -> Iterator[tuple[tuple[str, ...], Block]]:
        for path, sec in self.sections():
            for block in sec.blocks:
                yield path, block

    def headings(self) -> list[tuple[tuple[str, ...], Section]]:
        return [(p, s) for p, s in self.sections() if s.level > 0]


# --- audit results --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    quote: str  # the exact text that satisfied (or, for a defect rule, triggered) the check
    location: Location
    section_path: tuple[str, ...]
    kind: str  # keyword | regex | phone | time_limit | table | heading | ...
    defect: bool = False  # the quote shows a problem (forbid hit), not a requirement being met


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    name: str
    title: str
    outcome: Outcome
    severity: Severity
    criteria: tuple[tuple[Criterion, float], ...]  # criterion → share of the rule's weight
    weight: float
    message: str  # Chinese, one sentence: what is wrong, or what was found
    suggestion: str | None
    references: tuple[str, ...]
    section_path: tuple[str, ...]  # where it was found, or the best place it belongs
    location: Location | None
    evidence: tuple[Evidence, ...] = ()
    looked_in: tuple[str, ...] = ()  # section headings searched (or "全文")
    detail: str | None = None  # why partial/fail, in Chinese
    suppressed: str | None = None  # waiver reason when waived
    baseline: bool = False  # matched the baseline: reported, does not fail the gate

    @property
    def is_gap(self) -> bool:
        return self.outcome in (Outcome.FAIL, Outcome.PARTIAL)

    @property
    def counts_for_gate(self) -> bool:
        return self.is_gap and self.suppressed is None and not self.baseline


@dataclass(frozen=True, slots=True)
class CriterionScore:
    criterion: Criterion
    score: float  # 0–100
    earned: float
    possible: float


@dataclass(frozen=True, slots=True)
class PlanTypeGuess:
    plan_type: str
    reason: str  # Chinese explanation
    overridden: bool = False
    candidates: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class AuditResult:
    document: Document
    plan_type: PlanTypeGuess
    pack: str  # pack id@version
    findings: tuple[Finding, ...]
    scores: tuple[CriterionScore, ...]
    total: float
    grade: str
    schema_version: str = SCHEMA_VERSION
    timings_ms: tuple[tuple[str, float], ...] = field(default=())

    def gaps(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_gap)
