"""The report's "What predicts <score>" sections: drivers chart, calibration plot, figures.

Input: the saved summaries of ``score train`` (plain dicts). Every label reaches the page through
``Markup.format`` or autoescape, never marked safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from textprofile.report import charts


def calibration_plot(bins: Sequence[Mapping[str, Any]], *, size: int = 280, title: str = "") -> Markup:
    """Observed share of positives against mean predicted probability, per equal-count group."""
    pad = 34
    span = size - 2 * pad
    top = max([0.05] + [float(b["predicted"]) for b in bins] + [float(b["observed"]) for b in bins])
    top = min(1.0, top * 1.1)

    def xy(p: float, o: float) -> tuple[str, str]:
        return f"{pad + span * p / top:.1f}", f"{size - pad - span * o / top:.1f}"

    parts = [Markup('<svg class="chart calibration" xmlns="http://www.w3.org/2000/svg" role="img" width="{s}" '
                    'height="{s}" viewBox="0 0 {s} {s}" font-family="{f}" font-size="11"><title>{t}</title>'
                    '<rect x="{p}" y="{p}" width="{w}" height="{w}" fill="none" stroke="#ccc"/>'
                    '<line x1="{p}" y1="{b}" x2="{e}" y2="{p}" stroke="#bbb" stroke-dasharray="4 3"/>'
                    '<text x="{c}" y="{lx}" text-anchor="middle">predicted probability (0–{m})</text>'
                    '<text x="12" y="{c}" transform="rotate(-90 12 {c})" text-anchor="middle">observed share</text>'
                    ).format(s=size, f=charts.FONT, t=title, p=pad, w=span, b=size - pad, e=size - pad,
                             c=size // 2, lx=size - 8, m=f"{top:.0%}")]
    for b in bins:
        x, y = xy(float(b["predicted"]), float(b["observed"]))
        parts.append(Markup('<circle cx="{x}" cy="{y}" r="4" fill="{c}"><title>predicted {p:.1%}, observed {o:.1%} '
                            '({n} customers)</title></circle>').format(
            x=x, y=y, c=charts.BAR_COLOR, p=float(b["predicted"]), o=float(b["observed"]), n=int(b["n"])))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def score_views(summaries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One view per saved score: figures rows, drivers chart and calibration plot."""
    out = []
    for s in summaries:
        drivers = [*s["drivers"].get("up", []), *s["drivers"].get("down", [])]
        if drivers and "odds_ratio" in drivers[0]:
            items = [(d["feature"], abs(d["coef"]),
                      f"{d['feature']}: odds ratio {d['odds_ratio']:.2f} per SD [{d['low']:.2f}, {d['high']:.2f}]")
                     for d in drivers]
            note = "Size of the effect: |log odds ratio| per standard deviation; ↑ raises the score, ↓ lowers it."
            items = [(("↑ " if d["coef"] > 0 else "↓ ") + label, v, tip) for d, (label, v, tip) in zip(drivers, items)]
            fmt = "{:.2f}"
        else:
            items = [(d["feature"], d["importance"], f"{d['feature']}: ROC AUC lost when shuffled {d['importance']:.4f}")
                     for d in drivers]
            note = "Permutation importance: ROC AUC lost when the feature is shuffled."
            fmt = "{:.3f}"
        words = s["drivers"].get("words")
        if words:  # logistic: the keyword columns; gbm: what the ``text: pooled words`` feature reads
            note += ((" The score rises most with the keywords " if s["model"] == "logistic"
                      else " text: pooled words rises with ") + ", ".join(w["feature"].removeprefix("keyword: ") for w in words["up"])
                     + "; falls with " + ", ".join(w["feature"].removeprefix("keyword: ") for w in words["down"]) + ".")
        what = "keywords" if s["model"] == "logistic" else "pooled words"
        figures = [{"what": f"{s['model']} (interests + behaviour + {what})", **s["cv"]},
                   {"what": "baseline: behaviour only", **s["baselines"]["behaviour"]},
                   {"what": "baseline: TF-IDF of pooled text + behaviour", **s["baselines"]["tfidf_behaviour"]}]
        out.append({
            "name": s["score"], "figures": figures, "drivers": drivers, "note": note, "as_of": s.get("as_of"),
            "drivers_chart": charts.bar_chart(items, title=f"What predicts {s['score']}", fmt=fmt, label_width=300),
            "calibration_chart": calibration_plot(s.get("calibration") or [], title=f"{s['score']}: calibration "
                                                  "(cross-validated)"),
        })
    return out
