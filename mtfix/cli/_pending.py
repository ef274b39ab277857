"""Commands whose issue is still open: they say so and exit 2; none pretends to work."""

from __future__ import annotations

import typer

from mtfix.errors import MtfixError


def pending_command(app: typer.Typer, name: str, issue: int, summary: str) -> None:
    @app.command(
        name,
        help=f"{summary} (not yet: issue #{issue}).",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )
    def _pending(ctx: typer.Context):
        raise MtfixError(f"`mtfix {name}` is not implemented yet (issue #{issue})")
