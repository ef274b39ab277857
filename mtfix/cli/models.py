"""`mtfix models`: List, pull and convert models."""

from __future__ import annotations

import typer

from mtfix.cli._pending import pending_command


def register(app: typer.Typer) -> None:
    pending_command(app, "models", 2, "List, pull and convert models")
