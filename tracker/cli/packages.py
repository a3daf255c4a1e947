"""`tracker package build | verify | list`: intelligence packages for overseas forces."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.options import ROW_ID, folder_to_write
from tracker.cli.output import emit, listing_output
from tracker.db import transaction
from tracker.tabular import Column, render

LIST_COLUMNS = (
    Column("package_id", "package"),
    Column("flag_id", "flag", align=">"),
    Column("country", "to"),
    Column("agency", shown=lambda agency: agency[:28]),
    Column("grading", "grade"),
    Column("handling"),
    Column("created_by", "by"),
    Column("created_at", "created (UTC)", shown=lambda at: f"{at:%Y-%m-%d %H:%M}"),
    Column("path"),
)


@click.group()
def package() -> None:
    """Intelligence packages for overseas forces: minimal, graded, signed, logged."""


@package.command("build")
@click.argument("flag_id", type=ROW_ID)
@click.option(
    "--country",
    required=True,
    metavar="ISO3",
    help="Destination country, ISO 3166-1 alpha-3 (normally where the travel "
    "arrived; a different one is allowed with a warning).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder under which PACKAGE_ID/ and PACKAGE_ID.zip are written; it must exist.",
)
@click.option("--mkdir", is_flag=True, help="Create the --out folder (owner-only) if missing.")
@click.option(
    "--reason",
    required=True,
    help="Why this transfer is necessary (DPA 2018 ss.72-78). Kept in the audit "
    "trail and the disclosure log; not sent.",
)
@click.option(
    "--agency", metavar="TEXT", help="Receiving agency (default: INTERPOL NCB <country name>)."
)
@click.option(
    "--grading",
    default="1B",
    show_default=True,
    metavar="SOURCE+INTEL",
    help="3x5x2 grading: source 1 reliable, 2 untested, 3 not reliable; then "
    "intelligence A-E. 1B: official passenger data, identity corroborated by "
    "an analyst's review.",
)
@click.option(
    "--handling",
    metavar="P|C",
    default="P",
    show_default=True,
    help="P: lawful sharing permitted; C: permitted with conditions (--conditions).",
)
@click.option("--conditions", metavar="TEXT", help="The conditions that travel with handling C.")
@pass_app
def package_build(
    app: AppContext,
    flag_id: int,
    country: str,
    out: Path,
    reason: str,
    agency: str | None,
    grading: str,
    handling: str,
    conditions: str | None,
    mkdir: bool,
) -> None:
    """Build, sign and log the package for a confirmed travel flag (liaison officers only).

    Writes OUT/PACKAGE_ID/ (package.json, summary.html, manifest.json) and OUT/PACKAGE_ID.zip,
    records the disclosure, and marks the flag actioned. The unit's key must exist
    (`tracker keys init`).
    """
    from tracker.reports.package_facts import PackageRefused
    from tracker.reports.package_folder import discard_package
    from tracker.reports.packages import PackageOptionError, make_request
    from tracker.services.packages import build_package

    try:
        request = make_request(
            flag_id=flag_id,
            country=country,
            out_dir=out,
            reason=reason,
            agency=agency,
            grading=grading,
            handling=handling,
            conditions=conditions,
            home_country=app.settings.home_country,
        )
    except PackageOptionError as exc:
        raise click.BadParameter(str(exc), param_hint=exc.option) from exc
    folder_to_write(out, mkdir)  # the options first, then the folder, then the database
    built = None
    try:
        with transaction(app.sessions()) as session:
            try:
                built = build_package(session, app.settings.user, request, app.settings)
            except PackageRefused as exc:
                raise click.ClickException(str(exc)) from exc
    except BaseException:
        if built is not None:
            discard_package(built)
        raise
    for warning in built.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"package {built.package_id} for flag {built.flag_id} to {built.agency} "
        f"({built.country}), signed with key {built.key_id}\n"
        f"  folder {built.folder}\n  zip    {built.zip_path} (sha256 {built.zip_sha256})\n"
        f"flag {built.flag_id} is now actioned; the disclosure is in the audit "
        "trail"
    )


@package.command("verify")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="PEM public key of the signer (default: the unit's own keys, current and replaced).",
)
@pass_app
def package_verify(app: AppContext, path: Path, public_key: Path | None) -> None:
    """Check every hash and the signature of a package folder or zip; name each failure.

    Exit 0 only for an intact, correctly signed package. Needs no database.
    """
    from tracker.reports import signing
    from tracker.reports.packages import trusting, verify_package

    try:
        if public_key is not None:
            trusted = trusting(signing.load_public_key(public_key))
        else:
            trusted = signing.trusted_unit_keys(app.settings.keys_dir)
    except signing.SigningKeyError as exc:
        if public_key is not None:
            raise click.BadParameter(str(exc), param_hint="--public-key") from exc
        raise click.ClickException(str(exc)) from exc
    report = verify_package(path, trusted)
    if report.intact:
        click.echo(
            f"{path}: intact. Package {report.package_id}: {len(report.files)} files, "
            f"every hash matches, signature valid (key {report.key_id})"
        )
        return
    click.echo(
        f"{path}: NOT intact ({len(report.problems)} problem"
        f"{'s' if len(report.problems) != 1 else ''}):",
        err=True,
    )
    for problem in report.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(1)


@package.command("list")
@click.option("--flag", "flag_id", type=ROW_ID, help="Only packages for this flag.")
@click.option("--country", metavar="ISO3", help="Only packages sent to this country.")
@listing_output("table", "csv", "json")
@pass_app
def package_list(
    app: AppContext, flag_id: int | None, country: str | None, fmt: str, out: Path | None
) -> None:
    """Packages built, newest first: id, flag, country, agency, grading, by, when, where
    (liaison, supervisors and admins; listing is logged)."""
    from tracker.services.packages import PACKAGE_COLUMNS, list_packages

    with transaction(app.sessions()) as session:
        rows = list_packages(session, app.settings.user, flag_id=flag_id, country=country)
    if fmt == "table" and not rows:
        emit("no packages yet", out)
        return
    emit(render(rows, LIST_COLUMNS if fmt == "table" else PACKAGE_COLUMNS, fmt), out)
