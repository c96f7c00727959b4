"""The column-wise chunk path (``han_batch``) gives exactly ``Tokenizer.tokenize``'s result."""

from __future__ import annotations

import pytest

from textprofile.core.config import TokenizeConfig
from textprofile.text.han_batch import route
from textprofile.text.tokenizer import Tokenizer

CASES = [
    "这款手机的电池续航很好，屏幕也很清晰", "電池續航很好，螢幕清晰", "价格便宜了100元，性价比很高！！！",
    "电池 battery life 不行", "我买了iPhone 15，拍照效果很好", "Wi-Fi信号很弱，路由器要重启",
    "The hotel 早餐很丰富 and the staff were friendly", "好😀用", "good😀bad 很好", "手机很好 XP,系统 VISTA。",
    "#双十一#抢到了新手机", "@小明 这个不错", "转发微博 很好看", "好评//@某人: 真的吗", "优点：屏幕大；缺点：2011/11/11 发货慢",
    "ひらがな 和 中文", "한국어 中文", "中文 Привет", "12345", "。。。", "", None, float("nan"), "only english text here",
    "见 http://example.com/x 网址", "联系 <PHONE> 客服", "〇很好", "①号 很好", "Ａｐｐｌｅ手机很好",
]


@pytest.fixture(scope="module")
def tok():
    return Tokenizer(TokenizeConfig())


def test_chunk_equals_one_by_one(tok):
    fresh = Tokenizer(TokenizeConfig())
    langs, toks = fresh.tokenize_chunk(CASES * 3)
    assert list(zip(langs, toks)) == [tok.tokenize(t) for t in CASES * 3]


def test_routes(tok):
    fold = tok.fold_traditional
    assert route(fold, "电池续航很好") == ("zh", ["电池续航很好"], False)
    assert route(fold, "電池") == ("zh", ["电池"], False)
    assert route(fold, "12345") == ("empty", [], False)
    assert route(fold, "电池 battery")[2] is True
    for per_comment in ("only english", "#话题# 好", "@某人 好", "ひらがな 和", "见 http://x.com 好", "", None):
        assert route(fold, per_comment) is None


def test_chunk_deferred_latin_resolves_the_same(tok):
    fresh = Tokenizer(TokenizeConfig())
    fresh.zh  # noqa: B018
    fresh.defer_latin = True
    langs, toks, pending = fresh.tokenize_chunk_deferred(CASES)
    assert pending == sorted(pending)
    assert all(any(w[:1] == "\x00" for w in toks[i]) for i in pending)
    assert not any(w[:1] == "\x00" for i, ts in enumerate(toks) if i not in pending for w in ts)
    fresh.defer_latin = False
    fresh.resolve_latin(toks, pending)
    assert list(zip(langs, toks)) == [tok.tokenize(t) for t in CASES]


def test_shopping_reviews_chunked_equal_one_by_one(tok, shared_data):
    import pandas as pd

    from textprofile.ingest.clean import clean_texts

    df = pd.read_csv(shared_data / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz")
    texts = clean_texts(df["review"].tolist()[::10])
    fresh = Tokenizer(TokenizeConfig())
    got = []
    for i in range(0, len(texts), 2000):
        got.extend(zip(*fresh.tokenize_chunk(texts[i:i + 2000])))
    assert got == [tok.tokenize(t) for t in texts]
