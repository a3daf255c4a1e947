"""A small unit's worth of real data for the web tests: people with passwords, links the real
matcher made (so the waterfall has real weights), flags of every severity, an escalation, a
confirmed flag, a wanted offender, a name holding markup and a run with rejected rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from factories import add_alias, add_flag, add_notification, add_offender, load_population
from sqlalchemy import select

from tracker.db import transaction
from tracker.matching.settings import LinkSettings
from tracker.models import Decision, Link, Offender, Reject, Run, SourceFile, TravelRecord, User
from tracker.services.linking import run_matching
from tracker.services.people import add_user, set_password

PASSWORD = "correct horse battery staple"
PEOPLE = {"ada": "admin", "ann": "analyst", "sam": "supervisor", "liz": "liaison"}
MARKUP_NAME = "<script>alert('x')</script>"
RESTRICTED = {
    "address_line": "1 Hidden Close, Secretbury",
    "postcode": "ZZ9 9ZZ",
    "offence_category": "restricted-offence-category",
}
HARD = {
    "swapped": ("PEMBERTON-OYELARAN", "ZEBEDEE", "1977-09-08", "ZEBEDEE", "PEMBERTON-OYELARAN"),
    "alias": ("KALINOWSKA", "BRONISLAWA", "1969-04-12", "ZIELINSKA", "BRONISLAWA"),
    "translit": ("Жуковский", "Юрий", "1979-06-17", "ZHUKOVSKII", "IURII"),
}


@dataclass
class Scenario:
    flags: dict[str, int] = field(default_factory=dict)
    offenders: dict[str, str] = field(default_factory=dict)
    run_id: int = 0


def _people(s) -> None:
    add_user(s, None, "ada", "admin")
    for name, role in PEOPLE.items():
        if name != "ada":
            add_user(s, "ada", name, role)
    for name in PEOPLE:
        set_password(s, "ada", name, PASSWORD)


def _hard_cases(s) -> dict[str, Offender]:
    made = {}
    for case, (family, given, born, t_family, t_given) in HARD.items():
        extra = RESTRICTED if case == "swapped" else {}
        offender = Offender(
            offender_id=f"VR-HARD-{case}",
            family_name=family,
            given_names=given,
            date_of_birth=date.fromisoformat(born),
            requirement_start=date(2020, 1, 1),
            notification_period="indefinite",
            managing_force="Northshire Police",
            public_id=f"hard-{case}",
            sex="M",
            risk_level="high",
            **extra,
        )
        s.add(offender)
        s.flush()
        if case == "alias":
            add_alias(s, offender, "Zielinska", "Bronislawa", "previous_name")
        add_notification(s, offender, "periodic", date(2026, 1, 5))
        add_notification(
            s, offender, "change_address", date(2026, 2, 2), effective_on=date(2026, 1, 30)
        )
        s.add(
            TravelRecord(
                source="api-test",
                record_id=f"hard-{case}",
                family_name=t_family,
                given_names=t_given,
                date_of_birth=date.fromisoformat(born),
                sex="M",
                direction="out",
                departure_country="GBR",
                arrival_country="THA",
                departure_port="LHR",
                arrival_port="BKK",
                carrier="XX",
                flight_number="XX101",
                departure_time=datetime(2026, 3, 1, 6, 40, tzinfo=UTC),
                departure_local_date=date(2026, 3, 1),
            )
        )
        made[case] = offender
    return made


def _rejects(s, run: Run) -> None:
    source = SourceFile(
        run_id=run.id,
        name="travel-2026-03-10.csv",
        path="inbox/travel.csv",
        kind="travel",
        format="csv",
        sha256="0" * 64,
        size_bytes=100,
        rows_read=5,
        rows_loaded=3,
        rows_rejected=2,
    )
    s.add(source)
    s.flush()
    for line in (3, 4):
        s.add(
            Reject(
                source_file_id=source.id,
                line=line,
                column="departure_time",
                reason="datetime '2026-03-01T06:40' has no offset",
                raw="...",
            )
        )


def build_scenario(sessions, population) -> Scenario:
    scenario = Scenario()
    with transaction(sessions) as s:
        _people(s)
        load_population(s, population)
        hard = _hard_cases(s)
        run = Run(
            as_of=date(2026, 3, 10),
            status="succeeded",
            counts={},
            stage_timings={"ingest": 1.2, "match": 3.4, "compliance": 0.8},
        )
        s.add(run)
        s.flush()
        scenario.run_id = run.id
        run_matching(s, run, LinkSettings(u_sample_pairs=20_000))
        severity = {"swapped": "critical", "alias": "high", "translit": "medium"}
        for case, offender in hard.items():
            travel = s.scalars(select(TravelRecord).filter_by(record_id=f"hard-{case}")).one()
            # The matcher is tuned elsewhere; a hard case it leaves unlinked still gets its flag.
            link = s.scalars(
                select(Link).filter_by(travel_pk=travel.id, offender_pk=offender.id)
            ).one_or_none()
            scenario.flags[case] = add_flag(
                s,
                offender,
                run,
                severity=severity[case],
                travel_pk=travel.id,
                link_id=link.id if link else None,
                match_probability=link.match_probability if link else None,
                due_on=date(2026, 2, 22),
                summary=f"travelled to THA on 2026-03-01 without notice ({case})",
            ).id
            scenario.offenders[case] = offender.offender_id
        marked = add_offender(
            s,
            offender_id="VR-WEB-markup",
            public_id="web-markup",
            family_name=MARKUP_NAME,
            given_names="Bobby <b>Tables</b>",
            managing_force="Northshire Police",
        )
        scenario.flags["markup"] = add_flag(
            s,
            marked,
            run,
            severity="low",
            kind="overdue_periodic",
            due_on=date(2026, 3, 1),
            summary=f"periodic overdue: {MARKUP_NAME}",
        ).id
        escalated = add_offender(
            s,
            offender_id="VR-WEB-escalated",
            public_id="web-escalated",
            managing_force="Southvale Constabulary",
        )
        scenario.flags["escalated"] = add_flag(
            s,
            escalated,
            run,
            severity="high",
            escalated=True,
            kind="late_change",
            due_on=date(2026, 3, 3),
        ).id
        confirmed = add_offender(
            s,
            offender_id="VR-WEB-confirmed",
            public_id="web-confirmed",
            managing_force="Southvale Constabulary",
            risk_level="high",
        )
        flag = add_flag(
            s, confirmed, run, severity="high", status="confirmed", due_on=date(2026, 3, 4)
        )
        ann = s.scalars(select(User).filter_by(name="ann")).one()
        s.add(Decision(flag_id=flag.id, user_id=ann.id, decision="confirm", reason="seen on CCTV"))
        scenario.flags["confirmed"] = flag.id
        wanted = add_offender(
            s,
            offender_id="VR-WEB-wanted",
            public_id="web-wanted",
            family_name="Wantedperson",
            given_names="Wendy",
            status="wanted",
            wanted_since=date(2026, 2, 1),
            last_known_area="Harbourtown",
            description="tall, red coat",
            address_line="9 Never Published Road",
            postcode="QQ1 1QQ",
            offence_category="never-in-the-feed",
        )
        scenario.offenders["wanted"] = wanted.offender_id
        _rejects(s, run)
    return scenario
