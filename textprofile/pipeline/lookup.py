"""Lookups answered by both the CLI's ``--json`` and the HTTP API: one function, one schema.

Each takes an already open ``ProfileStore`` or fitted model, so the command line opens one per
call and the server reuses the ones it keeps open.
"""

from __future__ import annotations

from typing import Any

from textprofile.core.errors import ConfigError
from textprofile.core.workspace import Workspace

MAX_SIMILAR = 1000


def show_profile(name: str, customer_id: str, ws: Workspace | None = None) -> dict[str, Any]:
    """The profile card of ``customer_id`` in model ``name`` (NotFoundError with close ids)."""
    from textprofile.store.profile_store import ProfileStore

    with ProfileStore.open(ws or Workspace.resolve(), name) as store:
        return store.require(customer_id)


def similar_customers(name: str, customer_id: str, n: int = 10, by: str = "mixed",
                      ws: Workspace | None = None) -> dict[str, Any]:
    """``profile similar --json``: the ``n`` customers most like ``customer_id``, each with why.

    ``by``: ``mixed`` (default: keywords and topics), ``keywords`` or ``topics``; see
    ``profiles.similarity`` for the representation and ``store.neighbours`` for the search.
    """
    from textprofile.store.profile_store import ProfileStore

    with ProfileStore.open(ws or Workspace.resolve(), name) as store:
        return similar_in_store(store, customer_id, n, by)


def similar_in_store(store, customer_id: str, n: int = 10, by: str = "mixed") -> dict[str, Any]:
    """``similar_customers`` on an open ``ProfileStore`` (the server keeps its stores open)."""
    from textprofile.profiles.similarity import IDF_POWER, W_TOPICS, explain

    if not 1 <= n <= MAX_SIMILAR:
        raise ConfigError(f"-n must be between 1 and {MAX_SIMILAR} (got {n})")
    query = store.require(customer_id)
    neighbours = []
    hits = store.similar(customer_id, n, by)
    cards = store.get_many(h["customer_id"] for h in hits)
    for h in hits:
        card = cards[h["customer_id"]]
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
    return {"customer_id": customer_id, "model": store.model, "by": by, "metric": metric,
            "settings": {"w_topics": weight if by == "mixed" else (0.0 if by == "keywords" else 1.0),
                         "idf_power": IDF_POWER, "default_w_topics": W_TOPICS},
            "similar": neighbours}


def topic_list(fm, name: str) -> dict[str, Any]:
    """``topics list --json``: each topic's id, share, label and top terms."""
    return {"name": name, "topics": fm.topics()}


def open_model(ws: Workspace, name: str):
    """The verified fitted model of ``name`` (for ``topic_list``)."""
    from textprofile.topics.fitted import load_model

    return load_model(ws, name)


def segment_list(store) -> dict[str, Any]:
    """A model's segments: size, description, top topics and behaviour."""
    return {"model": store.model, "segments": store.segments()}


def model_entry(store) -> dict[str, Any]:
    """One served model: its name, customers, topics and when its profiles are as of."""
    return {
        "name": store.model,
        "customers": store.count(),
        "topics": len(store.topics()),
        "method": store.meta.get("method"),
        "as_of": store.meta.get("as_of"),
    }


def profile_models(ws: Workspace) -> list[str]:
    """Names of the models in ``ws`` that have a profile store, sorted."""
    from textprofile.core.workspace import check_name
    from textprofile.store.profile_store import store_path

    root = ws.root / "models"
    if not root.is_dir():
        return []
    names = []
    for d in sorted(root.iterdir()):
        try:
            check_name(d.name)
        except ConfigError:
            continue
        if store_path(d).is_file():
            names.append(d.name)
    return names


def list_models(ws: Workspace, names: list[str] | None = None) -> dict[str, Any]:
    """``{"models": [model_entry, ...]}`` for ``names`` (default: every model with profiles)."""
    from textprofile.store.profile_store import ProfileStore

    out = []
    for name in names if names is not None else profile_models(ws):
        with ProfileStore.open(ws, name) as store:
            out.append(model_entry(store))
    return {"models": out}
