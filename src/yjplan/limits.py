"""Resource limits applied to every input. One frozen value, passed down explicitly."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int = 100 * 1024 * 1024  # refuse larger inputs outright
    max_unzipped_bytes: int = 300 * 1024 * 1024  # total expanded size of a .docx package
    max_zip_ratio: float = 200.0  # per-member compression ratio that marks a zip bomb
    max_zip_members: int = 10_000
    max_chars: int = 20_000_000  # text kept from one document
    max_pdf_pages: int = 3_000
    timeout_s: float = 120.0  # per-file wall clock in batch runs (and LibreOffice conversion)
    max_memory_mb: int = 2_048  # address-space cap for a batch worker
    regex_timeout_s: float = 0.5  # one user regular expression over one document


DEFAULT_LIMITS = Limits()
