"""`mtfix corpus`: Build a cleaned parallel corpus."""

from __future__ import annotations

import typer

from mtfix.cli._pending import pending_command


def register(app: typer.Typer) -> None:
    pending_command(app, "corpus", 6, "Build a cleaned parallel corpus")
