"""Length in repair is measured against the original, not against pivots (machine
output that may be a truncated loop)."""

from mtfix.scoring.base import Candidate, Segment
from mtfix.scoring.length import LengthScorer


def test_a_looping_pivot_does_not_make_the_original_too_short():
    loop = "who " * 40  # a pivot that hit the length cap
    originals = ["كيف حالك", "هذا نص قصير", "المعركة مستمرة منذ ساعات", "الجو جميل اليوم", "قال المتحدث",
                 "وصل الوفد إلى المدينة", "انتهت المباراة بالتعادل", "ارتفعت الأسعار", "عاد الهدوء إلى الحي",
                 "افتتح المعرض أمس"]
    segs = [Segment(i, [Candidate(o, "original"), Candidate(o + " اليوم", "f#1")], sources=[loop], incumbent=0,
                    original=o) for i, o in enumerate(originals)]
    segs[0].candidates.append(Candidate("لة" * 60, "f#2"))
    rows = LengthScorer().score(segs)
    for row in rows:
        assert row[0].value == 1.0 and "x1.00 of original" in row[0].reason
    assert rows[0][2].value < 0.01 and "too long" in rows[0][2].reason


def test_without_an_original_the_sources_are_the_reference():
    segs = [Segment(i, [Candidate("a" * (10 + i), "s1"), Candidate("b" * (11 + i), "s2")], sources=["x" * 10])
            for i in range(5)]
    rows = LengthScorer().score(segs)
    assert all("of source" in sc.reason for row in rows for sc in row)
