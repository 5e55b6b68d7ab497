"""The finder's match keys: folded a word at a time (each word once, for speed), yet the same as
the whole text folded, for any text (diacritics, Đ, combining marks, punctuation, spaces)."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from site_builder.pages.finder import key
from site_builder.vn import fold

LETTERS = "aăâbdđeêioôơuưyĐÁàảãạẤầẩẫậ \u0301\u0300\u0303\u0309\u0323  -/.,ΣσςİI1209"


def whole(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9/]+", " ", fold(text or "")).split())


@given(st.text(alphabet=LETTERS, max_size=30) | st.text(max_size=20))
def test_a_key_folded_word_by_word_is_the_text_folded(text):
    assert key(text) == whole(text)


def test_keys_as_the_reader_types_them():
    assert key("315/QĐ-UBND") == "315/qd ubnd"
    assert key("Xã  Đình Lập") == key("xa dinh lap") == "xa dinh lap"
    assert key(None) == ""
