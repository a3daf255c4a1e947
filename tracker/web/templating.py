"""Jinja2 set up once: every template autoescaped, so a name holding markup shows as text."""

from __future__ import annotations

from datetime import date, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from tracker.web.session import CSRF_FIELD


def _when(value: datetime | date | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return value.strftime(pattern + (" UTC" if value.tzinfo else ""))
    return value.isoformat()


def _weight(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}"


def _probability(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def _words(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _csrf_token(request: Request) -> str:
    return request.scope["web_session"].csrf_token()


def make_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("tracker", "web/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(when=_when, weight=_weight, probability=_probability, words=_words)
    environment.globals.update(csrf_token=_csrf_token, csrf_field=CSRF_FIELD)
    return environment


def make_templates() -> Jinja2Templates:
    return Jinja2Templates(env=make_environment())
