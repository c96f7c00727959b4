"""The bundled demo corpus: regenerates byte-identically and meets the bars the issue sets."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from textprofile.demo_corpus import (
    COLUMNS,
    INTEREST_NAMES,
    build_demo_corpus,
    comments_csv_bytes,
    generate_demo_corpus,
    interest_keywords,
)
from textprofile.demo_corpus.__main__ import main as demo_main

DEMO = Path(__file__).resolve().parents[2] / "corpora" / "demo"
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
NOT_WORDS = re.compile(r"https?://\S+|\S+@\S+\.\w+|@\S+")


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.fixture(scope="module")
def committed() -> dict[str, bytes]:
    return {
        "comments": (DEMO / "export" / "comments.csv").read_bytes(),
        "planted": (DEMO / "planted_interests.csv").read_bytes(),
    }


@pytest.fixture(scope="module")
def rows(committed) -> list[dict[str, str]]:
    return _rows(committed["comments"])


@pytest.fixture(scope="module")
def planted(committed) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for r in _rows(committed["planted"]):
        out[r["customer_id"]][r["interest"]] = float(r["weight"])
    return out


def test_regenerates_byte_identical_to_committed_files(tmp_path, committed):
    paths = generate_demo_corpus(tmp_path)
    assert paths["comments"].read_bytes() == committed["comments"]
    assert paths["planted"].read_bytes() == committed["planted"]


def test_module_entry_point_writes_the_same_files(tmp_path, committed):
    assert demo_main(["--out", str(tmp_path / "d")]) == 0
    assert (tmp_path / "d" / "export" / "comments.csv").read_bytes() == committed["comments"]
    assert (tmp_path / "d" / "planted_interests.csv").read_bytes() == committed["planted"]


def test_seed_changes_the_corpus():
    small0 = comments_csv_bytes(build_demo_corpus(seed=0, n_customers=40))
    small1 = comments_csv_bytes(build_demo_corpus(seed=1, n_customers=40))
    assert small0 == comments_csv_bytes(build_demo_corpus(seed=0, n_customers=40))
    assert small0 != small1


def test_file_format(committed):
    data = committed["comments"]
    assert len(data) < 1_500_000
    assert b"\r" not in data
    text = data.decode("utf-8")  # strict: raises on anything that is not UTF-8
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert committed["planted"].decode("utf-8").splitlines()[0] == "customer_id,interest,weight"


def test_size_customers_and_time_span(rows):
    assert len(rows) >= 3000
    customers = {r["customer_id"] for r in rows}
    assert len(customers) >= 400
    assert all(re.fullmatch(r"C\d{5}", c) for c in customers)
    assert any(c.startswith("C0") for c in customers)  # leading zeros are part of the id
    times = [datetime.strptime(r["time"], "%Y-%m-%d %H:%M:%S") for r in rows]
    assert (max(times) - min(times)).days >= 183


def test_channels_roles_threads_ratings_amounts(rows):
    assert {r["channel"] for r in rows} == {"review", "chat", "social"}
    for r in rows:
        chat = r["channel"] == "chat"
        assert (r["role"] in {"customer", "agent"}) if chat else r["role"] == ""
        assert bool(r["thread_id"]) == chat
        if r["channel"] == "review":
            assert r["rating"] in {"1", "2", "3", "4", "5"}
        else:
            assert r["rating"] == ""
        if r["amount"]:
            assert float(r["amount"]) > 0
    assert Counter(r["role"] for r in rows if r["role"]).keys() == {"customer", "agent"}
    assert len({r["rating"] for r in rows if r["rating"]}) == 5
    assert sum(1 for r in rows if r["amount"]) > 1000
    # every thread has the customer and the company speaking, and belongs to one customer
    threads = defaultdict(set)
    for r in rows:
        if r["thread_id"]:
            threads[r["thread_id"]].add((r["customer_id"], r["role"]))
    assert all({role for _, role in t} == {"customer", "agent"} for t in threads.values())
    assert all(len({cid for cid, _ in t}) == 1 for t in threads.values())


def test_chinese_english_and_mixed_text(rows):
    langs = Counter()
    for r in rows:
        if r["role"] == "agent":
            continue
        text = NOT_WORDS.sub(" ", r["text"])
        han, latin = len(HAN.findall(text)), len(LATIN.findall(text))
        langs["mixed" if han and latin else "zh" if han else "en" if latin else "other"] += 1
    total = sum(langs.values())
    for lang in ("zh", "en", "mixed"):
        assert langs[lang] / total > 0.15, langs


def test_realistic_mess_is_present(rows):
    texts = [r["text"] for r in rows]
    assert sum(bool(re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", t)) for t in texts) >= 5
    assert sum(bool(re.search(r"[\w.]+@example\.com", t)) for t in texts) >= 5
    assert sum(bool(re.search(r"<[a-z/][^>]*>|&(amp|quot|nbsp);", t)) for t in texts) >= 3
    social = [r["text"] for r in rows if r["channel"] == "social"]
    assert sum(bool(re.search(r"#[^#\s]+#", t)) for t in social) >= 50  # Weibo-style #话题#
    assert sum(bool(re.search(r"(^|\s)#[a-z]+", t)) for t in social) >= 50
    assert sum("@" in t for t in social) >= 50
    assert sum("https://" in t for t in social) >= 20
    keys = Counter((r["customer_id"], r["text"], r["time"]) for r in rows)
    assert 5 <= sum(n - 1 for n in keys.values()) <= 20  # a handful of exact duplicates


def test_agent_turns_are_generic(rows):
    agent_texts = {r["text"] for r in rows if r["role"] == "agent"}
    assert 0 < len(agent_texts) <= 16


def test_planted_interests_are_well_formed(rows, planted):
    assert set(planted) == {r["customer_id"] for r in rows}
    used = set()
    for weights in planted.values():
        assert 1 <= len(weights) <= 3
        assert set(weights) <= set(INTEREST_NAMES)
        assert sum(weights.values()) == pytest.approx(1.0)
        ranked = sorted(weights.values(), reverse=True)
        assert len(ranked) == 1 or ranked[0] > ranked[1]  # a clear leading interest
        used |= set(weights)
    assert used == set(INTEREST_NAMES)


def test_planted_interests_dominate_each_customers_text(rows, planted):
    """Counting key terms in a customer's own text points at their planted interests."""
    keys = {n: [t.lower() for t in terms] for n, terms in interest_keywords().items()}
    text = defaultdict(list)
    for r in rows:
        if r["role"] != "agent":
            text[r["customer_id"]].append(r["text"].lower())
    lead_hit = on_planted = total = 0
    for cid, parts in text.items():
        joined = "\n".join(parts)
        hits = {n: sum(joined.count(t) for t in terms) for n, terms in keys.items()}
        lead = max(planted[cid], key=planted[cid].get)
        lead_hit += max(hits, key=hits.get) == lead
        on_planted += sum(hits[n] for n in planted[cid])
        total += sum(hits.values())
    assert lead_hit / len(text) >= 0.9
    assert on_planted / total >= 0.85


def test_interest_keywords_cover_both_languages():
    for name, terms in interest_keywords().items():
        assert sum(bool(HAN.search(t)) for t in terms) >= 15, name
        assert sum(not HAN.search(t) for t in terms) >= 15, name
