"""`mtfix select`: Choose per segment among candidate translations."""

from __future__ import annotations

import typer

from mtfix.cli._pending import pending_command


def register(app: typer.Typer) -> None:
    pending_command(app, "select", 4, "Choose per segment among candidate translations")
