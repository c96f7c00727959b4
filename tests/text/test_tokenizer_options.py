"""Tokenizer options (user dictionaries, stop-word files, kept single characters) and the two
speed-ups checked against the reference they replace: the route search against jieba's own
``lcut``, and the direct lemma table lookup against spaCy's lookup lemmatizer pipe."""

from __future__ import annotations

import pytest

from textprofile.core.config import TokenizeConfig
from textprofile.core.errors import ConfigError
from textprofile.text.lang import HAN_RUN
from textprofile.text.tokenizer import Tokenizer


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


def test_route_search_equals_jieba_lcut(tok):
    seg = tok.zh
    for s in SENTENCES:
        assert seg._cut(s) == seg.jieba.lcut(s, HMM=True), s


def test_fast_hmm_equals_jieba_finalseg():
    """The unrolled Viterbi gives jieba.finalseg.cut's words, ties and unknown characters included."""
    import random

    import jieba.finalseg

    from textprofile.text.zh import _make_hmm_cut

    hmm_cut = _make_hmm_cut()
    rng = random.Random(7)
    common = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长"
    rare = "".join(chr(c) for c in (0x9FD0, 0x9FD5, 0x4E00, 0x9FA5, 0x4DB5, 0x3400, 0xF900))  # edges, Ext A, compat
    # characters the HMM has never seen: every state scores -3.14e100 there, so scores tie
    unseen = [chr(c) for c in range(0x4E00, 0x9FD6) if all(chr(c) not in e for e in jieba.finalseg.emit_P.values())]
    assert len(unseen) > 100
    unseen = "".join(unseen[:: len(unseen) // 40])
    # characters some states have never emitted: where scores tie, jieba's tuple max decides
    partial = "".join(chr(c) for c in range(0x4E00, 0x9FD6) if 0 < sum(chr(c) in e for e in jieba.finalseg.emit_P.values()) < 4)
    cases = ["王小二在北京大学读研究生", "结婚的和尚未结婚的", "嗯嗯", "囧囧有神", "犇犇",
             "佒伀侾丏両佴俺丗", "佴侻乪要上到佴伷伬", "暎蚵鏰鮐嚦祛翾徜鴭", "鳾圞矁雳咲蛔鞮"]  # ties found by search
    for _ in range(5000):
        pool = rng.choice((common, common + rare, common + unseen, unseen, partial[:300] + unseen, common + partial[:200]))
        cases.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 15))))
    for s in cases:
        assert hmm_cut(s) == list(jieba.finalseg.cut(s)), s


@pytest.mark.integration
def test_route_search_equals_jieba_on_real_reviews(shared_data, tok):
    import pandas as pd

    df = pd.read_csv(shared_data / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz")
    texts = df["review"].dropna().astype(str).tolist()[::150]  # ~420 reviews across all categories
    seg = tok.zh
    runs = [r for t in texts for r in HAN_RUN.findall(t)]
    assert len(runs) > 2_000
    diff = [r for r in runs if seg._cut(r) != seg.jieba.lcut(r, HMM=True)]
    assert diff == []


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
