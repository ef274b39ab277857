"""Options and helpers shared by several commands (CLI only).

:class:`~mtfix.cli.engine_options.EngineOptions` and :func:`~mtfix.cli.progress.progress_bar` live in
modules of their own without typer (the ``corpus filter`` fast path, :mod:`mtfix.cli.fastcli`, runs
without it) and are named here for the commands."""

from __future__ import annotations

import functools
import inspect
import typing
from pathlib import Path
from typing import Callable, Optional

import typer

from mtfix.cli.engine_options import EngineOptions
from mtfix.cli.progress import progress_bar  # noqa: F401 - the commands take it from here
from mtfix.engine.backends import BACKENDS
from mtfix.engine.decode import DecodeOptions
from mtfix.repair.models import REPAIR_N_BEST

DEFAULTS = DecodeOptions()  # every decoding default the CLI shows comes from here

BackendOpt = typer.Option(
    "auto",
    "--backend",
    help="auto (CTranslate2 when converted or convertible, else transformers), or a registered backend: "
    + ", ".join(BACKENDS) + ".",
)
QuantizationOpt = typer.Option("int8", "--quantization", help="CTranslate2 weights: int8 (CPU default), float32, ...")
NoConvertOpt = typer.Option(
    False,
    "--no-convert",
    help="With --backend auto, never convert to CTranslate2 on first use: an existing conversion is used, "
    "else transformers.",
)
#: a thread count or beam past these is a typo, not a wish: beyond a C long, torch and CTranslate2 raised their own
#: traceback or type error (``--threads 10**20``); no machine has the cores, no model the use for the beam
MAX_THREADS, MAX_BEAM = 4096, 1024
#: worker processes past this are a typo too (``--workers 100000`` started that many interpreters, each tens of MB)
MAX_WORKERS = 1024
ThreadsOpt = typer.Option(0, "--threads", min=0, max=MAX_THREADS, help="CPU threads (0 = all cores).")
DeviceOpt = typer.Option(
    "cpu", "--device", help="cpu, cuda (the first GPU), cuda:N, or auto (a GPU when there is one); "
    "asking for CUDA without a GPU is an error."
)
ComputeTypeOpt = typer.Option(
    "default", "--compute-type",
    help="Run-time precision: default (the weights' own); CTranslate2: int8, int8_float16, float16, bfloat16, "
    "float32, ...; transformers: float32, float16, bfloat16.",
)
ModelsDirOpt: Optional[Path] = typer.Option(
    None, "--models-dir", help="Where extra presets and converted/pulled models live (default: $MTFIX_MODELS_DIR, else the "
    "checkout's models/ whatever the current folder, else $XDG_CACHE_HOME/mtfix/models, default "
    "~/.cache/mtfix/models). A folder you name is made when first needed, not the folders above it."
)
CacheOpt: Optional[Path] = typer.Option(
    None, "--cache", help="Translation cache (SQLite; default $XDG_CACHE_HOME/mtfix/translations.sqlite, "
    "~/.cache/mtfix/translations.sqlite without it); its folder must exist."
)
NoCacheOpt = typer.Option(False, "--no-cache", help="Neither read nor write the translation cache.")
BatchTokensOpt = typer.Option(
    DEFAULTS.max_batch_tokens, "--batch-tokens", min=1,
    help="Token budget per batch (source tokens x beam); lower it to use less memory.",
)
BeamOpt = typer.Option(DEFAULTS.beam_size, "--beam", min=1, max=MAX_BEAM,
                       help="Beam size of every translation (1 = greedy).")
MaxOutputRatioOpt = typer.Option(
    DEFAULTS.max_output_ratio, "--max-output-ratio", min=0.1, max=1000.0,  # finite: inf overflowed in the decoder
    help=f"Output length cap: at most RATIO x the source's tokens + {DEFAULTS.output_slack} per segment, never above "
    "the model's limit (a looping decoding stops there; real translations are far shorter).",
)

# The repair loop's models and decoding (mtfix repair, mtfix corpus build).
BackModelsOpt: Optional[list[str]] = typer.Option(
    None, "--back-model", "-b", help="ar->en model(s): preset, hub id or dir (repeatable; the first scores round trips)."
)
ForwardModelsOpt: Optional[list[str]] = typer.Option(
    None, "--forward-model", "-f", help="en->ar model(s) (repeatable)."
)
#: Stands in the --config help for the registry's list of scorers and gates, filled in by
#: :func:`fill_registry_help` only when help is shown (listing them imports every scorer).
REGISTRY_HELP = "[scorers and gates]"


def fill_registry_help(command) -> None:
    """Replace :data:`REGISTRY_HELP` in every option help below ``command`` with the registry's listing."""
    from mtfix.scoring.registry import help_text

    for param in getattr(command, "params", []):
        if REGISTRY_HELP in (getattr(param, "help", None) or ""):
            param.help = param.help.replace(REGISTRY_HELP, help_text())
    for sub in getattr(command, "commands", {}).values():
        fill_registry_help(sub)


ScoringConfigOpt: Optional[Path] = typer.Option(
    None, "--config", help="Scoring weights, scorer parameters and gates (TOML), laid over the shipped preset (repair and "
    "corpus build: 'repair' over 'default'; the other commands: 'default'). "
    + REGISTRY_HELP)
BackNBestOpt = typer.Option(REPAIR_N_BEST, "--back-n-best", min=1, help="Pivots per sentence and back model.")
ForwardNBestOpt = typer.Option(REPAIR_N_BEST, "--forward-n-best", min=1,
                               help="Candidates per pivot and forward model.")


_ENGINE_OPTIONS = {"backend": BackendOpt, "quantization": QuantizationOpt, "no_convert": NoConvertOpt,
                   "threads": ThreadsOpt, "device": DeviceOpt, "compute_type": ComputeTypeOpt,
                   "models_dir": ModelsDirOpt, "cache": CacheOpt, "no_cache": NoCacheOpt}


def engine_command(fn: Callable) -> Callable:
    """Gives a typer command the engine options (``--backend`` ... ``--no-cache``), declared
    here once; the command receives them as one ``engine: EngineOptions`` argument."""
    sig = inspect.signature(fn, eval_str=True)
    hints = typing.get_type_hints(EngineOptions)
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=opt, annotation=hints[name])
             for name, opt in _ENGINE_OPTIONS.items()]

    @functools.wraps(fn)
    def command(*args, **kwargs):
        engine = EngineOptions(**{name: kwargs.pop(name) for name in _ENGINE_OPTIONS})
        return fn(*args, engine=engine, **kwargs)

    params = [p for p in sig.parameters.values() if p.name != "engine"] + added
    command.__signature__ = sig.replace(parameters=params)
    command.__annotations__ = {p.name: p.annotation for p in params}  # evaluated: typer reads these
    del command.__wrapped__  # typer reads the new signature, not fn's
    return command
