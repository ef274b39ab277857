"""`mtfix translate`: Translate a file, one segment per line."""

from __future__ import annotations

import typer

from mtfix.cli._pending import pending_command


def register(app: typer.Typer) -> None:
    pending_command(app, "translate", 2, "Translate a file, one segment per line")
