"""`mtfix repair`: Repair a garbled Arabic translation."""

from __future__ import annotations

import typer

from mtfix.cli._pending import pending_command


def register(app: typer.Typer) -> None:
    pending_command(app, "repair", 4, "Repair a garbled Arabic translation")
