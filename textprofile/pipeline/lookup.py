"""Lookups answered by both the CLI's ``--json`` and the HTTP API: one function, one schema.

Each takes an already open ``ProfileStore`` or fitted model, so the command line opens one per
call and the server reuses the ones it keeps open.
"""

from __future__ import annotations

from typing import Any

from textprofile.core.errors import ConfigError
from textprofile.core.workspace import Workspace

MAX_SIMILAR = 1000


def similar_customers(store, customer_id: str, n: int = 10) -> dict[str, Any]:
    """``profile similar --json``: the ``n`` customers with the closest topic mixtures."""
    if not 1 <= n <= MAX_SIMILAR:
        raise ConfigError(f"-n must be between 1 and {MAX_SIMILAR} (got {n})")
    neighbours = store.similar(customer_id, n)
    return {"customer_id": customer_id, "model": store.model, "metric": "hellinger", "similar": neighbours}


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
