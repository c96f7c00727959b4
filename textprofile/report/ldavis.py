"""pyLDAvis for a fitted model, as one self-contained, deterministic HTML file.

pyLDAvis's ``save_html`` loads d3 and LDAvis from a CDN, picks a random element id and reorders
topics by size. Here the d3/LDAvis JavaScript and CSS that ship inside the installed pyLDAvis
package are inlined, the element id is fixed, ``sort_topics=False`` keeps the model's order and
``n_jobs=1`` avoids worker processes.

Topic numbering: LDAvis counts topics from 1 internally (its JavaScript treats 0 as "none"), so
LDAvis topic N is model topic N-1. Small, checked edits to the inlined LDAvis script make the
page *show* model ids and labels instead: the circle numbers, the bar-chart title and the
"Selected Topic" caption; the 1-based number box is hidden (Previous/Next/Clear still work).
Two more read a hovered term with ``textContent`` rather than ``innerHTML``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from markupsafe import Markup

from textprofile.core.errors import StateError
from textprofile.report.safe import script_json

VISID = "ldavis_textprofile"
MAX_TERMS = 3000  # the most frequent terms kept for the view; rarer ones are noise at λ≈0
R_TERMS = 30
LAMBDA_STEP = 0.05

# (original, replacement) pairs applied to ldavis.v3.0.0.js; each must match exactly once.
_JS_PATCHES = [
    (
        '.style("fontWeight", 100)\n            .text(function(d) {\n                return d.topics;',
        ('.style("fontWeight", 100)\n            .text(function(d) {\n'
        "                return String(d.topics - 1);"),
    ),
    (
        '.text("Top-" + R + " Most Relevant Terms for Topic " + topics + " (" + Freq + "% of tokens)");',
        ('.text("Topic " + (topics - 1) + ": " + (TEXTPROFILE_LABELS[topics - 1] || "")'
        ' + " (" + Freq + "% of tokens)");'),
    ),
    (
        "            circle.style.fill = color2;\n",
        ("            circle.style.fill = color2;\n"
        '            var tpLabel = document.getElementById(topicID + "-value");\n'
        '            if (tpLabel) tpLabel.textContent = (topics - 1) + " · "'
        ' + (TEXTPROFILE_LABELS[topics - 1] || "");\n'),
    ),
    (
        "            circle.style.fill = color1;\n",
        ("            circle.style.fill = color1;\n"
        '            var tpOff = document.getElementById(topicID + "-value");\n'
        '            if (tpOff) tpOff.textContent = "";\n'),
    ),
    # LDAvis reads a term back with innerHTML, so a term with "<" or "&" came back entity-escaped
    ("vis_state.term = term.innerHTML;", "vis_state.term = term.textContent;"),
    (
        "\"Conditional topic distribution given term = '\" + term.innerHTML + \"'\"",
        "\"Conditional topic distribution given term = '\" + term.textContent + \"'\"",
    ),
]


def _read_assets() -> dict[str, str]:
    """d3, the LDAvis script (patched to show model ids and labels) and its CSS."""
    from pyLDAvis import urls

    d3 = Path(urls.D3_LOCAL).read_text(encoding="utf-8")
    js = Path(urls.LDAVIS_LOCAL).read_text(encoding="utf-8")
    css = Path(urls.LDAVIS_CSS_LOCAL).read_text(encoding="utf-8")
    for old, new in _JS_PATCHES:
        if js.count(old) != 1:
            raise StateError(
                f"the installed pyLDAvis ({urls.__version__}) ships an LDAvis script this report does "
                "not recognise; install pyLDAvis 3.4.x"
            )
        js = js.replace(old, new)
    for name, text in (("d3", d3), ("ldavis", js)):
        if "</script" in text.lower() or "<!--" in text:
            raise StateError(f"the bundled {name} script cannot be inlined safely; install pyLDAvis 3.4.x")
    return {"d3": d3, "ldavis": js, "css": css}


def prepare(
    topic_word: np.ndarray,
    doc_topic: np.ndarray,
    doc_lengths: np.ndarray,
    vocab: Sequence[str],
    term_frequency: np.ndarray,
    *,
    max_terms: int = MAX_TERMS,
    R: int = R_TERMS,
    lambda_step: float = LAMBDA_STEP,
):
    """pyLDAvis ``PreparedData`` in model topic order, on the ``max_terms`` most frequent terms.

    Deterministic: PCoA (no random start), one job, ties in term frequency broken by vocab order.
    """
    import pyLDAvis

    topic_word = np.asarray(topic_word, dtype=np.float64)
    term_frequency = np.asarray(term_frequency, dtype=np.float64)
    doc_topic = np.asarray(doc_topic, dtype=np.float64)
    doc_lengths = np.asarray(doc_lengths, dtype=np.float64)
    vocab = np.asarray([str(v) for v in vocab], dtype=object)
    k, v = topic_word.shape
    if k < 2:
        raise StateError(f"pyLDAvis needs at least 2 topics, the model has {k}; refit with --topics 2 or more")

    keep = np.argsort(-term_frequency, kind="stable")[: min(max_terms, v)]
    keep.sort()
    tw = np.maximum(topic_word[:, keep], 1e-12)  # no exact zeros: LDAvis takes logs
    tw /= tw.sum(axis=1, keepdims=True)
    tf = np.maximum(term_frequency[keep], 1e-9)

    ok = doc_lengths > 0
    dtd = np.maximum(doc_topic[ok], 0.0)
    sums = dtd.sum(axis=1, keepdims=True)
    good = sums[:, 0] > 0
    dtd = dtd[good] / sums[good]
    lengths = doc_lengths[ok][good]
    if not len(dtd):
        raise StateError("no document has any in-vocabulary token; refit the model on more text")

    with np.errstate(divide="ignore", invalid="ignore"):
        return pyLDAvis.prepare(
            tw, dtd, lengths, vocab[keep], tf,
            R=min(R, len(keep)), lambda_step=lambda_step, mds="pcoa", n_jobs=1,
            sort_topics=False, start_index=1,
        )


def render_html(prepared: Any, labels: Sequence[str], *, title: str) -> str:
    """The whole ldavis.html page: inlined scripts, fixed id, labels table, UTF-8."""
    from textprofile.report.render import environment

    data = prepared.to_dict()
    coords = data["mdsDat"]
    # mdsDat keeps topic order; Freq is the share of tokens in percent
    freqs = [float(f) for f in coords["Freq"]]
    rows = [
        {"id": i, "label": str(labels[i]) if i < len(labels) else f"topic {i}",
         "share": freqs[i] / 100 if i < len(freqs) else 0.0}
        for i in range(len(freqs))
    ]
    assets = _read_assets()
    template = environment().get_template("ldavis.html.j2")
    return template.render(
        title=title,
        visid=VISID,
        topics=rows,
        vis_json=script_json(data),
        labels_json=script_json([r["label"] for r in rows]),
        # the library files are trusted package data; they were checked for "</script" above
        d3_js=Markup(assets["d3"]),
        ldavis_js=Markup(assets["ldavis"]),
        ldavis_css=Markup(assets["css"]),
    )


def write_ldavis(
    path: Path,
    topic_word: np.ndarray,
    doc_topic: np.ndarray,
    doc_lengths: np.ndarray,
    vocab: Sequence[str],
    term_frequency: np.ndarray,
    labels: Sequence[str],
    *,
    title: str,
) -> int:
    """Prepare and write ldavis.html to ``path`` (inside a folder being built); return its size."""
    prepared = prepare(topic_word, doc_topic, doc_lengths, vocab, term_frequency)
    html = render_html(prepared, labels, title=title)
    path.write_text(html, encoding="utf-8")
    return path.stat().st_size
