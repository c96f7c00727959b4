"""``audience``: a lookalike audience of a seed list, or the customers interested in a topic."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from textprofile.core.errors import ConfigError, InputFileError, NotFoundError
from textprofile.core.workspace import Workspace

MAX_AUDIENCE = 10_000_000
SHOWN_UNKNOWN = 5


def read_ids(path: str | os.PathLike) -> list[str]:
    """Customer ids from a file: one per line, or a CSV whose header has a ``customer_id`` column."""
    import csv

    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"seed file {p} not found — give a file with one customer id per line")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(f"{p} is not UTF-8 text — save the seed ids as UTF-8, one per line") from None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise InputFileError(f"{p} holds no customer ids — one id per line, or a customer_id column")
    header = next(csv.reader([lines[0]]))
    if "customer_id" in [h.strip() for h in header]:
        col = [h.strip() for h in header].index("customer_id")
        rows = list(csv.reader(lines[1:]))
        return [r[col].strip() for r in rows if len(r) > col and r[col].strip()]
    return [ln.strip() for ln in lines]


def audience(name: str, ws: Workspace | None = None, *, like: list[str] | None = None,
             topic: int | None = None, min_share: float | None = None, n: int = 1000,
             min_comments: int | None = None, active_days: float | None = None,
             channel: str | None = None, by: str = "mixed", out: str | os.PathLike | None = None) -> dict[str, Any]:
    """Select an audience from model ``name``'s profiles; optionally write it to ``out`` (csv).

    ``like``: seed ids; the customers most like them as a group (seeds excluded), each with its
    score and why. ``topic`` (+ ``min_share``): customers whose share of that topic is at least
    ``min_share``, highest share first. Both combine with the behaviour filters. Unknown seed
    ids are counted and the first few named; none known is a NotFoundError.
    """
    from textprofile.store.profile_store import ProfileStore

    with ProfileStore.open(ws or Workspace.resolve(), name) as store:
        result = select_audience(store, like=like, topic=topic, min_share=min_share, n=n,
                                 min_comments=min_comments, active_days=active_days, channel=channel, by=by)
    if out is not None:
        result["path"] = str(_write_csv(result["members"], out))
    return result


def select_audience(store, *, like: list[str] | None = None, topic: int | None = None,
                    min_share: float | None = None, n: int = 1000, min_comments: int | None = None,
                    active_days: float | None = None, channel: str | None = None,
                    by: str = "mixed") -> dict[str, Any]:
    """``audience`` on an open ``ProfileStore`` (the server keeps its stores open)."""
    from textprofile.profiles.similarity import explain_group, group_summary

    name = store.model
    _check(like, topic, min_share, n, min_comments, active_days, channel)
    if topic is not None and topic not in {t["topic_id"] for t in store.topics()}:
        raise NotFoundError(f"topic {topic} does not exist in {name!r} — list them: textprofile topics list {name}")
    filters_on = any(v is not None for v in (min_comments, active_days, channel, topic))
    # without filters a lookalike search needs no list of every customer (a million rows)
    filtered = store.filter_customers(min_comments, active_days, channel, topic, min_share) \
        if filters_on or not like else []
    result: dict[str, Any] = {"name": name, "mode": "like" if like else "topic",
                              "filters": {"min_comments": min_comments, "active_days": active_days,
                                          "channel": channel, "topic": topic, "min_share": min_share}}
    if like:
        known, hits = store.lookalikes(like, n, by, [c for c, _ in filtered] if filters_on else None)
        unknown = [c for c in dict.fromkeys(like) if c not in set(known)]
        if not known:
            raise NotFoundError(f"none of the {len(set(like))} seed ids is a customer of {name!r} "
                                f"(first: {', '.join(unknown[:SHOWN_UNKNOWN])}) — check the id column")
        seeds = store.get_many(known)
        group = group_summary([seeds[c] for c in known])
        cards = store.get_many(h["customer_id"] for h in hits)
        members = [{**h, "why": explain_group(group, cards[h["customer_id"]])} for h in hits]
        result.update({"by": by, "seeds": len(known), "unknown_seeds": len(unknown),
                       "unknown_examples": unknown[:SHOWN_UNKNOWN]})
    else:
        members = [{"customer_id": c, "score": round(sh, 6)} for c, sh in filtered[:n]]
    result.update({"size": len(members), "members": members})
    return result


def _check(like, topic, min_share, n, min_comments, active_days, channel) -> None:
    if (like is None) == (topic is None):
        raise ConfigError("give either --like IDS_FILE or --topic ID (with --min-share)")
    if not 1 <= n <= MAX_AUDIENCE:
        raise ConfigError(f"-n must be between 1 and {MAX_AUDIENCE:,} (got {n})")
    if min_share is not None and not 0 <= min_share <= 1:
        raise ConfigError(f"--min-share must be between 0 and 1 (got {min_share})")
    if min_comments is not None and min_comments < 0:
        raise ConfigError(f"--min-comments must be 0 or more (got {min_comments})")
    if active_days is not None and active_days < 0:
        raise ConfigError(f"--active-days must be 0 or more (got {active_days})")
    if channel is not None and channel not in ("review", "chat", "social"):
        raise ConfigError(f"--channel must be one of review, chat, social (got {channel!r})")
    if like is not None and not like:
        raise ConfigError("the seed list is empty — give at least one customer id")


def _write_csv(members: list[dict[str, Any]], out: str | os.PathLike) -> Path:
    """customer_id, score, shared_interests, shared_keywords; written atomically."""
    import csv

    from textprofile.core.artifacts import atomic_path
    from textprofile.pipeline.export import export_target

    target = export_target(out)
    with atomic_path(target, suffix=".csv") as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "score", "shared_interests", "shared_keywords"])
        for m in members:
            why = m.get("why") or {}
            w.writerow([m["customer_id"], m["score"],
                        " | ".join(i["label"] for i in why.get("shared_interests", [])),
                        " ".join(why.get("shared_keywords", []))])
    return target
