"""Parse the timestamp formats real exports use into UTC, vectorised per chunk.

Accepted: ISO 8601 (``2024-03-05T10:00:00+08:00``, ``...Z``), ``YYYY-MM-DD[ HH:MM[:SS[.f]]]``,
``YYYY/MM/DD[ HH:MM[:SS]]``, ``YYYY.MM.DD``, ``YYYYMMDD``, ``2024年3月5日[ 10:00[:00]]`` (also
``2024年3月5日10时5分``), Unix seconds (9-10 digits, optional fraction) and milliseconds (12-13
digits), and Twitter's ``Wed Oct 11 06:55:44 +0000 2017``. Times without a zone are taken as UTC
unless a ``timezone`` (``--timezone``) is given.

Values are classified with RE2 patterns in pyarrow (fast), each class is parsed with one
``pandas.to_datetime`` call, and only unusual spellings go through Python normalisation.
"""

from __future__ import annotations

import re
from typing import Any

_CANONICAL = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
_DIGITS = r"^\d{8,13}(?:\.\d+)?$"
_COMPACT = r"^(?:19|20)\d{6}$"
_TWITTER = r"^[A-Za-z]{3} [A-Za-z]{3} \d{1,2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$"
_LOOSE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:(?:\s+|T|(?<=[日号]))\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:[.,](\d+))?)?\s*[分秒]?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_MIN_UNIX_S = 1e8   # 1973-03-03: 9-digit seconds and later
_MAX_UNIX_S = 1e10  # 2286


def _loose_to_iso(s: str) -> str | None:
    m = _LOOSE.match(s)
    if not m:
        return None
    y, mo, d, h, mi, sec, frac, tz = m.groups()
    out = f"{y}-{int(mo):02d}-{int(d):02d}"
    if h is not None:
        out += f"T{int(h):02d}:{int(mi):02d}:{int(sec or 0):02d}" + (f".{frac}" if frac else "")
    return out + (tz or "")


_ZONE = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_ZONE_RE2 = r"(?:Z|[+-][0-9]{2}:?[0-9]{2})$"


def _naive(strings: Any) -> Any:
    import numpy as np

    return np.array([not _ZONE.search(v) for v in strings], dtype=bool)


def parse_times(values: Any, timezone: str | None = None) -> tuple[Any, Any]:
    """Parse strings/None; return (numpy datetime64[us] array in UTC, numpy bool array of failures).

    Empty and missing values give NaT and are not failures; anything non-empty that matches no
    supported format (or gives an impossible date) is a failure. Times written without a zone are
    in ``timezone`` (an IANA name such as ``Asia/Shanghai``; default UTC); Unix times are UTC.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    arr = pc.utf8_trim_whitespace(values if isinstance(values, pa.Array) else pa.array(list(values), type=pa.string()))
    n = len(arr)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    present = pc.fill_null(pc.greater(pc.utf8_length(arr), 0), False).to_numpy(zero_copy_only=False)
    done = np.zeros(n, dtype=bool)
    if not present.any():
        return out, done
    strs = arr.to_numpy(zero_copy_only=False)

    def match(pattern: str) -> Any:
        return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False) & ~done

    def put(mask: Any, parsed: Any, local: Any = None) -> None:
        """``local``: which of the masked values had no zone (parsed as UTC wall clock)."""
        parsed = pd.to_datetime(parsed, errors="coerce", utc=True)
        if timezone and local is not None and local.any():
            wall = pd.DatetimeIndex(parsed).tz_convert(None)
            moved = wall.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward").tz_convert("UTC")
            parsed = pd.DatetimeIndex(np.where(local, moved, pd.DatetimeIndex(parsed)))
            parsed = pd.to_datetime(parsed, utc=True)
        vals = np.asarray(parsed.tz_convert(None).astype("datetime64[us]"))
        ok = ~np.isnat(vals)
        idx = np.flatnonzero(mask)[ok]
        out[idx] = vals[ok]
        done[idx] = True

    digits = match(_DIGITS)
    if digits.any():
        compact = digits & match(_COMPACT)
        if compact.any():
            put(compact, pd.to_datetime(strs[compact], format="%Y%m%d", errors="coerce", utc=True),
                np.ones(int(compact.sum()), dtype=bool))
        num = np.zeros(n)
        num[digits] = pd.to_numeric(strs[digits], errors="coerce")
        secs = digits & ~compact & (num >= _MIN_UNIX_S) & (num < _MAX_UNIX_S)
        if secs.any():
            put(secs, pd.to_datetime(num[secs], unit="s", errors="coerce", utc=True))
        millis = digits & ~compact & (num >= _MIN_UNIX_S * 1000) & (num < _MAX_UNIX_S * 1000)
        if millis.any():
            put(millis, pd.to_datetime(num[millis], unit="ms", errors="coerce", utc=True))
    canonical = present & match(_CANONICAL)
    if canonical.any():
        # a canonical value is ASCII, where RE2 reads _ZONE as Python's re does
        zoned = pc.fill_null(pc.match_substring_regex(arr.filter(pa.array(canonical)), _ZONE_RE2), False)
        put(canonical, pd.to_datetime(strs[canonical], format="ISO8601", errors="coerce", utc=True),
            ~zoned.to_numpy(zero_copy_only=False))
    twitter = present & match(_TWITTER)
    if twitter.any():
        put(twitter, pd.to_datetime(strs[twitter], format="%a %b %d %H:%M:%S %z %Y", errors="coerce", utc=True))
    rest = present & ~done
    if rest.any():
        iso = np.array([_loose_to_iso(v) for v in strs[rest]], dtype=object)
        ok = np.array([v is not None for v in iso], dtype=bool)
        if ok.any():
            mask = np.zeros(n, dtype=bool)
            mask[np.flatnonzero(rest)[ok]] = True
            put(mask, pd.to_datetime(iso[ok], format="ISO8601", errors="coerce", utc=True), _naive(iso[ok]))
    return out, present & ~done


def format_time_iso(times: Any) -> list[str]:
    """Render UTC times as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` ('' for missing), as comment ids use them."""
    import numpy as np
    import pandas as pd

    t = pd.Series(times)
    if isinstance(t.dtype, pd.DatetimeTZDtype):
        t = t.dt.tz_convert(None)
    vals = np.asarray(t.astype("datetime64[us]"))
    text = np.datetime_as_string(vals, unit="us")
    return ["" if s == "NaT" else s + "Z" for s in text.tolist()]
