"""Row-level definitions shared by the local loader and the Spark backend: comment ids, and the
load summary's script-based language estimate (pure functions over column values)."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

__all__ = ["comment_ids", "script_languages"]


def comment_ids(customers: Any, times_iso: Any, channels: Any, roles: Any, texts: Any) -> list[str]:
    """sha256(customer_id \\x1f time-iso \\x1f channel \\x1f role \\x1f text)[:16]; null fields are ''.

    Each argument a list or a pyarrow (Chunked)Array of strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from textprofile.ingest.columnar import as_array

    cols = [pc.fill_null(as_array(v, pa.string()), "") for v in (customers, times_iso, channels, roles, texts)]
    blobs = pc.binary_join_element_wise(*cols, "\x1f").cast(pa.binary()).to_pylist()
    sha = hashlib.sha256
    return [sha(b).hexdigest()[:16] for b in blobs]


def script_languages(texts: Any) -> Counter:
    """Cheap script-based language estimate for the summary (tokenization decides per comment).

    Pure-ASCII texts are ``en`` when they hold a letter. Otherwise Han characters are estimated as
    (UTF-8 bytes - characters) / 2 (exact for CJK-only text, 3 bytes each) and counted exactly only
    where there are Latin letters too; ``zh`` when Latin letters are few, ``en`` when Han is under
    2% of them, else ``mixed``. Non-Latin scripts without Latin letters (emoji, kana) count as zh.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from textprofile.ingest.columnar import as_array

    arr = as_array(texts, pa.string())
    out: Counter = Counter()
    ascii_mask = pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)
    if ascii_mask.any():
        letters = pc.match_substring_regex(arr.filter(pa.array(ascii_mask)), "[A-Za-z]").to_numpy(zero_copy_only=False)
        out["en"] += int(letters.sum())
        out["other"] += int((~letters).sum())
    if (~ascii_mask).any():
        rest = arr.filter(pa.array(~ascii_mask))
        han = pc.divide(pc.subtract(pc.binary_length(rest), pc.utf8_length(rest)), 2).to_numpy(zero_copy_only=False)
        lat = pc.count_substring_regex(rest, "[A-Za-z]").to_numpy(zero_copy_only=False)
        latin = lat >= 4
        if latin.any():  # Latin text with emoji or accents: count Han exactly (slow, so only here)
            exact = pc.count_substring_regex(rest.filter(pa.array(latin)), r"[\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}]")
            han = han.astype("float64")
            han[latin] = exact.to_numpy(zero_copy_only=False)
        zh = (lat <= han * 0.5) | (~latin & (han > 0))
        en = ~zh & (han <= lat * 0.02)
        out["zh"] += int(zh.sum())
        out["en"] += int(en.sum())
        out["mixed"] += int((~zh & ~en).sum())
    return +out
