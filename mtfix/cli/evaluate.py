"""`mtfix evaluate`: Score MT systems with sacrebleu, with significance."""

from __future__ import annotations

import typer

from mtfix.cli._pending import pending_command


def register(app: typer.Typer) -> None:
    pending_command(app, "evaluate", 5, "Score MT systems with sacrebleu, with significance")
