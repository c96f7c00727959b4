"""The API's documented shapes (/openapi.json). Routes return the library's dicts as they are;
these models only describe them (schemathesis checks that every response matches)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from textprofile.pipeline.infer import MAX_KEYWORDS, MAX_TEXTS


def json_number(v, name: str):
    """JSON Schema's numbers: 10 and 10.0, but neither "10" nor true (pydantic would convert them)."""
    if isinstance(v, (str, bool)):
        raise ValueError(f"{name} must be a JSON number")  # noqa: TRY004 - pydantic wants ValueError
    return v


class _Doc(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorBody(BaseModel):
    error: str = Field(description="A stable code: bad_request, unauthorized, not_found, payload_too_large, ...")
    detail: dict[str, Any] = Field(description="``message`` (one line, names the fix) and any structured extras")


class Interest(_Doc):
    topic_id: int
    label: str
    share: float


class Keyword(_Doc):
    term: str
    score: float


class Segment(_Doc):
    segment_id: int
    description: str


class Card(_Doc):
    """``textprofile profile show ID --model NAME --json``."""

    customer_id: str
    model: str
    behaviour: dict[str, float | int | str | None]
    interests: list[Interest]
    keywords: list[Keyword]
    segment: Segment | None


class Why(_Doc):
    shared_interests: list[Interest]
    shared_keywords: list[str]


class Neighbour(_Doc):
    customer_id: str
    score: float = Field(description="higher is closer; see metric")
    top_topic_id: int | None
    top_label: str | None
    why: Why


class Similar(_Doc):
    """``textprofile profile similar ID --model NAME -n N --by B --json``."""

    customer_id: str
    model: str
    by: str
    metric: str
    settings: dict[str, float]
    similar: list[Neighbour]


MAX_SEEDS = 10_000
MAX_PAGE = 1000


class AudienceRequest(BaseModel):
    """``textprofile audience``: ``like`` (seed ids) or ``topic`` (+ ``min_share``), with filters."""

    # exactly one of like and topic, stated in the schema too (a client generating bodies from
    # /openapi.json must not be able to build a valid one that the endpoint rejects)
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "anyOf": [{"required": ["like"], "properties": {"like": {"type": "array"}}},
                  {"required": ["topic"], "properties": {"topic": {"type": "integer"}}}],
        "not": {"required": ["like", "topic"], "properties": {"like": {"type": "array"}, "topic": {"type": "integer"}}},
    })

    like: list[Annotated[str, Field(min_length=1, max_length=256)]] | None = Field(
        None, min_length=1, max_length=MAX_SEEDS, description=f"seed customer ids (1 to {MAX_SEEDS:,})")
    topic: int | None = Field(None, ge=0, le=100_000, description="select by interest in this topic id instead")
    min_share: float | None = Field(None, ge=0, le=1, description="with topic: the least share of it")
    min_comments: int | None = Field(None, ge=0, le=10**9)
    active_days: float | None = Field(None, ge=0, le=10**6, description="last seen at most this many days before as-of")
    channel: Literal["review", "chat", "social"] | None = None
    by: Literal["mixed", "keywords", "topics"] = "mixed"
    limit: int = Field(100, ge=1, le=MAX_PAGE, description=f"members per page (1 to {MAX_PAGE:,})")
    cursor: str | None = Field(None, pattern=r"^[0-9]{1,9}$", description="next_cursor of the previous page")

    @field_validator("topic", "min_share", "min_comments", "active_days", "limit", mode="before")
    @classmethod
    def _number(cls, v, info):
        return json_number(v, info.field_name)

    @model_validator(mode="after")
    def _one_selection(self) -> AudienceRequest:
        if (self.like is None) == (self.topic is None):
            raise ValueError("give either like (seed customer ids) or topic (with min_share), not both")
        return self


class Member(_Doc):
    customer_id: str
    score: float
    why: Why | None = None


class Audience(_Doc):
    """``textprofile audience NAME ... --json``, one page of its members."""

    name: str
    mode: str
    size: int = Field(description="members on this page")
    members: list[Member]
    next_cursor: str | None


class Topic(_Doc):
    id: int
    label: str
    share: float
    terms: list[tuple[str, float]]


class Topics(_Doc):
    """``textprofile topics list NAME --json``."""

    name: str
    topics: list[Topic]


class SegmentEntry(_Doc):
    segment_id: int
    size: int
    description: str
    top_topics: list[dict[str, Any]]
    behaviour: dict[str, Any]


class Segments(_Doc):
    model: str
    segments: list[SegmentEntry]


class ModelEntry(_Doc):
    name: str
    customers: int
    topics: int
    method: str | None
    as_of: str | None


class Models(_Doc):
    models: list[ModelEntry]


class InferRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texts: list[str] = Field(min_length=1, max_length=MAX_TEXTS,
                             description=f"1 to {MAX_TEXTS:,} texts; the whole body at most 1 MB")
    keywords: int = Field(10, ge=0, le=MAX_KEYWORDS, description="TF-IDF keywords per text")

    @field_validator("keywords", mode="before")
    @classmethod
    def _number(cls, v):
        return json_number(v, "keywords")


class Inferred(_Doc):
    lang: str
    n_tokens: int = Field(description="words the model knows; 0 means the mixture is the prior")
    interests: list[Interest]
    keywords: list[Keyword]


class Inference(_Doc):
    model: str
    results: list[Inferred]


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    models: int
