"""The section tree in the terminal, with each heading's location."""

from __future__ import annotations

from yjplan.model import Document, Section


def render_outline(doc: Document, *, depth: int = 9) -> None:
    from rich.console import Console
    from rich.tree import Tree

    console = Console(highlight=False)
    meta = [f"格式 {doc.format}"]
    if doc.page_count:
        meta.append(f"{doc.page_count} 页")
    meta.append(f"{doc.char_count} 字")
    if doc.issuer:
        meta.append(f"发布单位 {doc.issuer}")
    if doc.issue_date:
        meta.append(f"日期 {doc.issue_date.isoformat()}")
    tree = Tree(f"[bold]{doc.title or doc.path}[/]  [dim]{' · '.join(meta)}[/]")

    def add(node: Tree, sec: Section) -> None:
        for child in sec.children:
            if child.level > depth:
                continue
            label = f"{child.heading}  [dim]{child.location.describe()}[/]"
            add(node.add(label), child)

    add(tree, doc.root)
    console.print(tree)
    count = sum(1 for _ in doc.headings())
    console.print(f"[dim]共 {count} 个标题[/]")
    for note in doc.notes:
        console.print(f"[dim]说明：{note}[/]")
