"""The load stage end to end: corpus files, counts, dedupe, chat roles, filters, atomicity, CLI."""

from __future__ import annotations

import csv
import hashlib
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from textprofile.cli.app import app
from textprofile.core.artifacts import read_manifest, sha256_file, verify_all
from textprofile.core.config import LoadConfig
from textprofile.core.errors import ConfigError, InputFileError
from textprofile.ingest.pii import PSEUDONYM_KEY_ENV
from textprofile.pipeline.load import CommentReader, config_from_manifest, load, read_comments

EXPORT = """customer_id,text,time,channel,role,thread_id,rating,amount,sku
00123,"Battery life is <b>great</b>, call me 13800138000",2024-03-05 10:00,chat,customer,t1,5,¥1299.00,A1
00123,"Battery life is <b>great</b>, call me 13800138000",2024-03-05 10:00,chat,customer,t1,5,¥1299.00,A1
00123,"Battery life is great, call me 13800138000",2024-03-06 10:00,chat,customer,t1,,,A1
00124,我喜欢这款面霜，很滋润,2024年3月5日,review,,,4,,B2
00125,when is my refund coming,not a time,social,,,,,
00126,   ,2024-01-01,review,,,,,
,no customer here,2024-01-01,review,,,,,
00127,您好，请问有什么可以帮您,2024-03-05 10:01,chat,agent,t1,,,
00128,hello,2024-03-05 10:01,chat,narrator,t1,,,
"""


@pytest.fixture()
def export(tmp_path):
    p = tmp_path / "export.csv"
    p.write_text(EXPORT, encoding="utf-8")
    return p


def _read(ws, name="c"):
    return pd.read_parquet(ws.corpus_dir(name) / "comments.parquet")


def test_corpus_contents_and_counts(workspace, export):
    result = load([export], "c", LoadConfig(), workspace, tokenize_config=None)
    c = result["counts"]
    assert c == {"read": 9, "kept": 4, "duplicates": 1, "quarantined": 4, "quarantined_by_reason": {
        "empty text": 1, "missing customer id": 1, "unparseable time": 1, "unrecognised role": 1}}
    assert c["read"] == c["kept"] + c["duplicates"] + c["quarantined"]
    df = _read(workspace)
    assert list(df.columns) == ["comment_id", "customer_id", "text", "time", "channel", "role", "is_customer",
                                "thread_id", "rating", "amount", "source", "source_row", "meta"]
    assert list(df["source_row"]) == [1, 3, 4, 8]
    assert list(df["customer_id"]) == ["00123", "00123", "00124", "00127"]
    assert df["text"].iloc[0] == "Battery life is great, call me <PHONE>"
    assert df["text"].iloc[2] == "我喜欢这款面霜,很滋润"
    assert list(df["is_customer"]) == [True, True, True, False]
    assert list(df["role"].fillna("-")) == ["customer", "customer", "-", "agent"]
    assert df["amount"].iloc[0] == 1299.0 and df["rating"].iloc[2] == 4.0
    assert json.loads(df["meta"].iloc[0]) == {"sku": "A1"}
    assert str(df["time"].dtype) == "datetime64[us, UTC]"
    # comment_id: first 16 hex of sha256(customer \x1f time-iso \x1f channel \x1f role \x1f text)
    blob = "\x1f".join(["00123", "2024-03-05T10:00:00.000000Z", "chat", "customer", df["text"].iloc[0]])
    assert df["comment_id"].iloc[0] == hashlib.sha256(blob.encode()).hexdigest()[:16]
    assert df["comment_id"].is_unique
    assert result["customers"] == 2 and result["agent_turns"] == 1
    assert result["time_range"] == ["2024-03-05T00:00:00Z", "2024-03-06T10:00:00Z"]
    assert result["channels"] == {"chat": 3, "review": 1}
    # quarantine.csv: every rejected row with file, row and reason; PII scrubbed there too
    with open(workspace.corpus_dir("c") / "quarantine.csv", encoding="utf-8", newline="") as f:
        q = list(csv.DictReader(f))
    assert [(r["file"], r["row"], r["reason"].split(":")[0]) for r in q] == [
        ("export.csv", "5", "unparseable time"), ("export.csv", "6", "empty text"),
        ("export.csv", "7", "missing customer id"), ("export.csv", "9", "unrecognised role")]
    # manifest: sources with sha256, format, encoding and mapping; checksums verify
    m = verify_all(workspace.corpus_dir("c"))
    src = m["sources"][0]
    assert src["sha256"] == hashlib.sha256(export.read_bytes()).hexdigest()
    assert (src["format"], src["encoding"], src["rows"]) == ("csv", "utf-8", 9)
    assert src["mapping"]["customer_id"] == "customer_id" and m["counts"] == c
    assert set(m["files"]) == {"comments.parquet", "quarantine.csv"}


def test_lenient_time_keep_pii_and_constant_channel(workspace, export):
    result = load([export], "c", LoadConfig(lenient_time=True, keep_pii=True, channel="social"), workspace,
                  tokenize_config=None)
    assert "unparseable time" not in result["counts"]["quarantined_by_reason"]
    df = _read(workspace)
    row = df[df["customer_id"] == "00125"].iloc[0]
    assert pd.isna(row["time"]) and row["text"] == "when is my refund coming"
    assert "13800138000" in df["text"].iloc[0]
    assert set(df["channel"]) == {"social"} and "channel" in json.loads(df["meta"].iloc[0])


def test_deterministic_bytes(workspace, export, tmp_path):
    load([export], "a", LoadConfig(), workspace, tokenize_config=None)
    load([export], "b", LoadConfig(), workspace, tokenize_config=None)
    for f in ("comments.parquet", "quarantine.csv"):
        assert (workspace.corpus_dir("a") / f).read_bytes() == (workspace.corpus_dir("b") / f).read_bytes()
    ma, mb = read_manifest(workspace.corpus_dir("a")), read_manifest(workspace.corpus_dir("b"))
    for m in (ma, mb):
        m.pop("created"), m.pop("name")
    assert ma == mb


def test_failed_reload_keeps_previous_corpus(workspace, export, tmp_path):
    load([export], "c", LoadConfig(), workspace, tokenize_config=None)
    before = (workspace.corpus_dir("c") / "comments.parquet").read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,text\n1,\n2,   \n")
    with pytest.raises(InputFileError, match="no comments kept"):
        load([bad], "c", LoadConfig(), workspace, tokenize_config=None)
    with pytest.raises(InputFileError):
        load([export, tmp_path / "missing.csv"], "c", LoadConfig(), workspace, tokenize_config=None)
    assert (workspace.corpus_dir("c") / "comments.parquet").read_bytes() == before
    assert [p.name for p in workspace.corpus_dir("c").parent.iterdir()] == ["c"]  # no temp leftovers


@pytest.mark.parametrize("fold", [500_000, 1])
def test_duplicates_across_files_and_reload_same_ids(workspace, export, tmp_path, monkeypatch, fold):
    monkeypatch.setattr(CommentReader, "_FOLD", fold)  # 1: every key goes through the sorted array
    copy = tmp_path / "copy.csv"
    copy.write_text(EXPORT, encoding="utf-8")
    r = load([export, copy], "c", LoadConfig(), workspace, tokenize_config=None)
    assert r["counts"]["duplicates"] == 1 + 1 + 4 and r["counts"]["kept"] == 4
    ids = list(_read(workspace)["comment_id"])
    load([copy], "c", LoadConfig(), workspace, tokenize_config=None)
    assert list(_read(workspace)["comment_id"]) == ids


def test_customer_filter_and_row_as_customer(workspace, tmp_path):
    p = tmp_path / "tw.csv"
    p.write_text("tweet_id,author_id,inbound,created_at,text\n"
                 "1,sprintcare,False,Tue Oct 31 22:10:47 +0000 2017,@115712 we can help\n"
                 "2,115712,True,Tue Oct 31 22:11:45 +0000 2017,@sprintcare and how\n")
    r = load([p], "c", LoadConfig(customer_filter="inbound=true"), workspace, tokenize_config=None)
    assert r["counts"]["kept"] == 1 and r["counts"]["quarantined_by_reason"] == {"excluded by --customer-filter": 1}
    df = _read(workspace)
    assert list(df["customer_id"]) == ["115712"]
    assert json.loads(df["meta"].iloc[0]) == {"tweet_id": "2", "inbound": "True"}
    r = load([p], "c", LoadConfig(row_as_customer=True, customer_col=None), workspace, tokenize_config=None)
    tag = f"tw.csv:{sha256_file(p)[:8]}"
    assert list(_read(workspace)["customer_id"]) == [f"{tag}:1", f"{tag}:2"]


def test_row_as_customer_ids_differ_between_files_that_share_a_name(workspace, tmp_path):
    """Last month's and this month's reviews.csv must not merge row 1's two different customers."""
    a, b = tmp_path / "a" / "reviews.csv", tmp_path / "b" / "reviews.csv"
    for path, text in ((a, "great phone"), (b, "fresh apples")):
        path.parent.mkdir()
        path.write_text(f"review\n{text}\n", encoding="utf-8")
    cfg = LoadConfig(row_as_customer=True, customer_col=None)
    load([a, b], "c", cfg, workspace, tokenize_config=None)
    df = _read(workspace)
    assert df["customer_id"].nunique() == 2 and len(df) == 2
    load([a, a], "c", cfg, workspace, tokenize_config=None)  # the same file twice: the same ids
    assert _read(workspace)["customer_id"].nunique() == 1


def test_pseudonymize(workspace, export, monkeypatch):
    monkeypatch.delenv(PSEUDONYM_KEY_ENV, raising=False)
    with pytest.raises(ConfigError, match=PSEUDONYM_KEY_ENV):
        load([export], "c", LoadConfig(pseudonymize=True), workspace, tokenize_config=None)
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, "k1")
    load([export], "c", LoadConfig(pseudonymize=True), workspace, tokenize_config=None)
    df = _read(workspace)
    assert not set(df["customer_id"]) & {"00123", "00124", "00127"}
    assert df["customer_id"].str.len().eq(32).all() and df["customer_id"].nunique() == 3
    raw = (workspace.corpus_dir("c") / "comments.parquet").read_bytes()
    assert b"00124" not in raw
    assert "pseudonym_key_check" in read_manifest(workspace.corpus_dir("c"))


def test_read_comments_replays_manifest_mapping(workspace, export, tmp_path):
    load([export], "c", LoadConfig(text_col="text"), workspace, tokenize_config=None)
    manifest = read_manifest(workspace.corpus_dir("c"))
    config = config_from_manifest(manifest)
    assert config == LoadConfig(text_col="text")
    new = tmp_path / "new.csv"
    new.write_text(EXPORT.replace("00128,hello", "00129,brand new comment").replace(",narrator,", ",customer,"))
    old = _read(workspace)
    reader = read_comments([new], config, mappings=[manifest["sources"][0]["mapping"]],
                           known_keys=CommentReader.dedupe_keys(old))
    frames = list(reader)
    assert len(frames) == 1 and list(frames[0]["text"]) == ["brand new comment"]
    c = reader.counts
    assert c["read"] == c["kept"] + c["duplicates"] + c["quarantined"] and c["duplicates"] == 5
    assert {q[2].split(":")[0] for q in reader.drain_quarantine()} == {
        "unparseable time", "empty text", "missing customer id"}


def test_replayed_mapping_allows_missing_optional_columns(workspace, export, tmp_path):
    load([export], "c", LoadConfig(), workspace, tokenize_config=None)
    manifest = read_manifest(workspace.corpus_dir("c"))
    mapping = manifest["sources"][0]["mapping"]
    weekly = tmp_path / "weekly.csv"  # a review export: no role, thread or channel columns
    weekly.write_text("customer_id,text,time,rating\n00200,great serum,2024-04-01,5\n", encoding="utf-8")
    frames = list(read_comments([weekly], config_from_manifest(manifest), mappings=[mapping]))
    row = frames[0].iloc[0]
    assert (row["customer_id"], row["text"], row["rating"]) == ("00200", "great serum", 5.0)
    assert row["role"] is None or pd.isna(row["role"])
    no_text = tmp_path / "no_text.csv"
    no_text.write_text("customer_id,time\n00200,2024-04-01\n", encoding="utf-8")
    with pytest.raises(Exception, match="saved mapping are missing"):
        list(read_comments([no_text], config_from_manifest(manifest), mappings=[mapping]))


def test_cli_json_matches_library_and_human_summary(workspace, export, tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["load", str(export), "--name", "cli", "--no-tokenize", "--json",
                            "--home", str(workspace.root)])
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    lib = load([export], "lib", LoadConfig(), workspace, tokenize_config=None)
    lib["name"], lib["corpus_dir"] = "cli", str(workspace.corpus_dir("cli"))
    assert out == json.loads(json.dumps(lib))
    r = runner.invoke(app, ["load", str(export), "--name", "cli", "--no-tokenize", "--home", str(workspace.root)])
    assert r.exit_code == 0 and r.stdout == ""
    assert "rows read" in r.stderr and "quarantined by reason" in r.stderr
    r = runner.invoke(app, ["load", str(export), "--name", "bad/name", "--no-tokenize"])
    assert r.exit_code == 1 and "invalid name" in r.stderr
    r = runner.invoke(app, ["load", str(export), "--name", "x", "--no-tokenize", "--customer-filter", "oops"])
    assert r.exit_code == 1 and "--customer-filter" in r.stderr and "Traceback" not in r.stderr
    r = runner.invoke(app, ["load", str(export), "--name", "x", "--no-tokenize", "--encoding", "klingon"])
    assert r.exit_code == 1 and "unknown --encoding" in r.stderr


def test_load_then_tokenize_in_one_step(workspace, export):
    from textprofile.core.config import TokenizeConfig

    result = load([export], "c", LoadConfig(), workspace, tokenize_config=TokenizeConfig(), jobs=1)
    assert isinstance(result["tokenize"], dict)
    d = workspace.corpus_dir("c")
    tokens = pd.read_parquet(d / "tokens.parquet")
    assert list(tokens["comment_id"]) == list(_read(workspace)["comment_id"])
    manifest = verify_all(d)
    assert "tokenize" in manifest and "tokens.parquet" in manifest["files"]
    assert [p.name for p in d.parent.iterdir()] == ["c"]


def test_progress_callback_reports_rows_read(workspace, export, tmp_path):
    calls = []
    r = load([export, export], "c", LoadConfig(), workspace, tokenize_config=None,
             progress=lambda stage, done, total=None: calls.append((stage, done, total)))
    assert calls and all(stage == "read" and total is None for stage, _, total in calls)
    assert [d for _, d, _ in calls] == sorted(d for _, d, _ in calls)
    assert calls[-1][1] == r["counts"]["read"] == 18


def test_script_language_estimate():
    from textprofile.ingest.rows import script_languages

    texts = ["hello world 😂😂", "很好", "很好 iPhone 15 pro max is great", "ok", "!!!", "Café au lait",
             "电池 battery", "这款手机的电池续航很好,推荐 (Xiaomi)"]
    assert script_languages(texts) == {"en": 3, "zh": 2, "mixed": 2, "other": 1}


def test_meta_stays_valid_json_after_pii_scrubbing(workspace, tmp_path):
    rows = [{"user_id": "1", "text": "hi", "note": 'see http://x.com/a" and \\ 13800138000',
             "path": "a/b", "nested": {"k": [1, 2]}, "empty": None}]
    (tmp_path / "e.json").write_text(json.dumps(rows), encoding="utf-8")
    load([tmp_path / "e.json"], "c", LoadConfig(), workspace, tokenize_config=None)
    meta = json.loads(_read(workspace)["meta"].iloc[0])
    # a JSON record's null values are left out, as its absent keys are (meta holds the row's own)
    assert meta == {"note": 'see <URL>" and \\ <PHONE>', "path": "a/b", "nested": '{"k": [1, 2]}'}


def test_timezone_option(workspace, export):
    load([export], "c", LoadConfig(timezone="Asia/Shanghai"), workspace, tokenize_config=None)
    assert _read(workspace)["time"].iloc[0].isoformat() == "2024-03-05T02:00:00+00:00"
    r = CliRunner().invoke(app, ["load", str(export), "--name", "x", "--no-tokenize", "--timezone", "Mars/Base"])
    assert r.exit_code == 1 and "unknown --timezone 'Mars/Base'" in r.stderr


def test_load_keeps_an_export_that_lives_in_the_corpus_folder(workspace):
    """`load corpora/demo/export/... --name demo` (the README's demo) must not delete its input."""
    folder = workspace.corpus_dir("demo")
    (folder / "export").mkdir(parents=True)
    export = folder / "export" / "comments.csv"
    export.write_text("customer_id,text\nC1,battery life is great\nC2,快递很快\n", encoding="utf-8")
    (folder / "README.md").write_text("bundled", encoding="utf-8")
    for _ in range(2):  # first load, then a reload over the previous corpus
        out = load([export], "demo", LoadConfig(), workspace, tokenize_config=None)
        assert out["counts"]["kept"] == 2
        assert export.read_text(encoding="utf-8").startswith("customer_id,text")
        assert (folder / "README.md").read_text(encoding="utf-8") == "bundled"
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md", "comments.parquet", "export", "manifest.json", "quarantine.csv"]
    verify_all(folder)


def test_dedupe_keys_do_not_depend_on_the_string_dtype():
    """update hashes the corpus's Arrow-backed columns, the readers' frames may hold objects."""
    from textprofile.pipeline.load import CommentReader

    times = pd.to_datetime(["2024-01-01T10:00:00Z", None, "2024-01-02T00:00:00Z"], utc=True)
    values = {"customer_id": ["c1", "c2", "客户"], "text": ["好评", "", "fast delivery"]}
    frames = [pd.DataFrame({**{k: pd.Series(v, dtype=dt) for k, v in values.items()}, "time": times})
              for dt in (object, "str", "string[pyarrow]")]
    keys = [CommentReader.dedupe_keys(f) for f in frames]
    assert all((k == keys[0]).all() for k in keys) and len(set(keys[0].tolist())) == 3
