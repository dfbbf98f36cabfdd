"""Word forms of place names: a comparable key, adjectives brought back to the nominative, a city's adjective.

Ukrainian names places by adjectives that decline («Полтавської області», «Решетилівською міською радою») and
derives a hromada's adjective from its town («Решетилівка» → «Решетилівська»). These rules cover the regular
patterns; the irregular centres are named in ``oblasts.py``.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "′": "'", "‘": "'", "ё": "е", "–": "-", "—": "-"})
_FEMININE = re.compile(r"(?<=[сцз]ьк)(?:а|ої|ій|у|ою|ий|ого|ому|им|ім|е|і|их|ими)$")
_RUSSIAN_FEMININE = re.compile(r"(?<=[сцз]к)(?:ая|ой|ую|ий|ого|ом|ое)$")
_MASCULINE = re.compile(r"(?<=[сцз]ьк)(?:ий|ого|ому|им|ім)$")
_LAND = re.compile(r"(?<=щин)(?:а|и|і|у|ою)$")


def name_key(text: str) -> str:
    """A name as compared: NFC, case-folded, one apostrophe and one dash, single spaces, no edge punctuation."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES)
    return " ".join(text.split()).strip(' .,;:()«»"')


def feminine_adjective(word: str) -> str:
    """«полтавської» → «полтавська», «кременчуцькою» → «кременчуцька»; Russian «полтавской» → «полтавская»."""
    if _FEMININE.search(word):
        return _FEMININE.sub("а", word)
    return _RUSSIAN_FEMININE.sub("ая", word)


def masculine_adjective(word: str) -> str:
    """«коростенського» → «коростенський» (a raion's adjective)."""
    return _MASCULINE.sub("ий", word)


def land_name(word: str) -> str:
    """«полтавщині» → «полтавщина»."""
    return _LAND.sub("а", word)


def town_adjectives(town: str) -> tuple[str, ...]:
    """The adjectives a hromada named after ``town`` (a key) may carry: «решетилівка» → «решетилівська»."""
    stem = town
    candidates = [stem + "ська"]  # житомир, ніжин, львів, тернопіль
    if stem[-1:] in "аоеиуяі":
        stem = stem[:-1]  # полтава, суми, черкаси, одеса
        candidates.append(stem + "ська")
    if stem.endswith("к"):
        candidates.append(stem[:-1] + "ська")  # решетилівка
        candidates.append(stem[:-1] + "цька")  # кременчук
    if stem.endswith(("ськ", "цьк", "зьк")):
        candidates.append(stem + "а")  # луцьк, донецьк
    if stem.endswith(("с", "ц")):
        candidates.append(stem + "ька")  # одеса, вінниця
    if stem.endswith("ий"):
        candidates.append(stem[:-2] + "а")  # хмельницький
    return tuple(dict.fromkeys(candidates))
