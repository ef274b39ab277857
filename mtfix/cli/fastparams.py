"""Start-up: plain parameter values skip typer's pydantic adapters.

Typer (0.2x) coerces every parameter value through a pydantic ``TypeAdapter``,
so the first command that receives, say, a ``str`` imports pydantic (~0.2 s of
a ~0.5 s start-up on this machine). A value that already is exactly what its
annotation asks for (a ``str`` for ``str``, a ``bool`` for a flag, a sequence of
``str`` for ``list[str]``) needs no conversion and no validation: it is returned
as typer's adapter would return it; a missing value (``None``) never needed the
adapter either. An ``int`` (with or without ``min``/``max``) given as plain ASCII
digits, or as an int, and in range is the int pydantic's lax validation gives; so is a ``float``
with ``min``/``max`` given as a number or plain decimal text ("2.5").
A ``Path`` (or ``list[Path]``) value given as text becomes ``Path(text)`` (what
pydantic's ``Path`` validation does; only where that keeps the text as it is, as
typer's messages quote it) and then goes through typer's own path checks
(``exists``, ``dir_okay``, ...), as its adapter would send it. Everything else
(out-of-range numbers and their messages, signs, floats from text, choices,
files) still goes to typer's own coercion, built on the first value that needs
it. On a typer without these internals (older or newer versions) nothing is
changed.

Why typer's private ``_coercion`` / ``_param_types``: typer has no public way to let a
command skip the adapter it builds per value, and skipping it is a third of a light
command's start-up (``mtfix check SEED --json``: x1.46 the CPU without it, median of 7
interleaved runs, loaded; ``mtfix --help`` coerces nothing: x1.01). A typer that renames or
drops any of them makes :func:`install` return False, and every command takes typer's own
path with the same results (``tests/test_startup.py`` simulates both).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args, get_origin

_PLAIN = (str, int, float, bool)


_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


class _Ranged:
    """An ``int`` (or a ``float``) with ``min``/``max``: a value in range, as an int (a float, or an
    int for a float) or as plain ASCII digits ("4"; "2.5" for a float), is the number pydantic's lax
    validation gives; anything else (a sign, "1.0" for an int, "1e3", out of range: the error
    message) goes to typer's adapter."""

    def __init__(self, lo, hi, kind: type = int):
        self.lo, self.hi, self.kind = lo, hi, kind

    def value(self, v):
        if type(v) is str and v.isascii():
            if self.kind is int and v.isdigit():
                v = int(v)
            elif self.kind is float and _DECIMAL.fullmatch(v):
                v = float(v)
        if self.kind is float and type(v) is int:
            v = float(v)
        if type(v) is self.kind and (self.lo is None or v >= self.lo) and (self.hi is None or v <= self.hi):
            return v
        return None


def _plain_kind(descriptor) -> tuple[type, bool] | None:
    """``(item type, is a list)`` when values of this parameter may pass unchanged, else None."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or getattr(info, "parser", None) is not None:
        return None
    if getattr(info, "click_type", None) is not None:
        return None
    annotation = descriptor.annotation
    lo, hi = getattr(info, "min", None), getattr(info, "max", None)
    if annotation is int or (annotation is float and (lo is not None or hi is not None)):
        return _Ranged(lo, hi, annotation), False
    if lo is not None or hi is not None:
        return None
    if annotation in _PLAIN:
        return annotation, False
    if annotation is Path and getattr(info, "path_type", None) in (None, Path):
        return Path, False
    if get_origin(annotation) is list:
        args = get_args(annotation)
        if len(args) == 1 and args[0] is str:
            return str, True
        if len(args) == 1 and args[0] is Path and getattr(info, "path_type", None) in (None, Path):
            return Path, True
    return None


def install() -> bool:
    """Teach typer's parameters the plain fast path; True if installed."""
    try:
        from typer import _coercion, core
        from typer._param_types import coerce_cli_path
    except ImportError:  # typer without the adapter layer: nothing to avoid
        return False
    param_cls = getattr(core, "_TyperParameter", None)
    base = getattr(_coercion, "RuntimeParam", None)
    build = getattr(_coercion, "build_runtime_param", None)
    if param_cls is None or base is None or build is None or getattr(param_cls, "_mtfix_plain", False):
        return False
    original = param_cls.get_runtime_param

    class PlainRuntimeParam(base):  # type: ignore[misc, valid-type]
        """Values already of the annotated type pass; anything else goes to typer's coercion (built when needed)."""

        def __init__(self, descriptor, kind):
            object.__setattr__(self, "parameter_info", descriptor.parameter_info)
            object.__setattr__(self, "annotation", descriptor.annotation)
            object.__setattr__(self, "_descriptor", descriptor)
            object.__setattr__(self, "_kind", kind)
            object.__setattr__(self, "_full", None)

        def _coerce_value(self, value: Any, param, ctx) -> Any:
            if self._kind is not None and self._kind[0] is Path:
                many = self._kind[1]
                items = value if many and isinstance(value, (list, tuple)) else None if many else [value]
                # text that Path() leaves as it is ("a/b", not "a//b" or ""): typer's messages quote the text
                if items is not None and all(isinstance(v, Path) or (isinstance(v, str) and str(Path(v)) == v)
                                             for v in items):
                    paths = [coerce_cli_path(Path(v), self.parameter_info, path_type=Path, param=param, ctx=ctx)
                             for v in items]
                    return paths if many else paths[0]
            elif self._kind is not None and isinstance(self._kind[0], _Ranged):
                if (v := self._kind[0].value(value)) is not None:
                    return v
            elif self._kind is not None:
                kind, many = self._kind
                if many and isinstance(value, (list, tuple)) and all(type(v) is kind for v in value):
                    return list(value)
                if not many and type(value) is kind:
                    return value
            if self._full is None:
                object.__setattr__(self, "_full", build(self._descriptor))
            return self._full._coerce_value(value, param=param, ctx=ctx)

    def get_runtime_param(self):
        if self._runtime_param is None:
            self._runtime_param = PlainRuntimeParam(self.type_descriptor, _plain_kind(self.type_descriptor))
        return original(self)

    param_cls.get_runtime_param = get_runtime_param
    param_cls._mtfix_plain = True
    return True
