"""The register's files (offenders, aliases, documents): each offender's row with its
invented description, the deliberately awkward but valid values, and the name keys the
public must never reproduce."""

from __future__ import annotations

from pathlib import Path

from tracker.synthetic.cases import Case
from tracker.synthetic.datafiles import word_list
from tracker.synthetic.geo import FORCE_NAMES, FORCE_WEIGHTS, US_AGENCIES, uk_address, us_address
from tracker.synthetic.people import Person
from tracker.synthetic.rand import Draw, cumulative
from tracker.synthetic.spelling import fold
from tracker.synthetic.writer import ALIAS_COLUMNS, DOCUMENT_COLUMNS, OFFENDER_COLUMNS, CsvSink

FORCE_CUM = cumulative(FORCE_WEIGHTS)
OFFENCES = (
    "sexual offences against children",
    "rape",
    "sexual assault",
    "indecent images of children",
    "voyeurism",
    "exposure",
    "online grooming",
    "sexual activity with a child",
    "trafficking for sexual exploitation",
    "controlling prostitution",
)
OFFENCE_CUM = cumulative((20, 12, 18, 22, 5, 6, 9, 5, 2, 1))
BUILDS = word_list("descriptions/builds")
HAIR = word_list("descriptions/hair")
MARKS = word_list("descriptions/marks")
ACCENTS = word_list("descriptions/accents")
AWKWARD_DESCRIPTIONS = (
    "Tattoo on left forearm reads Robert'); DROP TABLE offenders;-- (as recorded)",
    "Wears a jacket printed <script>alert('wanted')</script> on the back",
    'Known locally as "Tiny"; very tall, medium build',
)


def _description(sex: str, draw: Draw) -> str:
    bits = [draw.pick(BUILDS), draw.pick(HAIR)]
    for _ in range(draw.between(0, 2)):
        mark = draw.pick(MARKS)
        if mark not in bits and not (sex == "F" and mark in ("full beard", "moustache")):
            bits.append(mark)
    if draw.chance(0.3):
        bits.append(draw.pick(ACCENTS))
    return ", ".join(bits)


def register_row(case: Case, person: Person, draw: Draw) -> dict[str, str]:
    """The offenders.csv row: the case's legal facts and the person's identity."""
    if case.jurisdiction == "us-sorna":
        force = draw.pick(tuple(US_AGENCIES))
        address, postcode, area = us_address(force, draw)
    else:
        force = draw.weighted(FORCE_NAMES, FORCE_CUM)
        address, postcode, area = uk_address(force, draw)
    if not case.fixed_abode:
        address, postcode = "", ""
    mean = 176 if person.sex == "M" else 163
    height = int(
        min(205, max(145, mean + (draw.random() + draw.random() + draw.random() - 1.5) * 14))
    )
    return {
        "offender_id": case.offender_id,
        "family_name": person.family_text,
        "given_names": person.given_text,
        "date_of_birth": person.dob.isoformat(),
        "sex": person.sex,
        "nationalities": "|".join(person.nationalities),
        "requirement_start": case.requirement_start.isoformat(),
        "notification_period": case.period,
        "jurisdiction": case.jurisdiction,
        "tier": str(case.tier) if case.tier else "",
        "risk_level": case.risk_level,
        "managing_force": force,
        "status": case.status,
        "wanted_since": case.wanted_since.isoformat() if case.wanted_since else "",
        "fixed_abode": "yes" if case.fixed_abode else "no",
        "address_line": address,
        "postcode": postcode,
        "last_known_area": area,
        "offence_category": draw.weighted(OFFENCES, OFFENCE_CUM),
        "height_cm": "" if draw.chance(0.04) else str(height),
        "description": "" if draw.chance(0.05) else _description(person.sex, draw),
    }


def awkward_picks(cases: list[Case], draw: Draw) -> dict[int, str]:
    """Offenders who get the deliberately awkward values (apostrophe, comma, Cyrillic...)."""
    order = [int(i) for i in draw.rng.permutation(len(cases))]
    picks: dict[int, str] = {}
    sorna = [i for i in order if cases[i].jurisdiction == "us-sorna"]
    if sorna:
        picks[sorna[0]] = "comma"
    for tag in ("apostrophe", "cyrillic", "comma", "sql", "script", "quote"):
        if tag in picks.values():
            continue
        i = next((i for i in order if i not in picks), None)
        if i is not None:
            picks[i] = tag
    return picks


def write_register(
    out: Path, cases: list[Case], persons: list[Person], picks: dict[int, str], draw: Draw
) -> dict[str, int]:
    descriptions = dict(zip(("sql", "script", "quote"), AWKWARD_DESCRIPTIONS, strict=True))
    with (
        CsvSink(out / "offenders.csv", OFFENDER_COLUMNS) as offenders,
        CsvSink(out / "aliases.csv", ALIAS_COLUMNS) as aliases,
        CsvSink(out / "documents.csv", DOCUMENT_COLUMNS) as documents,
    ):
        for case, person in zip(cases, persons, strict=True):
            row = register_row(case, person, draw)
            tag = picks.get(case.index)
            if tag in descriptions:
                row["description"] = descriptions[tag]
            offenders.row(row)
            for alias in person.aliases:
                aliases.row(
                    {
                        "offender_id": case.offender_id,
                        "family_name": alias.family_text,
                        "given_names": alias.given_text,
                        "kind": alias.kind,
                    }
                )
            for doc in person.documents:
                documents.row(
                    {
                        "offender_id": case.offender_id,
                        "doc_type": doc.doc_type,
                        "doc_number": doc.number,
                        "issuing_country": doc.country,
                        "expires_on": doc.expires.isoformat() if doc.expires else "",
                    }
                )
        return {
            "offenders.csv": offenders.rows,
            "aliases.csv": aliases.rows,
            "documents.csv": documents.rows,
        }


def register_keys(cases: list[Case], persons: list[Person]) -> set[str]:
    """FAMILY|GIVEN|DOB letter keys of every spelling of every register name (both orders),
    which the public must never reproduce."""
    keys: set[str] = set()
    for person in persons:
        dob = person.dob.isoformat()
        names = [(person.family, person.given)] + [(a.family, a.given) for a in person.aliases]
        for family, given in names:
            fams = {fold(f.split(" ")[0]) for p in family[:1] for f in (*p.forms, p.text)}
            givs = {fold(g.split(" ")[0]) for p in given[:1] for g in (*p.forms, p.text)}
            for p in given[1:2]:  # Vietnamese: the personal name comes after the middle
                givs |= {fold(g) for g in p.forms}
            for f in fams:
                for g in givs:
                    keys.add(f"{f}|{g}|{dob}")
    return keys
