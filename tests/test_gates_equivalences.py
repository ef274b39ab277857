"""Gate false alarms on clean lines: the same content written another way passes, degenerate output does not.

Real system outputs (FLORES-200 devtest, scripts/stress_repair.py) were stopped
by the gates for writing a number in words on one side and in digits on the
other (``عشرين`` / ``20``, ``four million`` / ``4 million``, ``الثاني عشر`` /
``12th``), for a garbled form in the *candidate* (``800،000``), a time on the
hour (``10:00`` / ``الساعة العاشرة``), a name copied from the source where the
original transliterated it, or a glossary term rendered as its adjective
(``الأمريكية`` for the US) or "found" in the original where the source has no
such term (``القاعدة`` of "base station"). Each equivalence is tested here
through the preset's gates, next to the degenerate change it must still stop.
"""

from __future__ import annotations

import pytest

from mtfix.scoring import Candidate, Segment, load_config
from mtfix.scoring.gates import GateContext, build_gates, run_gates
from mtfix.text.number_words import spelled_numbers


def fails(reference: str, candidate: str, *, sources=(), kind="source", lang="ar", original=None):
    """The (gate, reason) failures of ``candidate`` against ``reference`` (the incumbent) under the preset."""
    seg = Segment(0, [Candidate(reference, "incumbent"), Candidate(candidate, "challenger")], list(sources),
                  incumbent=0, original=original, sources_kind=kind)
    return run_gates(build_gates(load_config()), [seg], GateContext(lang))[0][1]


def gate_names(f):
    return {g for g, _ in f}


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("reference, candidate, lang", [
    # a number in words on one side, digits on the other (Arabic and English, cardinals)
    ("وأصابت أكثر من عشرين شخصاً آخرين في الهجوم على مقر الشرطة.",
     "وأصابت أكثر من 20 شخصاً آخرين في الهجوم على مقر الشرطة.", "ar"),
    ("بحلول عام 1976، تم استعادة ثلاثين في المائة من ماشو بيكشو.",
     "بحلول عام 1976، تم استعادة 30% من ماشو بيكشو.", "ar"),
    ("ولكن 80% من بضائعنا كانت محكومة بالرسوم الجمركية.",
     "ومع ذلك، ثمانون في المئة من سلعنا تم فرض ضرائب عليها.", "ar"),
    ("صاحب الخمسة وعشرين عاماً كان السائق.", "صاحب الـ 25 عاماً كان السائق.", "ar"),
    ("More than 4 million people went to Rome for the funeral.",
     "Over four million people went to Rome for the funeral.", "en"),
    ("Thirty-four percent of those surveyed agree with this view.",
     "34 percent of respondents agree with this point of view.", "en"),
    ("He was twenty-five years old and she was a hundred.", "He was 25 years old and she was 100.", "en"),
    # ordinals
    ("بدأت المباريات في الساعة العاشرة صباحاً.", "بدأت المباريات في الساعة 10 صباحاً.", "ar"),
    ("In the twelfth century her condition declined.", "During the 12th century her condition declined.", "en"),
    ("Adam Hall finished ninth in the standing race.", "Adam Hall ranked 9th in the standing race.", "en"),
    ("كان ختمه الألف هو الأعمال العظيمة.", "كانت طابع 1000 له الأعمال العظيمة.", "ar"),
    # duals, decades
    ("عادةً ما تكون الدورة من يومين إلى خمسة أيام.", "دورة عادة ما تكون من 2-5 أيام.", "ar"),
    ("During the 1920's, the dominant attitude was isolation.", "خلال العشرينيات من القرن الماضي كانت العزلة.", "en"),
    # a time on the hour, with or without its minutes
    ("The program began at 8:30 local time (15:00 UTC).", "The program started at 08:30 local time (15.00 UTC).",
     "en"),
    ("The games kicked off at 10:00am with great weather.", "The games started at 10 in the morning.", "en"),
    # garbled forms in the candidate read as meant; a decimal time read apart is one number
    ("عندما دخل أكثر من 800 ألف جندي من الجيش الأحمر.", "عندما دخل أكثر من 800،000 جندي من الجيش الأحمر.", "ar"),
    ("مع وقت ركض مجتمع من 4:41.30 ، 2:11.60 دقيقة", "مع وقت تشغيل مجتمع من 4: 41،30، 2: 11،60 دقيقة", "ar"),
])
def test_the_same_number_written_another_way_passes(reference, candidate, lang):
    assert "numbers" not in gate_names(fails(reference, candidate, lang=lang))


@pytest.mark.parametrize("reference, candidate, lang", [
    ("وأصابت أكثر من عشرين شخصاً آخرين.", "وأصابت أكثر من 25 شخصاً آخرين.", "ar"),  # changed
    ("More than 4 million people went to Rome.", "More than forty million people went to Rome.", "en"),
    ("The quake struck at 12:00 GMT today.", "The quake struck at 12:30 GMT today.", "en"),  # minutes changed
    ("بدأت المباريات في الساعة 10 صباحاً.", "بدأت المباريات في الساعة 11 صباحاً.", "ar"),
    ("During the 1920's, the dominant attitude was isolation.", "During the 1930's, the attitude was isolation.", "en"),
    # a word the two texts share explains nothing else: ثلاثة stays ثلاثة, the 3 was changed to 5
    ("ثلاثة لاعبين سجلوا 3 أهداف في المباراة.", "ثلاثة لاعبين سجلوا 5 أهداف في المباراة.", "ar"),
    # a decimal is not a year's last two digits (41.30 / 30)
    ("وقت ركض مجموعه 41.30 دقيقة", "وقت ركض مجموعه 30 دقيقة", "ar"),
    # a number lost, or invented, is still stopped
    ("The vertical clearance under the bridge is 15 meters, completed in 2011.",
     "Construction was completed in 2011.", "en"),
    ("يمكنك استخدام بودا بودا للتنقل. السعر العادي هو ~ 500 فرنك.",
     "يمكنك استخدام بودا بودا للتنقل. السعر العادي هو ~ 500 فرنك. السعر هو 50 فرنك.", "ar"),
])
def test_a_changed_lost_or_added_number_is_still_stopped(reference, candidate, lang):
    assert "numbers" in gate_names(fails(reference, candidate, lang=lang))


def test_the_source_vouches_for_a_number_it_spells_out():
    # the original says 1950s; the source says "the fifties of the nineteenth century": 1850s is right
    src = "تأسست أبيا في خمسينيات القرن التاسع عشر وكانت العاصمة الرسمية لساموا منذ عام 1959."
    original = "Abia was founded in the 1950s and was the official capital of Samua since 1959."
    good = "Apia was founded in the 1850s and has been the official capital of Samoa since 1959."
    bad = "Apia was founded in the 1750s and has been the official capital of Samoa since 1959."
    assert "numbers" not in gate_names(fails(original, good, sources=[src], lang="en"))
    assert "numbers" in gate_names(fails(original, bad, sources=[src], lang="en"))
    # a pivot (machine output) vouches for nothing
    assert "numbers" in gate_names(fails(original, good, sources=[src], kind="pivot", lang="en"))


@pytest.mark.parametrize("text, values", [
    ("twenty-five people and four million more", [25, 4e6]),
    ("two hundred and fifty", [250]),
    ("one two three", [1, 2, 3]),
    ("the ninth place, tenth, twenty-first", [9, 10, 21]),
    ("a dozen eggs, nineteen hundred", [12, 1900]),
    ("صاحب الخمسة وعشرين عاماً والواحد وعشرين", [25, 21]),
    ("القرن الثاني عشر، الحادي والعشرين، ثلاث عشرة", [12, 21, 13]),
    ("ثلاثة آلاف، مليونين، مائة وخمسون، ثلاثمائة", [3000, 2e6, 150, 300]),
    ("خمسينيات القرن التاسع عشر", [1850]),
    ("ثمانون في المئة", [80]),  # في المئة is the % sign, not a hundred
    ("4 ملايين شخص و 20 ألف", []),  # scale words of digit numbers are the digits' own
    ("ذهب أحمد إلى السوق", []),
])
def test_spelled_numbers(text, values):
    assert [m.value for m in spelled_numbers(text)] == values


# ---------------------------------------------------------------- script


@pytest.mark.parametrize("candidate, source", [
    ("تم نقله لاحقًا إلى مستشفى Addenbrooke في كامبريدج.",
     "He was subsequently relocated to Addenbrooke's Hospital in Cambridge."),
    ("هذا هو خامس CEP Martelly في أربع سنوات.", "It is Martelly's fifth CEP in four years."),
    ("مثال على ذلك هو زيارة ، تصوير ، والتعلم عن organgatuangs في بورنيو.",
     "An example is visiting, photographing, and learning about organgatuangs in Borneo."),
])
def test_words_copied_from_the_source_are_not_the_wrong_script(candidate, source):
    reference = {"Addenbrooke": "تم نقله لاحقا إلى مستشفى إدنبروك في كامبريدج.",
                 "Martelly": "إنه الخامس من مؤسسة (مارتلي) في أربع سنوات",
                 "organgatuangs": "مثال على ذلك هو زيارة، وصور، وتعلم عن الأعضاء في بورنيو."}
    ref = next(v for k, v in reference.items() if k in candidate)
    assert "script" not in gate_names(fails(ref, candidate, sources=[source]))


def test_untranslated_words_of_the_source_are_still_the_wrong_script():
    source = "An example is visiting, photographing, and learning about orangutans in Borneo."
    ref = "مثال على ذلك هو زيارة وتصوير والتعلم عن إنسان الغاب في بورنيو."
    half = "مثال على ذلك هو visiting, photographing, and learning about orangutans في بورنيو."
    assert "script" in gate_names(fails(ref, half, sources=[source]))
    assert {"script", "copy"} <= gate_names(fails(ref, source, sources=[source]))
    # without a trusted source (repair's pivots), nothing is excused
    assert "script" in gate_names(fails(ref, "مثال على ذلك هو visiting and learning في بورنيو.",
                                        sources=[source], kind="pivot"))


# ---------------------------------------------------------------- terminology


def test_a_term_the_source_does_not_have_is_not_required():
    source = "This will allow it to be backwards compatible, provided that the base station has dual radios."
    ref = "هذا سيسمح له بتوافق للخلف، شريطة أن يكون المحطة القاعدة تمتلك إذاعات مزدوجة."
    cand = "سيسمح ذلك بأن يكون متوافقًا مع الإصدارات السابقة، بشرط أن تحتوي المحطة الأساسية على أجهزة راديو مزدوجة."
    assert "terminology" not in gate_names(fails(ref, cand, sources=[source]))
    # repair: the pivots are machine output and decide nothing; the original's term stands
    assert "terminology" in gate_names(fails(ref, cand, sources=[source], kind="pivot", original=ref))


@pytest.mark.parametrize("ref, cand, source, stopped", [
    ("القيادة الاستراتيجية للولايات المتحدة في مكتب وزارة الدفاع الأمريكية تتبع الحطام.",
     "تتبع القيادة الاستراتيجية الأمريكية لمكتب وزارة الدفاع الأمريكية الحطام.",
     "The United States Strategic Command of the U.S. Department of Defense office is tracking the debris.", False),
    ("يُلوم قوات حفظ السلام التابعة للأمم المتحدة على انتشار المرض.",
     "قوات حفظ السلام الأممية تُلوم على انتشار المرض.",
     "UN peacekeepers are being blamed for the spread of the disease.", False),
    # NASA dropped altogether is still stopped
    ("رئيس برنامج المكوكات في ناسا ن. وين هيل جونيور قال أن الرغوة سقطت.",
     "وقال رئيس برنامج المكوك N. Wayne Hale Jr. إن الرغوة قد سقطت.",
     "NASA's shuttle program chief N. Wayne Hale Jr. said the foam had fallen.", True),
])
def test_terms_rendered_as_their_adjective_are_kept(ref, cand, source, stopped):
    assert ("terminology" in gate_names(fails(ref, cand, sources=[source]))) == stopped
