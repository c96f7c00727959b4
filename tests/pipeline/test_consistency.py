"""Outputs stay consistent with each other: stale models are refused, renamed labels reach every
lookup, and a damaged profile store is one clear error."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from profile_corpus import NAME, copy_workspace, demo_workspace
from typer.testing import CliRunner

from textprofile.cli.app import app
from textprofile.core.config import ProfileConfig
from textprofile.core.errors import IntegrityError, StateError
from textprofile.pipeline.evaluate import evaluate
from textprofile.pipeline.profile import build_profiles
from textprofile.pipeline.report import report
from textprofile.pipeline.update import update
from textprofile.store.profile_store import ProfileStore, store_path
from textprofile.topics.fitted import load_model


@pytest.fixture()
def ws(tmp_path_factory, tmp_path):
    return copy_workspace(demo_workspace(tmp_path_factory)[0], tmp_path / "ws")


def test_stages_refuse_a_model_fitted_on_other_tokens(ws):
    tokens_path = ws.corpus_dir(NAME) / "tokens.parquet"
    t = pq.read_table(tokens_path)
    shorter = pa.array([toks[:1] for toks in t.column("tokens").to_pylist()], t.schema.field("tokens").type)
    pq.write_table(t.set_column(2, "tokens", shorter), tokens_path)  # as a re-tokenize would
    for call in (lambda: build_profiles(NAME, ProfileConfig(), ws), lambda: report(NAME, ws),
                 lambda: evaluate(NAME, ws), lambda: update(NAME, [], ws)):
        with pytest.raises(StateError, match=f"textprofile fit {NAME}"):
            call()


def test_renamed_topic_label_reaches_profile_lookups(ws):
    load_model(ws, NAME).rename_topic(0, "Battery life")
    with ProfileStore.open(ws, NAME) as store:
        assert store.topics()[0]["label"] == "Battery life"
        cid = store.export_profiles().sort_values("topic_0").iloc[-1]["customer_id"]
        card = store.get(cid)
    assert {i["topic_id"]: i["label"] for i in card["interests"]}[0] == "Battery life"


def test_renamed_topic_label_reaches_segment_descriptions(ws):
    with ProfileStore.open(ws, NAME) as store:
        seg = store.segments()[0]
        tid = seg["top_topics"][0]["topic_id"]
        old = seg["top_topics"][0]["label"]
        cid = store.export_profiles().query("segment == 0").iloc[0]["customer_id"]
    assert old in seg["description"]
    from textprofile.pipeline.topics import rename_topic

    rename_topic(NAME, tid, "Renamed <topic>", ws)
    with ProfileStore.open(ws, NAME) as store:
        seg = store.segments()[0]
        card = store.get(cid)
    assert seg["top_topics"][0]["label"] == "Renamed <topic>"
    assert "Renamed <topic>" in seg["description"] and old not in seg["description"]
    assert card["segment"]["description"] == seg["description"]


def test_damaged_store_is_one_clear_line(ws):
    path = store_path(ws.model_dir(NAME))
    data = bytearray(path.read_bytes())
    data[: len(data) // 2] = b"\x00" * (len(data) // 2)
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match=f"profile build {NAME}"):
        ProfileStore.open(ws, NAME)
    result = CliRunner().invoke(app, ["profile", "show", "C00001", "--model", NAME, "--home", str(ws.root)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len([ln for ln in result.output.splitlines() if ln.strip()]) == 1
