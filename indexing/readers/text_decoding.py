"""Bytes to text for the text formats (TXT, Markdown, HTML, JSON, CSV), whatever encoding Ukrainian files use.

UTF-8 and UTF-16 are recognised by their byte order marks or their byte patterns. What is left is most often
one of the two Cyrillic single-byte encodings, cp1251 (Windows) and koi8-u (older Unix mail and sites). Any
byte sequence decodes in both, and general detectors confuse them, so the choice is made by Cyrillic letter
statistics: the right decoding gives the letters of real Ukrainian or Russian text, the wrong one gives rare
letters in their place.
"""

from __future__ import annotations

import logging

import charset_normalizer

from indexing.errors import UnreadableFileError

logger = logging.getLogger(__name__)

_BYTE_ORDER_MARKS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_CYRILLIC_SINGLE_BYTE = ("cp1251", "koi8-u")
_SAMPLE_BYTES = 65_536

# Share of letters (in %) in Ukrainian and Russian text, lower case; a letter missing here is rare.
_LETTER_FREQUENCY = {
    "о": 9.5, "а": 8.0, "н": 6.7, "е": 6.5, "и": 6.2, "т": 5.6, "і": 5.0, "р": 4.8, "в": 4.7, "с": 4.6,
    "л": 3.9, "к": 3.5, "д": 3.1, "м": 3.1, "п": 2.9, "у": 2.8, "я": 2.1, "з": 1.9, "ь": 1.7, "г": 1.6,
    "б": 1.6, "ч": 1.4, "ы": 1.3, "й": 1.2, "х": 1.0, "ж": 0.9, "ц": 0.9, "ю": 0.7, "ш": 0.7, "є": 0.6,
    "ї": 0.6, "щ": 0.4, "ф": 0.3, "э": 0.2, "ґ": 0.1, "ё": 0.1, "ъ": 0.05,
}  # fmt: skip
# Real text scores about 5 (the average frequency of its letters), its wrong decoding of the two 2.5-4.5; when
# even the better one scores less than this, the text is in neither.
_MIN_LETTER_SCORE = 3.5
_MIN_CYRILLIC_SHARE = 0.5  # of the letters outside ASCII
# Text has almost no control characters; binary data is full of them.
_MAX_CONTROL_SHARE = 0.05
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")
# UTF-16 text without a byte order mark: in every other byte, the high byte of Latin and Cyrillic letters
# is 0x00 or 0x04.
_UTF16_HIGH_BYTES = frozenset(b"\x00\x04")
_MIN_UTF16_HIGH_SHARE = 0.9
# A file with this many well-formed multi-byte UTF-8 letters for each broken one is UTF-8 with a few broken
# bytes, read with those replaced; fewer, and it is in another encoding.
_MIN_UTF8_LETTERS_PER_DAMAGED = 100


def decode_text(data: bytes, source: str) -> str:
    """The text of a file's bytes; raises ``UnreadableFileError`` for binary data or an unknown encoding."""
    for mark, codec in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return _decode(data[len(mark) :], codec, source)
    utf16_codec = _utf16_without_mark(data)
    if utf16_codec:
        return _decode(data, utf16_codec, source)
    _reject_binary(data, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_damaged_utf8(data, source) or _decode_legacy(data, source)


def _decode(data: bytes, codec: str, source: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            source, f"bad encoding: not valid {codec} at byte {error.start} ({error.reason})"
        ) from error


def _utf16_without_mark(data: bytes) -> str | None:
    if len(data) < 2 or len(data) % 2:
        return None
    sample = data[:_SAMPLE_BYTES]
    for codec, high_bytes, low_bytes in (
        ("utf-16-le", sample[1::2], sample[0::2]),
        ("utf-16-be", sample[0::2], sample[1::2]),
    ):
        high_share = sum(byte in _UTF16_HIGH_BYTES for byte in high_bytes) / len(high_bytes)
        if high_share >= _MIN_UTF16_HIGH_SHARE and 0 not in low_bytes:
            return codec
    return None


def _reject_binary(data: bytes, source: str) -> None:
    sample = data[:_SAMPLE_BYTES]
    controls = sum(byte < 0x20 and byte not in _TEXT_CONTROLS for byte in sample)
    if 0 in sample or controls > _MAX_CONTROL_SHARE * len(sample):
        raise UnreadableFileError(source, f"binary data, not text (starts with {data[:8]!r})")


def _decode_damaged_utf8(data: bytes, source: str) -> str | None:
    """UTF-8 text with a few broken bytes (a cut multi-byte letter, a stray byte), with those replaced by «�».

    A file in another encoding is not mistaken for it: cp1251 or koi8-u text has hardly any well-formed
    multi-byte UTF-8 sequences, and is invalid at most of its Cyrillic letters.
    """
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    multibyte_letters = len(data) - len(text)  # each 2-byte letter is one byte more than one character
    if multibyte_letters < _MIN_UTF8_LETTERS_PER_DAMAGED * damaged:
        return None
    logger.warning("%s: %d places are not valid UTF-8; they are read as «\ufffd»", source, damaged)
    return text


def _decode_legacy(data: bytes, source: str) -> str:
    """Text in cp1251 or koi8-u, chosen by letter statistics; any other encoding by charset-normalizer."""
    scored = []
    for codec in _CYRILLIC_SINGLE_BYTE:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        scored.append((_cyrillic_letter_score(text[:_SAMPLE_BYTES]), text))
    if scored:
        score, text = max(scored, key=lambda item: item[0])
        if score >= _MIN_LETTER_SCORE:
            return text
    guess = charset_normalizer.from_bytes(data).best()
    if guess is None:
        raise UnreadableFileError(
            source,
            "bad encoding: the text is not UTF-8, UTF-16, cp1251 or koi8-u, and its encoding is unknown",
        )
    return str(guess)


def _cyrillic_letter_score(text: str) -> float:
    """The average frequency of the text's Cyrillic letters, or 0 when too few of its letters are Cyrillic.

    Only letters outside ASCII count: ASCII is the same in every candidate encoding, and a file of English
    with a few Ukrainian words is still to be decoded right.
    """
    letters = [char for char in text.lower() if char > "\x7f" and char.isalpha()]
    cyrillic = [char for char in letters if "\u0400" <= char <= "\u04ff"]
    if not cyrillic or len(cyrillic) < _MIN_CYRILLIC_SHARE * len(letters):
        return 0.0
    return sum(_LETTER_FREQUENCY.get(char, 0.0) for char in cyrillic) / len(cyrillic)
