"""The ``/v1`` endpoints. Each one validates its input, takes the model's current store or model
from the pool and returns what the matching pipeline function returns (the CLI's ``--json``).

Adding an endpoint is a few lines: a route that takes a pooled store and returns
``ok(pipeline_function(store, ...))``; see ``customer`` for the pattern.
"""

from __future__ import annotations

import difflib
import functools
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from textprofile.core.errors import TextProfileError
from textprofile.pipeline import lookup
from textprofile.pipeline.audience import MAX_AUDIENCE, select_audience
from textprofile.pipeline.infer import TextModel
from textprofile.serve import schemas
from textprofile.serve.auth import TokenCheck, bearer
from textprofile.serve.batch import CardLookups
from textprofile.serve.errors import ApiError, text_profile_error
from textprofile.serve.pool import StorePool

MAX_ID_CHARS = 256
CARD_PATH = "/v1/models/{model}/customers/{customer_id:path}"  # also answered by fastpath.CardFastPath
MAX_NEIGHBOURS = 100
MODEL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"  # core.workspace.check_name, as a schema

ModelName = Annotated[str, Path(pattern=MODEL_PATTERN, description="A served model (GET /v1/models)")]
CustomerId = Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS,
                                 description="Customer id exactly as in the export (URL-encoded)")]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {400: "Malformed request (bad JSON, nested too deep)", 401: "Missing or invalid API token",
            404: "Unknown model or customer (with close ids as suggestions)", 409: "The model's files are not in a usable state",
            413: "Request body over 1 MB", 422: "Parameters or body do not match the schema"}
    return {c: {"model": schemas.ErrorBody, "description": text[c]} for c in codes}


def ok(obj: Any) -> Response:
    """A JSON 200. orjson: a fifth of the CPU json.dumps takes, which was a tenth of a lookup's."""
    return Response(orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS), media_type="application/json")


_allowed_query: dict[int, frozenset[str]] = {}


async def reject_unknown_query(request: Request) -> None:
    """422 for a query parameter the endpoint does not declare (a typo must not be ignored)."""
    if not request.query_params:
        return
    route = request.scope.get("route")
    allowed = _allowed_query.get(id(route))
    if allowed is None:
        allowed = _allowed_query[id(route)] = frozenset(_query_names(route.dependant))
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ApiError(422, f"unknown query parameter(s): {', '.join(unknown)}"
                       + (f"; this endpoint takes: {', '.join(sorted(allowed))}" if allowed else "; this endpoint takes none"),
                       unknown=unknown)


def _query_names(dependant) -> list[str]:
    names = [p.alias for p in dependant.query_params]
    for sub in dependant.dependencies:
        names += _query_names(sub)
    return names


def build_router(pool: StorePool, tokens: TokenCheck, cards: CardLookups) -> APIRouter:
    router = APIRouter(
        prefix="/v1",
        dependencies=[Depends(bearer), Depends(tokens), Depends(reject_unknown_query)],
        responses=_errors(401, 422),
    )

    def served(model: str) -> str:
        names = pool.names()
        if model not in names:
            close = difflib.get_close_matches(model, names, n=3, cutoff=0.5)
            raise ApiError(404, f"model {model!r} is not served", suggestions=close, models=names)
        return model

    def library(call, *args):
        try:
            return call(*args)
        except TextProfileError as e:
            raise text_profile_error(e) from None

    @router.get("/models", response_model=None, responses={200: {"model": schemas.Models}})
    def models() -> Response:
        """The served models (name, customers, topics, as-of date)."""
        out = []
        for name in pool.names():
            try:
                with pool.store(name) as store:
                    out.append(lookup.model_entry(store))
            except TextProfileError:
                continue  # reported by /readyz
        return ok({"models": out})

    @router.get("/models/{model}/topics", response_model=None,
                responses={200: {"model": schemas.Topics}, **_errors(404, 409)})
    def topics(model: ModelName) -> Response:
        """Each topic's id, share, label and top terms (``topics list NAME --json``)."""
        fm = library(pool.cached, "fitted", served(model), lookup.open_model)
        return ok(lookup.topic_list(fm, model))

    @router.get("/models/{model}/segments", response_model=None,
                responses={200: {"model": schemas.Segments}, **_errors(404)})
    def segments(model: ModelName) -> Response:
        """The model's customer segments with sizes and descriptions."""
        with pool.store(served(model)) as store:
            return ok(library(lookup.segment_list, store))

    # `:path` lets ids contain "/" (sent as %2F); /similar is declared first so it matches first
    @router.get("/models/{model}/customers/{customer_id:path}/similar", response_model=None,
                responses={200: {"model": schemas.Similar}, **_errors(404)})
    def similar(model: ModelName, customer_id: CustomerId,
                n: Annotated[int, Query(ge=1, le=MAX_NEIGHBOURS, description="How many neighbours")] = 10,
                by: Annotated[Literal["mixed", "keywords", "topics"],
                              Query(description="mixed (keywords and topics), keywords or topics")] = "mixed",
                ) -> Response:
        """The customers most like this one, with why (``profile similar ID -n N --by B --json``)."""
        with pool.store(served(model)) as store:
            if store.get(customer_id) is None:
                raise _unknown_customer(store, customer_id)
            return ok(library(lookup.similar_in_store, store, customer_id, n, by))

    def unknown_customer(model: str, customer_id: str) -> ApiError:
        with pool.store(model) as store:
            return _unknown_customer(store, customer_id)

    @router.get(CARD_PATH.removeprefix("/v1"), response_model=None,
                responses={200: {"model": schemas.Card}, **_errors(404)})
    async def customer(model: ModelName, customer_id: CustomerId) -> Response:
        """One customer's profile card (``profile show ID --model NAME --json``)."""
        name = served(model)
        try:
            card = await cards.get(name, customer_id)
        except TextProfileError as e:
            raise text_profile_error(e) from None
        if card is None:
            raise await run_in_threadpool(unknown_customer, name, customer_id)
        return ok(card)

    @router.post("/models/{model}/infer", response_model=None,
                 responses={200: {"model": schemas.Inference}, **_errors(400, 404, 409, 413)})
    def infer(model: ModelName, body: schemas.InferRequest) -> Response:
        """Topic mixture and keywords of new texts with the saved model, tokenized as ``load`` does."""
        tm = library(pool.cached, "text", served(model), TextModel)
        return ok(library(tm.infer, body.texts, body.keywords))

    @router.post("/models/{model}/audience", response_model=None,
                 responses={200: {"model": schemas.Audience}, **_errors(400, 404, 413)})
    def audience(model: ModelName, body: schemas.AudienceRequest) -> Response:
        """A lookalike audience of seed ids, or the customers interested in a topic, paged
        (``textprofile audience NAME --like FILE | --topic ID --min-share X ... --json``)."""
        start = int(body.cursor or 0)
        with pool.store(served(model)) as store:
            result = library(functools.partial(
                select_audience, store, like=body.like, topic=body.topic, min_share=body.min_share,
                n=min(start + body.limit + 1, MAX_AUDIENCE), min_comments=body.min_comments, active_days=body.active_days,
                channel=body.channel, by=body.by))
        members = result["members"]
        page = members[start:start + body.limit]
        more = len(members) > start + body.limit
        return ok({**result, "members": page, "size": len(page),
                   "next_cursor": str(start + body.limit) if more else None})

    return router


def _unknown_customer(store, customer_id: str) -> ApiError:
    return ApiError(404, f"customer {customer_id!r} not found in model {store.model!r}",
                    suggestions=store.suggest(customer_id))
