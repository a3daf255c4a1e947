"""Intelligence packages for liaison officers: build one from a confirmed travel flag (the
CLI's use case, ``tracker.services.packages``: the disclosure is logged there), then download
its zip.

A refusal caused by the server's own set-up (no signing key, a folder it cannot write) is
shown without the server's paths, which the CLI prints to the operator on their own machine;
the full message goes to the server's log for the administrator.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from tracker.reports.package_facts import PackageRefused
from tracker.reports.package_folder import discard_package
from tracker.reports.packages import (
    DEFAULT_GRADING,
    PackageOptionError,
    make_request,
)
from tracker.reports.signing import SigningKeyError
from tracker.schemas.package import HANDLING_LABELS
from tracker.services.packages import (
    NoSuchPackage,
    build_package,
    download_package,
    package_desk,
)
from tracker.web.ids import FormRowId, PackageName
from tracker.web.pages import Page, signed_in

router = APIRouter()
LOG = logging.getLogger("tracker.web")

NO_KEY = (
    "this server has no usable signing key for packages, so nothing was built; an "
    "administrator or a liaison officer sets it up once by running `tracker keys init` on "
    "the server, then build again: what you typed is kept"
)
NO_FOLDER = (
    "this server could not write the package, so nothing was built; an administrator "
    "must check its packages folder"
)


def shown_problem(exc: PackageOptionError | PackageRefused | OSError) -> str:
    """What the officer may read: a set-up problem in words, without the server's paths."""
    cause = exc.__cause__ if isinstance(exc, PackageRefused) else exc
    if isinstance(cause, SigningKeyError):
        shown = NO_KEY
    elif isinstance(cause, OSError):
        shown = NO_FOLDER
    else:
        return str(exc)
    LOG.warning("package refused: %s", exc)
    return shown


def _render(
    p: Page, status_code: int = 200, error: str | None = None, form: dict | None = None
) -> Response:
    desk = package_desk(p.db, p.actor.name, p.request.app.state.settings.installation.keys_dir)
    return p.render(
        "packages.html",
        status_code=status_code,
        error=error,
        form=form or {},
        candidates=desk.candidates,
        packages=desk.packages,
        signing_key_id=desk.signing_key_id,
        default_grading=DEFAULT_GRADING,
        handling=HANDLING_LABELS,
    )


@router.get("/packages")
def packages(request: Request) -> Response:
    with signed_in(request) as p:
        return _render(p)


@router.post("/packages")
def build(
    request: Request,
    flag_id: FormRowId,
    country: str = Form(""),
    agency: str = Form(""),
    grading: str = Form(DEFAULT_GRADING),
    handling: str = Form("P"),
    conditions: str = Form(""),
    reason: str = Form(""),
) -> Response:
    settings = request.app.state.settings
    form = {
        "flag_id": flag_id,
        "country": country,
        "agency": agency,
        "grading": grading,
        "handling": handling,
        "conditions": conditions,
        "reason": reason,
    }
    built = None
    try:
        request_ = make_request(
            flag_id=flag_id,
            country=country,
            out_dir=settings.packages_dir,
            reason=reason,
            agency=agency or None,
            grading=grading,
            handling=handling,
            conditions=conditions or None,
            home_country=settings.installation.home_country,
        )
        with signed_in(request) as p:
            built = build_package(
                p.db, p.actor.name, request_, settings.installation, own_folder=True
            )
            note = "".join(f" Warning: {w}" for w in built.warnings)
            response = p.redirect(
                "/packages",
                (
                    "success",
                    (
                        f"Package {built.package_id} built for flag {flag_id} to {built.agency}; "
                        f"the flag is now actioned and the disclosure is in the audit trail.{note}"
                    ),
                ),
            )
        return response
    except (PackageOptionError, PackageRefused, OSError) as exc:
        if built is not None:
            discard_package(built)
        problem = shown_problem(exc)
    except BaseException:
        if built is not None:
            discard_package(built)
        raise
    with signed_in(request) as p:
        return _render(p, 422, problem, form)


@router.get("/packages/{package_id}.zip")
def download(request: Request, package_id: PackageName) -> Response:
    """The zip, to send to the partner; each download is logged as a consultation."""
    with signed_in(request) as p:
        try:
            data = download_package(p.db, p.actor.name, package_id)
        except NoSuchPackage as exc:
            return p.render(
                "error.html", status_code=404, title="No such package", message=str(exc)
            )
    return Response(
        data,
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{package_id}.zip"'},
    )
