"""The orchestrators: one short module per command, in data-flow order.

Each function calls the stage packages and returns a JSON-able dict; none prints or exits:
``load.load`` → ``tokenize.tokenize`` → ``fit.fit`` → ``profile.build_profiles`` →
``report.report``; ``update.update`` adds new exports; ``run.run`` and ``run.demo`` chain the
stages; ``export.export_table``, ``evaluate.evaluate`` and ``topics`` read what they wrote.
"""

__all__ = ["evaluate", "export", "fit", "load", "profile", "report", "run", "tokenize", "topics", "update"]
