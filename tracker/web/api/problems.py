"""Errors of the API as problem details (RFC 9457): JSON with ``type``, ``title``, ``status``
and ``detail``, served as ``application/problem+json`` and never as a page or a traceback.

``type`` names the kind of problem (``urn:tracker:problem:...``) so a border system can act
on it without reading the English of ``detail``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:tracker:problem:"
LOG = logging.getLogger("tracker.web.api")


class Problem(BaseModel):
    """What went wrong with a call (RFC 9457)."""

    type: str = Field(description="The kind of problem, as a URN such as urn:tracker:problem:…")
    title: str = Field(description="The kind of problem in a few words.")
    status: int = Field(description="The HTTP status of the answer.")
    detail: str = Field(description="What was wrong with this call.")


class ApiProblem(Exception):
    """Raised by the API's routes and guards; answered as a problem by the handler below."""

    def __init__(self, status: int, kind: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.headers = headers or {}


NO_MODEL_RETRY_SECONDS = 600
"""What a 503 asks a sender to wait while no matching model is stored (an admin trains one)."""
REFUSALS: dict[str, tuple[int, str]] = {
    "too_large": (413, "too-large"),
    "content_type": (415, "unsupported-media-type"),
    "message_type": (415, "unsupported-message-type"),
    "key_reused": (409, "idempotency-key-reused"),
    "no_model": (503, "no-model"),
    "empty": (400, "empty-manifest"),
    "idempotency_key": (400, "idempotency-key-invalid"),
}
"""The answer to each refusal code of the screening use case; any other is 422."""


def refusal_problem(code: str, detail: str) -> ApiProblem:
    """The problem a refused manifest is answered with, by the refusal's ``code``."""
    status, kind = REFUSALS.get(code, (422, "manifest-refused"))
    headers = {"Retry-After": str(NO_MODEL_RETRY_SECONDS)} if status == 503 else None
    return ApiProblem(status, kind, detail, headers)


def problem_response(
    status: int, kind: str, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    body = Problem(
        type=TYPE_PREFIX + kind, title=HTTPStatus(status).phrase, status=status, detail=detail
    )
    return JSONResponse(
        body.model_dump(), status_code=status, headers=headers, media_type=MEDIA_TYPE
    )


def documented(*statuses: int) -> dict[int | str, dict]:
    """The OpenAPI ``responses`` entries of a route's problems (a 503's ``Retry-After``)."""
    entries: dict[int | str, dict] = {
        status: {
            "model": Problem,
            "content": {MEDIA_TYPE: {}},
            "description": HTTPStatus(status).phrase,
        }
        for status in statuses
    }
    if 503 in entries:
        entries[503]["description"] = "No matching model is stored yet: retry later"
        entries[503]["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before sending the manifest again.",
                "schema": {"type": "integer"},
            }
        }
    return entries


def _validation_problem(exc: RequestValidationError) -> Response:
    """A path that is not an id is no such resource; a missing or bad header is a bad call."""
    errors = exc.errors()
    if any(error["loc"][:1] == ("path",) for error in errors):
        return problem_response(404, "not-found", "there is no such resource")
    where = ", ".join(
        " ".join(str(part) for part in error["loc"]) + f": {error['msg']}" for error in errors
    )
    return problem_response(400, "bad-request", f"the request is not valid ({where[:500]})")


def add_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def api_problem(request: Request, exc: ApiProblem) -> Response:
        return problem_response(exc.status, exc.kind, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _validation_problem(exc)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        kinds = {404: "not-found", 405: "method-not-allowed"}
        detail = "there is no such resource" if exc.status_code == 404 else str(exc.detail)
        return problem_response(
            exc.status_code, kinds.get(exc.status_code, "error"), detail, exc.headers
        )
