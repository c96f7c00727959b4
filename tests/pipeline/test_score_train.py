"""score train: a planted signal is found and explained; bad label files get one-line errors."""

from __future__ import annotations

import csv

import pytest
from profile_corpus import topic_to_interest
from score_helpers import NAME, PLANTED, score_workspace

from textprofile.core.errors import ColumnError, ConfigError, IntegrityError, NotFoundError
from textprofile.store.profile_store import ProfileStore


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from textprofile.pipeline.score import train_score

    ws, paths, labels = score_workspace(tmp_path_factory, "score_train")
    return ws, paths, labels, train_score(NAME, labels, score="refund_fan", ws=ws)


def test_score_train_finds_the_planted_interest_first(trained):
    from textprofile.demo_corpus import interest_keywords
    from textprofile.topics.fitted import load_model

    ws, _, _, result = trained
    mapping = topic_to_interest(load_model(ws, NAME))
    with ProfileStore.open(ws, NAME) as store:
        labels = {t["topic_id"]: t["label"] for t in store.topics()}
    planted_features = {f"interest: {labels[t]}" for t, name in mapping.items() if name == PLANTED}
    planted_features |= {f"keyword: {term}" for term in interest_keywords()[PLANTED]}
    # the text sub-model reads the planted interest's words; its score may itself lead the drivers
    words_up = [w["feature"] for w in result["drivers"]["words"]["up"][:5]]
    assert any(w in planted_features for w in words_up), words_up
    top = result["drivers"]["up"][0]
    assert top["feature"] in planted_features | {"text: pooled words"}, result["drivers"]["up"][:3]
    assert top["odds_ratio"] > 1 and top["low"] > 1  # the interval excludes "no effect"
    assert result["cv"]["roc_auc"] > 0.9
    assert set(result["cv"]) == {"roc_auc", "pr_auc", "brier", "n", "positives"}
    assert set(result["baselines"]) == {"behaviour", "tfidf_behaviour"}
    assert result["text"]["terms"] > 0 and result["text"]["C"] > 0
    assert result["counts"]["unknown_ids"] == 0 and result["counts"]["unlabelled_profiles"] >= 0


def test_score_lands_in_profile_show_and_export(trained, tmp_path):
    import pandas as pd

    from textprofile.pipeline.export import export_table

    ws, _, _, result = trained
    with ProfileStore.open(ws, NAME) as store:
        cid = store.scores_frame("refund_fan")["customer_id"].iloc[0]
        card = store.get(cid)
    (s,) = card["scores"]
    assert s["score"] == "refund_fan" and 0 <= s["value"] <= 1
    assert 1 <= len(s["reasons"]) <= 3 and all("feature" in r and "effect" in r for r in s["reasons"])
    export_table(ws, NAME, "profiles", "csv", tmp_path / "p.csv")
    wide = pd.read_csv(tmp_path / "p.csv", dtype={"customer_id": str})
    assert "score_refund_fan" in wide and wide["score_refund_fan"].notna().all()
    assert len(wide) == result["scored"]


def test_profile_build_reapplies_the_saved_score(trained):
    from textprofile.pipeline.profile import build_profiles

    ws, _, _, _ = trained
    with ProfileStore.open(ws, NAME) as store:
        before = store.scores_frame("refund_fan")
    out = build_profiles(NAME, ws=ws)
    assert out["scores"] == ["refund_fan"]
    with ProfileStore.open(ws, NAME) as store:
        after = store.scores_frame("refund_fan")
    assert before.equals(after)


def test_tampered_score_model_is_refused(trained, tmp_path):
    import shutil

    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.score import show_score

    ws0, _, _, _ = trained
    for name in ("coef.npy", "keyword_idf.npy"):  # the model's weights and its keyword columns' idf
        shutil.copytree(ws0.root, tmp_path / name)
        ws = Workspace.resolve(tmp_path / name)
        coef = ws.model_dir(NAME) / "scores" / "refund_fan" / name
        data = bytearray(coef.read_bytes())
        data[-1] ^= 0xFF
        coef.write_bytes(bytes(data))
        with pytest.raises(IntegrityError, match="checksum"):
            show_score(NAME, "refund_fan", ws)


def test_score_model_of_an_older_format_is_refused(trained, tmp_path):
    """A model saved before the keyword columns (format 2, a stacked text score) is not read as a
    new one: one line naming score train, even with its checksums in order."""
    import json
    import shutil

    from textprofile.core.artifacts import write_manifest
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.score import show_score

    ws0, _, _, _ = trained
    shutil.copytree(ws0.root, tmp_path / "old")
    ws = Workspace.resolve(tmp_path / "old")
    folder = ws.model_dir(NAME) / "scores" / "refund_fan"
    doc = json.loads((folder / "score.json").read_text(encoding="utf-8"))
    doc["format"] = 2
    (folder / "score.json").write_text(json.dumps(doc), encoding="utf-8")
    (folder / "manifest.json").unlink()
    write_manifest(folder, {"kind": "score", "score_kind": "logistic", "seed": 0})
    with pytest.raises(IntegrityError, match="format 2; retrain it with: textprofile score train") as e:
        show_score(NAME, "refund_fan", ws)
    assert "\n" not in str(e.value)


def _rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))[1:]


def _write(path, rows, header=("customer_id", "label")):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_bad_label_files_give_one_line_errors(trained, tmp_path):
    from textprofile.pipeline.score import train_score

    ws, _, labels, _ = trained
    rows = _rows(labels)
    cases = [
        (_write(tmp_path / "col.csv", rows, ("id", "label")), ColumnError, "column 'customer_id' not found.*--id-col"),
        (_write(tmp_path / "one.csv", [(c, "1") for c, _ in rows]), ConfigError, "one class"),
        (_write(tmp_path / "three.csv", [(c, str(i % 3)) for i, (c, _) in enumerate(rows)]), ConfigError, "3 distinct"),
        (_write(tmp_path / "few.csv", [(c, "1" if i < 10 else "0") for i, (c, _) in enumerate(rows)]),
         ConfigError, "only 10 customers .* at least 20"),
        (_write(tmp_path / "unknown.csv", [(f"nobody{i}", str(i % 2)) for i in range(50)]), NotFoundError,
         "none of the 50 ids"),
    ]
    for path, error, message in cases:
        with pytest.raises(error, match=message) as info:
            train_score(NAME, path, ws=ws)
        assert "\n" not in str(info.value)


def test_unknown_ids_and_yes_no_labels_are_counted_and_mapped(trained, tmp_path):
    from textprofile.pipeline.score import train_score

    ws, _, labels, _ = trained
    rows = _rows(labels)
    path = _write(tmp_path / "yn.csv", [(c, "yes" if y == "1" else "no") for c, y in rows[:-5]]
                  + [("ghost1", "yes"), ("ghost2", "no")])
    out = train_score(NAME, path, score="yn", ws=ws)
    assert out["label_mapping"] == {"no": 0, "yes": 1}
    assert out["counts"]["unknown_ids"] == 2 and out["unknown_examples"] == ["ghost1", "ghost2"]
    assert out["counts"]["unlabelled_profiles"] == out["scored"] - out["counts"]["labelled"]
