"""Shared by the score tests: labels planted on the demo customers (the real pipeline's workspace)."""

from __future__ import annotations

import csv
from pathlib import Path

from profile_corpus import NAME, copy_workspace, demo_workspace, planted

PLANTED = "refunds"


def planted_labels(paths, out: Path) -> Path:
    """label 1 for the demo customers whose planted interests give PLANTED its largest weight."""
    weights = planted(paths["planted"])
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "label"])
        for cid in sorted(weights):
            top = max(sorted(weights[cid]), key=lambda k: weights[cid][k])
            w.writerow([cid, int(top == PLANTED)])
    return out


def score_workspace(tmp_path_factory, tag: str):
    """(fresh copy of the demo workspace, generator paths, planted labels file)."""
    ws0, paths = demo_workspace(tmp_path_factory)
    ws = copy_workspace(ws0, tmp_path_factory.mktemp(tag) / "ws")
    return ws, paths, planted_labels(paths, ws.root / "labels.csv")


__all__ = ["NAME", "PLANTED", "planted_labels", "score_workspace"]
