"""Intelligence packages for liaison officers: build one from a confirmed travel flag with
``build_package`` (the CLI's function: the disclosure is logged there), then download its zip.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from tracker.audit import record_event
from tracker.models import Package
from tracker.reports.packages import (
    DEFAULT_GRADING,
    HANDLING_LABELS,
    PackageOptionError,
    PackageRefused,
    build_package,
    discard_package,
    list_packages,
    make_request,
)
from tracker.review.queue import QueueFilter, review_queue
from tracker.web.pages import Page, page

router = APIRouter()


def _render(p: Page, status_code: int = 200, error: str | None = None,
            form: dict | None = None) -> Response:  # fmt: skip
    confirmed = review_queue(p.db, QueueFilter(statuses=("confirmed",)), page_size=200)
    candidates = [r for r in confirmed.rows if r["travel"]]
    return p.render("packages.html", status_code=status_code, error=error, form=form or {},
                    candidates=candidates, packages=list_packages(p.db),
                    default_grading=DEFAULT_GRADING, handling=HANDLING_LABELS)  # fmt: skip


@router.get("/packages")
def packages(request: Request) -> Response:
    with page(request, "package.build") as p:
        return _render(p)


@router.post("/packages")
def build(request: Request, flag_id: int = Form(...), country: str = Form(""),
          agency: str = Form(""), grading: str = Form(DEFAULT_GRADING),
          handling: str = Form("P"), conditions: str = Form(""),
          reason: str = Form("")) -> Response:  # fmt: skip
    settings = request.app.state.settings
    form = {"flag_id": flag_id, "country": country, "agency": agency, "grading": grading,
            "handling": handling, "conditions": conditions, "reason": reason}  # fmt: skip
    built = None
    try:
        request_ = make_request(flag_id=flag_id, country=country, out_dir=settings.packages_dir,
                                reason=reason, agency=agency or None, grading=grading,
                                handling=handling, conditions=conditions or None,
                                home_country=settings.installation.home_country)  # fmt: skip
        with page(request, "package.build") as p:
            built = build_package(p.db, p.actor, request_, settings.installation)
            note = "".join(f" Warning: {w}" for w in built.warnings)
            response = p.redirect("/packages", ("success", (
                f"Package {built.package_id} built for flag {flag_id} to {built.agency}; "
                f"the flag is now actioned and the disclosure is in the audit trail.{note}")))
        return response
    except (PackageOptionError, PackageRefused) as exc:
        problem = str(exc)
    except BaseException:
        if built is not None:
            discard_package(built)
        raise
    with page(request, "package.build") as p:
        return _render(p, 422, problem, form)


@router.get("/packages/{package_id}.zip")
def download(request: Request, package_id: str) -> Response:
    """The zip, to send to the partner; each download is logged as a consultation."""
    with page(request, "package.build") as p:
        package = p.db.query(Package).filter(Package.package_uid == package_id).one_or_none()
        path = Path(package.path + ".zip") if package else None
        if path is None or not path.is_file():
            return p.render("error.html", status_code=404, title="No such package",
                            message=f"no package {package_id!r} on this server")  # fmt: skip
        record_event(p.db, actor=p.actor.name, action="consultation", object_type="package",
                     object_id=package_id, justification="package zip downloaded",
                     details={"flag_id": package.flag_id})  # fmt: skip
        data = path.read_bytes()
    return Response(data, media_type="application/zip", headers={
        "content-disposition": f'attachment; filename="{package_id}.zip"'})  # fmt: skip
