"""Escaping helpers for untrusted text: script-safe JSON, safe file names, highlighted snippets.

Comment text, customer ids and topic terms all come from user exports. Everything that reaches a
page goes through ``markupsafe.escape`` (directly or via Jinja2 autoescape); the only ``Markup``
built here wraps pieces that were escaped first.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def script_json(obj: Any) -> Markup:
    """JSON that is safe inside ``<script>``: no ``</script>``, ``<!--`` or line separators survive.

    Deterministic (sorted keys); non-finite floats become ``null`` so the output is strict JSON.
    """
    text = json.dumps(
        _finite(obj), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_plain
    )
    return Markup(_SCRIPT_UNSAFE_RE.sub(lambda m: _SCRIPT_UNSAFE[m.group(0)], text))


def _plain(obj: Any) -> Any:
    """numpy scalars and arrays as plain Python values."""
    if hasattr(obj, "tolist"):
        return _finite(obj.tolist())
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


_SLUG_RE = re.compile(r"[^A-Za-z0-9_-]+")


def customer_filename(customer_id: str) -> str:
    """A safe, unique file name for a customer's card: ASCII slug + 10 hex chars of sha256.

    Customer ids are untrusted (``../x``, ``<script>``, 用户1); the slug keeps them recognisable,
    the hash keeps distinct ids apart.
    """
    cid = str(customer_id)
    slug = _SLUG_RE.sub("-", cid).strip("-")[:40] or "customer"
    digest = hashlib.sha256(cid.encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}.html"


def customer_href(customer_id: str, prefix: str = "customers/") -> str:
    """Relative, percent-encoded link to a customer's card."""
    return prefix + quote(customer_filename(customer_id))


_LATIN_TERM_RE = re.compile(r"^[0-9A-Za-z\u00c0-\u024f'_-]+$")


def highlight_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any of ``terms`` in text, longest first.

    Latin terms match whole words with a plain inflection (tokens are lemmas: "string" marks
    "strings"); Han and other terms match as substrings, since Chinese has no spaces.
    """
    parts = []
    for term in sorted({t for t in terms if t and t.strip()}, key=lambda t: (-len(t), t)):
        if _LATIN_TERM_RE.match(term):
            parts.append(r"\b" + re.escape(term) + r"(?:s|es|ed|d|ing)?\b")
        else:
            parts.append(re.escape(term))
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern[str] | None) -> Markup:
    """``text`` escaped, with every match of ``pattern`` wrapped in ``<mark>``.

    Each piece is escaped on its own before the tags go in, so nothing in ``text`` can close
    or open an element.
    """
    text = str(text)
    if pattern is None:
        return escape(text)
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.end() == m.start():
            continue
        out.append(str(escape(text[pos : m.start()])))
        out.append("<mark>" + str(escape(m.group(0))) + "</mark>")
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))
