"""The round-trip filter of a Ray run on an actor pool.

Each actor (``map_batches`` with a callable class, ``concurrency=N``) gets a
copy of the run's back-translator (:func:`mtfix.engine.back_translator`,
the one back-translator through the translation cache) with nothing loaded
yet; the model loads on the actor's first cache miss and stays loaded for
every shard the actor scores: once per actor. With ``--device cuda`` each
actor asks Ray for one GPU (``num_gpus=1``), so there are as many actors as
the cluster has GPUs (or ``--workers``, if fewer); on CPU each takes one CPU.
The round trip is scored chunk by chunk with the same filter class as
locally, so each translation batch, and so each score, is the local one's.
"""

from __future__ import annotations

import json
import os
import uuid

__all__ = ["RoundTripActor", "RepairActor", "actor_resources", "portable_back_translator", "portable_source",
           "actor_count"]


def actor_resources(device: str | None) -> dict:
    """What each back-translation actor asks Ray for: one GPU on CUDA, else one CPU."""
    if device and str(device).startswith("cuda"):
        return {"num_gpus": 1, "num_cpus": 1}
    return {"num_cpus": 1}


def actor_count(ray, device: str | None, workers: int | None, shards: int) -> int:
    """Actors in the pool: one per GPU on CUDA (one per CPU otherwise), at most ``workers`` and the shards."""
    total = ray.cluster_resources()
    have = int(total.get("GPU", 0)) if "num_gpus" in actor_resources(device) else int(total.get("CPU", 1))
    n = max(1, have)
    if workers:
        n = min(n, workers)
    return max(1, min(n, shards))


def _portable_translator(t):
    """A cached translator with its model not loaded and its cache not opened (an actor opens
    both itself); any other translator as it is."""
    from mtfix.engine.cache import CachedTranslator, TranslationCache

    if not isinstance(t, CachedTranslator):
        return t
    cache = None if t.cache is None else TranslationCache(t.cache.path)
    return CachedTranslator(key=t.key, load=t.load, cache=cache, plan=t.plan)


def portable_back_translator(back):
    """A copy of ``back`` that Ray can ship to an actor (see :func:`_portable_translator`);
    any other callable is shipped as it is."""
    from mtfix.engine.back import BackTranslator

    if not isinstance(back, BackTranslator):
        return back
    return BackTranslator(_portable_translator(back.translator), src=back.src, tgt=back.tgt, options=back.options,
                          name=back.name)


def portable_source(source):
    """A copy of an :class:`~mtfix.corpus.articles.ArticleSource` that Ray can ship to an actor."""
    import copy

    out = copy.copy(source)
    out.back = [(name, _portable_translator(t)) for name, t in source.back]
    out.forward = [(name, _portable_translator(t)) for name, t in source.forward]
    return out


def _count_loads(actor, translators) -> None:
    """Count the model loads of ``translators`` (cached ones load on their first miss)."""
    for t in translators:
        load = getattr(t, "load", None)
        if callable(load):
            def counted(load=load):
                actor.loads += 1
                return load()

            t.load = counted


class RoundTripActor:
    """``map_batches`` callable class: shards in (their scores so far), round-trip scores added,
    the scored shard written; returns each shard's counts and this actor's model loads."""

    def __init__(self, *, back, config, model_name: str, work: str, cwd: str, names: list[str], dedup: list[str]):
        from mtfix.corpus.filters import FILTERS, RoundTripChrfFilter

        if os.path.isdir(cwd):
            os.chdir(cwd)
        self.id = uuid.uuid4().hex[:12]
        self.loads = 0
        _count_loads(self, [getattr(back, "translator", None)])
        # only the round-trip filters of the pipeline (the others ran in the tasks)
        self.filters = [FILTERS[s.type](name=s.name, langs=config.langs, back_translate=back, model_name=model_name,
                                        **s.params)
                        for s in config.filters if issubclass(FILTERS[s.type], RoundTripChrfFilter)]
        self.work = work
        self.names, self.dedup, self.langs = names, dedup, config.langs  # what write_scored needs

    def __call__(self, batch):
        from mtfix.corpus.ray_runner import write_scored

        out = []
        for text in batch["doc"]:
            doc = json.loads(str(text))
            for chunk in doc["chunks"]:
                entries = [e for e in chunk if "p" in e]
                pairs = [_pair(e) for e in entries]
                for f in self.filters:
                    for e, s in zip(entries, f.score(pairs) if pairs else []):
                        e["s"][f.name] = [s.value, s.reason]
                        if not f.accept(s):
                            e["f"].append(f.name)
            out.append(json.dumps(write_scored(self.work, doc["shard"], doc["chunks"], names=self.names,
                                               dedup=self.dedup, langs=self.langs)))
        return {"meta": out, "actor": [self.id] * len(out), "loads": [self.loads] * len(out)}


class RepairActor:
    """``map_batches`` callable class for ``corpus build``: article numbers in, the article's
    items (pairs of pivot English and repaired Arabic, or an unreadable article) out, in the
    order :class:`~mtfix.corpus.articles.ArticleSource` reads them; the repair models load once
    per actor."""

    def __init__(self, *, source, cwd: str):
        if os.path.isdir(cwd):
            os.chdir(cwd)
        self.id = uuid.uuid4().hex[:12]
        self.loads = 0
        self.source = source
        _count_loads(self, [t for _, t in source.back + source.forward])

    def __call__(self, batch):
        import copy

        from mtfix.corpus.ray_read import item_row

        out = []
        for i in batch["doc"]:
            one = copy.copy(self.source)
            one.articles = [self.source.articles[int(i)]]
            out.append(json.dumps([item_row(item) for item, _ in one.read(None)], ensure_ascii=False))
        return {"items": out, "actor": [self.id] * len(out), "loads": [self.loads] * len(out)}


def _pair(entry: dict):
    from mtfix.corpus.records import Pair

    p = Pair(*entry["p"][1:])
    p.id = entry["id"]
    return p
