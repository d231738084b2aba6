"""The one place where yjplan's errors, their stable codes and exit codes are defined.

Library code raises these; only ``cli.py`` turns them into a printed line and an exit code,
and ``batch.py`` turns them into error rows. Codes are never reused: add a new leaf instead.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import ClassVar


class ExitCode(IntEnum):
    OK = 0
    GATE_FAILED = 1  # findings at/above --fail-on, or a score below --fail-under
    ERROR = 2  # usage, input, pack/config or internal error


class YjplanError(Exception):
    code: ClassVar[str] = "E000"
    exit_code: ClassVar[ExitCode] = ExitCode.ERROR

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def one_line(self) -> str:
        suffix = f"：{self.path}" if self.path else ""
        return f"错误 {self.code} {self.message}{suffix}"

    def __reduce__(self):  # keep code/path when crossing process boundaries in batch runs
        return (_rebuild_error, (type(self), self.message, str(self.path) if self.path else None))


def _rebuild_error(cls: type[YjplanError], message: str, path: str | None) -> YjplanError:
    return cls(message, path=path)


# --- usage -------------------------------------------------------------------------------
class UsageError(YjplanError):
    code = "E010"


class OutputPathError(UsageError):
    code = "E011"


# --- configuration and rule packs ----------------------------------------------------------
class ConfigError(YjplanError):
    code = "E100"


class WaiverError(ConfigError):
    code = "E101"


class BaselineError(ConfigError):
    code = "E102"


class RulePackError(ConfigError):
    code = "E110"


class RuleNotFound(ConfigError):
    code = "E111"


class PlanTypeUnknown(ConfigError):
    code = "E112"


# --- input documents -------------------------------------------------------------------------
class InputError(YjplanError):
    code = "E200"


class UnsupportedFormat(InputError):
    code = "E201"


class FileTooLarge(InputError):
    code = "E202"


class ArchiveTooLarge(InputError):
    code = "E203"


class EmptyFile(InputError):
    code = "E204"


class FileMissing(InputError):
    code = "E205"


class FileUnreadable(InputError):
    code = "E206"


class EncryptedDocument(InputError):
    code = "E207"


class UnsafeXml(InputError):
    code = "E208"


class ParseFailed(InputError):
    code = "E210"


class ParseTimeout(InputError):
    code = "E211"


class ScannedPdf(InputError):
    code = "E212"


class NoContent(InputError):
    code = "E213"


class MemoryLimit(InputError):
    code = "E214"


class LibreOfficeMissing(InputError):
    code = "E220"


class ConversionFailed(InputError):
    code = "E221"


# --- internal ----------------------------------------------------------------------------------
class InternalError(YjplanError):
    code = "E999"


INTERNAL_MESSAGE = "内部错误，请加 --debug 重试并报告"
