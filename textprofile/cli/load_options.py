"""The `load` options, shared by `load` and `run` so both accept and check the same flags."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from textprofile.core.config import TokenizeConfig

_COL = "Columns"
_CLEAN = "Cleaning"
_TOK = "Tokenizing"


def _col(flag: str, what: str):
    return Annotated[str | None, typer.Option(flag, help=f"Column holding {what} (default: auto-detected from the header).", rich_help_panel=_COL)]


Exports = Annotated[list[str], typer.Argument(help="Export files: CSV, TSV, JSON, JSON Lines, XLSX, Parquet (.gz for text formats).")]
Name = Annotated[str, typer.Option("--name", help="Corpus name; written to corpora/NAME/ (and models/NAME/, reports/NAME/).")]
CustomerCol = _col("--customer-col", "the customer id")
TextCol = _col("--text-col", "the comment text")
TimeCol = _col("--time-col", "the timestamp")
ChannelCol = _col("--channel-col", "the channel (review/chat/social)")
Channel = Annotated[str | None, typer.Option("--channel", help="One channel for every row, e.g. review, chat or social (instead of --channel-col).", rich_help_panel=_COL)]
RatingCol = _col("--rating-col", "the rating")
AmountCol = _col("--amount-col", "the order amount")
RoleCol = _col("--role-col", "the chat speaker role (customer/agent)")
ThreadCol = _col("--thread-col", "the thread / conversation id")
RowAsCustomer = Annotated[bool, typer.Option("--row-as-customer", help="The export has no customer column: each row is its own customer.", rich_help_panel=_COL)]
CustomerFilter = Annotated[str | None, typer.Option("--customer-filter", help="Keep only customer-authored rows, e.g. inbound=True (COL=V[,V...] or COL!=V); others are quarantined.", rich_help_panel=_COL)]
Format = Annotated[str | None, typer.Option("--format", help="csv, tsv, json, jsonl, xlsx or parquet (default: detected).")]
Encoding = Annotated[str | None, typer.Option("--encoding", help="Text encoding, e.g. utf-8, gb18030, utf-16 (default: detected).")]
Sheet = Annotated[str | None, typer.Option("--sheet", help="Worksheet name (or 1-based number) for XLSX files with several sheets.")]
Timezone = Annotated[str | None, typer.Option("--timezone", help="Time zone of timestamps written without one, e.g. Asia/Shanghai (default UTC).", rich_help_panel=_CLEAN)]
LenientTime = Annotated[bool, typer.Option("--lenient-time", help="Keep rows with unparseable timestamps (time left empty) instead of quarantining them.", rich_help_panel=_CLEAN)]
KeepPii = Annotated[bool, typer.Option("--keep-pii", help="Do not replace e-mails, phone, ID and card numbers, URLs, contact handles (WeChat, QQ, Alipay, ...), postcodes, addresses and licence plates with placeholders.", rich_help_panel=_CLEAN)]
Pseudonymize = Annotated[bool, typer.Option("--pseudonymize", help="Replace customer ids with a keyed HMAC (key from $TEXTPROFILE_PSEUDONYM_KEY).", rich_help_panel=_CLEAN)]
MaxTextChars = Annotated[int, typer.Option("--max-text-chars", help="Quarantine texts longer than this many characters.", rich_help_panel=_CLEAN)]
UserDict = Annotated[list[str] | None, typer.Option("--user-dict", help="jieba user dictionary file (repeatable).", rich_help_panel=_TOK)]
Stopwords = Annotated[list[str] | None, typer.Option("--stopwords", help="Extra stop-word list file, one word a line (repeatable).", rich_help_panel=_TOK)]
Jobs = Annotated[int | None, typer.Option("--jobs", help="Tokenizer processes (default: all cores).", rich_help_panel=_TOK)]
# the phrase flags' defaults are TokenizeConfig's, so the CLI and the library cannot drift apart
PHRASE_MIN_COUNT = TokenizeConfig.phrase_min_count
PHRASE_THRESHOLD = TokenizeConfig.phrase_threshold
Phrases = Annotated[bool, typer.Option("--phrases/--no-phrases", help="Join frequent English word pairs into one token (battery_life), learned from the corpus.", rich_help_panel=_TOK)]
PhraseMinCount = Annotated[int, typer.Option("--phrase-min-count", metavar="N", help="Phrases: ignore word pairs seen fewer than N times (at least 1).", rich_help_panel=_TOK)]
PhraseThreshold = Annotated[float, typer.Option("--phrase-threshold", metavar="X", help="Phrases: gensim's score a pair must pass (above 0; higher, fewer phrases).", rich_help_panel=_TOK)]

Languages = Annotated[str | None, typer.Option("--languages", metavar="CODES", help="Languages to tokenize, comma-separated (default en,zh; also de, es, fr, id, it, nl, pt, tr). Comments detected in any other are kept, untokenized, out of the topics.", rich_help_panel=_TOK)]


def languages_option(value: str | None) -> tuple[str, ...]:
    """``--languages en,zh,es`` as TokenizeConfig.languages (sorted; en and zh always included)."""
    from textprofile.core.config import normalize_languages

    if value is None:
        return TokenizeConfig.languages
    return normalize_languages(value.split(","))


def tokenize_config(options: dict[str, Any]):
    """The TokenizeConfig of the tokenizing options in ``options`` (a command's ``locals()``)."""

    config = TokenizeConfig(
        user_dicts=tuple(options.get("user_dict") or ()),
        stopword_files=tuple(options.get("stopwords") or ()),
        keep_single_han=tuple(options.get("keep_single") or ()),
        phrases=bool(options.get("phrases", False)),
        phrase_min_count=options.get("phrase_min_count", PHRASE_MIN_COUNT),
        phrase_threshold=options.get("phrase_threshold", PHRASE_THRESHOLD),
        languages=languages_option(options.get("languages")),
    )
    config.validate()  # even with --no-phrases: a bad value given is a mistake to report
    return config


def configs_from_options(options: dict[str, Any]):
    """Check the load/tokenize options (a command's ``locals()``) and build their configs."""
    import dataclasses

    from textprofile.core.config import LoadConfig
    from textprofile.core.errors import ConfigError
    from textprofile.core.workspace import check_name

    check_name(options["name"])
    if options.get("channel") and options.get("channel_col"):
        raise ConfigError("pass either --channel or --channel-col, not both")
    if options.get("row_as_customer") and options.get("customer_col"):
        raise ConfigError("pass either --customer-col or --row-as-customer, not both")
    if options.get("max_text_chars", 1) < 1:
        raise ConfigError(f"--max-text-chars must be at least 1 (got {options['max_text_chars']})")
    values = {f.name: options[f.name] for f in dataclasses.fields(LoadConfig) if f.name in options}
    if values.get("channel"):
        values["channel"] = values["channel"].strip().lower()
    return LoadConfig(**values), tokenize_config(options)
