"""A manifest as a border system pushes it: its type, its idempotency key and its body, each
checked before the manifest is screened.

The body is read as it arrives and refused (413) as soon as it passes the limit: a declared
``Content-Length`` over it is refused before a byte is read, and a chunked body is never held
beyond the limit, so a large or endless upload costs at most the limit in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from tracker.services.tokens import AdmittedCall
from tracker.web.api.auth import MANIFESTS_WRITE, admitted, refuse
from tracker.web.api.problems import ApiProblem

CONTENT_TYPES = {
    "application/edifact": "A PAXLST or PNRGOV interchange (UN/EDIFACT).",
    "text/csv": "A travel CSV of the data contract, with its header row.",
    "application/x-ndjson": "Travel records of the data contract as JSON Lines.",
}
MAX_KEY_LENGTH = 200
IDEMPOTENCY_HEADER = "Idempotency-Key"

ManifestWriter = Annotated[AdmittedCall, Depends(admitted("collection", MANIFESTS_WRITE))]


@dataclass(frozen=True)
class PushedManifest:
    body: bytes
    content_type: str
    idempotency_key: str


def checked_content_type(header: str | None) -> str:
    """The media type, lower case, without parameters (a charset is the reader's to find)."""
    media_type = (header or "").split(";")[0].strip().lower()
    if media_type not in CONTENT_TYPES:
        shown = repr(media_type[:100]) if media_type else "none"
        raise ApiProblem(
            415,
            "unsupported-media-type",
            f"Content-Type {shown} is not a manifest; send one of {', '.join(CONTENT_TYPES)}",
        )
    return media_type


def checked_idempotency_key(value: str | None) -> str:
    """1 to 200 printable ASCII characters, chosen by the sender once per manifest."""
    if value is None or not value.strip():
        raise ApiProblem(
            400,
            "idempotency-key-missing",
            f"the {IDEMPOTENCY_HEADER} header is required: one key per manifest, the same "
            "key when the same manifest is sent again",
        )
    if len(value) > MAX_KEY_LENGTH or not all(" " <= c <= "~" for c in value):
        raise ApiProblem(
            400,
            "idempotency-key-invalid",
            f"the {IDEMPOTENCY_HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters",
        )
    return value.strip()


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(413, "too-large", f"the manifest is larger than {limit} bytes")


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to pass ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ApiProblem(400, "bad-request", "Content-Length is not a number")
        if int(declared) > limit:
            raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        if len(body) + len(chunk) > limit:
            raise _too_large(limit)
        body += chunk
    if not body:
        raise ApiProblem(400, "empty-manifest", "the manifest is empty")
    return bytes(body)


async def pushed_manifest(request: Request, caller: ManifestWriter) -> PushedManifest:
    """The manifest of an admitted call; each refusal is written to the trail."""
    try:
        content_type = checked_content_type(request.headers.get("content-type"))
        key = checked_idempotency_key(request.headers.get(IDEMPOTENCY_HEADER))
        body = await read_limited(request, request.app.state.api_settings.max_body_bytes)
    except ApiProblem as problem:
        raise await refuse(request, caller, "collection", problem) from None
    return PushedManifest(body, content_type, key)


Manifest = Annotated[PushedManifest, Depends(pushed_manifest)]

# The OpenAPI description of the request: its body types and the idempotency key.
MANIFEST_OPENAPI: dict = {
    "parameters": [
        {
            "name": IDEMPOTENCY_HEADER,
            "in": "header",
            "required": True,
            "description": "The sender's key for this manifest (1 to 200 printable ASCII "
            "characters). Sending the same manifest again with the same key gives the same "
            "screening (200) and stores nothing twice.",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
        }
    ],
    "requestBody": {
        "required": True,
        "description": "The manifest, at most the configured size (5 MiB by default).",
        "content": {
            media_type: {"schema": {"type": "string", "format": "binary", "description": text}}
            for media_type, text in CONTENT_TYPES.items()
        },
    },
}
