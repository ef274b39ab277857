"""Bitext readers: TSV, JSONL, two aligned plain files, Parquet, a Hugging Face dataset dir.

Every reader is a :class:`Source`. :meth:`Source.check` runs before any work
and raises :class:`~mtfix.errors.MtfixError` for a problem with the whole
input (missing, empty, UTF-16 or binary, an unreadable dataset dir, two plain
files of different lengths unless bad rows are skipped). :meth:`Source.read`
then streams ``(item, cursor)``: an item is a :class:`~mtfix.corpus.records.Pair`
or a :class:`~mtfix.corpus.records.BadRow` (a ragged TSV row, a line that is
not JSON or not UTF-8, a line without a partner), and ``cursor`` is a small
JSON-ready dict that, given back to ``read``, continues right after that
item: byte offsets for files, the row for datasets. So a resumed run seeks
instead of re-reading, and memory never holds more than one line.

Column order (which side is English) is ``("en", "ar")`` unless told
(``order``), or, with ``order="auto"``, taken from a TSV header naming the
languages or from the script of the first rows.
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Iterator, Sequence

from mtfix.corpus.records import BadRow, Pair
from mtfix.errors import MtfixError

__all__ = ["Source", "TsvSource", "JsonlSource", "PlainPairSource", "HFDatasetSource", "ParquetSource", "ChainSource",
           "open_bitext", "count_lines", "input_format"]

Item = Pair | BadRow
_SAMPLE = 1000  # rows looked at to guess the column order
_HEAD = 1 << 16


def count_lines(path: str | os.PathLike) -> int:
    """Lines in a file (a last line without a newline counts), reading 1 MiB at a time."""
    n, last = 0, b"\n"
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            n += block.count(b"\n")
            last = block[-1:]
    return n + (last != b"\n")


def _check_text_file(path: Path, what: str = "one pair per line") -> None:
    """Whole-file problems, before any work: missing, a folder, empty, UTF-16/32, binary."""
    from mtfix.text.read import decode_bytes, existing_file

    existing_file(path, expected=f"a text file ({what})")
    try:
        with open(path, "rb") as f:
            head = f.read(_HEAD)
    except OSError as e:
        raise MtfixError(f"{path}: cannot be read ({e.strerror or e})") from None
    if not head.strip():
        raise MtfixError(f"{path}: is empty; expected {what}")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:4] == b"\x00\x00\xfe\xff" or b"\x00" in head:
        decode_bytes(head, str(path))  # raises the UTF-16/32 or binary message


def _lines(path: Path, offset: int, line: int) -> Iterator[tuple[int, bytes, int]]:
    """``(line number, raw line without its ending, offset after it)`` from ``offset``."""
    with open(path, "rb") as f:
        f.seek(offset)
        for raw in f:
            offset += len(raw)
            line += 1
            if raw.endswith(b"\n"):
                raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
            yield line, raw, offset


def _decode(raw: bytes, line: int) -> tuple[str | None, str]:
    """``(text, "")`` or ``(None, error)``; a BOM on line 1 is dropped."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, f"not UTF-8 (invalid byte 0x{raw[e.start]:02x} at byte {e.start + 1} of the line)"
    if "\0" in text:  # the whole-file check sees only the head: binary data further down lands here
        return None, f"looks binary (a NUL byte at byte {raw.index(0) + 1} of the line)"
    if line == 1 and text.startswith("\ufeff"):
        text = text[1:]
    return text, ""


def file_fingerprint(path: Path) -> dict:
    st = path.stat()
    return {"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _guess_order(columns: Sequence[tuple[str, str]], where: str) -> tuple[str, str] | None:
    """``("ar", "en")`` when the first column is mostly Arabic and the second mostly Latin script."""
    from mtfix.text.script import detect_script_language

    votes = {0: {"ar": 0, "en": 0}, 1: {"ar": 0, "en": 0}}
    for a, b in columns:
        for k, text in ((0, a), (1, b)):
            lang = detect_script_language(text)
            if lang in votes[k]:
                votes[k][lang] += 1
    first, second = votes[0], votes[1]
    if first["ar"] > 2 * first["en"] and second["en"] > 2 * second["ar"]:
        return ("ar", "en")
    if first["en"] > 2 * first["ar"] and second["ar"] > 2 * second["en"]:
        return ("en", "ar")
    return None


class Source(ABC):
    """A stream of sentence pairs; see the module docstring."""

    format: str = "?"

    def __init__(self, langs: tuple[str, str] = ("en", "ar")):
        self.langs = langs  # (src_lang, tgt_lang) of the pipeline
        self.order: tuple[str, str] | None = None  # column languages once known

    @abstractmethod
    def check(self) -> None:
        """Raise MtfixError for a problem with the whole input, before any work."""

    @abstractmethod
    def read(self, cursor: dict | None = None) -> Iterator[tuple[Item, dict]]:
        """Items with the cursor after each; ``cursor`` continues a previous read."""

    def count(self) -> int | None:
        """About how many pairs (for progress), or None when unknown."""
        return None

    def describe(self) -> dict:
        """What the input is (paths, sizes, modification times): a resumed run checks it is unchanged."""
        return {"format": self.format}

    def options(self) -> dict:
        """Reader settings that change what is read (for the signature)."""
        return {"format": self.format, "order": list(self.order) if self.order else None}

    def _pair(self, a: str, b: str, **prov) -> Pair:
        """A pair from the columns in file order, sides swapped into (src, tgt)."""
        if self.order and self.order[0] == self.langs[1]:
            a, b = b, a
        return Pair(a, b, **prov)


class _LineSource(Source):
    """One file, one record per line."""

    def __init__(self, path: str | os.PathLike, *, langs=("en", "ar"), order: str | tuple = "auto"):
        super().__init__(langs)
        self.path = Path(path)
        from mtfix.text.read import text_name

        self.name = text_name(path)  # in every record: UTF-8 text (a name that is not UTF-8, escaped)
        self._order_opt = order
        self._start = 0  # byte offset of the first record (after a header)
        self._start_line = 0

    def describe(self) -> dict:
        return {"format": self.format, "files": [file_fingerprint(self.path)]}

    def count(self) -> int | None:
        return max(0, count_lines(self.path) - self._start_line)

    def check(self) -> None:
        _check_text_file(self.path)
        self._detect()

    def _detect(self) -> None:
        """Header and column order."""
        if self._order_opt != "auto":
            self.order = tuple(self._order_opt)
            return
        sample = []
        for item, _ in self._parse(_lines(self.path, self._start, self._start_line)):
            if isinstance(item, tuple):
                sample.append(item[:2])
            if len(sample) >= _SAMPLE:
                break
        self.order = _guess_order(sample, self.name) or self.langs

    @abstractmethod
    def _parse(self, lines) -> Iterator[tuple[tuple | BadRow | None, tuple]]:
        """Raw lines -> ``((a, b, extra) | BadRow | None to skip, (line, offset))``."""

    def read(self, cursor: dict | None = None) -> Iterator[tuple[Item, dict]]:
        offset = cursor["offset"] if cursor else self._start
        line = cursor["line"] if cursor else self._start_line
        seg = cursor["segment"] if cursor else 0
        for item, (line, offset) in self._parse(_lines(self.path, offset, line)):
            if item is None:
                continue
            if isinstance(item, BadRow):
                yield item, {"offset": offset, "line": line, "segment": seg}
                continue
            a, b, doc_id = item
            pair = self._pair(a, b, source=self.name, line=line, segment=seg, doc_id=doc_id)
            seg += 1
            yield pair, {"offset": offset, "line": line, "segment": seg}


class TsvSource(_LineSource):
    """Two tab-separated columns per line. A first line naming the two
    languages (``en<TAB>ar``) is a header; an empty line is an empty pair (the
    ``empty`` filter drops it); any other field count is a ragged row."""

    format = "tsv"

    def check(self) -> None:
        _check_text_file(self.path)
        from mtfix.text.lang import script_lang

        for line, raw, offset in _lines(self.path, 0, 0):
            text, _ = _decode(raw, line)
            fields = (text or "").split("\t")
            try:
                langs = tuple(script_lang(f.strip()) for f in fields)
            except MtfixError:
                langs = ()
            if len(fields) == 2 and set(langs) == set(self.langs):
                self._start, self._start_line = offset, line
                if self._order_opt == "auto":
                    self._order_opt = langs
                elif tuple(self._order_opt) != langs:
                    raise MtfixError(f"{self.path}:1: the header says {fields[0]}, {fields[1]} "
                                     f"but --order says {', '.join(self._order_opt)}")
            break
        self._detect()

    def read(self, cursor: dict | None = None) -> Iterator[tuple[Item, dict]]:
        """What :meth:`_LineSource.read` yields over :meth:`_parse`, in one loop (a corpus run
        reads every pair through it): a clean line (UTF-8, two fields, no NUL, no BOM to drop)
        becomes its pair here; any other goes through ``_parse``."""
        offset = cursor["offset"] if cursor else self._start
        line = cursor["line"] if cursor else self._start_line
        seg = cursor["segment"] if cursor else 0
        swap = bool(self.order) and self.order[0] == self.langs[1]
        name = self.name
        for line, raw, offset in _lines(self.path, offset, line):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            fields = None if text is None or "\0" in text or (line == 1 and text.startswith("\ufeff")) \
                else text.split("\t")
            if fields is None or len(fields) != 2:  # anything but a clean pair: the general path
                for item, _ in self._parse([(line, raw, offset)]):
                    if isinstance(item, BadRow):
                        yield item, {"offset": offset, "line": line, "segment": seg}
                        continue
                    a, b, doc_id = item
                    yield self._pair(a, b, source=name, line=line, segment=seg, doc_id=doc_id), \
                        {"offset": offset, "line": line, "segment": seg + 1}
                    seg += 1
                continue
            a, b = fields
            if swap:
                a, b = b, a
            yield Pair(a, b, name, line, seg), {"offset": offset, "line": line, "segment": seg + 1}
            seg += 1

    def _parse(self, lines):
        for line, raw, offset in lines:
            text, err = _decode(raw, line)
            if text is None:
                yield BadRow(self.name, line, err, raw.decode("utf-8", "replace")), (line, offset)
                continue
            if text == "":
                yield ("", "", None), (line, offset)
                continue
            fields = text.split("\t")
            if len(fields) != 2:
                yield BadRow(self.name, line, f"expected 2 tab-separated fields, found {len(fields)}",
                             text), (line, offset)
                continue
            yield (fields[0], fields[1], None), (line, offset)


class JsonlSource(_LineSource):
    """One JSON object per line: ``{"en": ..., "ar": ...}`` (the field names are
    ``fields``) or ``{"translation": {"en": ..., "ar": ...}}``; an optional
    ``doc_id`` is kept. Blank lines are skipped."""

    format = "jsonl"

    def __init__(self, path, *, langs=("en", "ar"), fields: tuple[str, str] | None = None, **kw):
        super().__init__(path, langs=langs, order=tuple(langs))
        self.fields = tuple(fields or langs)

    def options(self) -> dict:
        return {"format": self.format, "fields": list(self.fields)}

    def check(self) -> None:
        _check_text_file(self.path)
        self.order = tuple(self.langs)

    def _parse(self, lines):
        want = f'{{"{self.fields[0]}": "...", "{self.fields[1]}": "..."}}'
        for line, raw, offset in lines:
            text, err = _decode(raw, line)
            if text is None:
                yield BadRow(self.name, line, err, raw.decode("utf-8", "replace")), (line, offset)
                continue
            if not text.strip():
                yield None, (line, offset)
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as e:
                yield BadRow(self.name, line, f"not JSON ({e.msg} at column {e.colno})", text), (line, offset)
                continue
            except ValueError as e:  # a number of over 4300 digits: json raises a plain ValueError
                yield BadRow(self.name, line, f"not JSON ({str(e).split(';')[0]})", text), (line, offset)
                continue
            except RecursionError:  # [[[[... thousands deep
                yield BadRow(self.name, line, "not JSON (nested too deeply)", text), (line, offset)
                continue
            if not isinstance(obj, dict):
                yield BadRow(self.name, line, f"expected a JSON object like {want}", text), (line, offset)
                continue
            holder = obj.get("translation") if isinstance(obj.get("translation"), dict) else obj
            values = []
            for key in self.fields:
                v = holder.get(key)
                if not isinstance(v, str):
                    what = "no" if v is None else f"a non-string ({type(v).__name__})"
                    values.append(BadRow(self.name, line, f'{what} "{key}" field; expected {want}', text))
                else:
                    values.append(v)
            bad = next((v for v in values if isinstance(v, BadRow)), None)
            if bad is not None:
                yield bad, (line, offset)
                continue
            doc = obj.get("doc_id")
            yield (values[0], values[1], None if doc is None else str(doc)), (line, offset)


class PlainPairSource(Source):
    """Two line-aligned plain files, one segment per line (``corpus.en``, ``corpus.ar``)."""

    format = "plain"

    def __init__(self, first: str | os.PathLike, second: str | os.PathLike, *, langs=("en", "ar"),
                 order: str | tuple = "auto", skip_bad: bool = False):
        super().__init__(langs)
        self.paths = (Path(first), Path(second))
        from mtfix.text.read import text_name

        self.name = text_name(first)  # in every record: UTF-8 text (a name that is not UTF-8, escaped)
        self._order_opt = order
        self.skip_bad = skip_bad
        self._counts: tuple[int, int] | None = None

    def describe(self) -> dict:
        return {"format": self.format, "files": [file_fingerprint(p) for p in self.paths]}

    def count(self) -> int | None:
        return max(self._counts) if self._counts else None

    def check(self) -> None:
        for p in self.paths:
            _check_text_file(p, "one segment per line")
        a, b = self._counts = (count_lines(self.paths[0]), count_lines(self.paths[1]))
        if a != b and not self.skip_bad:
            longer = self.paths[0] if a > b else self.paths[1]
            raise MtfixError(
                f"{self.paths[0]} has {a} lines but {self.paths[1]} has {b}: they must be line-aligned "
                f"({longer}:{min(a, b) + 1} has no partner); fix them or pass --skip-bad to log the "
                f"{abs(a - b)} unpaired lines as rejects")
        if self._order_opt != "auto":
            self.order = tuple(self._order_opt)
            return
        sample = []
        for item, _ in self.read():
            if isinstance(item, Pair):
                sample.append((item.src, item.tgt))
            if len(sample) >= _SAMPLE:
                break
        self.order = _guess_order(sample, self.name) or self.langs

    def read(self, cursor: dict | None = None) -> Iterator[tuple[Item, dict]]:
        offs = list(cursor["offsets"]) if cursor else [0, 0]
        line = cursor["line"] if cursor else 0
        it = [_lines(p, o, line) for p, o in zip(self.paths, offs)]
        names = [str(p) for p in self.paths]
        while True:
            got = [next(i, None) for i in it]
            if got[0] is None and got[1] is None:
                return
            line += 1
            for k, g in enumerate(got):
                if g is not None:
                    offs[k] = g[2]
            cur = {"offsets": list(offs), "line": line}
            if got[0] is None or got[1] is None:
                k = 0 if got[0] is not None else 1
                raw = got[k][1].decode("utf-8", "replace")
                yield BadRow(names[k], line, f"no line {line} in {names[1 - k]} to pair with", raw), cur
                continue
            texts = []
            for k, (_, raw, _) in enumerate(got):
                text, err = _decode(raw, line)
                texts.append(text if text is not None else BadRow(names[k], line, err, raw.decode("utf-8", "replace")))
            bad = next((t for t in texts if isinstance(t, BadRow)), None)
            if bad is not None:
                yield bad, cur
                continue
            yield self._pair(texts[0], texts[1], source=self.name, line=line, segment=line - 1), cur


class HFDatasetSource(Source):
    """A Hugging Face dataset saved with ``save_to_disk``: a ``translation``
    column of ``{"en": ..., "ar": ...}`` dicts or two text columns named
    ``fields``; ``split`` picks one of a DatasetDict (needed when it has several)."""

    format = "hf"
    BATCH = 1000

    def __init__(self, path: str | os.PathLike, *, langs=("en", "ar"), fields: tuple[str, str] | None = None,
                 split: str | None = None):
        super().__init__(langs)
        self.path = Path(path)
        from mtfix.text.read import text_name

        self.name = text_name(path)  # in every record: UTF-8 text (a name that is not UTF-8, escaped)
        self.fields = tuple(fields or langs)
        self.split = split
        self._ds = None
        self._translation = False

    def options(self) -> dict:
        return {"format": self.format, "fields": list(self.fields), "split": self.split}

    def describe(self) -> dict:
        files = sorted(p for p in self.path.rglob("*") if p.is_file()) if self.path.is_dir() else []
        return {"format": self.format, "files": [file_fingerprint(p) for p in files]}

    def count(self) -> int | None:
        return len(self._ds) if self._ds is not None else None

    def check(self) -> None:
        if not self.path.is_dir():
            raise MtfixError(f"{self.path}: no such dataset folder")
        try:
            import datasets

            datasets.disable_progress_bars()
            ds = datasets.load_from_disk(str(self.path))
        except Exception as e:  # noqa: BLE001 - whatever datasets raises, the user sees one line
            detail = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise MtfixError(f"{self.path}: not a readable Hugging Face dataset ({detail}); "
                             f"expected a folder written by Dataset.save_to_disk") from None
        if isinstance(ds, datasets.DatasetDict):
            splits = list(ds)
            split = self.split or (splits[0] if len(splits) == 1 else "train" if "train" in ds else None)
            if split not in ds:
                raise MtfixError(f"{self.path}: has splits {', '.join(splits)}; choose one with --split")
            self.split, ds = split, ds[split]
        elif self.split is not None:
            raise MtfixError(f"{self.path}: is a single dataset without splits; drop --split")
        cols = ds.column_names
        if all(f in cols for f in self.fields):
            self._translation = False
        elif "translation" in cols:
            self._translation = True
        else:
            raise MtfixError(f"{self.path}: has columns {', '.join(cols)}; expected {self.fields[0]} and "
                             f"{self.fields[1]} (or a translation column); name them with --fields")
        self._ds = ds
        self.order = tuple(self.langs)

    def read(self, cursor: dict | None = None) -> Iterator[tuple[Item, dict]]:
        ds = self._ds
        row = cursor["row"] if cursor else 0
        has_doc = "doc_id" in ds.column_names
        cols = (["translation"] if self._translation else list(self.fields)) + (["doc_id"] if has_doc else [])
        view = ds.select_columns(cols)
        for start in range(row, len(ds), self.BATCH):
            batch = view[start:start + self.BATCH]
            n = len(batch[cols[0]])
            for i in range(n):
                r = start + i
                yield _column_item(self.name, self.fields, batch, i, r), {"row": r + 1}


def _column_item(name: str, fields: Sequence[str], columns: dict, i: int, r: int) -> Item:
    """Row ``i`` of a batch of columns (two text columns named ``fields``, or a ``translation``
    struct column; an optional ``doc_id``) as a pair, or a bad row; ``r`` is its 0-based row."""
    if "translation" in columns and not all(f in columns for f in fields):
        t = columns["translation"][i] or {}
        a, b = t.get(fields[0]), t.get(fields[1])
    else:
        a, b = columns[fields[0]][i], columns[fields[1]][i]
    if not isinstance(a, str) or not isinstance(b, str):
        key = fields[0] if not isinstance(a, str) else fields[1]
        return BadRow(name, r + 1, f"row {r} has no {key} text",
                      json.dumps({fields[0]: a, fields[1]: b}, ensure_ascii=False))
    doc = columns["doc_id"][i] if "doc_id" in columns else None
    return Pair(a, b, source=name, line=r + 1, segment=r, doc_id=None if doc is None else str(doc))


class ParquetSource(Source):
    """A Parquet file: two text columns named ``fields`` or a ``translation`` struct column
    (as mtfix's own Parquet output and many hub datasets have), an optional ``doc_id``;
    read row group by row group (the cursor is the row, so a resumed run or a Ray shard
    starts at its row group)."""

    format = "parquet"

    def __init__(self, path: str | os.PathLike, *, langs=("en", "ar"), fields: tuple[str, str] | None = None):
        super().__init__(langs)
        self.path = Path(path)
        from mtfix.text.read import text_name

        self.name = text_name(path)  # in every record: UTF-8 text (a name that is not UTF-8, escaped)
        self.fields = tuple(fields or langs)
        self._cols: list[str] = []
        self._rows = 0

    def options(self) -> dict:
        return {"format": self.format, "fields": list(self.fields)}

    def describe(self) -> dict:
        return {"format": self.format, "files": [file_fingerprint(self.path)]}

    def count(self) -> int | None:
        return self._rows

    def _file(self):
        import pyarrow.parquet as pq

        return pq.ParquetFile(str(self.path))

    def check(self) -> None:
        if not self.path.is_file():
            raise MtfixError(f"{self.path}: no such file")
        try:
            f = self._file()
        except Exception as e:  # noqa: BLE001 - whatever pyarrow raises, the user sees one line
            detail = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise MtfixError(f"{self.path}: not a readable Parquet file ({detail})") from None
        cols = f.schema_arrow.names
        if all(c in cols for c in self.fields):
            self._cols = list(self.fields)
        elif "translation" in cols:
            self._cols = ["translation"]
        else:
            raise MtfixError(f"{self.path}: has columns {', '.join(cols)}; expected {self.fields[0]} and "
                             f"{self.fields[1]} (or a translation column); name them with --fields")
        if "doc_id" in cols:
            self._cols.append("doc_id")
        self._rows = f.metadata.num_rows
        self.order = tuple(self.langs)

    def read(self, cursor: dict | None = None) -> Iterator[tuple[Item, dict]]:
        row = cursor["row"] if cursor else 0
        f = self._file()
        start = 0
        for g in range(f.num_row_groups):
            n = f.metadata.row_group(g).num_rows
            if start + n <= row:  # before the cursor: not read
                start += n
                continue
            table = f.read_row_group(g, columns=self._cols).to_pydict()
            for i in range(max(0, row - start), n):
                r = start + i
                yield _column_item(self.name, self.fields, table, i, r), {"row": r + 1}
            start += n


class ChainSource(Source):
    """Several sources read one after the other."""

    format = "chain"

    def __init__(self, sources: Sequence[Source]):
        super().__init__(sources[0].langs)
        self.sources = list(sources)

    def check(self) -> None:
        for s in self.sources:
            s.check()

    def count(self) -> int | None:
        counts = [s.count() for s in self.sources]
        return None if None in counts else sum(counts)

    def describe(self) -> dict:
        return {"format": "chain", "parts": [s.describe() for s in self.sources]}

    def options(self) -> dict:
        return {"format": "chain", "parts": [s.options() for s in self.sources]}

    def read(self, cursor: dict | None = None) -> Iterator[tuple[Item, dict]]:
        part = cursor["part"] if cursor else 0
        inner = cursor["inner"] if cursor else None
        for k in range(part, len(self.sources)):
            for item, cur in self.sources[k].read(inner):
                yield item, {"part": k, "inner": cur}
            inner = None


_SUFFIX_FORMATS = {".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def input_format(path: str | os.PathLike) -> str:
    """``tsv``, ``jsonl``, ``parquet``, ``hf`` (a folder) or ``plain``, from the path."""
    p = Path(path)
    if p.is_dir():
        return "hf"
    return _SUFFIX_FORMATS.get(p.suffix.lower(), "plain")


def open_bitext(
    paths: Sequence[str | os.PathLike],
    *,
    langs: tuple[str, str] = ("en", "ar"),
    input_format_: str = "auto",
    order: str | tuple = "auto",
    fields: tuple[str, str] | None = None,
    split: str | None = None,
    skip_bad: bool = False,
) -> Source:
    """A source for the given inputs: each TSV, JSONL or dataset dir is a bitext
    (several are read in turn); two plain files are one line-aligned bitext."""
    if not paths:
        raise MtfixError("give the bitext: a TSV, JSONL or dataset dir, or two line-aligned plain files")
    fmts = [input_format_ if input_format_ != "auto" else input_format(p) for p in paths]
    known = ("tsv", "jsonl", "plain", "hf", "parquet")
    for f in fmts:
        if f not in known:
            raise MtfixError(f"unknown input format {f}; choose one of {', '.join(known)}")
    if "plain" in fmts:
        if fmts != ["plain", "plain"]:
            plain = [str(p) for p, f in zip(paths, fmts) if f == "plain"]
            for p in plain:  # a missing, empty or binary file says so first
                _check_text_file(Path(p), "one segment per line")
            raise MtfixError(
                f"plain text input is two line-aligned files (English, Arabic), got {', '.join(plain)}"
                + (" with other inputs" if len(plain) != len(paths) else "")
                + "; a TSV needs the .tsv suffix, JSONL .jsonl (or pass --input-format)")
        return PlainPairSource(paths[0], paths[1], langs=langs, order=order, skip_bad=skip_bad)
    sources: list[Source] = []
    for p, f in zip(paths, fmts):
        if f == "tsv":
            sources.append(TsvSource(p, langs=langs, order=order))
        elif f == "jsonl":
            sources.append(JsonlSource(p, langs=langs, fields=fields))
        elif f == "parquet":
            sources.append(ParquetSource(p, langs=langs, fields=fields))
        else:
            sources.append(HFDatasetSource(p, langs=langs, fields=fields, split=split))
    return sources[0] if len(sources) == 1 else ChainSource(sources)
