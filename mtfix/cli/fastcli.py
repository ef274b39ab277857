"""``mtfix corpus filter`` without typer: a plain command line read from a table of the command's
options, then run as the typer command runs it (:func:`mtfix.cli.corpus_run.filter_bitext`).

Importing typer and building its application is about a fifth of a small ``corpus filter`` run's
instructions (0.17 G of a one-pair run's 1.06 G, callgrind), paid by every run and every
``--workers`` pool's parent. So :func:`mtfix.cli.main.main` hands ``corpus filter ...`` here first:
:func:`parse` reads the command line when every word of it is one typer reads in exactly one way
(an option name of :data:`FILTER_OPTIONS` as declared, its value in the next word, an input file
name), and gives the same values typer gives (``tests/test_cli_fastpath.py`` compares them, and
holds the table equal to the typer command's options). Anything else (``--help``, ``--opt=value``,
a name typer would shorten or reject, a value starting with ``-``, a number typer would read
differently or refuse, a path that ``Path()`` would change, a missing input or ``--out``) goes to
typer (None), whose help, messages and exit codes are then what the user sees: the fast path only
takes what typer would accept, and does with it what typer would do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, NamedTuple, Optional

__all__ = ["ENGINE_OPTIONS", "FILTER_OPTIONS", "Opt", "filter_command_line", "parse"]


class Opt(NamedTuple):
    """One option: its names, the command's parameter, its kind (``flag``, ``str``, ``path``,
    ``int``; ``paths``/``strs``: repeatable), default, and an int's bounds."""

    names: tuple
    param: str
    kind: str
    default: object = None
    lo: Optional[int] = None
    hi: Optional[int] = None


#: the engine options every model-loading command takes (:func:`mtfix.cli.options.engine_command`)
ENGINE_OPTIONS = (
    Opt(("--backend",), "backend", "str", "auto"),
    Opt(("--quantization",), "quantization", "str", "int8"),
    Opt(("--no-convert",), "no_convert", "flag", False),
    Opt(("--threads",), "threads", "int", 0, 0, 4096),
    Opt(("--device",), "device", "str", "cpu"),
    Opt(("--compute-type",), "compute_type", "str", "default"),
    Opt(("--models-dir",), "models_dir", "path", None),
    Opt(("--cache",), "cache", "path", None),
    Opt(("--no-cache",), "no_cache", "flag", False),
)

#: every option of ``mtfix corpus filter`` (:func:`mtfix.cli.corpus.filter_command`); ``--out`` is required
FILTER_OPTIONS = (
    Opt(("--out", "-o"), "out", "strs"),
    Opt(("--dropped",), "dropped", "str"),
    Opt(("--rejects",), "rejects", "str"),
    Opt(("--summary",), "summary", "str"),
    Opt(("--pipeline",), "pipeline", "path"),
    Opt(("--skip-bad",), "skip_bad", "flag", False),
    Opt(("--input-format",), "input_format", "str", "auto"),
    Opt(("--order",), "order", "str", "auto"),
    Opt(("--fields",), "fields", "str"),
    Opt(("--split",), "split", "str"),
    Opt(("--back-model", "-b"), "back_model", "str"),
    Opt(("--beam",), "beam_size", "int", 4, 1, 1024),
    Opt(("--chunk-size",), "chunk_size", "int", 1000, 1),
    Opt(("--work-dir",), "work_dir", "path"),
    Opt(("--restart",), "restart", "flag", False),
    Opt(("--quiet", "-q"), "quiet", "flag", False),
    Opt(("--workers",), "workers", "int", None, None, 1024),
    Opt(("--ray",), "ray", "str"),
    Opt(("--shards",), "shards", "flag", False),
) + ENGINE_OPTIONS

_BY_NAME = {name: opt for opt in FILTER_OPTIONS for name in opt.names}


def _value(opt: Opt, text: str):
    """The value typer gives ``opt`` for ``text``, or None where the fast path leaves it to typer."""
    if opt.kind in ("path", "paths"):
        return Path(text) if str(Path(text)) == text else None  # typer's messages quote the text as given
    if opt.kind == "int":
        if not (text.isascii() and text.isdigit()):
            return None  # a sign, spaces, "1e3", "1_000", non-ASCII digits: typer reads or refuses them
        number = int(text)
        if (opt.lo is not None and number < opt.lo) or (opt.hi is not None and number > opt.hi):
            return None  # typer's message says the range
        return number
    return text


def parse(args: list[str]) -> dict | None:
    """The parameters typer gives ``mtfix corpus filter ARGS``'s command (the engine options among
    them, by name), or None where typer should read ``args`` (see the module docstring)."""
    got: dict = {opt.param: ([] if opt.kind in ("paths", "strs") else opt.default) for opt in FILTER_OPTIONS}
    inputs: list = []
    words = iter(args)
    for word in words:
        if not word.startswith("-"):
            if (path := _value(Opt((), "inputs", "path"), word)) is None:
                return None
            inputs.append(path)
            continue
        opt = _BY_NAME.get(word)
        if opt is None:  # --help, -h, --, -, --name=value, -qo, a misspelt or shortened name
            return None
        if opt.kind == "flag":
            got[opt.param] = True
            continue
        text = next(words, None)
        if text is None or text.startswith("-"):
            return None
        value = _value(opt, text)
        if value is None:
            return None
        if opt.kind in ("paths", "strs"):
            got[opt.param].append(value)
        else:
            got[opt.param] = value  # given twice: the last, as click keeps it
    if not inputs or not got["out"]:
        return None  # typer says what is missing
    got["inputs"] = inputs
    return got


def filter_command_line(args: list[str]) -> Callable[[], int] | None:
    """``mtfix corpus filter ARGS`` as a call returning its exit code, or None where typer should
    run it. The call ends as the typer command ends: a failure it does not handle is one line
    ``error: ...`` (:func:`mtfix.cli.failures.failure_exit`), anything else propagates."""
    params = parse(args)
    if params is None:
        return None

    def run() -> int:
        from mtfix.cli.corpus_run import filter_bitext
        from mtfix.cli.engine_options import EngineOptions
        from mtfix.cli.failures import failure_exit

        engine = EngineOptions(**{opt.param: params.pop(opt.param) for opt in ENGINE_OPTIONS})
        try:
            filter_bitext(params.pop("inputs"), params.pop("out"), **params, engine=engine)
        except Exception as e:
            code = failure_exit(e)
            if code is None:
                raise
            return code
        return 0

    return run
