"""Reading text files: UTF-8 only, with or without BOM, CRLF or LF; clear errors otherwise.

The text comes back exactly as written (line endings kept), minus a leading
BOM, so that a document segmented and reassembled is byte-for-byte the input.
Bidi controls and zero-width marks are kept unless ``strip_invisibles=True``;
:func:`find_invisibles` reports them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from mtfix.errors import MtfixError
from mtfix.text.invisibles import Invisible, find_invisibles, strip_invisibles
from mtfix.text.invisibles import strip_invisibles as _strip

__all__ = ["BOM", "TextFile", "TextLines", "decode_bytes", "no_such_file", "existing_file", "read_file", "text_file",
           "read_text", "read_lines", "read_text_lines", "iter_text_lines", "iter_text_chunks",
           "iter_stream_chunks", "read_once", "is_stream", "open_stream", "stream_copy",
           "find_invisibles", "strip_invisibles", "text_name"]


def text_name(path: str | os.PathLike) -> str:
    """``path`` as text that UTF-8 holds, for a record or a report that names it: a name that is not UTF-8
    (``bad\\xffname.txt`` arrives as ``bad\\udcffname.txt``) keeps its odd bytes as escapes, as Python's
    ``backslashreplace`` writes them (a UnicodeEncodeError traceback where a corpus record named it)."""
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")

BOM = "\ufeff"

_UTF16_32_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)
_UTF16_32_BOM_BYTES = tuple(bom for bom, _ in _UTF16_32_BOMS)

#: The first bytes of common binary files: one that starts so is named for what it is, not "not UTF-8".
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"), (b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (or .docx, .xlsx)"),
    (b"\x1f\x8b", "gzip-compressed"), (b"\xfd7zXZ\x00", "xz-compressed"), (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"), (b"\x7fELF", "an executable"), (b"SQLite format 3\x00", "an SQLite database"),
)
#: A read that fails within this many bytes of the start looks for a binary format's first bytes there.
_HEAD = 1 << 14


def _binary(name: str, head: bytes, nul: bool = False) -> MtfixError | None:
    """The error for a file that is clearly not text: its first bytes ``head`` are a known binary
    format's, or it has NUL bytes (``nul``); else None. Only asked once a read has failed."""
    what = next((what for magic, what in _MAGIC if head.startswith(magic)), None)
    what = what or ("contains NUL bytes" if nul else None)
    return MtfixError(f"{name}: looks binary ({what}); expected UTF-8 text") if what else None


def _file_start(f: BinaryIO, data: bytes, offset: int) -> bytes:
    """The first bytes of the file ``f`` (being read; ``data`` starts at ``offset``), for :func:`_binary`:
    b"" where it cannot go back (a pipe)."""
    try:
        f.seek(0)
        return f.read(64)
    except (OSError, ValueError):
        return data[:64] if offset == 0 else b""


@dataclass(frozen=True)
class TextFile:
    """A decoded file: its ``text`` plus what a writer needs to give the layout back."""

    path: str
    text: str
    bom: bool
    newline: str | None  # "\n", "\r\n", "mixed", or None when the text has no line break
    invisibles: list[Invisible] = field(default_factory=list)


def no_such_file(path: str | os.PathLike, kind: str = "file") -> MtfixError:
    """The error for a missing input (``no such config file`` with ``kind``); ``-`` (stdin) is named as
    such: only `mtfix check` and `mtfix fix` read it."""
    if str(path) == "-" and not Path(path).exists():
        return MtfixError("-: stdin is read only by `mtfix check` and `mtfix fix`; give a file path here")
    return MtfixError(f"{path}: no such {kind}")


def existing_file(path: str | os.PathLike, *, kind: str = "file", expected: str = "a text file") -> Path:
    """``path`` as a Path, if it is there and not a folder; else one line: ``PATH: no such KIND``,
    ``PATH: is a folder, expected EXPECTED`` (every input's first check: text, bitext, config)."""
    if str(path) == "":  # Path("") is the current folder: ": is a folder" was the message
        raise MtfixError(f"an empty {kind} name; give a path")
    p = Path(path)
    if not p.exists():
        if p.is_symlink():  # "no such file" for a name that `ls` shows
            raise MtfixError(f"{path}: is a symbolic link to nothing (a missing file, or a loop of links)")
        raise no_such_file(path, kind)
    if p.is_dir():
        raise MtfixError(f"{path}: is a folder, expected {expected}")
    return p


def _read_start(stream: BinaryIO, name: str) -> bytes:
    """The first megabyte of ``stream``; NUL bytes in it (not UTF-16/32) make it binary at once, so a
    device or pipe of binary data (/dev/zero, an image) is refused before it is read on and on."""
    first = stream.read(1 << 20)
    if b"\x00" in first and not first.startswith(_UTF16_32_BOM_BYTES):
        raise _binary(name, first[:64], nul=True)
    return first


def _decode(path: str | os.PathLike) -> tuple[str, bool]:
    p = existing_file(path)
    try:
        if not read_once(p):
            data = p.read_bytes()
        else:  # a pipe or a device: an endless binary one (/dev/zero) is refused by its first megabyte
            with p.open("rb") as f:
                data = _read_start(f, str(path)) + f.read()
    except OSError as e:
        raise MtfixError(f"{path}: cannot be read ({e.strerror or e})") from None
    return decode_bytes(data, str(path))


def _legacy_encoding(data: bytes, at: int) -> str:
    """The 8-bit code page the text around ``data[at]`` (a byte that is not UTF-8) is most likely in, for the
    hint: cp1256 (Arabic: words of bytes above 0x7f, one a letter), or cp1252 (Western European: such bytes
    one at a time between ASCII letters, ``caf\\xe9``; an English reference saved as Latin-1). Only the
    bad byte's own line is read (at most 2 KiB either side), so a piece of a file read on its own gives
    the hint the whole file gives, and UTF-8 lines before it do not count."""
    import re

    start = max(data.rfind(b"\n", 0, at) + 1, at - 2048)
    end = data.find(b"\n", at)
    end = min(len(data) if end < 0 else end, at + 2048)
    runs = [len(run) for run in re.findall(rb"[\x80-\xff]+", data[start:end])]  # runs of bytes above 0x7f
    return "cp1252" if runs and sum(n == 1 for n in runs) * 2 > len(runs) else "cp1256"


def decode_bytes(data: bytes, name: str = "<input>", offset: int = 0, line: int = 1) -> tuple[str, bool]:
    """Decode UTF-8 ``data`` (``name`` is used in errors); returns the text and whether it had a BOM.

    ``offset``, ``line``: where ``data`` starts in the file (a piece read on its own); a byte that
    is not UTF-8 is named by its line and its byte in that line (``FILE:LINE:``, as the corpus
    readers name a bad row), and its offset in the file.
    """
    if offset == 0:
        for bom, encoding in _UTF16_32_BOMS:
            if data.startswith(bom):
                raise MtfixError(
                    f"{name}: is {encoding}, expected UTF-8; convert it first, e.g. `iconv -f {encoding} -t UTF-8`"
                )
    if b"\x00" in data:
        raise _binary(name, data[:64] if offset == 0 else b"", nul=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if offset == 0 and (err := _binary(name, data[:64])) is not None:
            raise err from None
        at_line = line + data.count(b"\n", 0, e.start)
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise MtfixError(
            f"{name}:{at_line}: not UTF-8 (invalid byte 0x{data[e.start]:02x} at byte {column} of the line, "
            f"offset {offset + e.start} of the file); convert it first, e.g. `iconv -f {_legacy_encoding(data, e.start)} "
            f"-t utf-8`"
        ) from None
    if offset == 0 and text.startswith(BOM):
        return text[1:], True
    return text, False


def iter_text_lines(path: str | os.PathLike) -> Iterator[str]:
    """The decoded lines of ``path`` (line endings kept, a leading BOM removed), read as they are used.

    ``"".join(iter_text_lines(p)) == read_text(p)``, with the same errors (raised when the bad
    line is reached); memory: the longest line.
    """
    p = existing_file(path)
    offset = 0
    try:
        with p.open("rb") as f:
            for line, raw in enumerate(f, 1):  # split after b"\n": never inside a UTF-8 character
                try:
                    text, _ = decode_bytes(raw, str(path), offset, line)
                except MtfixError as e:  # early in the file: binary, if its start says so (as the chunks say)
                    if offset < _HEAD and (err := _binary(str(path), _file_start(f, raw, offset))) is not None:
                        raise err from None
                    raise e
                offset += len(raw)
                yield text
    except OSError as e:
        raise MtfixError(f"{path}: cannot be read ({e.strerror or e})") from None


def iter_text_chunks(path: str | os.PathLike, size: int = 1 << 14) -> Iterator[str]:
    """Like :func:`iter_text_lines`, but whole lines about ``size`` bytes at a time (each piece
    ends with ``\n`` except the last): ``"".join(iter_text_chunks(p)) == read_text(p)``, with the
    same errors. Memory: ``size`` or the longest line."""
    p = existing_file(path)
    try:
        with p.open("rb") as f:
            yield from iter_stream_chunks(f, str(path), size)
    except OSError as e:
        raise MtfixError(f"{path}: cannot be read ({e.strerror or e})") from None


def iter_stream_chunks(f: BinaryIO, name: str, size: int = 1 << 14) -> Iterator[str]:
    """:func:`iter_text_chunks` of an open binary stream (from where it is), ``name`` in errors."""
    offset, line = 0, 1
    while True:
        raws = f.readlines(size)
        if not raws:
            break
        data = b"".join(raws)
        try:
            text, _ = decode_bytes(data, name, offset, line)
        except MtfixError:  # the error the line-by-line reading gives (which comes first)
            if offset < _HEAD and (err := _binary(name, _file_start(f, data, offset))) is not None:
                raise err from None  # a start that is clearly not text: named so, as a whole file read names it
            for raw in raws:
                decode_bytes(raw, name, offset, line)
                offset += len(raw)
                line += 1
            raise
        offset += len(data)
        line += len(raws)
        yield text


def read_once(path: str | os.PathLike) -> bool:
    """Whether ``path`` is ``-`` (stdin) or can be read only once: a named pipe, a shell's ``<(...)``
    (``/dev/fd/N``), a character device. A reader that reads its input twice copies such a one
    first (:func:`stream_copy`), as it does stdin."""
    return str(path) == "-" or is_stream(path)  # missing: False, the readers say so


def is_stream(path: str | os.PathLike) -> bool:
    """A device, FIFO or socket (``/dev/stdin``, ``/dev/null``, a named pipe): read once as it comes;
    as an output (:mod:`mtfix.outputs`), written straight into, never replaced by a renamed file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def open_stream(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """``path`` opened for a binary read (``-``: stdin, left open)."""
    if str(path) == "-":
        if sys.stdin is None:  # `mtfix check - <&-`
            raise MtfixError("-: stdin is closed; pipe the text in (`... | mtfix check -`) or give a file path")
        yield sys.stdin.buffer
        return
    try:
        f = open(path, "rb")
    except OSError as e:
        raise MtfixError(f"{path}: cannot be read ({e.strerror or e})") from None
    with f:
        yield f


@contextlib.contextmanager
def stream_copy(stream: BinaryIO, name: str) -> Iterator[BinaryIO]:
    """``stream`` (stdin: read once) copied as it comes into an anonymous temporary file (removed
    when closed), for a reader that reads it more than once; ``name`` is the stream in errors.
    NUL bytes in its first megabyte (not UTF-16/32) make it binary at once: nothing more is read."""
    try:
        spool = tempfile.TemporaryFile()
    except OSError as e:
        raise MtfixError(f"{name}: cannot be kept in a temporary file ({e.strerror or e})") from None
    with spool:
        try:
            spool.write(_read_start(stream, name))
            shutil.copyfileobj(stream, spool, 1 << 20)
        except OSError as e:
            raise MtfixError(f"{name}: cannot be read into a temporary file ({e.strerror or e})") from None
        yield spool


def _newline_style(text: str) -> str | None:
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    kinds = [k for k, n in (("\r\n", crlf), ("\n", lf), ("\r", cr)) if n]
    if not kinds:
        return None
    return kinds[0] if len(kinds) == 1 else "mixed"


def read_file(path: str | os.PathLike, *, strip_invisibles: bool = False) -> TextFile:
    """Decode ``path`` and describe it (BOM, newline style, invisible characters found)."""
    return text_file(*_decode(path), str(path), strip_invisibles=strip_invisibles)


def text_file(text: str, bom: bool, path: str, *, strip_invisibles: bool = False) -> TextFile:
    """Describe already decoded text as a :class:`TextFile`."""
    found = find_invisibles(text)
    if strip_invisibles and found:
        text = _strip(text)
    return TextFile(path, text, bom, _newline_style(text), found)


def read_text(path: str | os.PathLike, *, strip_invisibles: bool = False) -> str:
    """Return the decoded text of ``path`` (a leading BOM removed, line endings kept).

    Raises :class:`MtfixError` for a missing file, a folder, binary data, UTF-16/32
    or bytes that are not UTF-8. ``strip_invisibles`` drops bidi controls and
    zero-width marks.
    """
    return read_file(path, strip_invisibles=strip_invisibles).text


@dataclass(frozen=True)
class TextLines:
    """A file's segments, one per line, and its layout, for an output made line by line from it."""

    lines: list[str]
    endings: list[str]  # each line's break: "\n" or "\r\n" ("" for a last line without one)
    bom: bool

    def join(self, rows: Iterable[str]) -> str:
        """``rows`` (one for each line) as text in this file's layout: its BOM, and each line's own
        break (CRLF stays CRLF, LF stays LF); a last line without one gets the file's last break."""
        last = next((end for end in reversed(self.endings) if end), "\n")
        return (BOM if self.bom else "") + "".join(row + (end or last)
                                                  for row, end in zip(rows, self.endings, strict=True))


def read_text_lines(path: str | os.PathLike, *, allow_empty: bool = False) -> TextLines:
    """:func:`read_lines` and the layout (line breaks, BOM) an output made from them keeps."""
    tf = read_file(path)
    lines = tf.text.split("\n")
    endings = ["\n"] * (len(lines) - 1) + [""]
    if lines[-1] == "":
        lines.pop()
        endings.pop()
    for i, line in enumerate(lines):
        if line.endswith("\r"):
            lines[i] = line[:-1]
            endings[i] = "\r" + endings[i] if endings[i] else ""
    if not allow_empty and not any(line.strip() for line in lines):
        raise MtfixError(f"{path}: is empty; expected one segment per line")
    return TextLines(lines, endings, tf.bom)


def read_lines(path: str | os.PathLike, *, allow_empty: bool = False) -> list[str]:
    """One segment per line (CRLF or LF); raises on an input with no text at all.

    Lines end at ``\n`` only, as in sacrebleu and ``wc -l``: U+2028, form feeds
    and the like inside a segment do not split it (``str.splitlines`` would, and
    misalign parallel files).
    """
    return read_text_lines(path, allow_empty=allow_empty).lines
