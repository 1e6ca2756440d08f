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


# The kinds of search word: a folded name word, or a chart or phone number key.
NAME, NUMBER = "name", "number"
# Typed numbers shorter than this are read as name words, not as chart or phone numbers.
MIN_NUMBER_DIGITS = 3
# Longer words are kept, and typed, only this far: nobody types more of a word to find it.
SEARCH_WORD_MAX = 100
# The first letters of every name word are kept as words of their own, up to this many, so
# that a short start ("m", "ma"), shared by thousands, is one exact key in name order.
SHORT_START = 3


def name_search_words(*parts: str) -> set[str]:
    """The folded name words a patient is found by, cut to ``SEARCH_WORD_MAX``, and their
    starts of up to ``SHORT_START`` letters."""
    words = {w[:SEARCH_WORD_MAX] for w in name_words(*parts)}
    return words | {w[:n] for w in words for n in range(1, SHORT_START + 1)}


def number_search_words(chart_number: str, *phones: str) -> set[str]:
    """What a typed number may begin: the chart number, or any tail of a phone's digits.

    Every tail of at least ``MIN_NUMBER_DIGITS`` digits is kept, so the last four digits of a
    phone, or any run of digits from its middle, find the patient by a prefix alone.
    """
    found = {chart_number.strip()[:SEARCH_WORD_MAX]} - {""}
    for phone in phones:
        number = digits(phone)
        found.update(number[i:] for i in range(len(number) - MIN_NUMBER_DIGITS + 1))
    return found


def search_words(
    *, last_name: str, first_name: str, preferred_name: str, chart_number: str, phones: list[str]
) -> set[tuple[str, str]]:
    """The (kind, word) pairs a patient is found by."""
    names = name_search_words(last_name, first_name, preferred_name)
    numbers = number_search_words(chart_number, *phones)
    return {(NAME, w) for w in names} | {(NUMBER, w) for w in numbers}
