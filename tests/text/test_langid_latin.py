"""Latin-only comments in other languages: detected, kept with their code, untokenized unless
opted into with ``languages`` (--languages), and never shaping the English pipeline."""

from __future__ import annotations

import pytest

from textprofile.core.config import TokenizeConfig
from textprofile.core.errors import ConfigError
from textprofile.text.langid import LatinLanguageId, normalize_languages
from textprofile.text.tokenizer import Tokenizer

FOREIGN = {
    "es": ["hola necesito ayuda con mi cuenta, no puedo entrar desde ayer por la tarde",
           "compré una tarjeta de regalo y no se me acreditaron los puntos en la cuenta"],
    "fr": ["bonjour je suis très déçu par la livraison, le colis est arrivé en retard",
           "pourquoi mon iPhone redémarre tout seul depuis la mise à jour de ce matin"],
    "de": ["danke für die schnelle Antwort, ich werde mal nachfragen was da passiert ist",
           "warum ist es mir nicht möglich per Bankeinzug zu bezahlen, das ging doch immer"],
    "pt": ["na última atualização da entrega do meu pedido consta que não foi possível localizar"],
}
ENGLISH = [
    "The battery drains fast and the charger gets hot when I leave it overnight",
    "I did. No response.",
    "my fiancé ordered the café latte and it came cold, de facto a waste of money",
    "Stop calling me, I will cancel the plan if this happens again",
]


@pytest.fixture(scope="module")
def tok():
    return Tokenizer()


@pytest.mark.parametrize("lang,text", [(k, t) for k, ts in FOREIGN.items() for t in ts])
def test_other_languages_are_marked_and_get_no_tokens(tok, lang, text):
    assert tok.tokenize(text) == (lang, [])


@pytest.mark.parametrize("text", ENGLISH)
def test_english_stays_english_with_its_tokens(tok, text):
    lang, tokens = tok.tokenize(text)
    assert lang == "en" and tokens


def test_short_texts_are_not_judged(tok):
    # two words cannot be told apart reliably; they stay English (and so keep their tokens)
    assert LatinLanguageId().gate("muchas gracias") is False
    assert tok.tokenize("muchas gracias")[0] == "en"


def test_chinese_and_mixed_comments_are_untouched(tok):
    assert tok.tokenize("电池续航太差了，充电器发热")[0] == "zh"
    # mostly Latin letters, so "en" by script; but with Han in it, never sent to the detector
    lang, tokens = tok.tokenize("电池 la batería no funciona con el cargador 不行")
    assert lang == "en" and tokens[0] == "电池" and "batería" in tokens
    assert tok.tokenize("电池 batería 不行")[0] == "mixed"


def test_opted_in_language_gets_its_own_lemmas_and_stop_words():
    tok = Tokenizer(TokenizeConfig(languages=("es",)))
    assert tok.languages == ("en", "es", "zh")
    lang, tokens = tok.tokenize("#Soporte hola necesito ayuda, las baterías no funcionan con el cargador")
    assert lang == "es"
    assert tokens[0] == "#soporte"
    assert "batería" in tokens and "funcionar" in tokens  # plural and verb lemmatized by es lookups
    assert not {"las", "no", "con", "el"} & set(tokens)  # Spanish stop words
    # French is still not configured
    assert tok.tokenize(FOREIGN["fr"][0]) == ("fr", [])


def test_languages_are_normalized_and_checked():
    assert normalize_languages(["ES", " fr", ""]) == ("en", "es", "fr", "zh")
    assert normalize_languages(()) == ("en", "zh")
    with pytest.raises(ConfigError, match=r"unknown language xx; choose from de, en, es"):
        normalize_languages(["es", "xx"])
    with pytest.raises(ConfigError, match="unknown language"):
        Tokenizer(TokenizeConfig(languages=("klingon",)))


def test_detection_is_deterministic(tok):
    texts = [t for ts in FOREIGN.values() for t in ts] + ENGLISH
    assert [Tokenizer().tokenize(t) for t in texts] == [tok.tokenize(t) for t in texts]
