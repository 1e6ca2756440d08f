"""Folding names and phone numbers into keys that search can match however they are typed."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus an accent.
_NO_DECOMPOSITION = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"}
)
_APOSTROPHES = re.compile(r"['’‘`ʼ]")
_WORD_BREAKS = re.compile(r"[\s\-‐–,.;/]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, apostrophe-free: "Zoë O'Brien-Łukasz" -> "zoe obrien-lukasz"."""
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_NO_DECOMPOSITION)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _APOSTROPHES.sub("", text)


def name_words(*parts: str) -> list[str]:
    """The folded words of a name, split at spaces and hyphens ("Núñez-Ruiz" -> nunez, ruiz)."""
    words: list[str] = []
    for part in parts:
        words.extend(w for w in _WORD_BREAKS.split(fold(part)) if w)
    return words


def name_key(*parts: str) -> str:
    """The stored search key: folded words, each after a space, so ``LIKE '% word%'`` works."""
    return "".join(f" {w}" for w in dict.fromkeys(name_words(*parts)))


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
