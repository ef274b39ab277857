"""Segmentation into paragraphs and sentences, and exact reassembly."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtfix.errors import MtfixError
from mtfix.text.read import read_text
from mtfix.text.segment import reassemble, segment, split_sentences


def _check_invariants(text, doc):
    assert reassemble(doc) == text
    breaks = [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    prev_end = 0
    for i, s in enumerate(doc.sentences):
        assert s.index == i
        assert s.text == text[s.start:s.end]
        assert s.text and s.text == s.text.strip()
        assert s.start >= prev_end
        assert s.line == 1 + sum(1 for b in breaks if b <= s.start)
        p = doc.paragraphs[s.paragraph]
        assert p.start <= s.start and s.end <= p.end
        prev_end = s.end


# ------------------------------------------------------------------ the seed article

def test_seed_paragraphs_preserved(seed_path):
    text = read_text(seed_path)
    doc = segment(text)
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    assert len(doc.paragraphs) == len(blocks) == 23
    assert reassemble(doc) == text
    # replacing every sentence keeps paragraphs and blank lines
    out = reassemble(doc, ["جملة." for _ in doc.sentences])
    assert len(segment(out).paragraphs) == 23
    assert out.count("\n\n") == text.count("\n\n")
    _check_invariants(text, doc)


def test_seed_sentences_and_lines(seed_path):
    doc = segment(read_text(seed_path))
    lines = {s.line for s in doc.sentences}
    assert lines == set(range(1, 46, 2))  # every non-blank line starts a sentence
    by_line = {}
    for s in doc.sentences:
        by_line.setdefault(s.line, []).append(s.text)
    # "... سحق هو”. بعض المدنيين ..." is two sentences, the closing quote stays with the first
    assert by_line[9][0].endswith("“المعركة النهائية سحق هو”.")
    assert by_line[9][1].startswith("بعض المدنيين")
    # numbers do not split: 20 ، 000 / 2014 ، / 7.7
    assert "20 ، 000" in by_line[9][0]
    assert len(by_line[21]) == 1 and "7.7 مليون" in by_line[21][0]
    # headline without final punctuation is its own sentence
    assert by_line[27] == ["هو لا يزال يشكل تهديدا"]


# ------------------------------------------------------------------ Arabic rules

def test_arabic_question_mark_splits():
    assert split_sentences("هل انتهت المعركة؟ قال القائد إنها لم تنته.") == [
        "هل انتهت المعركة؟", "قال القائد إنها لم تنته."]


@pytest.mark.parametrize("text, expected", [
    ("قال: «انتهى الأمر.» ثم غادر!", ["قال: «انتهى الأمر.»", "ثم غادر!"]),
    ("هذا أول؛ وهذا ثان… وهذا ثالث.", ["هذا أول؛ وهذا ثان…", "وهذا ثالث."]),
    ("بلغ العدد 20,000 شخص و7.7 مليون في عام 2014 ، ثم توقف.",
     ["بلغ العدد 20,000 شخص و7.7 مليون في عام 2014 ، ثم توقف."]),
    ("قال د. محمد إن الأمر انتهى. ثم غادر.", ["قال د. محمد إن الأمر انتهى.", "ثم غادر."]),
    ("بلغ ٧٫٥ مليون. ثم توقف؟! نعم.", ["بلغ ٧٫٥ مليون.", "ثم توقف؟!", "نعم."]),
    ("قال \"هذا صحيح.\" ثم سكت.", ["قال \"هذا صحيح.\"", "ثم سكت."]),
])
def test_arabic_sentences(text, expected):
    assert split_sentences(text, "ar") == expected


# the semicolon joins clauses; one-letter words, year markers and dotted abbreviations
@pytest.mark.parametrize("text, expected", [
    ("انتهى الاجتماع؛ وغادر الجميع؛ ولم يصدر أي بيان.", ["انتهى الاجتماع؛ وغادر الجميع؛ ولم يصدر أي بيان."]),
    ("وافق المجلس على القرار ؛ لكن الوزير اعترض. ثم رفعت الجلسة.",
     ["وافق المجلس على القرار ؛ لكن الوزير اعترض.", "ثم رفعت الجلسة."]),
    # a year marker ends the sentence unless a preposition carries it on
    ("تأسست المدينة عام 762 م. وكانت عاصمة الخلافة.", ["تأسست المدينة عام 762 م.", "وكانت عاصمة الخلافة."]),
    ("توفي سنة ١٤٤١ هـ. وقد دفن في مكة.", ["توفي سنة ١٤٤١ هـ.", "وقد دفن في مكة."]),
    ("ولد عام 1950 م. ثم انتقل إلى بغداد.", ["ولد عام 1950 م.", "ثم انتقل إلى بغداد."]),
    ("بني الهرم عام 2560 ق.م. في عهد خوفو.", ["بني الهرم عام 2560 ق.م. في عهد خوفو."]),
    ("حكم بين عامي 30 ق.م. و14 م. تقريبا. ثم مات.", ["حكم بين عامي 30 ق.م. و14 م. تقريبا.", "ثم مات."]),
    ("سقطت المدينة سنة 656 هـ. وهذا ما أنهى الخلافة.", ["سقطت المدينة سنة 656 هـ.", "وهذا ما أنهى الخلافة."]),
    # a one-letter word is a title before a name, an end before a clear sentence opener
    ("يحتاج الجسم إلى فيتامين د. تجرى دراسات كثيرة حوله.",
     ["يحتاج الجسم إلى فيتامين د.", "تجرى دراسات كثيرة حوله."]),
    ("اختر الإجابة ب. ثم انتقل إلى السؤال التالي.", ["اختر الإجابة ب.", "ثم انتقل إلى السؤال التالي."]),
    ("قال د. وليد إن الأمر انتهى.", ["قال د. وليد إن الأمر انتهى."]),
    ("صرح م. يوسف بأن المشروع اكتمل. وأضاف أنه سعيد.", ["صرح م. يوسف بأن المشروع اكتمل.", "وأضاف أنه سعيد."]),
    # dotted multi-letter abbreviations stay whole
    ("ألقى أ.د. أحمد زويل محاضرة.", ["ألقى أ.د. أحمد زويل محاضرة."]),
    ("العنوان ص.ب. 1234 القاهرة.", ["العنوان ص.ب. 1234 القاهرة."]),
    ("بلغ السعر 50 د.م. للكيلو. وهو مرتفع.", ["بلغ السعر 50 د.م. للكيلو.", "وهو مرتفع."]),
    ("حاضر أ.د. محمد ثم أ.د. علي. وانتهى اللقاء.", ["حاضر أ.د. محمد ثم أ.د. علي.", "وانتهى اللقاء."]),
])
def test_arabic_clauses_and_abbreviations(text, expected):
    assert split_sentences(text, "ar") == expected
    _check_invariants(text, segment(text))


def test_semicolon_cuts_on_request():
    text = "انتهى الاجتماع؛ وغادر الجميع؛ ولم يصدر أي بيان. ثم أغلق المبنى."
    assert split_sentences(text, clauses=True) == [
        "انتهى الاجتماع؛", "وغادر الجميع؛", "ولم يصدر أي بيان.", "ثم أغلق المبنى."]
    doc = segment(text, clauses=True)
    _check_invariants(text, doc)
    assert len(split_sentences(text)) == 2


# ------------------------------------------------------------------ English rules

@pytest.mark.parametrize("text, expected", [
    ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
    ("The U.S. President spoke. He lives in the U.S. He left.",
     ["The U.S. President spoke.", "He lives in the U.S.", "He left."]),
    ("Fruit, e.g. apples, i.e. food. Next one.", ["Fruit, e.g. apples, i.e. food.", "Next one."]),
    ("It rose 7.7 percent to 20,000.5 units. Then it fell.",
     ["It rose 7.7 percent to 20,000.5 units.", "Then it fell."]),
    ("George W. Bush and J. K. Rowling met. Fine.", ["George W. Bush and J. K. Rowling met.", "Fine."]),
    ('"Why?" he asked. "Because!" She left.', ['"Why?" he asked.', '"Because!"', "She left."]),
    ("Wait... what? No. 5 was on p. 7. I said no. Then he left.",
     ["Wait... what?", "No. 5 was on p. 7.", "I said no.", "Then he left."]),
    ("It ended at 5 p.m. on Jan. 5. The end.", ["It ended at 5 p.m. on Jan. 5.", "The end."]),
    ("Apple Inc. said so. Acme Inc. The firm.", ["Apple Inc. said so.", "Acme Inc.", "The firm."]),
    ("Roe v. Wade, said Sens. Mike Lee and Det. Dennis Roe.",
     ["Roe v. Wade, said Sens. Mike Lee and Det. Dennis Roe."]),
    # chat-like text: a lower-case start after a bare ? or ! is a new sentence
    ("are you coming? i think so! see you", ["are you coming?", "i think so!", "see you"]),
    ("really?! no way?? ok then.", ["really?!", "no way??", "ok then."]),
    ("Why? she asked. What? he said again. Why not? it works", ["Why? she asked.", "What? he said again.",
                                                                "Why not?", "it works"]),
    ("'Really?' she asked. (Why not?) he said.", ["'Really?' she asked.", "(Why not?) he said."]),
    ("I paid 5 p.m. wait... no, it was later.", ["I paid 5 p.m. wait... no, it was later."]),
])
def test_english_sentences(text, expected):
    assert split_sentences(text, "en") == expected


# ------------------------------------------------------------------ layout

def test_markdown_layout_and_kinds():
    text = ("# العنوان\n\nفقرة أولى. جملة ثانية.\n\n- بند أول. بند\n- بند ثان\n> اقتباس.\n\n"
            "```\nكود. لا يقسم.\n```\n---\n1. First. Second.\n")
    doc = segment(text)
    assert [(p.kind, [s.text for s in p.sentences]) for p in doc.paragraphs] == [
        ("heading", ["العنوان"]),
        ("text", ["فقرة أولى.", "جملة ثانية."]),
        ("list", ["بند أول.", "بند"]),
        ("list", ["بند ثان"]),
        ("quote", ["اقتباس."]),
        ("list", ["First.", "Second."]),
    ]
    assert [p.line for p in doc.paragraphs] == [1, 3, 5, 6, 7, 13]
    _check_invariants(text, doc)
    out = reassemble(doc, {0: "Title", 1: "First paragraph."})
    assert out.startswith("# Title\n\nFirst paragraph. جملة ثانية.\n\n- بند")
    assert "```\nكود. لا يقسم.\n```" in out


def test_hand_wrapped_english_is_one_paragraph():
    text = "This sentence was wrapped\nby hand. A second\none.\n\nNext paragraph.\nHeading-like Line\n"
    doc = segment(text)
    assert [[s.text for s in p.sentences] for p in doc.paragraphs] == [
        ["This sentence was wrapped\nby hand.", "A second\none."], ["Next paragraph."], ["Heading-like Line"]]
    assert [s.line for s in doc.sentences] == [1, 2, 5, 6]


def test_one_line_paragraphs_and_crlf():
    text = "\ufeffسطر أول\r\nسطر ثان.\r\n\r\n  سطر ثالث؟ نعم.  \r\n"
    doc = segment(text)
    assert [[s.text for s in p.sentences] for p in doc.paragraphs] == [
        ["سطر أول"], ["سطر ثان."], ["سطر ثالث؟", "نعم."]]
    assert [s.line for s in doc.sentences] == [1, 2, 4, 4]
    assert reassemble(doc, ["a", "b", "c", "d"]) == "\ufeffa\r\nb\r\n\r\n  c d  \r\n"


def test_invisible_marks_at_edges_are_layout():
    text = "\u200fقال المتحدث.\u200f \u200bثم غادر\u200b.\n\u200e\n"
    doc = segment(text)
    assert [s.text for s in doc.sentences] == ["قال المتحدث.", "ثم غادر\u200b."]
    assert len(doc.paragraphs) == 1
    assert reassemble(doc, ["A.", "B."]) == "\u200fA.\u200f \u200bB.\n\u200e\n"


def test_reassemble_arguments():
    doc = segment("One. Two.")
    assert reassemble(doc, {1: "Deux."}) == "One. Deux."
    assert doc.reassemble(["1", "2"]) == "1 2"
    with pytest.raises(ValueError):
        reassemble(doc, ["only one"])
    with pytest.raises(ValueError):
        reassemble(doc, {2: "x"})
    with pytest.raises(TypeError):
        reassemble(doc, "One.")


def test_lang_codes():
    assert segment("نص.", "arb_Arab").lang == "ar"
    assert segment("Text.", "eng_Latn").lang == "en"
    with pytest.raises(MtfixError, match="unknown language"):
        segment("Text.", "fr")


@pytest.mark.parametrize("name", ["flores200-devtest/arb_Arab.txt", "flores200-devtest/eng_Latn.txt",
                                  "ntrex128/arb.txt", "ntrex128/eng.txt"])
def test_real_corpora(shared_data, name):
    """Each line of a real test set: one paragraph, round trip, and no split inside a number."""
    text = (shared_data / name).read_text(encoding="utf-8")
    doc = segment(text)
    _check_invariants(text, doc)
    assert len(doc.paragraphs) == text.count("\n")
    sents = doc.sentences
    for a, b in zip(sents, sents[1:]):
        assert not (re.search(r"\d[.,٫٬]$", a.text) and re.match(r"\d", b.text)), (a.text, b.text)


# ------------------------------------------------------------------ properties

_PIECES = st.sampled_from([
    "مرحبا", "SDF", "Mr.", "U.S.", "e.g.", "7.7", "20,000", "2014 ،", "٢٠١٤", "؟", "؛", "!", ".", "…", "...",
    "«", "»", "“", "”", '"', "'", "(", ")", " ", "  ", "\t", "\n", "\r\n", "\r", "\n\n", "# ", "- ", "> ",
    "1. ", "```", "---", "\u200f", "\ufeff", "\u00a0", "\u2028", "the", "He", "a", "ب", "د.",
    "أ.د.", "ق.م.", "هـ.", "762", "م.", "وكانت", "ثم", "في", "what?", "no",
])


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_roundtrip_any_text(text):
    _check_invariants(text, segment(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_roundtrip_tricky_text(text):
    doc = segment(text)
    _check_invariants(text, doc)
    # replacing every sentence changes only the sentences
    marked = reassemble(doc, [f"<{i}>" for i in range(len(doc.sentences))])
    assert re.sub(r"<\d+>", "", marked) == "".join(
        text[a:b] for a, b in zip([0] + [s.end for s in doc.sentences], [s.start for s in doc.sentences] + [len(text)]))


# ---------------------------------------------------------------- pieces that segment alone


def test_block_chunks_and_line_chunks_keep_the_blocks_and_cut_seamlessly():
    """Regrouping lines (`line_chunks`) keeps every block end of the line-by-line reading, and a
    text cut at a seamless point segments as the whole text does."""
    import random

    from mtfix.text.segment import block_chunks, independent_blocks, line_chunks

    pieces = ["قال المتحدث إن المعركة انتهت.", "the text wrapped by hand", "# عنوان", "- بند", "> اقتباس",
              "```", "~~~", "", " ", "\u200b", "Mr. Smith arrived.", "1441", "هـ. وكانت الحرب", "ق.م. في عهد",
              "---", "| a | b |", "<b>x</b>"]
    for seed in range(200):
        rng = random.Random(seed)
        text = "".join(rng.choice(pieces) + rng.choice(["\n", "\n", "\r\n", "\r", "\n\n"])
                       for _ in range(rng.randint(1, 40)))
        lines = text.replace("\n", "\n\0").split("\0")
        lines = [x for x in lines if x]
        by_line = [(c, e) for c, e, _ in block_chunks(lines)]
        grouped = list(block_chunks(line_chunks([text], rng.choice([1, 20, 200]))))
        assert "".join(c for c, _, _ in grouped) == text
        ends = lambda chunks: [i for i, _ in enumerate("".join(c for c, _ in chunks[:k + 1]) for k in range(len(chunks)))
                               if chunks[i][1]]
        pos = lambda chunks: {len("".join(c for c, _ in chunks[:i + 1])) for i in ends(chunks)}
        assert pos([(c, e) for c, e, _ in grouped]) == pos(by_line)
        assert "".join(independent_blocks(lines)) == text
        whole = segment(text)
        at = 0
        for c, _, seamless in block_chunks(lines):
            at += len(c)
            if seamless:
                a, b = segment(text[:at]), segment(text[at:])
                got = [(s.text, s.start) for s in a.sentences] + [(s.text, s.start + at) for s in b.sentences]
                assert got == [(s.text, s.start) for s in whole.sentences], (seed, at)
                assert len(a.paragraphs) + len(b.paragraphs) == len(whole.paragraphs)


def test_lines_found_by_splitting_equal_the_line_break_search():
    """segment's lines (a text with only line feeds is split at them, its line lengths added up)
    are those of a search for every line break (\\r\\n, \\r, \\n), on 20,000 random strings; every
    sentence's line is the line its first character is on, and no sentence starts or ends with
    white space or an invisible mark (a paragraph without a sentence end inside is kept whole)."""
    import random

    from mtfix.text import segment as seg

    rng = random.Random(16)
    parts = ["a", "ب", " ", "\n", "\n\n", "\r", "\r\n", ".", "# ", "\u200f", "\t", "- ", "> ", "1. ", "```", "---", "؟ "]
    for _ in range(20_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 20)))
        spans, pos = [], 0
        for m in re.finditer(r"\r\n|\r|\n", text):
            spans.append((pos, m.start()))
            pos = m.end()
        spans.append((pos, len(text)))
        assert seg._lines(text) == ([0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)], spans), repr(text)
        for s in segment(text).sentences:
            assert s.line == 1 + len(re.findall(r"\r\n|\r|\n", text[:s.start])), repr(text)
            assert s.text and not seg._blank(s.text[0]) and not seg._blank(s.text[-1]), repr(text)


def test_paragraphs_of_plain_prose_at_once_are_those_line_by_line():
    """A text of plain lines (no carriage return, Markdown, code, trailing blanks or line that may
    continue the one above) gets its paragraphs without the loop over its lines: the same spans as
    the loop gives (20,000 random texts of lines that are plain, blank, Markdown, fenced, wrapped)."""
    import random

    from mtfix.text import segment as seg

    rng = random.Random(20)
    parts = ["قال", "ب", "The", "x", "word", " ", ".", "\n", "\n", "\n\n", " \n", "\u200f", "\u200f\n", "# ", "- ",
             "1. ", "5", "12) ", "٣. ", "2010", "1.5", "> ", "```", "~~~", "---", "|a|", ":", "\t", "\u00a0", "\u2028",
             "\r\n", "\r", "،", "؟ "]
    fast = 0
    for _ in range(20_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 14)))
        _, lines = seg._lines(text)
        got = seg._paragraph_spans(text, lines)
        assert got == seg._paragraph_spans_by_line(text, lines), repr(text)
        fast += "\r" not in text and not seg._ODD_LINE.search(text)
    assert fast > 2_000
