"""Export files in: stage 1 of the data flow.

In: export files (csv/tsv/json/jsonl/xlsx/parquet, optionally .gz) in any common encoding.
Out: comment rows with the ``comments.parquet`` columns (mapped, time-parsed, cleaned, PII
scrubbed) and quarantined rows with their reasons. ``sniff`` detects format and encoding,
``formats`` reads raw string chunks, ``read_export.ExportReader`` maps, validates and cleans them.
"""

from textprofile.core.lazy import lazy_exports

_EXPORTS = {
    "ExportReader": "textprofile.ingest.read_export",
    "inspect": "textprofile.ingest.sniff",
    "read_chunks": "textprofile.ingest.formats",
    "resolve_mapping": "textprofile.ingest.columns",
    "parse_times": "textprofile.ingest.timeparse",
    "clean_texts": "textprofile.ingest.clean",
    "scrub": "textprofile.ingest.pii",
    "pseudonymize": "textprofile.ingest.pii",
}
__all__ = [
    "ExportReader", "clean_texts", "inspect", "parse_times", "pseudonymize", "read_chunks",
    "resolve_mapping", "scrub",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)
