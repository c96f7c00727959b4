"""Turn report data into pages: Jinja2 with autoescape on, charts as escaped SVG, atomic folder.

User data is never marked safe: it reaches the page through autoescape, ``Markup.format`` (which
escapes its arguments) or ``safe.highlight`` (which escapes each piece before adding ``<mark>``).
"""

from __future__ import annotations

import importlib.resources
import math
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import charts
from .safe import customer_filename, highlight, highlight_pattern, script_json

MIN_SHARE_SHOWN = 0.01  # the same threshold as `profile show`


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
    return env


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
    from .. import __version__

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
            max_cell_w=90),
        "time": Markup(""),
        "segments": Markup(""),
    }
    if data.get("time"):
        matrix, counts = data["time"]["matrix"], data["time"]["counts"]
        by_topic = [[row[t] if n else None for row, n in zip(matrix, counts)] for t in range(len(topics))]
        out["time"] = charts.heatmap(
            names, data["time"]["periods"], by_topic,
            title=f"Topic share per {data['time']['freq']}",
            tip_rows=[f"topic {t['id']}" for t in topics])
    if data.get("segments"):
        segs = data["segments"]
        out["segments"] = charts.heatmap(
            [f"segment {s['id']} ({s['size']})" for s in segs], names,
            [s["interest_profile"] for s in segs],
            title="Segments × topics: mean interest share", max_cell_w=40, col_label_every=1)
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
    segments = [
        {**seg, "behaviour": [{"name": b["name"].replace("_", " "), "value": behaviour_value(b["name"], b["value"])}
                              for b in seg["behaviour"] if b["value"] is not None and b["value"] != ""]}
        for seg in data.get("segments") or []
    ]
    view = {**data, "topics": topics, "segments": segments}
    summary = {
        "name": data["name"],
        "overview": {k: v for k, v in data["overview"].items() if k != "model"},
        "topics": [{"id": t["id"], "label": t["label"], "comment_share": round(t["comment_share"], 6),
                    "customer_share": round(t["customer_share"], 6)} for t in data["topics"]],
    }
    return (env or environment()).get_template("index.html.j2").render(
        data=view, charts=index_charts(data), summary_json=script_json(summary),
        css=_css(), version=_version(), lang="en",
    )


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
    return str(value)


def card_view(card: Mapping[str, Any], labels: Mapping[int, str]) -> dict[str, Any]:
    """A ``ProfileStore.get`` card normalised for the template, filtered as ``profile show`` does.

    Interests under 1% are left out and empty behaviour values skipped, like the terminal card.
    """
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
                          "label": str(label or labels.get(tid, f"topic {tid}"))})
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
    known = {"customer_id", "interests", "keywords", "behaviour", "segment", "model"}
    extra = [{"name": k, "value": card[k]} for k in sorted(card) if k not in known
             and isinstance(card[k], (str, int, float, bool, type(None)))]
    return {
        "customer_id": str(card.get("customer_id")),
        "interests": interests,
        "keywords": keywords,
        "behaviour": [
            {"name": str(k).replace("_", " "), "value": behaviour_value(str(k), v)}
            for k, v in behaviour.items() if v is not None and v != ""
        ] if isinstance(behaviour, Mapping) else [],
        "model": str(card.get("model") or ""),
        "segment": segment,
        "extra": extra,
    }


def render_customer(card: Mapping[str, Any], *, name: str, labels: Mapping[int, str], env=None,
                    css: Markup | None = None) -> str:
    """customers/<file>.html: the same card ``profile show`` prints."""
    view = card_view(card, labels)
    chart = charts.bar_chart(
        [(f"{i['topic_id']} · {i['label']}", i["share"], f"{i['share']:.1%}") for i in view["interests"]],
        title="Interest shares", width=640, label_width=240)
    return (env or environment()).get_template("customer.html.j2").render(
        card=view, interests=view["interests"], keywords=view["keywords"],
        behaviour=view["behaviour"], segment=view["segment"], extra=view["extra"],
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
    from ..artifacts import atomic_dir

    labels = {int(t["id"]): str(t["label"]) for t in data["topics"]}
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
            page = render_customer(card, name=data["name"], labels=labels, env=env, css=css).encode("utf-8")
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
