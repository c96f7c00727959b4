"""Text normalisation, PII placeholders, number/role parsing and keyed pseudonyms."""

from __future__ import annotations

import pytest

from textprofile.core.errors import ConfigError
from textprofile.ingest.clean import clean_text, normalize_role, parse_number, parse_numbers
from textprofile.ingest.pii import PSEUDONYM_KEY_ENV, pseudonym_key, pseudonymize, scrub


@pytest.mark.parametrize("raw,expected", [
    ("<p>Great&nbsp;phone!</p><br/>Battery &amp; screen", "Great phone! Battery & screen"),
    ("ｉＰｈｏｎｅ１５　很好，推荐！", "iPhone15 很好,推荐!"),
    ("\ufeff做父母\u200b一定要\n\n有  耐心\t", "做父母一定要 有 耐心"),
    ("I <3 it, a < b > c", "I <3 it, a < b > c"),
    ("   ", ""),
    (None, ""),
])
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("联系我 13800138000 谢谢", "联系我 <PHONE> 谢谢"),
    ("+86 138 0013 8000", "<PHONE>"),
    ("call +1 (415) 555-2671 now", "call <PHONE> now"),
    ("415-555-2671", "<PHONE>"),
    ("座机 010-12345678", "座机 <PHONE>"),
    ("mail a.b+x@example.co.uk please", "mail <EMAIL> please"),
    ("身份证110101199003071234结束", "身份证<ID>结束"),
    ("id 11010119900307123X", "id <ID>"),
    ("卡号 6222 0212 3456 7890 123", "卡号 <CARD>"),
    ("card 4111111111111111.", "card <CARD>."),
    ("see https://t.co/abc123?x=1 ok", "see <URL> ok"),
    # not PII: short numbers, prices, dates, anonymised mentions, model names
    ("@115712 price 1999.00 on 2024-03-05 10:00, iPhone 15, order 123456", None),
])
def test_scrub(raw, expected):
    assert scrub(raw) == (raw if expected is None else expected)


def test_roles_and_numbers():
    assert [normalize_role(v) for v in ["Customer", "客服", " agent ", "", None, "narrator"]] == [
        "customer", "agent", "agent", None, None, "?"]
    assert [parse_number(v) for v in ["4", "4.5", "¥1,299.00", "$12.50", "5星", "", "n/a", "1-2", None]] == [
        4.0, 4.5, 1299.0, 12.5, 5.0, None, None, None, None]
    out = parse_numbers(["1", None, "¥2", "x"])
    assert out[0] == 1.0 and out[2] == 2.0 and out[1] != out[1] and out[3] != out[3]


def test_pseudonymize_needs_key(monkeypatch):
    monkeypatch.delenv(PSEUDONYM_KEY_ENV, raising=False)
    with pytest.raises(ConfigError) as e:
        pseudonym_key()
    assert PSEUDONYM_KEY_ENV in str(e.value)
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, "secret")
    a = pseudonymize(["00123", "00123", None, "x"], pseudonym_key())
    assert a[0] == a[1] and a[2] is None and len(a[0]) == 32 and a[0] != a[3]
    assert "00123" not in a[0]
    assert pseudonymize(["00123"], b"other")[0] != a[0]
