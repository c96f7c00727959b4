"""Where corpora, models and reports live: ``--home DIR``, ``TEXTPROFILE_HOME``, or the cwd."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from textprofile.core.errors import ConfigError, NotFoundError, StateError

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_name(name: str) -> str:
    """Return ``name`` if it is a safe corpus/model name (used as a directory name)."""
    if not _NAME_RE.match(name or "") or name in {".", ".."}:
        raise ConfigError(
            f"invalid name {name!r}: use 1-64 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit"
        )
    return name


@dataclass(frozen=True)
class Workspace:
    """The root folder holding ``corpora/``, ``models/`` and ``reports/``."""

    root: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike | None = None) -> Workspace:
        """``home`` if given, else ``$TEXTPROFILE_HOME``, else the current directory."""
        chosen = home or os.environ.get("TEXTPROFILE_HOME") or os.getcwd()
        return cls(Path(chosen).expanduser().resolve())

    def corpus_dir(self, name: str) -> Path:
        return self.root / "corpora" / check_name(name)

    def model_dir(self, name: str) -> Path:
        return self.root / "models" / check_name(name)

    def report_dir(self, name: str) -> Path:
        return self.root / "reports" / check_name(name)

    def require_corpus(self, name: str, datasets: bool = False) -> Path:
        """The corpus folder, or a NotFoundError telling the user to run ``load``.

        ``datasets``: the caller also reads the Parquet datasets ``--backend spark`` writes."""
        d = self.corpus_dir(name)
        if datasets and (d / "comments.parquet").is_dir():
            return d
        if (d / "comments.parquet").is_dir():  # Parquet datasets, written by --backend spark
            raise StateError(f"corpus {name!r} was written by --backend spark (Parquet datasets): use --backend "
                             "spark (tokenize, fit, profile build), or reload it locally to use this command: "
                             f"textprofile load EXPORT --name {name}")
        if not (d / "comments.parquet").is_file():
            raise NotFoundError(
                f"corpus {name!r} not found in {d.parent} — run: textprofile load EXPORT --name {name}"
            )
        return d

    def require_model(self, name: str) -> Path:
        """The model folder, or a NotFoundError telling the user to run ``fit``."""
        d = self.model_dir(name)
        if not (d / "manifest.json").is_file():
            raise NotFoundError(
                f"model {name!r} not found in {d.parent} — run: textprofile fit {name}"
            )
        return d
