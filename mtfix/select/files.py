""":func:`select_files`: read line-aligned candidate files, check them, and select (``mtfix select``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Sequence

from mtfix.errors import MtfixError
from mtfix.scoring.base import Scorer
from mtfix.scoring.config import ScoringConfig
from mtfix.select.lines import select_lines
from mtfix.select.result import SelectionResult

_LANG_NAMES = {"ar": "Arabic", "en": "English"}


def parse_candidate_spec(spec: str) -> tuple[str, str]:
    """``NAME=PATH`` or ``PATH`` (named after the file's stem) -> ``(name, path)``."""
    if "=" in spec and not Path(spec).exists():
        name, path = spec.split("=", 1)
        if not name.strip() or not path.strip():
            raise MtfixError(f"--candidates {spec!r}: expected PATH or NAME=PATH")
        return name.strip(), path
    return Path(spec).stem, spec


def detect_language(lines: Sequence[str]) -> str | None:
    """``"ar"`` or ``"en"`` by the majority script of ``lines``; None when it cannot tell."""
    from mtfix.text.script import detect_script_language

    return detect_script_language("\n".join(lines))


def resolve_incumbent(spec: str, names: Sequence[str], paths: Sequence[str]) -> str:
    """The candidate name ``--incumbent SPEC`` means: a name, or a candidate's file (as given or the same file)."""
    if spec in names:
        return spec
    for name, path in zip(names, paths):
        if spec == path:
            return name
    try:
        target = Path(spec).resolve()
        for name, path in zip(names, paths):
            if Path(path).resolve() == target:
                return name
    except (OSError, RuntimeError):
        pass
    raise MtfixError(f"--incumbent {spec!r} is neither the name nor the file of a candidate "
                     f"(names: {', '.join(names)})")


def select_files(
    candidates: Sequence[str | tuple[str, str | os.PathLike]],
    source: str | os.PathLike | None = None,
    *,
    incumbent: str | None = None,
    config: ScoringConfig | None = None,
    config_path: str | os.PathLike | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    back_translate: Callable[[list[str]], list[str]] | None = None,
    back_model_name: str = "custom",
    scorers: Sequence[Scorer] | None = None,
) -> SelectionResult:
    """Choose, per line, among line-aligned candidate files; see :func:`mtfix.select.select_lines`.

    ``candidates``: paths, ``NAME=PATH`` strings or ``(name, path)`` pairs (at
    least two). ``source``: the line-aligned source file (other language), for
    the numbers/length checks and round trip. ``incumbent``: a candidate's name
    or file, kept unless another is clearly better (default: the most trusted).
    Languages are detected from the script when not given. ``back_translate``
    (target -> source language) enables round-trip scoring. Raises
    :class:`MtfixError` for any bad input.
    """
    from mtfix.text.lang import script_lang
    from mtfix.text.read import read_lines, read_text_lines

    specs = [parse_candidate_spec(c) if isinstance(c, str) else (str(c[0]), str(c[1])) for c in candidates]
    if len(specs) < 2:
        raise MtfixError("nothing to select: give at least two --candidates files")
    names = [n for n, _ in specs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise MtfixError(f"two candidate files are both named {dup[0]!r}; name them with NAME=PATH")
    paths = [str(p) for _, p in specs]
    inc_name = resolve_incumbent(incumbent, names, paths) if incumbent is not None else None
    layouts = [read_text_lines(p) for p in paths]
    texts = [t.lines for t in layouts]
    counts = [len(t) for t in texts]
    if len(set(counts)) > 1:
        listing = ", ".join(f"{p} has {n}" for p, n in zip(paths, counts))
        raise MtfixError(f"candidate files differ in line count ({listing}); they must be line-aligned")
    src_lines = None
    if source is not None:
        src_lines = read_lines(source)
        if len(src_lines) != counts[0]:
            raise MtfixError(f"source {source} has {len(src_lines)} lines but the candidates have {counts[0]}; "
                             f"they must be line-aligned")

    tgt = script_lang(tgt_lang) if tgt_lang else None
    for p, lines in zip(paths, texts):
        got = detect_language(lines)
        if tgt is None:
            tgt = got
        elif got is not None and got != tgt:
            raise MtfixError(f"{p} looks like {_name(got)} but the target language is {_name(tgt)}; "
                             f"check the file or --tgt-lang")
    src = script_lang(src_lang) if src_lang else None
    if src_lines is not None:
        got = detect_language(src_lines)
        if src is None:
            src = got
        elif got is not None and got != src:
            raise MtfixError(f"source {source} looks like {_name(got)} but --src-lang is {_name(src)}")
        if src is not None and src == tgt:
            raise MtfixError(f"source {source} is in the same language ({_name(src)}) as the candidates; "
                             f"--source takes the text that was translated")
    if back_translate is not None and src_lines is None:
        raise MtfixError("round-trip scoring (--back-model) needs --source: the text to compare back-translations with")

    result = select_lines(list(zip(names, texts)), src_lines, incumbent=inc_name, config=config,
                          config_path=config_path, src_lang=src, tgt_lang=tgt, back_translate=back_translate,
                          back_model_name=back_model_name, scorers=scorers, paths=paths,
                          source_path=str(source) if source is not None else None)
    result.layout = layouts[0]  # the chosen lines are written as the first candidate is (CRLF, BOM)
    return result


def _name(code: str) -> str:
    return _LANG_NAMES.get(code, code)
