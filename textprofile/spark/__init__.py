"""The pipeline's stages on Apache Spark (``--backend spark``), reusing the stage packages' functions.

Reading and validating exports, cleaning and PII scrubbing (``ingest``), tokenizing (``text``:
the project's own tokenizers inside ``mapInPandas``, so tokens are byte-identical to the local
backend's), the vocabulary counts, every comment's mixture (the topic-word matrix shipped to the
executors) and the per-customer tables run on the executors; the topic model trains on a
seeded sample on the driver with the local engines (``topics``). pyspark is imported only inside
this package, and only inside functions: ``import textprofile.spark`` does not start a JVM.

Entry points (``pipeline.spark`` calls them): ``session.spark_session``, ``load.load_corpus``,
``tokens.tokenize_corpus``, ``training.count_vocab`` / ``training_sample`` / ``topic_shares``,
``mllib_lda.MllibLDA`` (``--engine spark-lda``), ``profile.customer_tables`` / ``read_customers``.
"""

from textprofile.spark.session import SparkOptions

__all__ = ["SparkOptions"]
