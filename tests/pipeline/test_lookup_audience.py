"""profile similar and audience on the demo workspace: planted interests come back, with why."""

from __future__ import annotations

import csv
import json

import pytest
from profile_corpus import NAME, copy_workspace, demo_workspace, planted
from typer.testing import CliRunner

from textprofile.cli.app import app
from textprofile.core.errors import ConfigError, InputFileError, NotFoundError
from textprofile.pipeline.audience import audience, read_ids
from textprofile.pipeline.lookup import similar_customers
from textprofile.store.profile_store import ProfileStore

runner = CliRunner()


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws0, paths = demo_workspace(tmp_path_factory)
    return copy_workspace(ws0, tmp_path_factory.mktemp("lookalike") / "ws"), paths


def _top(plants: dict[str, dict[str, float]]) -> dict[str, str]:
    return {c: max(p, key=p.get) for c, p in plants.items()}


def test_lookup_similar_customers_share_the_planted_top_interest(ws):
    ws, paths = ws
    top = _top(planted(paths["planted"]))
    with ProfileStore.open(ws, NAME) as store:
        ids = sorted(c for c in store.export_profiles()["customer_id"] if c in top)[:40]
    hits = [top[n["customer_id"]] == top[c] for c in ids for n in similar_customers(NAME, c, 5, ws=ws)["similar"]]
    assert sum(hits) / len(hits) >= 0.6  # random neighbours: about 1 in 10 interests


def test_lookup_similar_says_why(ws):
    ws, _ = ws
    with ProfileStore.open(ws, NAME) as store:
        cid = store.export_profiles()["customer_id"].iloc[0]
        card = store.get(cid)
    out = similar_customers(NAME, cid, 5, ws=ws)
    assert out["by"] == "mixed" and len(out["similar"]) == 5
    assert [s["score"] for s in out["similar"]] == sorted((s["score"] for s in out["similar"]), reverse=True)
    mine = {i["topic_id"] for i in card["interests"] if i["share"] >= 0.1}
    words = {k["term"] for k in card["keywords"]}
    for s in out["similar"]:
        assert {i["topic_id"] for i in s["why"]["shared_interests"]} <= mine
        assert set(s["why"]["shared_keywords"]) <= words
    assert any(s["why"]["shared_interests"] for s in out["similar"])
    with pytest.raises(ConfigError, match="-n must be between 1 and 1000"):
        similar_customers(NAME, cid, 0, ws=ws)


def test_lookup_similar_cli_json_equals_library(ws):
    ws, _ = ws
    with ProfileStore.open(ws, NAME) as store:
        cid = store.export_profiles()["customer_id"].iloc[3]
    for by in ("mixed", "keywords", "topics"):
        r = runner.invoke(app, ["profile", "similar", cid, "--model", NAME, "-n", "4", "--by", by, "--json",
                                "--home", str(ws.root)])
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout) == json.loads(json.dumps(similar_customers(NAME, cid, 4, by, ws)))
    r = runner.invoke(app, ["profile", "similar", cid, "--model", NAME, "--by", "colour", "--home", str(ws.root)])
    assert r.exit_code == 1 and "--by must be one of" in r.stderr and "Traceback" not in r.output


def test_audience_like_finds_the_seeds_interest(ws, tmp_path):
    ws, paths = ws
    top = _top(planted(paths["planted"]))
    interest = min(set(top.values()))
    members = sorted(c for c, t in top.items() if t == interest)
    seeds, rest = members[:10], set(members[10:])
    seed_file = tmp_path / "seeds.txt"
    seed_file.write_text("\n".join([*seeds, "nobody-1", "nobody-2"]) + "\n", encoding="utf-8")
    out = audience(NAME, ws, like=read_ids(seed_file), n=len(rest))
    got = [m["customer_id"] for m in out["members"]]
    assert out["seeds"] == 10 and out["unknown_seeds"] == 2 and out["unknown_examples"] == ["nobody-1", "nobody-2"]
    assert not set(got) & set(seeds)
    assert len(set(got) & rest) / len(rest) >= 0.6  # precision at the size of the true audience
    assert all(m["why"]["shared_interests"] or m["why"]["shared_keywords"] for m in out["members"][:20])


def test_audience_filters_and_topic_selection(ws):
    ws, _ = ws
    with ProfileStore.open(ws, NAME) as store:
        prof = store.export_profiles()
    out = audience(NAME, ws, topic=0, min_share=0.3, n=10_000, min_comments=3)
    expected = prof[(prof["topic_0"] >= 0.3) & (prof["n_comments"] >= 3)]
    assert out["size"] == len(expected) > 0
    assert {m["customer_id"] for m in out["members"]} == set(expected["customer_id"])
    shares = [m["score"] for m in out["members"]]
    assert shares == sorted(shares, reverse=True)
    seeds = list(prof["customer_id"].iloc[:5])
    liked = audience(NAME, ws, like=seeds, n=50, channel="review", active_days=30)
    allowed = set(prof[(prof["share_review"] > 0) & (prof["recency_days"] <= 30)]["customer_id"])
    assert {m["customer_id"] for m in liked["members"]} <= allowed


def test_audience_bad_input_is_one_line(ws, tmp_path):
    ws, _ = ws
    with pytest.raises(NotFoundError, match=r"none of the 2 seed ids is a customer of 'd' \(first: x, y\)"):
        audience(NAME, ws, like=["x", "y"])
    with pytest.raises(ConfigError, match="either --like IDS_FILE or --topic ID"):
        audience(NAME, ws)
    with pytest.raises(NotFoundError, match="topic 99 does not exist"):
        audience(NAME, ws, topic=99, min_share=0.1)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="holds no customer ids"):
        read_ids(empty)
    r = runner.invoke(app, ["audience", NAME, "--like", str(tmp_path / "missing.csv"), "--home", str(ws.root)])
    assert r.exit_code == 1 and "not found" in r.stderr and "Traceback" not in r.output


def test_audience_cli_json_and_csv_equal_library(ws, tmp_path):
    ws, _ = ws
    with ProfileStore.open(ws, NAME) as store:
        seeds = list(store.export_profiles()["customer_id"].iloc[10:14])
    seed_file = tmp_path / "seeds.csv"
    seed_file.write_text("customer_id,note\n" + "".join(f"{s},x\n" for s in seeds), encoding="utf-8")
    out = tmp_path / "aud.csv"
    r = runner.invoke(app, ["audience", NAME, "--like", str(seed_file), "-n", "20", "-o", str(out), "--json",
                            "--home", str(ws.root)])
    assert r.exit_code == 0, r.output
    lib = audience(NAME, ws, like=seeds, n=20, out=tmp_path / "lib.csv")
    got = json.loads(r.stdout)
    assert {**got, "path": None} == json.loads(json.dumps({**lib, "path": None}))
    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["customer_id"] for r in rows] == [m["customer_id"] for m in lib["members"]]
    assert out.read_bytes() == (tmp_path / "lib.csv").read_bytes()
