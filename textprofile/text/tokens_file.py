"""The tokens.parquet contract: file names, schema and row-group size, shared by the text stage."""

from __future__ import annotations

TOKENS = "tokens.parquet"
COMMENTS = "comments.parquet"
ROW_GROUP_ROWS = 16_000  # a multiple of tokenizer.CHUNK_ROWS; bounds the rows buffered before a write
# always in the manifest's "langs", in this order; detected Latin languages (es, fr, ...) follow
LANG_KEYS = ("zh", "en", "mixed", "other", "empty")


def tokens_schema():
    """The Arrow schema of tokens.parquet: comment_id, lang, tokens list<string>."""
    import pyarrow as pa

    return pa.schema([("comment_id", pa.string()), ("lang", pa.string()), ("tokens", pa.list_(pa.string()))])
