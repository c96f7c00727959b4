"""``ExportReader`` (column-wise, Arrow) gives exactly what the per-row loader it replaced gave.

The per-row ``_transform`` is kept here as the reference (from before the rewrite, reading the
same raw chunks), and both run over exports with every kind of bad row and awkward value: HTML,
entities, full-width forms, NFKC ligatures, combining marks, control and zero-width characters,
tabs and newlines, PII, emoji, JSON-escaped meta values, bad times, roles, ratings, empty and
over-long texts, missing and padded customer ids, malformed records; with and without
--pseudonymize, --keep-pii, --lenient-time, --customer-filter, --row-as-customer, --channel.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest

from textprofile.core.config import LoadConfig
from textprofile.ingest.clean import clean_text, normalize_role, parse_numbers
from textprofile.ingest.columnar import _plain_pattern, clean_column, meta_column
from textprofile.ingest.formats import read_chunks
from textprofile.ingest.pii import pseudonymize, scrub_many
from textprofile.ingest.read_export import JSON_FORMATS, RAW_WITHHELD, ExportReader
from textprofile.ingest.timeparse import parse_times

PIECES = ["好评", "快递很快，", "质量不错！", "ＡＢＣ１２３", "\u3000全角空格\u3000", "  spaces  here ", "<b>bold</b> text",
          "<br>块", "a &amp; b", "tab\there", "new\nline", "zero\u200bwidth", "\ufb01 ligature", "é café", "e\u0301 combining",
          "电话 13800138000", "mail a@b.com", "http://x.com/a/b", "emoji 😀👍", "…省略", "Ｈｅｌｌｏ，ｗｏｒｌｄ", "＜tag＞",
          "＆amp;", "ｉＰｈｏｎｅ 15", "1/2 ⅓", "\x07bell", "trailing ", "中文English混合", "“引号”‘单’", "〶 mark",
          "Ⅻ roman", "㈱ co", "日本語カタカナﾊﾝｶｸ", "か\u3099", "한국어 텍스트", 'quote " back \\ slash', "\u00a0nbsp", "\x85nel"]
ROLES = ["customer", "agent", "客服", "bot", "??weird", None, "", " Customer ", "İ"]
CHANNELS = ["review", "Chat", " social ", None, "ＲＥＶＩＥＷ", "İstanbul", ""]
TIMES = ["2024-03-05T10:00:00+08:00", "2024-03-05 10:00", "2024/3/5", "20240305", "1709600000", "1709600000123",
         "2024年3月5日 10:00", "Wed Oct 11 06:55:44 +0000 2017", "not a time", "", None, "2024-02-30", "  2024-01-01  "]
NUMBERS = ["5", "4.0", "¥1,299.00", "5星", "", None, "abc", "1 2", "1e3", " 3 ", "-0", "inf"]
EXTRA = ["a/b", 'x"y', None, "中文", "😀", "tab\tv", "p 13800138000", "back\\slash", "\u2028ls", "ctl\x01", "plain"]


def _records(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.random()
        text = " ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 3)))
        text = "" if k < 0.03 else None if k < 0.05 else "长" * 120 if k < 0.07 else text
        out.append({
            "cust": rng.choice([f"c{rng.randrange(60)}", f" c{rng.randrange(60)} ", "", None, "客户甲", "\u3000c9\u3000"]),
            "text": text, "time": rng.choice(TIMES), "chan": rng.choice(CHANNELS), "role": rng.choice(ROLES),
            "thread": rng.choice(["t1", " t2 ", None, ""]), "rating": rng.choice(NUMBERS),
            "amount": rng.choice(NUMBERS), "extra": rng.choice(EXTRA), "flag": rng.choice(["yes", "no", "No ", None]),
        })
        if rng.random() < 0.05:
            out.append(dict(out[-1]))
    return out


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    d = tmp_path_factory.mktemp("exports")
    rows = _records(1500, 3)
    pd.DataFrame(rows).to_csv(d / "a.csv", index=False)
    with open(d / "b.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:700])
        f.write("{bad json\n[1, 2]\n\n")
    pd.DataFrame(rows[500:1200]).to_parquet(d / "c.parquet", index=False)
    head = "cust,text,time,chan,role,thread,rating,amount\n"
    (d / "d.csv").write_text(head + "c1,hello,,,customer,,,\nc2,\"a,b\",,,agent,,,,extra\nc3,ok\nc4,fine,,,user,,5,\n",
                             encoding="utf-8")
    return [d / "a.csv", d / "b.jsonl", d / "c.parquet", d / "d.csv"]


def _strip(values):
    return [(v.strip() or None) if isinstance(v, str) else None for v in values]


def _row_json(record: dict) -> str:
    if not record:
        return "{}"
    frame = pd.DataFrame([record]).astype(object)
    return frame.to_json(orient="records", lines=True, force_ascii=False).replace("\\/", "/").split("\n")[0]


def per_row_transform(reader: ExportReader, raw) -> tuple[pd.DataFrame, list[tuple]]:
    """The loader's per-row ``_transform`` before the column-wise rewrite (the reference)."""
    cfg, m = reader.config, reader.mapping
    frame = pd.DataFrame({c: pd.Series(raw.frame.column(c).to_pylist(), dtype=object) for c in raw.frame.column_names})
    n = len(frame)
    rows = list(raw.rows)
    quarantined = [(reader.name, r, reason, RAW_WITHHELD if cfg.pseudonymize else reader._qtext(text), None)
                   for r, reason, text in raw.bad]

    def col(field):
        c = m.get(field)
        return list(frame[c]) if c is not None and c in frame.columns else [None] * n

    texts = [clean_text(t) if isinstance(t, str) else "" for t in col("text")]
    if not cfg.keep_pii:
        texts = scrub_many(texts)
    if cfg.row_as_customer and "customer_id" not in m:
        tag = f"{reader.name}:{reader.source['sha256'][:8]}"
        customers = [f"{tag}:{r}" for r in rows]
    else:
        customers = _strip(col("customer_id"))
    if "time" in m:
        times, bad_time = parse_times(col("time"), cfg.timezone)
    else:
        times, bad_time = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"), np.zeros(n, dtype=bool)
    channels = [cfg.channel] * n if cfg.channel else [v.lower() if v else v for v in _strip(col("channel"))]
    raw_roles, raw_times, raw_texts = col("role"), col("time"), col("text")
    roles = [normalize_role(v) for v in raw_roles]
    flt = [None] * n
    if reader.filter is not None:
        fv = [(v or "").strip().lower() for v in frame[reader.filter_column]]
        flt = [(v in reader.filter.values) != reader.filter.negate for v in fv]
    reasons: list[str | None] = [None] * n
    for i in range(n):
        if reader.filter is not None and not flt[i]:
            reasons[i] = f"excluded by --customer-filter: {reader.filter.describe()}"
        elif customers[i] is None:
            reasons[i] = "missing customer id"
        elif not texts[i]:
            reasons[i] = "empty text"
        elif len(texts[i]) > cfg.max_text_chars:
            reasons[i] = f"text too long: {len(texts[i])} characters > {cfg.max_text_chars} (--max-text-chars)"
        elif bad_time[i] and not cfg.lenient_time:
            reasons[i] = f"unparseable time: {str(raw_times[i])[:60]!r} (or pass --lenient-time)"
        elif roles[i] == "?":
            reasons[i] = f"unrecognised role: {str(raw_roles[i])[:40]!r} (expected customer or agent)"
    for i, reason in enumerate(reasons):
        if reason is not None:
            owner = customers[i]
            if owner is not None and cfg.pseudonymize:
                owner = pseudonymize([owner], reader.key)[0]
            quarantined.append((reader.name, rows[i], reason, reader._qtext(texts[i] or raw_texts[i]), owner))
    quarantined.sort(key=lambda q: q[1])
    idx = [i for i in range(n) if reasons[i] is None]
    kept_customers = [customers[i] for i in idx]
    if cfg.pseudonymize:
        kept_customers = pseudonymize(kept_customers, reader.key)
    meta_cols = [c for c in frame.columns if c not in set(m.values())]
    if meta_cols and idx and reader.info.format in JSON_FORMATS:  # each record's own non-null keys
        lines = [_row_json({k: v for k, v in frame.iloc[i][meta_cols].items() if v is not None}) for i in idx]
        metas = lines if cfg.keep_pii else scrub_many(lines)
    elif meta_cols and idx:
        sub = frame.iloc[idx][meta_cols]
        lines = sub.to_json(orient="records", lines=True, force_ascii=False).replace("\\/", "/").split("\n")[: len(idx)]
        metas = lines if cfg.keep_pii else scrub_many(lines)
    else:
        metas = ["{}"] * len(idx)
    k = np.asarray(idx, dtype=np.int64)
    out = pd.DataFrame({
        "customer_id": pd.Series(kept_customers, dtype=object),
        "text": pd.Series([texts[i] for i in idx], dtype=object),
        "time": pd.Series(times[k]).dt.tz_localize("UTC"),
        "channel": pd.Series([channels[i] for i in idx], dtype=object),
        "role": pd.Series([roles[i] for i in idx], dtype=object),
        "is_customer": pd.Series([roles[i] != "agent" for i in idx], dtype=bool),
        "thread_id": pd.Series([_strip(col("thread_id"))[i] for i in idx], dtype=object),
        "rating": pd.Series(parse_numbers(col("rating"))[k], dtype="float64"),
        "amount": pd.Series(parse_numbers(col("amount"))[k], dtype="float64"),
        "source": pd.Series([reader.name] * len(idx), dtype=object),
        "source_row": pd.Series([rows[i] for i in idx], dtype="int64"),
        "meta": pd.Series(metas, dtype=object),
    })
    return out, quarantined


BASE = {"customer_col": "cust", "text_col": "text", "time_col": "time", "channel_col": "chan", "role_col": "role",
        "thread_col": "thread", "rating_col": "rating", "amount_col": "amount"}
CONFIGS = {
    "default": dict(BASE),
    "lenient": dict(BASE, lenient_time=True, keep_pii=True, timezone="Asia/Shanghai", max_text_chars=50),
    "pseudonymized": dict(BASE, pseudonymize=True, customer_filter="flag=yes,no"),
    "row_as_customer": {"text_col": "text", "row_as_customer": True, "channel": "chat", "lenient_time": True},
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_columnwise_reader_equals_the_per_row_reference(exports, name):
    config = LoadConfig(**CONFIGS[name])
    kinds = set()
    for path in exports if name in ("default", "lenient") else exports[:3]:
        reader = ExportReader(path, config, b"k" * 32 if config.pseudonymize else None)
        ours = list(reader.chunks())
        ref_reader = ExportReader(path, config, reader.key)
        ref_reader.resolve_columns([str(c) for c in next(iter(read_chunks(reader.info))).frame.column_names])
        ref = [per_row_transform(ref_reader, raw) for raw in read_chunks(reader.info)]
        assert len(ours) == len(ref)
        for (frame, q), (ref_frame, ref_q) in zip(ours, ref):
            assert q == ref_q
            assert list(frame.dtypes) == list(ref_frame.dtypes)
            pd.testing.assert_frame_equal(frame, ref_frame)
            kinds.update(r[2].split(":")[0] for r in q)
    expected = {"default": {"empty text", "missing customer id", "unparseable time", "unrecognised role"},
                "lenient": {"text too long"}, "pseudonymized": {"excluded by --customer-filter"},
                "row_as_customer": {"malformed JSON line", "JSON line is not an object"}}[name]
    if name == "default":
        expected.add("malformed line")
    assert expected <= kinds


def test_clean_column_equals_clean_text_and_mostly_skips_python():
    rng = random.Random(1)
    alphabet = "".join(PIECES) + "<>&;#x41 \t\n\r\x0b\x1c\u2029\u200d\ufeff\uff01\uff5e\uff5f\u3000\u3036\u2026\u00bd\u1100\u1161"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(4000)]
    texts += PIECES + [None, "", " ", "\u3000", "好，", "好\u3000\u3000好", "＜b＞"]
    assert clean_column(texts).to_pylist() == [clean_text(t) if isinstance(t, str) else "" for t in texts]
    import pyarrow as pa
    import pyarrow.compute as pc

    plain = ["这个很好用，推荐！", "great product", "买了3个 iPhone", "“好”——《书》", "好…"]
    assert pc.match_substring_regex(pa.array(plain), _plain_pattern()).to_pylist() == [True, True, True, True, False]


def test_meta_column_equals_pandas_to_json():
    import pyarrow as pa

    rng = random.Random(2)
    values = EXTRA + ["\x7f", "é", "\U0001f600x", "a\u2029b", "/", "</script>"]
    table = pa.table({"k/1": [rng.choice(values) for _ in range(500)], "ü": [rng.choice(values) for _ in range(500)]})
    for cols in (["ü"], ["k/1", "ü"]):
        sub = table.select(cols).to_pandas().astype(object)
        sub = sub.where(sub.notna(), None)
        want = sub.to_json(orient="records", lines=True, force_ascii=False).replace("\\/", "/").split("\n")[:500]
        assert meta_column(table, cols, scrub=False).to_pylist() == want
    # JSON records: a row's null cells left out (values None among them)
    table = pa.table({"k/1": [rng.choice(values + [None]) for _ in range(500)],
                      "ü": [rng.choice(values + [None] * 3) for _ in range(500)]})
    rows = table.to_pylist()
    want = [_row_json({k: v for k, v in r.items() if v is not None}) for r in rows]
    assert meta_column(table, ["k/1", "ü"], scrub=False, drop_nulls=True).to_pylist() == want
    assert "{}" in want and any('"ü"' not in w and '"k/1"' in w for w in want)


def test_iso_times_equal_format_time_iso():
    import pyarrow as pa

    from textprofile.ingest.columnar import iso_times
    from textprofile.ingest.timeparse import format_time_iso

    rng = random.Random(4)
    # years 2000-2030, 1000-9999 (Arrow's strftime), and before 1000 (numpy's rendering)
    for lo, hi in ((946684800, 1900000000), (-30610224000, 253402300799), (-62135596800, -30610224000)):
        vals = [None if rng.random() < 0.1 else rng.randrange(lo * 10**6, hi * 10**6) for _ in range(2000)] + [0]
        ts = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "us") for v in vals], dtype="datetime64[us]")
        want = format_time_iso(pd.Series(ts).dt.tz_localize("UTC"))
        assert iso_times(pa.array(vals, pa.timestamp("us", tz="UTC"))).to_pylist() == want
    assert iso_times(pa.array([None], pa.timestamp("us", tz="UTC"))).to_pylist() == [""]
