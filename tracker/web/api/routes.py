"""The API's two routes: push a manifest, read a screening. Each admits the call by its token
(``auth``), hands the checked request to one use case in ``tracker.services.screening`` and
answers its outcome as JSON; refusals of the use case are problems, written to the trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from tracker.db import transaction
from tracker.row_ids import MAX_ROW_ID
from tracker.schemas.screening import ScreeningOutcome
from tracker.services.screening import (
    ScreeningNotFound,
    ScreeningRefused,
    screen_manifest,
    show_screening,
)
from tracker.services.tokens import AdmittedCall, record_repeated_manifest
from tracker.web.api.auth import MANIFESTS_WRITE, SCREENINGS_READ, admitted, client_of, refuse
from tracker.web.api.problems import ApiProblem, documented, refusal_problem
from tracker.web.api.pushed import MANIFEST_OPENAPI, Manifest, ManifestWriter, PushedManifest

router = APIRouter()
Reader = Annotated[
    AdmittedCall, Depends(admitted("consultation", SCREENINGS_READ, MANIFESTS_WRITE))
]
ScreeningId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The screening's id.")]


def _screened(request: Request, caller: AdmittedCall, manifest: PushedManifest) -> ScreeningOutcome:
    """The use case in one transaction (committed before the answer is sent); a manifest
    sent again is written to the trail too."""
    state = request.app.state
    with transaction(state.sessions) as session:
        outcome = screen_manifest(
            session,
            caller.sender,
            manifest.body,
            manifest.content_type,
            manifest.idempotency_key,
            settings=state.installation,
        )
        if outcome.duplicate and caller.name is not None:
            record_repeated_manifest(
                session, caller.name, outcome.id, client_of(request), request.url.path
            )
        return outcome


@router.post(
    "/manifests",
    summary="Push a manifest to screen it now",
    description="Reads the travellers of a PAXLST or PNRGOV interchange, a travel CSV or "
    "JSON Lines, screens them against the register and answers the screening (201, with "
    "its address in `Location`). The same manifest sent again with the same "
    "`Idempotency-Key` answers the first screening (200) and stores nothing twice; another "
    "manifest under a used key is refused (409). Refusals: 400 (empty body, bad key), 413 "
    "(too large), 415 (not a manifest's type, an EDIFACT without PAXLST or PNRGOV), 409 "
    "(key reused), 422 (unreadable otherwise), 503 with `Retry-After` (no matching model "
    "stored yet). Needs scope manifests:write.",
    status_code=201,
    response_model=ScreeningOutcome,
    responses={
        200: {"model": ScreeningOutcome, "description": "Sent before: the first screening"},
        **documented(400, 401, 403, 409, 413, 415, 422, 429, 503),
    },
    openapi_extra=MANIFEST_OPENAPI,
)
async def push_manifest(
    request: Request, caller: ManifestWriter, manifest: Manifest
) -> JSONResponse:
    try:
        outcome = await run_in_threadpool(_screened, request, caller, manifest)
    except ScreeningRefused as exc:
        problem = refusal_problem(exc.code, str(exc))
        raise await refuse(request, caller, "collection", problem) from None
    location = f"{request.scope.get('root_path', '')}/screenings/{outcome.id}"
    return JSONResponse(
        outcome.to_json(),
        status_code=200 if outcome.duplicate else 201,
        headers={"Location": location},
    )


def _shown(request: Request, sender: str, screening_id: int) -> ScreeningOutcome:
    with transaction(request.app.state.sessions) as session:
        return show_screening(session, sender, screening_id)


@router.get(
    "/screenings/{screening_id}",
    summary="Read a screening",
    description="What a screening found: travellers read and rejected, hits with their "
    "band, probability and reasons, and the level-one alerts raised. A token with "
    "manifests:write reads only the screenings it sent (any other id is 404); a token with "
    "screenings:read alone (a control room's) reads any. Needs scope screenings:read or "
    "manifests:write.",
    response_model=ScreeningOutcome,
    responses=documented(401, 403, 404, 429),
)
async def read_screening(
    request: Request, caller: Reader, screening_id: ScreeningId
) -> JSONResponse:
    try:
        outcome = await run_in_threadpool(_shown, request, caller.sender, screening_id)
    except ScreeningNotFound:
        problem = ApiProblem(404, "not-found", f"no screening {screening_id} sent by this token")
        raise await refuse(request, caller, "consultation", problem) from None
    return JSONResponse(outcome.to_json())
