"""The profile store: stage 5 of the data flow.

In: profile tables (``build.ProfileTables``). Out: ``models/<name>/profiles.duckdb``, built and
patched atomically, and fast read-only lookups (``ProfileStore``: a customer's card, neighbours,
segments, topics, the wide export). Knows nothing of how profiles are computed.
"""

from textprofile.core.lazy import lazy_exports

_EXPORTS = {
    "ProfileStore": "textprofile.store.profile_store",
    "store_path": "textprofile.store.profile_store",
    "ProfileTables": "textprofile.store.build",
    "write_store": "textprofile.store.build",
    "patch_store": "textprofile.store.patch",
}
__all__ = ["ProfileStore", "ProfileTables", "patch_store", "store_path", "write_store"]
__getattr__ = lazy_exports(__name__, _EXPORTS)
