"""Vietnamese text handling: NFC, slugs, diacritic folding, number and date formatting, collation."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import format_decimal
from slugify import slugify as _slugify

__all__ = [
    "nfc", "fold", "slugify", "format_number", "format_date", "parse_vn_number",
    "sort_key", "UNIT_FACTORS",
]

VI = Locale.parse("vi")  # Babel's Vietnamese: 1.352.449 and 11,54

# million VND per unit as written in the reports
UNIT_FACTORS = {"triệu đồng": Decimal(1), "tỷ đồng": Decimal(1000),
                "nghìn đồng": Decimal("0.001"), "đồng": Decimal("0.000001")}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case and drop diacritics, mapping đ to d: 'Đình Lập' -> 'dinh lap'."""
    text = nfc(text).replace("Đ", "D").replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text.lower()


def slugify(text: str) -> str:
    """ASCII slug: 'Xã Đình Lập' -> 'xa-dinh-lap' (python-slugify; Đ/đ -> d). Stable and
    deterministic. Commune and district ids are the slug of kind, name and district."""
    return _slugify(nfc(text), replacements=[[",", " "]])  # '26,86' -> '26-86', not '2686'


def parse_vn_number(text: str) -> Decimal:
    """Parse Vietnamese notation: '1.352.449' -> 1352449, '11,54' -> 11.54, '29.038,0' -> 29038.0.

    Raises ValueError when the text is not a number in that notation."""
    t = nfc(text).strip().replace("\u00a0", "").replace(" ", "")
    if not re.fullmatch(r"\d{1,3}(\.\d{3})*(,\d+)?|\d+(,\d+)?", t):
        raise ValueError(f"not a Vietnamese-notation number: {text!r}")
    try:
        return Decimal(t.replace(".", "").replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise ValueError(text) from exc


def format_number(value, decimals: int | None = None) -> str:
    """1352449 -> '1.352.449'; 11.54 -> '11,54'; None -> ''. Babel's Vietnamese notation; with
    `decimals`, rounded half to even and written with exactly that many decimals."""
    if value is None or value == "":
        return ""
    d = Decimal(str(value))
    if decimals is not None:
        d = round(d, decimals)
    if d == 0:
        d = abs(d)  # never '-0'
    if decimals is None:  # every decimal the value has, trailing zeros dropped
        return format_decimal(d, locale=VI, decimal_quantization=False)
    return format_decimal(d, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale=VI)


def format_date(value) -> str:
    """date -> 'dd/mm/yyyy'."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.strftime("%d/%m/%Y")


# Vietnamese alphabet order; tone marks sort after the letters (ngang, huyền, hỏi, ngã, sắc, nặng).
_ALPHABET = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
             "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z"]
_LETTER_RANK = {c: i for i, c in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def sort_key(text: str) -> tuple:
    """Key for sorting names the way Vietnamese readers expect (Đ after D, Ư after U, tones last)."""
    base: list[int] = []
    tones: list[int] = []
    for ch in nfc(text).lower():
        decomposed = unicodedata.normalize("NFD", ch)
        letter = decomposed[0]
        tone = 0
        for mark in decomposed[1:]:
            if mark in _LETTER_MARKS:
                letter = unicodedata.normalize("NFC", letter + mark)
            elif mark in _TONES:
                tone = _TONES[mark]
        rank = _LETTER_RANK.get(letter)
        if rank is None:  # spaces, digits and punctuation before letters; other scripts after
            rank = ord(letter) - 100_000 if not letter.isalpha() else 1000 + ord(letter)
        base.append(rank)
        tones.append(tone)
    return (tuple(base), tuple(tones))
