"""Options and helpers shared by several commands (CLI only)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable, Iterator, Optional

import typer

from mtfix.engine.decode import DecodeOptions
from mtfix.repair.models import REPAIR_N_BEST

DEFAULTS = DecodeOptions()  # every decoding default the CLI shows comes from here

BackendOpt = typer.Option(
    "auto",
    "--backend",
    help="auto (CTranslate2 when converted or convertible, else transformers), transformers or ctranslate2.",
)
QuantizationOpt = typer.Option("int8", "--quantization", help="CTranslate2 weights: int8 (CPU default), float32, ...")
NoConvertOpt = typer.Option(
    False,
    "--no-convert",
    help="With --backend auto, never convert to CTranslate2 on first use: an existing conversion is used, "
    "else transformers.",
)
ThreadsOpt = typer.Option(0, "--threads", min=0, help="CPU threads (0 = all cores).")
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
    None, "--models-dir", help="Where presets and converted models live (default: ./models or $MTFIX_MODELS_DIR)."
)
CacheOpt: Optional[Path] = typer.Option(
    None, "--cache", help="Translation cache (SQLite; default ~/.cache/mtfix/translations.sqlite)."
)
NoCacheOpt = typer.Option(False, "--no-cache", help="Neither read nor write the translation cache.")
BatchTokensOpt = typer.Option(
    DEFAULTS.max_batch_tokens, "--batch-tokens", min=1,
    help="Token budget per batch (source tokens x beam); lower it to use less memory.",
)
BeamOpt = typer.Option(DEFAULTS.beam_size, "--beam", min=1, help="Beam size of every translation (1 = greedy).")

# The repair loop's models and decoding (mtfix repair, mtfix corpus build).
BackModelsOpt: Optional[list[str]] = typer.Option(
    None, "--back-model", "-b", help="ar->en model(s): preset, hub id or dir (repeatable; the first scores round trips)."
)
ForwardModelsOpt: Optional[list[str]] = typer.Option(
    None, "--forward-model", "-f", help="en->ar model(s) (repeatable)."
)
ScoringConfigOpt: Optional[Path] = typer.Option(None, "--config", help="Scoring weights/thresholds (TOML).")
BackNBestOpt = typer.Option(REPAIR_N_BEST, "--back-n-best", min=1, help="Pivots per sentence and back model.")
ForwardNBestOpt = typer.Option(REPAIR_N_BEST, "--forward-n-best", min=1,
                               help="Candidates per pivot and forward model.")


def engine_options(*, backend: str = "auto", device: str = "cpu", compute_type: str = "default",
                   quantization: str = "int8", no_convert: bool = False, threads: int = 0,
                   models_dir: Path | None = None) -> dict:
    """The engine options every model-loading command takes, as
    :func:`mtfix.engine.open_translator` keywords."""
    return dict(backend=backend, device=device, compute_type=compute_type, quantization=quantization,
                convert=not no_convert, threads=threads, models_dir=models_dir)


@contextlib.contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A rich progress bar on stderr; yields ``advance(k, total=None, description=None)``
    (a new description starts the count again, for multi-phase work)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=total)

        def advance(k: int, new_total: int | None = None, description: str | None = None) -> None:
            if description is not None and description != progress.tasks[0].description:
                progress.reset(task, total=new_total, description=description)
            elif new_total is not None:
                progress.update(task, total=new_total)
            progress.advance(task, k)

        yield advance
