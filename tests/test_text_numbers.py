"""Numbers: extraction across digit systems, source/candidate comparison, garbled MT forms."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtfix.text.numbers import compare_numbers, extract_numbers, find_garbled_numbers
from mtfix.text.read import read_text

TO_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _summary(text):
    return [(m.kind, m.values, m.surface) for m in extract_numbers(text)]


def test_seed_garbled_numbers(seed_path):
    text = read_text(seed_path)
    found = {g.kind: g for g in find_garbled_numbers(text)}
    comma = found["arabic-comma-thousands"]
    assert comma.surface == "20 ، 000" and comma.value == 20000 and comma.suggestion == "20,000"
    assert text[comma.start:comma.end] == "20 ، 000"
    pct = found["spaced-percent"]
    assert pct.surface == "100 ٪" and pct.value == 100 and pct.suggestion == "100٪"
    rng = found["lost-range"]
    assert rng.surface == "14,000 18,000" and rng.values == (14000, 18000)
    assert len(found) == 3  # 2014 ، / 7.7 / 600 / 2000 / 3000 are fine


@pytest.mark.parametrize("text, expected", [
    ("20,000 and 7.7 and 1.000.000", [("number", (20000,), "20,000"), ("number", (7.7,), "7.7"),
                                      ("number", (1e6,), "1.000.000")]),
    ("٢٠٬٠٠٠ و٧٫٧", [("number", (20000,), "٢٠٬٠٠٠"), ("number", (7.7,), "٧٫٧")]),
    ("100% and ١٠٠٪ and 3.5 percent", [("percent", (100,), "100%"), ("percent", (100,), "١٠٠٪"),
                                       ("percent", (3.5,), "3.5 percent")]),
    ("7.7 million, 7.7 مليون, 4 ملايين", [("number", (7.7e6,), "7.7 million"),
                                        ("number", (7.7e6,), "7.7 مليون"), ("number", (4e6,), "4 ملايين")]),
    ("the 2014-2015 season", [("range", (2014, 2015), "2014-2015")]),
    ("between 14,000 and 18,000", [("range", (14000, 18000), "14,000 and 18,000")]),
    ("بين 14,000 و18,000 ومن ٥ إلى ١٠", [("range", (14000, 18000), "14,000 و18,000"),
                                       ("range", (5, 10), "٥ إلى ١٠")]),
    ("3 and 4, 1,2,3", [("number", (3,), "3"), ("number", (4,), "4"), ("number", (1,), "1"),
                        ("number", (2,), "2"), ("number", (3,), "3")]),
    ("ال78 COVID-19 802.11n 2014.", [("number", (78,), "78"), ("number", (19,), "19"),
                                    ("number", (802.11,), "802.11"), ("number", (2014,), "2014")]),
    ("لا أرقام هنا", []),
])
def test_extract(text, expected):
    assert _summary(text) == expected


@pytest.mark.parametrize("text, kind, value, suggestion", [
    ("من ٢٠ ، ٠٠٠ شخص", "arabic-comma-thousands", 20000, "٢٠٬٠٠٠"),
    ("1،000،000", "arabic-comma-thousands", 1e6, "1,000,000"),
    ("20 , 000 people", "spaced-thousands", 20000, "20,000"),
    ("20 000 people", "spaced-thousands", 20000, "20,000"),
    ("نسبة 12.5 %", "spaced-percent", 12.5, "12.5%"),
    ("بنسبة ٪100 فقط", "percent-before-number", 100, "100٪"),
    ("بين 14,000 18,000 مسلح", "lost-range", 14000, None),
    ("(م 1000 1300).", "lost-range", 1000, None),
])
def test_garbled_kinds(text, kind, value, suggestion):
    (g,) = find_garbled_numbers(text)
    assert (g.kind, g.value, g.suggestion) == (kind, value, suggestion)
    assert text[g.start:g.end] == g.surface


@pytest.mark.parametrize("text", [
    "في عام 2014 ، تم", "20,000 and 7.7", "100% of 50٪", "on May 5 2019", "between 3 and 5", "في 5, 200 شخص",
    "على الرقم 111 555 0800", "call 0800 555", "(م 1000–1300)",
])
def test_not_garbled(text):
    assert find_garbled_numbers(text) == []


def test_compare_numbers():
    src = "Between 14,000 and 18,000 fighters, 7.7 million people, 100% of 20,000 civilians."
    good = compare_numbers(src, "بين ١٤٬٠٠٠ و١٨٬٠٠٠ مقاتل و٧٫٧ مليون نسمة و١٠٠٪ من ٢٠٬٠٠٠ مدني")
    assert good.score == 1.0 and not good.missing and not good.extra and len(good.matched) == 5
    bad = compare_numbers(src, "بين 14,000 18,000 و7.7 مليون 100 ٪ من 20 ، 000")
    assert [m.value for m in bad.missing] == [20000]
    assert [m.surface for m in bad.extra] == ["20", "000"]
    assert bad.changed[0][0].value == 20000
    assert bad.score == pytest.approx(8 / 11)
    assert compare_numbers("no numbers", "لا أرقام").score == 1.0
    assert compare_numbers("5 cats", "قطط").score == 0.0
    assert compare_numbers("3 and 3", "3").to_dict()["missing"][0]["value"] == 3


_NUMBERY = st.lists(st.one_of(
    st.integers(0, 10**9).map(str),
    st.integers(0, 10**6).map(lambda n: f"{n:,}"),
    st.tuples(st.integers(0, 999), st.integers(0, 99)).map(lambda t: f"{t[0]}.{t[1]}"),
    st.sampled_from([" ", "%", " %", "٪", " مليون", " million", "-", " و", " and ", " ، ", "بين ", "من ", " إلى ",
                     "between ", "نص", "text", ",", ".", "\n"]),
), max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(_NUMBERY, st.sampled_from([TO_ARABIC, TO_PERSIAN]))
def test_extraction_invariant_under_digit_system(text, table):
    converted = text.translate(table)
    key = lambda ms: [(m.kind, m.values, m.start, m.end) for m in ms]  # noqa: E731
    assert key(extract_numbers(converted)) == key(extract_numbers(text))
    gkey = lambda gs: [(g.kind, g.values, g.start, g.end) for g in gs]  # noqa: E731
    assert gkey(find_garbled_numbers(converted)) == gkey(find_garbled_numbers(text))
    assert compare_numbers(text, converted).score == 1.0


@settings(max_examples=200, deadline=None)
@given(_NUMBERY)
def test_spans_point_into_text(text):
    for m in extract_numbers(text):
        assert text[m.start:m.end] == m.surface
        for p in m.parts:
            assert text[p.start:p.end] == p.surface
    for g in find_garbled_numbers(text):
        assert text[g.start:g.end] == g.surface


def test_number_values_are_the_atoms_of_extract_numbers(shared_data):
    """number_values (the corpus numbers filter's shortcut) reads every text as extract_numbers."""
    from mtfix.text.numbers import extract_numbers, number_values

    lines = [line for p in sorted(shared_data.rglob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()]
    odd = ["3-5 million", "between 3 and 5", "بين 3 و5", "٢٠٬٠٠٠ و ١٫٥ مليار", "50% 50 per cent", "1.000.000",
           "12:00 1200", "5%3", "۱۲۳ ۴۵", "x 7 thousand", "١٠ - ٢٠٪", "1,234.5 billion and 2"]
    texts = [t for t in lines if any(c.isdigit() for c in t)] + odd
    assert len(texts) > 2500
    assert [number_values(t) for t in texts] == [[a.value for m in extract_numbers(t) for a in m.atoms()]
                                                 for t in texts]


def test_the_numbers_filter_shortcut_keeps_first_fit_matching():
    """Equal value lists take the shortcut only when first-fit matching pairs them all: values
    close to each other (math.isclose) but different go the long way, as before."""
    from mtfix.corpus import Pair
    from mtfix.corpus.filters import NumbersFilter

    f = NumbersFilter()
    # a ~ b and b ~ c (within 1e-9) but not a ~ c: first-fit takes b for a and leaves c without a match
    close = Pair("1000000000.8 and 1000000000.0 and 1000000001.6", "1000000001.6 and 1000000000.8 and 1000000000.0")
    same = Pair("3 of 5 and 7", "7 و 5 و 3")
    got = f.score([close, same])
    assert got[1].value == 0 and got[1].reason == "3 agree"
    from mtfix.text.numbers import compare_numbers, unexplained_numbers

    comp = compare_numbers(close.src, close.tgt)
    missing, _ = unexplained_numbers(comp.missing, comp.extra, close.src, close.tgt)
    assert got[0].value == len(missing) == 1


def test_number_values_of_a_whole_chunk_equal_number_values_of_each_text():
    """The corpus numbers filter reads the values of a chunk's texts from their runs of digits found
    at once (Sides.number_values -> number_values_at): the same lists as number_values, on texts
    made of every kind of digit (ASCII, Arabic-Indic, Persian, Devanagari, astral), separators,
    signs, scale and percent words, spaces and line breaks."""
    import random

    from mtfix.corpus.records import Pair
    from mtfix.corpus.sides import Sides
    from mtfix.text.numbers import number_values

    rng = random.Random(3)
    alphabet = ["0", "7", "٣", "۵", "५", "𝟘", ",", ".", "٫", "٬", "%", "٪", " ", "\u00a0", "\t", "\u202f", "-", "–", "\n", "و",
                "1234567890123456", "99999999999999999999", "t", "M", " Thousand", " bn", " Per cent", " في المئة", "ف",
                " million", " مليون", " ألف", " per cent", " بالمئة", "between ", "بين ", " and ", "x", "ب"]
    for _ in range(300):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25))) for _ in range(rng.randint(1, 12))]
        pairs = [Pair(t, t[::-1]) for t in texts]
        s = Sides(pairs)
        assert s.number_values(0) == [number_values(t) for t in texts]
        assert s.number_values(1) == [number_values(t[::-1]) for t in texts]


def test_the_mentions_of_a_whole_chunk_lie_where_extract_numbers_finds_them():
    """Sides.numbers reads decimals (12.5, ١٫٥), A,B without a thousands group (12,5, 2024,10),
    thousands groups, percent signs and a number before a word that begins no scale or percent
    word (5 people) with numpy, not the regular expression: the same values, and the same surfaces
    (Sides.number_spans), as the atoms of extract_numbers, on texts dense in such forms next to
    thousands groups, 1.000.000, ranges, signs and scale words."""
    import random

    from mtfix.corpus.records import Pair
    from mtfix.corpus.sides import Sides
    from mtfix.text.numbers import extract_numbers

    rng = random.Random(11)
    alphabet = ["12", "7", "123", "1234", "٣٤", "۵", "५", ",", ".", "٫", "٬", ".5", ",5", ",123", ".123", ",12", "%",
                " ", "-", " million", " ألف", " per cent", "x", "99999999", "1234567890123", "0.1", "3.14159",
                "between ", " and ", "\n", ",123,456", "٬٣٤٥", " %", "٪", ".25%", "1,234,567.5", "  %", "\u00a0%", " people", " Thousand",
                " THOUSANDS", " millionaire", " per", " cent", " percentage", " في", " في المئة", " فيه", " مليون",
                " مليونا", " tHOUSAND", " \u212aelvin", " bN", " b", " 5th"]
    dec = 0
    for _ in range(600):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(rng.randint(1, 10))]
        s = Sides([Pair(t, t) for t in texts])
        values, owner, _ = s.numbers(0)
        starts, ends = s.number_spans(0)
        base = s.batch(0).starts[owner]
        got = [[] for _ in texts]
        for v, i, a, b in zip(values.tolist(), owner.tolist(), (starts - base).tolist(), (ends - base).tolist()):
            got[i].append((v, texts[i][a:b]))
        want = [[(a.value, a.surface) for m in extract_numbers(t) for a in m.atoms()] for t in texts]
        assert got == want
        dec += sum("." in x or "٫" in x for g in got for _, x in g)
    assert dec > 500


def test_the_numbers_filter_compares_a_table_by_value_with_numpy_as_before(monkeypatch):
    """A side with more than MAX_PAIRED numbers is compared by value only: from the chunk's arrays
    (NumbersFilter._by_value_at) the same scores and reasons, changed surfaces included, as the
    mention by mention comparison."""
    import random

    from mtfix.corpus import sides
    from mtfix.corpus.filters import NumbersFilter
    from mtfix.corpus.records import Pair

    rng = random.Random(8)
    f = NumbersFilter()

    def table(n):
        return " ".join(rng.choice([str(rng.randint(0, 50)), f"{rng.randint(0, 9)}.{rng.randint(0, 99)}", "1,000",
                                    "2.5 million", "٣٤٥", "10%", "3-5", "1234567890123", "0.30000000000000004",
                                    "1e9", "999999999.5"]) for _ in range(n))
    pairs = []
    for _ in range(40):
        a = table(rng.randint(101, 300))
        b = rng.choice([a, a[::-1], table(rng.randint(90, 300)), " ".join(rng.sample(a.split(), len(a.split())))])
        pairs.append(Pair(a, b))
    with sides.shared(pairs):
        fast = f.score(pairs)
    monkeypatch.setattr(sides, "VECTORISED", False)
    slow = f.score(pairs)
    assert fast == slow
    assert sum(s.value > 0 for s in fast) > 10 and sum(s.value == 0 for s in fast) > 3
    assert all("compared by value only" in s.reason for s in fast)


def test_numbers_filter_judges_a_chunk_at_once_as_each_pair_on_its_own(monkeypatch):
    """The numbers filter takes "the same values, none close to another" of a whole chunk from numpy
    (Sides.numbers_agree): the same scores and reasons as sorting each pair's number_values, on
    random pairs dense in separators, signs, scale words, long runs and values 1e-9 apart."""
    import random

    from mtfix.corpus import sides
    from mtfix.corpus.filters import NumbersFilter
    from mtfix.corpus.records import Pair

    rng = random.Random(5)
    alphabet = ["0", "7", "٣", "۵", "५", ",", ".", "٫", "%", " ", "\u00a0", "-", " million", " ألف", "between ",
                " and ", "x", "1000000000.8", "1000000001.6", "1" * 400, " 12", "5", "12"]
    f, agreed = NumbersFilter(), 0
    for _ in range(300):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(1, 12))]
        pairs = [Pair(t, rng.choice([t[::-1], "".join(rng.sample(t, len(t))), rng.choice(texts)])) for t in texts]
        with sides.shared(pairs):
            fast = f.score(pairs)
            agreed += sum(n > 0 for n in sides.sides(pairs).numbers_agree())
        monkeypatch.setattr(sides, "VECTORISED", False)
        assert fast == f.score(pairs)
        monkeypatch.setattr(sides, "VECTORISED", True)
    assert agreed > 100  # the shortcut is taken
