"""``--backend local|spark``, ``--spark-master URL``, ``--spark-conf KEY=VALUE`` (load, tokenize, fit, profile build, update, run)."""

from __future__ import annotations

from typing import Annotated

import typer

_PANEL = "Backend"
BackendOpt = Annotated[str, typer.Option("--backend", help="Where the stage runs: local (this machine) or spark (Apache Spark; needs the optional spark extra and Java 17).", rich_help_panel=_PANEL)]
SparkMasterOpt = Annotated[str | None, typer.Option("--spark-master", metavar="URL", help="Spark master URL, e.g. local[4], spark://host:7077, yarn (default: $SPARK_MASTER, else local[*]).", rich_help_panel=_PANEL)]
SparkConfOpt = Annotated[list[str] | None, typer.Option("--spark-conf", metavar="KEY=VALUE", help="A Spark setting passed through, e.g. spark.executor.memory=4g (repeatable).", rich_help_panel=_PANEL)]
