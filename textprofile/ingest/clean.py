"""Text normalisation (NFKC, HTML, whitespace), value parsing (roles, numbers) and dedupe keys."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

_TAG = re.compile(r"<(?:(/?)([A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*)?/?|!--.*?--)>", re.DOTALL)
# tags that separate words; inline tags (<b>, <span>, ...) are removed without a space
_BLOCK_TAGS = frozenset({
    "br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "blockquote", "pre", "section",
})


def _tag(m: re.Match) -> str:
    return " " if (m.group(2) or "").lower() in _BLOCK_TAGS else ""

_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\u2060\ufeff]")
# full-width ASCII and the ideographic space: the bulk of NFKC's work on Chinese text, done by a
# table lookup first because unicodedata.normalize is slow on long CJK strings
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# the same as a list indexed by code point (str.translate looks a list up faster than a dict;
# characters past its end raise IndexError, which translate reads as "unchanged")
_FULLWIDTH_TABLE = [_FULLWIDTH.get(cp, cp) for cp in range(0xFF5F)]

CUSTOMER_ROLES = frozenset({
    "customer", "cust", "user", "client", "buyer", "consumer", "member", "visitor", "guest", "inbound",
    "c", "u", "human", "end_user", "enduser", "requester", "customer_message",
    "客户", "用户", "买家", "顾客", "会员", "访客", "消费者", "网友",
})
AGENT_ROLES = frozenset({
    "agent", "staff", "support", "service", "seller", "merchant", "operator", "bot", "assistant",
    "system", "admin", "rep", "csr", "company", "brand", "outbound", "a", "s",
    "customer service", "customer_service", "customerservice", "support agent", "human_agent",
    "advisor", "representative", "employee", "host", "kefu", "chatbot",
    "客服", "商家", "卖家", "店家", "机器人", "系统", "人工客服", "官方", "小二",
})


def clean_text(text: str | None) -> str:
    """HTML tags and entities stripped, NFKC, invisible characters dropped, whitespace collapsed."""
    if not text:
        return ""
    if "<" in text:
        text = _TAG.sub(_tag, text)
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = text.translate(_FULLWIDTH_TABLE)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    if not text.isprintable():  # cheap C check before the regex for control/zero-width chars
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def clean_texts(texts: list) -> list[str]:
    return [clean_text(t) if isinstance(t, str) else "" for t in texts]


def normalize_role(value: str | None) -> str | None:
    """'customer' / 'agent' / None for empty; '?' for a value that is neither."""
    if value is None:
        return None
    v = value.strip().lower()
    if not v:
        return None
    if v in CUSTOMER_ROLES:
        return "customer"
    if v in AGENT_ROLES:
        return "agent"
    return "?"


_NUM = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def parse_number(value: str | None) -> float | None:
    """A float from strings like '4', '4.0', '¥1,299.00', '$12.50', '5星'; None when there is none."""
    if value is None:
        return None
    v = value.strip().replace(",", "").replace("，", "")
    if not v:
        return None
    try:
        return float(v)
    except ValueError:
        pass
    m = _NUM.search(v)
    if not m or len(_NUM.findall(v)) != 1:
        return None
    return float(m.group())


def parse_numbers(values: list) -> Any:
    """A float64 numpy array for a column of strings; vectorised, with ``parse_number`` as fallback."""
    import numpy as np
    import pandas as pd

    raw = pd.Series(values, dtype=object)
    out = np.array(pd.to_numeric(raw, errors="coerce"), dtype="float64")
    for i in np.flatnonzero(np.isnan(out) & raw.notna().to_numpy()):
        v = parse_number(raw.iat[i])
        out[i] = np.nan if v is None else v
    return out
