"""End to end: a small export through the real load → fit → profile build, then ``textprofile report``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from textprofile.cli.app import app
from textprofile.report.safe import customer_filename

THEMES = [
    ["guitar", "string", "tuner", "pedal", "amp", "cable", "strap", "pick"],
    ["shampoo", "hair", "scent", "lotion", "cream", "soap", "bottle", "skin"],
    ["album", "song", "track", "vocal", "lyric", "band", "beat", "record"],
    ["物流", "快递", "包装", "发货", "速度", "客服", "退货", "售后"],
]
EVIL = "<img src=x onerror=alert(1)>"


def _write_export(path: Path, n: int = 240, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["user", "review", "date", "stars"])
        for i in range(n):
            theme = THEMES[i % len(THEMES)]
            words = [theme[int(rng.integers(len(theme)))] for _ in range(int(rng.integers(6, 14)))]
            sep = "" if theme is THEMES[3] else " "
            text = sep.join(words)
            # load strips HTML from text, but customer ids are kept verbatim: the id is the payload
            customer = EVIL if i % 7 == 1 else f"u{i % 25:03d}"
            day = 1 + i % 28
            w.writerow([customer, text, f"2024-{1 + i % 12:02d}-{day:02d}", 1 + i % 5])


@pytest.fixture(scope="module")
def workspace_with_profiles(tmp_path_factory):
    from textprofile.core.config import FitConfig, LoadConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.fit import fit
    from textprofile.pipeline.load import load
    from textprofile.pipeline.profile import build_profiles

    root = tmp_path_factory.mktemp("ws")
    export = root / "export.csv"
    _write_export(export)
    ws = Workspace.resolve(root)
    load([export], "shop", LoadConfig(customer_col="user", text_col="review", time_col="date",
                                      rating_col="stars", channel="review"), ws)
    fit("shop", FitConfig(topics=4, seed=0, no_below=2), ws)
    build_profiles("shop", None, ws)
    return ws


def test_report_command_writes_the_folder(workspace_with_profiles):
    ws = workspace_with_profiles
    runner = CliRunner()
    res = runner.invoke(app, ["report", "shop", "--home", str(ws.root), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    folder = ws.report_dir("shop")
    assert out["path"] == str(folder) and out["topics"] == 4
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "<img" not in index and "&lt;img src=x onerror=alert(1)&gt;" in index
    assert f'href="customers/{customer_filename(EVIL)}"' in index
    assert 'id="topic-3"' in index and "物流" in index
    assert out["bytes"]["index_html"] == (folder / "index.html").stat().st_size
    cards = sorted(p.name for p in (folder / "customers").iterdir())
    assert len(cards) == out["customers"] == out["linked_customers"]
    for name in cards:
        assert f'href="customers/{name}"' in index
    from textprofile.store.profile_store import ProfileStore

    with ProfileStore.open(ws, "shop") as store:
        card = store.get(EVIL)
    assert card is not None
    html = (folder / "customers" / customer_filename(EVIL)).read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    for interest in card["interests"]:  # the page shows the store's card
        assert f'href="../index.html#topic-{interest["topic_id"]}"' in html
    # the same model gives the same bytes
    first = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    res = runner.invoke(app, ["report", "shop", "--home", str(ws.root), "--json"])
    assert res.exit_code == 0
    again = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert again == first
    # --json prints the library's result (timings aside)
    from textprofile.pipeline.report import report

    lib = report("shop", ws)
    timing = {"seconds", "seconds_by_part"}
    assert {k: v for k, v in out.items() if k not in timing} == {k: v for k, v in lib.items() if k not in timing}


def test_all_customers_writes_every_card(workspace_with_profiles):
    from textprofile.pipeline.report import report
    from textprofile.store.profile_store import ProfileStore

    ws = workspace_with_profiles
    out = report("shop", ws, all_customers=True)
    with ProfileStore.open(ws, "shop") as store:
        n = store.count()
    assert out["customers"] == n == len(list((ws.report_dir("shop") / "customers").iterdir()))
    assert (ws.report_dir("shop") / "customers" / customer_filename(EVIL)).is_file()


def test_missing_model_or_profiles_is_one_clear_line(tmp_path, workspace_with_profiles):
    runner = CliRunner()
    res = runner.invoke(app, ["report", "nosuch", "--home", str(tmp_path)])
    assert res.exit_code == 1
    # nothing exists yet: the first missing step is named
    assert "textprofile load EXPORT --name nosuch" in res.stderr and "Traceback" not in res.stderr
    ws = workspace_with_profiles
    store = ws.model_dir("shop") / "profiles.duckdb"
    moved = store.with_name("profiles.duckdb.away")
    store.rename(moved)
    try:
        res = runner.invoke(app, ["report", "shop", "--home", str(ws.root)])
    finally:
        moved.rename(store)
    assert res.exit_code == 1 and "profile build shop" in res.stderr


def test_renamed_topic_shows_the_same_label_on_every_page(workspace_with_profiles):
    """`topics rename` after `profile build`: index, ldavis and the cards all show the new label."""
    import re

    from textprofile.pipeline.report import report
    from textprofile.store.profile_store import ProfileStore

    ws = workspace_with_profiles
    runner = CliRunner()
    with ProfileStore.open(ws, "shop") as store:
        ids = sorted(store.export_profiles()["customer_id"].astype(str))
        cards = [store.get(c) for c in ids]
    # the topic that is the main interest of the most customers, so linked cards show it
    main = [c["interests"][0]["topic_id"] for c in cards]
    tid = max(set(main), key=lambda t: (main.count(t), -t))
    old = cards[main.index(tid)]["interests"][0]["label"]
    new = "Guitar gear & <amps>"
    res = runner.invoke(app, ["topics", "rename", "shop", str(tid), new, "--home", str(ws.root)])
    assert res.exit_code == 0, res.output
    try:
        report("shop", ws)
        folder = ws.report_dir("shop")
        escaped = "Guitar gear &amp; &lt;amps&gt;"
        assert f"{tid} · {escaped}" in (folder / "index.html").read_text(encoding="utf-8")
        assert new in (folder / "ldavis.html").read_text(encoding="utf-8").replace("\\u0026", "&") \
            .replace("\\u003c", "<").replace("\\u003e", ">")
        shown = 0
        for page in (folder / "customers").iterdir():
            html = page.read_text(encoding="utf-8")
            links = re.findall(rf'href="../index.html#topic-{tid}">{tid} · ([^<]*)</a>', html)
            assert all(label == escaped for label in links), (page.name, links)
            shown += len(links)
            assert f"{tid} · {old}" not in html and old not in html  # nor in the segment description
        assert shown > 0
        index = (folder / "index.html").read_text(encoding="utf-8")
        segments = index[index.index('id="segments"'):index.index('id="top-customers"')]
        assert old not in segments and escaped in segments
    finally:
        runner.invoke(app, ["topics", "rename", "shop", str(tid), "", "--home", str(ws.root)])
