"""Column-wise versions of the loader's per-row steps, over pyarrow arrays, with the same values.

Each function gives exactly what the per-row function it names gives row by row (tested against
them): the rows a cheap RE2/Arrow test proves need no Python call are done in C, the others (or
the distinct values of a column) go through the per-row function.
"""

from __future__ import annotations

import unicodedata
from typing import Any

# Candidate ranges for the characters that ``clean_text`` leaves alone: ASCII, Latin-1, general
# and CJK punctuation, kana, CJK ideographs. Only those that pass ``_inert`` are kept.
_CANDIDATES = [(0x20, 0x7E), (0xA1, 0x24F), (0x2010, 0x205E), (0x3001, 0x30FF), (0x3400, 0x4DBF),
               (0x4E00, 0x9FFF)]
# full-width ASCII and the ideographic space: NFKC maps each to one ASCII character, which is
# what ``clean_text``'s translate table does (the mapping is as old as Unicode itself)
_FULLWIDTH = r"\x{FF01}-\x{FF5E}\x{3000}"
_PATTERN: list[str] = []


def _inert(chars: str) -> bool:
    """Whether ``clean_text`` keeps every one of ``chars`` as it is in any text made only of such
    characters: NFKC leaves it alone and it composes with nothing next to it, it is printable
    and not whitespace other than the space, and it is neither "<" nor "&". Tested on the whole
    string at once (C loops), so a run of characters is decided in one go."""
    if "<" in chars or "&" in chars or not chars.isprintable():
        return False
    if "".join(chars.split()) != chars.replace(" ", ""):  # whitespace other than the space
        return False
    if any(map(unicodedata.combining, chars)) or unicodedata.normalize("NFKC", chars) != chars:
        return False
    # with a letter of several scripts around each character: nothing composes or reorders
    return all(unicodedata.normalize("NFKC", p + p.join(chars) + p) == p + p.join(chars) + p
               for p in ("a", "\u3042", "\u1100", "\u0b47"))


def _inert_ranges(lo: int, hi: int, out: list[tuple[int, int]]) -> None:
    """Append the maximal runs of inert code points in ``lo..hi`` (halving where a run fails)."""
    if _inert("".join(map(chr, range(lo, hi + 1)))):
        if out and out[-1][1] == lo - 1:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    elif hi > lo:
        mid = (lo + hi) // 2
        _inert_ranges(lo, mid, out)
        _inert_ranges(mid + 1, hi, out)


def _plain_pattern() -> str:
    """RE2: a text made only of inert characters and full-width forms (``clean_text`` reduces it
    to its NFKC form, which then needs at most the whitespace collapse)."""
    if not _PATTERN:
        ranges: list[tuple[int, int]] = []
        for lo, hi in _CANDIDATES:
            _inert_ranges(lo, hi, ranges)
        cls = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
        _PATTERN.append(f"^[{cls}{_FULLWIDTH}]*$")
    return _PATTERN[0]


def as_array(values: Any, type_: Any = None) -> Any:
    """A pyarrow Array from an Array, a ChunkedArray or a list."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(list(values), type=type_ or pa.string())
    elif type_ is not None and values.type != type_:
        values = values.cast(type_)
    return values


def per_value(values: Any, fn, type_: Any = None) -> Any:
    """``[fn(v) for v in values]`` as an Array, calling ``fn`` once per distinct value (nulls as None)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = as_array(values)
    if len(arr) == 0:
        return pa.array([], type=type_ or pa.string())
    enc = pc.dictionary_encode(arr)
    mapped = pa.array([fn(v) for v in enc.dictionary.to_pylist()], type=type_)
    out = mapped.take(enc.indices)
    if out.null_count and arr.null_count:
        none = fn(None)
        if none is not None:
            out = pc.if_else(pc.is_null(arr), pa.scalar(none, type=out.type), out)
    return out


def replace_rows(arr: Any, idx: list[int], values: list) -> Any:
    """``arr`` with the rows ``idx`` (ascending) replaced by ``values``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not idx:
        return arr
    mask = np.zeros(len(arr), dtype=bool)
    mask[idx] = True
    return pc.replace_with_mask(arr, pa.array(mask), pa.array(values, type=arr.type))


def clean_column(values: Any) -> Any:
    """``ingest.clean.clean_texts``: non-null strings ("" for missing)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from textprofile.ingest.clean import clean_text

    arr = as_array(values, pa.string())
    plain = pc.fill_null(pc.match_substring_regex(arr, _plain_pattern()), False)
    out = pc.if_else(plain, pc.utf8_normalize(pc.fill_null(arr, ""), "NFKC"), pa.scalar("", pa.string()))
    # the whitespace collapse, where full-width spaces or the text's own spaces need it
    spaced = pc.fill_null(pc.match_substring_regex(out, "^ | $|  "), False)
    slow = np.flatnonzero((~plain.to_numpy(zero_copy_only=False)) | spaced.to_numpy(zero_copy_only=False))
    slow = slow[~np.asarray(arr.is_null().to_numpy(zero_copy_only=False))[slow]]
    idx = slow.tolist()
    return replace_rows(out, idx, [clean_text(v) for v in arr.take(pa.array(idx, pa.int64())).to_pylist()])


def scrub_column(values: Any) -> Any:
    """``ingest.pii.scrub_many`` over a string Array (nulls stay null)."""
    import pyarrow as pa

    from textprofile.ingest.pii import may_hold_pii, scrub_many

    arr = as_array(values, pa.string())
    idx = may_hold_pii(arr)
    if not idx:
        return arr
    some = arr.take(pa.array(idx, pa.int64())).to_pylist()
    return replace_rows(arr, idx, scrub_many(some))


def strip_value(v: Any) -> str | None:
    """A trimmed string, with empty and missing values as None."""
    return (v.strip() or None) if isinstance(v, str) else None


def iso_times(times: Any) -> Any:
    """``timeparse.format_time_iso`` of a timestamp Array: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, '' for null."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = as_array(times).cast(pa.timestamp("us"))
    if arr.null_count == len(arr):
        return pa.array([""] * len(arr), type=pa.string())
    years = pc.min_max(pc.year(arr))
    if 1000 <= years["min"].as_py() and years["max"].as_py() <= 9999:
        # Arrow's %S of a microsecond timestamp is "SS.ffffff": numpy's rendering, in C
        text = pc.strftime(arr, format="%Y-%m-%dT%H:%M:%SZ")
    else:  # numpy writes other years its own way (signed, padded)
        vals = arr.to_numpy(zero_copy_only=False)
        text = pa.array(np.datetime_as_string(vals, unit="us"), type=pa.string())
        text = pc.binary_join_element_wise(text, pa.scalar("Z"), "")
    return pc.if_else(arr.is_null(), pa.scalar("", pa.string()), text)


_JSON_PLAIN = r'^[^"\\/\x00-\x1f\x7f\x{2028}\x{2029}]*$'


def meta_column(table: Any, columns: list[str], scrub: bool, drop_nulls: bool = False) -> Any:
    """``ExportReader``'s ``meta``: each row's unmapped columns as one JSON object, as pandas'
    ``to_json(orient="records", lines=True, force_ascii=False)`` writes it with "\\/" undone.

    ``drop_nulls``: a row's null cells are left out (JSON records, whose columns are the keys of all
    the records read together: the row's own keys only, however the file is cut into chunks).
    Rows whose values hold nothing JSON escapes are joined in Arrow; the others go through pandas.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    if not columns or not n:
        return pa.array(["{}"] * n, type=pa.string())
    cols = [as_array(table.column(c), pa.string()) for c in columns]
    ok = np.ones(n, dtype=bool)
    for c in cols:
        ok &= pc.fill_null(pc.match_substring_regex(c, _JSON_PLAIN), True).to_numpy(zero_copy_only=False)
    keys_plain = all(pc.match_substring_regex(pa.array([str(c)]), _JSON_PLAIN)[0].as_py() for c in columns)
    if not keys_plain:
        ok[:] = False
    parts: list[Any] = []
    for i, (name, c) in enumerate(zip(columns, cols)):
        if drop_nulls:  # ',"name":"value"' or nothing; the first comma becomes the "{" below
            parts.append(pc.fill_null(pc.binary_join_element_wise(pa.scalar(f',"{name}":"'), c, pa.scalar('"'), ""), ""))
            continue
        lead = ("{" if i == 0 else ",") + f'"{name}":'
        quoted = pc.binary_join_element_wise(pa.scalar('"'), c, pa.scalar('"'), "")
        parts.append(pc.binary_join_element_wise(pa.scalar(lead), pc.fill_null(quoted, "null"), ""))
    if drop_nulls:
        body = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*parts, pa.scalar(""), ""), 1)
        out = pc.binary_join_element_wise(pa.scalar("{"), body, pa.scalar("}"), "")
    else:
        out = pc.binary_join_element_wise(*parts, pa.scalar("}"), "")
    slow = np.flatnonzero(~ok).tolist()
    if slow:
        sub = table.select(columns).take(pa.array(slow, pa.int64())).to_pandas(types_mapper=None)
        sub = sub.astype(object).where(sub.notna(), None)
        sub.columns = [str(c) for c in columns]
        if drop_nulls:  # each set of non-null columns through pandas on its own
            lines = [""] * len(slow)
            present = sub.notna().to_numpy()
            for pattern in {tuple(r) for r in present.tolist()}:
                at = np.flatnonzero((present == np.array(pattern)).all(axis=1))
                keep = [c for c, k in zip(sub.columns, pattern) if k]
                for j, line in zip(at.tolist(), _json_lines(sub.iloc[at][keep]) if keep else ["{}"] * len(at)):
                    lines[j] = line
        else:
            lines = _json_lines(sub)
        out = replace_rows(out, slow, lines[: len(slow)])
    return scrub_column(out) if scrub else out


def _json_lines(frame: Any) -> list[str]:
    return frame.to_json(orient="records", lines=True, force_ascii=False).replace("\\/", "/").split("\n")[: len(frame)]
