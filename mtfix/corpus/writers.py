"""Final outputs: JSONL, TSV, Parquet and a Hugging Face dataset dir.

A run writes its records once, as JSON lines, into a ``.part`` file in its
work dir (that file is what a resumed run continues). When the input is
done, each requested output is made from that file, streaming, in batches:
memory stays flat whatever the corpus size. Every output is all-or-nothing
(a temporary file or folder next to it, renamed into place at the end).

Columns, in order: ``id``, the two text columns named by language (``en``,
``ar``), ``original`` (the garbled sentence, article mode), provenance
``source``, ``doc_id``, ``line``, ``segment``, then ``kept``, ``reason`` and
``scores`` (one value per filter; in TSV one ``score.<filter>`` column each).
The pipeline signature and the run summary go into the Parquet key-value
metadata (key ``mtfix``) and the dataset's ``info.description`` (JSON); TSV
and JSONL have the summary file next to them. TSV replaces tabs and line
breaks inside a text with spaces; the other formats keep every text exactly.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from mtfix.errors import MtfixError
from mtfix.outputs import atomic_dir, atomic_path, check_dir_output, names_a_folder  # noqa: F401 (re-exported)

__all__ = ["OutputSpec", "parse_output", "write_output", "FORMATS", "atomic_dir", "check_dir_output"]

FORMATS = ("jsonl", "tsv", "parquet", "hf")
_SUFFIXES = {".jsonl": "jsonl", ".tsv": "tsv", ".parquet": "parquet", ".hf": "hf", "": "hf"}
BATCH_ROWS = 2000
SHARD_BYTES = 500 << 20  # like datasets' default max_shard_size


@dataclass(frozen=True)
class OutputSpec:
    path: Path
    format: str

    def to_dict(self) -> dict:
        return {"path": str(self.path), "format": self.format}


def parse_output(path: str | os.PathLike) -> OutputSpec:
    """The format from the suffix: ``.jsonl``, ``.tsv``, ``.parquet``; a name without
    a suffix (or ``.hf``), or one that names a folder (``kept.jsonl/``), is a Hugging Face dataset folder."""
    p = Path(path)
    fmt = _SUFFIXES.get(p.suffix.lower()) if not names_a_folder(path) else "hf"  # `kept.jsonl/`, `kept.jsonl/.`
    if fmt is None:
        raise MtfixError(f"cannot tell the format of {path}: use .jsonl, .tsv, .parquet, "
                         f"or a folder name without a suffix for a Hugging Face dataset")
    return OutputSpec(p, fmt)


# ---------------------------------------------------------------- schema

def columns(langs: tuple[str, str]) -> list[str]:
    return ["id", langs[0], langs[1], "original", "source", "doc_id", "line", "segment", "kept", "reason"]


def arrow_schema(langs: tuple[str, str], filters: list[str]):
    import pyarrow as pa

    types = {"id": pa.int64(), "line": pa.int64(), "segment": pa.int64(), "kept": pa.bool_()}
    fields = [pa.field(c, types.get(c, pa.string())) for c in columns(langs)]
    fields.append(pa.field("scores", pa.struct([pa.field(f, pa.float64()) for f in filters])))
    return pa.schema(fields)


def _records(part: Path) -> Iterator[tuple[dict, int]]:
    with open(part, "rb") as f:
        for raw in f:
            yield json.loads(raw), len(raw)


def _batches(part: Path, langs, filters) -> Iterator[tuple[dict, int]]:
    """Column dicts of up to BATCH_ROWS records, and their JSON size."""
    cols = columns(langs)
    batch = {c: [] for c in cols}
    batch["scores"] = []
    n = size = 0
    for rec, nbytes in _records(part):
        for c in cols:
            batch[c].append(rec.get(c))
        s = rec.get("scores", {})
        batch["scores"].append({f: None if s.get(f) is None else float(s[f]) for f in filters})
        n += 1
        size += nbytes
        if n >= BATCH_ROWS:
            yield batch, size
            batch = {c: [] for c in [*cols, "scores"]}
            n = size = 0
    if n:
        yield batch, size


# ---------------------------------------------------------------- writers

#: Tab and every character ``str.splitlines`` breaks on: a space in TSV cells.
_TSV_BREAKS = {c: " " for c in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)}


def _tsv_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).translate(_TSV_BREAKS)


def write_jsonl(part: Path, out: Path, **_) -> None:
    with atomic_path(out) as tmp:
        shutil.copyfile(part, tmp)


def write_tsv(part: Path, out: Path, *, langs, filters, **_) -> None:
    cols = columns(langs)
    with atomic_path(out) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write("\t".join(cols + [f"score.{name}" for name in filters]) + "\n")
            for rec, _ in _records(part):
                s = rec.get("scores", {})
                cells = [rec.get(c) for c in cols] + [s.get(name) for name in filters]
                f.write("\t".join(_tsv_cell(v) for v in cells) + "\n")


def write_parquet(part: Path, out: Path, *, langs, filters, metadata: dict, **_) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(langs, filters).with_metadata({"mtfix": json.dumps(metadata, ensure_ascii=False)})
    with atomic_path(out) as tmp:
        with pq.ParquetWriter(str(tmp), schema) as writer:
            for batch, _ in _batches(part, langs, filters):
                writer.write_table(pa.Table.from_pydict(batch, schema=schema))


def write_hf(part: Path, out: Path, *, langs, filters, metadata: dict, **_) -> None:
    """The layout of ``Dataset.save_to_disk`` (``data-*.arrow`` shards written by
    datasets' own ArrowWriter, ``dataset_info.json``, ``state.json``), written
    batch by batch, so ``datasets.load_from_disk`` reads it and memory stays flat."""
    import datasets
    import pyarrow as pa
    from datasets.arrow_writer import ArrowWriter

    schema = arrow_schema(langs, filters)
    features = datasets.Features.from_arrow_schema(schema)
    digest = hashlib.blake2b(digest_size=8)
    with atomic_dir(out) as tmp:
        shards: list[Path] = []
        writer = None
        size = 0
        for batch, nbytes in _batches(part, langs, filters):
            if writer is None or size >= SHARD_BYTES:
                if writer is not None:
                    writer.finalize()
                    writer.close()
                shards.append(tmp / f"shard-{len(shards)}.arrow")
                writer = ArrowWriter(features=features, path=str(shards[-1]))
                size = 0
            writer.write_table(pa.Table.from_pydict(batch, schema=schema))
            size += nbytes
        if writer is None:  # no rows: one empty shard, as save_to_disk writes
            shards.append(tmp / "shard-0.arrow")
            writer = ArrowWriter(features=features, path=str(shards[-1]))
        writer.finalize()
        writer.close()
        names = []
        for k, shard in enumerate(shards):
            name = f"data-{k:05d}-of-{len(shards):05d}.arrow"
            os.replace(shard, tmp / name)
            names.append(name)
        with open(part, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        state = {
            "_data_files": [{"filename": n} for n in names],
            "_fingerprint": digest.hexdigest(),
            "_format_columns": None,
            "_format_kwargs": {},
            "_format_type": None,
            "_output_all_columns": False,
            "_split": None,
        }
        (tmp / "state.json").write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
        from datasets.utils.py_utils import asdict

        info = asdict(datasets.DatasetInfo(
            description=json.dumps({"mtfix_corpus": metadata}, ensure_ascii=False), features=features))
        info = {k: info[k] for k in sorted(info)}
        (tmp / "dataset_info.json").write_text(json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8")


_WRITERS = {"jsonl": write_jsonl, "tsv": write_tsv, "parquet": write_parquet, "hf": write_hf}


def write_output(spec: OutputSpec, part: Path, *, langs, filters: list[str], metadata: dict) -> None:
    """Make ``spec`` from the records in ``part`` (JSON lines)."""
    try:
        _WRITERS[spec.format](part, spec.path, langs=langs, filters=filters, metadata=metadata)
    except OSError as e:
        raise MtfixError(f"cannot write {spec.path}: {e.strerror or e}") from None
