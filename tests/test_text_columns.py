"""mtfix.text.columns: a column's words, numbers, punctuation and Latin letters, found in C,
equal what Python's own regular expressions find in each text, for every kind of character."""

from __future__ import annotations

import random
import re

import numpy as np

from mtfix.text.columns import PUNCT_KINDS, analyse, distinct, row_sets

#: every class the scan tells apart, and the characters at the edges of each range
ALPHABET = (list("abcXYZ'’") + ["\u0620", "\u0621", "\u0640", "\u064a", "\u064b", "\u065f", "\u0660", "\u0669",
                                 "\u066a", "\u066f", "\u0670", "\u0671", "\u06d3", "\u06d4", "\u06f0", "\u06f9",
                                 "\u07c0", "\u0966", "\uff10", "\U0001d7ce", "\U0001f600", "\ufdfa", "\ufefb",
                                 "é", "ß", "\u212a", "\u0130", "\udc80", "\x00"]
            + list("0123456789 \t\n-.,;") + [c for chars in PUNCT_KINDS.values() for c in chars]
            + ["\u2018", "\u201a", "\u00ab", "\u061f", "\u060c"])


def generated(seed: int, count: int) -> list[str]:
    """Random texts; with an odd seed, no lone surrogate (a column with one is encoded apart)."""
    rng = random.Random(seed)
    alphabet = [c for c in ALPHABET if seed % 2 == 0 or c != "\udc80"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30))) for _ in range(count)]


def expected(texts, arabic):
    word = re.compile(r"[\u0621-\u065f\u0670-\u06d3]+" if arabic else r"[A-Za-z'’]+")
    return ([word.findall(t) for t in texts], [re.findall(r"\d+", t) for t in texts],
            [{k for k, chars in PUNCT_KINDS.items() if any(c in t for c in chars)} for t in texts],
            [i for i, t in enumerate(texts) if arabic and re.search("[A-Za-z]", t)])


def found(col):
    words = [[] for _ in range(col.n)]
    texts = col.words()
    assert len(texts) == len(col.word_rows) == len(col.word_keys) and all(texts)
    assert len(col.long_words) == (col.word_keys == 0).sum() and all(w.__class__ is bytes for w in col.long_words)
    for r, w in zip(col.word_rows.tolist(), texts):
        words[r].append(w)
    numbers = [[] for _ in range(col.n)]
    for r, k in zip(col.number_rows.tolist(), col.number_keys.tolist()):
        numbers[r].append(k)
    kinds = list(PUNCT_KINDS)
    punct = [{kinds[b] for b in range(len(kinds)) if m >> b & 1} for m in col.punct.tolist()]
    return words, numbers, punct, col.latin_rows.tolist()


FOLD = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def same(col, texts, arabic):
    """``found(col)`` is ``expected(texts, arabic)``, numbers compared through their keys: one key
    per distinct number once Arabic-Indic and Persian digits are read as ASCII."""
    words, numbers, punct, latin = found(col)
    want_words, want_numbers, want_punct, want_latin = expected(texts, arabic)
    assert (words, punct, latin) == (want_words, want_punct, want_latin)
    assert list(map(len, numbers)) == list(map(len, want_numbers))
    pairs = {(k, t.translate(FOLD)) for ks, ts in zip(numbers, want_numbers) for k, t in zip(ks, ts)}
    assert len({k for k, _ in pairs}) == len({t for _, t in pairs}) == len(pairs)  # a bijection
    odd = [t for k, t in pairs if k < 0]
    assert sorted(odd) == sorted(set(col.odd_numbers)) and all(col.odd_numbers[-1 - k] == t for k, t in pairs if k < 0)
    return True


def test_the_scan_finds_what_the_regular_expressions_find_in_every_text():
    for seed in range(40):
        texts = generated(seed, 60)
        for arabic in (False, True):
            assert same(analyse(texts, arabic), texts, arabic), seed


def test_numbers_long_and_in_every_script():
    texts = ["007 7 0٠7 ٧ ۷ 7", "12345678901234567 123456789012345678 1234567890123456789012", "߁߂ 12 ١٢ १२ 𝟏𝟐",
             "9" * 17 + " " + "9" * 18 + " ٩" * 3, "3.14 3,14 ٣٫١٤"]
    col = analyse(texts, False)
    assert same(col, texts, False)
    keys = [k for k in col.number_keys.tolist()]
    assert keys[0] == keys[2] != keys[1] == keys[3] == keys[4] == keys[5]  # "0٠7" is "007", "٧" "7"
    assert sorted(col.odd_numbers) == sorted(["123456789012345678", "1234567890123456789012", "߁߂", "१२", "𝟏𝟐",
                                              "9" * 18])


def test_real_lines_empty_columns_and_empty_texts():
    texts = ["The 3 ships' crews (12) said: “no!”", "", "وصلت السفينة ٣ إلى NASA؟", "   ", "don’t rock'n'roll"]
    for arabic in (False, True):
        assert same(analyse(texts, arabic), texts, arabic)
        empty = analyse([], arabic)
        assert empty.n == 0 and found(empty) == ([], [], [], [])
        assert same(analyse(["", ""], arabic), ["", ""], arabic)


def test_row_sets_are_the_distinct_ids_of_each_row():
    rows = np.array([0, 0, 0, 1, 2, 2])
    ids = np.array([5, -1, 5, 7, -2, -1])  # -1: no id; -2: several
    keys = row_sets(rows, ids, 10, {4: (4, 5)})
    assert keys.tolist() == [5, 17, 24, 25]
    assert distinct(np.array([3, 1, 3, 2, 1])).tolist() == [1, 2, 3]


def test_texts_with_line_breaks_and_words_at_their_edges_stay_apart():
    """Each text ends with a line break in the column's buffer: a word at the end of one text and
    one at the start of the next are two runs, and a line break inside a text separates words."""
    texts = ["end", "start\nagain", "بداية", "نهاية\nسطر", "x", "", "y"]
    for arabic in (False, True):
        col = analyse(texts, arabic)
        assert same(col, texts, arabic)


def test_the_digit_runs_the_numbers_filter_reads_are_the_ones_analyse_finds():
    """The align filter takes each side's runs of digits from the chunk's Sides (one scan of the
    digits, shared with the numbers filter: Sides.digit_run_keys): the same rows, keys and odd texts
    as analyse's own, on random texts of digits of every kind (ASCII, Arabic-Indic, Persian,
    Devanagari, mathematical), long runs, separators and letters."""
    import random

    from mtfix.corpus.records import Pair
    from mtfix.corpus.sides import Sides

    rng = random.Random(2)
    alphabet = ["1", "2", "٣", "۵", "५", "\U0001d7d9", "12345678901234567890", " ", "x", "ب", ",", ".", "0", "é"]
    odd = 0
    columns = [["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(rng.randint(1, 6))]
               for _ in range(400)] + [generated(seed, 300) for seed in range(4)]  # every class, lone surrogates
    for texts in columns:
        rows, keys, texts_of_odd = Sides([Pair(t, "") for t in texts]).digit_run_keys(0)
        for arabic in (False, True):
            col = analyse(texts, arabic)
            assert rows.tolist() == col.number_rows.tolist() and keys.tolist() == col.number_keys.tolist()
            assert texts_of_odd == col.odd_numbers
        assert analyse(texts, False, numbers=False).number_keys.tolist() == []
        odd += len(texts_of_odd)
    assert odd > 100
