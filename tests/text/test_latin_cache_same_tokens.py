"""The on-disk lemmas of Latin runs (``text.latin_cache``): a warm cache gives the same tokens
without importing spaCy; a file of another key, or not of this format, is ignored."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from textprofile.text.latin_cache import LatinCache, cache_key
from textprofile.text.stopwords import build_stopwords

ZH = ["电池续航很好", "快递太慢了", "这款面霜很滋润", "屏幕很清晰", "客服态度不错", "物流很快第二天就到了"]

CHILD = r"""
import json, sys
from textprofile.core.config import TokenizeConfig
from textprofile.text.tokenizer import Tokenizer
texts = json.load(open(sys.argv[1], encoding="utf-8"))
tok = Tokenizer(TokenizeConfig())
out = tok.tokenize_many(texts, jobs=2)
tok.save_latin_cache()
print(json.dumps({"tokens": out, "spacy": "spacy" in sys.modules}))
"""


def _texts() -> list[str]:
    from textprofile.text.tokenizer import CHUNK_ROWS

    # mostly Chinese, so the workers defer their Latin runs to the parent
    return [("，".join(ZH[(i + k) % len(ZH)] for k in range(1 + i % 3)) if i % 30 else
             ZH[i % len(ZH)] + f" XP系统 the batteries died, iPhone {i % 13} wifi很好 USB-C")
            for i in range(2 * CHUNK_ROWS + 300)]


def _run(cache_dir, texts_file) -> dict:
    env = {**os.environ, "TEXTPROFILE_CACHE": str(cache_dir)}
    p = subprocess.run([sys.executable, "-c", CHILD, str(texts_file)], env=env, capture_output=True, text=True,
                       check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_warm_cache_gives_the_same_tokens_without_importing_spacy(tmp_path):
    from textprofile.core.config import TokenizeConfig
    from textprofile.text.tokenizer import Tokenizer

    texts = _texts()
    texts_file = tmp_path / "texts.json"
    texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    cold = _run(tmp_path / "cache", texts_file)
    assert cold["spacy"] is True
    files = list((tmp_path / "cache" / "latin").glob("lemmas-*.json"))
    assert len(files) == 1
    warm = _run(tmp_path / "cache", texts_file)
    assert warm["spacy"] is False
    assert warm["tokens"] == cold["tokens"]
    # and both equal one process with spaCy loaded from the start (no deferral, no cache)
    ref = Tokenizer(TokenizeConfig()).tokenize_many(texts, jobs=1)
    assert [list(t) for t in warm["tokens"]] == [[lang, toks] for lang, toks in ref]
    assert any("iphone" in toks and "wifi" in toks for _, toks in ref)


def test_cache_of_another_key_or_format_is_ignored(tmp_path):
    key = cache_key(build_stopwords(()), 4)
    assert key != cache_key(build_stopwords(()) | {"wifi"}, 4) and key != cache_key(build_stopwords(()), 5)
    c = LatinCache(key, tmp_path)
    c.put("XP", ["xp"])
    for contact in ("mail a@b.com", "see www.shop.cn", "call 13800138000", "http://x"):
        c.put(contact, ["x"])
    c.save()
    assert sorted(LatinCache(key, tmp_path).runs) == ["XP"]
    assert LatinCache(key, tmp_path).get("XP") == ("xp",)
    data = json.loads(c.path.read_text(encoding="utf-8"))
    c.path.write_text(json.dumps({**data, "key": "other"}), encoding="utf-8")
    assert LatinCache(key, tmp_path).get("XP") is None
    for junk in ("not json", json.dumps({"key": key, "runs": {"XP": [1]}}), json.dumps([1, 2])):
        c.path.write_text(junk, encoding="utf-8")
        assert LatinCache(key, tmp_path).get("XP") is None
