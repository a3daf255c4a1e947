"""An offender's page: the whole record on one screen, reached from every flag and every queue
row. A page over ``tracker.services.offenders.show_offender``, the CLI's own function: it
checks the role, decides what the reader may see and logs the opening as a consultation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from tracker.schemas.limits import IDENTIFIER_LIMIT
from tracker.services.offenders import OffenderNotFound, show_offender
from tracker.web import views
from tracker.web.pages import signed_in
from tracker.web.redirects import safe_local_path

router = APIRouter()

#: A register reference as the address gives it; longer than the register allows is no one.
OffenderReference = Annotated[str, Path(min_length=1, max_length=IDENTIFIER_LIMIT)]


@router.get("/offenders/{offender_id:path}")
def offender_page(request: Request, offender_id: OffenderReference, back: str = "") -> Response:
    with signed_in(request) as p:
        try:
            record = show_offender(p.db, p.actor.name, offender_id)
        except OffenderNotFound as exc:
            raise HTTPException(404, detail=str(exc)) from exc
        return p.render(
            "offender.html",
            r=record,
            offender=record.offender,
            register=views.register_view(record.offender, record.restricted_shown),
            back=safe_local_path(back, "") if back else "",
            here=request.url.path,
        )
