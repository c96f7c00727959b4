"""Synthetic report inputs, written by the tests themselves: K topics, customers, planted XSS.

Tables follow docs/internals.md (comments.parquet, doc_topics.parquet, topics.json, the profile
store tables and ``ProfileStore.get`` cards), so the real report code runs on them unchanged.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

XSS_SCRIPT = "<script>document.title='PWNED-script';window.__pwned=1</script>"
XSS_IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
XSS_LINK = "<a id=\"evil-link\" href=\"javascript:document.title='PWNED-link'\">click me</a>"
XSS_TEXTAREA = "</textarea><script>document.title='PWNED-textarea'</script>"
XSS_CLOSE_SCRIPT = "</script><script>document.title='PWNED-json'</script>"
PAYLOADS = [XSS_SCRIPT, XSS_IMG, XSS_LINK, XSS_TEXTAREA, XSS_CLOSE_SCRIPT]
EVIL_CUSTOMER = "<img src=x onerror=alert(1)>/../客户"

EN = ["guitar", "string", "tuner", "pedal", "amp", "cable", "sound", "tone", "strap", "pick", "capo", "bass", "drum", "stick", "mic", "stand", "battery", "price", "delivery", "box", "quality", "cheap", "broken", "return", "refund", "size", "color", "smell", "skin", "cream", "hair", "shampoo", "soap", "lotion", "scent", "bottle", "song", "album", "track", "vocal", "lyric", "beat", "band", "music"]
ZH = ["音质", "物流", "快递", "包装", "价格", "质量", "客服", "退货", "颜色", "尺寸", "味道", "皮肤", "头发", "香味", "服务", "速度"]


def synthetic_inputs(k: int = 6, n_customers: int = 40, n_comments: int = 400, seed: int = 0,
                     days: int = 400, plant: bool = True) -> dict:
    """Comments, doc_topics, topics, interests, customers, segments, cards and model arrays."""
    rng = np.random.default_rng(seed)
    vocab = EN + ZH
    v = len(vocab)
    topic_word = rng.dirichlet(np.full(v, 0.08), size=k)
    cum_word = np.cumsum(topic_word, axis=1)
    customers = [f"C{i:04d}" for i in range(n_customers)]
    if plant:
        customers[1] = EVIL_CUSTOMER
        customers[2] = "javascript:alert(1)"
        customers[3] = "00123"
    cust_pref = rng.dirichlet(np.full(k, 0.3), size=n_customers)
    channels = np.array(["review", "chat", "social"])
    start = pd.Timestamp("2024-01-01", tz="UTC")
    rows = []
    doc_theta = np.zeros((n_comments, k))
    n_tokens = np.zeros(n_comments, dtype=np.int64)
    for j in range(n_comments):
        c = int(rng.integers(n_customers))
        theta = rng.dirichlet(cust_pref[c] * 3 + 0.05)
        n_tok = int(rng.integers(3, 25))
        topics = np.minimum(np.searchsorted(np.cumsum(theta), rng.random(n_tok)), k - 1)
        picks = [np.searchsorted(cum_word[t], r) for t, r in zip(topics, rng.random(n_tok))]
        words = [vocab[min(int(i), v - 1)] for i in picks]
        text = " ".join(words)
        counts = np.bincount(topics, minlength=k) + 0.1
        doc_theta[j] = counts / counts.sum()
        if plant and j < len(PAYLOADS):
            # short and almost all one topic: each payload is that topic's top example
            text = f"{' '.join(words[:4])} {PAYLOADS[j]} {' '.join(words[:4])}"
            doc_theta[j] = np.full(k, 0.01 / k)
            doc_theta[j, j % k] += 0.99
        n_tokens[j] = n_tok
        rows.append({
            "comment_id": f"{j:016x}",
            "customer_id": customers[c],
            "text": text,
            "time": start + pd.Timedelta(days=int(rng.integers(days))),
            "channel": str(channels[int(rng.integers(3))]),
            "role": None,
            "is_customer": True,
            "rating": float(rng.integers(1, 6)) if j % 3 else None,
            "lang": "en" if j % 4 else "mixed",
        })
    comments = pd.DataFrame(rows)
    doc_topics = pd.DataFrame({"comment_id": comments["comment_id"], "n_tokens": n_tokens,
                               **{f"topic_{t}": doc_theta[:, t].astype(np.float32) for t in range(k)}})
    term_frequency = np.maximum(1, (topic_word.T @ np.full(k, n_comments * 12 / k))).round()
    topics_json = []
    for t in range(k):
        top = np.argsort(-topic_word[t], kind="stable")[:30]
        label = " / ".join(vocab[i] for i in top[:3])
        if plant and t == 1:
            label = XSS_SCRIPT
        topics_json.append({"id": t, "label": label, "auto_label": label,
                            "terms": [[vocab[i], float(topic_word[t, i])] for i in top],
                            "share": float(1 / k)})
    pref = pd.DataFrame(cust_pref, index=customers)
    interests = pref.stack().rename("share").reset_index()
    interests.columns = ["customer_id", "topic_id", "share"]
    interests["rank"] = interests.groupby("customer_id")["share"].rank(ascending=False, method="first").astype(int)
    n_seg = 3
    seg_of = {c: f"{i % n_seg}" for i, c in enumerate(customers)}
    n_by_customer = comments["customer_id"].value_counts()
    cust_table = pd.DataFrame({"customer_id": customers, "segment": [seg_of[c] for c in customers],
                               "n_comments": [int(n_by_customer.get(c, 0)) for c in customers]})
    segments = pd.DataFrame({
        "segment_id": [str(s) for s in range(n_seg)],
        "size": [sum(1 for c in customers if seg_of[c] == str(s)) for s in range(n_seg)],
        "description": [f"segment {s} <b>desc</b>" for s in range(n_seg)],
        "top_topics": [json.dumps([{"topic_id": s % k, "share": 0.4}, {"topic_id": (s + 1) % k, "share": 0.2}])
                       for s in range(n_seg)],
        "behaviour": [json.dumps({"median_comments": 10.5 + s, "mean_rating": 3.2, "mean_amount": None})
                      for s in range(n_seg)],
    })
    cards = {}
    for ci, c in enumerate(customers):
        order = np.argsort(-cust_pref[ci], kind="stable")[:5]
        cards[c] = {
            "customer_id": c,
            "behaviour": {"n_comments": int(n_by_customer.get(c, 0)),
                          "avg_rating": 3.5, "first_seen": "2024-01-02"},
            "interests": [{"topic_id": int(t), "label": topics_json[int(t)]["label"],
                           "share": float(cust_pref[ci, t])} for t in order],
            "keywords": [{"term": w, "score": 0.5} for w in (["<script>kw</script>", "音质"] if plant else ["kw"])],
            "segment": seg_of[c],
        }
    return {
        "comments": comments, "doc_topics": doc_topics, "topics": topics_json,
        "interests": interests, "customers": cust_table, "segments": segments, "cards": cards,
        "topic_word": topic_word, "vocab": vocab, "term_frequency": term_frequency,
        "counts": {"read": n_comments + 7, "kept": n_comments, "duplicates": 2, "quarantined": 5},
    }
