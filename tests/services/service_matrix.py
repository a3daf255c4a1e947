"""The permission matrix at the service level: one row per user action, each tried with every
role. Rows live in ``matrix_cases_*.py`` by area; ``test_permission_matrix.py`` walks them all.

A row names the permission-table action, how to call the service for a person in the small
world below, and which audit action (if any) a permitted call must append.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from factories import add_flag, add_link, add_offender, add_run, add_travel
from sqlalchemy.orm import Session

from tracker.services.people import add_user, deactivate_user

PEOPLE = {"ada": "admin", "ann": "analyst", "sam": "supervisor", "liz": "liaison"}
INACTIVE = "old"  # an analyst whose access was taken back


@dataclass
class World:
    """Ids a service call can refer to: one offender with one linked trip, its open flag."""

    offender_id: str = ""
    offender_pk: int = 0
    flag_id: int = 0
    run_id: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceCase:
    """One user action: ``call(session, who, world, tmp_path)`` runs the service as ``who``."""

    action: str
    call: Callable[[Session, str | None, World, Any], Any]
    audit: str | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return self.label or self.action


def build_world(session: Session) -> World:
    add_user(session, None, "ada", "admin")
    for name, role in PEOPLE.items():
        if name != "ada":
            add_user(session, "ada", name, role)
    add_user(session, "ada", INACTIVE, "analyst")
    deactivate_user(session, "ada", INACTIVE)
    run = add_run(session, as_of=date(2026, 3, 10))
    offender = add_offender(session, offender_id="VR-MATRIX-1", status="wanted")
    trip = add_travel(session, family_name=offender.family_name, given_names="Alex")
    add_link(session, run, trip, offender, 0.99)
    flag = add_flag(session, offender, run, travel_pk=trip.id)
    session.commit()
    return World(offender.offender_id, offender.id, flag.id, run.id)
