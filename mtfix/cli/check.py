"""`mtfix check`: Lint translated text: garbled numbers, Latin left in Arabic, repetitions."""

from __future__ import annotations

import typer

from mtfix.cli._pending import pending_command


def register(app: typer.Typer) -> None:
    pending_command(app, "check", 3, "Lint translated text: garbled numbers, Latin left in Arabic, repetitions")
