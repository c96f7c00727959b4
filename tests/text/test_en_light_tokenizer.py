"""``en.light_tokenizer`` splits text exactly as ``spacy.blank(lang).tokenizer`` does."""

from __future__ import annotations

import pytest

from textprofile.text.en import light_tokenizer

TEXTS = [
    "The battery life is great, but the screen scratches easily.", "I dont think it wont work, you can't miss.",
    "Wi-Fi, e-mail a.b@example.com or visit https://example.com/x?y=1 :) xD", "MP3 2G 1.5kg U.S.A. $12.50 (really!)",
    "gonna wanna cannot Im", "¿Qué tal? C'est l'été, m'a dit Anna-Lena — straße 5km²", "  \t spaced\nlines  ",
]


@pytest.mark.parametrize("lang", ["en", "es", "fr", "de"])
def test_light_tokenizer_matches_blank(lang):
    import spacy

    light, full = light_tokenizer(lang), spacy.blank(lang).tokenizer

    def view(doc):
        return [(t.text, t.whitespace_, t.is_space, t.is_punct, t.like_num, t.like_url, t.like_email) for t in doc]

    for text in TEXTS:
        assert view(light(text)) == view(full(text)), text
