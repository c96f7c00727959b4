"""index.html and customer cards: escaping, safe file names, determinism, size, atomic writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import Markup
from report_synthetic import EVIL_CUSTOMER, PAYLOADS, synthetic_inputs

from textprofile.report.data import build_report_data
from textprofile.report.render import render_customer, render_index, write_report_folder
from textprofile.report.safe import (
    customer_filename,
    customer_href,
    highlight,
    highlight_pattern,
    script_json,
)


def _data(s, name="synth"):
    return build_report_data(
        s["comments"], s["doc_topics"], s["topics"], interests=s["interests"], customers=s["customers"],
        segments=s["segments"], counts=s["counts"], name=name, model_info={"engine": "tomotopy"})


@pytest.fixture(scope="module")
def synth():
    return synthetic_inputs(k=6, n_customers=40, n_comments=400)


def test_script_json_cannot_close_a_script():
    out = str(script_json({"t": "</script><!-- x\u2028y & <b>", "n": float("nan")}))
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    assert r"\u003c/script\u003e" in out and '"n":null' in out


def test_highlight_escapes_every_piece():
    pattern = highlight_pattern(["string", "音质", "a<b"])
    out = highlight("Strings & <b>音质</b> a<b stringent", pattern)
    assert isinstance(out, Markup)
    assert str(out) == ("<mark>Strings</mark> &amp; &lt;b&gt;<mark>音质</mark>&lt;/b&gt; "
                        "<mark>a&lt;b</mark> stringent")
    assert str(highlight("<i>", None)) == "&lt;i&gt;"


def test_customer_file_names_are_safe_and_distinct():
    ids = ["../../etc/passwd", EVIL_CUSTOMER, "客户1", "客户2", "a b", "a-b", "", "javascript:alert(1)"]
    names = [customer_filename(i) for i in ids]
    assert len(set(names)) == len(ids)
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9_-]+-[0-9a-f]{10}\.html", name), name
    assert customer_href("a b").startswith("customers/a-b-")


def test_index_has_every_payload_as_text_only(synth):
    html = render_index(_data(synth))
    for payload in PAYLOADS:
        assert payload not in html
    # raw markup from user data would show up as these; only the report's own appear
    assert "<script>" not in html.replace('<script type="application/json" id="report-data">', "")
    assert not re.search(r"<img\b", html) and not re.search(r"<a[^>]+javascript:", html)
    assert "&lt;script&gt;document.title=&#39;PWNED-script&#39;" in html  # the comment, as text
    assert html.count("<script") == 1  # just the JSON data block
    block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.DOTALL).group(1)
    assert "<" not in block and ">" not in block
    assert '<meta charset="utf-8">' in html and "Noto Sans CJK SC" in html
    assert "<mark>" in html


def test_index_shows_each_topic_and_links_cards(synth):
    data = _data(synth)
    html = render_index(data)
    for t in data["topics"]:
        assert f'id="topic-{t["id"]}"' in html
    for cid in data["linked_customers"]:
        assert customer_href(cid) in html
    assert html.count('<svg class="chart') >= 4 + len(data["topics"])  # 4 charts + one sparkline per topic


def test_customer_card_renders_store_card(synth):
    base = synth["cards"][EVIL_CUSTOMER]
    card = {**base, "model": "synth",
            "interests": [*base["interests"], {"topic_id": 5, "label": "tiny-topic", "share": 0.004}],
            "behaviour": {"n_comments": 12345, "share_weekend": 0.25, "mean_amount": None},
            "segment": {"segment_id": "1", "description": "<b>big</b> spenders"}}
    labels = {t["id"]: t["label"] for t in synth["topics"]}
    html = render_customer(card, name="synth", labels=labels)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;/../客户" in html
    assert "&lt;script&gt;kw&lt;/script&gt;" in html and "音质" in html
    assert "&lt;b&gt;big&lt;/b&gt; spenders" in html
    for i in base["interests"]:
        link = f'href="../index.html#topic-{i["topic_id"]}"'
        assert (link in html) == (i["share"] >= 0.01)
    assert "tiny-topic" not in html  # under 1%, hidden as in `profile show`
    assert "<td>Comments</td>" in html and "12,345" in html and "25%" in html
    assert "mean amount" not in html.lower()  # no data, no row
    assert "n comments" not in html  # human labels, not column names
    assert "<script" not in html


def test_customer_card_uses_model_labels_and_hides_absent_channels(synth):
    base = synth["cards"]["C0000"]
    top = base["interests"][0]["topic_id"]
    card = {**base, "model": "synth", "behaviour": {
        "n_comments": 3, "n_chars": 1358, "last_seen": "2025-06-16T19:28:45Z", "recency_days": 106.1429,
        "share_review": 0.0, "share_chat": 0.0, "share_social": 0.0, "languages": "en,zh",
        "rating_mean": None, "amount_total": None}}
    labels = {t["id"]: t["label"] for t in synth["topics"]}
    labels[top] = "Renamed & <new>"  # `topics rename` after the profiles were built
    html = render_customer(card, name="synth", labels=labels, channels=[])
    assert "Renamed &amp; &lt;new&gt;" in html and base["interests"][0]["label"] not in html
    for text in ["<td>Characters written</td>", "<td>Days since last comment</td>", "106.14",
                 "2025-06-16 19:28 UTC", "en, zh"]:
        assert text in html, text
    for hidden in ["share", "Reviews share", "Chats share", "Social share", "Mean rating", "Total amount"]:
        assert f"<td>{hidden}</td>" not in html, hidden
    html = render_customer(card, name="synth", labels=labels, channels=["review"])
    assert "<td>Reviews share</td>" not in html  # one channel: 100% for everyone, says nothing
    html = render_customer(card, name="synth", labels=labels, channels=["review", "chat"])
    assert "<td>Reviews share</td>" in html and "<td>Chats share</td>" in html
    assert "<td>Social share</td>" not in html


def _write(tmp: Path, s, data, fail_ldavis=False):
    def ldavis(path: Path) -> int:
        if fail_ldavis:
            raise RuntimeError("boom")
        path.write_text("<html>stand-in for ldavis; tested in test_report_ldavis</html>", encoding="utf-8")
        return path.stat().st_size

    return write_report_folder(tmp, data, [s["cards"][c] for c in data["linked_customers"]], ldavis)


def test_folder_is_deterministic_and_atomic(tmp_path, synth):
    data = _data(synth)
    a, b = tmp_path / "a", tmp_path / "b"
    ra = _write(a, synth, data)
    _write(b, synth, data)
    files_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) == 2 + len(data["linked_customers"])
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    assert ra["customers"] == len(data["linked_customers"])
    assert (a / "customers" / customer_filename(EVIL_CUSTOMER)).is_file()
    before = (a / "index.html").read_bytes()
    with pytest.raises(RuntimeError):
        _write(a, synth, _data(synth, name="other"), fail_ldavis=True)
    assert (a / "index.html").read_bytes() == before  # the last good report is still there
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_fifty_topic_index_stays_under_5_mb(tmp_path):
    s = synthetic_inputs(k=50, n_customers=2000, n_comments=6000, days=900, plant=False)
    long_text = "guitar string " * 60  # long comments are cut on the page
    s["comments"]["text"] = s["comments"]["text"] + " " + long_text
    html = render_index(_data(s))
    assert "30 months" in html
    size = len(html.encode("utf-8"))
    assert html.count('<section class="topic"') == 50
    assert size < 5_000_000, size


def test_stray_old_timestamp_switches_to_years():
    s = synthetic_inputs(k=50, n_customers=200, n_comments=1000, plant=False)
    s["comments"].loc[0, "time"] = s["comments"].loc[0, "time"].replace(year=1970)
    data = _data(s)
    assert data["time"]["freq"] == "year" and data["time"]["periods"][0] == "1970"
    assert len(render_index(data).encode("utf-8")) < 5_000_000


def test_heatmaps_have_a_legend_and_values():
    from textprofile.report.charts import heatmap

    svg = str(heatmap(["a", "<b>"], ["x", "y"], [[0.05, 0.5], [None, 0.25]], title="t", fmt="{:.0%}"))
    assert 'class="legend"' in svg and ">5%</text>" in svg and ">50%</text>" in svg  # min and max
    cells = re.findall(r'<text x="[\d.]+" y="[\d.]+" text-anchor="middle"[^>]*>([^<]*)</text>', svg)
    assert cells == ["5%", "50%", "25%"]  # the empty cell stays blank
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert "<title>a y: 50.0%</title>" in svg  # the tooltip is more precise than the cell
    # narrow cells: bare percent numbers, too narrow: tooltips only
    wide = str(heatmap(["a"], [f"c{i}" for i in range(36)], [[0.123] * 36], title="t", fmt="{:.0%}"))
    assert wide.count("pointer-events=\"none\">12%</text>") == 36
    narrow = str(heatmap(["a"], [f"c{i}" for i in range(50)], [[0.123] * 50], title="t", fmt="{:.0%}"))
    assert narrow.count("pointer-events=\"none\">12</text>") == 50
    tiny = str(heatmap(["a"], [f"c{i}" for i in range(200)], [[0.123] * 200], title="t", fmt="{:.0%}"))
    assert ">12</text>" not in tiny and tiny.count("<title>a ") == 200


def test_header_counts_match_the_overview(synth):
    s = {**synth, "doc_topics": synth["doc_topics"].iloc[10:]}  # 10 comments with no modelled words
    html = render_index(_data(s))
    assert "6 topics from 390 customer comments with enough words to model (of 400" in html
    assert "<b>390</b><span>customer comments modelled" in html
    segments = html[html.index('id="segments"'):html.index('id="top-customers"')]
    assert "Mean rating: 3.2<br>Comments (median): 12.5" in segments
    assert "Mean amount" not in segments and "median_comments" not in segments
