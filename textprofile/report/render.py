"""Turn report data into pages: Jinja2 with autoescape on, charts as escaped SVG, atomic folder.

User data is never marked safe: it reaches the page through autoescape, ``Markup.format`` (which
escapes its arguments) or ``safe.highlight`` (which escapes each piece before adding ``<mark>``).
"""

from __future__ import annotations

import importlib.resources
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from textprofile.report import charts
from textprofile.report.safe import customer_filename, highlight, highlight_pattern, script_json

MIN_SHARE_SHOWN = 0.01  # the same threshold as `profile show`

# Human names for the store's behaviour columns (cards) and segment summaries.
BEHAVIOUR_LABELS = {
    "n_comments": "Comments",
    "n_chars": "Characters written",
    "first_seen": "First comment",
    "last_seen": "Last comment",
    "recency_days": "Days since last comment",
    "active_days": "Days with a comment",
    "comments_per_30d": "Comments per 30 days",
    "share_review": "Reviews share",
    "share_chat": "Chats share",
    "share_social": "Social share",
    "languages": "Languages",
    "rating_mean": "Mean rating",
    "rating_min": "Lowest rating",
    "share_low_rating": "Low ratings (≤ 2) share",
    "amount_total": "Total amount",
    "amount_mean": "Mean amount",
    # segment summaries
    "mean_amount": "Mean amount",
    "mean_comments_per_30d": "Comments per 30 days (mean)",
    "mean_rating": "Mean rating",
    "median_comments": "Comments (median)",
    "median_recency_days": "Days since last comment (median)",
}
_TIMESTAMP_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}(?:\.\d+)?Z$")


def environment():
    """A Jinja2 environment over the packaged templates, autoescaping every .html.j2 template."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("textprofile.report", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["num"] = num
    return env


def num(value: Any) -> str:
    """A count with thousands separators (3,703); None as a dash."""
    if value is None:
        return "—"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}"
    return str(value)


def behaviour_label(key: str) -> str:
    """The human name of a behaviour column or segment summary key."""
    key = str(key)
    if key in BEHAVIOUR_LABELS:
        return BEHAVIOUR_LABELS[key]
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def shown_behaviour(key: str, value: Any, channels: Iterable[str] | None) -> bool:
    """Whether a behaviour row carries data for this corpus.

    Empty values are skipped (as in ``profile show``); a channel share is skipped when the corpus
    has no comments from that channel, or only one channel (every share would be 100%).
    ``channels``: the corpus's channels; None = unknown, show all.
    """
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return False
    key = str(key)
    if channels is not None and key.startswith("share_") and key[6:] in ("review", "chat", "social"):
        present = set(channels)
        return len(present) > 1 and key[6:] in present
    return True


def fmt(value: Any) -> str:
    """Numbers short and stable (2 decimals at most); everything else as text."""
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:.0f}" if value.is_integer() else f"{value:.2f}"
    return str(value)


def _css() -> Markup:
    # trusted package data, not user input
    return Markup(importlib.resources.files("textprofile.report").joinpath("static/report.css")
                  .read_text(encoding="utf-8"))


def _version() -> str:
    from textprofile import __version__

    return __version__


def index_charts(data: Mapping[str, Any]) -> dict[str, Markup]:
    """The index page's SVG charts."""
    topics = data["topics"]
    names = [f"{t['id']} · {t['label']}" for t in topics]
    out = {
        "sizes": charts.bar_chart(
            [(name, t["comment_share"], f"{name}: {t['n_comments']} comments")
             for name, t in zip(names, topics)],
            title="Topic sizes: share of comments"),
        "channels": charts.heatmap(
            names, data["channels"], data["channel_matrix"], title="Topic × channel",
            max_cell_w=90, fmt="{:.0%}"),
        "time": Markup(""),
        "segments": Markup(""),
    }
    if data.get("time"):
        matrix, counts = data["time"]["matrix"], data["time"]["counts"]
        by_topic = [[row[t] if n else None for row, n in zip(matrix, counts)] for t in range(len(topics))]
        out["time"] = charts.heatmap(
            names, data["time"]["periods"], by_topic,
            title=f"Topic share per {data['time']['freq']}", fmt="{:.0%}",
            tip_rows=[f"topic {t['id']}" for t in topics])
    if data.get("segments"):
        segs = data["segments"]
        out["segments"] = charts.heatmap(
            [f"segment {s['id']} ({s['size']})" for s in segs], names,
            [s["interest_profile"] for s in segs],
            title="Segments × topics: mean interest share", max_cell_w=60, col_label_every=1,
            fmt="{:.0%}")
    return out


def render_index(data: Mapping[str, Any], env=None) -> str:
    """index.html for ``build_report_data``'s output."""
    topics = []
    time_data = data.get("time")
    for t in data["topics"]:
        pattern = highlight_pattern(t.get("highlight_terms") or t["terms"])
        examples = [{**e, "html": highlight(e["text"], pattern)} for e in t["examples"]]
        spark = charts.sparkline(t["trend"], title=f"topic {t['id']} share per {time_data['freq']}") \
            if time_data and t.get("trend") else Markup("")
        topics.append({**t, "examples": examples, "spark": spark})
    channels = corpus_channels(data)
    segments = [
        {**seg, "behaviour": [{"name": behaviour_label(b["name"]), "value": behaviour_value(b["name"], b["value"])}
                              for b in seg["behaviour"] if shown_behaviour(b["name"], b["value"], channels)]}
        for seg in data.get("segments") or []
    ]
    view = {**data, "topics": topics, "segments": segments}
    summary = {
        "name": data["name"],
        "overview": {k: v for k, v in data["overview"].items() if k != "model"},
        "topics": [{"id": t["id"], "label": t["label"], "comment_share": round(t["comment_share"], 6),
                    "customer_share": round(t["customer_share"], 6)} for t in data["topics"]],
    }
    from textprofile.report.scores import score_views

    return (env or environment()).get_template("index.html.j2").render(
        data=view, charts=index_charts(data), summary_json=script_json(summary),
        scores=score_views(data.get("scores") or []),
        css=_css(), version=_version(), lang="en",
    )


def corpus_channels(data: Mapping[str, Any]) -> list[str]:
    """The channels the corpus's customer comments come from (none recorded: empty)."""
    return [c for c in data.get("channels") or [] if c != "(none)"]


def behaviour_value(key: str, value: Any) -> str:
    """A behaviour value as ``profile show`` prints it: shares in %, thousands separators."""
    if isinstance(value, float) and not isinstance(value, bool):
        if math.isnan(value):
            return "—"
        if key.startswith("share_"):
            return f"{value:.0%}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, str):
        m = _TIMESTAMP_RE.match(value)
        if m:
            return f"{m.group(1)} {m.group(2)} UTC"
        if key == "languages":
            return ", ".join(part for part in value.split(",") if part)
    return str(value)


def card_view(card: Mapping[str, Any], labels: Mapping[int, str],
              channels: Iterable[str] | None = None) -> dict[str, Any]:
    """A ``ProfileStore.get`` card normalised for the template, filtered as ``profile show`` does.

    Interests under 1% are left out and empty behaviour values skipped, like the terminal card.
    Topic labels are the model's current ones (``labels``; the store keeps the labels of build
    time, so a ``topics rename`` since then would otherwise not show). ``channels``: the corpus's
    channels; shares of channels the corpus lacks are hidden.
    """
    channels = None if channels is None else sorted(set(channels))
    interests = []
    for item in card.get("interests") or []:
        if isinstance(item, Mapping):
            tid, share, label = item.get("topic_id"), item.get("share"), item.get("label")
        else:
            tid, share, label = item[0], item[1], None
        tid = int(tid)
        if float(share or 0.0) < MIN_SHARE_SHOWN:
            continue
        interests.append({"topic_id": tid, "share": float(share or 0.0),
                          "label": str(labels.get(tid) or label or f"topic {tid}")})
    keywords = []
    for item in card.get("keywords") or []:
        if isinstance(item, Mapping):
            keywords.append({"term": str(item.get("term")), "score": item.get("score")})
        elif isinstance(item, (list, tuple)):
            keywords.append({"term": str(item[0]), "score": item[1] if len(item) > 1 else None})
        else:
            keywords.append({"term": str(item), "score": None})
    behaviour = card.get("behaviour") or {}
    segment = card.get("segment")
    if segment is not None and not isinstance(segment, Mapping):
        segment = {"id": segment, "description": ""}
    elif isinstance(segment, Mapping):
        segment = {"id": segment.get("segment_id", segment.get("id")),
                   "description": segment.get("description", "")}
    known = {"customer_id", "interests", "keywords", "behaviour", "segment", "model", "scores"}
    extra = [{"name": k, "value": card[k]} for k in sorted(card) if k not in known
             and isinstance(card[k], (str, int, float, bool, type(None)))]
    return {
        "customer_id": str(card.get("customer_id")),
        "interests": interests,
        "keywords": keywords,
        "behaviour": [
            {"name": behaviour_label(k), "value": behaviour_value(str(k), v)}
            for k, v in behaviour.items() if shown_behaviour(k, v, channels)
        ] if isinstance(behaviour, Mapping) else [],
        "model": str(card.get("model") or ""),
        "segment": segment,
        "extra": extra,
        "scores": [s for s in card.get("scores") or [] if isinstance(s, Mapping)],
    }


def render_customer(card: Mapping[str, Any], *, name: str, labels: Mapping[int, str], env=None,
                    css: Markup | None = None, channels: Iterable[str] | None = None) -> str:
    """customers/<file>.html: the same card ``profile show`` prints, with the model's topic labels."""
    view = card_view(card, labels, channels)
    chart = charts.bar_chart(
        [(f"{i['topic_id']} · {i['label']}", i["share"], f"{i['share']:.1%}") for i in view["interests"]],
        title="Interest shares", width=640, label_width=240)
    return (env or environment()).get_template("customer.html.j2").render(
        card=view, interests=view["interests"], keywords=view["keywords"],
        behaviour=view["behaviour"], segment=view["segment"], extra=view["extra"], scores=view["scores"],
        interests_chart=chart, name=name, css=css if css is not None else _css(), version=_version(), lang="en",
    )


def write_report_folder(
    target: Path,
    data: Mapping[str, Any],
    cards: Iterable[Mapping[str, Any]],
    write_ldavis: Callable[[Path], int] | None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> dict[str, Any]:
    """Build index.html, ldavis.html and customers/*.html beside ``target``, then swap it in.

    cards: ``ProfileStore.get`` dicts for the customers to write (an iterable, so it can stream).
    write_ldavis: writes ldavis.html to the given path and returns its size (None skips it).
    """
    from textprofile.core.artifacts import atomic_dir

    labels = {int(t["id"]): str(t["label"]) for t in data["topics"]}
    channels = corpus_channels(data)
    env = environment()
    css = _css()
    timings: dict[str, float] = {}
    with atomic_dir(target) as tmp:
        t0 = time.perf_counter()
        (tmp / "index.html").write_text(render_index(data, env), encoding="utf-8")
        timings["index"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        ldavis_bytes = write_ldavis(tmp / "ldavis.html") if write_ldavis else None
        timings["ldavis"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        folder = tmp / "customers"
        folder.mkdir()
        n = size = 0
        for card in cards:
            page = render_customer(card, name=data["name"], labels=labels, env=env, css=css,
                                   channels=channels).encode("utf-8")
            (folder / customer_filename(str(card["customer_id"]))).write_bytes(page)
            n += 1
            size += len(page)
            if progress and n % 200 == 0:
                progress("report: customer cards", n, None)
        timings["customers"] = time.perf_counter() - t0
        index_bytes = (tmp / "index.html").stat().st_size
    return {
        "path": str(target),
        "index_html": str(target / "index.html"),
        "ldavis_html": str(target / "ldavis.html") if write_ldavis else None,
        "customers_dir": str(target / "customers"),
        "bytes": {"index_html": index_bytes, "ldavis_html": ldavis_bytes, "customers": size},
        "customers": n,
        "seconds_by_part": {k: round(v, 3) for k, v in timings.items()},
    }
