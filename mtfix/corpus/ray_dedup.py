"""De-duplication of a Ray run on the cluster: hash-partitioned, deterministic.

Locally, a dedup filter walks the pairs in input order and remembers the keys
of each pair it keeps (its exact key and its normalised key): a later pair
sharing either key with a remembered one is a duplicate of it. The exact key
is a digest of the text and the normalised key a digest of a function of the
same text, so equal exact keys mean equal normalised keys; the pairs
remembered are therefore, for each normalised key, the first pair with that
key that passed every other filter ("seen" means "seen and kept"), and a
pair is a duplicate exactly when that first pair comes before it. (With
``normalize = "none"`` the exact key plays both parts.)

On Ray that is one hash-partitioned shuffle: the pairs' keys are grouped by
normalised key (``groupby(...).map_groups``, hash shuffle), each group sorted
by pair id finds its first kept pair and marks the later ones duplicates of
it (``exact`` when their exact keys are equal, else ``normalised``); each
block of verdicts is written next to the scores, one file per shard
(``dedup-<filter>-<shard>-<digest of the content>.json``, duplicates only). The result does not
depend on how the input was split or in which order the tasks ran, and equals
the local runner's, reasons included. Several dedup filters run one after the
other, each seeing the verdicts of those before it, as locally.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["dedup_on_cluster", "verdict_files", "load_verdicts", "scored_path"]


def verdict_files(work: Path, j: int, shard: int | None = None) -> list[Path]:
    """The files holding dedup filter ``j``'s duplicates in shard ``shard`` (every shard: None)."""
    return sorted(Path(work).glob(f"dedup-{j}-{'*' if shard is None else f'{shard:05d}'}-*.json"))


def load_verdicts(work: Path, j: int, shard: int) -> dict[int, tuple[int, str]]:
    """``{pair id: (id of the pair it repeats, "exact" | "normalised")}`` for shard ``shard``."""
    out = {}
    for p in verdict_files(work, j, shard):
        out.update((int(k), (v[0], v[1])) for k, v in json.loads(p.read_text(encoding="utf-8")).items())
    return out


def scored_path(work: Path, shard: int) -> Path:
    return Path(work) / f"scored-{shard:05d}.jsonl"


def _key_rows(batch, *, work: str, j: int, name: str):
    """Task: the shards' pairs as rows (normalised key, exact key, id, shard, passed so far)."""
    import pandas as pd

    rows = {"key": [], "exact": [], "id": [], "shard": [], "ok": []}
    for shard in batch["shard"]:
        shard = int(shard)
        earlier = [load_verdicts(Path(work), i, shard) for i in range(j)]
        with open(scored_path(Path(work), shard), encoding="utf-8") as f:
            for line in f:
                e = json.loads(line)
                if "p" not in e:
                    continue
                keys = e["k"][name]
                rows["key"].append(keys[-1][1])
                rows["exact"].append(keys[0][1])
                rows["id"].append(e["id"])
                rows["shard"].append(shard)
                rows["ok"].append(not e["f"] and not any(e["id"] in v for v in earlier))
    return pd.DataFrame({"key": pd.Series(rows["key"], dtype=object),
                         "exact": pd.Series(rows["exact"], dtype=object),
                         "id": pd.Series(rows["id"], dtype="int64"),
                         "shard": pd.Series(rows["shard"], dtype="int64"),
                         "ok": pd.Series(rows["ok"], dtype=bool)})


def _first_of_kind(group):
    """One normalised key's pairs: every pair after its first kept one is its duplicate."""
    import pandas as pd

    group = group.sort_values("id", kind="stable")
    kept = group[group["ok"]]
    of, kind = [-1] * len(group), [""] * len(group)
    if len(kept):
        first, exact = int(kept["id"].iloc[0]), kept["exact"].iloc[0]
        for k, (i, e) in enumerate(zip(group["id"], group["exact"])):
            if int(i) > first:
                of[k], kind[k] = first, "exact" if e == exact else "normalised"
    return pd.DataFrame({"shard": group["shard"].to_numpy(), "id": group["id"].to_numpy(),
                         "of": pd.Series(of, dtype="int64").to_numpy(),
                         "kind": pd.Series(kind, dtype=object).to_numpy()})


def _write_verdicts(batch, *, work: str, j: int):
    """A block of verdicts: its duplicates, one file per shard they belong to, named by their content
    (the same verdicts give the same file, whichever task writes it)."""
    import hashlib

    from mtfix.outputs import atomic_write_text

    by_shard: dict[int, dict] = {}
    for shard, i, o, k in zip(batch["shard"], batch["id"], batch["of"], batch["kind"]):
        if int(o) >= 0:
            by_shard.setdefault(int(shard), {})[int(i)] = [int(o), str(k)]
    for shard, dups in by_shard.items():
        text = json.dumps({str(i): dups[i] for i in sorted(dups)})
        digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        atomic_write_text(Path(work) / f"dedup-{j}-{shard:05d}-{digest}.json", text)
    return {"dups": [sum(len(d) for d in by_shard.values())]}


def dedup_on_cluster(work: Path, shards: list[int], dedup_names: list[str], *, partitions: int) -> dict[str, int]:
    """Run every dedup filter over the scored shards in ``work``; duplicates per filter."""
    import ray.data
    from ray.data.context import DataContext, ShuffleStrategy

    ctx = DataContext.get_current()
    ctx.shuffle_strategy = ShuffleStrategy.HASH_SHUFFLE
    counts = {}
    for j, name in enumerate(dedup_names):
        for p in verdict_files(work, j):  # verdicts of an earlier attempt: made again
            p.unlink()
        ds = ray.data.from_items([{"shard": s} for s in shards], override_num_blocks=max(1, len(shards)))
        ds = ds.map_batches(_key_rows, fn_kwargs={"work": str(work), "j": j, "name": name}, batch_size=1,
                            batch_format="pandas")
        ds = ds.groupby("key", num_partitions=partitions).map_groups(_first_of_kind, batch_format="pandas")
        ds = ds.map_batches(_write_verdicts, fn_kwargs={"work": str(work), "j": j}, batch_size=None,
                            batch_format="numpy")
        counts[name] = int(sum(r["dups"] for r in ds.take_all()))
    return counts
