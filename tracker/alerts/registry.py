"""Which alert dispatcher runs in this process for which database, and the hand-over of
newly raised alerts to it once their transaction commits.

`tracker serve` starts one dispatcher (``tracker.alerts.dispatch.AlertDispatcher``) and
registers it here under its database. ``raise_level_one`` calls ``hand_over_after_commit``:
when the raising transaction commits, the alert's id is queued to that dispatcher, so an API
answer never waits for a mail server and the alert goes out within milliseconds whichever
adapter raised it. With no dispatcher running (the command line), nothing is queued: the
command sends synchronously with ``deliver_alert`` after its commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

RAISED_KEY = "tracker.alerts.raised"

_running: dict[str, Callable[[int], None]] = {}
_lock = threading.Lock()


def database_key(engine: Engine) -> str:
    """One database, however many engines reach it (the password never kept)."""
    return engine.url.render_as_string(hide_password=True)


def register(engine: Engine, submit: Callable[[int], None]) -> None:
    with _lock:
        _running[database_key(engine)] = submit


def unregister(engine: Engine, submit: Callable[[int], None]) -> None:
    with _lock:
        if _running.get(database_key(engine)) == submit:
            del _running[database_key(engine)]


def running_for(engine: Engine) -> Callable[[int], None] | None:
    """The submit function of the dispatcher running for ``engine``'s database, if any."""
    with _lock:
        return _running.get(database_key(engine))


def hand_over_after_commit(session: Session, alert_id: int) -> None:
    """Queue ``alert_id`` to this database's dispatcher when (and only if) ``session``
    commits; a rollback forgets it."""
    if RAISED_KEY not in session.info:  # listening once per session, for its lifetime
        event.listen(session, "after_commit", _hand_over)
        event.listen(session, "after_rollback", _forget)
    session.info.setdefault(RAISED_KEY, []).append(alert_id)


def _hand_over(session: Session) -> None:
    raised, session.info[RAISED_KEY] = session.info.get(RAISED_KEY, []), []
    if not raised:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    submit = running_for(engine)
    if submit is not None:
        for alert_id in raised:
            submit(alert_id)


def _forget(session: Session) -> None:
    session.info[RAISED_KEY] = []
