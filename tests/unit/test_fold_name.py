"""Folding names for matching: the ASCII fast path and the general path agree."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.model import _WS, fold_name, normalize_text


def general_fold(value: str) -> str:
    """The general path, spelled out: NFKC and control characters, case-folded, accents stripped, everything
    that is not a letter or a digit a space, whitespace collapsed."""
    text = normalize_text(value)
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in stripped)
    return _WS.sub(" ", cleaned).strip()


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_folds_as_the_general_path_does(value: str) -> None:
    assert fold_name(value) == general_fold(value)


def test_fold_examples() -> None:
    assert fold_name("  O'Brien-Smith\tJr. ") == "o brien smith jr"
    assert fold_name("TÓTH Mária") == "toth maria"
    assert fold_name("Straße") == "strasse"
    assert fold_name("\x00\x07") == ""


#: Latin letters as European names are written: ASCII, Latin-1 and Latin Extended-A (Ł, a dotless i, Ø, Œ, Ş, Ž…)
_LATIN = st.characters(min_codepoint=0x41, max_codepoint=0x17F, categories=("Lu", "Ll"))


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=_LATIN, min_size=1, max_size=12))
def test_a_name_in_capitals_folds_as_the_name_written_in_lower_case(value: str) -> None:
    """"YILMAZ" and "Y\u0131lmaz", "ŁUKASZ" and "Łukasz": the case a system writes a name in never makes it another."""
    assert fold_name(value.upper()) == fold_name(value.lower())


def test_letters_without_accents_to_strip_fold_to_what_people_type_without_the_key() -> None:
    assert fold_name("Mehmet Y\u0131lmaz") == fold_name("MEHMET YILMAZ") == "mehmet yilmaz"
    assert fold_name("Łukasz") == "lukasz" and fold_name("Søren") == "soren" and fold_name("Ærø") == "aero"
