"""textprofile: customer comment exports in, per-customer interest profiles out.

The public API is re-exported here lazily, so ``import textprofile`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "TextProfileError": "textprofile.core.errors",
    "Workspace": "textprofile.core.workspace",
    "LoadConfig": "textprofile.core.config",
    "TokenizeConfig": "textprofile.core.config",
    "FitConfig": "textprofile.core.config",
    "ProfileConfig": "textprofile.core.config",
    "Tokenizer": "textprofile.text.tokenizer",
    "tokenize_corpus": "textprofile.text.stage",
    "detect_language": "textprofile.text.lang",
    "fit": "textprofile.pipeline.fit",
    "load_model": "textprofile.topics.fitted",
    "FittedModel": "textprofile.topics.fitted",
    "write_report": "textprofile.pipeline.report",
    "build_report_data": "textprofile.report.data",
    "load": "textprofile.pipeline.load",
    "read_comments": "textprofile.pipeline.load",
    "generate_demo_corpus": "textprofile.demo_corpus",
    "build_profiles": "textprofile.pipeline.profile",
    "update": "textprofile.pipeline.update",
    "ProfileStore": "textprofile.store.profile_store",
    "export_table": "textprofile.pipeline.export",
}

__all__ = [
    "FitConfig",
    "FittedModel",
    "LoadConfig",
    "ProfileConfig",
    "ProfileStore",
    "TextProfileError",
    "TokenizeConfig",
    "Tokenizer",
    "Workspace",
    "__version__",
    "build_profiles",
    "build_report_data",
    "detect_language",
    "export_table",
    "fit",
    "generate_demo_corpus",
    "load",
    "load_model",
    "read_comments",
    "tokenize_corpus",
    "update",
    "write_report",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'textprofile' has no attribute {name!r}")
