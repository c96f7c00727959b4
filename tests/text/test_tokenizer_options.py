"""Tokenizer options (user dictionaries, stop-word files, kept single characters), the two Chinese
engines (jieba-rs via rjieba, Python jieba as fallback) checked against Python jieba, and the
direct lemma table lookup checked against spaCy's lookup lemmatizer pipe."""

from __future__ import annotations

import pytest

from textprofile.core.config import TokenizeConfig
from textprofile.core.errors import ConfigError
from textprofile.text.lang import HAN_RUN
from textprofile.text.tokenizer import Tokenizer
from textprofile.text.zh import ChineseSegmenter, effective_engine


@pytest.fixture(scope="module")
def tok():
    return Tokenizer(TokenizeConfig())


def test_user_dict_keeps_product_names_whole(tmp_path, tok):
    text = "小米手环七代的续航比华为手表长"
    before = tok.tokenize(text)[1]
    assert "小米手环七代" not in before
    d = tmp_path / "products.txt"
    d.write_text("小米手环七代 10 n\n华为手表\n", encoding="utf-8")
    after = Tokenizer(TokenizeConfig(user_dicts=(str(d),))).tokenize(text)[1]
    assert after == ["小米手环七代", "续航", "华为手表"]


def test_stopword_file_extends_the_lists(tmp_path, tok):
    f = tmp_path / "stop.txt"
    f.write_text("# our own\n续航\nBattery\n", encoding="utf-8")
    t = Tokenizer(TokenizeConfig(stopword_files=(str(f),)))
    assert tok.tokenize("电池续航 battery life")[1] == ["电池", "续航", "battery", "life"]
    assert t.tokenize("电池续航 battery life")[1] == ["电池", "life"]


def test_keep_single_han(tok):
    assert tok.tokenize("这本书很好看，书很厚")[1] == ["本书", "好看"]
    t = Tokenizer(TokenizeConfig(keep_single_han=("书", "厚")))
    assert t.tokenize("这本书很好看，书很厚")[1] == ["本书", "好看", "书", "厚"]


def test_missing_files_name_the_fix(tmp_path):
    with pytest.raises(ConfigError, match="--stopwords"):
        Tokenizer(TokenizeConfig(stopword_files=(str(tmp_path / "nope.txt"),)))
    with pytest.raises(ConfigError, match="--user-dict"):
        Tokenizer(TokenizeConfig(user_dicts=(str(tmp_path / "nope.txt"),))).tokenize("你好世界")


def test_stopword_file_must_be_utf8(tmp_path):
    f = tmp_path / "gbk.txt"
    f.write_bytes("续航\n".encode("gbk"))
    with pytest.raises(ConfigError, match="UTF-8"):
        Tokenizer(TokenizeConfig(stopword_files=(str(f),)))


SENTENCES = [
    "这款手机的电池续航很好屏幕也很清晰",
    "快递小哥态度很差东西还被压坏了",
    "蒙牛特仑苏口感不错就是价格有点贵",
    "王小二在北京大学读研究生",
    "结婚的和尚未结婚的",
    "我来到北京清华大学",
    "他来到了网易杭研大厦",
    "小明硕士毕业于中国科学院计算所后在日本京都大学深造",
    "这酒店的隔音效果差得离谱半夜被吵醒三次",
]


@pytest.fixture(scope="module")
def py_jieba():
    import jieba

    return jieba.Tokenizer()


def test_rjieba_cuts_han_runs_as_python_jieba(tok, py_jieba):
    assert tok.zh.engine == "rjieba"
    for s in SENTENCES:
        assert tok.zh.cut_run(s) == py_jieba.lcut(s, HMM=True), s


def test_fallback_engine_is_python_jieba(py_jieba):
    seg = ChineseSegmenter(engine="jieba")
    assert seg.engine == "jieba"
    for s in SENTENCES + ["差差差差差差评", "赞赞赞赞赞"]:
        assert seg.cut_run(s) == py_jieba.lcut(s, HMM=True), s


def test_engines_break_equal_route_scores_differently(tok, py_jieba):
    """The one kind of difference found on 319,149 distinct review runs (docs/internals.md)."""
    assert tok.zh.cut_run("赞赞赞赞赞") == ["赞赞赞", "赞赞"]
    assert py_jieba.lcut("赞赞赞赞赞") == ["赞赞", "赞赞赞"]


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_user_dict_on_either_engine(tmp_path, engine):
    d = tmp_path / "products.txt"
    d.write_text("\ufeff小米手环七代 10 n\n华为手表\n\n续航能力 5\n", encoding="utf-8")
    t = Tokenizer(TokenizeConfig(user_dicts=(str(d),), zh_engine=engine))
    assert t.tokenize("小米手环七代的续航能力比华为手表强")[1] == ["小米手环七代", "续航能力", "华为手表"]


def test_user_dict_is_private_to_its_tokenizer(tmp_path, tok):
    d = tmp_path / "w.txt"
    d.write_text("续航很好\n", encoding="utf-8")
    assert "续航很好" in Tokenizer(TokenizeConfig(user_dicts=(str(d),))).zh.cut_run("电池续航很好")
    assert "续航很好" not in tok.zh.cut_run("电池续航很好")
    assert "续航很好" not in ChineseSegmenter().cut_run("电池续航很好")


def test_user_dict_must_be_utf8(tmp_path):
    d = tmp_path / "gbk.txt"
    d.write_bytes("小米手环\n".encode("gbk"))
    with pytest.raises(ConfigError, match="UTF-8"):
        ChineseSegmenter((str(d),))


def test_missing_rjieba_falls_back_to_python_jieba(monkeypatch, caplog, py_jieba):
    import sys

    monkeypatch.setitem(sys.modules, "rjieba", None)  # what a platform without the wheel sees
    assert effective_engine("rjieba") == "jieba"
    with caplog.at_level("WARNING", logger="textprofile"):
        seg = ChineseSegmenter(engine="rjieba")
    assert seg.engine == "jieba" and "pip install rjieba" in caplog.text
    assert seg.cut_run(SENTENCES[0]) == py_jieba.lcut(SENTENCES[0])


def test_engine_that_runs_is_in_the_cache_key(monkeypatch):
    import sys

    from textprofile.text.stage import cache_key

    rs, py = cache_key(TokenizeConfig()), cache_key(TokenizeConfig(zh_engine="jieba"))
    assert rs != py
    monkeypatch.setitem(sys.modules, "rjieba", None)
    assert cache_key(TokenizeConfig()) != rs  # the fallback's tokens are not the cached rjieba ones


def test_unknown_engine_names_the_choices():
    with pytest.raises(ConfigError, match="rjieba, jieba"):
        Tokenizer(TokenizeConfig(zh_engine="pkuseg")).tokenize("你好世界")


@pytest.mark.integration
def test_engines_agree_on_real_reviews(shared_data, tok, py_jieba):
    import pandas as pd

    df = pd.read_csv(shared_data / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz")
    texts = df["review"].dropna().astype(str).tolist()[::50]  # ~1,250 reviews across all categories
    runs = [r for t in texts for r in HAN_RUN.findall(t)]
    assert len(runs) > 6_000
    diff = [r for r in runs if tok.zh.cut_run(r) != py_jieba.lcut(r, HMM=True)]
    assert len(diff) <= len(runs) // 1000, diff
    # one engine call for many runs splits back into exactly the per-run cuts
    assert tok.zh.cut_runs(runs) == [tok.zh.cut_run(r) for r in runs]
    # and the chunk path (runs batched, memo cold) gives the per-text tokens
    fresh = Tokenizer(TokenizeConfig())
    langs, toks = fresh.tokenize_chunk(texts + texts[:50])
    assert list(zip(langs, toks)) == [tok.tokenize(t) for t in texts + texts[:50]]


def test_chunk_batches_han_runs_with_latin_and_tags(tok):
    texts = ["电池 battery life 不行", "#双十一#抢到了新手机", "电池 battery", "", None, "电池续航很好", "電池續航很好"]
    fresh = Tokenizer(TokenizeConfig())
    langs, toks = fresh.tokenize_chunk(texts)
    assert list(zip(langs, toks)) == [tok.tokenize(t) for t in texts]
    assert not any(w[0] in "\x00\x01" for ts in toks for w in ts)


def test_lemmas_agree_with_spacy_lookup_lemmatizer(tok):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    text = (
        "these strings were sounding brighter than the cheaper ones i bought; the batteries died, "
        "my kids loved the headphones and the cables are working better than expected"
    )
    from textprofile.text.en import LEMMA_OVERRIDES

    text += ", the number of cookies"
    en = tok.en
    ours = en.lemmas(text)
    # the pipe's lemma, except where the documented override table corrects it
    pairs = [(t, LEMMA_OVERRIDES.get(t.text.lower(), t.lemma_).lower()) for t in nlp(text)]
    ref = [
        lem for t, lem in pairs
        if not (t.is_punct or t.is_space or t.like_num) and len(lem) > 1
        and lem not in tok.stopwords and t.text.lower() not in tok.stopwords
    ]
    assert ours == ref
    assert ours[-2:] == ["number", "cookie"]
    assert {"string", "sound", "bright", "cheap", "battery", "die", "kid", "headphone", "cable"} <= set(ours)


def test_capitalised_words_get_the_lower_case_lemma(tok):
    assert tok.tokenize("Batteries died.")[1] == tok.tokenize("batteries died.")[1] == ["battery", "die"]


def test_phrases_are_a_corpus_pass_not_a_per_text_change(tok):
    # phrases need counts over the whole corpus (tokenize_corpus, tests/test_phrases.py), so one
    # text's tokens are the same with the setting on or off
    t = Tokenizer(TokenizeConfig(phrases=True, phrase_min_count=1, phrase_threshold=0.1))
    assert t.tokenize("电池 battery life 不行") == tok.tokenize("电池 battery life 不行")
