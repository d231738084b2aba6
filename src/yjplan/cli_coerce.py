"""Command-line values → Python values without importing pydantic.

typer 0.29 converts every parameter that is not an on/off flag through a pydantic ``TypeAdapter``,
built on first use, even for an option left at its default or an unused --help flag. Importing
pydantic and building those adapters cost about 100 ms of CPU per run (more than typer itself), so
every command, even ``yjplan audit <missing file>``, paid it. No parameter declaration avoids it (only bool flags and
file-object parameters skip the adapter), and typer 0.28, which has no pydantic, words help and
errors differently (``files... <list[Path]>``, ``'abc' is not a valid int.``).

Our parameters are str, int, float, Path and lists of those. For the spellings below, typer's
adapters give exactly ``str(v)``, ``int(v)``, ``float(v)`` and its own path check on ``Path(v)``;
those take the short path here. Anything else (``007``, ``1e3``, ``0x10``, a bad value, an
unreadable file) goes to typer's own converter, so results and error messages stay typer's.
tests/test_startup.py holds both claims against typer's converter.

The hook uses typer internals (``typer._coercion``), so a typer that lacks them keeps its own
conversion unchanged, only slower; test_startup.py then fails on the pydantic import.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, get_args, get_origin

from typer.core import TyperCommand, TyperGroup

try:
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer._param_types import coerce_cli_path
except ImportError:  # pragma: no cover - another typer: keep its conversion
    RuntimeParam = None  # type: ignore[assignment,misc]

# Plain decimal spellings only (no sign "+", no leading zeros, "_", spaces, exponents or
# non-ASCII digits): for these pydantic's lax int/float parsing and Python's agree exactly.
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?")
_SCALARS = (str, int, float, Path, bool)
_NOT_HANDLED = object()


def _scalar(annotation: Any, value: Any, descriptor: Any, param: Any, ctx: Any) -> Any:
    if annotation is bool:  # a flag that is not given is None (handled before this), "true" from a string is typer's
        return value if type(value) is bool else _NOT_HANDLED
    if annotation is str:
        return value if type(value) is str else _NOT_HANDLED
    if annotation is int:
        return int(value) if type(value) is str and _INT.fullmatch(value) else _NOT_HANDLED
    if annotation is float:
        return float(value) if type(value) is str and _FLOAT.fullmatch(value) else _NOT_HANDLED
    if annotation is Path and (type(value) is str or isinstance(value, Path)):
        # typer turns the string into a Path with pydantic (which is Path(value)), then checks it
        path = value if isinstance(value, Path) else Path(value)
        return coerce_cli_path(path, descriptor.parameter_info, path_type=Path, param=param, ctx=ctx)
    return _NOT_HANDLED


def _convert(descriptor: Any, value: Any, param: Any, ctx: Any) -> Any:
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        (item_type,) = get_args(annotation)
        items = value if isinstance(value, (list, tuple)) else [value]
        out = [_scalar(item_type, item, descriptor, param, ctx) for item in items]
        return _NOT_HANDLED if any(v is _NOT_HANDLED for v in out) else out
    return _scalar(annotation, value, descriptor, param, ctx)


def supported(descriptor: Any) -> bool:
    """Parameters whose conversion this module can take over: no parser, range, choice or file."""
    info = descriptor.parameter_info
    if info.parser is not None or info.min is not None or info.max is not None or info.clamp:
        return False
    if descriptor.file_annotation is not None or info.path_type is not None:
        return False
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        args = get_args(annotation)
        return len(args) == 1 and args[0] in _SCALARS
    return annotation in _SCALARS


if RuntimeParam is not None:

    @dataclasses.dataclass(frozen=True)
    class LeanParam(RuntimeParam):
        """typer's RuntimeParam contract (its ``coerce`` handles None and multi-value checks)."""

        descriptor: TypeDescriptor

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                result = _convert(self.descriptor, value, param, ctx)
            except Exception:  # e.g. the path check failed: typer's converter words the error
                result = _NOT_HANDLED
            if result is _NOT_HANDLED:
                return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)
            return result


def install(param: Any) -> Any:
    """Give ``param`` the pydantic-free converter if it is one this module can take over."""
    descriptor = getattr(param, "type_descriptor", None)
    # typer builds its converter lazily on first use; until then _runtime_param is None
    if RuntimeParam is None or descriptor is None or getattr(param, "_runtime_param", False) is not None:
        return param
    if supported(descriptor):
        param._runtime_param = LeanParam(
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, descriptor=descriptor
        )
    return param


class LeanCommand(TyperCommand):
    """A TyperCommand whose parameters, --help included, convert without pydantic (module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            install(param)

    def get_help_option(self, ctx: Any) -> Any:
        # created on first use; an unused --help flag is None, which typer would still convert
        option = super().get_help_option(ctx)
        return install(option) if option is not None else None


class LeanGroup(TyperGroup):
    """The same for a group's own options (--debug, --version, --help)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for param in self.params:
            install(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        return install(option) if option is not None else None
