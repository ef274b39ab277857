"""The input of a Ray run as shards: planned by the driver, read by the cluster.

A shard is a run of whole chunks (``shard_chunks`` x ``chunk_size`` input
items, the last one shorter), so every chunk, and with it every filter that
looks at a pair's neighbours (``align``), is exactly the local runner's.

:func:`plan_shards` makes one quick pass over the input in the driver with
the source's own reader (no filter runs): it notes the reader cursor where
each shard starts, how many items and pairs it holds, so that each pair's id
(its index among the pairs of the whole input) is known before any task
runs, and it stops at the first unreadable row without ``--skip-bad`` with
the local runner's message. A source that can seek (TSV, JSONL, two plain
files, a Parquet file, a Hugging Face dataset dir, several of them in turn) is then read
again by the tasks, each from its own cursor, in parallel: the driver sends
only cursors. A source that cannot seek cheaply (``corpus build``'s repaired
articles) is written into the work dir shard by shard during the pass, and
the tasks read those files.

:func:`read_shard` (task side) gives the shard's chunks of
:class:`~mtfix.corpus.records.Pair` (ids set) and
:class:`~mtfix.corpus.records.BadRow`, in input order.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from mtfix.corpus.readers import (ChainSource, HFDatasetSource, JsonlSource, ParquetSource, PlainPairSource, Source,
                                  TsvSource)
from mtfix.corpus.records import BadRow, Pair

__all__ = ["Shard", "plan_shards", "read_shard", "seekable", "SHARD_CHUNKS", "item_row", "row_item", "absolute_cwd"]

#: chunks per shard by default (10,000 pairs with the default --chunk-size)
SHARD_CHUNKS = 10


@dataclass
class Shard:
    index: int
    cursor: dict | None  # the source cursor where the shard starts (None: the start)
    items: int  # input items (pairs and unreadable rows)
    pairs: int
    first_id: int  # id of its first pair
    end: dict | None  # the cursor after its last item
    file: str | None = None  # its items, written by the driver (a source that cannot seek)

    def to_dict(self) -> dict:
        return asdict(self)


def seekable(source: Source) -> bool:
    """Whether tasks can read ``source`` from a cursor themselves (cheaply, no model)."""
    if isinstance(source, ChainSource):
        return all(seekable(s) for s in source.sources)
    return isinstance(source, (TsvSource, JsonlSource, PlainPairSource, HFDatasetSource, ParquetSource))


def item_row(item) -> list:
    if isinstance(item, BadRow):
        return ["b", item.source, item.line, item.error, item.raw]
    p = item
    return ["p", p.src, p.tgt, p.source, p.line, p.segment, p.doc_id, p.original]


def row_item(row: list):
    if row[0] == "b":
        return BadRow(*row[1:])
    return Pair(*row[1:])


def plan_shards(source: Source, cursor: dict | None, *, chunk_size: int, shard_chunks: int, first_index: int,
                first_id: int, inline_dir: Path | None, on_bad: Callable[[BadRow], None],
                items: Iterable | None = None) -> Iterator[Shard]:
    """Shards from ``cursor`` on (see the module docstring). ``on_bad`` sees every unreadable
    row (it raises when they are not skipped); ``inline_dir``: where the items of a source
    that cannot seek are written (``input-NNNNN.jsonl``); ``items``: the source's
    ``(item, cursor)`` stream when it was read elsewhere (articles repaired on actors)."""
    per_shard = chunk_size * shard_chunks
    inline = not seekable(source) or items is not None
    stream = source.read(cursor) if items is None else items
    index, next_id = first_index, first_id
    start, items, pairs, out = cursor, 0, 0, None
    end = cursor
    for item, end in stream:
        if isinstance(item, BadRow):
            on_bad(item)
        else:
            pairs += 1
        if inline:
            if out is None:
                path = inline_dir / f"input-{index:05d}.jsonl"
                out = open(path, "w", encoding="utf-8")
            out.write(json.dumps(item_row(item), ensure_ascii=False) + "\n")
        items += 1
        if items >= per_shard:
            yield _close(index, start, items, pairs, next_id, end, out, inline_dir)
            index, next_id, start, items, pairs, out = index + 1, next_id + pairs, end, 0, 0, None
    if items:
        yield _close(index, start, items, pairs, next_id, end, out, inline_dir)


def _close(index, start, items, pairs, first_id, end, out, inline_dir) -> Shard:
    file = None
    if out is not None:
        out.close()
        file = str(inline_dir / f"input-{index:05d}.jsonl")
    return Shard(index, start, items, pairs, first_id, end, file)


def read_shard(source: Source, shard: Shard, chunk_size: int) -> Iterator[list]:
    """The shard's chunks (lists of pairs and bad rows, ``chunk_size`` items each), pair ids set."""
    if shard.file is not None:
        def items():
            with open(shard.file, encoding="utf-8") as f:
                for line in f:
                    yield row_item(json.loads(line))
    else:
        def items():
            for item, _ in itertools.islice(source.read(shard.cursor), shard.items):
                yield item
    next_id = shard.first_id
    chunk: list = []
    for item in items():
        if isinstance(item, Pair):
            item.id = next_id
            next_id += 1
        chunk.append(item)
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
    if next_id - shard.first_id != shard.pairs:
        raise RuntimeError(f"shard {shard.index}: the input changed while it was read "
                           f"({next_id - shard.first_id} pairs, planned {shard.pairs})")


def absolute_cwd() -> str:
    """The driver's working folder: tasks run there (relative input paths, as given, stay valid)."""
    return os.getcwd()
