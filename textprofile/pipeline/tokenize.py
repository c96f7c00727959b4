"""``tokenize``: corpora/<name>/comments.parquet -> tokens.parquet (cached by settings)."""

from __future__ import annotations

from typing import Any

from textprofile.core.config import TokenizeConfig
from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace


def tokenize(name: str, config: TokenizeConfig | None = None, ws: Workspace | None = None,
             jobs: int | None = None, progress: Progress | None = None, force: bool = False) -> dict[str, Any]:
    """Tokenize corpus ``name``; reuses tokens.parquet when its settings and input are unchanged."""
    from textprofile.text.stage import tokenize_corpus

    ws = ws or Workspace.resolve()
    corpus = ws.require_corpus(name)
    return tokenize_corpus(corpus, config or TokenizeConfig(), jobs=jobs, progress=progress, force=force)
