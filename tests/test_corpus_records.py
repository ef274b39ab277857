"""Record.to_json writes a record's JSON line without building the dict, and json_lines a chunk's
lines without making the records: both must be exactly ``dumps(record.to_dict(langs))``
(json.dumps, ensure_ascii=False, line breaks escaped)."""

from __future__ import annotations

import json
import math
import random

from mtfix.corpus.records import FilterScore, Pair, Record, dumps, json_lines

_ODD = ["", "plain", "quote \" and \\ backslash", "tab\tnew\nline", "\x00\x1f\x7f control", "\x85 NEL",
        "\u2028\u2029 separators", "عربي مع تشكيل", "emoji 😀 and astral 𝔘", "\ud800 lone surrogate", "é" * 3]
_VALUES = [0, 1, -3, 2**60, 0.5, 1.0, 2.0000001, 1e-7, 1e300, -0.0, float("nan"), float("inf"), True, False, 0.12345678]


def _record(rng: random.Random, names: list[str]) -> Record:
    pair = Pair(rng.choice(_ODD), rng.choice(_ODD), source=rng.choice(_ODD), line=rng.randint(0, 10**6),
                segment=rng.randint(0, 50), doc_id=rng.choice([None, *_ODD]), original=rng.choice([None, *_ODD]),
                id=rng.randint(0, 10**9))
    scores = {n: FilterScore(rng.choice(_VALUES), rng.choice(_ODD)) for n in names}
    return Record(pair, scores, [n for n in names if rng.random() < 0.3])


def test_to_json_is_dumps_of_to_dict_on_odd_records():
    rng = random.Random(5)
    for langs in [("en", "ar"), ("ar", "en"), ("src", "tgt"), ("en", "en"), ("id", "ar"), ("é\n", "\u2028")]:
        for _ in range(300):
            names = rng.sample(["empty", "score\"x", "ب", "dedup", "a\u2028b", "n"], rng.randint(0, 6))
            r = _record(rng, names)
            assert r.to_json(langs) == dumps(r.to_dict(langs))
            got = json.loads(r.to_json(langs))
            assert len(r.to_json(langs).splitlines()) == 1
            assert got["kept"] is r.kept and got["reason"] == r.reason
            for n, s in r.scores.items():
                v = got["scores"][n]
                assert (math.isnan(v) and math.isnan(s.value)) or v == s.value or abs(v - s.value) < 1e-4


def test_json_lines_of_a_chunk_are_dumps_of_each_record():
    rng = random.Random(7)
    for langs in [("en", "ar"), ("ar", "en"), ("src", "tgt"), ("en", "en"), ("id", "ar"), ("é\n", "\u2028")]:
        for _ in range(20):
            names = rng.sample(["empty", "score\"x", "ب", "dedup", "a\u2028b", "n"], rng.randint(0, 6))
            records = [_record(rng, names) for _ in range(rng.randint(0, 40))]
            scores = {n: [r.scores[n] for r in records] for n in names}
            got = json_lines([r.pair for r in records], names, scores, [r.failed for r in records], langs)
            assert got == [dumps(r.to_dict(langs)) for r in records]
