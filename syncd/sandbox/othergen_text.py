"""Text helpers of the second generator: accent folding, weighted draws, and typos of several kinds.

Typos are the kinds people and scanners make, each named so tests and reports can count them: two letters
swapped, a glyph read as another (rn/m, l/1, cl/d…), a letter dropped, doubled or undoubled, a neighbouring key
on a QWERTY keyboard, a phonetic spelling (ph/f, ei/ie, c/k…).
"""

# ruff: noqa: RUF001  (names and places are written in their own scripts, on purpose)
from __future__ import annotations

import bisect
import itertools
import random
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = ["TYPO_KINDS", "Pick", "flat", "local", "one", "spelled", "typo", "zipf"]

SPELLED_TABLE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss",
                          "å": "aa", "ø": "oe", "æ": "ae", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D"})
_FLAT = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "þ": "th", "Þ": "Th", "ð": "d",
                       "Ð": "D", "ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "İ": "I"})


@lru_cache(maxsize=65536)
def flat(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_FLAT))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def local(text: str) -> str:
    return "".join(c for c in flat(text).lower() if c.isalnum())


class Pick:
    """Weighted choice by bisection on cumulative weights: one random() per draw."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def zipf(items: Sequence[Any], exponent: float = 0.85) -> Pick:
    return Pick(items, [1.0 / (i + 1) ** exponent for i in range(len(items))])


def one(rng: random.Random, items: Sequence[Any]) -> Any:
    return items[int(rng.random() * len(items))]



_OCR = (("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("l", "1"), ("I", "l"), ("O", "0"), ("o", "0"),
        ("vv", "w"), ("w", "vv"), ("e", "c"), ("c", "e"), ("h", "b"), ("n", "ri"), ("S", "5"), ("B", "8"),
        ("g", "q"), ("i", "l"), ("li", "h"), ("u", "v"), ("a", "o"))
_PHONETIC = (("ph", "f"), ("f", "ph"), ("ck", "k"), ("c", "k"), ("k", "c"), ("y", "i"), ("i", "y"), ("ie", "ei"),
             ("ei", "ie"), ("z", "s"), ("s", "z"), ("v", "w"), ("w", "v"), ("th", "t"), ("ou", "u"), ("x", "ks"),
             ("ae", "e"), ("j", "y"), ("oo", "u"), ("ch", "sh"))
_KEYS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _row_i, _row in enumerate(_KEYS):
    for _col, _ch in enumerate(_row):
        around = _row[max(0, _col - 1):_col] + _row[_col + 1:_col + 2]
        for _other in (_row_i - 1, _row_i + 1):
            if 0 <= _other < len(_KEYS):
                around += _KEYS[_other][max(0, _col - 1):_col + 1]
        _NEIGHBOURS[_ch] = around
TYPO_KINDS = ("transpose", "ocr", "drop", "double", "undouble", "keyboard", "phonetic")
_TYPO_PICK = Pick(TYPO_KINDS, (0.22, 0.14, 0.2, 0.14, 0.08, 0.12, 0.1))


def _substitute(rng: random.Random, text: str, table: Sequence[tuple[str, str]]) -> str | None:
    found = [(a, b) for a, b in table if a in text]
    if not found:
        return None
    a, b = found[int(rng.random() * len(found))]
    spots = [i for i in range(len(text)) if text.startswith(a, i)]
    i = spots[int(rng.random() * len(spots))]
    return text[:i] + b + text[i + len(a):]


def typo(rng: random.Random, text: str, kind: str | None = None) -> tuple[str, str]:
    """``text`` with one typing or reading error; returns (new text, kind of error)."""
    if len(text) < 3:
        return text, "none"
    kind = kind or _TYPO_PICK(rng)
    i = 1 + int(rng.random() * (len(text) - 2))
    out: str | None = None
    if kind == "transpose" and text[i] != text[i + 1 if i + 1 < len(text) else i - 1]:
        j = i + 1 if i + 1 < len(text) else i - 1
        a, b = min(i, j), max(i, j)
        out = text[:a] + text[b] + text[a] + text[b + 1:]
    elif kind == "ocr":
        out = _substitute(rng, text, _OCR)
    elif kind == "double" and text[i].isalpha():
        out = text[:i] + text[i] + text[i:]
    elif kind == "undouble":
        pairs = [k for k in range(len(text) - 1) if text[k] == text[k + 1] and text[k].isalpha()]
        out = None if not pairs else (lambda k: text[:k] + text[k + 1:])(one(rng, pairs))
    elif kind == "keyboard" and text[i].lower() in _NEIGHBOURS:
        new = one(rng, _NEIGHBOURS[text[i].lower()])
        out = text[:i] + (new.upper() if text[i].isupper() else new) + text[i + 1:]
    elif kind == "phonetic":
        out = _substitute(rng, text.lower(), _PHONETIC)
        if out is not None and text[:1].isupper():
            out = out[:1].upper() + out[1:]
    if out is None or out == text:
        kind = "drop"
        out = text[:i] + text[i + 1:]
    return out, kind



def spelled(text: str) -> str:
    """Accents spelled out the German and Nordic way (ü → ue, ø → oe, þ → th)."""
    return text.translate(SPELLED_TABLE)
