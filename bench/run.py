"""yjplan benchmark: one entry point, inputs generated on the spot, every figure beside its floor.

    python bench/run.py            # full run: 60- and 300-page plans, folders of 200 and 1,000 plans
    python bench/run.py --quick    # CI: 10-page plans, a folder of 12, 1–2 repetitions, no thresholds

Each measurement is the median of several runs and is reported next to a floor measured in the
same run on the same machine (see bench/floors.py), so the ratios mean the same on a laptop and
on a CI runner. The table is printed and written to bench/results/latest.json; ``--markdown``
also writes it as a Markdown table (docs/performance.md quotes it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(HERE))

import floors  # noqa: E402
import gen  # noqa: E402

PY = sys.executable
HEAVY_MODULES = ("docx", "pdfplumber", "pypdfium2", "jieba", "openpyxl", "lxml", "rapidfuzz")


@dataclass
class Row:
    section: str
    name: str
    input: str
    value: float
    unit: str
    floor_name: str = ""
    floor_value: float | None = None
    ratio: float | None = None
    target: str = ""  # e.g. "≤ 3×"; empty: reported, not judged
    ok: bool | None = None
    note: str = ""
    samples: list[float] = field(default_factory=list)
    cpu: float | None = None  # CPU time (user+system) in ms, median; far less sensitive to a busy machine
    floor_cpu: float | None = None

    @property
    def cpu_ratio(self) -> float | None:
        return self.cpu / self.floor_cpu if self.cpu is not None and self.floor_cpu else None


@dataclass
class Bench:
    quick: bool
    reps: int
    work: Path
    rows: list[Row] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else ""
        verdict = "" if row.ok is None else ("ok" if row.ok else "MISSED")
        cpu = f"cpu {row.cpu:.0f}" if row.cpu is not None else ""
        cpu_ratio = f"{row.cpu_ratio:.2f}×" if row.cpu_ratio is not None else ""
        print(f"  {row.name:<44} {row.input:<10} {row.value:>9.1f} {row.unit:<6} {ratio:>8} {row.target:<6} "
              f"{verdict:<6} {cpu:>9} {cpu_ratio:>7}", flush=True)
        return row


@dataclass(frozen=True)
class Timing:
    wall: float  # ms, median
    cpu: float  # ms, median of user+system time
    samples: list[float]


def median_of(fn: Callable[[], Any], reps: int, warmup: int = 1) -> Timing:
    for _ in range(warmup):
        fn()
    walls, cpus = [], []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return Timing(statistics.median(walls), statistics.median(cpus), walls)


def interleaved(fns: Sequence[Callable[[], Any]], reps: int, warmup: int = 1) -> list[Timing]:
    """Median timings of several functions run in turn (a, b, c, a, b, c, …): on a shared machine a
    burst of load then hits a floor and the figure compared with it alike, so their ratio holds."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    walls: list[list[float]] = [[] for _ in fns]
    cpus: list[list[float]] = [[] for _ in fns]
    for _ in range(reps):
        for i, fn in enumerate(fns):
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            walls[i].append((time.perf_counter() - t0) * 1000)
            cpus[i].append((time.process_time() - c0) * 1000)
    return [Timing(statistics.median(w), statistics.median(c), w) for w, c in zip(walls, cpus, strict=True)]


def judged(value: float, floor_value: float, limit: float | None, quick: bool, higher_is_better: bool = False,
           ) -> tuple[float, str, bool | None]:
    ratio = value / floor_value if floor_value else float("inf")
    if limit is None:
        return ratio, "", None
    target = f"{'≥' if higher_is_better else '≤'} {limit:g}×"
    if quick:
        return ratio, target, None  # CI runners are too noisy for thresholds; report only
    return ratio, target, (ratio >= limit if higher_is_better else ratio <= limit)


# --- processes --------------------------------------------------------------------------------


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), e.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    e.pop("YJPLAN_DEBUG", None)
    # an installed yjplan runs from bytecode (pip compiles it at install); a shell that forbids
    # writing .pyc would make every cold run recompile yjplan's sources instead
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    return e


def compile_sources() -> None:
    """Byte-compile src/ once, as ``pip install`` does, so cold runs measure start-up, not compiling."""
    import compileall

    compileall.compile_dir(REPO / "src", quiet=1)


_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(rc, u.ru_maxrss, (u.ru_utime + u.ru_stime) * 1000)\n"
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def timed_runs(cmds: Sequence[Sequence[str]], reps: int, *, check_codes: tuple[int, ...] = (0, 1)) -> list[Timing]:
    """Several commands run in turn, ``reps`` rounds (see ``interleaved``)."""
    walls: list[list[float]] = [[] for _ in cmds]
    cpus: list[list[float]] = [[] for _ in cmds]
    for _ in range(reps):
        for i, cmd in enumerate(cmds):
            c0, t0 = _children_cpu(), time.perf_counter()
            proc = subprocess.run(cmd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            walls[i].append((time.perf_counter() - t0) * 1000)
            cpus[i].append(_children_cpu() - c0)
            codes = check_codes if i else (*check_codes, 0)
            if proc.returncode not in codes:
                raise RuntimeError(f"{' '.join(map(str, cmd))} → exit {proc.returncode}: {proc.stderr[-800:]}")
    return [Timing(statistics.median(w), statistics.median(c), w) for w, c in zip(walls, cpus, strict=True)]


def tree_usage(pid: int, cpu_seen: dict[int, float]) -> int:
    """Resident memory (KiB) of a process and all its descendants (Linux /proc). Records each
    process's CPU time (ms) in ``cpu_seen``, so the tree's CPU is known even for workers nobody waits for."""
    tick = 1000 / os.sysconf("SC_CLK_TCK")
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry.name}/statm", "rb") as f:
                pages = int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        p = int(entry.name)
        children.setdefault(int(stat[1]), []).append(p)
        rss[p] = pages * page_kb
        cpu[p] = (int(stat[11]) + int(stat[12])) * tick
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        cpu_seen[p] = max(cpu_seen.get(p, 0.0), cpu.get(p, 0.0))
        stack.extend(children.get(p, ()))
    return total


@dataclass(frozen=True)
class Run:
    wall: float  # ms
    cpu: float  # ms, user+system of the whole process tree
    max_rss: float  # MiB, the largest single process (RUSAGE_CHILDREN.ru_maxrss seen by a wrapper)
    tree_rss: float  # MiB, peak of the whole process tree, sampled every 50 ms from /proc
    code: int


def run_with_memory(cmd: Sequence[str]) -> Run:
    t0 = time.perf_counter()
    proc = subprocess.Popen([PY, "-c", _RSS_WRAPPER, *cmd], env=env(), stdout=subprocess.PIPE, text=True)
    peak = 0
    cpu_seen: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            if Path("/proc").is_dir():
                peak = max(peak, tree_usage(proc.pid, cpu_seen))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    stop.set()
    sampler.join()
    wall = (time.perf_counter() - t0) * 1000
    code, maxrss, waited_cpu = out.split()
    cpu_seen.pop(proc.pid, None)  # the wrapper itself
    cpu = max(float(waited_cpu), sum(cpu_seen.values()))
    return Run(wall, cpu, int(maxrss) / 1024, peak / 1024, int(code))


def yjplan_cmd(*args: str) -> list[str]:
    return [PY, "-m", "yjplan", *args]


# --- inputs -----------------------------------------------------------------------------------


def _input_key() -> str:
    h = hashlib.sha256()
    for p in [HERE / "gen.py", *sorted((REPO / "samples" / "src").glob("*.txt")), *gen.text_plans()]:
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def pdf_from_docx(docx: Path, dest: Path) -> str:
    """A PDF of the plan as an office suite exports it (LibreOffice, fonts embedded); falls back to
    reportlab with a non-embedded CID font when LibreOffice is not installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                            "pdf", "--outdir", tmp, str(docx)], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=600)
            shutil.move(str(Path(tmp) / (docx.stem + ".pdf")), dest)
        return "LibreOffice export of the .docx (embedded subset fonts)"
    pages = int(docx.stem.removeprefix("plan"))
    gen.write_plan(dest, pages)
    return "reportlab (non-embedded CID font STSong-Light)"


def make_inputs(bench: Bench) -> dict[str, Any]:
    root = bench.work / _input_key()
    root.mkdir(parents=True, exist_ok=True)
    sizes = (10,) if bench.quick else (60, 300)
    plans: dict[str, Path] = {}
    producer = ""
    for pages in sizes:
        docx = root / f"plan{pages}.docx"
        if not docx.exists():
            print(f"  generating {docx.name} …", flush=True)
            gen.write_plan(docx, pages)
        plans[f"{pages}p.docx"] = docx
        pdf = root / f"plan{pages}.pdf"
        marker = root / f"plan{pages}.pdf.producer"
        if bench.quick:
            pdf = root / f"plan{pages}-rl.pdf"
            if not pdf.exists():
                gen.write_plan(pdf, pages)
            producer = "reportlab (non-embedded CID font STSong-Light)"
        elif not pdf.exists() or not marker.exists():
            print(f"  converting {docx.name} to PDF …", flush=True)
            marker.write_text(pdf_from_docx(docx, pdf), encoding="utf-8")
        producer = producer or marker.read_text(encoding="utf-8")
        plans[f"{pages}p.pdf"] = pdf
    folder_n = 12 if bench.quick else 200
    folder = root / f"folder{folder_n}"
    if not (folder / ".done").exists():
        print(f"  generating a folder of {folder_n} plans …", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        gen.write_folder(folder, folder_n)
        (folder / ".done").write_text("", encoding="utf-8")
    big: Path | None = None
    if not bench.quick:
        big = root / "folder1000"
        if not (big / ".done").exists():
            print("  generating a folder of 1,000 plans …", flush=True)
            shutil.rmtree(big, ignore_errors=True)
            gen.replicate_folder(sorted(p for p in folder.iterdir() if p.name != ".done"), big, 1000)
            (big / ".done").write_text("", encoding="utf-8")
    import pypdfium2 as pdfium

    described = {}
    for label, path in plans.items():
        info: dict[str, Any] = {"path": str(path), "bytes": path.stat().st_size}
        if path.suffix == ".pdf":
            doc = pdfium.PdfDocument(path)
            info["pages"] = len(doc)
            doc.close()
        else:
            info["paragraphs"] = len(floors.docx_floor(path))
        info["characters"] = sum(len(t) for t in floors.docx_floor(plans[label.replace(".pdf", ".docx")]))
        described[label] = info
    bench.facts["inputs"] = described
    bench.facts["pdf_producer"] = producer
    bench.facts["folder"] = {"path": str(folder), "files": folder_n,
                             "by_suffix": _by_suffix(folder)}
    if big is not None:
        bench.facts["folder_1000"] = {"path": str(big), "files": 1000, "by_suffix": _by_suffix(big)}
    return {"plans": plans, "folder": folder, "big": big}


def _by_suffix(folder: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in folder.iterdir():
        if p.name != ".done":
            out[p.suffix] = out.get(p.suffix, 0) + 1
    return dict(sorted(out.items()))


# --- measurements -----------------------------------------------------------------------------


def measured(bench: Bench, section: str, name: str, label: str, t: Timing, floor: Timing | None = None,
             floor_name: str = "", limit: float | None = None, note: str = "") -> Row:
    """A timed row, judged against its floor by wall clock (the CPU ratio is kept alongside)."""
    row = Row(section, name, label, t.wall, "ms", floor_name, samples=t.samples, cpu=t.cpu, note=note)
    if floor is not None:
        row.floor_value, row.floor_cpu = floor.wall, floor.cpu
        row.ratio, row.target, row.ok = judged(t.wall, floor.wall, limit, bench.quick)
    return bench.add(row)


def bench_startup(bench: Bench) -> None:
    print("start-up (cold, new interpreter each run)")
    reps = max(bench.reps, 5)
    probe = ("import sys, yjplan.cli; yjplan.cli._load_cli_extensions(); "
             f"print(','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))")
    out = subprocess.run([PY, "-c", probe], env=env(), capture_output=True, text=True, check=True).stdout.strip()
    bench.facts["heavy_modules_at_startup"] = out.split(",") if out else []
    # run in turn with the floor (see ``interleaved``); the missing file exits 2 after argument parsing
    floor, help_, imp = timed_runs([[PY, "-c", "pass"], yjplan_cmd("--help"),
                                    [PY, "-c", "import yjplan.cli; yjplan.cli._load_cli_extensions()"]], reps)
    parse = timed_runs([[PY, "-c", "pass"], yjplan_cmd("audit", str(bench.work / "no-such-file.docx"))],
                       reps, check_codes=(2,))[1]
    measured(bench, "startup", "python -c pass", "-", floor)
    measured(bench, "startup", "yjplan --help", "-", help_, floor, "python -c pass", 10)
    measured(bench, "startup", "import yjplan.cli (+ commands)", "-", imp, floor, "python -c pass",
             note=f"heavy modules loaded: {out or 'none'}")
    measured(bench, "startup", "yjplan audit <missing file> (argument parsing)", "-", parse, floor, "python -c pass")


def _reps(bench: Bench, label: str) -> int:
    return bench.reps if "300" not in label else max(3, bench.reps // 2)


def bench_reading(bench: Bench, plans: dict[str, Path]) -> None:
    print("reading (in-process, warm)")
    from yjplan.limits import DEFAULT_LIMITS
    from yjplan.parse import docx as docx_reader
    from yjplan.parse import pdf as pdf_reader
    from yjplan.parse import read_document

    for label, path in plans.items():
        data = path.read_bytes()
        reps = _reps(bench, label)
        if path.suffix == ".docx":
            floor_fn: Callable[[], Any] = lambda p=path: floors.docx_floor(p)  # noqa: E731
            floor_name, limit, reader = "zipfile+lxml iterparse", 3.0, docx_reader
        else:
            floor_fn = lambda p=path: floors.pdf_floor(p)  # noqa: E731
            floor_name, limit, reader = "pypdfium2 text+font size", 2.0, pdf_reader
        floor, raw_t, doc_t = interleaved(
            [floor_fn, lambda p=path, d=data, r=reader: r.read(p, d, DEFAULT_LIMITS), lambda p=path: read_document(p)],
            reps)
        measured(bench, "read", f"floor: {floor_name}", label, floor)
        measured(bench, "read", f"yjplan reader (parse.{path.suffix[1:]}.read)", label, raw_t, floor, floor_name,
                 limit)
        measured(bench, "read", "read_document (reader+outline+meta)", label, doc_t, floor, floor_name)
        if "300" in label and path.suffix == ".pdf":
            continue  # pdfplumber on 300+ pages takes most of a minute; the 60-page figure makes the point
        ref_fn = floors.python_docx_reference if path.suffix == ".docx" else floors.pdfplumber_reference
        ref_name = "python-docx, resolved styles" if path.suffix == ".docx" else "pdfplumber extract_text"
        t = median_of(lambda p=path, f=ref_fn: f(p), 1, warmup=0)
        measured(bench, "read", f"reference: {ref_name}", label, t, floor, floor_name)


def bench_outline_split(bench: Bench, plans: dict[str, Path]) -> None:
    """Where read_document's time goes beyond the reader: outline building and metadata."""
    from yjplan.limits import DEFAULT_LIMITS
    from yjplan.parse import read_raw
    from yjplan.parse.meta import detect_metadata
    from yjplan.parse.outline import build_outline

    for label, path in plans.items():
        raw = read_raw(path, path.read_bytes(), DEFAULT_LIMITS)
        t = median_of(lambda r=raw: build_outline(r), _reps(bench, label))
        measured(bench, "read", "  of which build_outline", label, t, note=f"{len(raw.blocks)} raw blocks")
        root, _ = build_outline(raw)
        t = median_of(lambda r=raw, t=root: detect_metadata(r, t), _reps(bench, label))
        measured(bench, "read", "  of which detect_metadata", label, t)


def docx_variants(plans: dict[str, Path], label: str, count: int) -> list[Path]:
    """``count`` more renderings of a generated .docx plan with other seeds: other place names,
    phone numbers and annex order, the same size. The warm measurement audits a different document
    each time, so caches keyed on a document's content (phone numbers, headings) cannot flatter it."""
    base = plans[label]
    pages = int(label.split("p", 1)[0])
    out = []
    for seed in range(1, count + 1):
        path = base.with_name(f"{base.stem}-v{seed}.docx")
        if not path.exists():
            gen.write_plan(path, pages, seed=seed)
            _own_styles_part(path, seed)
        out.append(path)
    return out


def _own_styles_part(path: Path, seed: int) -> None:
    """Give a rendering a styles part of its own bytes. The builder writes the same styles.xml into
    every file, and the reader keeps parsed style tables by their bytes: plans from different
    offices do not share them, so neither may the renderings the warm audit is timed on."""
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/styles.xml":
                head, sep, rest = data.partition(b"?>")
                data = head + sep + f"<!-- rendering {seed} -->".encode() + rest
            dst.writestr(info, data)
    tmp.replace(path)


def _variant_runs(fns: Sequence[Callable[[Path], Any]], paths: Sequence[Path]) -> list[Timing]:
    """Like ``interleaved``, but repetition i runs every function on ``paths[i]``; the first path
    only warms up (imports, packs, compiled patterns)."""
    walls: list[list[float]] = [[] for _ in fns]
    cpus: list[list[float]] = [[] for _ in fns]
    for i, path in enumerate(paths):
        for k, fn in enumerate(fns):
            c0, t0 = time.process_time(), time.perf_counter()
            fn(path)
            if i:
                walls[k].append((time.perf_counter() - t0) * 1000)
                cpus[k].append((time.process_time() - c0) * 1000)
    return [Timing(statistics.median(w), statistics.median(c), w) for w, c in zip(walls, cpus, strict=True)]


def bench_audit_inprocess(bench: Bench, plans: dict[str, Path]) -> None:
    print("audit (in-process, warm: modules imported, packs loaded)")
    from yjplan.parse import read_document
    from yjplan.pipeline import AuditOptions, audit_document, audit_file

    opts = AuditOptions(today=date(2026, 6, 30))
    docs: dict[Path, Any] = {}

    def match_only(p: Path) -> None:
        audit_document(docs[p], opts)

    for label, path in plans.items():
        floor_fn = floors.docx_floor if path.suffix == ".docx" else floors.pdf_floor
        reps = _reps(bench, label)
        if path.suffix == ".docx":
            # a different document every repetition, as in a batch (see docx_variants)
            paths = [path, *docx_variants(plans, label, reps)]
            how = f"{reps} different renderings of the plan (own styles part each), one per repetition"
        else:
            paths = [path] * (reps + 1)  # PDF variants would need a LibreOffice export each
            how = "the same file every repetition"
        for p in paths:
            docs.setdefault(p, read_document(p))
        floor, whole, match = _variant_runs([floor_fn, lambda p: audit_file(p, opts), match_only], paths)
        limit = 4.0 if label == "60p.docx" else None
        measured(bench, "audit-warm", "audit_file (read+match+score)", label, whole, floor, "floor read", limit,
                 note=how)
        result = audit_document(docs[path], opts)
        measured(bench, "audit-warm", "  of which audit_document (match+score)", label, match, floor,
                 "floor read", note=f"{len(result.findings)} rules, pack {result.pack}, {docs[path].char_count} chars")


def bench_audit_cold(bench: Bench, plans: dict[str, Path]) -> None:
    print("yjplan audit (subprocess, cold: a new interpreter each run)")
    words = floors.pack_keywords(REPO / "rules")
    bench.facts["pack_keywords"] = len(words)
    joined = "\x1f".join(words)
    with tempfile.TemporaryDirectory() as tmp:
        docx_script = Path(tmp) / "floor_docx.py"
        docx_script.write_text(floors.AUDIT_FLOOR_SCRIPT, encoding="utf-8")
        pdf_script = Path(tmp) / "floor_pdf.py"
        pdf_script.write_text(floors.PDF_AUDIT_FLOOR_SCRIPT, encoding="utf-8")
        for label, path in plans.items():
            reps = _reps(bench, label)
            script = docx_script if path.suffix == ".docx" else pdf_script
            floor, t = timed_runs([[PY, str(script), str(path), joined],
                                   yjplan_cmd("audit", str(path), "--format", "json")], reps)
            what = "start+lxml read+keyword regex" if path.suffix == ".docx" else "start+pdfium read+keyword regex"
            measured(bench, "audit-cold", f"floor script: {what}", label, floor)
            limit = 6.0 if label == "60p.docx" else None
            measured(bench, "audit-cold", "yjplan audit --format json", label, t, floor, "floor script", limit)
    # one part of every cold run: the built-in packs are parsed afresh in each process
    script = ("import time; c = time.process_time(); from yjplan.rules.load import pack_for_type; "
              "pack_for_type('乡镇'); print((time.process_time() - c) * 1000)")
    loads = [float(subprocess.run([PY, "-c", script], env=env(), capture_output=True, text=True, check=True).stdout)
             for _ in range(max(3, bench.reps))]
    t = Timing(statistics.median(loads), statistics.median(loads), loads)
    measured(bench, "audit-cold", "  of which loading the township pack (+ base)", "-", t,
             note="CPU time inside a fresh process, imports included")


def bench_packs(bench: Bench, doc_path: Path) -> None:
    print("rule evaluation per pack (in-process, warm)")
    from yjplan.match.engine import evaluate_rule
    from yjplan.match.evidence import Context
    from yjplan.parse import read_document
    from yjplan.pipeline import AuditOptions, patterns_for, rules_for
    from yjplan.rules.load import builtin_pack_ids, load_pack

    doc = read_document(doc_path)
    base = load_pack("builtin:base")
    type_of = {pack: t for t, pack in reversed(base.type_packs)}
    type_of.setdefault("base", "总体")
    slowest: list[tuple[float, str, str]] = []
    for pack_id in builtin_pack_ids():
        plan_type = type_of.get(pack_id)
        if plan_type is None:
            continue
        rules, data, _, _ = rules_for(plan_type, AuditOptions())
        if pack_id == "base":
            rules = tuple(r for r in base.rules if plan_type in r.applies_to)
        patterns = patterns_for(plan_type, AuditOptions())

        def context(data: Any = data, plan_type: str = plan_type, patterns: Any = patterns) -> Context:
            return Context(doc=doc, data=data, today=date(2026, 6, 30), plan_type=plan_type, patterns=patterns)

        def run(rules: tuple[Any, ...] = rules, context: Callable[[], Context] = context) -> None:
            ctx = context()
            for r in rules:
                evaluate_rule(r, doc, ctx)

        t = median_of(run, bench.reps)
        applicable = sum(1 for r in rules if plan_type in r.applies_to)
        measured(bench, "packs", f"pack {pack_id} ({plan_type})", doc_path.stem, t,
                 note=f"{len(rules)} rules, {applicable} applicable, {t.wall / max(applicable, 1):.1f} ms/rule")
        if pack_id in ("township", "government", "enterprise"):
            ctx = context()
            for r in rules:  # per rule, in the order of one audit (shared scopes already resolved)
                t0 = time.perf_counter()
                evaluate_rule(r, doc, ctx)
                slowest.append(((time.perf_counter() - t0) * 1000, r.id, pack_id))
    slowest.sort(reverse=True)
    bench.facts["slowest_rules"] = [{"ms": round(ms, 1), "rule": rid, "pack": p} for ms, rid, p in slowest[:8]]


def bench_jieba(bench: Bench, plan: Path | None) -> None:
    print("jieba: token boundaries")
    from yjplan.rules.load import builtin_pack_ids, load_pack

    def uses_tokens(spec: Any) -> bool:
        if spec is None:
            return False
        if spec.kind == "keywords":
            return bool(spec.tokens)
        if spec.kind in ("all", "any"):
            return any(uses_tokens(s) for s in spec.arg)
        if spec.kind == "not":
            return uses_tokens(spec.arg)
        if spec.kind == "if":
            return uses_tokens(spec.arg) or uses_tokens(spec.then)
        return False

    token_rules = sorted({r.id for pid in builtin_pack_ids() for r in load_pack(f"builtin:{pid}").rules
                          if any(uses_tokens(s) for s in (r.evidence, r.partial, r.forbid, r.when))})
    bench.facts["rules_using_tokens"] = token_rules
    words = floors.pack_keywords(REPO / "rules")
    small = floors.write_compact_dictionary(words, bench.work / "jieba-domain.txt")
    script = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); import floors\n"
        "c0 = time.process_time(); n = floors.jieba_default_load(); d = time.process_time() - c0\n"
        "c0 = time.process_time(); m = floors.jieba_compact_load(__import__('pathlib').Path(sys.argv[2]));"
        " c = time.process_time() - c0\n"
        "print(d * 1000, c * 1000, n, m)\n"
    )
    loads_d, loads_c = [], []
    for _ in range(max(2, bench.reps)):
        out = subprocess.run([PY, "-c", script, str(HERE), str(small)], env=env(), capture_output=True,
                             text=True, check=True).stdout.split()
        loads_d.append(float(out[0]))
        loads_c.append(float(out[1]))
        n_default, n_small = int(out[2]), int(out[3])
    text = ("应急预案" * 10 + "。镇应急指挥部办公室接报后30分钟内电话报告县应急管理局。") * 12000
    text = text[: 1_000_000]
    regex = median_of(lambda: floors.keyword_pass(text, words), bench.reps)
    measured(bench, "jieba", f"regex alternation of {len(words)} keywords, 1 MB", "-", regex)
    # load times are CPU times inside a fresh process (the wall clock of a load is noise on a busy box)
    d = Timing(statistics.median(loads_d), statistics.median(loads_d), loads_d)
    measured(bench, "jieba", "jieba default dictionary load", "-", d, regex, "keyword regex 1 MB",
             note=f"{n_default} entries; built-in rules using tokens: {len(token_rules)}")
    c = Timing(statistics.median(loads_c), statistics.median(loads_c), loads_c)
    measured(bench, "jieba", "jieba compact domain dictionary load", "-", c, regex, "keyword regex 1 MB",
             note=f"{n_small} entries")
    if plan is not None:
        bench.facts["jieba_boundary_agreement"] = floors.boundary_agreement(floors.docx_floor(plan), words, small)


def bench_batch(bench: Bench, folder: Path, big: Path | None) -> None:
    print("batch (subprocess)")
    files = sorted(p for p in folder.iterdir() if p.name != ".done")
    n = len(files)
    bench.facts["batch_cli"] = "yjplan batch"
    tmp = Path(tempfile.mkdtemp(prefix="yjplan-bench-batch-"))
    try:
        def batch(jobs: int, tag: str, cache: Path | None, src: Path = folder) -> Run:
            out = tmp / f"out-{tag}"
            shutil.rmtree(out, ignore_errors=True)
            args = ["batch", str(src), "-o", str(out), "-j", str(jobs), "-f", "jsonl", "-q"]
            args += ["--cache-dir", str(cache)] if cache else ["--no-cache"]
            run = run_with_memory(yjplan_cmd(*args))
            if run.code not in (0, 1):
                raise RuntimeError(f"yjplan batch exited {run.code}")
            return run

        def median_run(runs: list[Run]) -> Run:
            return sorted(runs, key=lambda r: r.wall)[len(runs) // 2]

        reps = 1 if bench.quick else 2
        one = median_run([batch(1, f"j1-{i}", None) for i in range(reps)])
        two = median_run([batch(2, f"j2-{i}", None) for i in range(reps)])
        tput1, tput2 = n / one.wall * 1000, n / two.wall * 1000
        bench.add(Row("batch", "yjplan batch -j 1 (no cache)", f"{n} files", tput1, "docs/s", cpu=one.cpu,
                      note=f"{one.wall:.0f} ms wall"))
        ratio, target, ok = judged(tput2, tput1, 1.7, bench.quick, higher_is_better=True)
        bench.add(Row("batch", "yjplan batch -j 2 (no cache)", f"{n} files", tput2, "docs/s", "-j 1", tput1, ratio,
                      target, ok, cpu=two.cpu, note=f"{two.wall:.0f} ms wall; CPU/wall {two.cpu / two.wall:.2f}"))
        # on a busy machine the wall-clock ratio says more about the neighbours than about yjplan: what
        # -j 2 costs in CPU per document, and how busy it kept the two cores, bound the idle-machine ratio
        efficiency = one.cpu / two.cpu if two.cpu else 0.0
        bench.add(Row("batch", "-j 2 CPU efficiency (CPU -j 1 / CPU -j 2)", f"{n} files", efficiency, "ratio",
                      note=f"CPU/wall: -j 1 {one.cpu / one.wall:.2f}, -j 2 {two.cpu / two.wall:.2f}; "
                           f"idle-machine bound for -j 2 scaling {2 * efficiency:.2f}×"))
        cache = tmp / "cache"
        cold = batch(2, "cold", cache)
        warm = median_run([batch(2, f"warm-{i}", cache) for i in range(max(2, reps))])
        ratio, target, ok = judged(cold.wall, warm.wall, 10, bench.quick, higher_is_better=True)
        bench.add(Row("batch", "yjplan batch -j 2, cache-hit re-run", f"{n} files", warm.wall, "ms", "cold run",
                      cold.wall, ratio, target, ok, cpu=warm.cpu, floor_cpu=cold.cpu, note="ratio = cold / warm"))
        bench.add(Row("memory", "peak RSS, batch -j 2 (largest process)", f"{n} files", two.max_rss, "MiB"))
        bench.add(Row("memory", "peak RSS, batch -j 2 (process tree)", f"{n} files", two.tree_rss, "MiB"))
        if big is not None:
            m = sum(1 for p in big.iterdir() if p.name != ".done")
            run = batch(2, "big", None, big)
            rate = m / run.wall * 1000
            bench.add(Row("batch", "yjplan batch -j 2 (no cache)", f"{m} files", rate, "docs/s", f"-j 2 on {n}",
                          tput2, rate / tput2, cpu=run.cpu, note=f"{run.wall:.0f} ms wall"))
            for what, value, base in (("largest process", run.max_rss, two.max_rss),
                                      ("process tree", run.tree_rss, two.tree_rss)):
                ratio, target, ok = judged(value, base, 1.5, bench.quick)
                bench.add(Row("memory", f"peak RSS, batch -j 2 ({what})", f"{m} files", value, "MiB",
                              f"same on {n}", base, ratio, target, ok))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_memory(bench: Bench, plans: dict[str, Path]) -> None:
    print("memory (subprocess)")
    base = run_with_memory([PY, "-c", "import yjplan.cli"])
    for label in ("300p.pdf", "300p.docx", "10p.pdf"):
        if label not in plans:
            continue
        run = run_with_memory(yjplan_cmd("audit", str(plans[label]), "--format", "json"))
        if run.code not in (0, 1):
            raise RuntimeError(f"yjplan audit exited {run.code} on {label}")
        ratio, _, _ = judged(run.max_rss, base.max_rss, None, bench.quick)
        bench.add(Row("memory", "peak RSS, yjplan audit", label, run.max_rss, "MiB", "python + import yjplan.cli",
                      base.max_rss, ratio, cpu=run.cpu, note=f"{run.wall:.0f} ms wall"))


def growth(bench: Bench) -> None:
    """How cost grows from 60 to 300 pages (5× the text): linear means a ratio near 5."""
    by = {(r.name, r.input): r.value for r in bench.rows}
    out = {}
    for name in ("yjplan reader (parse.docx.read)", "yjplan reader (parse.pdf.read)",
                 "read_document (reader+outline+meta)", "  of which audit_document (match+score)",
                 "audit_file (read+match+score)", "floor: zipfile+lxml iterparse", "floor: pypdfium2 text+font size",
                 "  of which build_outline"):
        for fmt in ("docx", "pdf"):
            a, b = by.get((name, f"60p.{fmt}")), by.get((name, f"300p.{fmt}"))
            if a and b:
                out[f"{name.strip()} [{fmt}]"] = round(b / a, 2)
    if out:
        bench.facts["growth_60_to_300_pages"] = out
        print("growth 60 → 300 pages (× time; 5 = linear):")
        for k, v in out.items():
            print(f"  {k:<60} {v:>6.2f}×")


# --- output -----------------------------------------------------------------------------------


def _merge_previous(bench: Bench, previous: dict[str, Any], fresh: set[str]) -> None:
    """Rows of sections not measured this time come from the previous results, in their order."""
    fields = set(Row.__dataclass_fields__)
    kept = [Row(**{k: v for k, v in row.items() if k in fields}) for row in previous.get("rows", [])
            if row["section"] not in fresh]
    order = ["startup", "read", "audit-warm", "audit-cold", "packs", "jieba", "batch", "memory"]
    bench.rows = sorted([*kept, *bench.rows], key=lambda r: order.index(r.section) if r.section in order else 99)
    bench.facts = {**previous.get("facts", {}), **bench.facts}
    bench.facts["merged_sections"] = sorted(fresh)
    # the run whose other rows are kept: its length and date stay on record
    bench.facts.setdefault("merged_into", {"date": previous.get("date"), "elapsed_s": previous.get("elapsed_s")})


def markdown(bench: Bench) -> str:
    lines = ["| section | measurement | input | value | floor | floor value | ratio | target | met | CPU ms "
             "| CPU ratio |", "|---|---|---|---:|---|---:|---:|---|---|---:|---:|"]
    for r in bench.rows:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else ""
        floor_value = f"{r.floor_value:.1f}" if r.floor_value is not None else ""
        met = "" if r.ok is None else ("yes" if r.ok else "**no**")
        cpu = f"{r.cpu:.0f}" if r.cpu is not None else ""
        cpu_ratio = f"{r.cpu_ratio:.2f}×" if r.cpu_ratio is not None else ""
        lines.append(f"| {r.section} | {r.name.strip()} | {r.input} | {r.value:.1f} {r.unit} | {r.floor_name} | "
                     f"{floor_value} | {ratio} | {r.target} | {met} | {cpu} | {cpu_ratio} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small inputs, 1–2 repetitions, no thresholds (CI)")
    ap.add_argument("--reps", type=int, default=None, help="repetitions per measurement (default 5; quick: 2)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "yjplan-bench",
                    help="where generated inputs are kept between runs")
    ap.add_argument("--out", type=Path, default=None,
                    help="results JSON (default bench/results/latest.json; quick runs: <work>/quick.json)")
    ap.add_argument("--markdown", type=Path, default=None, help="also write the table as Markdown here")
    ap.add_argument("--only", nargs="*", default=None,
                    help="sections: startup read audit-warm audit-cold packs jieba batch memory")
    ap.add_argument("--merge", action="store_true",
                    help="with --only: keep the other sections' rows from the existing results file")
    args = ap.parse_args(argv)
    quick = args.quick
    bench = Bench(quick=quick, reps=args.reps or (2 if quick else 5), work=args.work)
    only = set(args.only) if args.only else None
    started = time.perf_counter()

    def want(section: str) -> bool:
        return only is None or section in only

    print(f"yjplan bench ({'quick' if quick else 'full'}), {os.cpu_count()} CPUs, Python {platform.python_version()}")
    inputs = make_inputs(bench)
    plans = inputs["plans"]
    compile_sources()
    if want("startup"):
        bench_startup(bench)
    if want("read"):
        bench_reading(bench, plans)
        bench_outline_split(bench, plans)
    if want("audit-warm"):
        bench_audit_inprocess(bench, plans)
    if want("audit-cold"):
        bench_audit_cold(bench, plans)
    if want("packs"):
        largest = max((p for p in plans.values() if p.suffix == ".docx"), key=lambda p: p.stat().st_size)
        bench_packs(bench, plans.get("60p.docx", largest))
    if want("jieba"):
        bench_jieba(bench, plans.get("60p.docx") or plans.get("10p.docx"))
    if want("batch"):
        bench_batch(bench, inputs["folder"], inputs["big"])
    if want("memory"):
        bench_memory(bench, plans)
    out = args.out or (args.work / "quick.json" if quick else HERE / "results" / "latest.json")
    if args.merge and only and out.exists():
        _merge_previous(bench, json.loads(out.read_text(encoding="utf-8")), {r.section for r in bench.rows})
    growth(bench)
    elapsed = time.perf_counter() - started
    missed = [r for r in bench.rows if r.ok is False]
    result = {
        "schema": 1,
        "mode": "quick" if quick else "full",
        "date": date.today().isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "elapsed_s": round(elapsed, 1),
        "repetitions": bench.reps,
        "facts": bench.facts,
        "rows": [{k: (round(v, 2) if isinstance(v, float) else v) for k, v in asdict(r).items()
                  if k != "samples"} | {"cpu_ratio": round(r.cpu_ratio, 2) if r.cpu_ratio else None,
                                        "samples": [round(s, 1) for s in r.samples]} for r in bench.rows],
        "missed": [f"{r.name.strip()} [{r.input}]" for r in missed],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(markdown(bench), encoding="utf-8")
    print(f"done in {elapsed:.0f} s; {len(missed)} target(s) missed; results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
