"""Floors and references: the least work that could possibly answer the question, and the library
way the issue compares against. Every yjplan figure in the bench is divided by a floor measured in
the same run on the same machine, so the ratios travel between machines and the raw times do not.

* .docx floor: ``zipfile`` + ``lxml.etree.iterparse`` over word/document.xml, paragraph texts only
  (no styles, no numbering, no tables as grids).
* .pdf floor: pypdfium2 text per page plus the font size of every character, the minimum a
  heading detector needs from a PDF.
* start-up floor: ``python -c pass``.
* audit floor: a script that starts the interpreter, does the .docx floor read and runs one
  compiled alternation of every keyword of the built-in packs over the text.
* references (not floors): python-docx with resolved styles, pdfplumber text, jieba's dictionary.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_floor(path: Path) -> list[str]:
    """Paragraph texts of word/document.xml in one iterparse pass (tables' paragraphs included)."""
    from lxml import etree

    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml")
    out: list[str] = []
    parts: list[str] = []
    for event, el in etree.iterparse(io.BytesIO(xml), events=("end",), tag=(f"{W}t", f"{W}p")):
        if el.tag == f"{W}t":
            parts.append(el.text or "")
        else:
            out.append("".join(parts))
            parts.clear()
            el.clear()
        del event
    return out


def pdf_floor(path: Path) -> tuple[int, int]:
    """Text of every page and the font size of every character: (characters, pages)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(path)
    total = 0
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            raw = textpage.raw
            sizes = [pdfium_c.FPDFText_GetFontSize(raw, j) for j in range(pdfium_c.FPDFText_CountChars(raw))]
            total += len(text) + 0 * len(sizes)
            textpage.close()
            page.close()
        return total, len(pdf)
    finally:
        pdf.close()


def python_docx_reference(path: Path) -> int:
    """What a python-docx reader does: every paragraph with its resolved style, run bold and
    size, and every table cell. Returns the character count."""
    import docx

    document = docx.Document(str(path))
    total = 0
    for p in document.paragraphs:
        style = p.style
        _ = style.name if style is not None else None
        for run in p.runs:
            _ = (run.bold, run.font.size)
        total += len(p.text)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                total += len(cell.text)
    return total


def pdfplumber_reference(path: Path) -> int:
    import pdfplumber

    total = 0
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            total += len(page.extract_text() or "")
            page.flush_cache()
    return total


def pack_keywords(rules_root: Path, limit: int = 86) -> list[str]:
    """The vocabulary the built-in packs look for as plain words: every ``keywords`` list, then the
    scopes' heading synonyms, up to ``limit`` words (86, the size of the issue's floor; ``re`` tries
    every alternative at every position, so the floor grows with the word count)."""
    import yaml

    found: dict[str, set[str]] = {"keywords": set(), "headings": set()}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in found and isinstance(value, list):
                    found[key].update(str(v) for v in value if isinstance(v, str) and v.strip())
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for file in sorted(rules_root.rglob("YJ*.yaml")):
        walk(yaml.safe_load(file.read_text(encoding="utf-8")))
    words = sorted(found["keywords"]) + sorted(found["headings"] - found["keywords"])
    return sorted(words[:limit], key=lambda w: (-len(w), w))


def keyword_pass(text: str, words: list[str]) -> int:
    """One compiled alternation of all keywords over the text: the floor of keyword matching."""
    pattern = re.compile("|".join(map(re.escape, words)))
    return sum(1 for _ in pattern.finditer(text))


AUDIT_FLOOR_SCRIPT = '''\
import io, re, sys, zipfile
from lxml import etree
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
with zipfile.ZipFile(sys.argv[1]) as z:
    xml = z.read("word/document.xml")
out, parts = [], []
for _, el in etree.iterparse(io.BytesIO(xml), events=("end",), tag=(W + "t", W + "p")):
    if el.tag == W + "t":
        parts.append(el.text or "")
    else:
        out.append("".join(parts)); parts.clear(); el.clear()
text = "\\n".join(out)
words = sys.argv[2].split("\\x1f")
pattern = re.compile("|".join(map(re.escape, words)))
print(sum(1 for _ in pattern.finditer(text)))
'''

PDF_AUDIT_FLOOR_SCRIPT = '''\
import re, sys
import pypdfium2 as pdfium
import pypdfium2.raw as c
pdf = pdfium.PdfDocument(sys.argv[1])
texts = []
for i in range(len(pdf)):
    tp = pdf[i].get_textpage()
    texts.append(tp.get_text_range())
    sizes = [c.FPDFText_GetFontSize(tp.raw, j) for j in range(c.FPDFText_CountChars(tp.raw))]
text = "\\n".join(texts)
words = sys.argv[2].split("\\x1f")
pattern = re.compile("|".join(map(re.escape, words)))
print(sum(1 for _ in pattern.finditer(text)))
'''


def jieba_default_load() -> int:
    """Load jieba's default dictionary in this process (call in a fresh process: it caches)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return len(tok.FREQ)


def jieba_compact_load(dictionary: Path) -> int:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer(dictionary=str(dictionary))
    tok.initialize()
    return len(tok.FREQ)


def write_compact_dictionary(words: list[str], dest: Path) -> Path:
    """A jieba dictionary of the pack's keywords plus their characters (so every character of a
    keyword is a known token): ``word freq`` per line, the format jieba reads."""
    lines = {f"{w} 1000" for w in words}
    lines |= {f"{ch} 100" for w in words for ch in w}
    dest.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")
    return dest


def boundary_agreement(paragraphs: list[str], words: list[str], compact: Path) -> dict[str, float]:
    """For every keyword occurrence in the text: is it a whole word by jieba's default dictionary,
    and by the compact domain dictionary? Returns the counts and the share on which they agree."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    default, small = jieba.Tokenizer(), jieba.Tokenizer(dictionary=str(compact))
    pattern = re.compile("|".join(map(re.escape, words)))
    occurrences = agree = whole_default = whole_small = 0
    for text in paragraphs:
        spans = [(m.start(), m.end()) for m in pattern.finditer(text)]
        if not spans:
            continue
        cuts = []
        for tok in (default, small):
            toks = list(tok.tokenize(text))
            cuts.append(({s for _, s, _ in toks}, {e for _, _, e in toks}))
        for start, end in spans:
            a = start in cuts[0][0] and end in cuts[0][1]
            b = start in cuts[1][0] and end in cuts[1][1]
            occurrences += 1
            agree += a == b
            whole_default += a
            whole_small += b
    return {"occurrences": occurrences, "whole_word_default": whole_default, "whole_word_compact": whole_small,
            "agreement": round(agree / occurrences, 4) if occurrences else 1.0}
