from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from tests.report.conftest import REPORT_HEADING
from yjplan.model import AuditResult, Evidence, Location, Outcome
from yjplan.report.html import render_html

html5lib = pytest.importorskip("html5lib")

XHTML = "{http://www.w3.org/1999/xhtml}"
RESOURCE_ATTRS = ("src", "href", "srcset", "poster", "action", "data", "{http://www.w3.org/1999/xlink}href")


def _parse(page: str):  # type: ignore[no-untyped-def]
    """Strict HTML5 parse: any parse error (bad nesting, stray end tag, bad entity) raises."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(page)


def _text(el) -> str:  # type: ignore[no-untyped-def]
    return "".join(el.itertext())


def _by_class(root, cls: str) -> list:  # type: ignore[no-untyped-def]
    return [el for el in root.iter() if cls in (el.get("class") or "").split()]


def _hostile(result: AuditResult) -> AuditResult:
    """The same result with markup in the title, a message and a quote."""
    gap = result.gaps()[0]
    evil = replace(
        gap,
        message="<script>alert(1)</script> & “引号”",
        evidence=(Evidence('<img src="http://evil.example/x.png"> 1380000xxxx', Location(paragraph=3), (), "regex"),),
    )
    findings = tuple(evil if f is gap else f for f in result.findings)
    doc = replace(result.document, title="<b>青石村</b>预案 & https://example.com/plan")
    return replace(result, document=doc, findings=findings)


def test_single_report_is_valid_html5_in_chinese(gap_docx: tuple[Path, AuditResult]) -> None:
    page = render_html([gap_docx[1]])
    root = _parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert root.get("lang") == "zh-CN"
    assert root.find(f"{XHTML}head/{XHTML}meta").get("charset") == "utf-8"


def test_report_references_no_remote_resources(gap_docx: tuple[Path, AuditResult]) -> None:
    page = render_html([_hostile(gap_docx[1])])
    root = _parse(page)
    for el in root.iter():
        for attr in RESOURCE_ATTRS:
            value = (el.get(attr) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (el.tag, attr, value)
        assert el.tag not in (f"{XHTML}link", f"{XHTML}iframe", f"{XHTML}img")
        if el.tag == f"{XHTML}script":
            assert el.get("src") is None
    styles = "".join(_text(el) for el in root.iter(f"{XHTML}style"))
    assert "@import" not in styles
    assert not re.search(r"url\(", styles)
    # a URL inside the document's own text is fine: it is shown, not fetched
    assert "https://example.com/plan" in _text(root)


def test_document_text_is_escaped(gap_docx: tuple[Path, AuditResult]) -> None:
    page = render_html([_hostile(gap_docx[1])])
    root = _parse(page)
    assert len(list(root.iter(f"{XHTML}script"))) == 1  # only the report's own print helper
    assert not [el for el in root.iter(f"{XHTML}b")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; “引号”" in page
    assert _text(root.find(f"{XHTML}head/{XHTML}title")).endswith("<b>青石村</b>预案 & https://example.com/plan")
    assert '&lt;img src="http://evil.example/x.png"&gt;' in page.replace("&quot;", '"')


def test_report_shows_scores_chart_and_every_gap(gap_docx: tuple[Path, AuditResult]) -> None:
    result = gap_docx[1]
    root = _parse(render_html([result]))
    text = _text(root)
    assert f"{result.total:.1f}" in _text(_by_class(root, "total")[0])
    assert result.grade in _text(_by_class(root, "total")[0])
    (chart,) = [el for el in root.iter("{http://www.w3.org/2000/svg}svg")]
    bars = [el for el in chart.iter("{http://www.w3.org/2000/svg}rect") if el.get("fill") != "none"]
    assert len(bars) == 3
    for score, bar in zip(result.scores, bars, strict=True):
        assert f"{score.score:.1f}" in _text(chart)
        assert float(bar.get("width")) == pytest.approx(360 * score.score / 100, abs=0.1)
    cards = _by_class(root, "finding")
    assert sorted(c.get("id").removeprefix("plan-1-") for c in cards) == sorted(f.rule_id for f in result.gaps())
    for f in result.gaps():
        assert f.message in text
        if f.suggestion:
            assert f.suggestion in text
    assert result.plan_type.reason in text


def test_findings_are_grouped_by_severity_errors_first(gap_docx: tuple[Path, AuditResult]) -> None:
    root = _parse(render_html([gap_docx[1]]))
    order = [el.get("class").split()[-1] for el in root.iter(f"{XHTML}h4") if "sev" in (el.get("class") or "")]
    assert order == sorted(order, key=["sev-error", "sev-warning", "sev-info"].index)
    assert order[0] == "sev-error"


def test_passed_rules_are_folded_with_their_evidence(gap_docx: tuple[Path, AuditResult]) -> None:
    result = gap_docx[1]
    root = _parse(render_html([result]))
    (details,) = _by_class(root, "passed")
    assert details.tag == f"{XHTML}details" and details.get("open") is None
    passed = [f for f in result.findings if f.outcome == Outcome.PASS]
    assert passed
    for f in passed:
        assert f.rule_id in _text(details)
        assert not [c for c in _by_class(root, "finding") if c.get("id") == f"plan-1-{f.rule_id}"]


def test_outline_is_coloured_by_coverage(gap_docx: tuple[Path, AuditResult]) -> None:
    result = gap_docx[1]
    root = _parse(render_html([result]))
    status = {}
    for span in _by_class(root, "cov"):
        title = [el for el in span if el.get("class") == "title"]
        if title:
            status[_text(title[0])] = next(c for c in span.get("class").split() if c.startswith("cov-"))
    # the missing time limit is an error-level gap naming the 信息报告 section
    assert status[REPORT_HEADING] == "cov-error"
    gap_paths = {f.section_path for f in result.gaps() if not f.suppressed}
    pass_paths = {p for f in result.findings if f.outcome == Outcome.PASS
                  for p in (f.section_path, *(e.section_path for e in f.evidence))}  # fmt: skip
    for path, sec in result.document.sections():
        if not sec.level:
            continue
        if path not in gap_paths and path not in pass_paths:
            assert status[sec.heading] == "cov-none", sec.heading
        elif path not in gap_paths:
            assert status[sec.heading] == "cov-pass", sec.heading
        else:
            assert status[sec.heading] in ("cov-error", "cov-warning"), sec.heading
    assert "cov-none" in status.values()


def test_print_stylesheet_expands_details_and_breaks_pages(gap_docx: tuple[Path, AuditResult]) -> None:
    page = render_html([gap_docx[1]])
    media = page[page.index("@media print") :]
    assert "break-before:page" in media
    assert "details::details-content" in media
    assert "beforeprint" in page  # older browsers: open <details> before printing


def test_several_plans_get_a_summary_table_and_a_section_each(
    gap_docx: tuple[Path, AuditResult], gap_pdf: tuple[Path, AuditResult]
) -> None:
    results = [gap_docx[1], gap_pdf[1]]
    root = _parse(render_html(results))
    (summary,) = _by_class(root, "summary")
    rows = list(summary.iter(f"{XHTML}tr"))
    assert len(rows) == 1 + len(results)
    links = [a.get("href") for a in summary.iter(f"{XHTML}a")]
    assert links == ["#plan-1", "#plan-2"]
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    assert {"plan-1", "plan-2"} <= ids
    assert len(ids) == len([el for el in root.iter() if el.get("id")])  # ids are unique across plans
    assert _text(rows[2]).count(f"{gap_pdf[1].total:.1f}") >= 1


# --- in a real browser ---------------------------------------------------------------------------


def _browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _run_browser(args: list[str], profile: Path) -> None:
    exe = _browser()
    if exe is None:
        pytest.skip("没有安装 chromium，跳过浏览器截图测试")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}", *args]  # fmt: skip
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)


def test_report_screenshot_in_headless_chromium(gap_docx: tuple[Path, AuditResult], tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html([gap_docx[1]]), encoding="utf-8")
    png = tmp_path / "report.png"
    _run_browser([f"--screenshot={png}", "--window-size=1200,1600", page.as_uri()], tmp_path / "profile")
    assert png.is_file()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000  # a blank page is a few KB


def test_report_prints_to_pdf_with_findings_and_folded_rules(
    gap_docx: tuple[Path, AuditResult], tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("没有安装 pdftotext（poppler-utils）")
    result = gap_docx[1]
    page = tmp_path / "report.html"
    page.write_text(render_html([result]), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    _run_browser(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()], tmp_path / "profile")
    assert pdf.is_file() and pdf.stat().st_size > 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, timeout=60, check=True).stdout
    text = re.sub(r"\s+", "", text.decode("utf-8"))
    assert re.sub(r"\s+", "", result.gaps()[0].message) in text
    # the passed rules are folded on screen but printed
    passed = next(f for f in result.findings if f.outcome == Outcome.PASS)
    assert re.sub(r"\s+", "", passed.title) in text
