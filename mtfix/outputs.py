"""Writing results safely: all or nothing, never over an input.

Every command that writes a file goes through :func:`atomic_write_text` (or
:func:`atomic_path` for writers that need a path), so an interrupted or failed
run never leaves a half-written output, and an output path that is one of the
inputs is refused before any work is done.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from mtfix.errors import MtfixError


def check_output_path(out: str | os.PathLike | None, inputs: Iterable[str | os.PathLike] = ()) -> None:
    """Refuse an output that would overwrite an input or land in a missing folder."""
    if out is None:
        return
    out_p = Path(out)
    for inp in inputs:
        if inp is None:
            continue
        inp_p = Path(inp)
        try:
            same = out_p.exists() and inp_p.exists() and out_p.samefile(inp_p)
        except OSError:
            same = False
        if same or out_p.resolve() == inp_p.resolve():
            raise MtfixError(f"output {out} is also an input; choose another --out path")
    parent = out_p.resolve().parent
    if not parent.is_dir():
        raise MtfixError(f"cannot write {out}: folder {parent} does not exist")
    if out_p.is_dir():
        raise MtfixError(f"cannot write {out}: it is a folder")


def usual_mode(path: str | os.PathLike) -> None:
    """Give ``path`` the permissions a plain ``open``/``mkdir`` would (``mkstemp`` and
    ``mkdtemp`` create owner-only files; outputs are read by other users and jobs)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if Path(path).is_dir() else 0o666) & ~umask)


@contextlib.contextmanager
def atomic_path(out: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``out``; it replaces ``out`` only on success."""
    out_p = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_p.name}.", suffix=suffix + ".part", dir=out_p.resolve().parent)
    os.close(fd)
    tmp_p = Path(tmp)
    try:
        yield tmp_p
        if tmp_p.exists():
            usual_mode(tmp_p)
        os.replace(tmp_p, out_p)
    finally:
        if tmp_p.exists():
            tmp_p.unlink()


def atomic_write_text(out: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8, LF kept as given) to ``out`` in one step."""
    with atomic_path(out) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
