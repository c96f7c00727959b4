"""ldavis.html: self-contained, model topic order and ids, labels, same model ⇒ same bytes."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from report_synthetic import XSS_SCRIPT, synthetic_inputs

from textprofile.report import ldavis


@pytest.fixture(scope="module")
def model():
    s = synthetic_inputs(k=6, n_customers=30, n_comments=300)
    k = len(s["topics"])
    theta = s["doc_topics"][[f"topic_{t}" for t in range(k)]].to_numpy(copy=True)
    # one deliberately tiny topic first: pyLDAvis would move it to the end when sorting by size
    theta[:, 0] *= 0.05
    theta /= theta.sum(axis=1, keepdims=True)
    return {**s, "theta": theta, "lengths": s["doc_topics"]["n_tokens"].to_numpy(),
            "labels": [t["label"] for t in s["topics"]]}


def _html(m, tmp_path, name="x.html"):
    path = tmp_path / name
    ldavis.write_ldavis(path, m["topic_word"], m["theta"], m["lengths"], m["vocab"], m["term_frequency"],
                        m["labels"], title="synth <i>model</i>")
    return path.read_text(encoding="utf-8"), path.read_bytes()


def _vis_data(html):
    raw = re.search(r'id="ldavis_textprofile-data">(.*?)</script>', html, re.DOTALL).group(1)
    return json.loads(raw)


def test_self_contained_fixed_id_and_same_bytes(model, tmp_path):
    html, data_a = _html(model, tmp_path, "a.html")
    _, data_b = _html(model, tmp_path, "b.html")
    assert data_a == data_b
    assert not re.search(r"<(script|link)[^>]+(src|href)=", html)  # nothing loaded from anywhere
    assert "cdn.jsdelivr" not in html and "https://d3js.org/d3.v5.js" not in html
    assert 'id="ldavis_textprofile"' in html and html.count("new LDAvis(") == 1
    from pyLDAvis import urls

    with open(urls.D3_LOCAL, encoding="utf-8") as f:
        d3 = f.read()
    assert d3[:2000] in html and d3[-2000:] in html  # the packaged d3, inlined whole
    assert "var LDAvis = function" in html
    assert '<meta charset="utf-8">' in html
    assert "synth &lt;i&gt;model&lt;/i&gt;" in html


def test_topics_keep_model_order_and_ids(model, tmp_path):
    html, _ = _html(model, tmp_path)
    vis = _vis_data(html)
    k = len(model["labels"])
    assert vis["topic.order"] == list(range(1, k + 1))
    assert vis["mdsDat"]["topics"] == list(range(1, k + 1))
    expected = (model["theta"] * model["lengths"][:, None]).sum(axis=0)
    expected = 100 * expected / expected.sum()
    assert np.allclose(vis["mdsDat"]["Freq"], expected)
    assert vis["mdsDat"]["Freq"][0] == min(vis["mdsDat"]["Freq"])  # the tiny topic is still topic 0
    # the page shows model ids (LDAvis number - 1) and labels
    assert "return String(d.topics - 1);" in html
    assert "term.innerHTML" not in html  # terms are read back as text
    assert '"Topic " + (topics - 1) + ": " + (TEXTPROFILE_LABELS[topics - 1]' in html
    labels = json.loads(re.search(r'id="ldavis_textprofile-labels">(.*?)</script>', html, re.DOTALL).group(1))
    assert labels == model["labels"]
    for i in range(k):
        assert f"<tr><td>{i}</td>" in html


def test_untrusted_labels_and_terms_are_escaped(model, tmp_path):
    vocab = list(model["vocab"])
    vocab[int(np.argmax(model["term_frequency"]))] = "</script><b>"  # the most frequent term: shown
    html, _ = _html({**model, "vocab": vocab}, tmp_path)
    assert XSS_SCRIPT not in html and "</script><b>" not in html
    assert "&lt;script&gt;document.title=" in html  # the label in the topics table, as text
    assert "</script><b>" in _vis_data(html)["tinfo"]["Term"]  # intact once parsed


def test_rare_terms_are_capped():
    rng = np.random.default_rng(0)
    k, v = 4, 400
    tw = rng.dirichlet(np.full(v, 0.1), size=k)
    theta = rng.dirichlet(np.ones(k), size=50)
    tf = np.arange(v, 0, -1).astype(float)
    vocab = [f"w{i}" for i in range(v)]
    prepared = ldavis.prepare(tw, theta, np.full(50, 10), vocab, tf, max_terms=100)
    terms = set(prepared.topic_info["Term"])
    assert terms <= {f"w{i}" for i in range(100)}  # only the 100 most frequent terms


def test_one_topic_is_a_clear_error():
    from textprofile.core.errors import StateError

    with pytest.raises(StateError, match="at least 2 topics"):
        ldavis.prepare(np.ones((1, 3)) / 3, np.ones((2, 1)), np.array([1, 2]), ["a", "b", "c"], np.ones(3))
