"""``--backend spark``: the commands' library functions on Apache Spark (package ``textprofile.spark``).

Each function opens a SparkSession (or reuses the active one), runs the distributed stages and
returns the dict its local twin returns, plus ``"backend": "spark"``. See README "Running on Spark".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textprofile.core.config import FitConfig, LoadConfig, ProfileConfig, TokenizeConfig
from textprofile.core.errors import ConfigError
from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace
from textprofile.spark.session import SparkOptions

BACKENDS = ("local", "spark")

__all__ = ["BACKENDS", "SparkOptions", "check_backend", "load", "tokenize", "spark_options"]


def check_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ConfigError(f"unknown --backend {backend!r}; use one of {', '.join(BACKENDS)}")
    return backend


def spark_options(backend: str, master: str | None, conf: list[str] | None) -> SparkOptions | None:
    """The Spark options of a command line, None for the local backend (Spark flags then refused)."""
    from textprofile.spark.session import parse_conf

    if check_backend(backend) == "local":
        if master or conf:
            raise ConfigError("--spark-master and --spark-conf need --backend spark")
        return None
    parse_conf(conf or ())
    return SparkOptions(master=master, conf=tuple(conf or ()))


def load(exports: list[str | Path], name: str, config: LoadConfig, ws: Workspace,
         tokenize_config: TokenizeConfig | None = TokenizeConfig(), spark: SparkOptions | None = None,
         progress: Progress | None = None) -> dict[str, Any]:
    """``load --backend spark``: corpora/NAME/ with Parquet datasets; same result keys as ``pipeline.load.load``."""
    from textprofile.spark.load import load_corpus
    from textprofile.spark.session import spark_session

    with spark_session(spark) as session:
        return load_corpus(session, [str(p) for p in exports], name, config, ws, tokenize_config, progress)


def tokenize(name: str, config: TokenizeConfig | None = None, ws: Workspace | None = None,
             spark: SparkOptions | None = None, force: bool = False) -> dict[str, Any]:
    """``tokenize --backend spark``: tokens.parquet/ from comments.parquet (a file or a dataset)."""
    from textprofile.spark.session import spark_session
    from textprofile.spark.tokens import tokenize_corpus

    ws = ws or Workspace.resolve()
    corpus = ws.require_corpus(name)
    with spark_session(spark) as session:
        return tokenize_corpus(session, corpus, config or TokenizeConfig(), force=force)


def _unused(*_: Any) -> tuple[type, type]:
    return FitConfig, ProfileConfig
