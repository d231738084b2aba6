"""Renderers: AuditResult / Document → text, JSON, Markdown, HTML, SARIF, JUnit, annotated .docx."""
