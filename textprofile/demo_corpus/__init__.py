"""Deterministic generator of the bundled demo corpus (``corpora/demo/``).

A made-up but realistic customer-comment export: product reviews, customer-service chat
threads (customer and agent turns) and social posts in Chinese, English and mixed text, from
customers who each have 1-3 planted interests. Tests use the planted interests to check that
topics and profiles recover them. Same seed ⇒ byte-identical files.

Run ``python -m textprofile.demo_corpus [--out DIR] [--seed N]``.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from textprofile.demo_corpus import vocab as V
from textprofile.demo_corpus.render import Renderer

COLUMNS = ("customer_id", "text", "time", "channel", "role", "thread_id", "rating", "amount", "product")
PLANTED_COLUMNS = ("customer_id", "interest", "weight")
START = datetime(2025, 1, 1)
END = datetime(2025, 9, 30, 23, 59, 59)
DEFAULT_SEED = 0
DEFAULT_CUSTOMERS = 500
COMMENTS_FILE = "export/comments.csv"
PLANTED_FILE = "planted_interests.csv"

# Busier in the evening, quiet at night.
_HOUR_WEIGHTS = [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2, 2.5, 3, 3, 3.5, 3, 2.5, 2.5, 2.5, 3,
                 3.5, 4.5, 5, 5, 4, 2]
_LANG_BY_PREF = {  # customer's language preference -> (zh, en, mixed) probabilities per comment
    "zh": (0.50, 0.02, 0.48),
    "en": (0.02, 0.60, 0.38),
    "bi": (0.15, 0.15, 0.70),
}
_RATING_WEIGHTS = {  # complaint-prone interests get lower ratings
    "default": (0.07, 0.08, 0.15, 0.30, 0.40),
    "complaint": (0.25, 0.20, 0.20, 0.20, 0.15),
}
_COMPLAINT = {"delivery", "refunds", "service"}


@dataclass(frozen=True)
class DemoCorpus:
    """The generated rows (dicts keyed by COLUMNS, values as strings) and planted interests."""

    rows: list[dict[str, str]]
    planted: list[tuple[str, str, float]]  # (customer_id, interest, weight)


def _weights(rng: random.Random, k: int) -> list[float]:
    """Planted weights in steps of 0.05 summing to 1, with a clear leader."""
    if k == 1:
        return [1.0]
    if k == 2:
        first = rng.choice([0.6, 0.65, 0.7, 0.75, 0.8])
        return [first, round(1 - first, 2)]
    first = rng.choice([0.5, 0.55, 0.6])
    second = rng.choice([0.25, 0.3])
    return [first, second, round(1 - first - second, 2)]


def _apportion(n: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of n events by weight, at least one event each."""
    raw = [n * w for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    for i, c in enumerate(counts):
        if c == 0:
            counts[i] = 1
            counts[counts.index(max(counts))] -= 1
    return counts


def _pick_interests(rng: random.Random, k: int, load: dict[str, float]) -> list[str]:
    """The leading interest is the one with least text so far, the others are random.

    Keeping the interests about equally large matters: LDA splits a large theme and merges two
    small ones, which would blur the recovery the tests rely on.
    """
    names = list(V.INTEREST_NAMES)
    rng.shuffle(names)
    lead = min(names, key=lambda n: load[n])
    return [lead, *rng.sample([n for n in names if n != lead], k - 1)]


def _random_time(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    day = lo.date() + timedelta(days=rng.randrange((hi.date() - lo.date()).days + 1))
    hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60))


def _fmt_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def build_demo_corpus(seed: int = DEFAULT_SEED, n_customers: int = DEFAULT_CUSTOMERS) -> DemoCorpus:
    """Generate the demo rows and planted interests in memory (no I/O, no global random)."""
    rng = random.Random(seed)
    render = Renderer(rng)
    ids = sorted(rng.sample(range(1, 100000), n_customers))
    by_name = {i.name: i for i in V.INTERESTS}
    events: list[tuple[datetime, int, dict[str, str]]] = []  # (time, seq, row) for a stable sort
    planted: list[tuple[str, str, float]] = []
    thread_no = 0
    load = dict.fromkeys(V.INTEREST_NAMES, 0.0)  # planted comments so far, per interest

    def add(t: datetime, row: dict[str, str]) -> None:
        row = {c: row.get(c, "") for c in COLUMNS}
        row["time"] = _fmt_time(t)
        events.append((t, len(events), row))

    for num in ids:
        cid = f"C{num:05d}"
        k = rng.choices([1, 2, 3], weights=[0.3, 0.45, 0.25])[0]
        n_events = max(k + 1, 2 + min(int(rng.expovariate(1 / 5.0)), 20))
        names = _pick_interests(rng, k, load)
        weights = _weights(rng, k)
        for name, w in zip(names, weights):
            load[name] += w * n_events
        planted.extend((cid, n, w) for n, w in zip(names, weights))
        pref = rng.choices(["zh", "en", "bi"], weights=[0.5, 0.3, 0.2])[0]
        topics = [n for n, c in zip(names, _apportion(n_events, weights)) for _ in range(c)]
        rng.shuffle(topics)
        first = START + timedelta(days=rng.randrange(200))
        last = min(END, first + timedelta(days=rng.randrange(60, 270)))
        for name in topics:
            interest = by_name[name]
            others = [by_name[n] for n in names if n != name]
            lang = rng.choices(["zh", "en", "mixed"], weights=_LANG_BY_PREF[pref])[0]
            channel = rng.choices(["review", "chat", "social"], weights=[0.56, 0.16, 0.28])[0]
            t = _random_time(rng, first, last)
            product, lo, hi = render.product(interest)
            if channel == "review":
                kind = "complaint" if name in _COMPLAINT else "default"
                rating = rng.choices([1, 2, 3, 4, 5], weights=_RATING_WEIGHTS[kind])[0]
                positive = rating >= 4 or (rating == 3 and rng.random() < 0.5)
                text = render.review(interest, others, lang, positive, product)
                amount = f"{render.amount(lo, hi):.2f}" if rng.random() < 0.85 else ""
                add(t, {"customer_id": cid, "text": text, "channel": "review", "rating": str(rating),
                         "amount": amount, "product": product})
            elif channel == "social":
                positive = rng.random() < 0.5
                text = render.social(interest, others, lang, positive, product)
                add(t, {"customer_id": cid, "text": text, "channel": "social",
                         "product": product if rng.random() < 0.4 else ""})
            else:
                thread_no += 1
                tid = f"T{thread_no:05d}"
                amount = f"{render.amount(lo, hi):.2f}" if rng.random() < 0.3 else ""
                for i, (role, text) in enumerate(render.chat(interest, lang)):
                    t += timedelta(seconds=rng.randrange(20, 420))
                    add(t, {"customer_id": cid, "text": text, "channel": "chat", "role": role,
                             "thread_id": tid, "amount": amount if i == 0 else "",
                             "product": product})

    events.sort(key=lambda e: (e[0], e[1]))
    rows = [row for _, _, row in events]
    _add_mess(rng, rows)
    planted.sort(key=lambda p: (p[0], -p[2], p[1]))
    return DemoCorpus(rows=rows, planted=planted)


def _add_mess(rng: random.Random, rows: list[dict[str, str]]) -> None:
    """Put in what real exports contain: PII, HTML remnants and exact duplicate rows."""
    own = [i for i, r in enumerate(rows) if r["role"] != "agent"]
    picks = rng.sample(own, 40)
    for i in picks[:12]:  # mainland mobile numbers
        phone = f"1{rng.choice('3589')}{rng.randrange(10)}{rng.randrange(10**8):08d}"
        zh = any("\u4e00" <= ch <= "\u9fff" for ch in rows[i]["text"])
        rows[i]["text"] += (f"，有问题打我电话{phone}" if zh else f" Call me on {phone}")
    for i in picks[12:22]:  # e-mail addresses
        user = rng.choice(["lily.w", "zhang.san88", "mike_r", "xiaoyu2025", "jenny.k", "wang_lei"])
        rows[i]["text"] += f" email: {user}{rng.randrange(100)}@example.com"
    html = [("，", "<br/>"), ("，", "&nbsp;<br>"), (" and ", " &amp; "), ("。", "。<b>真心推荐</b>")]
    for (old, new), i in zip(html, picks[22:26]):
        text = rows[i]["text"]
        rows[i]["text"] = text.replace(old, new, 1) if old in text else f"<p>{text}</p>"
    rows[picks[26]]["text"] = f"&quot;{rows[picks[26]]['text']}&quot;"
    # exact duplicates (same customer, text, time): a double-submitted form or a re-export
    reviews = [i for i in own if rows[i]["channel"] == "review" and i not in picks]
    for i in sorted(rng.sample(reviews, 8), reverse=True):
        rows.insert(i + 1, dict(rows[i]))


def _csv_bytes(header: tuple[str, ...], records) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(records)
    return buf.getvalue().encode("utf-8")


def comments_csv_bytes(corpus: DemoCorpus) -> bytes:
    return _csv_bytes(COLUMNS, ([r[c] for c in COLUMNS] for r in corpus.rows))


def planted_csv_bytes(corpus: DemoCorpus) -> bytes:
    return _csv_bytes(PLANTED_COLUMNS, ((c, n, f"{w:.2f}") for c, n, w in corpus.planted))


def generate_demo_corpus(
    out_dir: str | Path = "corpora/demo", seed: int = DEFAULT_SEED, n_customers: int = DEFAULT_CUSTOMERS
) -> dict[str, Path]:
    """Write ``export/comments.csv`` and ``planted_interests.csv`` under ``out_dir`` atomically.

    Returns the paths written, keyed ``comments`` and ``planted``.
    """
    from textprofile.core.artifacts import atomic_path

    corpus = build_demo_corpus(seed=seed, n_customers=n_customers)
    out = Path(out_dir)
    paths = {"comments": out / COMMENTS_FILE, "planted": out / PLANTED_FILE}
    for key, data in (("comments", comments_csv_bytes(corpus)), ("planted", planted_csv_bytes(corpus))):
        with atomic_path(paths[key]) as tmp:
            tmp.write_bytes(data)
            tmp.chmod(0o644)  # plain readable data files, not mkstemp's private 0600
    return paths


def interest_keywords() -> dict[str, list[str]]:
    """Each planted interest's key terms (Chinese then English), to map topics to interests."""
    return {i.name: [*i.zh_terms, *i.en_terms] for i in V.INTERESTS}


INTEREST_NAMES = V.INTEREST_NAMES
