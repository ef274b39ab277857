"""Options and helpers shared by several commands (CLI only)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable, Iterator, Optional

import typer

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
ModelsDirOpt: Optional[Path] = typer.Option(
    None, "--models-dir", help="Where extra presets and converted/pulled models live (default: $MTFIX_MODELS_DIR, else the "
    "checkout's models/ whatever the current folder, else ~/.cache/mtfix/models)."
)
CacheOpt: Optional[Path] = typer.Option(
    None, "--cache", help="Translation cache (SQLite; default ~/.cache/mtfix/translations.sqlite)."
)
NoCacheOpt = typer.Option(False, "--no-cache", help="Neither read nor write the translation cache.")
BatchTokensOpt = typer.Option(
    4096, "--batch-tokens", min=1, help="Token budget per batch (source tokens x beam); lower it to use less memory."
)

# The repair loop's models and decoding (mtfix repair, mtfix corpus build).
BackModelsOpt: Optional[list[str]] = typer.Option(
    None, "--back-model", "-b", help="ar->en model(s): preset, hub id or dir (repeatable; the first scores round trips)."
)
ForwardModelsOpt: Optional[list[str]] = typer.Option(
    None, "--forward-model", "-f", help="en->ar model(s) (repeatable)."
)
def _scoring_help() -> str:
    from mtfix.scoring.registry import help_text

    return "Scoring weights, scorer parameters and gates (TOML), laid over the default preset. " + help_text()


ScoringConfigOpt: Optional[Path] = typer.Option(None, "--config", help=_scoring_help())
BeamOpt = typer.Option(4, "--beam", min=1, help="Beam size of every translation.")
BackNBestOpt = typer.Option(2, "--back-n-best", min=1, help="Pivots per sentence and back model.")
ForwardNBestOpt = typer.Option(2, "--forward-n-best", min=1, help="Candidates per pivot and forward model.")


def cache_file(path: Path | None, disabled: bool) -> Path | None:
    """The translation cache a command will use (None with --no-cache): outputs must not be it."""
    from mtfix.engine.cache import default_cache_path

    return None if disabled else Path(path or default_cache_path())


def open_cache(path: Path | None, disabled: bool):
    from mtfix.engine.cache import TranslationCache, default_cache_path

    return None if disabled else TranslationCache(path or default_cache_path())


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


def named_translators(translators: list) -> list[tuple[str, object]]:
    """(short name, translator): the model's name (preset, hub id or folder name), made
    unique; used for candidate origins and signatures."""
    named, seen = [], {}
    for tr in translators:
        plan = getattr(tr, "plan", None)
        name = plan.ref.name if plan is not None else str(tr)
        seen[name] = seen.get(name, 0) + 1
        named.append((name if seen[name] == 1 else f"{name}~{seen[name]}", tr))
    return named


def open_repair_models(
    back_models: list[str] | None,
    forward_models: list[str] | None,
    *,
    beam_size: int,
    back_n_best: int,
    forward_n_best: int,
    batch_tokens: int,
    backend: str,
    quantization: str,
    no_convert: bool,
    threads: int,
    models_dir: Path | None,
    cache: Path | None,
    no_cache: bool,
):
    """``(back, forward, decoding)`` for the repair loop: named cached translators (the
    presets' defaults when none are given; nothing loaded yet) and every decoding option."""
    from mtfix.engine import open_translator
    from mtfix.engine.registry import default_model
    from mtfix.errors import MtfixError
    from mtfix.repair import Decoding

    if max(back_n_best, forward_n_best) > beam_size:
        raise MtfixError(f"--back-n-best/--forward-n-best cannot exceed --beam {beam_size}")
    options = dict(backend=backend, quantization=quantization, threads=threads, convert=not no_convert,
                   models_dir=models_dir, cache=open_cache(cache, no_cache))
    back = named_translators(
        [open_translator(m, **options) for m in (back_models or [default_model("ar-en", models_dir)])]
    )
    forward = named_translators(
        [open_translator(m, **options) for m in (forward_models or [default_model("en-ar", models_dir)])]
    )
    for _, tr in back:
        tr.pair("ar", "en")  # a model for the wrong direction fails here, before any work
    for _, tr in forward:
        tr.pair("en", "ar")
    decoding = Decoding(beam_size=beam_size, back_n_best=back_n_best, forward_n_best=forward_n_best,
                        max_batch_tokens=batch_tokens)
    return back, forward, decoding
