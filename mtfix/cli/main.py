"""The ``mtfix`` command line's entry (no typer until a command line needs it).

:func:`main` sets up what every command shares (stdout in UTF-8, SIGTERM stopping like Ctrl-C,
exit codes 130/143/141 without a traceback, the collector paused during start-up:
:mod:`mtfix.startup`), then runs a plain ``mtfix corpus filter`` command line on its fast path
(:mod:`mtfix.cli.fastcli`: typer is a fifth of a small run's start-up) and everything else
(help, other commands, anything the fast path does not read exactly as typer would) on the typer
application, :mod:`mtfix.cli.app`, registering only the command it runs.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys

from mtfix.cli.failures import reader_gone, stdout_to_devnull
from mtfix.startup import pause, resume

__all__ = ["COMMANDS", "Terminated", "main"]

#: every command, in help order: each is the module ``mtfix.cli.<name>``, which exposes ``register(app)``
COMMANDS = ("translate", "check", "fix", "repair", "select", "evaluate", "corpus", "models")


class _ClosedStdout(io.TextIOBase):
    """stdout when the shell closed it (``mtfix check FILE >&-``; Python sets ``sys.stdout`` to None):
    a command that writes there fails with one line, as ``cat`` does; one that writes files only runs."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "stdout is closed")


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, ``timeout``, a cancelled job), raised where Ctrl-C's KeyboardInterrupt is: the
    run stops as it does on Ctrl-C (its temporary files and the folders it made go, what a resumable run
    committed stays), with exit code 143 (128 + SIGTERM) instead of 130."""


def _stop_on_sigterm() -> None:
    """SIGTERM raises :class:`Terminated` in the main thread (it ended the process at once: a ``.part``
    file and a folder made for the outputs stayed). Only where SIGTERM has its default action (a parent
    that ignores it keeps that), and never in a forked child: a worker pool's terminate() sends its
    workers SIGTERM to end them."""
    import signal

    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def terminated(signum, frame):
        _TERMINATED.append(signum)
        raise Terminated()

    signal.signal(signal.SIGTERM, terminated)
    os.register_at_fork(after_in_child=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))


#: the signal that stopped this run, once SIGTERM has: its exit code becomes 143
_TERMINATED: list = []


def main(argv: list[str] | None = None) -> None:
    argv = list(argv if argv is not None else sys.argv[1:])
    _stop_on_sigterm()
    try:
        _main(argv)
    except SystemExit as e:  # stopped by SIGTERM: 143, where Ctrl-C's handling (typer's, corpus's) says 130
        if _TERMINATED and e.code == 130:
            raise SystemExit(143) from None
        raise


def _main(argv: list[str]) -> None:
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()
    elif ((getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "") != "utf8"
          or getattr(sys.stdout, "errors", None) != "surrogateescape"):
        # mtfix reads UTF-8 and writes UTF-8, on stdout as in files (PYTHONIOENCODING=ascii or a latin-1
        # locale made the first Arabic letter a UnicodeEncodeError traceback, half the output written);
        # a file name that is not UTF-8 (given as bytes) is written back as those bytes, never a traceback
        with contextlib.suppress(AttributeError, ValueError, OSError):
            sys.stdout.reconfigure(encoding="utf-8", errors="surrogateescape")
    # `mtfix check FILE`: only that command; anything else (--help, --version, a typo) sees them all
    only = [argv[0]] if argv and argv[0] in COMMANDS else None
    try:
        try:
            pause()  # (already, under python -m mtfix) the collector off until the command's start-up is done
            fast = None
            if argv[:2] == ["corpus", "filter"]:
                from mtfix.cli.fastcli import filter_command_line

                fast = filter_command_line(argv[2:])
            if fast is not None:  # (it resumes the collector when the run has built its filters)
                code = fast()
                if code:
                    raise SystemExit(code)
                return
            from mtfix.cli.app import build_app

            app = build_app(only)
            if only != ["corpus"]:  # a corpus run turns it on when it has built its filters (settle)
                resume()
            app(args=argv, prog_name="mtfix")
        finally:  # what is still buffered: a reader gone shows here, not as "Exception ignored" at exit
            resume()  # a command that ended before its start-up was done (an error), called in-process
            sys.stdout.flush()
    except KeyboardInterrupt:  # while the command's module is imported, or around typer's own handling
        raise SystemExit(130) from None
    except BrokenPipeError:
        raise SystemExit(reader_gone()) from None
    except OSError as e:  # the last of stdout, written as the command ended (`> /dev/full`)
        from mtfix.outputs import os_error

        stdout_to_devnull()
        sys.stderr.write(f"error: {os_error(e, 'cannot write to stdout')}\n")
        raise SystemExit(2) from None
