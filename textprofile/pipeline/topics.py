"""``topics list`` and ``topics rename``: a model's topics, and human labels for them."""

from __future__ import annotations

from typing import Any

from textprofile.core.workspace import Workspace


def list_topics(name: str, ws: Workspace | None = None) -> dict[str, Any]:
    """Each topic's id, label, automatic label, share and top terms."""
    from textprofile.pipeline.lookup import open_model, topic_list

    return topic_list(open_model(ws or Workspace.resolve(), name), name)


def rename_topic(name: str, topic_id: int, label: str, ws: Workspace | None = None) -> dict[str, Any]:
    """Give topic ``topic_id`` a human label (empty: back to the automatic one).

    The label goes to the model's labels.json; when profiles exist, their segment descriptions
    are rewritten in the new labels (the store is swapped atomically, like every store write).
    """
    from textprofile.profiles.segments import description
    from textprofile.store.patch import set_segment_descriptions
    from textprofile.store.profile_store import ProfileStore, store_path
    from textprofile.topics.fitted import load_model

    ws = ws or Workspace.resolve()
    fm = load_model(ws, name)
    labels = fm.rename_topic(topic_id, label)
    path = store_path(ws.model_dir(name))
    if path.is_file():
        with ProfileStore(path, model=name) as store:
            texts = {s["segment_id"]: description(s["top_topics"], s["behaviour"]) for s in store.segments()}
        set_segment_descriptions(path, texts)
    return {"name": name, "id": int(topic_id), "label": fm.label(topic_id), "labels": labels}
