"""`tracker serve`: the web application."""

from __future__ import annotations

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.options import PORT


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=PORT)
@pass_app
def serve(app: AppContext, host: str, port: int) -> None:
    """The analysts' web application on the unit's intranet (sign in with a password set by
    `tracker users set-password`), and the API for border systems under /api/v1 (tokens from
    `tracker tokens create`). Put it behind the unit's TLS proxy for Secure cookies."""
    import uvicorn

    from tracker.web import create_app
    from tracker.web.clients import TrustedProxiesError
    from tracker.web.settings import SecretKeyError

    app.sessions()  # refuses plainly when the schema is missing or out of date
    try:
        web = create_app(app.settings)
    except (SecretKeyError, TrustedProxiesError) as exc:
        raise click.ClickException(str(exc)) from exc
    proxies = [str(network) for network in web.state.settings.trusted_proxies]
    click.echo(f"tracker web application on http://{host}:{port}/ (Ctrl+C stops it)")
    click.echo(f"API for border systems on http://{host}:{port}/api/v1/ (OpenAPI: openapi.json)")
    # Forwarded headers only from TRACKER_TRUSTED_PROXIES (none by default).
    uvicorn.run(
        web,
        host=host,
        port=port,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        server_header=False,
        log_level="info",
    )
