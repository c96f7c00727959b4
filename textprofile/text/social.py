"""Social-media and PII markup: what is removed before tokenizing, and hashtags kept whole.

Removed: URLs (and the loader's ``<URL>``), the loader's PII placeholders ``<EMAIL>`` ``<PHONE>``
``<ID>`` ``<CARD>``, the contact handles' ``<WECHAT>`` ``<QQ>`` ``<ALIPAY>`` ... (they carry no
interest, and as tokens they would form a fake topic),
``@mentions``, Weibo repost chains (``//@user: ...`` — everything from the first ``//@`` on is other
people's words), ``转发微博`` / ``Repost`` / ``RT @user:``, and emoji. Kept as one token each:
Weibo topics ``#话题#`` and hashtags ``#hashtag`` (lower-cased).
"""

from __future__ import annotations

import re

# the loader's PII placeholders (ingest.pii.PLACEHOLDERS; the same list, tested)
PLACEHOLDERS = ("<EMAIL>", "<PHONE>", "<ID>", "<CARD>", "<URL>", "<WECHAT>", "<QQ>", "<ALIPAY>", "<TELEGRAM>",
                "<WHATSAPP>", "<LINE>", "<POSTCODE>", "<ADDRESS>", "<PLATE>")

# Everything from the first repost marker on belongs to other users.
_REPOST_CHAIN = re.compile(r"//\s*@.*", re.DOTALL)

# One alternation, so a single left-to-right scan finds every piece; group names say what it is.
_MARKUP = re.compile(
    r"(?P<weibo>#(?P<wtag>[^#\s@&;<>]{1,40})#)"  # #话题# (closed, short, no spaces)
    r"|(?P<tag>(?<![\w&/])#(?P<htag>(?=\w*[^\W\d_])[^\W_][\w\-]{0,49}))"  # #hashtag, not &#39; or #1
    r"|(?P<drop>"
    r"<(?:" + "|".join(p[1:-1] for p in PLACEHOLDERS) + r")>"
    r"|(?:https?|ftp)://\S+|www\.[^\s<]+"
    r"|\bRT\s+@[\w\-.]+:?"
    r"|(?<![\w.])@[\w\-.]+"  # @mention, not the @ of an e-mail address
    r"|转发微博|(?<![A-Za-z])[Rr]epost(?![A-Za-z])"
    r")"
)
_QUICK = re.compile(r"[#@<:/转Rr]")

# Emoji and pictographs, dingbats, variation selectors, zero-width joiner, skin tones, flags.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U00002b00-\U00002bff\U0000fe0e\U0000fe0f"
    "\U0000200d\U000020e3\U0001f1e6-\U0001f1ff\U000e0020-\U000e007f]+"
)


def split_markup(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into ("text", piece) and ("tag", hashtag) items in order, markup removed.

    Hashtags keep their ``#`` marks so they cannot collide with ordinary words: ``#话题#`` stays
    as written, ``#Hashtag`` becomes ``#hashtag``. Emoji in the text pieces become spaces.
    """
    if not _QUICK.search(text):
        return [("text", _EMOJI.sub(" ", text))]
    text = _REPOST_CHAIN.sub("", text)
    items: list[tuple[str, str]] = []
    pos = 0
    for m in _MARKUP.finditer(text):
        if m.start() > pos:
            items.append(("text", _EMOJI.sub(" ", text[pos : m.start()])))
        if m.group("weibo"):
            items.append(("tag", f"#{m.group('wtag').lower()}#"))
        elif m.group("tag"):
            items.append(("tag", f"#{m.group('htag').lower()}"))
        pos = m.end()
    if pos < len(text):
        items.append(("text", _EMOJI.sub(" ", text[pos:])))
    return items


def has_markup(text: str) -> bool:
    """Whether ``split_markup(text)`` finds any markup (else it is one text piece, emoji aside)."""
    if not _QUICK.search(text):
        return False
    return _REPOST_CHAIN.search(text) is not None or _MARKUP.search(text) is not None


def strip_emoji(text: str) -> str:
    """``text`` with emoji as spaces: the one piece ``split_markup`` gives when there is no markup."""
    return _EMOJI.sub(" ", text)
