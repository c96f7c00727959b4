"""The API's documented shapes (/openapi.json). Routes return the library's dicts as they are;
these models only describe them (schemathesis checks that every response matches)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from textprofile.pipeline.infer import MAX_KEYWORDS, MAX_TEXTS


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


class Neighbour(_Doc):
    customer_id: str
    distance: float
    top_topic_id: int
    top_label: str


class Similar(_Doc):
    """``textprofile profile similar ID --model NAME -n N --json``."""

    customer_id: str
    model: str
    metric: str
    similar: list[Neighbour]


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
        # JSON Schema's integer: 10 and 10.0, but neither "10" nor true
        if isinstance(v, (str, bool)):
            raise ValueError("keywords must be a JSON integer")  # noqa: TRY004 - pydantic wants ValueError
        return v


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
