"""Customers' profiles: stage 4 of the data flow.

In: comments with their topic mixtures (from ``topics``) and behaviour columns. Out: per-customer
interest shares (``interests``), behaviour features (``behaviour``) and segments (``segments``),
as arrays and DataFrames for the store to keep.
"""

from textprofile.core.lazy import lazy_exports

_EXPORTS = {
    "customer_rows": "textprofile.profiles.behaviour",
    "resolve_as_of": "textprofile.profiles.behaviour",
    "fit_segments": "textprofile.profiles.segments",
    "assign": "textprofile.profiles.segments",
    "describe": "textprofile.profiles.segments",
    "SegmentModel": "textprofile.profiles.segments",
}
__all__ = ["SegmentModel", "assign", "customer_rows", "describe", "fit_segments", "resolve_as_of"]
__getattr__ = lazy_exports(__name__, _EXPORTS)
