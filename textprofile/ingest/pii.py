"""PII scrubbing (placeholders; contact handles in ``contacts``) and keyed pseudonymisation of customer ids.

One combined regular expression runs over each text once; the alternatives are tried in order,
so a URL is not also read as a phone number, and an 18-character resident ID is not a card.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from textprofile.core.errors import ConfigError
from textprofile.ingest.contacts import CONTACT_PLACEHOLDERS, scrub_contacts, scrub_contacts_many

PSEUDONYM_KEY_ENV = "TEXTPROFILE_PSEUDONYM_KEY"
# every placeholder scrub writes; text.social removes each one before tokenizing (tested)
PLACEHOLDERS = ("<URL>", "<EMAIL>", "<ID>", "<PHONE>", "<CARD>", *CONTACT_PLACEHOLDERS)

_PATTERNS = [
    # no backslash: scrubbing also runs over JSON text (meta), where it starts an escape
    ("URL", r"(?:https?://|www\.)[^\s<>\"'\\\u3000-\u303f\uff01-\uff5e]+"),
    ("EMAIL", r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"),
    # mainland resident ID: 6-digit area, birth date 18xx-20xx, 3 digits, check digit/X
    ("ID", r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"),
    # international with +country code, e.g. +86 138 0013 8000, +1 (415) 555-2671
    ("PHONE", r"(?<![\w+])\+\d{1,3}[\s\-.]?(?:\(\d{1,4}\)[\s\-.]?)?\d{1,4}(?:[\s\-.]?\d{2,4}){1,4}(?!\d)"),
    # mainland mobile, optionally 86-prefixed and grouped 3-4-4
    ("PHONE", r"(?<!\d)(?:0?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}(?!\d)"),
    # bank-card-like digit runs: 13-19 digits, optionally grouped by spaces or dashes
    ("CARD", r"(?<!\d)\d{4}(?:[\s\-]?\d{4}){2,3}(?:[\s\-]?\d{1,3})?(?!\d)|(?<!\d)\d{13,19}(?!\d)"),
    # North American style (415) 555-2671 / 415-555-2671 and Chinese landlines 010-12345678
    ("PHONE", r"(?<!\d)\(?\d{3}\)?[\s\-.]\d{3}[\-.]\d{4}(?!\d)|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"),
]
_URL = re.compile(_PATTERNS[0][1])
_EMAIL = re.compile(_PATTERNS[1][1])
_NUMBERS = re.compile("|".join(f"(?P<{name}{i}>{pat})" for i, (name, pat) in enumerate(_PATTERNS) if i >= 2))
# at least 7 digits close together: the least any number pattern below matches
_DIGITS_TRIGGER = re.compile(r"\d(?:[\s\-.()]{0,2}\d){6}")
_GROUP_LABEL = {f"{name}{i}": f"<{name}>" for i, (name, _) in enumerate(_PATTERNS)}


def _sub(m: re.Match) -> str:
    return _GROUP_LABEL[m.lastgroup]


def scrub(text: str) -> str:
    """Replace e-mails, URLs, contact handles, phone, ID and card numbers with placeholders.

    URLs go first (they contain digits and '@'), then e-mails, then contact handles after their
    keywords (``contacts.scrub_contacts``: WeChat, QQ, Alipay, messengers, postcodes, addresses,
    licence plates), then one pass for the number kinds; each pass runs only when a cheap check
    says it can match, which keeps long texts fast.
    """
    if not text:
        return text
    return _scrub_numbers(scrub_contacts(_scrub_links(text)))


def _scrub_links(text: str) -> str:
    if "http" in text or "www." in text:
        text = _URL.sub("<URL>", text)
    if "@" in text:
        text = _EMAIL.sub("<EMAIL>", text)
    return text


def _scrub_numbers(text: str) -> str:
    if _DIGITS_TRIGGER.search(text):
        text = _NUMBERS.sub(_sub, text)
    return text


def scrub_many(texts: list) -> list:
    """``scrub`` over a list: the same values, with the texts that cannot hold anything to
    replace found column-wise first (``may_hold_pii``), so only the others cost a Python call."""
    out = list(texts)
    idx = [i for i in may_hold_pii(texts) if isinstance(out[i], str) and out[i]]
    some = [_scrub_links(out[i]) for i in idx]
    some = scrub_contacts_many(some)
    for i, t in zip(idx, some):
        out[i] = _scrub_numbers(t)
    return out


def _re2_trigger() -> str:
    """One RE2 pattern matching every text in which some pass of ``scrub`` could replace something.

    A superset of the Python quick tests: "http", "www.", "@"; 7 digits with at most 2 characters
    between neighbours (``_DIGITS_TRIGGER``); and the contact rules' literals and quick regexes
    (``contacts.QUICK_LITERALS``, ``contacts.QUICK_REGEXES``, lookarounds dropped, ``\\d`` read
    as any decimal digit, as Python's ``re`` does).
    """
    from textprofile.ingest.contacts import QUICK_LITERALS, QUICK_REGEXES

    meta = set("\\.^$|?*+()[]{}")
    lits = sorted({"http", "www.", "@", *QUICK_LITERALS}, key=lambda q: (-len(q), q))
    alts = ["".join("\\" + c if c in meta else c for c in q) for q in lits]
    alts += [re.sub(r"\(\?[!=<][^()]*\)", "", q).replace("\\d", "\\p{Nd}") for q in QUICK_REGEXES]
    alts.append(r"\p{Nd}(?:.{0,2}\p{Nd}){6}")
    return "(?s)" + "|".join(alts)


_TRIGGER: list[str] = []


def may_hold_pii(texts: list) -> list[int]:
    """Indices of the ``texts`` (str or None) that ``scrub`` might change; the rest it leaves as
    they are. Decided with pyarrow's RE2 over the whole column, on the text and its lower case."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not _TRIGGER:
        _TRIGGER.append(_re2_trigger())
    if isinstance(texts, pa.Array):
        arr = texts
    else:
        arr = pa.array([t if isinstance(t, str) else None for t in texts], type=pa.string())
    # lower-cased (the contact rules test ``text.lower()``; utf8proc folds "İ" and the Kelvin
    # sign to ASCII as Python does) and case-insensitive (what the other passes test as written)
    hit = pc.match_substring_regex(pc.utf8_lower(arr), _TRIGGER[0], ignore_case=True)
    return np.flatnonzero(pc.fill_null(hit, False).to_numpy(zero_copy_only=False)).tolist()


def pseudonym_key() -> bytes:
    """The HMAC key from ``$TEXTPROFILE_PSEUDONYM_KEY``; a ConfigError naming the variable when unset."""
    key = os.environ.get(PSEUDONYM_KEY_ENV, "")
    if not key:
        raise ConfigError(
            f"--pseudonymize needs a secret key: set {PSEUDONYM_KEY_ENV} (e.g. export "
            f"{PSEUDONYM_KEY_ENV}=$(openssl rand -hex 32)) and keep it to pseudonymize later exports the same way"
        )
    return key.encode("utf-8")


def key_fingerprint(key: bytes) -> str:
    """A short public check value so a later ``update`` can tell whether the same key is in use."""
    return hmac.new(key, b"textprofile-pseudonym-key-check", hashlib.sha256).hexdigest()[:12]


def pseudonymize(ids: list, key: bytes) -> list:
    """HMAC-SHA256 of each id under ``key``, as 32 hex characters (None stays None)."""
    out = []
    cache: dict[str, str] = {}
    for v in ids:
        if v is None:
            out.append(None)
            continue
        h = cache.get(v)
        if h is None:
            h = cache[v] = hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
        out.append(h)
    return out
