"""The filters on a noisy bitext built from FLORES-200 devtest + NTREX-128.

Noise injected into the 3009 clean pairs (each noisy pair has exactly one
kind): adjacent lines swapped (misalignment), sides swapped (Arabic in the
English column), wrong language (an untranslated English copy in the Arabic
column), a number changed on the Arabic side, an empty side, an NMT loop,
exact and normalised duplicates of a clean pair inserted later, markup
(HTML tags on both sides, HTML entities also double-escaped, symbol junk),
letters lost to U+FFFD, and mojibake (UTF-8 read as cp1252/Latin-1). The run goes
through the real reader, runner and writers (TSV in, JSONL out). Recall is
per noise kind; precision is per filter (of the pairs a filter rejects, the
share that were injected noise). The round-trip chrF filter is measured
apart, on FLORES, with a back-translation "model" that is a lookup of a real
system's published ar->en output.

Run ``python tests/test_corpus_noise.py`` to print the table.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from mtfix.corpus import CorpusRun, load_pipeline_config, open_bitext, parse_output
from mtfix.text.lexicon import dictionary_dir
from mtfix.text.numbers import compare_numbers

KINDS = ("misaligned", "swapped-sides", "wrong-language", "changed-number", "empty", "loop", "duplicate-exact",
         "duplicate-normalised", "markup", "replacement-char", "mojibake")
#: the filter meant to catch each kind (misalignment: align without a model, roundtrip_chrf with one)
TARGET = {"misaligned": "align", "swapped-sides": "script", "wrong-language": "script",
          "changed-number": "numbers", "empty": "empty", "loop": "repetition", "duplicate-exact": "dedup",
          "duplicate-normalised": "dedup", "markup": "markup", "replacement-char": "markup", "mojibake": "markup"}
_AR_DIGITS = "٠١٢٣٤٥٦٧٨٩"


def clean_pairs(data: Path) -> list[tuple[str, str]]:
    pairs = []
    for en, ar in (("flores200-devtest/eng_Latn.txt", "flores200-devtest/arb_Arab.txt"),
                   ("ntrex128/eng.txt", "ntrex128/arb.txt")):
        E = (data / en).read_text(encoding="utf-8").splitlines()
        A = (data / ar).read_text(encoding="utf-8").splitlines()
        assert len(E) == len(A)
        pairs += list(zip(E, A))
    return pairs


def _change_number(ar: str, rng: random.Random) -> str | None:
    m = list(re.finditer(r"[0-9٠-٩]+", ar))
    if not m:
        return None
    m = rng.choice(m)
    d = m.group()[-1]
    if d in _AR_DIGITS:
        new = _AR_DIGITS[(_AR_DIGITS.index(d) + rng.randint(1, 8)) % 10]
    else:
        new = str((int(d) + rng.randint(1, 8)) % 10)
    return ar[:m.end() - 1] + new + ar[m.end():]


def _loop(text: str, rng: random.Random) -> str:
    words = text.split()
    n = rng.randint(1, min(4, len(words)))
    i = rng.randint(0, len(words) - n)
    unit = words[i:i + n]
    return " ".join(words[:i + n] + unit * rng.randint(4, 8) + words[i + n:])


def _normalised_copy(en: str, ar: str, rng: random.Random) -> tuple[str, str]:
    ar2 = ar.translate(str.maketrans("0123456789", _AR_DIGITS))
    ar2 = ar2.replace("أ", "ا", 1).replace("ة", "ة", 1)
    words = ar2.split(" ")
    k = rng.randrange(len(words))
    if len(words[k]) > 2:
        words[k] = words[k][:2] + "ـ" + words[k][2:]  # tatweel
    ar2 = " ".join(words).replace("ال", "الْ", 1)  # a sukun
    en2 = en.lower() if rng.random() < 0.5 else en.upper()
    en2 = en2.replace(" ", "  ", 1).rstrip(".")
    return en2, ar2


_TAGS = (("<b>", "</b>"), ("<span class=\"hl\">", "</span>"), ("<a href=\"https://example.org/x?id=3\">", "</a>"),
         ("<p>", "</p>"), ("<em>", "</em>"), ("<i>", "</i>"))
_ENTITIES = ("&nbsp;", "&amp;nbsp;", "&#160;", "&amp;lt;span&amp;gt;", "&lt;br&gt;", "&quot;", "&#39;", "&amp;amp;")
_JUNK = ("■■■", "□ □ □", "\ue000\ue001\ue002", "▓▓▓▓", "◆◆◆", "☐☐☐")


def _wrap_words(text: str, rng: random.Random, opening: str, closing: str) -> str:
    words = text.split(" ")
    i = rng.randrange(len(words))
    j = min(len(words), i + rng.randint(1, 3))
    return " ".join(words[:i] + [opening + " ".join(words[i:j]) + closing] + words[j:])


def _markup(en: str, ar: str, rng: random.Random) -> tuple[str, str]:
    """HTML tags on both sides, HTML entities (also double-escaped), or symbol junk."""
    how = rng.choice(("tags", "entities", "junk"))
    if how == "tags":
        if rng.random() < 0.3:
            return f"<p>{en}</p>", f"<p>{ar}</p>"
        tag = rng.choice(_TAGS)
        return _wrap_words(en, rng, *tag), _wrap_words(ar, rng, *tag)
    if how == "entities":
        sides = [en, ar]
        for k in {rng.randrange(2), rng.randrange(2)}:
            words = sides[k].split(" ")
            i = rng.randrange(1, len(words)) if len(words) > 1 else 0
            sides[k] = " ".join(words[:i]) + rng.choice(_ENTITIES) + " ".join(words[i:])
        return sides[0], sides[1]
    junk = rng.choice(_JUNK)
    k = rng.randrange(2)
    sides = [en, ar]
    words = sides[k].split(" ")
    words.insert(rng.randint(0, len(words)), junk)
    sides[k] = " ".join(words)
    return sides[0], sides[1]


def _replacement_chars(text: str, rng: random.Random) -> str:
    """1 to 3 letters lost to U+FFFD (bytes decoded with errors="replace")."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    for i in rng.sample(letters, min(len(letters), rng.randint(1, 3))):
        text = text[:i] + "\ufffd" + text[i + 1:]
    return text


def _mojibake(en: str, ar: str, rng: random.Random) -> tuple[str, str]:
    """UTF-8 read as cp1252 (or Latin-1): the Arabic side, or both."""
    codec = rng.choice(("cp1252", "latin-1"))
    bad = ar.encode("utf-8").decode(codec, errors="replace" if codec == "cp1252" else "strict")
    return (en, bad) if rng.random() < 0.7 else (en.replace("'", "’").encode("utf-8").decode("cp1252", "replace"), bad)


def noisy_bitext(data: Path, seed: int = 6) -> tuple[list[tuple[str, str]], list[str]]:
    """The noisy pairs in order, and the kind of each ("clean" or a noise kind)."""
    rng = random.Random(seed)
    pairs = [list(p) for p in clean_pairs(data)]
    kinds = ["clean"] * len(pairs)
    free = list(range(len(pairs)))
    rng.shuffle(free)

    def take(k):
        got, free[:] = free[:k], free[k:]
        return got

    # misalignment: swap the Arabic of two adjacent lines (off by one, same document)
    taken = set()
    for i in sorted(free):
        if len(taken) >= 120:
            break
        if i in taken or i + 1 in taken or i + 1 not in free or not (i % 7 == 3):
            continue
        pairs[i][1], pairs[i + 1][1] = pairs[i + 1][1], pairs[i][1]
        kinds[i] = kinds[i + 1] = "misaligned"
        taken |= {i, i + 1}
    free[:] = [i for i in free if i not in taken]
    for i in take(40):
        pairs[i] = [pairs[i][1], pairs[i][0]]
        kinds[i] = "swapped-sides"
    for i in take(60):
        pairs[i][1] = pairs[i][0]
        kinds[i] = "wrong-language"
    with_numbers = [i for i in free if compare_numbers(*pairs[i]).matched]
    for i in with_numbers[:80]:
        changed = _change_number(pairs[i][1], rng)
        pairs[i][1] = changed
        kinds[i] = "changed-number"
        free.remove(i)
    for i in take(50):
        side = rng.choice((0, 1, 2))
        if side == 2:
            pairs[i] = ["", ""]
        else:
            pairs[i][side] = rng.choice(("", " ", "."))
        kinds[i] = "empty"
    for i in take(50):
        pairs[i][1] = _loop(pairs[i][1], rng)
        kinds[i] = "loop"
    out = [(tuple(p), k) for p, k in zip(pairs, kinds)]
    # duplicates of clean pairs, inserted after their original
    for kind, k in (("duplicate-exact", 60), ("duplicate-normalised", 60)):
        for i in take(k):
            copy = tuple(pairs[i]) if kind == "duplicate-exact" else _normalised_copy(*pairs[i], rng)
            pos = next(j for j, (p, _) in enumerate(out) if p == tuple(pairs[i]))
            out.insert(rng.randint(pos + 1, len(out)), (copy, kind))
    # markup and encoding damage (drawn last, so the kinds above are the same pairs as before)
    where = {p: j for j, (p, k) in enumerate(out) if k == "clean"}
    damage = (("markup", 90, lambda en, ar: _markup(en, ar, rng)),
              ("replacement-char", 40, lambda en, ar: (en, _replacement_chars(ar, rng)) if rng.random() < 0.6
               else (_replacement_chars(en, rng), ar)),
              ("mojibake", 40, lambda en, ar: _mojibake(en, ar, rng)))
    for kind, k, make in damage:
        for i in take(k):
            j = where[tuple(pairs[i])]
            out[j] = (make(*pairs[i]), kind)
    return [p for p, _ in out], [k for _, k in out]


def write_tsv(path: Path, pairs) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for en, ar in pairs:
            f.write(f"{en}\t{ar}\n")


def evaluate(records: list[dict], kinds: list[str], filter_names: list[str]) -> dict:
    """Recall per noise kind, precision per filter, overall figures."""
    dropped = {r["line"]: r for r in records if not r["kept"]}
    failed = {r["line"]: r["reason"] for r in records if not r["kept"]}
    by_kind = defaultdict(lambda: {"n": 0, "dropped": 0, "by": Counter()})
    flagged = defaultdict(lambda: Counter())
    for r in records:
        kind = kinds[r["line"] - 1]
        k = by_kind[kind]
        k["n"] += 1
        if not r["kept"]:
            k["dropped"] += 1
            first = failed[r["line"]].split(":", 1)[0]
            k["by"][first] += 1
        for name in filter_names:
            if not _accepts(r, name):
                flagged[name][kind] += 1
    noisy = sum(v["n"] for k, v in by_kind.items() if k != "clean")
    tp = sum(v["dropped"] for k, v in by_kind.items() if k != "clean")
    return {
        "kinds": {k: {"n": v["n"], "recall": v["dropped"] / v["n"], "by": dict(v["by"])} for k, v in by_kind.items()},
        "filters": {name: {"flagged": sum(c.values()),
                           "precision": 1 - c["clean"] / sum(c.values()) if sum(c.values()) else None,
                           "kinds": dict(c)} for name, c in flagged.items()},
        "precision": tp / len(dropped) if dropped else None,
        "recall": tp / noisy,
        "clean_dropped": by_kind["clean"]["dropped"],
        "clean": by_kind["clean"]["n"],
    }


def _accepts(record: dict, name: str) -> bool:
    return name not in record["reason_filters"]


def run_pipeline(tmp: Path, pairs, *, back_translate=None, pipeline: Path | None = None) -> tuple[list[dict], list]:
    src = tmp / "noisy.tsv"
    write_tsv(src, pairs)
    config = load_pipeline_config(pipeline)
    run = CorpusRun(open_bitext([src], langs=config.langs, order=("en", "ar")), config,
                    [parse_output(tmp / "kept.jsonl")], dropped=parse_output(tmp / "dropped.jsonl"),
                    back_translate=back_translate, back_model_name="lookup")
    result = run.run()
    records = []
    for name in ("kept.jsonl", "dropped.jsonl"):
        for line in (tmp / name).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            r["reason_filters"] = {part.split(":", 1)[0] for part in r["reason"].split("; ") if part}
            records.append(r)
    records.sort(key=lambda r: r["id"])
    return records, [f["name"] for f in result.signature.fields["filters"]]


def lookup_back_translator(data: Path, system: str = "facebook__nllb-200-distilled-600M"):
    """ar->en "model": the published FLORES output of a real system; unknown text is copied."""
    ar = (data / "flores200-devtest/arb_Arab.txt").read_text(encoding="utf-8").splitlines()
    en = (data / f"systems/flores200-devtest.ara-eng/{system}.txt").read_text(encoding="utf-8").splitlines()
    table = dict(zip(ar, en))
    calls = []

    def back_translate(texts):
        calls.append(len(texts))
        return [table.get(t, t) for t in texts]

    back_translate.calls = calls
    return back_translate


@pytest.fixture(scope="module")
def noisy(shared_data):
    return noisy_bitext(shared_data)


@pytest.fixture(scope="module")
def report(noisy, tmp_path_factory):
    pairs, kinds = noisy
    records, names = run_pipeline(tmp_path_factory.mktemp("noise"), pairs)
    assert len(records) == len(pairs)
    return evaluate(records, kinds, names)


def test_noise_is_what_it_says(noisy):
    pairs, kinds = noisy
    counts = Counter(kinds)
    assert counts["clean"] > 2400 and all(counts[k] >= 40 for k in KINDS), counts
    for (en, ar), kind in zip(pairs, kinds):
        if kind == "changed-number":
            assert compare_numbers(en, ar).missing
        if kind == "duplicate-normalised":
            assert (en, ar) not in pairs[:pairs.index((en, ar))]


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "misaligned"])
def test_each_noise_kind_is_caught(report, kind):
    k = report["kinds"][kind]
    assert k["recall"] >= 0.95, (kind, k)
    assert max(k["by"], key=k["by"].get) in (TARGET[kind], "empty", "length_ratio", "script"), k


def test_filters_rarely_drop_clean_pairs(report):
    assert report["clean_dropped"] / report["clean"] < 0.01, report["clean_dropped"]
    assert report["precision"] > 0.97
    for name in ("empty", "script", "numbers", "repetition", "dedup"):
        assert report["filters"][name]["precision"] >= 0.95, (name, report["filters"][name])


@pytest.mark.skipif(dictionary_dir() is None, reason="FreeDict not installed (make dictionaries)")
def test_without_a_model_misalignment_is_mostly_caught(report):
    # the align filter (FreeDict overlap, anchors, neighbour lines): >= 70% caught, <= 0.5% clean dropped by it
    k = report["kinds"]["misaligned"]
    assert k["recall"] >= 0.7, k
    f = report["filters"]["align"]
    assert f["kinds"].get("clean", 0) / report["clean"] <= 0.005, f
    assert f["kinds"]["misaligned"] / k["n"] >= 0.7, f


def test_markup_and_encoding_damage_is_caught_by_markup(report):
    for kind in ("markup", "replacement-char", "mojibake"):
        assert report["filters"]["markup"]["kinds"][kind] == report["kinds"][kind]["n"], (kind, report["filters"])
    assert report["filters"]["markup"]["kinds"].get("clean", 0) <= 1  # the stray <seg id="1"> in NTREX


def misaligned_flores(data: Path, seed: int = 7):
    """FLORES with 60 adjacent pairs of lines swapped (120 misaligned pairs)."""
    rng = random.Random(seed)
    E = (data / "flores200-devtest/eng_Latn.txt").read_text(encoding="utf-8").splitlines()
    A = (data / "flores200-devtest/arb_Arab.txt").read_text(encoding="utf-8").splitlines()
    pairs, kinds = [list(p) for p in zip(E, A)], ["clean"] * len(E)
    for i in sorted(rng.sample(range(0, len(E) - 1, 2), 60)):
        pairs[i][1], pairs[i + 1][1] = pairs[i + 1][1], pairs[i][1]
        kinds[i] = kinds[i + 1] = "misaligned"
    return [tuple(p) for p in pairs], kinds


def roundtrip_evaluation(data: Path, tmp: Path):
    pairs, kinds = misaligned_flores(data)
    bt = lookup_back_translator(data)
    records, names = run_pipeline(tmp, pairs, back_translate=bt)
    return evaluate(records, kinds, names), bt


@pytest.fixture(scope="module")
def roundtrip_report(shared_data, tmp_path_factory):
    return roundtrip_evaluation(shared_data, tmp_path_factory.mktemp("roundtrip"))


def test_roundtrip_chrf_catches_misalignment(roundtrip_report):
    report, bt = roundtrip_report
    assert bt.calls and max(bt.calls) <= 1000  # one call per chunk
    assert report["kinds"]["misaligned"]["recall"] >= 0.95, report["kinds"]["misaligned"]
    f = report["filters"]["roundtrip_chrf"]
    assert f["precision"] >= 0.9, f
    assert report["clean_dropped"] / report["clean"] < 0.03


def test_the_readme_table_is_this_run(report):
    """The README's `mtfix corpus` table, for the rows without a model, is this test's run: recall, the
    filters that caught each kind first, and the clean pairs dropped."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## `mtfix corpus`"):readme.index("## At scale")]
    rows = {r.split("|")[1].strip(): [c.strip() for c in r.strip().strip("|").split("|")]
            for r in section.splitlines() if r.startswith("| ") and not r.startswith("| noise kind")}
    for label, kind in [("misaligned (next line's target), no model", "misaligned"), ("U+FFFD (1–3 letters lost)",
                        "replacement-char"), ("mojibake (UTF-8 read as cp1252/Latin-1)", "mojibake")]:
        k = report["kinds"][kind]
        by = ", ".join(f"{n} {c}" for n, c in sorted(k["by"].items(), key=lambda x: -x[1]))
        cells = rows[label]
        assert (cells[1], cells[3].strip("*")) == (str(k["n"]), f"{k['recall']:.3f}"), (label, cells, k)
        assert cells[4].split(" (")[0] == (by if kind == "misaligned" else by.split(",")[0]), (label, cells, by)
    markup = next(v for key, v in rows.items() if key.startswith("markup"))
    assert (markup[1], markup[3].strip("*")) == (str(report["kinds"]["markup"]["n"]),
                                                 f"{report['kinds']['markup']['recall']:.3f}")
    clean = rows[f"clean pairs dropped (of {report['clean']})"]
    assert clean[3] == f"{report['clean_dropped']} ({100 * report['clean_dropped'] / report['clean']:.2f}%)", clean
    assert f"align {report['filters']['align']['precision']:.3f}" in " ".join(section.split())


def table(report: dict, rt: dict | None = None) -> str:
    rows = ["| noise | pairs | recall | caught first by | target filter | precision of target filter |",
            "|---|---|---|---|---|---|"]
    for kind in KINDS:
        k = report["kinds"][kind]
        target = TARGET[kind]
        src = report
        if kind == "misaligned" and rt is not None:
            rows.append(_row(kind + " (no model)", k, target, report))
            k, src, target = rt["kinds"][kind], rt, "roundtrip_chrf"
            kind += " (round trip)"
        rows.append(_row(kind, k, target, src))
    rows.append(f"| clean pairs dropped | {report['clean']} | {report['clean_dropped']} "
                f"({100 * report['clean_dropped'] / report['clean']:.2f}%) | | | |")
    rows.append(f"| **all noise** | | {report['recall']:.3f} | | | overall precision {report['precision']:.3f} |")
    return "\n".join(rows)


def _row(kind, k, target, report) -> str:
    by = ", ".join(f"{n} {c}" for n, c in sorted(k["by"].items(), key=lambda x: -x[1]))
    f = report["filters"].get(target)
    prec = f"{f['precision']:.3f} ({f['flagged']} flagged)" if f and f["precision"] is not None else "n/a"
    return f"| {kind} | {k['n']} | {k['recall']:.3f} | {by} | {target} | {prec} |"


if __name__ == "__main__":  # pragma: no cover - prints the table for the README
    import tempfile

    data = Path(__file__).resolve().parents[2] / "shared" / "data"
    with tempfile.TemporaryDirectory() as d:
        pairs, kinds = noisy_bitext(data)
        (Path(d) / "a").mkdir()
        (Path(d) / "b").mkdir()
        records, names = run_pipeline(Path(d) / "a", pairs)
        rep = evaluate(records, kinds, names)
        rt, _ = roundtrip_evaluation(data, Path(d) / "b")
        print(json.dumps(rep["filters"], indent=1))
        print(json.dumps(rt["filters"], indent=1))
        print(table(rep, rt))
        # before issue 15: the same noise without the markup and align filters
        (Path(d) / "c").mkdir()
        before = Path(d) / "before.toml"
        before.write_text("[filters.markup]\nenabled = false\n[filters.align]\nenabled = false\n", encoding="utf-8")
        records, names = run_pipeline(Path(d) / "c", pairs, pipeline=before)
        old = evaluate(records, kinds, names)
        print("| noise | pairs | before (no markup/align filters) | after |\n|---|---|---|---|")
        for kind in KINDS:
            print(f"| {kind} | {rep['kinds'][kind]['n']} | {old['kinds'][kind]['recall']:.3f} "
                  f"| {rep['kinds'][kind]['recall']:.3f} |")
        print(f"| clean pairs dropped | {rep['clean']} | {old['clean_dropped']} | {rep['clean_dropped']} |")
