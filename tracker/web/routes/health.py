"""`/healthz` for operators: the database answers and its schema is the newest one."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from tracker import __version__
from tracker.db import current_revision, head_revision

router = APIRouter()
FAVICON = Path(__file__).resolve().parent.parent / "static" / "favicon.svg"


@router.api_route("/healthz", methods=["GET", "HEAD"])
def healthz(request: Request) -> JSONResponse:
    """No personal data and no session: safe for a load balancer to poll."""
    try:
        revision = current_revision(request.app.state.engine)
    except SQLAlchemyError as exc:
        problem = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return JSONResponse({"status": "error", "database": problem}, status_code=503)
    newest = head_revision()
    body = {
        "status": "ok" if revision == newest else "error",
        "version": __version__,
        "schema": revision,
        "newest_schema": newest,
    }
    return JSONResponse(body, status_code=200 if revision == newest else 503)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """Browsers ask for it on pages without a link to the icon (the public JSON feed)."""
    return FileResponse(FAVICON, media_type="image/svg+xml")
