"""Shared plumbing every stage stands on; imports nothing else of textprofile.

In: nothing. Out: errors (``TextProfileError`` and children, each naming the fix), frozen
settings (``LoadConfig``, ``TokenizeConfig``, ``FitConfig``, ``ProfileConfig``, one ``seed``), the
workspace layout, atomic writes, manifests and checksums, and progress callbacks.
"""

from textprofile.core.lazy import lazy_exports

_EXPORTS = {
    "TextProfileError": "textprofile.core.errors",
    "ConfigError": "textprofile.core.errors",
    "InputFileError": "textprofile.core.errors",
    "EncodingError": "textprofile.core.errors",
    "ColumnError": "textprofile.core.errors",
    "NotFoundError": "textprofile.core.errors",
    "IntegrityError": "textprofile.core.errors",
    "StateError": "textprofile.core.errors",
    "LoadConfig": "textprofile.core.config",
    "TokenizeConfig": "textprofile.core.config",
    "FitConfig": "textprofile.core.config",
    "ProfileConfig": "textprofile.core.config",
    "Workspace": "textprofile.core.workspace",
    "Progress": "textprofile.core.progress",
    "atomic_path": "textprofile.core.artifacts",
    "atomic_dir": "textprofile.core.artifacts",
    "write_json_atomic": "textprofile.core.artifacts",
    "write_manifest": "textprofile.core.artifacts",
    "read_manifest": "textprofile.core.artifacts",
    "verify_file": "textprofile.core.artifacts",
    "sha256_file": "textprofile.core.artifacts",
}
__all__ = [
    "ColumnError", "ConfigError", "EncodingError", "FitConfig", "InputFileError", "IntegrityError",
    "LoadConfig", "NotFoundError", "ProfileConfig", "Progress", "StateError", "TextProfileError",
    "TokenizeConfig", "Workspace", "atomic_dir", "atomic_path", "read_manifest", "sha256_file",
    "verify_file", "write_json_atomic", "write_manifest",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)
