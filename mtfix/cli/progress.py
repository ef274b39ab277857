"""The CLI's progress bar (rich, on stderr, only where stderr may be a terminal); no typer."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Callable, Iterator

__all__ = ["progress_bar"]


def _may_be_terminal(stream) -> bool:
    """False when rich's ``Console.is_terminal`` would surely be False: not a TTY, and none of
    the variables rich lets force a terminal (``FORCE_COLOR``, ``TTY_INTERACTIVE``, ``TTY_COMPATIBLE``)."""
    if any(os.environ.get(v) for v in ("FORCE_COLOR", "TTY_INTERACTIVE", "TTY_COMPATIBLE")):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A rich progress bar on stderr; yields ``advance(k, total=None, description=None)``
    (a new description starts the count again, for multi-phase work). Nothing is shown
    (and rich is not imported) when stderr is not a terminal."""
    if not _may_be_terminal(sys.stderr):
        yield lambda k, new_total=None, description=None: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mtfix.cli.console import console as rich_console

    console = rich_console(stderr=True)
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
