"""The align filter: misalignment without a model (FreeDict lexicon, anchors, neighbour lines)."""

from __future__ import annotations

import gzip
import json

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.corpus import Pair, build_filters, load_pipeline_config
from mtfix.corpus.align import AlignFilter, alignment, alignments
from mtfix.errors import MtfixError
from mtfix.text.lexicon import arabic_stem, dictionary_dir, english_stem, load_lexicon

from conftest import assert_one_line_error

needs_dict = pytest.mark.skipif(dictionary_dir() is None, reason="FreeDict not installed (make dictionaries)")

DOC = [  # one short document, in order
    ("The government approved the new school budget on Monday.",
     "وافقت الحكومة على ميزانية المدرسة الجديدة يوم الاثنين."),
    ("The ship arrived at the port with 300 passengers.", "وصلت السفينة إلى الميناء وعلى متنها 300 راكب."),
    ("Scientists said the water in the lake was polluted.", "قال العلماء إن الماء في البحيرة كان ملوثا."),
    ("The president will visit the city next week.", "سيزور الرئيس المدينة الأسبوع المقبل."),
]


def pairs(rows, source="doc.tsv"):
    return [Pair(en, ar, source=source, id=i) for i, (en, ar) in enumerate(rows)]


@needs_dict
def test_stems_meet_through_clitics_and_the_lexicon():
    lex = load_lexicon()
    assert arabic_stem("والحكومة") == arabic_stem("الحكومة") == arabic_stem("حكومة")
    assert arabic_stem("بالمدرسة") == arabic_stem("المدرسة")
    assert english_stem("governments") in lex.ar_en[arabic_stem("والحكومة")]
    assert arabic_stem("السفينة") in lex.en_ar[english_stem("ships")]


@needs_dict
def test_aligned_pairs_score_higher_than_their_neighbours():
    for i, (en, ar) in enumerate(DOC):
        own = alignment(en, ar)
        for j, (_, other) in enumerate(DOC):
            if j != i:
                assert own > alignment(en, other) + 0.1, (i, j)


@needs_dict
def test_off_by_one_lines_are_dropped_and_say_why():
    f = AlignFilter()
    clean = f.score(pairs(DOC))
    assert all(f.accept(s) for s in clean), clean
    shifted = [(en, DOC[(i + 1) % len(DOC)][1]) for i, (en, _) in enumerate(DOC)]
    got = f.score(pairs(shifted))
    assert not any(f.accept(s) for s in got[:-1]), got
    assert "fits the next line better" in got[0].reason or "fits the previous line better" in got[0].reason
    # not neighbours (another file, or ids apart): judged on the pair alone
    alone = f.score([Pair(en, ar, source=f"f{i}", id=i) for i, (en, ar) in enumerate(shifted)])
    assert all("fits" not in s.reason for s in alone)


def test_anchors_alone_without_a_dictionary():
    f = AlignFilter(dictionary="none")
    assert f.lexicon is None and f.notes == [] and f.signature()["lexicon"] == "none"
    good = Pair("NASA launched 3 rockets in 2021.", "أطلقت NASA ثلاثة صواريخ 3 في 2021.", id=0)
    bad = Pair("NASA launched 3 rockets in 2021.", "قال الوزير إن IBM ستفتح مكتبا في 1999؟", id=5)
    s_good, s_bad = f.score([good, bad])
    assert s_good.value > 0.5 and s_bad.value < 0.2 and f.accept(s_good)


def test_missing_dictionary_is_a_note_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MTFIX_DICT_DIR", str(tmp_path))
    filters, notes = build_filters(load_pipeline_config())
    assert "align" in [f.name for f in filters]
    (note,) = [n for n in notes if n.startswith("align:")]
    assert "apt-get install dict-freedict-ara-eng dict-freedict-eng-ara" in note
    src = tmp_path / "in.tsv"
    src.write_text("".join(f"{en}\t{ar}\n" for en, ar in DOC), encoding="utf-8")
    r = CliRunner().invoke(app, ["corpus", "filter", str(src), "-o", str(tmp_path / "out.jsonl")])
    assert r.exit_code == 0, r.output
    assert f"note: align: no FreeDict dictionary in MTFIX_DICT_DIR={tmp_path}" in r.output


def test_bad_dictionary_settings_are_one_line_errors(tmp_path):
    p = tmp_path / "p.toml"
    p.write_text(f'[filters.align]\ndictionary = "{tmp_path / "nowhere"}"\n', encoding="utf-8")
    with pytest.raises(MtfixError, match="no FreeDict files"):
        build_filters(load_pipeline_config(p))
    d = tmp_path / "broken"
    d.mkdir()
    (d / "freedict-ara-eng.index").write_text("word\tA\tZ\n", encoding="utf-8")
    (d / "freedict-ara-eng.dict.dz").write_bytes(b"not gzip")
    p.write_text(f'[filters.align]\ndictionary = "{d}"\n', encoding="utf-8")
    with pytest.raises(MtfixError, match="cannot read the FreeDict dictionary"):
        build_filters(load_pipeline_config(p))
    tsv = tmp_path / "in.tsv"  # a real bitext: the error must be the dictionary's, not the input's
    tsv.write_text("en\tar\nThe cat sleeps.\tالقط ينام.\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["corpus", "filter", str(tsv), "-o", str(tmp_path / "o.jsonl"), "--pipeline", str(p)])
    assert_one_line_error(r, "cannot read the FreeDict dictionary", not_written=[tmp_path / "o.jsonl"])


def test_a_small_dictd_folder_is_read(tmp_path):
    """The dictd format itself: base64 offsets into a gzip body."""
    body = "حكومة\ngovernment\nسفينة\nship\n".encode()
    b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    first = len("حكومة\ngovernment\n".encode())
    (tmp_path / "freedict-ara-eng.index").write_text(
        f"حكومة\tA\t{b64[first // 64]}{b64[first % 64]}\nسفينة\t{b64[first // 64]}{b64[first % 64]}\t"
        f"{b64[(len(body) - first) // 64]}{b64[(len(body) - first) % 64]}\n", encoding="utf-8")
    with gzip.open(tmp_path / "freedict-ara-eng.dict.dz", "wb") as f:
        f.write(body)
    lex = load_lexicon(tmp_path)
    assert lex.ar_en == {arabic_stem("حكومة"): {english_stem("government")},
                         arabic_stem("سفينة"): {english_stem("ship")}}
    f = AlignFilter(dictionary=str(tmp_path))
    assert f.lexicon is lex and json.dumps(f.signature())


@needs_dict
def test_lines_shuffled_at_random_are_caught_on_the_dictionary_alone(shared_data):
    """No neighbour to compare with (each pair its own source): the pair's own alignment decides."""
    import random

    from test_corpus_noise import clean_pairs

    rows = clean_pairs(shared_data)
    rng = random.Random(1)
    perm = list(range(len(rows)))
    rng.shuffle(perm)
    f = AlignFilter()
    clean = f.score([Pair(en, ar, source=str(i), id=2 * i) for i, (en, ar) in enumerate(rows)])
    wrong = f.score([Pair(rows[i][0], rows[j][1], source=str(i), id=2 * i) for i, j in enumerate(perm) if i != j])
    caught = sum(not f.accept(s) for s in wrong) / len(wrong)
    dropped = sum(not f.accept(s) for s in clean) / len(clean)
    assert caught >= 0.4 and dropped <= 0.003, (caught, dropped)


def test_anchors_alone_catch_some_neighbours_and_spare_clean_pairs(shared_data):
    """Without a dictionary (dictionary = "none", or none installed): numbers, Latin words and
    punctuation only, with the wider anchors_margin."""
    from test_corpus_noise import noisy_bitext

    rows, kinds = noisy_bitext(shared_data)
    f = AlignFilter(dictionary="none")
    scores = f.score([Pair(en, ar, source="noisy.tsv", id=i) for i, (en, ar) in enumerate(rows)])
    flagged = {k: sum(not f.accept(s) for s, kk in zip(scores, kinds) if kk == k) for k in ("clean", "misaligned")}
    assert flagged["misaligned"] / kinds.count("misaligned") >= 0.35, flagged
    assert flagged["clean"] / kinds.count("clean") <= 0.001, flagged


@needs_dict
def test_the_lexicon_is_cached_on_disk_and_equals_the_one_built_from_the_dictd_files(tmp_path, monkeypatch):
    """The first process builds the lexicon (seconds) and caches it under $XDG_CACHE_HOME/mtfix;
    the next ones read it (hundredths of a second). A damaged or unwritable cache is rebuilt/ignored."""
    import mtfix.text.lexicon as lx

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    d = str(dictionary_dir())
    lx._load.cache_clear()
    built = lx.load_lexicon()
    (cache,) = (tmp_path / "cache" / "mtfix").glob("lexicon-*.marshal")
    lx._load.cache_clear()
    monkeypatch.setattr(lx, "_build", lambda *a: pytest.fail("built again instead of read from the cache"))
    cached = lx.load_lexicon()
    assert "ar_en" not in vars(cached) and "en_ar" not in vars(cached)  # read on first use: a run needs the index
    assert cached is not built and (cached.ar_en, cached.en_ar, cached.source) == (built.ar_en, built.en_ar,
                                                                                 built.source)
    # the index (ids and arrays) comes from the cache too, and equals one built from the lexicon
    fresh, kept = lx.LexiconIndex(cached), cached.index()
    assert (fresh.ar_ids, fresh.en_ids, fresh.en_ptr.tolist()) == (kept.ar_ids, kept.en_ids, kept.en_ptr.tolist())
    assert all(set(fresh.en_to_ar[a:b].tolist()) == set(kept.en_to_ar[a:b].tolist())
               for a, b in zip(fresh.en_ptr[:-1].tolist(), fresh.en_ptr[1:].tolist()))
    assert kept is cached.index() and kept.english["governments"] == kept.en_ids[english_stem("governments")]
    # the two directions mirror each other (the align filter relies on it)
    assert all(a in cached.en_ar[e] for a, es in cached.ar_en.items() for e in es)
    assert sum(map(len, cached.ar_en.values())) == sum(map(len, cached.en_ar.values()))
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    import marshal

    with open(cache, "rb") as f:  # the dicts (the file's second half) damaged after the index was read
        head = marshal.load(f)
    lx._load.cache_clear()
    early = lx.load_lexicon()
    cache.write_bytes(cache.read_bytes()[:head[2]] + b"damaged")
    assert early.ar_en == built.ar_en and early.en_ar == built.en_ar  # built again
    cache.write_bytes(b"damaged")
    lx._load.cache_clear()
    assert lx.load_lexicon().ar_en == built.ar_en and cache.read_bytes() != b"damaged"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    (tmp_path / "file").write_text("not a folder")
    lx._load.cache_clear()
    assert lx.load_lexicon(d).ar_en == built.ar_en  # no cache possible: built, no error
    lx._load.cache_clear()


def _mixed_pairs(shared_data, seed: int, count: int):
    """Real sentences cut and mixed with every kind of character the chunk scan tells apart, in
    runs of neighbours (consecutive ids) broken by gaps and changes of source."""
    import random

    from test_text_columns import ALPHABET

    en = (shared_data / "flores200-devtest/eng_Latn.txt").read_text(encoding="utf-8").splitlines()
    ar = (shared_data / "flores200-devtest/arb_Arab.txt").read_text(encoding="utf-8").splitlines()
    extra = ["NASA", "U.S.-based", "K-9", "١٢٣", "۱۲۳", "123", "dog's'cat", "don’t", "(", "“", "؟", "\U0001d7cf"]
    rng = random.Random(seed)

    def text(lines):
        words = rng.choice(lines).split()[:rng.randrange(0, 25)]
        for _ in range(rng.randrange(0, 4)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(extra + ALPHABET))
        return " ".join(words)

    k = rng.randrange(len(en))
    rows = [(en[(k + i) % len(en)], ar[(k + i) % len(ar)]) if rng.random() < 0.5 else (text(en), text(ar))
            for i in range(count)]
    ids = [i + (i // 7) * 3 * (seed % 2) for i in range(count)]  # odd seeds: gaps every 7 lines
    return [Pair(e, a, source=f"s{i // 11}", id=ids[i]) for i, (e, a) in enumerate(rows)]


@pytest.mark.parametrize("dictionary", ["", "none"])
def test_the_chunk_scores_equal_the_reference_code_on_mixed_text(shared_data, dictionary):
    """Every value and reason of the whole-chunk filter equals the code as it was (one pair and
    one side at a time, tests/reference_impl.py), with English first or Arabic first."""
    import reference_impl as ref

    if dictionary == "" and dictionary_dir() is None:
        pytest.skip("FreeDict not installed")
    for seed in range(6):
        pairs = _mixed_pairs(shared_data, seed, 150)
        for langs in (("en", "ar"), ("ar", "en")):
            f = AlignFilter(dictionary=dictionary, langs=langs)
            chunk = pairs if langs[0] == "en" else [Pair(p.tgt, p.src, source=p.source, id=p.id) for p in pairs]
            assert f.score(chunk) == ref.align_score(f, chunk), (seed, langs)
    f = AlignFilter(dictionary=dictionary)
    assert f.score([]) == []
    one = pairs[:1]
    assert f.score(one) == ref.align_score(f, one)
    if dictionary == "":  # one pair alone, and many (in chunks of 7): no neighbours
        alone = [ref.align_score(f, [p])[0].value for p in pairs]
        assert [round(alignment(p.src, p.tgt), 4) for p in pairs[:20]] == alone[:20]
        got = alignments([p.tgt for p in pairs], [p.src for p in pairs], langs=("ar", "en"), chunk=7)
        assert [round(v, 4) for v in got] == alone


@needs_dict
def test_any_shift_is_the_alignment_with_that_other_line(shared_data):
    """chunk_alignment's (matched, known) for the English of line i and the Arabic of line i + d,
    for shifts beyond the neighbours too, equal the pair made of those two sides alone."""
    from mtfix.corpus.align import chunk_alignment

    pairs = _mixed_pairs(shared_data, 3, 40)
    en, ar = [p.src for p in pairs], [p.tgt for p in pairs]
    lex = load_lexicon()
    got = chunk_alignment(en, ar, lex, shifts=(-3, 0, 2))
    for d, (matched, known) in got.items():
        for i in range(max(0, -d), min(len(en), len(en) - d)):
            one = chunk_alignment([en[i]], [ar[i + d]], lex)[0]
            assert (matched[i], known[i]) == (one[0][0], one[1][0]), (d, i)


@needs_dict
def test_the_runs_of_a_chunk_get_the_ids_of_their_stems_one_by_one(shared_data):
    """LexiconIndex.ids_of (the new runs of a chunk stemmed in one call of the stemmer) gives each
    run the id that ``index.english[run]`` / ``index.arabic[run]`` (run by run) gives, and leaves
    the token memos as that path leaves them; English runs with apostrophes and an empty run too."""
    from mtfix.text import columns
    from mtfix.text import lexicon as lx

    index = load_lexicon().index()
    en = (shared_data / "flores200-devtest/eng_Latn.txt").read_text(encoding="utf-8").splitlines()[:400]
    ar = (shared_data / "flores200-devtest/arb_Arab.txt").read_text(encoding="utf-8").splitlines()[:400]
    utf8 = {False: [w.encode() for w in columns.analyse(en, arabic=False).words() + ["rock'n'roll", "'", "don’t", "o'clock's"]],
            True: [w.encode() for w in columns.analyse(ar, arabic=True).words()]}
    runs = {k: [w.decode() for w in words] + [""] for k, words in utf8.items()}

    def clear():
        for memo in (lx._EN_STEMS, lx._AR_STEMS, index.english, index.arabic, index.english_utf8, index.arabic_utf8):
            memo.clear()

    clear()
    one_by_one = {k: [(index.arabic if k else index.english)[r] for r in words] for k, words in runs.items()}
    memos = dict(lx._EN_STEMS), dict(lx._AR_STEMS)
    clear()
    assert {k: index.ids_of(words, arabic=k) for k, words in runs.items()} == one_by_one
    assert (dict(lx._EN_STEMS), dict(lx._AR_STEMS)) == memos
    clear()
    assert {k: index.ids_of_utf8(words, arabic=k).tolist() for k, words in utf8.items()} == {
        k: ids[:-1] for k, ids in one_by_one.items()}  # the same ids by the runs' bytes (no empty run there)
    assert (dict(lx._EN_STEMS), dict(lx._AR_STEMS)) == memos
    assert {k: index.ids_of_utf8(words, arabic=k).tolist() for k, words in utf8.items()} == {
        k: ids[:-1] for k, ids in one_by_one.items()}  # and again, from the memo
    assert len(set(one_by_one[True]) - {-1, -2}) > 100  # most runs are known words
    for k, texts in ((False, en), (True, ar)):  # runs packed as integers: the same ids, new and seen
        col = columns.analyse(texts, arabic=k)
        packed = col.word_keys != 0
        assert packed.mean() > 0.5 and col.long_words
        want = [(index.arabic if k else index.english)[w] for w, p in zip(col.words(), packed.tolist()) if p]
        for _ in range(2):
            got = index.ids_of_packed(col.word_keys[packed], lambda keys: columns.unpack(keys, k), arabic=k)
            assert got.tolist() == want


@needs_dict
def test_the_lexicon_cache_is_read_where_it_cannot_be_memory_mapped(tmp_path, monkeypatch):
    """The cache is read through a memory map (marshal.load on a file called readinto per stem: a
    quarter of a one-pair run); where mmap fails (a file system without it) the file is read whole,
    still without building the lexicon again."""
    import mmap

    import mtfix.text.lexicon as lx

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lx._load.cache_clear()
    built = lx.load_lexicon()
    lx._load.cache_clear()

    def no_mmap(*a, **k):
        raise OSError("no mmap here")

    monkeypatch.setattr(mmap, "mmap", no_mmap)
    monkeypatch.setattr(lx, "_build", lambda *a: pytest.fail("built again instead of read from the cache"))
    cached = lx.load_lexicon()
    assert cached.index().en_ids == built.index().en_ids and cached.ar_en == built.ar_en
    lx._load.cache_clear()
