"""Language detection from the script mix, and splitting text into Han / Latin pieces."""

from __future__ import annotations

import pytest

from textprofile.text.lang import detect, script_counts


@pytest.mark.parametrize(
    "text, lang",
    [
        ("这款手机的电池续航很好", "zh"),
        ("The battery life is great", "en"),
        ("电池 battery life 不行", "mixed"),
        ("手机很好用，就是 iPhone 贵", "mixed"),
        ("质量不错，尺码也合适，XL码刚刚好", "zh"),  # a lone size code stays Chinese
        ("This is great 好", "en"),
        ("Привет, как дела?", "other"),
        ("안녕하세요 반갑습니다", "other"),
        ("", "empty"),
        ("   ", "empty"),
        ("12345 !!! ???", "empty"),
        ("😀😀😀", "empty"),
        ("Crème brûlée was très bon", "en"),  # accented Latin letters count as Latin
        ("這個東西質量很好", "zh"),  # Traditional characters are Han too
    ],
)
def test_detect(text, lang):
    assert detect(text) == lang


def test_detect_boundary_is_eighty_percent_of_letters():
    # 8 Han + 2 Latin = exactly 80 % Han -> zh; 7 + 3 -> mixed
    assert detect("一二三四五六七八ab") == "zh"
    assert detect("一二三四五六七abc") == "mixed"
    assert detect("abcdefgh一二") == "en"


def test_script_counts():
    assert script_counts("电池 battery!") == (2, 7, 0)
    assert script_counts("Привет 你好") == (2, 0, 6)


def test_script_runs_keep_latin_stretches_whole_and_drop_punctuation():
    """The tokenizer's split: Han runs to jieba, each Latin stretch whole (with its spaces and
    apostrophes) to spaCy, pieces with neither dropped. Deferred Latin stretches show it as is."""
    from textprofile.text.tokenizer import LATIN_MARK, Tokenizer

    tok = Tokenizer()
    tok.defer_latin = True
    assert tok._tokens("电池 battery life 续航") == ["电池", LATIN_MARK + " battery life ", "续航"]
    assert tok._tokens("价格100元，质量很好！") == ["价格", "质量"]  # 元: one character; 很好: degree + one
    assert tok._tokens("isn't it, 屏幕") == [LATIN_MARK + "isn't it, ", "屏幕"]
    assert tok._tokens("屏幕!!! 123") == ["屏幕"]
    assert tok._tokens("!!! 123") == []
