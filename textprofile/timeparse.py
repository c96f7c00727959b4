"""Parse the timestamp formats real exports use into UTC, vectorised per chunk.

Accepted: ISO 8601 (``2024-03-05T10:00:00+08:00``, ``...Z``), ``YYYY-MM-DD[ HH:MM[:SS[.f]]]``,
``YYYY/MM/DD[ HH:MM[:SS]]``, ``YYYY.MM.DD``, ``YYYYMMDD``, ``2024年3月5日[ 10:00[:00]]`` (also
``2024年3月5日10时5分``), Unix seconds (9-10 digits, optional fraction) and milliseconds (12-13
digits), and Twitter's ``Wed Oct 11 06:55:44 +0000 2017``. Times without a zone are taken as UTC.
"""

from __future__ import annotations

import re
from typing import Any

_ISO_RE = r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
_TWITTER_RE = r"^[A-Za-z]{3} [A-Za-z]{3} \d{1,2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$"
_CN_RE = re.compile(
    r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?\s*(?:(\d{1,2})[:：时点](\d{1,2})(?:[:：分](\d{1,2})秒?)?分?)?$"
)
_MIN_UNIX_S = 1e8   # 1973-03-03: 9-digit seconds and later
_MAX_UNIX_S = 1e10  # 2286
TIME_ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # how times are rendered into comment_id


def _cn_to_iso(s: str) -> str | None:
    m = _CN_RE.match(s)
    if not m:
        return None
    y, mo, d, h, mi, sec = m.groups()
    out = f"{y}-{int(mo):02d}-{int(d):02d}"
    if h is not None:
        out += f" {int(h):02d}:{int(mi):02d}:{int(sec or 0):02d}"
    return out


def parse_times(values: Any) -> tuple[Any, Any]:
    """Parse a Series of strings/None; return (UTC datetime64[us] Series, bool Series of failures).

    Empty and missing values give NaT and are not failures; anything non-empty that matches no
    supported format (or gives an impossible date) is a failure.
    """
    import numpy as np
    import pandas as pd

    s = pd.Series(values, dtype=object).astype("string").str.strip()
    present = s.notna() & (s != "")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us, UTC]")
    if not present.any():
        return out, pd.Series(False, index=s.index)
    s = s.where(present)
    done = pd.Series(False, index=s.index)

    def fill(mask: Any, parsed: Any) -> None:
        nonlocal out
        parsed = pd.to_datetime(parsed, errors="coerce", utc=True).astype("datetime64[us, UTC]")
        ok = mask & parsed.notna()
        out = out.where(~ok, parsed)
        done[ok] = True

    digits = present & s.str.fullmatch(r"\d{8,13}(?:\.\d+)?").fillna(False)
    if digits.any():
        num = pd.to_numeric(s.where(digits), errors="coerce")
        compact = digits & s.str.fullmatch(r"(?:19|20)\d{6}").fillna(False)
        if compact.any():
            fill(compact, pd.to_datetime(s.where(compact), format="%Y%m%d", errors="coerce", utc=True))
        secs = digits & ~compact & (num >= _MIN_UNIX_S) & (num < _MAX_UNIX_S)
        if secs.any():
            fill(secs, pd.to_datetime(num.where(secs), unit="s", errors="coerce", utc=True))
        millis = digits & ~compact & (num >= _MIN_UNIX_S * 1000) & (num < _MAX_UNIX_S * 1000)
        if millis.any():
            fill(millis, pd.to_datetime(num.where(millis), unit="ms", errors="coerce", utc=True))
    rest = present & ~done
    if rest.any():
        iso = s.where(rest).str.replace(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", regex=True)
        iso = iso.str.replace(r"^(\d{4})-(\d)(?=-)", r"\1-0\2", regex=True)
        iso = iso.str.replace(r"^(\d{4}-\d{2})-(\d)(?=\D|$)", r"\1-0\2", regex=True)
        iso = iso.str.replace(r"(?<=[T ])(\d):", r"0\1:", regex=True)
        m = rest & iso.str.fullmatch(_ISO_RE).fillna(False)
        if m.any():
            fill(m, pd.to_datetime(iso.where(m).str.replace(",", ".", regex=False),
                                   format="ISO8601", errors="coerce", utc=True))
    rest = present & ~done
    if rest.any():
        m = rest & s.str.fullmatch(_TWITTER_RE).fillna(False)
        if m.any():
            fill(m, pd.to_datetime(s.where(m), format="%a %b %d %H:%M:%S %z %Y", errors="coerce", utc=True))
    rest = present & ~done
    if rest.any():
        m = rest & s.str.contains("年", regex=False).fillna(False)
        if m.any():
            cn = pd.Series([_cn_to_iso(v) if isinstance(v, str) else None for v in s.where(m)], index=s.index,
                           dtype=object)
            ok = m & cn.notna()
            if ok.any():
                fill(ok, pd.to_datetime(cn.where(ok), format="ISO8601", errors="coerce", utc=True))
    failed = present & ~done
    return out, pd.Series(np.asarray(failed, dtype=bool), index=s.index)


def format_time_iso(times: Any) -> list[str]:
    """Render UTC times as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` ('' for missing), as comment ids use them."""
    import pandas as pd

    t = pd.Series(times)
    out = t.dt.strftime(TIME_ISO_FORMAT)
    return [v if isinstance(v, str) else "" for v in out]
