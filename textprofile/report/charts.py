"""Static SVG charts for the report: horizontal bars, heatmaps and sparklines.

No JavaScript: the SVG is written into the page, so it renders offline and prints. Every label
is passed through ``Markup.format``, which escapes it, so untrusted labels stay text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup

FONT = ("system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'Noto Sans SC', "
        "'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif")
BAR_COLOR = "#3b75af"
_LOW = (247, 251, 255)
_HIGH = (8, 48, 107)


def _n(x: float) -> str:
    """Compact, deterministic number formatting for SVG coordinates."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _clip(label: str, limit: int) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _scale(value: float, vmax: float, vmin: float = 0.0) -> float:
    """``value``'s place on the vmin..vmax scale, 0..1 (square root, so small differences show)."""
    span = vmax - vmin
    return 0.0 if span <= 0 else max(0.0, min(1.0, (value - vmin) / span)) ** 0.5


def color(value: float, vmax: float, vmin: float = 0.0) -> str:
    """A light-to-dark blue for ``value`` on a vmin..vmax scale (square root, so small values show)."""
    t = _scale(value, vmax, vmin)
    rgb = [round(lo + (hi - lo) * t) for lo, hi in zip(_LOW, _HIGH)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def bar_chart(
    items: Sequence[tuple[str, float, str]],
    *,
    title: str,
    label_width: int = 260,
    width: int = 760,
    row: int = 18,
    fmt: str = "{:.1%}",
) -> Markup:
    """Horizontal bars: ``items`` are (label, value, tooltip); values on a shared 0..max scale."""
    vmax = max((v for _, v, _ in items), default=0.0) or 1.0
    bar_space = width - label_width - 70
    height = row * len(items) + 30
    parts = [Markup(
        '<svg class="chart bars" xmlns="http://www.w3.org/2000/svg" role="img" '
        'width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{f}" font-size="12">'
        '<title>{t}</title>'
    ).format(w=width, h=height, f=FONT, t=title)]
    for i, (label, value, tip) in enumerate(items):
        y = 20 + i * row
        bw = bar_space * (value / vmax)
        parts.append(Markup(
            '<g><title>{tip}</title>'
            '<text x="{lx}" y="{ty}" text-anchor="end">{label}</text>'
            '<rect x="{bx}" y="{y}" width="{bw}" height="{bh}" fill="{c}"/>'
            '<text x="{vx}" y="{ty}">{val}</text></g>'
        ).format(
            tip=tip, lx=label_width - 6, ty=_n(y + row * 0.7), label=_clip(label, label_width // 7),
            bx=label_width, y=_n(y + 2), bw=_n(bw), bh=row - 4, c=BAR_COLOR,
            vx=_n(label_width + bw + 4), val=fmt.format(value),
        ))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _ink(value: float, vmax: float, vmin: float = 0.0) -> str:
    """Text colour readable on ``color(value, vmax, vmin)``: white on the dark half of the scale."""
    return "#ffffff" if _scale(value, vmax, vmin) > 0.6 else "#1f2933"


def _cell_text(value: float, fmt: str, cell_w: float) -> str | None:
    """The value written in a cell when it fits: as given by ``fmt``, or a bare percent number."""
    full = fmt.format(value)
    if len(full) * 5.8 + 2 <= cell_w:  # 10px digits are ~5.6px wide
        return full
    if "%" in fmt:
        short = f"{value * 100:.0f}"
        if len(short) * 5.8 + 2 <= cell_w:
            return short
    return None


def legend(vmin: float, vmax: float, *, x: float, y: float, fmt: str = "{:.1%}", width: float = 160,
           caption: str = "colour scale") -> Markup:
    """A stepped colour bar from ``vmin`` to ``vmax`` with both ends labelled (drawn at ``x, y``)."""
    steps = 12
    parts = [Markup('<g class="legend"><text x="{x}" y="{y}" fill="#616e7c">{c}</text>').format(
        x=_n(x), y=_n(y - 4), c=caption)]
    for i in range(steps):
        v = vmin + (vmax - vmin) * (i + 0.5) / steps
        parts.append(Markup('<rect x="{x}" y="{y}" width="{w}" height="10" fill="{c}"/>').format(
            x=_n(x + width * i / steps), y=_n(y), w=_n(width / steps + 0.3), c=color(v, vmax, vmin)))
    parts.append(Markup(
        '<rect x="{x}" y="{y}" width="{w}" height="10" fill="none" stroke="#9aa5b1" stroke-width="0.5"/>'
        '<text x="{x}" y="{ty}">{lo}</text><text x="{x2}" y="{ty}" text-anchor="end">{hi}</text></g>'
    ).format(x=_n(x), y=_n(y), w=_n(width), ty=_n(y + 22), x2=_n(x + width),
             lo=fmt.format(vmin), hi=fmt.format(vmax)))
    return Markup("").join(parts)


def heatmap(
    rows: Sequence[str],
    cols: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    label_width: int = 260,
    cell_h: int = 18,
    max_width: int = 1040,
    min_cell_w: float = 3.0,
    max_cell_w: float = 70.0,
    col_label_every: int | None = None,
    fmt: str = "{:.1%}",
    tip_rows: Sequence[str] | None = None,
    show_values: bool = True,
    tip_fmt: str = "{:.1%}",
) -> Markup:
    """Rows × columns of shaded cells, a colour legend (min to max) and each cell's value.

    Shades run from the smallest to the largest value shown, as the legend says.
    Values are written in the cells where they fit (``fmt``, or the bare percent number in
    narrow cells); every cell also has a tooltip naming row, column and value (``tip_fmt``).
    ``None`` cells (no data, e.g. a month without comments) are left blank. ``tip_rows``:
    shorter row names for the tooltips of big grids (every cell carries one).
    """
    tip_rows = tip_rows or rows
    n_cols = max(len(cols), 1)
    cell_w = max(min_cell_w, min(max_cell_w, (max_width - label_width) / n_cols))
    every = col_label_every or max(1, math.ceil(15 / cell_w))
    top = 110  # room for the rotated column labels and the legend
    width = int(label_width + cell_w * n_cols + 80)  # the last rotated column label runs right
    height = top + cell_h * len(rows) + 10
    present = [v for r in values for v in r if v is not None]
    vmax = max(present, default=0.0)
    vmin = min(present, default=0.0)
    parts = [Markup(
        '<svg class="chart heatmap" xmlns="http://www.w3.org/2000/svg" role="img" '
        'width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{f}" font-size="11">'
        '<title>{t}</title>'
    ).format(w=width, h=height, f=FONT, t=title)]
    if present:
        parts.append(legend(vmin, vmax, x=10, y=top - 44, fmt=fmt, width=min(180, label_width - 40),
                            caption="colour: low → high"))
    for j, col in enumerate(cols):
        if j % every:
            continue
        x = label_width + cell_w * j + cell_w / 2 + 4
        parts.append(Markup(
            '<text transform="translate({x},{y}) rotate(-50)">{c}</text>'
        ).format(x=_n(x), y=top - 6, c=_clip(col, 20)))
    for i, (row, tip, vals) in enumerate(zip(rows, tip_rows, values)):
        y = top + cell_h * i
        parts.append(Markup('<text x="{x}" y="{y}" text-anchor="end">{r}</text>').format(
            x=label_width - 6, y=_n(y + cell_h * 0.72), r=_clip(row, label_width // 7)))
        for j, v in enumerate(vals):
            if v is None:
                continue
            parts.append(Markup(
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}">'
                '<title>{r} {col}: {v}</title></rect>'
            ).format(
                x=_n(label_width + cell_w * j), y=y, w=_n(cell_w), h=cell_h - 1,
                c=color(v, vmax, vmin), r=tip, col=cols[j], v=tip_fmt.format(v),
            ))
            text = _cell_text(v, fmt, cell_w) if show_values else None
            if text is not None:
                parts.append(Markup(
                    '<text x="{x}" y="{y}" text-anchor="middle" font-size="10" fill="{ink}" '
                    'pointer-events="none">{t}</text>'
                ).format(x=_n(label_width + cell_w * (j + 0.5)), y=_n(y + cell_h * 0.7),
                         ink=_ink(v, vmax, vmin), t=text))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def sparkline(values: Sequence[float], *, width: int = 240, height: int = 40, title: str = "") -> Markup:
    """A small line of a topic's share over time (no axes; the tooltip gives the range)."""
    if len(values) < 2:
        return Markup("")
    vmax = max(values) or 1.0
    step = width / (len(values) - 1)
    points = " ".join(
        f"{_n(i * step)},{_n(height - 2 - (height - 4) * v / vmax)}" for i, v in enumerate(values)
    )
    return Markup(
        '<svg class="chart spark" xmlns="http://www.w3.org/2000/svg" role="img" width="{w}" '
        'height="{h}" viewBox="0 0 {w} {h}"><title>{t}</title>'
        '<polyline fill="none" stroke="{c}" stroke-width="1.5" points="{p}"/></svg>'
    ).format(w=width, h=height, t=title, c=BAR_COLOR, p=points)
