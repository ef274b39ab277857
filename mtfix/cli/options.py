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
    None, "--models-dir", help="Where presets and converted models live (default: ./models or $MTFIX_MODELS_DIR)."
)
CacheOpt: Optional[Path] = typer.Option(
    None, "--cache", help="Translation cache (SQLite; default ~/.cache/mtfix/translations.sqlite)."
)
NoCacheOpt = typer.Option(False, "--no-cache", help="Neither read nor write the translation cache.")


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
