"""Screening's memory built in a thread when `tracker serve` starts: the server answers at
once, and the first manifest pushed after the warm-up does not wait the seconds it takes."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from tracker.db import transaction
from tracker.services.screening import warm_screening
from tracker.settings import Settings

log = logging.getLogger(__name__)


class ScreeningWarmUp:
    """One warm-up at start. ``ready`` is set when it ended, ``outcome`` says how: ``warm``,
    ``no_model`` (nothing to screen with yet: the first manifest after training builds it)
    or ``failed`` (logged; the first manifest builds it)."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings):
        self.sessions = sessions
        self.settings = settings
        self.ready = threading.Event()
        self.outcome = "warming"
        self._thread = threading.Thread(target=self._run, name="screening-warm-up", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            with transaction(self.sessions) as session:
                warmed = warm_screening(session, self.settings)
            self.outcome = "warm" if warmed else "no_model"
            if warmed:
                log.info("screening warmed: register index and travel counts held")
            else:
                log.info("screening not warmed: no matching model is stored yet")
        except Exception:
            self.outcome = "failed"
            log.exception("screening warm-up failed; the first manifest builds the memory")
        finally:
            self.ready.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Wait a little for a warm-up still running (it reads only; a daemon thread)."""
        self._thread.join(timeout)
