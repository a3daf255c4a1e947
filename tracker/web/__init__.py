"""The analysts' web application (issue #11): `tracker serve`, over the same services."""

from tracker.web.app import create_app

__all__ = ["create_app"]
