"""``profile show`` and ``profile similar``: one customer's profile, and the customers most like them."""

from __future__ import annotations

from typing import Any

from textprofile.core.errors import ConfigError
from textprofile.core.workspace import Workspace

MAX_NEIGHBOURS = 1000


def show_profile(name: str, customer_id: str, ws: Workspace | None = None) -> dict[str, Any]:
    """The profile card of ``customer_id`` in model ``name`` (NotFoundError with close ids)."""
    from textprofile.store.profile_store import ProfileStore

    with ProfileStore.open(ws or Workspace.resolve(), name) as store:
        return store.require(customer_id)


def similar_customers(name: str, customer_id: str, n: int = 10, by: str = "mixed",
                      ws: Workspace | None = None) -> dict[str, Any]:
    """The ``n`` customers most like ``customer_id``, each with its score and why.

    ``by``: ``mixed`` (default: keywords and topics), ``keywords`` or ``topics``; see
    ``profiles.similarity`` for the representation and ``store.neighbours`` for the search.
    """
    from textprofile.profiles.similarity import IDF_POWER, W_TOPICS, explain
    from textprofile.store.profile_store import ProfileStore

    if not 1 <= n <= MAX_NEIGHBOURS:
        raise ConfigError(f"-n must be between 1 and {MAX_NEIGHBOURS} (got {n})")
    with ProfileStore.open(ws or Workspace.resolve(), name) as store:
        query = store.require(customer_id)
        hits = store.similar(customer_id, n, by)
        neighbours = []
        for h in hits:
            card = store.get(h["customer_id"])
            top = card["interests"][0] if card["interests"] else None
            neighbours.append({
                **h,
                "top_topic_id": None if top is None else top["topic_id"],
                "top_label": None if top is None else top["label"],
                "why": explain(query, card),
            })
        weight = store.neighbour_index().meta["w_topics"]
    metric = {"mixed": f"{1 - weight:g} x keyword cosine + {weight:g} x topic Bhattacharyya",
              "keywords": "keyword cosine", "topics": "topic Bhattacharyya (1 - Hellinger^2)"}[by]
    return {"customer_id": customer_id, "model": name, "by": by, "metric": metric,
            "settings": {"w_topics": weight if by == "mixed" else (0.0 if by == "keywords" else 1.0),
                         "idf_power": IDF_POWER, "default_w_topics": W_TOPICS},
            "similar": neighbours}
