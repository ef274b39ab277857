"""The rich consoles of the CLI: a broken pipe is passed on, not ended here.

Rich ends the process itself (exit 1, ``Console.on_broken_pipe``) when the reader of its
output goes away (``mtfix evaluate | head -1``); every other write of mtfix leaves that to
``mtfix.cli.app.reader_gone`` (exit 141, quietly), so these consoles raise the broken pipe
again for it. Rich is imported when a console is made, not before."""

from __future__ import annotations

import errno


def console(**options):
    """``rich.console.Console(**options)`` whose broken pipe reaches the CLI's one handler."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True  # nothing more from this console
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    return _Console(**options)
