"""Normalisation profiles for scoring."""

import pytest

from mtfix.errors import MtfixError
from mtfix.text.normalize import PROFILES, get_profile


def test_known_profiles_and_identity():
    assert {"none", "digits", "arabic", "arabic-light"} <= set(PROFILES)
    text = "إِنَّ الـمدرسةَ «الكبرى» ٢٠١٤، ۱۲٫۵٪؟"
    assert get_profile("none")(text) == text
    assert all(p.name == name for name, p in PROFILES.items())


def test_arabic_profile_folds_everything():
    arabic = get_profile("arabic")
    assert arabic("إِنَّ الـمدرسةَ «الكبرى» أو آخر") == 'ان المدرسه "الكبري" او اخر'
    assert arabic("٢٠١٤، ۱۲٫۵٪؟ ٢٠٬٠٠٠؛") == "2014, 12.5%? 20,000;"
    assert arabic("ﻻ ﷲ") == "لا الله"  # presentation forms
    assert arabic.normalize("ی ک") == "ي ك"
    assert arabic(arabic("أُمّة")) == arabic("أُمّة") == "امه"


def test_digits_and_light_profiles_keep_spelling():
    assert get_profile("digits")("أحمد ٢٠١٤ ۱۲٫۵٪، ى") == "أحمد 2014 12.5%، ى"
    assert get_profile("arabic-light")("إِنَّ مدرسةَ ـ ٣؟") == "إن مدرسة  3?"


def test_describe_names_profile_and_folds():
    d = get_profile("arabic").describe()
    assert d.startswith("arabic: ") and "ة → ه" in d and "0-9" in d
    assert get_profile("none").describe().startswith("none: identity")


def test_unknown_profile_lists_known():
    with pytest.raises(MtfixError) as e:
        get_profile("farsi")
    assert "farsi" in str(e.value) and "arabic" in str(e.value) and "none" in str(e.value)
