"""``forget``: after it, neither the erased ids nor any sentence of their comments is in any file
under corpora/, models/, reports/ or a fresh export; updates and re-loads never bring them back.
"""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest
from pii_corpus import leaks

NAME = "f"
EXPORT_TABLES = ("profiles", "comments", "topics")


def _build(root):
    """A demo workspace (80 customers) with two victims in it and one only in the quarantine."""
    from textprofile.core.config import FitConfig, LoadConfig, ProfileConfig
    from textprofile.core.workspace import Workspace
    from textprofile.demo_corpus import generate_demo_corpus
    from textprofile.pipeline.fit import fit
    from textprofile.pipeline.load import load
    from textprofile.pipeline.profile import build_profiles
    from textprofile.pipeline.report import report

    ws = Workspace.resolve(root / "ws")
    demo = generate_demo_corpus(root / "gen", seed=0, n_customers=80)["comments"]
    with open(demo, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0].keys())
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["customer_id"]] = counts.get(r["customer_id"], 0) + 1
    busy = sorted((c for c, n in counts.items() if n >= 6), key=lambda c: (-counts[c], c))
    victims = [busy[0], busy[len(busy) // 2]]
    secrets = []
    for i, r in enumerate(rows):
        if r["customer_id"] in victims:
            tag = f"qz{i:04d}x"
            r["text"] = f"{r['text']} 私人留言{tag}请勿外传。zqvictim"  # a term only they use
            secrets.append(f"私人留言{tag}请勿外传")
    quarantined_only = "VICTIM-Q-0001"
    export = root / "export.csv"
    with open(export, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
        # rows of a victim that are quarantined: a bad time, and a record with an extra field
        w.writerow({**rows[0], "customer_id": victims[0], "text": "坏时间的评论一直没发货秘密qzbadtime", "time": "never"})
        w.writerow({**rows[1], "customer_id": quarantined_only, "text": "只在隔离区的评论qzquarantine", "time": "bad"})
    with open(export, "a", encoding="utf-8", newline="") as f:
        f.write(f"{quarantined_only},拆开一看就坏了qzmalformed,2025-01-01,review,,,,,,EXTRA\n")
    secrets += ["坏时间的评论一直没发货秘密qzbadtime", "只在隔离区的评论qzquarantine", "拆开一看就坏了qzmalformed"]
    load([export], NAME, LoadConfig(), ws)
    fit(NAME, FitConfig(topics=6, seed=0), ws)
    build_profiles(NAME, ProfileConfig(), ws)
    report(NAME, ws, all_customers=True)
    return ws, export, victims + [quarantined_only], secrets + _own_sentences(ws, victims)


def _own_sentences(ws, victims):
    """Sentences (10+ characters) of the victims' comments that no other customer wrote."""
    import pyarrow.parquet as pq

    df = pq.read_table(ws.corpus_dir(NAME) / "comments.parquet", columns=["customer_id", "text"]).to_pandas()
    mine = df["customer_id"].isin(victims)
    others = "\n".join(df.loc[~mine, "text"])
    sentences = {s.strip() for text in df.loc[mine, "text"] for s in re.split(r"[。!?！？.\n]+", text)}
    return sorted(s for s in sentences if len(s) >= 10 and s not in others)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("forget_src"))


@pytest.fixture()
def ws_copy(built, tmp_path):
    from textprofile.core.workspace import Workspace

    ws, export, victims, secrets = built
    shutil.copytree(ws.root, tmp_path / "ws")
    return Workspace.resolve(tmp_path / "ws"), export, victims, secrets


def _scan(ws, tmp_path, needles):
    from textprofile.pipeline.export import export_table

    out = tmp_path / "exports"
    out.mkdir(exist_ok=True)
    for table in EXPORT_TABLES:
        for fmt in ("csv", "parquet", "jsonl"):
            export_table(ws, NAME, table, fmt, out / f"{table}.{fmt}")
    return leaks([ws.root / "corpora", ws.root / "models", ws.root / "reports", out], needles)


def test_before_forget_the_scan_finds_them(ws_copy, tmp_path):
    ws, _, victims, secrets = ws_copy
    assert len(secrets) > 10
    found = _scan(ws, tmp_path, [*victims, *secrets])
    assert set(victims) <= set(found) and set(secrets) <= set(found)


def test_forget_leaves_no_id_and_no_sentence_anywhere(ws_copy, tmp_path):
    from textprofile.core.artifacts import verify_all
    from textprofile.pipeline.forget import forget
    from textprofile.store.profile_store import ProfileStore
    from textprofile.topics.fitted import load_model_with_corpus

    ws, _, victims, secrets = ws_copy
    with ProfileStore.open(ws, NAME) as store:
        n_before = store.count()
    result = forget(NAME, [*victims, "NOT-A-CUSTOMER"], ws)
    assert result["erased"] == 3 and result["unknown"] == ["NOT-A-CUSTOMER"] and result["report"] is True
    r = result["removed"]
    assert r["customers"] == 2 and r["cards"] == 2 and r["comments"] >= 12 and r["tokens"] == r["comments"]
    assert r["quarantine"] == 3 and r["report_cards"] == 2 and r["doc_topics"] > 0
    assert result["model_terms_only_theirs"] >= 1  # "zqvictim": reported, a refit drops it
    assert _scan(ws, tmp_path, [*victims, *secrets]) == {}
    # everything still verifies and works
    verify_all(ws.corpus_dir(NAME))
    load_model_with_corpus(ws, NAME)
    with ProfileStore.open(ws, NAME) as store:
        assert store.count() == n_before - 2
        assert all(store.get(v) is None for v in victims)
        assert sum(s["size"] for s in store.segments()) == store.count()
        other = store.export_profiles()["customer_id"].iloc[0]
        assert store.get(other) is not None and store.similar(other, 5)
    # audit: one line, hashed ids and counts, no clear id and no text
    audit = (ws.corpus_dir(NAME) / "erasures.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(audit) == 1
    line = json.loads(audit[0])
    assert len(line["ids"]) == 3 and line["removed"] == r and line["unknown_ids"] == 1
    assert not any(v in audit[0] for v in victims) and "NOT-A-CUSTOMER" not in audit[0]
    erased = json.loads((ws.corpus_dir(NAME) / "erased.json").read_text(encoding="utf-8"))
    assert sorted(erased["hashes"]) == sorted(line["ids"]) and erased["pending"] is False


def test_update_and_reload_never_bring_them_back(ws_copy, tmp_path):
    from textprofile.core.config import LoadConfig
    from textprofile.pipeline.forget import forget
    from textprofile.pipeline.load import load
    from textprofile.pipeline.update import update

    ws, export, victims, secrets = ws_copy
    forget(NAME, victims, ws)
    again = update(NAME, [export], ws)  # the same export, with their rows, again
    assert again["comments_added"] == 0 and again["erased_skipped"] >= 12
    assert _scan(ws, tmp_path, [*victims, *secrets]) == {}
    reload = load([export], NAME, LoadConfig(), ws)
    assert reload["counts"]["erased"] == again["erased_skipped"]
    assert reload["counts"]["read"] == sum(reload["counts"][k] for k in ("kept", "duplicates", "quarantined", "erased"))
    assert leaks([ws.root / "corpora"], [*victims, *secrets]) == {}


def test_cli_json_equals_the_library_result(ws_copy, tmp_path):
    from typer.testing import CliRunner

    from textprofile.cli.app import app
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.forget import forget

    ws, _, victims, _ = ws_copy
    twin = Workspace.resolve(shutil.copytree(ws.root, tmp_path / "twin"))
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(f"{victims[1]}\n\nunknown-x\n", encoding="utf-8")
    expected = forget(NAME, [victims[0], victims[1], "unknown-x"], twin)
    out = CliRunner().invoke(app, ["forget", NAME, victims[0], "--ids-file", str(ids_file), "--json",
                                   "--home", str(ws.root)])
    assert out.exit_code == 0, out.output
    got = json.loads(out.stdout)
    assert {k: v for k, v in got.items() if k != "seconds"} == {k: v for k, v in expected.items() if k != "seconds"}
    # no id known: exit 1, one line
    bad = CliRunner().invoke(app, ["forget", NAME, "nobody-1", "--home", str(ws.root)])
    assert bad.exit_code == 1 and "none of the 1 id(s)" in bad.output and len(bad.output.strip().splitlines()) == 1


def test_interrupted_forget_is_finished_by_running_it_again(ws_copy, tmp_path):
    from textprofile.pipeline.forget import forget
    from textprofile.pipeline.update import update
    from textprofile.store.profile_store import ProfileStore

    ws, export, victims, secrets = ws_copy
    # a real failure at the store stage: a folder where the store's temporary copy must go
    import os

    blocker = ws.model_dir(NAME) / f".profiles.duckdb.{os.getpid()}.erasing"
    blocker.mkdir()
    (blocker / "x").write_text("x")
    with pytest.raises(OSError):
        forget(NAME, victims, ws)
    shutil.rmtree(blocker)
    erased = json.loads((ws.corpus_dir(NAME) / "erased.json").read_text(encoding="utf-8"))
    assert erased["pending"] is True
    with ProfileStore.open(ws, NAME) as store:  # the old store is intact
        assert store.get(victims[0]) is not None
    # the half-done state: the corpus is without them, the store and report are not yet
    result = forget(NAME, [victims[0]], ws)
    assert result["repaired_interrupted"] is True and result["removed"]["customers"] == 2
    assert _scan(ws, tmp_path, [*victims, *secrets]) == {}
    assert update(NAME, [export], ws)["comments_added"] == 0


def test_forget_with_a_stale_model_still_erases_everything(ws_copy, tmp_path):
    from textprofile.core.config import LoadConfig
    from textprofile.pipeline.forget import forget
    from textprofile.pipeline.load import load

    ws, export, victims, secrets = ws_copy
    more = tmp_path / "more.csv"
    more.write_text(export.read_text(encoding="utf-8") + "C99999,又一条评论 another one,2025-06-01 10:00:00,review,,,,,\n",
                    encoding="utf-8")
    load([more], NAME, LoadConfig(), ws)  # re-loaded: the model and store now lag the corpus
    result = forget(NAME, victims, ws)
    assert result["model_stale"] is True and result["report"] is False
    assert not ws.report_dir(NAME).exists()  # the stale report held their comments: removed
    assert _scan_files(ws, [*victims, *secrets]) == {}


def _scan_files(ws, needles):
    return leaks([ws.root / "corpora", ws.root / "models", ws.root / "reports"], needles)
