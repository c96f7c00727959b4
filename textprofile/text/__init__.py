"""Comments to tokens: stage 2 of the data flow.

In: ``corpora/<name>/comments.parquet``. Out: ``tokens.parquet`` (comment_id, lang, tokens),
cached by settings. ``lang`` tells the script, ``zh`` (jieba) and ``en`` (spaCy lookup lemmas)
segment, ``tokenizer.Tokenizer`` puts them together with social markup and stopwords,
``workers`` runs it in processes, ``phrases`` joins frequent pairs, ``stage`` writes the file.
"""

from textprofile.core.lazy import lazy_exports

_EXPORTS = {
    "Tokenizer": "textprofile.text.tokenizer",
    "tokenize_corpus": "textprofile.text.stage",
    "detect": "textprofile.text.lang",
    "tokens_schema": "textprofile.text.tokens_file",
}
__all__ = ["Tokenizer", "detect", "tokenize_corpus", "tokens_schema"]
__getattr__ = lazy_exports(__name__, _EXPORTS)
