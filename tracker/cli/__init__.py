"""The `tracker` command line: parse options, call a service, print. No SQL, no rules here.

One module per command group; this one only puts the groups on the root command.
"""

from __future__ import annotations

from tracker.cli.alerts import alerts
from tracker.cli.app import main
from tracker.cli.audit import audit
from tracker.cli.database import db
from tracker.cli.feed import feed
from tracker.cli.flags import flags
from tracker.cli.ingest import ingest
from tracker.cli.keys import keys
from tracker.cli.links import links
from tracker.cli.match import match
from tracker.cli.nightly import nightly
from tracker.cli.offenders import offenders
from tracker.cli.packages import package
from tracker.cli.report import report, stats
from tracker.cli.review import review
from tracker.cli.screen import screen, watch
from tracker.cli.serve import serve
from tracker.cli.synthetic import demo, generate
from tracker.cli.tokens import tokens
from tracker.cli.users import users

for _command in (
    db,
    stats,
    ingest,
    nightly,
    demo,
    generate,
    links,
    match,
    flags,
    review,
    offenders,
    users,
    tokens,
    audit,
    package,
    keys,
    feed,
    report,
    serve,
    alerts,
    screen,
    watch,
):
    main.add_command(_command)

__all__ = ["main"]
